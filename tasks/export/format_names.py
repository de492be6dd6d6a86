"""The export formats by name, and the choice of formats for a ready package: plain data, so the
configuration can validate `package_formats` without loading pyarrow or Prefect."""

from __future__ import annotations

# Extra formats written beside the canonical chat JSONL, and the suffix of their files.
FORMATS: dict[str, str] = {
    "openai": "jsonl",
    "parquet": "parquet",
    "sharegpt": "jsonl",
    "alpaca": "jsonl",
    "preference": "jsonl",
    "bias_eval": "jsonl",
}
# Package formats beside FORMATS: `chat` is the OpenAI fine-tuning files (`formats/openai/`), what a chat
# fine-tune needs and nothing else; `records` is the `{split}/` records with provenance and verdicts.
CHAT = "chat"
RECORDS = "records"
PACKAGE_FORMATS = (CHAT, RECORDS, *FORMATS)
# Bias pairs are matched across a split's shards; every other format is converted shard by shard.
PREFERENCE = "preference"
PER_SHARD = (CHAT, *(fmt for fmt in FORMATS if fmt != PREFERENCE))


def parse_formats(spec: str) -> tuple[str, ...]:
    """'chat,parquet' -> ('chat', 'parquet'); '' -> () (no package). Unknown names are an error."""
    formats = tuple(f.strip() for f in spec.split(",") if f.strip())
    unknown = sorted(set(formats) - set(PACKAGE_FORMATS))
    if unknown:
        raise ValueError(f"unknown package formats {unknown}; choose from {list(PACKAGE_FORMATS)}")
    return formats
