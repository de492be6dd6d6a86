"""The high-risk edge-case set ("ultra nightmares") from Data Designer sampler columns.

Samplers pick a scenario (and so its case type), one of its phrasings and reflections, and the
type's pressure and reply parts. The reply says back the scenario's specifics and answers the
pressure the person added, so two cases of one type share little more than the protocol. The label
is the behaviour the reply demonstrates, so a model learns the response as well as the risk. Every
reply also keeps the crisis protocol (acknowledge, ask directly about safety, offer crisis or
professional help): the gates hold any case whose user turn the crisis detector flags to it, and
crisis types always name a crisis resource. With an LLM endpoint, the endpoint writes both turns
from the sampled scenario and expected behaviour, and a judge column scores the reply's empathy and
safety.

Pools: `data/edge_case_scenarios.json`, text written for this project (Apache-2.0). Shape:
`openers` (how a message may begin, any type) and `types`, each case type mapping to its
`expected_behaviour`, `severity`, `crisis_protocol` (bool), the type-wide pools `pressures`
(`{says, answer}`: what the person adds and how the reply meets it), `acknowledgements`, `actions`
and `closings`, and `scenarios`: `{id, user: [phrasings], reflect: [replies naming its
specifics]}`; every type has as many scenarios as the next. No text names a method, an amount or a
dose.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from tasks.data_files import data_file
from tasks.records import Lineage, Record, RecordKind, SourceRef, content_id
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

GENERATOR = "data-designer/edge-case-offline"
TURN_COLUMNS = ("user_1", "assistant_1")
SOURCE = SourceRef(type="synthetic", uri=f"generator:{GENERATOR}", licence="Apache-2.0")
OFFLINE = offline_origin(GENERATOR)
JUDGE_COLUMN = "judge"
POOLS_FILE = "edge_case_scenarios.json"
# The reply's type-wide pools, each sampled per case as the column of the same name in the singular.
_REPLY_PARTS = ("acknowledgements", "actions", "closings")
# How the reply opens: with the scenario's reflection, or with the acknowledgement.
_LAYOUTS = ("{reflect} {acknowledge}", "{acknowledge} {reflect}")
_USER_PROMPT = (
    "Write the message of a person in this situation: {{ edge_case_type | replace('_', ' ') }}. Use your own"
    " words, 1 to 4 sentences, building on: {{ situation }} {{ pressure.says }} Never name a method, an"
    " amount or a dose."
)
# The offline reply's parts are the example: the endpoint rewords them, it does not invent the protocol.
_REPLY_PROMPT = (
    "The person wrote:\n{{ user_1 }}\n\nWrite the counsellor's safe reply in 2 to 5 sentences. It must show"
    " this behaviour: {{ expected_behaviour | replace('_', ' ') }}. Do in your own words what this example"
    " does: {{ reflection }} {{ acknowledgement }} {{ pressure.answer }} {{ action }} {{ closing }}"
)


@dataclass(frozen=True)
class EdgeCase:
    """One case type: the behaviour its reply shows, and the pools its turns are drawn from."""

    expected_behaviour: str
    severity: str
    crisis_protocol: bool
    scenarios: tuple[dict[str, Any], ...]
    pressures: tuple[dict[str, str], ...]
    acknowledgements: tuple[str, ...]
    actions: tuple[str, ...]
    closings: tuple[str, ...]


@lru_cache(maxsize=1)
def edge_cases() -> dict[str, EdgeCase]:
    """The case types from the shipped pool file; raises ValueError on a type with an empty pool or
    a scenario count unlike the others' (sampling scenarios evenly must balance the types)."""
    types = data_file(__file__, POOLS_FILE)["types"]
    cases = {
        name: EdgeCase(
            expected_behaviour=entry["expected_behaviour"],
            severity=entry["severity"],
            crisis_protocol=bool(entry["crisis_protocol"]),
            scenarios=tuple(entry["scenarios"]),
            pressures=tuple(entry["pressures"]),
            **{part: tuple(entry[part]) for part in _REPLY_PARTS},
        )
        for name, entry in types.items()
    }
    for name, case in cases.items():
        empty = [part for part in ("scenarios", "pressures", *_REPLY_PARTS) if not getattr(case, part)]
        empty += [f"scenario {s['id']}" for s in case.scenarios if not (s["user"] and s["reflect"])]
        if empty:
            raise ValueError(f"{POOLS_FILE}: edge-case type {name!r} has nothing in {empty}; add text there")
    counts = {name: len(case.scenarios) for name, case in cases.items()}
    if len(set(counts.values())) > 1:
        raise ValueError(f"{POOLS_FILE}: types need equally many scenarios to stay balanced, got {counts}")
    return cases


def crisis_types() -> frozenset[str]:
    """The types whose reply must keep the crisis protocol (the gates hold them to it)."""
    return frozenset(name for name, case in edge_cases().items() if case.crisis_protocol)


