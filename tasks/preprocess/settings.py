"""What preprocessing asks of a conversation, as plain data: the bounds it must meet, the language it
must be written in, the PII it loses. The configuration loads these without the scrubber, the
language model or Faker."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from tasks.data_files import data_file
from tasks.records import Role

_RULES = data_file(__file__, "pii.json")


class PiiType(StrEnum):
    """The kind of PII a placeholder stands for; "[EMAIL]" and so on in scrubbed text."""

    EMAIL = "EMAIL"
    PHONE = "PHONE"
    URL = "URL"
    ADDRESS = "ADDRESS"
    ID = "ID"
    CARD = "CARD"
    NAME = "NAME"


# Helplines that are phone-shaped (the short ones, 988 and friends, never match a phone pattern).
CRISIS_NUMBERS: tuple[str, ...] = tuple(helpline["number"] for helpline in _RULES["crisis_numbers"])
CRISIS_DOMAINS: tuple[str, ...] = tuple(_RULES["crisis_domains"])


class PiiSettings(BaseModel):
    """Settings of PII scrubbing."""

    types: tuple[PiiType, ...] = Field(tuple(PiiType), description="PII types to replace")
    roles: tuple[Role, ...] = Field(tuple(Role), description="Roles scrubbed for every type but names")
    name_roles: tuple[Role, ...] = Field(
        (Role.USER,), description="Roles in which person names are detected and replaced"
    )
    propagate_names: bool = Field(
        True,
        description="Replace a name found in a scanned turn wherever it recurs in the record, so an "
        "assistant echoing it does not leak it",
    )
    keep_phone_numbers: tuple[str, ...] = Field(CRISIS_NUMBERS, description="Phone numbers never replaced")
    keep_toll_free: bool = Field(
        True,
        description="Keep toll-free numbers (US 800/833/844/855/866/877/888, UK 0800/0808): they belong to "
        "services such as helplines, not to people",
    )
    keep_crisis_context: bool = Field(
        True,
        description="Keep a phone number when the text just before it names a crisis service "
        "(crisis, hotline, helpline, lifeline, suicide, ...)",
    )
    keep_domains: tuple[str, ...] = Field(
        CRISIS_DOMAINS, description="Domains (and their subdomains) whose URLs are never replaced"
    )


class LanguageSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    expected: str = Field("en", description="ISO 639-1 code every conversation must be written in")
    min_confidence: float = Field(
        0.9, gt=0.0, le=1.0, description="Confidence needed to call another language"
    )
    min_chars: int = Field(20, ge=0, description="Shorter conversations are not judged")
    sample_chars: int = Field(
        800, ge=100, description="Characters judged per conversation, an equal share from each turn"
    )


class PreprocessSettings(BaseModel):
    """Bounds every conversation must meet before it can be split and exported."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    min_turns: int = Field(2, ge=2, description="Fewest messages a conversation may have")
    max_turns: int = Field(40, ge=2, description="Most messages a conversation may have")
    min_turn_chars: int = Field(2, ge=1, description="Shortest allowed message, in characters")
    max_turn_chars: int = Field(4_000, ge=1, description="Longest allowed message, in characters")
    language: LanguageSettings = Field(default_factory=LanguageSettings)  # type: ignore[arg-type]
    pii: PiiSettings = Field(default_factory=PiiSettings)
    near_duplicate_threshold: float | None = Field(
        0.8,
        gt=0.0,
        le=1.0,
        description="MinHash Jaccard at which two records of one kind are near-twins; unset: off",
    )
