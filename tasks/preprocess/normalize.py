"""Unicode and whitespace normalisation, so that equal text has equal bytes before dedup and gates."""

from __future__ import annotations

import re
import unicodedata

from tasks.records import Record, with_contents

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u200b-\u200f\u2028\u2029\ufeff]")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_BLANK_LINES = re.compile(r"\n\s*\n\s*(\n\s*)+")


def normalize_text(text: str) -> str:
    """NFC, no control or zero-width characters, single spaces, at most one blank line in a row."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = _SPACES.sub(" ", _CONTROL.sub("", text))
    text = _BLANK_LINES.sub("\n\n", text)
    return "\n".join(line.strip() for line in text.split("\n")).strip()


def normalize_record(record: Record) -> Record:
    """The same record with every message normalised; the id is kept, it names the original."""
    return with_contents(record, [normalize_text(m.content) for m in record.messages])