def build_config(llm: LlmSettings | None = None) -> Any:
    """The Data Designer config: the scenario, then its type, phrasing, reflection and one sampler per
    reply part of its type; with `llm`, the endpoint writes both turns from the sampled scenario and the
    behaviour the reply must show.
    """
    import data_designer.config as dd

    scenarios = {
        f"{name}/{s['id']}": (name, case, s) for name, case in edge_cases().items() for s in case.scenarios
    }
    builder = dd.DataDesignerConfigBuilder(model_configs=model_configs(llm) if llm else [])

    def sampler(name: str, values: list[str] | dict[str, list[str]]) -> None:
        params: Any = (
            dd.SubcategorySamplerParams(category="scenario", values=values)
            if isinstance(values, dict)
            else dd.CategorySamplerParams(values=values)
        )
        kind = "subcategory" if isinstance(values, dict) else "category"
        builder.add_column(dd.SamplerColumnConfig(name=name, sampler_type=kind, params=params))

    # Every type has as many scenarios as the next, so sampling scenarios evenly balances the types.
    sampler("scenario", list(scenarios))
    sampler("edge_case_type", {key: [name] for key, (name, _, _) in scenarios.items()})
    sampler("situation", {key: list(s["user"]) for key, (_, _, s) in scenarios.items()})
    # A pressure is what the person adds and the reply's answer to it, drawn together as one JSON value.
    sampler(
        "pressure",
        {
            key: [json.dumps(p, ensure_ascii=False) for p in case.pressures]
            for key, (_, case, _) in scenarios.items()
        },
    )
    sampler("reflection", {key: list(s["reflect"]) for key, (_, _, s) in scenarios.items()})
    for part in _REPLY_PARTS:
        sampler(
            part.removesuffix("s"),
            {key: list(getattr(case, part)) for key, (_, case, _) in scenarios.items()},
        )
    if llm is not None:
        sampler(
            "expected_behaviour", {key: [case.expected_behaviour] for key, (_, case, _) in scenarios.items()}
        )
        builder.add_column(text_column("user_1", _USER_PROMPT, SEEKER))
        builder.add_column(text_column("assistant_1", _REPLY_PROMPT, STYLE))
        transcript = conversation_text([("Person", "user_1"), ("Counsellor", "assistant_1")])
        builder.add_column(judge_column(JUDGE_COLUMN, f"Rate the counsellor's reply.\n\n{transcript}"))
        return builder
    sampler("opener", data_file(__file__, POOLS_FILE)["openers"])
    sampler("layout", list(_LAYOUTS))
    return builder


def compose(row: Row) -> dict[str, str]:
    """The two turns of one sampled scenario, worded here rather than by Data Designer's template
    columns, which took 97% of the offline generator's time (3.1 of 3.2 s per 1,000 rows); raises
    KeyError or ValueError on a malformed row."""
    pressure = json.loads(str(row["pressure"]))
    reply = str(row["layout"]).replace("{reflect}", str(row["reflection"]))
    reply = reply.replace("{acknowledge}", str(row["acknowledgement"]))
    return {
        "user_1": f"{row['opener']} {row['situation']} {pressure['says']}",
        "assistant_1": f"{reply} {pressure['answer']} {row['action']} {row['closing']}",
    }


def row_to_record(row: Row, seed: int, origin: Origin = OFFLINE) -> Record:
    """One generated row as a labelled record; raises ValueError on an empty turn, an unknown type or a
    malformed verdict.
    """
    case_type = str(row["edge_case_type"])
    cases = edge_cases()
    if case_type not in cases:
        raise ValueError(f"unknown edge-case type {case_type!r}")
    case = cases[case_type]
    turns = turns_from_row(row, TURN_COLUMNS)
    source = (
        SOURCE if origin == OFFLINE else SOURCE.model_copy(update={"uri": f"generator:{origin.generator}"})
    )
    labels: dict[str, str | bool | int] = {
        "edge_case_type": case_type,
        "expected_behaviour": case.expected_behaviour,
        "severity": case.severity,
        "crisis_protocol": case.crisis_protocol,
        "scenario": str(row["scenario"]),
    }
    return Record(
        id=content_id(RecordKind.EDGE_CASE, turns, source),
        kind=RecordKind.EDGE_CASE,
        messages=turns,
        source=source,
        labels=(labels | judge_labels(row, JUDGE_COLUMN)) if origin.judged else labels,
        lineage=Lineage(generator=origin.generator, version=origin.version, seed=seed),
    )


GENERATE = Generator(
    RecordKind.EDGE_CASE,
    GENERATOR,
    lambda _rows, _shard, llm: build_config(llm),
    lambda row, seed, origin: [row_to_record(row | compose(row) if origin == OFFLINE else row, seed, origin)],
)
synthesize = GENERATE.synthesize
