"""Language gate: the datasets are English; a conversation confidently in another language is refused.

py3langid carries its model inside the wheel (nothing downloads at run time) and classifies ~9,000
short texts/s on one core. Short or ambiguous texts ("ok thanks", "lol idk") get low confidence,
so only a confident non-English call blocks: a false block loses a good record, a miss costs little.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from tasks.records import GateVerdict, Record

GATE = "language"


class LanguageSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    expected: str = Field("en", description="ISO 639-1 code every conversation must be written in")
    min_confidence: float = Field(
        0.9, gt=0.0, le=1.0, description="Confidence needed to call another language"
    )
    min_chars: int = Field(20, ge=0, description="Shorter conversations are not judged")


@lru_cache(maxsize=1)
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect(text: str) -> tuple[str, float]:
    """ISO code and confidence in [0, 1] of the language of `text`."""
    language, confidence = _identifier().classify(text)
    return str(language), float(confidence)


def check(records: Sequence[Record], settings: LanguageSettings) -> list[GateVerdict]:
    """One verdict per record, judged on all of its turns together (one turn is often too short)."""
    verdicts = []
    for record in records:
        text = " ".join(m.content for m in record.messages)
        if len(text) < settings.min_chars:
            verdicts.append(GateVerdict(gate=GATE, passed=True, reasons=("too short to judge",)))
            continue
        language, confidence = detect(text)
        refused = language != settings.expected and confidence >= settings.min_confidence
        reasons = (f"language: written in {language!r} (confidence {confidence:.2f})",) if refused else ()
        verdicts.append(
            GateVerdict(gate=GATE, passed=not refused, score=round(confidence, 4), reasons=reasons)
        )
    return verdicts
