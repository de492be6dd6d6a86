"""The Hugging Face dataset card (`README.md`) of a version: a YAML header that `datasets` and the
Hub read (configs, splits, licence), then the counts, gate statistics, sources and configuration.

It is rendered from the manifest alone, so the card never says anything the manifest does not.
"""

from __future__ import annotations

from typing import Any

import orjson

from tasks.export.format_names import FORMATS
from tasks.export.schemas import SCHEMAS, hf_features, yaml_block
from tasks.split import SPLITS


def _size_category(records: int) -> str:
    for bound, label in (
        (1_000, "n<1K"),
        (10_000, "1K<n<10K"),
        (100_000, "10K<n<100K"),
        (1_000_000, "100K<n<1M"),
    ):
        if records < bound:
            return label
    return "n>1M"


def _configs(manifest: dict[str, Any]) -> dict[str, dict[str, str]]:
    """Per config, the glob of each split that has files: the `{split}/` records as `default`, then each
    JSONL format. Parquet is left to its own folder: `datasets` picks one builder for every config of a
    card, so a Parquet config beside JSONL ones would be read as JSON (huggingface/datasets#6447)."""
    folders = {"default": (manifest["splits"], "{split}/*.jsonl")}
    for fmt, per_split in sorted(manifest.get("formats", {}).items()):
        if FORMATS[fmt] == "jsonl":
            folders[fmt] = (per_split, f"formats/{fmt}/{{split}}/*.jsonl")
    configs = {
        name: {
            split: pattern.format(split=split) for split in SPLITS if per_split.get(split, {}).get("files")
        }
        for name, (per_split, pattern) in folders.items()
    }
    return {name: paths for name, paths in configs.items() if paths}


def _header(manifest: dict[str, Any]) -> list[str]:
    """YAML for the Hub and `datasets`: each config's files and its features, so every config loads
    with `load_dataset(path, name)` with one type per column."""
    records = sum(s["records"] for s in manifest["splits"].values())
    configs = _configs(manifest)
    header = {
        "language": ["en"],
        "license": "other",
        "task_categories": ["text-generation"],
        "tags": ["mental-health", "conversational", "synthetic"],
        "size_categories": [_size_category(records)],
        "configs": [
            {"config_name": name, "data_files": [{"split": s, "path": p} for s, p in paths.items()]}
            for name, paths in configs.items()
        ],
        "dataset_info": [{"config_name": name, "features": hf_features(SCHEMAS[name])} for name in configs],
    }
    return ["---", *yaml_block(header), "---"]


