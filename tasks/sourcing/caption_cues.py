"""WebVTT and SubRip files cut into cues, each cue's times checked before its text is read.

A cue with an impossible time (minutes or seconds of 60 or more, an end before its start) or an
unreadable one would place speech at the wrong point of the recording, so it is refused, and so is
a block of text outside any cue; each refusal names its line and the problem. The files are cut
here rather than by webvtt-py because that parser skips a malformed cue without a word, and a
dropped cue must be counted.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

from tasks.sourcing.passages import UnreadableDocument

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_TIMING = re.compile(r"^\s*(\S+?)\s*-->\s*(\S+)")
_TIMESTAMP = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{1,2})[.,](\d{1,3})$")
_VOICE = re.compile(r"^<v(?:\.[\w-]+)*\s+([^>\s][^>]*)>")
_TAG = re.compile(r"<[^>]*>")
_ASS_OVERRIDE = re.compile(r"\{\\[^}]*\}")
# WebVTT blocks that hold no cue: the file header, comments, style sheets and regions.
_VTT_NOT_CUES = ("WEBVTT", "NOTE", "STYLE", "REGION")
Format = Literal["vtt", "srt"]


@dataclass(frozen=True)
class Cue:
    """One caption as shown: its lines (tags removed), when, and who speaks (`<v Name>`)."""

    start_ms: int
    end_ms: int
    lines: tuple[str, ...]
    speaker: str | None = None


@dataclass(frozen=True)
class BadCue:
    """A cue (or stray text) refused: where it is in the file, why, and its text as written."""

    locator: str
    problem: str
    text: str


class CueTimeError(ValueError):
    """A cue time that cannot be read or cannot be a time."""


def clean_lines(lines: Iterable[str]) -> tuple[str, ...]:
    """Caption lines without markup (cue tags, ASS overrides, HTML entities) or empty lines."""
    cleaned = (" ".join(html.unescape(_ASS_OVERRIDE.sub("", _TAG.sub("", line))).split()) for line in lines)
    return tuple(line for line in cleaned if line)


def cue_ms(value: str) -> int:
    """A cue time ([hh:]mm:ss.mmm, or SRT's comma) in milliseconds; minutes and seconds under 60."""
    match = _TIMESTAMP.match(value.strip())
    if not match:
        raise CueTimeError(f"unreadable cue time {value!r}")
    hours, minutes, seconds, fraction = match.groups()
    if int(minutes) >= 60 or int(seconds) >= 60:
        raise CueTimeError(f"impossible cue time {value!r} (minutes and seconds must be under 60)")
    return ((int(hours or 0) * 60 + int(minutes)) * 60 + int(seconds)) * 1000 + int(fraction.ljust(3, "0"))


def _blocks(lines: Sequence[str], fmt: Format) -> list[tuple[int, list[str]]]:
    """(first line number, lines) of each run of non-blank lines; in SRT a lone cue number before a
    block that starts with its timing line joins that block."""
    blocks: list[tuple[int, list[str]]] = []
    block: list[str] = []
    for number, line in enumerate([*lines, ""], start=1):
        if line.strip():
            block.append(line)
            continue
        if not block:
            continue
        previous = blocks[-1][1] if blocks else []
        if fmt == "srt" and "-->" in block[0] and len(previous) == 1 and previous[0].strip().isdigit():
            blocks[-1] = (blocks[-1][0], previous + block)
        else:
            blocks.append((number - len(block), block))
        block = []
    return blocks


def _segments(block: list[str], fmt: Format, header: bool) -> Iterator[tuple[int, list[str]]]:
    """(offset, lines) of each cue in a block: a timing line starts one, with the line before it as
    its identifier where that is the block's first line (or, in SRT, a cue number); lines before the
    first cue are a segment of their own (a WebVTT header, or stray text)."""
    arrows = [i for i, line in enumerate(block) if "-->" in line]
    starts = []
    for index, arrow in enumerate(arrows):
        floor = arrows[index - 1] + 1 if index else 0
        before = arrow - 1
        named = (
            not header
            and before >= floor
            and (before == 0 or (fmt == "srt" and block[before].strip().isdigit()))
        )
        starts.append(before if named else arrow)
    if not starts or starts[0] > 0:
        yield 0, block[: starts[0] if starts else len(block)]
    for index, start in enumerate(starts):
        yield start, block[start : starts[index + 1] if index + 1 < len(starts) else len(block)]


def _cue(lines: list[str]) -> Cue:
    """A timed segment as a cue; raises CueTimeError when its times are wrong."""
    arrow = next(i for i, line in enumerate(lines) if "-->" in line)
    match = _TIMING.match(lines[arrow])
    if not match:
        raise CueTimeError(f"unreadable cue timing line {lines[arrow].strip()!r}")
    start, end = cue_ms(match.group(1)), cue_ms(match.group(2))
    if end < start:
        raise CueTimeError(f"cue ends ({match.group(2)}) before it starts ({match.group(1)})")
    payload = lines[arrow + 1 :]
    voice = _VOICE.match(payload[0].strip()) if payload else None
    return Cue(start, end, clean_lines(payload), voice.group(1).strip() if voice else None)


def _extended(item: Cue | BadCue, lines: list[str]) -> Cue | BadCue:
    """A cue (or refused cue) with more text lines, found after a blank line inside its text."""
    if isinstance(item, BadCue):
        return BadCue(item.locator, item.problem, "\n".join([item.text, "", *lines]))
    return Cue(item.start_ms, item.end_ms, item.lines + clean_lines(lines), item.speaker)


def parse_cues(text: str, fmt: Format) -> list[Cue | BadCue]:
    """Every cue of a WebVTT or SRT file in order, or why it was refused; a file with no cue timing
    at all (or a WebVTT file without its header) is not a caption file and raises."""
    lines = _LINE_BREAK.split(text)
    if fmt == "vtt" and not lines[0].startswith("WEBVTT"):
        raise UnreadableDocument("not a WebVTT file (no WEBVTT header)")
    if not any("-->" in line for line in lines) and fmt == "srt":
        raise UnreadableDocument("not a SubRip (.srt) file (no cue timing line)")
    items: list[Cue | BadCue] = []
    for first, block in _blocks(lines, fmt):
        for offset, segment in _segments(block, fmt, header=fmt == "vtt" and first == 1):
            number, raw = first + offset, "\n".join(segment)
            if not any("-->" in line for line in segment):
                if fmt == "vtt" and segment[0].startswith(_VTT_NOT_CUES):
                    continue
                if fmt == "srt" and items:  # a blank line inside a cue's text
                    items[-1] = _extended(items[-1], segment)
                    continue
                items.append(BadCue(f"line {number}", "text outside any cue (no timing line)", raw))
                continue
            try:
                items.append(_cue(segment))
            except CueTimeError as error:
                items.append(BadCue(f"line {number}", str(error), raw))
    return items
