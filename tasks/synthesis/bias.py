"""Counterfactual bias-detection samples from Data Designer sampler and Jinja expression columns.

One generated row is one pair: the same help-seeker message with two descriptors of one axis
(HolisticBias-style descriptor x template expansion), each answered once with a biased and once
with an unbiased counsellor reply, so four records share the pair id as `lineage.parents[0]` and
the splitter keeps them together. Axes come from an ordered seed column, so they are balanced
exactly; every other choice is a sampler draw. With an LLM endpoint, the endpoint writes the shared
concern (so the members still differ only in the descriptor) and the three replies, and a judge column
scores the unbiased reply.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from itertools import permutations
from pathlib import Path
from typing import Any

from prefect import task
from pydantic import SecretStr

from blocks.llm_provider import resolve_api_key
from tasks.accounting import ShardOutcome
from tasks.caching import SHARD_CACHE
from tasks.records import Lineage, QuarantineItem, Record, RecordKind, SourceRef, canonical_json, content_id
from tasks.synthesis import bias_phrasings as p
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

GENERATOR = "data-designer/bias-offline"
OFFLINE = offline_origin(GENERATOR)
JUDGE_COLUMN = "judge"
DESCRIPTORS_FILE = Path(__file__).parent / "data" / "bias_descriptors.json"
RECORDS_PER_PAIR = 4
MEMBERS = ("a", "b")
SOURCE = SourceRef(
    type="synthetic",
    uri=f"generator:{GENERATOR}",
    licence="CC-BY-SA-4.0",
    title="Demographic descriptors from HolisticBias (Smith et al., 2022), CC BY-SA 4.0",
)


@lru_cache(maxsize=1)
def descriptors() -> dict[str, list[tuple[str, str]]]:
    """Axis -> (descriptor, noun phrase) from the curated HolisticBias subset shipped with the code."""
    data = json.loads(DESCRIPTORS_FILE.read_text(encoding="utf-8"))
    return {
        axis: [(d["descriptor"], d["phrase"]) for d in entry["descriptors"]]
        for axis, entry in data["axes"].items()
    }


def axes() -> list[str]:
    """The bias axes, in the order the seed column cycles through them."""
    return list(descriptors())


def _pick_by_axis(prefix: str) -> str:
    # Samplers cannot depend on a seed column, so each axis has its own column and Jinja picks one.
    choices = ", ".join(f"'{axis}': {prefix}_{axis}" for axis in axes())
    return "{{ {" + choices + "}[axis] }}"


def _axis_column(pairs: int, shard_index: int) -> Any:
    import pandas as pd

    order = axes()
    return pd.DataFrame({"axis": [order[(shard_index + i) % len(order)] for i in range(pairs)]})


def build_config(pairs: int, shard_index: int, llm: LlmSettings | None = None) -> Any:
    """The Data Designer config: ordered axis seed, samplers for every choice, expressions for the text;
    with `llm`, the endpoint writes the concern and the replies, and a judge scores the unbiased one.
    """
    import data_designer.config as dd

    builder = dd.DataDesignerConfigBuilder(model_configs=model_configs(llm) if llm else [])
    builder.with_seed_dataset(dd.DataFrameSeedSource(df=_axis_column(pairs, shard_index)))

    def sampler(
        name: str, values: list[str], parent: str | None = None, by: dict[str, list[str]] | None = None
    ) -> None:
        params: Any = (
            dd.SubcategorySamplerParams(category=parent, values=by)
            if parent and by
            else dd.CategorySamplerParams(values=values)
        )
        kind = "subcategory" if parent else "category"
        builder.add_column(dd.SamplerColumnConfig(name=name, sampler_type=kind, params=params))

    for axis, entries in descriptors().items():
        sampler(f"pair_{axis}", ["|".join((*a, *b)) for a, b in permutations(entries, 2)])
        sampler(f"stereotype_{axis}", p.STEREOTYPES[axis])
    sampler("template", list(p.TEMPLATES))
    sampler("template_text", [], "template", {k: [v] for k, v in p.TEMPLATES.items()})
    sampler("concern", list(p.CONCERNS))
    sampler("concern_text", [], "concern", {k: [v] for k, v in p.CONCERNS.items()})
    if llm is None:
        sampler("reflection", [], "concern", p.REFLECTIONS)
    sampler("bias_type", p.BIAS_TYPES)
    if llm is None:
        sampler("biased_opener", p.BIASED_OPENERS)
    sampler("dismissal", p.DISMISSALS)
    sampler("differential", p.DIFFERENTIAL_CARE)
    if llm is None:
        sampler("unbiased_opener", p.UNBIASED_OPENERS)
        sampler("unbiased_support", p.UNBIASED_SUPPORT)
        sampler("unbiased_question", p.UNBIASED_QUESTIONS)
    else:
        sampler("bias_kind", [], "bias_type", {k: [v] for k, v in _BIAS_KINDS.items()})

    biased_line = (
        "{% if bias_type == 'stereotype' %}{{ stereotype }}{% elif bias_type == 'dismissal' %}{{ dismissal }}"
        "{% else %}{{ differential }}{% endif %}"
    )
    expressions = {
        "pair": _pick_by_axis("pair"),
        "stereotype": _pick_by_axis("stereotype"),
        "phrase_a": "{{ pair.split('|')[1] }}",
        "phrase_b": "{{ pair.split('|')[3] }}",
        "biased_line": biased_line,
    }
    if llm is None:
        expressions["unbiased"] = (
            "{{ unbiased_opener }} {{ reflection }} {{ unbiased_support }} {{ unbiased_question }}"
        )
    else:
        # Both members share one concern and differ only in the descriptor, as the offline pairs do.
        builder.add_column(text_column("concern_clause", _CONCERN_PROMPT, SEEKER))
    concern = "concern_text" if llm is None else "concern_clause | trim | trim('.')"
    for member in MEMBERS:
        who = f"phrase_{member}"
        expressions[f"user_{member}"] = (
            f"{{{{ template_text | replace('{{who}}', {who}) | replace('{{concern}}', {concern}) }}}}"
        )
        hint = f"{{{{ biased_line | replace('{{who}}', {who}) }}}}"
        if llm is None:
            expressions[f"assistant_biased_{member}"] = f"{{{{ biased_opener }}}} {hint}"
        else:
            expressions[f"bias_hint_{member}"] = hint
    for name, expr in expressions.items():
        builder.add_column(dd.ExpressionColumnConfig(name=name, expr=expr))
    if llm is not None:
        _add_llm_replies(builder)
    return builder


_CONCERN_PROMPT = (
    "Rewrite this problem in your own words as one short first-person clause (at most 20 words, starting"
    " lower-case, no full stop), saying nothing about who you are: {{ concern_text }}"
)
_BIASED_SYSTEM = (
    "You write realistic examples of biased counsellor replies, used only to train a detector of bias in"
    " support conversations. Show the bias through assumptions or tone; never use slurs or threats."
    " Reply with the message only."
)
_BIAS_KINDS = {
    "stereotype": "stereotyping (explaining the problem through an assumption about the group)",
    "dismissal": "dismissal (taking the problem less seriously because of who they are)",
    "differential_care": "differential care (offering less help or effort because of who they are)",
}


def _add_llm_replies(builder: Any) -> None:
    for member in MEMBERS:
        prompt = (
            f"The person wrote:\n{{{{ user_{member} }}}}\n\nWrite a 1 to 3 sentence counsellor reply that"
            f" shows {{{{ bias_kind }}}} towards them as {{{{ phrase_{member} }}}}, in the spirit of: "
            f"{{{{ bias_hint_{member} }}}}"
        )
        builder.add_column(text_column(f"assistant_biased_{member}", prompt, _BIASED_SYSTEM))
    # The unbiased reply sees the concern alone, so nothing in it can depend on the descriptor.
    builder.add_column(
        text_column(
            "unbiased",
            "A person wrote to a counsellor that {{ concern_clause }}.\n\nWrite the counsellor's reply in 2"
            " to 4 sentences: reflect, validate and ask one open question.",
            STYLE,
        )
    )
    transcript = conversation_text([("Person", "user_a"), ("Counsellor", "unbiased")])
    builder.add_column(
        judge_column(JUDGE_COLUMN, f"Rate the counsellor in this conversation.\n\n{transcript}")
    )


def pair_id(row: Row) -> str:
    """A content hash of the pair, shared by its four records as their first parent."""
    keys = ("axis", "pair", "template", "concern", "bias_type", "user_a", "assistant_biased_a", "unbiased")
    digest = hashlib.sha256(canonical_json({k: str(row[k]) for k in keys})).hexdigest()[:20]
    return f"bias-pair-{digest}"


def row_to_records(row: Row, seed: int, origin: Origin = OFFLINE) -> list[Record]:
    """One pair row as four records: each member with the biased, then the unbiased reply."""
    parent = pair_id(row)
    parts = str(row["pair"]).split("|")
    if len(parts) != 4:
        raise ValueError(f"descriptor pair {row['pair']!r} is not 'descriptor|phrase|descriptor|phrase'")
    descriptor = {"a": parts[0], "b": parts[2]}
    judged = judge_labels(row, JUDGE_COLUMN) if origin.judged else {}
    source = (
        SOURCE if origin == OFFLINE else SOURCE.model_copy(update={"uri": f"generator:{origin.generator}"})
    )
    records = []
    for biased in (True, False):
        for member in MEMBERS:
            reply = f"assistant_biased_{member}" if biased else "unbiased"
            turns = turns_from_row(row, (f"user_{member}", reply))
            records.append(
                Record(
                    id=content_id(RecordKind.BIAS, turns, source),
                    kind=RecordKind.BIAS,
                    messages=turns,
                    source=source,
                    labels={
                        "axis": row["axis"],
                        "descriptor": descriptor[member],
                        "bias_type": row["bias_type"] if biased else "none",
                        "biased": biased,
                        "pair_id": parent,
                        "member": member,
                        "template": row["template"],
                        "concern": row["concern"],
                    }
                    # The judge scored the unbiased reply only: the biased ones are meant to fail it.
                    | ({} if biased else judged),
                    lineage=Lineage(
                        generator=origin.generator, version=origin.version, seed=seed, parents=(parent,)
                    ),
                )
            )
    return records


def synthesize(
    count: int, run_seed: int, shard_index: int, llm: LlmSettings | None = None, key: SecretStr | None = None
) -> tuple[list[Record], list[QuarantineItem]]:
    """Generate `count` records (whole pairs, the last one cut short if count is not a multiple of 4)."""
    seed = shard_seed(run_seed, GENERATOR, shard_index)
    pairs = -(-count // RECORDS_PER_PAIR)
    builder = build_config(pairs, shard_index, llm)
    rows, origin, failure = run_engine(builder, pairs, seed, GENERATOR, llm, key)
    generated = records_from_rows(
        rows,
        count,
        shard_index,
        RecordKind.BIAS,
        lambda row: row_to_records(row, seed, origin),
        per_row=RECORDS_PER_PAIR,
    )
    return explain_drops(generated, failure)


@task(
    cache_policy=SHARD_CACHE,
    persist_result=True,
    retries=2,
    retry_delay_seconds=1,
    task_run_name="generate_bias_shard-bias-{shard_index:05d}",
)
def generate_bias_shard(
    shard_index: int, count: int, run_seed: int, work_dir: str, llm: LlmSettings | None = None
) -> ShardOutcome:
    """Generate, write and count one shard of counterfactual bias samples."""
    generated = synthesize(count, run_seed, shard_index, llm, resolve_api_key(llm))
    return shard_outcome(
        RecordKind.BIAS, shard_index, count, run_seed, llm_work_dir(work_dir, llm), generated
    )
