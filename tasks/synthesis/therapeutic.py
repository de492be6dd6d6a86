"""Therapeutic support conversations from Data Designer sampler columns, offline or through an LLM.

Samplers pick the scenario: the presenting concern, severity and support strategy; the concern's
situation, feeling, what the seeker tried, when it is worst, what it affects and what they hope for;
a persona (age band, age, role and life stage), the people in the story and their first names, the
specifics the story may name (a town, a hobby, a place, an occasion), a timeline, a confidant and how
what they tried went. Offline, `phrasings.compose` words each sampled row as four turns; with an
LLM endpoint configured, LLM columns write them from the same sampled scenario and a judge column
scores the conversation's empathy and safety.
"""

from __future__ import annotations

from typing import Any

from tasks.records import FICTIONAL_NAMES, LabelValue, Lineage, Record, RecordKind, SourceRef, content_id
from tasks.synthesis import phrasings as p
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
from tasks.synthesis.rows import turns_from_row

GENERATOR = "data-designer/therapeutic-offline"
TURN_COLUMNS = ("user_1", "assistant_1", "user_2", "assistant_2")
JUDGE_COLUMN = "judge"
OFFLINE = offline_origin(GENERATOR)


def build_config(llm: LlmSettings | None = None) -> Any:
    """The Data Designer config: samplers for every choice of the scenario; offline, the turns are
    composed from the sampled row after the run (see `synthesize`); with `llm`, the endpoint writes each
    turn from the same sampled scenario (and a Faker persona) and a judge column scores the conversation.
    """
    import data_designer.config as dd

    builder = dd.DataDesignerConfigBuilder(model_configs=model_configs(llm) if llm else [])

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
    for part in ("situation", "feeling", "tried", "worst", "impact", "hope"):
        subcategory(part, "concern", {c: v[part] for c, v in p.CONCERNS.items()})
    category("age_band", list(p.AGE_BANDS))
    for part in ("age", "role"):
        subcategory(part, "age_band", {band: v[part] for band, v in p.AGE_BANDS.items()})
    for slot, people in p.PEOPLE.items():
        category(slot, people)
    for name, values in p.SHARED.items():
        category(name, values)
    if llm:
        _add_llm_turns(builder)
    return builder


def _filled(column: str, slots: tuple[str, ...]) -> str:
    """A Jinja expression for a sampled phrase with `slots` ({partner} ..., {town} ...) filled in."""
    return "{{ " + column + "".join(f" | replace('{{{slot}}}', {slot})" for slot in slots) + " }}"


def _add_llm_turns(builder: Any) -> None:
    import data_designer.config as dd

    # Only age, sex, occupation and marital status reach a prompt: Faker's birth date follows the clock.
    builder.add_column(
        dd.SamplerColumnConfig(
            name="persona",
            sampler_type="person_from_faker",
            params=dd.PersonFromFakerSamplerParams(age_range=[18, 85]),
        )
    )
    who = (
        "{{ persona.age }}-year-old {{ persona.sex | lower }},"
        " {{ persona.marital_status | replace('_', ' ') }}, working as {{ persona.occupation }}"
    )
    # People first, then specifics: the engine refuses an expression with a filter for every slot.
    for column in ("situation", "feeling", "tried", "worst", "timeline"):
        builder.add_column(dd.ExpressionColumnConfig(name=f"{column}_named", expr=_filled(column, p.SLOTS)))
        builder.add_column(
            dd.ExpressionColumnConfig(name=f"{column}_text", expr=_filled(f"{column}_named", p.WORLD))
        )
    so_far = conversation_text([("Person", "user_1"), ("Counsellor", "assistant_1"), ("Person", "user_2")])
    prompts = {
        "user_1": (
            SEEKER,
            f"You are a {who}, living with {{{{ severity }}}} {{{{ concern }}}}. In 2 to 4 sentences, write"
            " your first message to a support counsellor. Build it on this situation: {{ situation_text }}."
            " It has been going on {{ timeline_text }}. And this feeling: {{ feeling_text }}",
        ),
        "assistant_1": (
            STYLE,
            "The person wrote:\n{{ user_1 }}\n\nWrite the counsellor's first reply in 2 to 4 sentences:"
            " reflect what they said, validate it, and ask one open question.",
        ),
        "user_2": (
            SEEKER,
            f"You are a {who}. The conversation so far:\nPerson: {{{{ user_1 }}}}\n"
            "Counsellor: {{ assistant_1 }}\n\nWrite your reply in 1 to 3 sentences, answering the counsellor"
            " and adding what you have tried ({{ tried_text }}: {{ outcome }}) and when it is worst"
            " ({{ worst_text }}).",
        ),
        "assistant_2": (
            STYLE,
            f"The conversation so far:\n{so_far}\n\nWrite the counsellor's next reply in 2 to 5 sentences,"
            " using this support strategy: {{ strategy | replace('_', ' ') }}.",
        ),
    }
    for name, (system, prompt) in prompts.items():
        builder.add_column(text_column(name, prompt, system))
    transcript = conversation_text(
        [(("Person" if c.startswith("user") else "Counsellor"), c) for c in TURN_COLUMNS]
    )
    builder.add_column(
        judge_column(JUDGE_COLUMN, f"Rate the counsellor in this conversation.\n\n{transcript}")
    )


def _sampled_names(row: dict[str, Any]) -> str:
    """The pair of first names sampled for the row, as the label lists names."""
    return ", ".join(sorted({row["name_female"], row["name_male"]}))


def row_to_record(row: dict[str, Any], seed: int, origin: Origin = OFFLINE) -> Record:
    """One generated row as a chat record; raises ValueError if a turn or the judge's verdict is malformed."""
    turns = turns_from_row(row, TURN_COLUMNS)
    source = SourceRef(type="synthetic", uri=f"generator:{origin.generator}", licence="Apache-2.0")
    labels: dict[str, LabelValue] = {
        "concern": row["concern"],
        "severity": row["severity"],
        "strategy": row["strategy"],
        # Offline, the names the wording gave people; through an LLM, the pair it was asked to use.
        FICTIONAL_NAMES: row.get(FICTIONAL_NAMES) or _sampled_names(row),
    }
    return Record(
        id=content_id(RecordKind.THERAPEUTIC, turns, source),
        kind=RecordKind.THERAPEUTIC,
        messages=turns,
        source=source,
        labels=(labels | judge_labels(row, JUDGE_COLUMN)) if origin.judged else labels,
        lineage=Lineage(generator=origin.generator, version=origin.version, seed=seed),
    )


def _records(row: dict[str, Any], seed: int, origin: Origin) -> list[Record]:
    # Offline rows hold only the scenario: composing inside the conversion makes a malformed row a
    # quarantined slot, like an empty LLM turn.
    return [row_to_record(row | p.compose(row) if origin == OFFLINE else row, seed, origin)]


GENERATE = Generator(
    RecordKind.THERAPEUTIC, GENERATOR, lambda _rows, _shard, llm: build_config(llm), _records
)
synthesize = GENERATE.synthesize
