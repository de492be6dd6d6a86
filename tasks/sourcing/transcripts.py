"""Caption files (WebVTT, SRT, YouTube json3) into timestamp-located passages of whole sentences.

Captions cut speech wherever the screen fills up, and auto-captions repeat the previous line at the
top of each cue; passages are built from sentences instead, with each repeat dropped once, so the
text reads as it was said and every passage points back to the stretch of audio it came from. A cue
with impossible times is refused with its reason and counted (`caption_cues`), never dropped unseen.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tasks.accounting import Counts
from tasks.records import Passage
from tasks.settings import PassageSettings
from tasks.sourcing.caption_cues import BadCue, Cue, Format, clean_lines, parse_cues
from tasks.sourcing.passages import (
    Document,
    Reading,
    UnreadableDocument,
    decode_text,
    group_units,
    make_passage,
    reject_part,
)

# The quarantine kind, and the stage count's kind, of a refused cue.
CUE_KIND = "caption_cue"
_SENTENCE_END = re.compile(r"([.!?…]|\.\.\.)[\"'”’)\]]*$")
_ABBREVIATIONS = {"mr.", "mrs.", "ms.", "dr.", "prof.", "st.", "vs.", "e.g.", "i.e.", "etc.", "jr.", "sr."}
# A repeated run of at least this many words at a cue's start is the previous cue rolling up.
_MIN_ROLLING_WORDS = 3
# YouTube's auto-captions hold each finished line in a cue this short before rolling it up.
_HOLD_CUE_MS = 50


@dataclass(frozen=True)
class Sentence:
    """A sentence of speech, from the start of its first cue to the end of its last."""

    start_ms: int
    end_ms: int
    speaker: str | None
    text: str


def read_vtt(path: Path, document: Document, settings: PassageSettings) -> Reading:
    """Passages of a WebVTT file; voice tags name the speakers in the locator."""
    return caption_reading(document, _caption_file(path, "vtt"), settings)


def read_srt(path: Path, document: Document, settings: PassageSettings) -> Reading:
    """Passages of a SubRip (.srt) file."""
    return caption_reading(document, _caption_file(path, "srt"), settings)


def read_json3(path: Path, document: Document, settings: PassageSettings) -> Reading:
    """Passages of a YouTube `json3` caption file (events of segs, times in milliseconds)."""
    try:
        data = json.loads(decode_text(path.read_bytes()))
    except json.JSONDecodeError as error:
        raise UnreadableDocument(f"not JSON ({error.msg} at line {error.lineno})") from error
    return caption_reading(document, json3_cues(data), settings)


def caption_reading(document: Document, items: Sequence[Cue | BadCue], settings: PassageSettings) -> Reading:
    """Passages of the good cues, a quarantine item for each refused one, and the cues counted; a file
    whose every cue is refused is refused whole, saying how many and why the first was."""
    cues = [item for item in items if isinstance(item, Cue)]
    bad = [item for item in items if isinstance(item, BadCue)]
    if bad and not cues:
        raise UnreadableDocument(f"all {len(bad)} cues refused ({bad[0].locator}: {bad[0].problem})")
    return Reading(
        passages=caption_passages(document, cues, settings),
        refused=[reject_part(document, CUE_KIND, b.locator, b.problem, b.text) for b in bad],
        parts={CUE_KIND: Counts(entered=len(items), kept=len(cues), quarantined=len(bad))},
    )


def caption_passages(document: Document, cues: Sequence[Cue], settings: PassageSettings) -> list[Passage]:
    """Group a transcript's sentences into passages of about `target_chars`."""
    sentences = list(sentences_of(cues, settings.target_chars))
    if not sentences:
        raise UnreadableDocument("caption file holds no caption text")
    passages = []
    for _, group in group_units(((None, sentence) for sentence in sentences), settings):
        speakers = list(dict.fromkeys(s.speaker for s in group if s.speaker))
        locator = ", ".join([f"{timestamp(group[0].start_ms)}-{timestamp(group[-1].end_ms)}", *speakers])
        passages.append(make_passage(document, locator, _speech(group), None, None))
    return passages


def _speech(sentences: Sequence[Sentence]) -> str:
    """Sentences as running text, with a new "Name: " line wherever the speaker changes."""
    text = ""
    speaker: str | None = None
    for index, sentence in enumerate(sentences):
        if index and sentence.speaker == speaker:
            text += " " + sentence.text
            continue
        speaker = sentence.speaker
        text += ("\n" if index else "") + (f"{speaker}: " if speaker else "") + sentence.text
    return text


