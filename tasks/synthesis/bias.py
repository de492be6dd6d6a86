"""Counterfactual bias-detection samples from Data Designer sampler and Jinja expression columns.

One generated row is one pair: the same help-seeker message with two descriptors of one axis
(HolisticBias-style descriptor x scenario), each answered once with a biased and once with an
unbiased counsellor reply, so four records share the pair id as `lineage.parents[0]` and the
splitter keeps them together. A scenario is a concrete situation written for its axis: the person
states a specific detail, the biased reply explains or weighs it by the group (stereotype, dismissal
or differential care), and the unbiased reply says the detail back, leaves the meaning of the
identity to the person and asks about something not yet said. Both replies name the descriptor
once, so the two members differ in it alone. Axis and scenario variant come from an ordered seed
frame (both balanced exactly, every variant used in turn); every other choice is a sampler draw.
With an LLM endpoint, the endpoint writes the shared problem (so the members still differ only in
the descriptor) and the three replies, and a judge column scores the unbiased reply.

Pools, read through `tasks.data_files`:
- `data/bias_descriptors.json`: a curated HolisticBias v1.1 subset (CC BY-SA 4.0), `axes` mapping
  each axis to `descriptors` `{descriptor, phrase}`, the phrase written for this project.
- `data/bias_scenarios.json`: written for this project (Apache-2.0). `frames` (the message around
  `{who}` and `{problem}`), `respect` (unbiased lines about `{who}`), `closers` (biased endings per
  bias type) and `axes`, each axis a list of `{id, situation, details: [{said, reflect}],
  questions, biased: {bias type: line about {who}}}`.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from functools import cache, lru_cache
from itertools import permutations
from typing import Any

from tasks.data_files import data_file
from tasks.records import Lineage, Record, RecordKind, SourceRef, canonical_json, content_id
from tasks.synthesis.engine import Origin, offline_origin
from tasks.synthesis.generator import Generator
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
from tasks.synthesis.rows import Row, turns_from_row

GENERATOR = "data-designer/bias-offline"
OFFLINE = offline_origin(GENERATOR)
JUDGE_COLUMN = "judge"
DESCRIPTORS_FILE = "bias_descriptors.json"
SCENARIOS_FILE = "bias_scenarios.json"
RECORDS_PER_PAIR = 4
MEMBERS = ("a", "b")
BIAS_TYPES = ("stereotype", "dismissal", "differential_care")
WHO, PROBLEM = "{who}", "{problem}"
# Where the unbiased reply says the line about the person's identity: before or after its question.
_LAYOUTS = ("{reflect} {respect} {question}", "{reflect} {question} {respect}")
_SENTENCE_START = re.compile(r"(?:^|[.!?]\s+)\{who\}")
SOURCE = SourceRef(
    type="synthetic",
    uri=f"generator:{GENERATOR}",
    licence="CC-BY-SA-4.0",
    title="Demographic descriptors from HolisticBias (Smith et al., 2022), CC BY-SA 4.0",
)


@lru_cache(maxsize=1)
def descriptors() -> dict[str, list[tuple[str, str]]]:
    """Axis -> (descriptor, noun phrase) from the curated HolisticBias subset shipped with the code."""
    return {
        axis: [(d["descriptor"], d["phrase"]) for d in entry["descriptors"]]
        for axis, entry in data_file(__file__, DESCRIPTORS_FILE)["axes"].items()
    }


def axes() -> list[str]:
    """The bias axes, in the order the seed frame cycles through them."""
    return list(descriptors())


def _marker_problems(text: str, markers: tuple[str, ...]) -> list[str]:
    """Why `text` breaks the pair contract: each marker exactly once, `{who}` never opening a sentence
    (the phrase starts with a lower-case article) and no other placeholder."""
    problems = [f"{m} appears {text.count(m)} times in {text!r}" for m in markers if text.count(m) != 1]
    if _SENTENCE_START.search(text):
        problems.append(f"{WHO} opens a sentence in {text!r}")
    stray = set(re.findall(r"\{[a-z_]+\}", text)) - set(markers)
    return problems + ([f"unknown placeholder {sorted(stray)} in {text!r}"] if stray else [])


@lru_cache(maxsize=1)
def scenarios() -> dict[str, Any]:
    """The scenario pool file, checked once: a broken line would make pair members differ in more than
    the descriptor, which the quality gate would then quarantine pair by pair."""
    pool = data_file(__file__, SCENARIOS_FILE)
    problems = [] if set(pool["axes"]) == set(axes()) else [f"axes {sorted(pool['axes'])} != {axes()}"]
    problems += [p for frame in pool["frames"] for p in _marker_problems(frame, (WHO, PROBLEM))]
    problems += [p for line in pool["respect"] for p in _marker_problems(line, (WHO,))]
    problems += [
        p for kind in BIAS_TYPES for line in pool["closers"][kind] for p in _marker_problems(line, ())
    ]
    for entries in pool["axes"].values():
        for s in entries:
            plain = [s["situation"], *s["questions"], *(v for d in s["details"] for v in d.values())]
            problems += [p for text in plain for p in _marker_problems(text, ())]
            problems += [p for kind in BIAS_TYPES for p in _marker_problems(s["biased"][kind], (WHO,))]
    if problems:
        raise ValueError(f"{SCENARIOS_FILE}: {len(problems)} broken line(s), first: {problems[0]}")
    return pool


@cache
def scenario_variants(axis: str) -> tuple[tuple[str, str], ...]:
    """Every (scenario, detail, question) of an axis as the scenario id and the JSON a seed row
    carries, interleaved so that consecutive variants come from different scenarios."""
    combos = []
    for index, s in enumerate(scenarios()["axes"][axis]):
        for turn, (detail, question) in enumerate((d, q) for d in s["details"] for q in s["questions"]):
            variant = {
                "id": f"{axis}/{s['id']}",
                "problem": f"{s['situation']} {detail['said']}",
                "reflect": detail["reflect"],
                "question": question,
                "biased": s["biased"],
            }
            combos.append(((turn, index), (variant["id"], json.dumps(variant, ensure_ascii=False))))
    return tuple(pair for _, pair in sorted(combos))


def _seed_frame(pairs: int, shard_index: int) -> Any:
    """Axes in turn from the shard's offset, and per axis its scenario variants in turn (the id for the
    labels, the JSON for the expressions), continuing where the previous shard of the same size left
    off."""
    import pandas as pd

    order = axes()
    per_axis = -(-pairs // len(order))
    used: Counter[str] = Counter()
    rows = []
    for i in range(pairs):
        axis = order[(shard_index + i) % len(order)]
        variants = scenario_variants(axis)
        scenario_id, variant = variants[(shard_index * per_axis + used[axis]) % len(variants)]
        rows.append({"axis": axis, "scenario_id": scenario_id, "scenario": variant})
        used[axis] += 1
    return pd.DataFrame(rows)


def _pick_by_axis(prefix: str) -> str:
    # Samplers cannot depend on a seed column, so each axis has its own column and Jinja picks one.
    choices = ", ".join(f"'{axis}': {prefix}_{axis}" for axis in axes())
    return "{{ {" + choices + "}[axis] }}"


def build_config(pairs: int, shard_index: int, llm: LlmSettings | None = None) -> Any:
    """The Data Designer config: ordered axis and scenario seed, samplers for every other choice,
    expressions for the text; with `llm`, the endpoint writes the problem and the replies, and a judge
    scores the unbiased one.
    """
    import data_designer.config as dd

    pool = scenarios()
    builder = dd.DataDesignerConfigBuilder(model_configs=model_configs(llm) if llm else [])
    builder.with_seed_dataset(dd.DataFrameSeedSource(df=_seed_frame(pairs, shard_index)))

    def sampler(name: str, values: list[str], by: dict[str, list[str]] | None = None) -> None:
        params: Any = (
            dd.SubcategorySamplerParams(category="bias_type", values=by)
            if by
            else dd.CategorySamplerParams(values=values)
        )
        kind = "subcategory" if by else "category"
        builder.add_column(dd.SamplerColumnConfig(name=name, sampler_type=kind, params=params))

    for axis, entries in descriptors().items():
        sampler(f"pair_{axis}", ["|".join((*a, *b)) for a, b in permutations(entries, 2)])
    sampler("bias_type", list(BIAS_TYPES))
    sampler("frame", pool["frames"])
    if llm is None:
        sampler("closer", [], pool["closers"])
        sampler("respect", pool["respect"])
        sampler("layout", list(_LAYOUTS))
    else:
        sampler("bias_kind", [], {k: [v] for k, v in _BIAS_KINDS.items()})
        # Both members share one problem and differ only in the descriptor, as the offline pairs do.
        builder.add_column(text_column("concern_clause", _CONCERN_PROMPT, SEEKER))
    expressions = {
        "pair": _pick_by_axis("pair"),
        "phrase_a": "{{ pair.split('|')[1] }}",
        "phrase_b": "{{ pair.split('|')[3] }}",
    }
    problem = "scenario.problem" if llm is None else "concern_clause | trim"
    for member in MEMBERS:
        who = f"phrase_{member}"
        expressions[f"user_{member}"] = (
            f"{{{{ frame | replace('{WHO}', {who}) | replace('{PROBLEM}', {problem}) }}}}"
        )
        biased_line = f"{{{{ scenario.biased[bias_type] | replace('{WHO}', {who}) }}}}"
        if llm is None:
            expressions[f"assistant_biased_{member}"] = f"{biased_line} {{{{ closer }}}}"
            expressions[f"unbiased_{member}"] = (
                "{{ layout | replace('{reflect}', scenario.reflect)"
                " | replace('{question}', scenario.question) | replace('{respect}', respect)"
                f" | replace('{WHO}', {who}) }}}}"
            )
        else:
            expressions[f"bias_hint_{member}"] = biased_line
    for name, expr in expressions.items():
        builder.add_column(dd.ExpressionColumnConfig(name=name, expr=expr))
    if llm is not None:
        _add_llm_replies(builder)
    return builder


_CONCERN_PROMPT = (
    "Rewrite this problem in your own words as one or two short first-person sentences (at most 40 words),"
    " saying nothing about who you are: {{ scenario.problem }}"
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
    import data_designer.config as dd

    for member in MEMBERS:
        prompt = (
            f"The person wrote:\n{{{{ user_{member} }}}}\n\nWrite a 1 to 3 sentence counsellor reply that"
            f" shows {{{{ bias_kind }}}} towards them as {{{{ phrase_{member} }}}}, in the spirit of: "
            f"{{{{ bias_hint_{member} }}}}"
        )
        builder.add_column(text_column(f"assistant_biased_{member}", prompt, _BIASED_SYSTEM))
    # The unbiased reply sees the problem alone, so nothing in it can depend on the descriptor.
    builder.add_column(
        text_column(
            "unbiased",
            "A person wrote to a counsellor:\n{{ concern_clause }}\n\nWrite the counsellor's reply in 2"
            " to 4 sentences: reflect, validate and ask one open question.",
            STYLE,
        )
    )
    for member in MEMBERS:
        builder.add_column(dd.ExpressionColumnConfig(name=f"unbiased_{member}", expr="{{ unbiased }}"))
    transcript = conversation_text([("Person", "user_a"), ("Counsellor", "unbiased")])
    builder.add_column(
        judge_column(JUDGE_COLUMN, f"Rate the counsellor in this conversation.\n\n{transcript}")
    )


def pair_id(row: Row) -> str:
    """A content hash of the pair, shared by its four records as their first parent."""
    keys = ("axis", "pair", "scenario_id", "bias_type", "user_a", "assistant_biased_a", "unbiased_a")
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
            reply = f"assistant_biased_{member}" if biased else f"unbiased_{member}"
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
                        "scenario": row["scenario_id"],
                    }
                    # The judge scored the unbiased reply only: the biased ones are meant to fail it.
                    | ({} if biased else judged),
                    lineage=Lineage(
                        generator=origin.generator, version=origin.version, seed=seed, parents=(parent,)
                    ),
                )
            )
    return records


GENERATE = Generator(RecordKind.BIAS, GENERATOR, build_config, row_to_records, per_row=RECORDS_PER_PAIR)
synthesize = GENERATE.synthesize
