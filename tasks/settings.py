"""The pipeline's configuration: one pydantic model that is the flow's parameters, the CLI and the
README's configuration table, so the three cannot drift apart.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from tasks.export.format_names import parse_formats
from tasks.gates.gate_settings import GateSettings
from tasks.preprocess.settings import PreprocessSettings
from tasks.records import canonical_json
from tasks.sourcing.limit_settings import SourceLimits
from tasks.synthesis.llm_settings import LlmSettings

BUNDLED_SOURCES = Path(__file__).resolve().parent / "sourcing" / "bundled"
# Work shards kept in a saved storage block are addressed `block://{block-type}/{block-name}/{path}`.
BLOCK_SCHEME = "block://"


class PassageSettings(BaseModel):
    """How documents are cut into passages."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    target_chars: int = Field(1_200, ge=200, description="Passages close once they reach this size")
    min_chars: int = Field(200, ge=1, description="Shorter trailing passages join the previous one")


RUN_ONLY_FIELDS = {
    "output",
    "sources",
    "state_dir",
    "database_url",
    "database_block",
    "result_storage",
    "s3_credentials_block",
    "package_formats",
    "workers",
    "runner",
    "ray_address",
}


class PipelineConfig(BaseModel):
    """Everything a run needs; validated before any work starts."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    output: str = Field(
        "datasets", description="Folder or s3://bucket/prefix (OVH_S3_ENDPOINT) that receives {dataset}/v{N}/"
    )
    dataset_name: str = Field(
        "mental-health-support",
        pattern=r"^[a-z0-9][a-z0-9._-]*$",
        description="Dataset folder name (lowercase letters, digits, '.', '_', '-')",
    )
    seed: int = Field(42, ge=0, description="Seed for generation and splitting; same seed, same bytes")
    sources: str = Field(
        str(BUNDLED_SOURCES),
        description="Folder of documents (.txt .md .epub .pdf .vtt .srt .json3, PubMed .xml) read into"
        " passages and conversation files (.jsonl .json .parquet .csv) read into records",
    )
    therapeutic_samples: int = Field(10_000, ge=0, description="Therapeutic conversations to generate")
    bias_samples: int = Field(
        5_000, ge=0, description="Bias-detection samples to generate (counterfactual pairs, 4 records each)"
    )
    edge_cases: int = Field(1_000, ge=0, description="High-risk and adversarial edge cases to generate")
    top_up_rounds: int = Field(
        2,
        ge=0,
        le=5,
        description="Extra rounds generating what the gates left short of a generated or grounded target",
    )
    grounded_conversations: int = Field(
        5_000, ge=0, description="Conversations grounded in (and citing) the source passages to generate"
    )
    research_topics: str = Field(
        "anxiety,low mood,grief,trauma,relationships,work stress,sleep,substance use,self-esteem,loneliness",
        description="Therapeutic topics (comma-separated) that should be grounded in academic findings",
    )
    min_findings_per_topic: int = Field(
        1, ge=0, description="Findings a topic needs; fewer emits the dataset.research.requested event"
    )
    research: bool = Field(
        False,
        description="When topics lack findings and no journal-research deployment listens, run the journal"
        " search in-process (needs network access to the academic APIs)",
    )
    shard_records: int = Field(1_000, ge=12, le=100_000, description="Records per shard")
    shard_bytes: int = Field(
        16_000_000,
        ge=10_000,
        description="Most bytes of message text in a shard read from a conversation file: a shard ends at"
        " shard_records or shard_bytes, whichever comes first, so long conversations keep memory bounded",
    )
    part_bytes: int = Field(
        64_000_000,
        ge=10_000,
        description="A JSON Lines conversation file larger than this is read by several tasks at once, one"
        " per part of about this many bytes cut at a line end; the records are the same however it is cut",
    )
    state_dir: str = Field(
        ".pipeline", description="Folder for work shards, task checkpoints and the SQLite metadata DB"
    )
    database_url: SecretStr | None = Field(
        None,
        description="Metadata DB URL (postgresql+psycopg://...); else the database block, else"
        " DATABASE_URL, else SQLite in state_dir",
    )
    database_block: str | None = Field(
        None, description="Name of a saved MetadataDatabase block holding the metadata DB URL"
    )
    package_formats: str = Field(
        "chat",
        description="Formats in each version's ready package (chat, records, openai, parquet, sharegpt,"
        " alpaca, preference, bias_eval); empty: none",
    )
    s3_credentials_block: str | None = Field(
        None, description="Saved AwsCredentials block for an s3:// output; else the OVH_S3_* variables"
    )
    result_storage: str | None = Field(
        None,
        pattern=r"^[a-z0-9-]+/[A-Za-z0-9._-]+$",
        description="Saved block for task checkpoints, e.g. s3-bucket/checkpoints; else state_dir/results",
    )
    workers: int = Field(
        default_factory=lambda: os.cpu_count() or 1, ge=1, description="Shard tasks run at once"
    )
    runner: str = Field(
        "auto",
        pattern=r"^(auto|threads|processes|ray)$",
        description="Where shard tasks run: threads, processes (one per worker), ray (a local Ray"
        " started for the run, or the cluster at --ray-address) or auto (processes with 2+ workers,"
        " else threads); the output bytes are the same",
    )
    ray_address: str | None = Field(
        None, description="Address of a running Ray cluster to join (ray://host:10001); unset: a local Ray"
    )
    passages: PassageSettings = Field(default_factory=PassageSettings)  # type: ignore[arg-type]
    preprocess: PreprocessSettings = Field(default_factory=PreprocessSettings)  # type: ignore[arg-type]
    gates: GateSettings = Field(default_factory=GateSettings)  # type: ignore[arg-type]
    limits: SourceLimits = Field(default_factory=SourceLimits)  # type: ignore[arg-type]
    llm: LlmSettings | None = Field(
        None,
        description="OpenAI-compatible endpoint whose LLM columns write the synthetic text, with a judge"
        " column; unset: the offline engine (sampled scenarios, written pools)",
    )

    @property
    def task_runner(self) -> str:
        """The runner this run uses. `auto` picks processes when there are workers to spread over:
        the gates are Python, so threads share one core (default run, 2 cores: 274 s against 377 s)."""
        if self.runner != "auto":
            return self.runner
        return "processes" if self.workers > 1 else "threads"

    def content_settings(self) -> dict[str, Any]:
        """The settings that decide the dataset's bytes; where it runs and writes is left out."""
        return self.model_dump(mode="json", exclude=RUN_ONLY_FIELDS)

    @field_validator("package_formats")
    @classmethod
    def _known_package_formats(cls, value: str) -> str:
        return ",".join(parse_formats(value))

    def target_volumes(self) -> dict[str, int]:
        """Records per kind the run should export after every gate."""
        return {
            "therapeutic": self.therapeutic_samples,
            "bias": self.bias_samples,
            "edge_case": self.edge_cases,
            "grounded": self.grounded_conversations,
        }

    def config_hash(self) -> str:
        return hashlib.sha256(canonical_json(self.content_settings())).hexdigest()

    @property
    def results_dir(self) -> Path:
        """Where task checkpoints go when no `result_storage` block is named: `{state_dir}/results`, for
        the CLI and a deployment's run alike."""
        return Path(self.state_dir).resolve() / "results"

    @property
    def work_dir(self) -> str:
        """Where work shards go: `block://{result_storage}/work` beside the checkpoints when they live in a
        saved block, else `{state_dir}/work` (see tasks/storage/work_store.py)."""
        if self.result_storage:
            return f"{BLOCK_SCHEME}{self.result_storage.strip('/')}/work"
        return str(Path(self.state_dir).resolve() / "work")


