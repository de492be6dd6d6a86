"""Therapeutic support conversations from Data Designer sampler and Jinja expression columns.

Samplers pick the presenting concern, severity, support strategy and the concern-specific
situation, feeling and detail; expression columns compose the four turns from the phrase library.
"""

from __future__ import annotations

from typing import Any

from prefect import task

from tasks.accounting import ShardOutcome
from tasks.caching import SHARD_CACHE
from tasks.records import Lineage, QuarantineItem, Record, RecordKind, SourceRef, content_id
from tasks.synthesis import phrasings as p
from tasks.synthesis.engine import DD_VERSION, generate_rows, shard_seed
from tasks.synthesis.rows import records_from_rows, shard_outcome, turns_from_row

GENERATOR = "data-designer/therapeutic-offline"
TURN_COLUMNS = ("user_1", "assistant_1", "user_2", "assistant_2")


def build_config() -> Any:
    """The Data Designer config: samplers for every choice, expressions for every turn."""
    import data_designer.config as dd

    builder = dd.DataDesignerConfigBuilder(model_configs=[])

    def category(name: str, values: list[str]) -> None:
        builder.add_column(
            dd.SamplerColumnConfig(
                name=name, sampler_type="category", params=dd.CategorySamplerParams(values=values)
            )
        )

    def subcategory(name: str, parent: str, values: dict[str, list[str]]) -> None:
        builder.add_column(
            dd.SamplerColumnConfig(
                name=name,
                sampler_type="subcategory",
                params=dd.SubcategorySamplerParams(category=parent, values=values),
            )
        )

    category("concern", list(p.CONCERNS))
    category("severity", p.SEVERITIES)
    category("strategy", p.STRATEGIES)
    for part in ("situation", "feeling", "detail"):
        subcategory(part, "concern", {c: v[part] for c, v in p.CONCERNS.items()})
    subcategory("reflection", "concern", p.REFLECTIONS)
    subcategory("strategy_move", "strategy", p.STRATEGY_RESPONSES)
    category("opener", p.OPENERS)
    category("acknowledgement", p.ACKNOWLEDGEMENTS)
    category("validation", p.VALIDATIONS)
    category("open_question", p.OPEN_QUESTIONS)
    category("closing", p.CLOSINGS)

    expressions = {
        "user_1": "{{ opener }} {{ situation[:1] | upper }}{{ situation[1:] }}. {{ feeling }}",
        "assistant_1": "{{ acknowledgement }} {{ reflection }} {{ validation }} {{ open_question }}",
        "user_2": "{{ detail }}",
        "assistant_2": "{{ strategy_move }} {{ closing }}",
    }
    for name, expr in expressions.items():
        builder.add_column(dd.ExpressionColumnConfig(name=name, expr=expr))
    return builder


def row_to_record(row: dict[str, Any], seed: int) -> Record:
    """One generated row as a chat record; raises ValueError if a turn came out empty."""
    turns = turns_from_row(row, TURN_COLUMNS)
    source = SourceRef(type="synthetic", uri=f"generator:{GENERATOR}", licence="Apache-2.0")
    return Record(
        id=content_id(RecordKind.THERAPEUTIC, turns, source),
        kind=RecordKind.THERAPEUTIC,
        messages=turns,
        source=source,
        labels={"concern": row["concern"], "severity": row["severity"], "strategy": row["strategy"]},
        lineage=Lineage(generator=GENERATOR, version=DD_VERSION, seed=seed),
    )


def synthesize(count: int, run_seed: int, shard_index: int) -> tuple[list[Record], list[QuarantineItem]]:
    """Generate one shard; rows the engine dropped or malformed become quarantine items."""
    seed = shard_seed(run_seed, GENERATOR, shard_index)
    rows = generate_rows(build_config(), count, seed)
    return records_from_rows(
        rows, count, shard_index, RecordKind.THERAPEUTIC, lambda row: [row_to_record(row, seed)]
    )


@task(cache_policy=SHARD_CACHE, persist_result=True, retries=2, retry_delay_seconds=1)
def generate_therapeutic_shard(shard_index: int, count: int, run_seed: int, work_dir: str) -> ShardOutcome:
    """Generate, write and count one shard of therapeutic conversations."""
    generated = synthesize(count, run_seed, shard_index)
    return shard_outcome(RecordKind.THERAPEUTIC, shard_index, count, run_seed, work_dir, generated)
