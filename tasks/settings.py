"""The pipeline's configuration: one pydantic model that is the flow's parameters, the CLI and the
README's configuration table, so the three cannot drift apart.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from tasks.export.ready_packages import parse_formats
from tasks.records import canonical_json
from tasks.storage.work_store import work_location

BUNDLED_SOURCES = Path(__file__).resolve().parent / "sourcing" / "bundled"


class PassageSettings(BaseModel):
    """How documents are cut into passages."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    target_chars: int = Field(1_200, ge=200, description="Passages close once they reach this size")
    min_chars: int = Field(200, ge=1, description="Shorter trailing passages join the previous one")


class GatingSettings(BaseModel):
    """Bounds every conversation must meet before it can be split and exported."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    min_turns: int = Field(2, ge=2, description="Fewest messages a conversation may have")
    max_turns: int = Field(40, ge=2, description="Most messages a conversation may have")
    min_turn_chars: int = Field(2, ge=1, description="Shortest allowed message, in characters")
    max_turn_chars: int = Field(4_000, ge=1, description="Longest allowed message, in characters")


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
        description="Folder of documents (.txt .md .epub .pdf .vtt .srt .json3) to read into passages",
    )
    therapeutic_samples: int = Field(10_000, ge=0, description="Therapeutic conversations to generate")
    bias_samples: int = Field(
        5_000, ge=0, description="Bias-detection samples to generate (counterfactual pairs, 4 records each)"
    )
    edge_cases: int = Field(1_000, ge=0, description="High-risk and adversarial edge cases to generate")
    shard_records: int = Field(1_000, ge=12, le=100_000, description="Records per shard")
    state_dir: str = Field(
        ".pipeline", description="Folder for work shards, task checkpoints and the SQLite metadata DB"
    )
    database_url: SecretStr | None = Field(
        None,
        description="Metadata DB URL (postgresql+psycopg://...); else DATABASE_URL, else the"
        " database block, else SQLite in state_dir",
    )
    database_block: str | None = Field(
        None, description="Name of a saved MetadataDatabase block holding the metadata DB URL"
    )
    package_formats: str = Field(
        "chat",
        description="Formats in each version's ready package (chat, parquet, sharegpt, alpaca); empty: none",
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
    passages: PassageSettings = Field(default_factory=PassageSettings)  # type: ignore[arg-type]
    gating: GatingSettings = Field(default_factory=GatingSettings)  # type: ignore[arg-type]

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
        }

    def config_hash(self) -> str:
        return hashlib.sha256(canonical_json(self.content_settings())).hexdigest()

    @property
    def work_dir(self) -> str:
        """Where work shards go: beside the checkpoints when they live in a saved block, else state_dir."""
        return work_location(self.state_dir, self.result_storage)


# Defaults that depend on the machine, shown as what they mean rather than what this one has.
_SHOWN_DEFAULTS = {"sources": "tasks/sourcing/bundled", "workers": "CPU count"}


def config_table() -> str:
    """The README's configuration table, rendered from the model so the two cannot drift."""
    defaults = PipelineConfig()
    rows: list[tuple[str, str, object, str | None]] = []
    for name, field in PipelineConfig.model_fields.items():
        value = getattr(defaults, name)
        if isinstance(value, BaseModel):
            for sub, subfield in type(value).model_fields.items():
                rows.append(
                    (f"{name}.{sub}", "(deployment parameter)", getattr(value, sub), subfield.description)
                )
        else:
            shown = _SHOWN_DEFAULTS.get(name, "unset" if value is None else value)
            rows.append((name, f"`--{name.replace('_', '-')}`", shown, field.description))
    lines = ["| setting | CLI option | default | what it does |", "|---|---|---|---|"]
    lines += [f"| `{key}` | {option} | `{default}` | {text} |" for key, option, default, text in rows]
    return "\n".join(lines)
