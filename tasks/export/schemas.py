"""The column types of every exported shape, as Arrow schemas, and the same as `datasets` features.

Parquet is written with these schemas and the dataset card declares them (`dataset_info.features`) for
every config, so a config loads with one type per column whatever its first file holds: without them
`datasets` takes the types of the first file it reads, and a file where every `weight` is null or every
`grounding` list empty fixes those columns as null, so the next file fails to cast.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

_TEXT = pa.string()
MESSAGE = pa.struct([("role", _TEXT), ("content", _TEXT)])
WEIGHTED_MESSAGE = pa.struct([("role", _TEXT), ("content", _TEXT), ("weight", pa.int8())])

RECORD_SCHEMA = pa.schema(
    [
        ("id", _TEXT),
        ("kind", _TEXT),
        ("messages", pa.list_(WEIGHTED_MESSAGE)),
        ("source", pa.struct([(name, _TEXT) for name in ("type", "uri", "locator", "licence", "title")])),
        ("grounding", pa.list_(pa.struct([("passage_id", _TEXT), ("quote", _TEXT), ("locator", _TEXT)]))),
        ("labels", _TEXT),
        (
            "gates",
            pa.list_(
                pa.struct(
                    [
                        ("gate", _TEXT),
                        ("passed", pa.bool_()),
                        ("score", pa.float64()),
                        ("reasons", pa.list_(_TEXT)),
                    ]
                )
            ),
        ),
        (
            "lineage",
            pa.struct(
                [
                    ("generator", _TEXT),
                    ("version", _TEXT),
                    ("seed", pa.int64()),
                    ("parents", pa.list_(_TEXT)),
                ]
            ),
        ),
    ],
    metadata={b"labels": b"JSON object of label name to value, keys sorted"},
)
OPENAI_SCHEMA = pa.schema([("messages", pa.list_(WEIGHTED_MESSAGE))])
SHAREGPT_SCHEMA = pa.schema(
    [("id", _TEXT), ("conversations", pa.list_(pa.struct([("from", _TEXT), ("value", _TEXT)])))]
)
ALPACA_SCHEMA = pa.schema(
    [
        ("id", _TEXT),
        ("instruction", _TEXT),
        ("input", _TEXT),
        ("output", _TEXT),
        ("system", _TEXT),
        ("history", pa.list_(pa.list_(_TEXT))),
    ]
)
PREFERENCE_SCHEMA = pa.schema(
    [("prompt", pa.list_(MESSAGE)), ("chosen", pa.list_(MESSAGE)), ("rejected", pa.list_(MESSAGE))]
)

# The schema of each dataset card config: `default` is the records of `{split}/`.
SCHEMAS: dict[str, pa.Schema] = {
    "default": RECORD_SCHEMA,
    "openai": OPENAI_SCHEMA,
    "parquet": RECORD_SCHEMA,
    "sharegpt": SHAREGPT_SCHEMA,
    "alpaca": ALPACA_SCHEMA,
    "preference": PREFERENCE_SCHEMA,
    "bias_eval": RECORD_SCHEMA,
}

_DTYPES = {"string": "string", "int8": "int8", "int64": "int64", "double": "float64", "bool": "bool"}


def _feature(kind: pa.DataType) -> Any:
    """One Arrow type as `datasets` writes a feature type in YAML: a dtype name, a field list, a list."""
    if pa.types.is_struct(kind):
        return hf_features(pa.schema(list(kind)))
    if pa.types.is_list(kind):
        return {"list": _feature(kind.value_type)}
    return _DTYPES[str(kind)]


def hf_features(schema: pa.Schema) -> list[dict[str, Any]]:
    """`schema` as the list `datasets.Features._from_yaml_list` reads (name plus dtype, struct or list)."""
    fields: list[dict[str, Any]] = []
    for field in schema:
        feature = _feature(field.type)
        key = "struct" if pa.types.is_struct(field.type) else "dtype"
        fields.append({"name": field.name, **(feature if isinstance(feature, dict) else {key: feature})})
    return fields


def yaml_block(value: dict[str, Any] | list[Any], indent: str = "") -> list[str]:
    """Block-style YAML lines for nested dicts and lists of plain scalars (names, dtypes, paths)."""
    lines: list[str] = []
    if isinstance(value, list):
        for item in value:
            if isinstance(item, dict | list):
                inner = yaml_block(item, indent + "  ")
                lines += [f"{indent}- {inner[0].lstrip()}", *inner[1:]]
            else:
                lines.append(f"{indent}- {item}")
        return lines
    for key, item in value.items():
        if isinstance(item, dict | list):
            lines += [f"{indent}{key}:", *yaml_block(item, indent + "  ")]
        else:
            lines.append(f"{indent}{key}: {item}")
    return lines