# Settings models that are unset by default (no nested defaults to list).
NESTED_OPTIONAL = {"llm"}
# Defaults that depend on the machine, shown as what they mean rather than what this one has.
_SHOWN_DEFAULTS = {"sources": "tasks/sourcing/bundled", "workers": "CPU count"}


def _rows(model: BaseModel, prefix: str) -> list[tuple[str, str, object, str | None]]:
    """Table rows of a nested settings model, one per leaf setting, as deployment parameters."""
    rows: list[tuple[str, str, object, str | None]] = []
    plain = model.model_dump(mode="json")
    for name, field in type(model).model_fields.items():
        value = getattr(model, name)
        if isinstance(value, BaseModel):
            rows += _rows(value, f"{prefix}{name}.")
        else:
            shown = (
                plain[name] if isinstance(plain[name], str | int | float | None) else json.dumps(plain[name])
            )
            rows.append((f"{prefix}{name}", "(deployment parameter)", shown, field.description))
    return rows


def config_table() -> str:
    """The README's configuration table, rendered from the model so the two cannot drift."""
    defaults = PipelineConfig()
    rows: list[tuple[str, str, object, str | None]] = []
    for name, field in PipelineConfig.model_fields.items():
        value = getattr(defaults, name)
        if isinstance(value, BaseModel):
            rows += _rows(value, f"{name}.")
        elif name in NESTED_OPTIONAL:
            rows.append((name, "(deployment parameter)", "unset", field.description))
        else:
            shown = _SHOWN_DEFAULTS.get(name, "unset" if value is None else value)
            rows.append((name, f"`--{name.replace('_', '-')}`", shown, field.description))
    lines = ["| setting | CLI option | default | what it does |", "|---|---|---|---|"]
    lines += [f"| `{key}` | {option} | `{default}` | {text} |" for key, option, default, text in rows]
    return "\n".join(lines)