def _table(header: list[str], rows: list[list[object]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    # A "|" in a cell (a source file's name) would split it into two columns.
    return lines + ["| " + " | ".join(str(cell).replace("|", "\\|") for cell in row) + " |" for row in rows]


def _gate_section(manifest: dict[str, Any]) -> list[str]:
    """Each gate's verdicts per kind, and the PII replaced, when the manifest has them."""
    gates = manifest.get("gates", {})
    if not gates:
        return []
    pii = ", ".join(f"{kind} {n:,}" for kind, n in manifest.get("pii_replaced", {}).items()) or "none"
    return [
        "## Gate verdicts",
        "",
        "A failed crisis verdict routes the conversation to the edge-case set (kept only if its reply "
        "keeps the crisis protocol); every other failed verdict quarantines the record.",
        "",
        *_table(
            ["gate", "kind", "evaluated", "passed", "failed"],
            [
                [g, k, t["evaluated"], t["passed"], t["failed"]]
                for g, kinds in gates.items()
                for k, t in kinds.items()
            ],
        ),
        "",
        f"PII replaced by typed placeholders: {pii}.",
        "",
    ]


def _turns_section(manifest: dict[str, Any]) -> list[str]:
    """How corpus conversations were normalised and which assistant turns are trained on."""
    turns = manifest.get("training_turns", {})
    corpus = manifest.get("corpus_normalisation", {})
    if not corpus.get("conversations") and not any(t.get("context_only") for t in turns.values()):
        return []
    lines = ["## Corpus conversations and trained turns", ""]
    if corpus.get("conversations"):
        lines += [
            f"{corpus['conversations']:,} corpus conversations became {corpus['windows']:,} records: "
            f"{corpus['turns_merged']:,} consecutive same-speaker turns merged, "
            f"{corpus['leading_assistant_trimmed']:,} opening assistant turns and "
            f"{corpus['trailing_user_trimmed']:,} closing user turns trimmed, "
            f"{corpus['conversations_cut']:,} long sessions cut into windows.",
            "",
        ]
    lines += [
        "A corpus turn with `weight` 1 is trained on and passes every EARS criterion; one failing only "
        "soft criteria is context (`weight` 0). Generated turns carry no weight: they are trained on, "
        "and pass their kind's gates.",
        "",
        *_table(
            ["kind", "trained turns", "context-only turns", "context-only because"],
            [
                [
                    kind,
                    t.get("trainable", 0),
                    t.get("context_only", 0),
                    ", ".join(
                        f"{name.split(':', 1)[1]} {n:,}"
                        for name, n in t.items()
                        if name.startswith("context_only:")
                    )
                    or "—",
                ]
                for kind, t in turns.items()
            ],
        ),
        "",
    ]
    return lines


def _figures(turns: dict[str, Any]) -> list[object]:
    cosine = turns["cosine_distance"]
    return [
        f"{turns['turns']:,}",
        f"{turns['distinct_turns']:.1%}",
        *(turns[f"distinct_{n}"] for n in (1, 2, 3)),
        "—" if cosine is None else cosine,
    ]


def _diversity_section(manifest: dict[str, Any]) -> list[str]:
    """Per speaker, a row of diversity figures per kind, then the same figures over real human
    conversations, so a reader can judge the generated text against people's; then label coverage."""
    kinds = manifest.get("diversity", {})
    if not kinds:
        return []
    corpora = manifest.get("diversity_reference", {}).get("corpora", {})
    columns = ["kind", "turns", "distinct turns", "distinct-1", "distinct-2", "distinct-3", "cosine distance"]
    measured = [*kinds.values(), *corpora.values()]
    sample = max(d[role]["sampled"] for d in measured for role in ("assistant", "user"))
    lines = [
        "## Diversity",
        "",
        "- **distinct turns**: distinct texts over all turns; 100% when no turn repeats another word "
        "for word.",
        "- **distinct-n**: unique word n-grams over all word n-grams (single words, pairs, triples); it "
        "falls as text grows, so compare sets of similar size.",
        f"- **cosine distance**: the mean cosine distance between the static sentence embeddings of every "
        f"pair of up to {sample:,} turns, chosen by content hash; 0 when all say the same thing, higher the "
        "more their meanings differ (long turns score lower: their embeddings near the average).",
    ]
    if corpora:
        lines.append(
            "- Rows marked *(human)* are the same figures over real support conversations, by "
            "`benchmarks/diversity_reference.py`: "
            + "; ".join(corpus["about"] for corpus in corpora.values())
            + "."
        )
    for role in ("assistant", "user"):
        rows = [[kind, *_figures(d[role])] for kind, d in kinds.items()]
        rows += [[f"{name} *(human)*", *_figures(corpus[role])] for name, corpus in corpora.items()]
        lines += ["", f"{role.capitalize()} turns:", "", *_table(columns, rows)]
    return [
        *lines,
        "",
        "Label coverage counts the records per value of each categorical label.",
        "",
        *_table(
            ["kind", "records", "labels (values covered)"],
            [
                [
                    kind,
                    f"{d['records']:,}",
                    ", ".join(f"{name} ({len(v)})" for name, v in d["labels"].items()),
                ]
                for kind, d in kinds.items()
            ],
        ),
        "",
    ]


def _loading_section(manifest: dict[str, Any]) -> list[str]:
    names = list(_configs(manifest))
    return [
        "## Loading",
        "",
        "```python",
        "from datasets import load_dataset",
        "",
        *(f'{name} = load_dataset("path/to/this/version", "{name}")' for name in names),
        'parquet = load_dataset("path/to/this/version/formats/parquet")  # the records, as Parquet',
        "```",
        "",
        "`default` and `parquet` are the records for fine-tuning; `labels` is a JSON object in a string "
        '(`json.loads(row["labels"])`). Replies written biased on purpose are never among them: each bias '
        "pair is a `preference` row (`prompt`, `chosen` unbiased, `rejected` biased) and its records are "
        "in `bias_eval`.",
        "",
    ]


def render_card(manifest: dict[str, Any]) -> str:
    """Markdown with a YAML header; `manifest` is the version's manifest body."""
    splits = manifest["splits"]
    kinds = sorted({kind for split in splits.values() for kind in split["by_kind"]})
    lines = [
        *_header(manifest),
        "",
        f"# {manifest['dataset']}",
        "",
        "Support conversations for training mental-health support models, in OpenAI chat format "
        "(`messages`), with provenance (`source`, `lineage`) and every gate's verdict (`gates`) on each "
        "record. Built by the unified dataset pipeline; every file's sha256 is in `manifest.json`.",
        "",
        *_loading_section(manifest),
        "## Splits",
        "",
        *_table(
            ["split", "records", *kinds],
            [[s, splits[s]["records"], *(splits[s]["by_kind"][k]["actual"] for k in kinds)] for s in SPLITS],
        ),
        "",
        "## What each stage kept, quarantined and removed",
        "",
        *_table(
            ["stage", "kind", "in", "kept", "quarantined", "deduplicated"],
            [
                [stage, kind, c["in"], c["kept"], c["quarantined"], c["deduplicated"]]
                for stage, per_kind in manifest["stages"].items()
                for kind, c in per_kind.items()
            ],
        ),
        "",
        f"Quarantined records (with reasons): {manifest['quarantine']['records']:,} in `quarantine/`. "
        f"Removed duplicates (each naming its twin): {manifest['duplicates']['records']:,} in `duplicates/`.",
        "",
        *_gate_section(manifest),
        *_turns_section(manifest),
        "## Target volumes",
        "",
        *_table(
            ["kind", "target", "exported", "shortfall"],
            [[k, v["target"], v["exported"], v["shortfall"]] for k, v in manifest["volumes"].items()],
        ),
        "",
        *_diversity_section(manifest),
        "## Sources",
        "",
        *_table(["document", "sha256"], [[i["path"], f"`{i['sha256'][:16]}…`"] for i in manifest["inputs"]]),
        "",
        "Synthetic conversations are generated offline with NVIDIA NeMo Data Designer; each record's "
        "`source.licence` names its licence.",
        "",
        "## Configuration",
        "",
        f"Seed {manifest['seed']}, configuration hash `{manifest['config_hash'][:16]}`, "
        f"code version `{manifest['code_version']}`.",
        "",
        "```json",
        orjson.dumps(manifest["config"], option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS).decode(),
        "```",
        "",
    ]
    return "\n".join(lines)
