"""What the EARS gate checks and how strictly: the criteria, their failure codes and the settings.

Plain data, apart from the scorers in `ears`, so the pipeline's configuration can be read, validated
and shown without loading scikit-learn or the model.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator


class Criterion(StrEnum):
    """One checkable property of an assistant turn (defined in EMPATHY_RESPONSE_STYLE.md)."""

    ACKNOWLEDGEMENT = "acknowledgement"
    EXPLORATION = "exploration"
    NO_DISMISSAL = "no_dismissal"
    NO_CONFRONTATION = "no_confrontation"
    NO_UNSOLICITED_DIRECTIVE = "no_unsolicited_directive"
    NO_JUDGEMENT = "no_judgement"
    AUTONOMY_SUPPORT = "autonomy_support"
    SUBSTANTIVE = "substantive"
    WITHIN_SCOPE = "within_scope"
    CRISIS_PROTOCOL = "crisis_protocol"


# The reason code a failed criterion leaves in a verdict ("turn 3: no_exploration").
FAILURE: dict[Criterion, str] = {
    Criterion.ACKNOWLEDGEMENT: "no_acknowledgement",
    Criterion.EXPLORATION: "no_exploration",
    Criterion.NO_DISMISSAL: "dismissal",
    Criterion.NO_CONFRONTATION: "confrontation",
    Criterion.NO_UNSOLICITED_DIRECTIVE: "unsolicited_directive",
    Criterion.NO_JUDGEMENT: "judgement",
    Criterion.AUTONOMY_SUPPORT: "advice_without_autonomy_support",
    Criterion.SUBSTANTIVE: "too_short_long_or_generic",
    Criterion.WITHIN_SCOPE: "out_of_scope",
    Criterion.CRISIS_PROTOCOL: "crisis_protocol_missing",
}
# The learned scorers, in the row order of the shipped coefficient matrix.
LEARNED = ("acknowledgement", "exploration", "advice")
# Failing one of these on any turn quarantines a corpus conversation; the rest of the required
# criteria make a human supporter's turn context only (weight 0), not a reason to lose the conversation.
DEFAULT_HARD = (
    Criterion.NO_DISMISSAL,
    Criterion.NO_CONFRONTATION,
    Criterion.NO_JUDGEMENT,
    Criterion.WITHIN_SCOPE,
    Criterion.CRISIS_PROTOCOL,
)
CONTEXT_ONLY = "(context only)"
DEFAULT_REQUIRED = (
    Criterion.ACKNOWLEDGEMENT,
    Criterion.EXPLORATION,
    Criterion.NO_DISMISSAL,
    Criterion.NO_CONFRONTATION,
    Criterion.NO_UNSOLICITED_DIRECTIVE,
    Criterion.NO_JUDGEMENT,
    Criterion.AUTONOMY_SUPPORT,
    Criterion.SUBSTANTIVE,
    Criterion.WITHIN_SCOPE,
    Criterion.CRISIS_PROTOCOL,
)


class EarsSettings(BaseModel):
    """Settings of the EARS gate."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    required: tuple[Criterion, ...] = Field(
        DEFAULT_REQUIRED,
        description="Criteria every assistant turn must pass; crisis_protocol applies only to at-risk turns",
    )
    hard: tuple[Criterion, ...] = Field(
        DEFAULT_HARD,
        description="Criteria whose failure on any turn quarantines a corpus conversation; a turn failing"
        " only other required criteria stays as context (weight 0)",
    )
    per_turn_sources: tuple[str, ...] = Field(
        ("conversation",),
        description="Source types judged turn by turn (corpora); every other record must pass on every turn",
    )
    thresholds: dict[str, float] = Field(
        default_factory=dict,
        description=f"Probability thresholds overriding the trained ones, by scorer: {', '.join(LEARNED)}",
    )
    min_words: int = Field(5, ge=1, description="Fewest words a reply may have")
    max_words: int = Field(300, ge=1, description="Most words a reply may have (longer reads as a lecture)")
    min_specific_words: int = Field(
        3, ge=0, description="Fewest words left once greetings, fillers and stock sympathy are removed"
    )

    @field_validator("thresholds")
    @classmethod
    def _known_scorers(cls, value: dict[str, float]) -> dict[str, float]:
        unknown = sorted(set(value) - set(LEARNED))
        if unknown:
            raise ValueError(f"unknown learned scorer(s) {unknown}; choose from {list(LEARNED)}")
        if any(not 0.0 < t < 1.0 for t in value.values()):
            raise ValueError("thresholds must lie strictly between 0 and 1")
        return value
