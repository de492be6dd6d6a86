"""The Hugging Face dataset card (`README.md`) of a version: a YAML header that `datasets` and the
Hub read (configs, splits, licence), then what a person needs before training on it (what it is for and
not for, how it was made and its limits, the safety gates and how well they work, the bias data, the
licences, how to cite it), then the counts, gate statistics, sources and configuration.

It is rendered from the manifest, plus the gates' held-out figures read from their model cards
(`tasks/gates/artefacts/*.json`) at render time, so no figure is copied by hand and none can drift. A
configuration that turned safety checks off is stated first: in the header's first line and in the
body's first lines.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import orjson

from tasks.export.format_names import FORMATS
from tasks.export.manifest import UNSAFE
from tasks.export.schemas import SCHEMAS, hf_features, yaml_block
from tasks.gates import crisis, ears
from tasks.split import SPLITS

# How each safety check reads in the card, by gate; the kind follows.
_CHECK_NAMES = {
    "crisis": "crisis scanning (and routing) of",
    "content_filter": "the content filter on",
    "ears": "the EARS empathy-style gate on",
}


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
    unsafe = [f"# {line}" for line in _unsafe_lines(manifest)[:1]]
    return ["---", *unsafe, *yaml_block(header), "---"]


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
        "keeps the crisis protocol), or cuts a corpus conversation before the flagged turn when no reply "
        "keeps it (failed crisis verdicts of other kinds); every other failed verdict quarantines the "
        "record.",
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
    cut = {kind: t for kind, t in turns.items() if t.get("crisis_cut_conversations")}
    if cut:
        lines += [
            "Corpus conversations whose seeker the crisis detector flagged, where no supporter reply kept "
            "the crisis protocol, end before the flagged turn (`labels.crisis_cut_at_turn`): "
            + ", ".join(
                f"{kind} {t['crisis_cut_conversations']:,} conversations "
                f"({t['crisis_cut_turns']:,} turns removed)"
                for kind, t in cut.items()
            )
            + ".",
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


def _unsafe_lines(manifest: Mapping[str, Any]) -> list[str]:
    """What the configuration turned off, in words, first line a summary; empty when nothing was."""
    off = manifest.get(UNSAFE, [])
    if not off:
        return []
    named = [
        f"{_CHECK_NAMES.get(gate, gate)} {kind} records" for gate, _, kind in (c.partition(":") for c in off)
    ]
    return [
        f"UNSAFE: safety checks turned off for this version: {'; '.join(named)}.",
        f"Set by `gates.unsafe_gates_off` = {', '.join(f'`{c}`' for c in off)}. Records of those kinds were "
        "exported without those verdicts: do not fine-tune a support model on them without checking them "
        "another way.",
    ]


def _kind_counts(manifest: Mapping[str, Any]) -> dict[str, int]:
    """Records per kind across the splits, biased replies held out of the files included."""
    counts: dict[str, int] = {}
    for split in manifest["splits"].values():
        for kind, n in split["by_kind"].items():
            counts[kind] = counts.get(kind, 0) + n["actual"]
    return counts


def _held_out(manifest: Mapping[str, Any], split: str | None = None) -> int:
    """Records placed in the splits but kept out of their files (biased bias-pair replies)."""
    splits = [manifest["splits"][split]] if split else manifest["splits"].values()
    return sum(n for s in splits for n in s.get("held_out", {}).values())


_KIND_ABOUT = {
    "therapeutic": "generated support conversations",
    "grounded": "conversations that quote and cite a passage of the source documents",
    "edge_case": "high-risk and adversarial conversations (crisis disclosures among them) whose reply "
    "keeps the crisis protocol",
    "bias": "counterfactual bias pairs (see [Bias data](#bias-data-and-how-it-must-be-used))",
}


def _summary_section(manifest: Mapping[str, Any]) -> list[str]:
    counts = _kind_counts(manifest)
    in_files = sum(s["records"] for s in manifest["splits"].values())
    held = _held_out(manifest)
    kinds = "; ".join(f"{kind} {n:,}: {_KIND_ABOUT.get(kind, kind)}" for kind, n in sorted(counts.items()))
    given = manifest.get("split_ratios", {})
    ratios = "/".join(f"{given[s]:.0%}" for s in SPLITS if s in given) or "70/15/15"  # in SPLITS order
    besides = (
        f" (and {held:,} replies biased on purpose, held out of them for bias evaluation)" if held else ""
    )
    return [
        f"{in_files:,} English conversations in the split files{besides}, for training and evaluating "
        "assistants that answer people in distress in a supportive, empathic style, in OpenAI chat format "
        "(`messages`), with provenance (`source`, `lineage`) and every gate's verdict (`gates`) on each "
        f"record, split {ratios} into train, validation and test. Records by kind: {kinds}. Built by the "
        "unified dataset pipeline; every file's sha256 is in `manifest.json`.",
        "",
        "## Intended uses",
        "",
        "- Supervised fine-tuning and evaluation of support-style conversation: reflecting feelings, asking "
        "open questions, respecting autonomy, staying within scope, and answering a disclosure of risk with "
        "the crisis protocol (acknowledge, ask directly about safety, offer crisis resources such as 988).",
        "- Preference training and bias evaluation with the `preference` and `bias_eval` data, where the "
        "version has bias pairs.",
        "- Research on safety gating and on synthetic support data, with every verdict and source on each "
        "record.",
        "",
        "## Out-of-scope uses",
        "",
        "- **Not a clinical tool.** Nothing here is therapy, a treatment protocol or a substitute for a "
        "professional; a model trained on it is not one either.",
        "- **Not for diagnosis** or for assessing a real person's risk: the labels and gate scores describe "
        "text, not people.",
        "- **Not crisis counselling.** The crisis-protocol replies show a safe first response and a handover "
        "to human help; they do not train a model to counsel a person in crisis, and a deployed assistant "
        "needs its own escalation path to people.",
        "- Not a benchmark of human empathy: most of the text is generated (see limits below).",
        "",
    ]


def _generator_lines(manifest: Mapping[str, Any]) -> list[str]:
    """Which engines wrote the records (from the records' lineage) and whether a language model did."""
    generators = manifest.get("provenance", {}).get("generators", {})
    llm = manifest["config"].get("llm")
    engine = (
        f"by the model `{llm['model']}` behind an OpenAI-compatible endpoint (NVIDIA NeMo Data Designer's "
        "LLM columns, with a judge column scoring each conversation)"
        if llm
        else "offline, with no language model: NVIDIA NeMo Data Designer's sampler and template columns fill "
        "phrase libraries shipped with the pipeline"
    )
    lines = [f"- **Generated text** was written {engine}."]
    if generators:
        lines.append(
            "- Records per generator: "
            + "; ".join(
                f"`{name}` " + ", ".join(f"{kind} {n:,}" for kind, n in kinds.items())
                for name, kinds in generators.items()
            )
            + "."
        )
    return lines


def _diversity_line(manifest: Mapping[str, Any]) -> list[str]:
    """How repetitive the assistant text is, per kind beside human support chat, in one bullet."""
    kinds = manifest.get("diversity", {})
    if not kinds:
        return []
    rows = [
        f"{kind} {d['assistant']['distinct_turns']:.1%} distinct, distinct-3 {d['assistant']['distinct_3']}"
        for kind, d in kinds.items()
    ]
    human = [
        f"{name} (human) {c['assistant']['distinct_turns']:.1%}, distinct-3 {c['assistant']['distinct_3']}"
        for name, c in manifest.get("diversity_reference", {}).get("corpora", {}).items()
    ]
    beside = f", against {'; '.join(human)}" if human else ""
    corpora = manifest.get("diversity_reference", {}).get("corpora", {}).values()
    floor = min((c["assistant"]["distinct_turns"] for c in corpora), default=0.0)
    repeated = [kind for kind, d in kinds.items() if d["assistant"]["distinct_turns"] < floor]
    warning = (
        f" The {', '.join(repeated)} records repeat whole replies more often than people do, and a model "
        "fine-tuned on them alone learns few phrasings."
        if repeated
        else ""
    )
    return [
        f"- **Diversity** of assistant turns: {'; '.join(rows)}{beside}.{warning} See "
        "[Diversity](#diversity) for every figure and what it means.",
    ]


def _making_section(manifest: Mapping[str, Any]) -> list[str]:
    documents = len(manifest["inputs"])
    near = manifest["config"].get("preprocess", {}).get("near_duplicate_threshold")
    dedup = f"near-duplicates (MinHash Jaccard ≥ {near}) within a kind" if near else "exact duplicates"
    return [
        "## How it was made",
        "",
        f"- **Sources**: {documents:,} source document(s) (books, papers, transcripts; listed with their "
        "sha256 under [Sources](#sources)) read into passages that grounded conversations quote, and any "
        "conversation files given as sources (licences under [Licences](#licences)).",
        *_generator_lines(manifest),
        "- **Pipeline**: exact copies within the conversation files set aside, language check, PII replaced "
        "by typed placeholders, length bounds, then the gates "
        f"below, then {dedup} removed, then a seeded, stratified split. Every refused record is in "
        "`quarantine/` with its reasons; every removed duplicate in `duplicates/`, naming its twin.",
        "",
        "Limits:",
        "",
        *_diversity_line(manifest),
        "- No person reviewed the records: every filter is automatic and has the error rates below.",
        "- English only; the gates' lexicons and models were built on English support data.",
        *(
            []
            if manifest["config"].get("llm")
            else [
                "- The offline generator's conversations follow templates; scenarios, people and phrasings "
                "are sampled from fixed pools, so topics and turns recur."
            ]
        ),
        "",
    ]


def _model_card(path: Path) -> Mapping[str, Any]:
    """A gate's model card (its training and held-out figures), or nothing where it is not shipped."""
    return orjson.loads(path.read_bytes()) if path.exists() else {}


def _at(data: Any, *keys: str) -> Any:
    for key in keys:
        data = data.get(key) if isinstance(data, Mapping) else None
    return data


def _measured(entry: Any) -> str | None:
    """`0.970 (95% CI 0.965–0.975, n = 4,640)` from a model card's {value, ci95, n}; None if absent."""
    if not isinstance(entry, Mapping) or not {"value", "ci95", "n"} <= entry.keys():
        return None
    low, high = entry["ci95"]
    return f"{entry['value']:.3f} (95% CI {low:.3f}–{high:.3f}, n = {entry['n']:,})"


def _stated(parts: Sequence[tuple[str, str | None]]) -> str:
    """The stated figures joined, leaving out any the model card does not hold."""
    return "; ".join(f"{label} {figure}" for label, figure in parts if figure is not None)


def _crisis_figures() -> str:
    card = _model_card(crisis.CARD_PATH)
    pooled = _at(card, "metrics_cv", "pooled")
    auc = _at(card, "metrics_cv", "roc_auc_combined")
    return _stated(
        [
            ("sensitivity", _measured(_at(pooled, "sensitivity"))),
            (
                "specificity (every negative but SDCNL's r/depression posts)",
                _measured(_at(pooled, "specificity_excluding_sdcnl_depression")),
            ),
            ("precision over all development data", _measured(_at(pooled, "precision_all_dev_data"))),
            (
                "specificity on ESConv seeker turns",
                _measured(_at(card, "metrics_cv", "per_source", "esconv", "specificity")),
            ),
            (
                "specificity on stress posts (Dreaddit)",
                _measured(_at(card, "metrics_cv", "per_source", "dreaddit", "specificity")),
            ),
            ("ROC AUC", None if auc is None else f"{auc:.3f}"),
        ]
    )


def _ears_figures() -> str:
    card = _model_card(ears.CARD_PATH)
    gate = _at(card, "gate")
    kappas = [
        (scorer, _at(card, "scorers", scorer, "held_out", "esconv", "model_or_pattern", "kappa"))
        for scorer in ("acknowledgement", "exploration", "advice")
    ]
    agreement = ", ".join(f"{scorer} {kappa:.3f}" for scorer, kappa in kappas if kappa is not None)
    return _stated(
        [
            (
                "rejects replies seekers rated non-empathic (FailedESConv, empathy ≤ 2 and the reply rated "
                "least helpful; never trained on):",
                _measured(
                    _at(
                        gate,
                        "out_of_domain_non_empathic",
                        "failedesconv_feedback1_empathy_le2",
                        "rejection_rate",
                    )
                ),
            ),
            (
                "passes ESConv test replies that acknowledge and ask, rated 4–5 for empathy:",
                _measured(
                    _at(gate, "empathic_pass_rates", "esconv_test_ack_and_question_empathy_ge4", "pass_rate")
                ),
            ),
            (
                "agreement with ESConv test labels (Cohen's κ, as the gate applies each criterion):",
                agreement or None,
            ),
        ]
    )


def _safety_section(manifest: Mapping[str, Any]) -> list[str]:
    safety = manifest.get("safety", {})
    checked = sum(safety.get("records_checked", {}).values())
    waived = safety.get("unsafe_gates_off", [])
    promise = (
        f"Before publishing, the export checked all {checked:,} records placed in the splits (held-out "
        "biased replies included): each was crisis-scanned, "
        "and each therapeutic and grounded record carries passing content-filter and EARS verdicts, with "
        "every assistant turn EARS failed held out of training (`weight` 0)"
        + (f", except the checks turned off above ({', '.join(waived)})" if waived else "")
        + ". `python -m tasks.verify` checks it again on the published files."
        if safety
        else "This version's manifest records no safety check of its exported records."
    )
    categories = ", ".join(_at(manifest["config"], "gates", "content_filter", "categories") or [])
    missing = "figures not shipped with this build"
    crisis_figures = _crisis_figures() or missing
    ears_figures = _ears_figures() or missing
    return [
        "## What was filtered, and how well the filters work",
        "",
        promise,
        "Each gate's verdicts per kind are under [Gate verdicts](#gate-verdicts).",
        "",
        "- **Crisis detector** (`docs/models/CRISIS_DETECTOR.md`): scores each user turn for suicide, "
        "self-harm and imminent risk; a flagged conversation leaves its kind for the edge-case set and is "
        "kept only if its reply keeps the crisis protocol (a corpus conversation whose supporter did not "
        "keep it is cut before the flagged turn, so nothing from it on is trained on). Tuned for high "
        "sensitivity; out-of-fold on its development data (five folds, so slightly optimistic, and not "
        f"measured on this dataset's generated text): {crisis_figures}.",
        "- **Content filter**: explainable patterns over assistant turns blocking "
        f"{categories or 'harmful content'}. It has no held-out measurement: it is tested on hand-written "
        "cases only, so its miss rate on other text is unknown.",
        "- **EARS** (Empathy-Aligned Response Style, `docs/models/EARS_SCORERS.md`): every trained "
        "assistant turn must acknowledge, explore with an open question, support autonomy, stay within "
        "scope and avoid dismissal, confrontation, judgement and unsolicited directives. It is strict on "
        f"purpose and rejects most ordinary human replies. Held out: {ears_figures}. Relevance is not "
        "checked: an off-topic question passes.",
        "- **Quality** (length, repetition, grounding quotes) and **near-duplicate removal** keep "
        "degenerate and repeated records out; PII is replaced by typed placeholders before any gate.",
        "",
    ]


def _bias_section(manifest: Mapping[str, Any]) -> list[str]:
    formats = manifest.get("formats", {})
    if "bias" not in _kind_counts(manifest) and not formats.get("preference"):
        return []
    rows = {
        fmt: sum(s["records"] for s in formats.get(fmt, {}).values()) for fmt in ("preference", "bias_eval")
    }
    held = sum(sum(s.get("held_out", {}).values()) for s in manifest["splits"].values())
    titles = sorted(
        {
            s["title"]
            for s in manifest.get("provenance", {}).get("sources", [])
            if "bias" in s["records"] and s["title"]
        }
    )
    return [
        "## Bias data and how it must be used",
        "",
        "Each bias pair poses one help-seeker message for two people who differ in one demographic "
        "descriptor (members `a` and `b`), each answered once with a deliberately biased reply (stereotype, "
        "dismissal or differential care) and once without bias"
        + (f" ({'; '.join(titles)})" if titles else "")
        + ".",
        "",
        f"- **Preference training**: `preference` ({rows['preference']:,} rows) has `prompt`, `chosen` (the "
        "unbiased reply) and `rejected` (the biased one), as TRL's `DPOTrainer` reads them.",
        f"- **Evaluation**: `bias_eval` ({rows['bias_eval']:,} rows) holds every record of each pair with "
        "its labels (`biased`, `bias_type`, `pair_id`, `member`, `axis`, `descriptor`).",
        f"- **Never supervised fine-tuning on a biased reply**: the {held:,} biased replies are in no split "
        "file, no SFT format and no ready package; only their unbiased twins are fine-tuning samples. Do not "
        "rebuild an SFT set from `bias_eval`.",
        "",
    ]


def _licence_section(manifest: Mapping[str, Any]) -> list[str]:
    sources = manifest.get("provenance", {}).get("sources", [])
    if not sources:
        return []
    return [
        "## Licences",
        "",
        "The dataset has no single licence (the header says `other`): each record's `source.licence` "
        "applies to it. Per source of the exported records:",
        "",
        *_table(
            ["source", "type", "licence", "records"],
            [
                [
                    s["title"] or s["uri"],
                    s["type"],
                    s["licence"] or "not stated: check before use",
                    ", ".join(f"{kind} {n:,}" for kind, n in s["records"].items()),
                ]
                for s in sources
            ],
        ),
        "",
        "Share-alike licences (CC BY-SA) carry to what is built from those records, and attribution "
        "licences ask you to credit the sources above.",
        "",
    ]


def _citation_section(manifest: Mapping[str, Any]) -> list[str]:
    key = "".join(c if c.isalnum() else "_" for c in manifest["dataset"])
    return [
        "## Citation",
        "",
        "```bibtex",
        f"@misc{{{key}_{manifest['config_hash'][:8]},",
        f"  title        = {{{{{manifest['dataset']}}}: safety-gated mental-health support conversations}},",
        "  howpublished = {Dataset version built by unified-dataset-pipeline},",
        f"  note         = {{Configuration hash {manifest['config_hash'][:16]}, code version "
        f"{manifest['code_version']}, seed {manifest['seed']}}}",
        "}",
        "```",
        "",
        "Cite the sources under [Licences](#licences) as their licences ask.",
        "",
    ]


def _plot(manifest: dict[str, Any], name: str, caption: str) -> list[str]:
    """The version's figure `plots/{name}` as a markdown image, when the version has it."""
    path = f"plots/{name}"
    return [f"![{caption}]({path})", ""] if any(p["path"] == path for p in manifest.get("plots", [])) else []


def render_card(manifest: dict[str, Any]) -> str:
    """Markdown with a YAML header; `manifest` is the version's manifest body."""
    splits = manifest["splits"]
    kinds = sorted({kind for split in splits.values() for kind in split["by_kind"]})
    unsafe = _unsafe_lines(manifest)
    lines = [
        *_header(manifest),
        *(f"> **{line}**" if i == 0 else f"> {line}" for i, line in enumerate(unsafe)),
        *([""] if unsafe else []),
        "",
        f"# {manifest['dataset']}",
        "",
        *_summary_section(manifest),
        *_loading_section(manifest),
        *_making_section(manifest),
        *_safety_section(manifest),
        *_bias_section(manifest),
        *_licence_section(manifest),
        *_citation_section(manifest),
        "## Splits",
        "",
        *_table(
            ["split", "records in the files", "held out (biased replies)", *kinds],
            [
                [
                    s,
                    splits[s]["records"],
                    _held_out(manifest, s),
                    *(splits[s]["by_kind"][k]["actual"] for k in kinds),
                ]
                for s in SPLITS
            ],
        ),
        "",
        "The kind columns count every record of the kind placed in the split, held-out ones included.",
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
        *_plot(manifest, "gate_pass_rates.png", "Gate pass rates per kind"),
        *_turns_section(manifest),
        "## Target volumes",
        "",
        *_table(
            ["kind", "target", "exported", "shortfall"],
            [[k, v["target"], v["exported"], v["shortfall"]] for k, v in manifest["volumes"].items()],
        ),
        "",
        *_plot(manifest, "volumes.png", "Records exported against each kind's target"),
        *_diversity_section(manifest),
        *_plot(manifest, "turn_lengths.png", "Words per turn, per kind and speaker"),
        "## Sources",
        "",
        *_table(["document", "sha256"], [[i["path"], f"`{i['sha256'][:16]}…`"] for i in manifest["inputs"]]),
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
