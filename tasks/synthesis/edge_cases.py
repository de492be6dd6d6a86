"""The high-risk edge-case set ("ultra nightmares") from Data Designer sampler and expression columns.

Samplers pick the scenario type, then the type's scenario, pressure and the three parts of the safe
reply; the label is the behaviour the reply demonstrates, so a model learns the response as well as
the risk. Crisis types always acknowledge, ask directly about safety and name a crisis resource.
With an LLM endpoint, the endpoint writes both turns from the sampled scenario and expected behaviour,
and a judge column scores the reply's empathy and safety.
"""

from __future__ import annotations

from typing import Any

from prefect import task
from pydantic import SecretStr

from blocks.llm_provider import resolve_api_key
from tasks.accounting import ShardOutcome
from tasks.caching import SHARD_CACHE
from tasks.records import Lineage, QuarantineItem, Record, RecordKind, SourceRef, content_id
from tasks.synthesis.edge_case_phrasings import CRISIS_TYPES, EDGE_CASES, OPENERS
from tasks.synthesis.engine import (
    Origin,
    explain_drops,
    llm_work_dir,
    offline_origin,
    run_engine,
    shard_seed,
)
from tasks.synthesis.llm import (
    SEEKER,
    STYLE,
    LlmSettings,
    conversation_text,
    judge_column,
    judge_labels,
    model_configs,
    text_column,
)
from tasks.synthesis.rows import Row, records_from_rows, shard_outcome, turns_from_row

GENERATOR = "data-designer/edge-case-offline"
TURN_COLUMNS = ("user_1", "assistant_1")
SOURCE = SourceRef(type="synthetic", uri=f"generator:{GENERATOR}", licence="Apache-2.0")
OFFLINE = offline_origin(GENERATOR)
JUDGE_COLUMN = "judge"
_PARTS = ("scenarios", "pressures", "acknowledgements", "actions", "closings")
_USER_PROMPT = (
    "Write the message of a person in this situation: {{ edge_case_type | replace('_', ' ') }}. Use your own"
    " words, 1 to 4 sentences, building on: {{ scenarios }} {{ pressures }} Never name a method, an amount"
    " or a dose."
)
# The offline reply's parts are the example: the endpoint rewords them, it does not invent the protocol.
_REPLY_PROMPT = (
    "The person wrote:\n{{ user_1 }}\n\nWrite the counsellor's safe reply in 2 to 5 sentences. It must show"
    " this behaviour: {{ expected_behaviour | replace('_', ' ') }}. Do in your own words what this example"
    " does: {{ acknowledgements }} {{ actions }} {{ closings }}"
)


def build_config(llm: LlmSettings | None = None) -> Any:
    """The Data Designer config: the type, then one subcategory sampler per text part; with `llm`, the
    endpoint writes both turns from the sampled scenario and the behaviour the reply must show.
    """
    import data_designer.config as dd

    builder = dd.DataDesignerConfigBuilder(model_configs=model_configs(llm) if llm else [])
    builder.add_column(
        dd.SamplerColumnConfig(
            name="edge_case_type",
            sampler_type="category",
            params=dd.CategorySamplerParams(values=list(EDGE_CASES)),
        )
    )
    builder.add_column(
        dd.SamplerColumnConfig(
            name="opener", sampler_type="category", params=dd.CategorySamplerParams(values=OPENERS)
        )
    )
    for part in _PARTS:
        builder.add_column(
            dd.SamplerColumnConfig(
                name=part,
                sampler_type="subcategory",
                params=dd.SubcategorySamplerParams(
                    category="edge_case_type",
                    values={name: getattr(case, part) for name, case in EDGE_CASES.items()},
                ),
            )
        )
    if llm is not None:
        builder.add_column(
            dd.SamplerColumnConfig(
                name="expected_behaviour",
                sampler_type="subcategory",
                params=dd.SubcategorySamplerParams(
                    category="edge_case_type",
                    values={name: [case.expected_behaviour] for name, case in EDGE_CASES.items()},
                ),
            )
        )
        builder.add_column(text_column("user_1", _USER_PROMPT, SEEKER))
        builder.add_column(text_column("assistant_1", _REPLY_PROMPT, STYLE))
        transcript = conversation_text([("Person", "user_1"), ("Counsellor", "assistant_1")])
        builder.add_column(judge_column(JUDGE_COLUMN, f"Rate the counsellor's reply.\n\n{transcript}"))
        return builder
    expressions = {
        "user_1": "{{ opener }} {{ scenarios }} {{ pressures }}",
        "assistant_1": "{{ acknowledgements }} {{ actions }} {{ closings }}",
    }
    for name, expr in expressions.items():
        builder.add_column(dd.ExpressionColumnConfig(name=name, expr=expr))
    return builder


def row_to_record(row: Row, seed: int, origin: Origin = OFFLINE) -> Record:
    """One generated row as a labelled record; raises ValueError on an empty turn, an unknown type or a
    malformed verdict.
    """
    case_type = str(row["edge_case_type"])
    if case_type not in EDGE_CASES:
        raise ValueError(f"unknown edge-case type {case_type!r}")
    case = EDGE_CASES[case_type]
    turns = turns_from_row(row, TURN_COLUMNS)
    source = (
        SOURCE if origin == OFFLINE else SOURCE.model_copy(update={"uri": f"generator:{origin.generator}"})
    )
    labels: dict[str, str | bool | int] = {
        "edge_case_type": case_type,
        "expected_behaviour": case.expected_behaviour,
        "severity": case.severity,
        "crisis_protocol": case_type in CRISIS_TYPES,
    }
    return Record(
        id=content_id(RecordKind.EDGE_CASE, turns, source),
        kind=RecordKind.EDGE_CASE,
        messages=turns,
        source=source,
        labels=(labels | judge_labels(row, JUDGE_COLUMN)) if origin.judged else labels,
        lineage=Lineage(generator=origin.generator, version=origin.version, seed=seed),
    )


def synthesize(
    count: int, run_seed: int, shard_index: int, llm: LlmSettings | None = None, key: SecretStr | None = None
) -> tuple[list[Record], list[QuarantineItem]]:
    """Generate one shard; rows the engine dropped or malformed become quarantine items."""
    seed = shard_seed(run_seed, GENERATOR, shard_index)
    builder = build_config(llm)
    rows, origin, failure = run_engine(builder, count, seed, GENERATOR, llm, key)
    generated = records_from_rows(
        rows, count, shard_index, RecordKind.EDGE_CASE, lambda row: [row_to_record(row, seed, origin)]
    )
    return explain_drops(generated, failure)


@task(
    cache_policy=SHARD_CACHE,
    persist_result=True,
    retries=2,
    retry_delay_seconds=1,
    task_run_name="generate_edge_case_shard-edge_case-{shard_index:05d}",
)
def generate_edge_case_shard(
    shard_index: int, count: int, run_seed: int, work_dir: str, llm: LlmSettings | None = None
) -> ShardOutcome:
    """Generate, write and count one shard of high-risk edge cases."""
    generated = synthesize(count, run_seed, shard_index, llm, resolve_api_key(llm))
    work = llm_work_dir(work_dir, llm)
    return shard_outcome(RecordKind.EDGE_CASE, shard_index, count, run_seed, work, generated)
