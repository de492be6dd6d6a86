"""The preprocessing steps of the shard pass: normalise, scrub PII, then judge chat format and language.

PII is scrubbed before anything is judged, so a quarantined record never keeps a phone number either.
"""

from __future__ import annotations

from collections import Counter

from tasks.preprocess import chat_format, language
from tasks.preprocess.normalize import normalize_record
from tasks.preprocess.pii import scrub_record
from tasks.records import Record
from tasks.settings import PreprocessSettings


def scrub(records: list[Record], settings: PreprocessSettings) -> tuple[list[Record], Counter[str]]:
    """Normalised records with PII replaced by typed placeholders, and the replacements by type."""
    found: Counter[str] = Counter()
    scrubbed = []
    for record in records:
        clean, counts = scrub_record(normalize_record(record), settings.pii)
        scrubbed.append(clean)
        found.update(counts)
    return scrubbed, found


def judge(records: list[Record], settings: PreprocessSettings) -> list[Record]:
    """Each record with the chat-format and language verdicts appended."""
    formats = chat_format.check(records, settings)
    languages = language.check(records, settings.language)
    return [
        record.model_copy(update={"gates": (*record.gates, fmt, lang)})
        for record, fmt, lang in zip(records, formats, languages, strict=True)
    ]
