"""Language gate: the datasets are English; a conversation confidently in another language is refused.

py3langid carries its model inside the wheel (nothing downloads at run time) and classifies ~9,000
short texts/s on one core. Short or ambiguous texts ("ok thanks", "lol idk") get low confidence,
so only a confident non-English call blocks: a false block loses a good record, a miss costs little.
Its cost grows with the text, and a few hundred characters settle the call, so a long conversation is
judged on a sample drawn from every turn (a conversation that switches language is still seen whole).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from tasks.preprocess.settings import LanguageSettings
from tasks.records import GateVerdict, Record

GATE = "language"


@lru_cache(maxsize=1)
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect(text: str) -> tuple[str, float]:
    """ISO code and confidence in [0, 1] of the language of `text`."""
    language, confidence = _identifier().classify(text)
    return str(language), float(confidence)


def sample(record: Record, chars: int) -> str:
    """The record's turns joined, each cut to an equal share of `chars` when together they are longer."""
    texts = [m.content for m in record.messages]
    if sum(len(t) for t in texts) <= chars:
        return " ".join(texts)
    share = max(1, chars // len(texts))
    return " ".join(t[:share] for t in texts)


def check(records: Sequence[Record], settings: LanguageSettings) -> list[GateVerdict]:
    """One verdict per record, judged on all of its turns together (one turn is often too short)."""
    verdicts = []
    for record in records:
        text = sample(record, settings.sample_chars)
        if len(text) < settings.min_chars:
            verdicts.append(GateVerdict(gate=GATE, passed=True, reasons=("too short to judge",)))
            continue
        language, confidence = detect(text)
        refused = language != settings.expected and confidence >= settings.min_confidence
        reasons = (f"written in {language!r} (confidence {confidence:.2f})",) if refused else ()
        verdicts.append(
            GateVerdict(gate=GATE, passed=not refused, score=round(confidence, 4), reasons=reasons)
        )
    return verdicts
