"""The high-risk edge-case set ("ultra nightmares") from Data Designer sampler and expression columns.

Samplers pick the scenario type, then the type's scenario, pressure and the three parts of the safe
reply; the label is the behaviour the reply demonstrates, so a model learns the response as well as
the risk. Crisis types always acknowledge, ask directly about safety and name a crisis resource.
"""

from __future__ import annotations

from typing import Any

from prefect import task

from tasks.accounting import ShardOutcome
from tasks.caching import SHARD_CACHE
from tasks.records import Lineage, QuarantineItem, Record, RecordKind, SourceRef, content_id
from tasks.synthesis.edge_case_phrasings import CRISIS_TYPES, EDGE_CASES, OPENERS
from tasks.synthesis.engine import DD_VERSION, generate_rows, shard_seed
from tasks.synthesis.rows import Row, records_from_rows, shard_outcome, turns_from_row

GENERATOR = "data-designer/edge-case-offline"
TURN_COLUMNS = ("user_1", "assistant_1")
SOURCE = SourceRef(type="synthetic", uri=f"generator:{GENERATOR}", licence="Apache-2.0")
_PARTS = ("scenarios", "pressures", "acknowledgements", "actions", "closings")


def build_config() -> Any:
    """The Data Designer config: the type, then one subcategory sampler per text part."""
    import data_designer.config as dd

    builder = dd.DataDesignerConfigBuilder(model_configs=[])
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
    expressions = {
        "user_1": "{{ opener }} {{ scenarios }} {{ pressures }}",
        "assistant_1": "{{ acknowledgements }} {{ actions }} {{ closings }}",
    }
    for name, expr in expressions.items():
        builder.add_column(dd.ExpressionColumnConfig(name=name, expr=expr))
    return builder


def row_to_record(row: Row, seed: int) -> Record:
    """One generated row as a labelled record; raises ValueError on an empty turn or unknown type."""
    case_type = str(row["edge_case_type"])
    if case_type not in EDGE_CASES:
        raise ValueError(f"unknown edge-case type {case_type!r}")
    case = EDGE_CASES[case_type]
    turns = turns_from_row(row, TURN_COLUMNS)
    return Record(
        id=content_id(RecordKind.EDGE_CASE, turns, SOURCE),
        kind=RecordKind.EDGE_CASE,
        messages=turns,
        source=SOURCE,
        labels={
            "edge_case_type": case_type,
            "expected_behaviour": case.expected_behaviour,
            "severity": case.severity,
            "crisis_protocol": case_type in CRISIS_TYPES,
        },
        lineage=Lineage(generator=GENERATOR, version=DD_VERSION, seed=seed),
    )


def synthesize(count: int, run_seed: int, shard_index: int) -> tuple[list[Record], list[QuarantineItem]]:
    """Generate one shard; rows the engine dropped or malformed become quarantine items."""
    seed = shard_seed(run_seed, GENERATOR, shard_index)
    rows = generate_rows(build_config(), count, seed)
    return records_from_rows(
        rows, count, shard_index, RecordKind.EDGE_CASE, lambda row: [row_to_record(row, seed)]
    )


@task(cache_policy=SHARD_CACHE, persist_result=True, retries=2, retry_delay_seconds=1)
def generate_edge_case_shard(shard_index: int, count: int, run_seed: int, work_dir: str) -> ShardOutcome:
    """Generate, write and count one shard of high-risk edge cases."""
    generated = synthesize(count, run_seed, shard_index)
    return shard_outcome(RecordKind.EDGE_CASE, shard_index, count, run_seed, work_dir, generated)