def timestamp(ms: int) -> str:
    """Milliseconds as HH:MM:SS.mmm, the WebVTT form every locator uses whatever the source format."""
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}"


def _caption_file(path: Path, fmt: Format) -> list[Cue | BadCue]:
    return parse_cues(decode_text(path.read_bytes()), fmt)


def json3_cues(data: Any) -> list[Cue | BadCue]:
    """Cues of a json3 document, an event with a negative time refused; anything not shaped like a
    json3 document is refused whole with what is wrong."""
    events = data.get("events") if isinstance(data, dict) else None
    if not isinstance(events, list):
        raise UnreadableDocument("not a YouTube json3 caption file (no 'events' list)")
    cues: list[Cue | BadCue] = []
    for number, event in enumerate(events, start=1):
        if not isinstance(event, dict):
            raise UnreadableDocument(f"json3 event {number} is not an object")
        segs = event.get("segs")
        if segs is None:
            continue  # window and style events carry no text
        start, duration = event.get("tStartMs"), event.get("dDurationMs", 0)
        if not isinstance(start, int) or not isinstance(duration, int) or not isinstance(segs, list):
            raise UnreadableDocument(
                f"json3 event {number} needs integer tStartMs/dDurationMs and a segs list"
            )
        if not all(isinstance(seg, dict) and isinstance(seg.get("utf8", ""), str) for seg in segs):
            raise UnreadableDocument(f"json3 event {number} has a seg without utf8 text")
        text = "".join(seg.get("utf8", "") for seg in segs)
        if start < 0 or duration < 0:
            problem = f"negative time (tStartMs {start}, dDurationMs {duration})"
            cues.append(BadCue(f"event {number}", problem, text))
        elif lines := clean_lines(text.split("\n")):
            cues.append(Cue(start, start + duration, lines))
    return cues


def new_words(cues: Iterable[Cue]) -> Iterator[tuple[Cue, list[str]]]:
    """Each cue with the words it adds: lines rolled up from the previous cue, and a run of at
    least three words repeating the last words shown, are dropped.

    A single line repeated whole counts as a roll-up only where the cue is a hold cue of a few
    milliseconds or the previous cue showed more lines, so "No." answered by "No." survives.
    """
    previous: Cue | None = None
    recent: list[str] = []
    for cue in cues:
        lines = list(cue.lines)
        if previous is not None:
            shared = _overlap(previous.lines, cue.lines)
            whole_repeat = shared == len(lines)
            hold = cue.end_ms - cue.start_ms <= _HOLD_CUE_MS
            if shared and (not whole_repeat or len(previous.lines) > shared or hold):
                lines = lines[shared:]
        words = " ".join(lines).split()
        overlap = _overlap(recent, words)
        if overlap >= _MIN_ROLLING_WORDS:
            words = words[overlap:]
        previous = cue
        recent = (recent + words)[-60:]
        yield cue, words


def _overlap(before: Sequence[str], after: Sequence[str]) -> int:
    """Most leading items (lines or words) of `after` that equal the trailing items of `before`."""
    for count in range(min(len(before), len(after)), 0, -1):
        if list(after[:count]) == list(before[-count:]):
            return count
    return 0


def sentences_of(cues: Iterable[Cue], max_chars: int) -> Iterator[Sentence]:
    """Merge cue fragments into sentences; a change of speaker ends one, and so does reaching
    `max_chars` at a cue boundary, which keeps unpunctuated auto-captions in bounded pieces."""
    words: list[str] = []
    start = end = 0
    speaker: str | None = None
    for cue, added in new_words(cues):
        if words and cue.speaker != speaker:
            yield Sentence(start, end, speaker, " ".join(words))
            words = []
        speaker = cue.speaker
        for word in added:
            if not words:
                start = cue.start_ms
            words.append(word)
            end = cue.end_ms
            if _SENTENCE_END.search(word) and word.lower() not in _ABBREVIATIONS:
                yield Sentence(start, end, speaker, " ".join(words))
                words = []
        if words and sum(len(word) + 1 for word in words) >= max_chars:
            yield Sentence(start, end, speaker, " ".join(words))
            words = []
    if words:
        yield Sentence(start, end, speaker, " ".join(words))
