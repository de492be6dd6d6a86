import itertools
import json
import re
from pathlib import Path

import pytest
import webvtt

from tasks.accounting import Counts
from tasks.records import Passage, QuarantineItem
from tasks.settings import PassageSettings
from tasks.shards import read_models
from tasks.sourcing.documents import discover_documents, passages_shard, read_passages
from tasks.sourcing.transcripts import Cue, sentences_of
from tests.shared_data import shared_file

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "transcripts"
SINTEL = "sintel_en_blender-foundation"
SMALL = PassageSettings(target_chars=200, min_chars=60)
LOCATOR = re.compile(r"\d\d:\d\d:\d\d\.\d{3}-\d\d:\d\d:\d\d\.\d{3}(, [^,]+)*")


def read(root: Path, name: str, settings: PassageSettings = SMALL):
    document = next(d for d in discover_documents(root) if d.path == name)
    return read_passages(root, document, settings)


def sintel_cues() -> list[webvtt.Caption]:
    return webvtt.from_srt(str(FIXTURES / f"{SINTEL}.srt")).captions


def test_sintel_srt_becomes_sentences_located_by_timestamps():
    passages, rejects = read(FIXTURES, f"{SINTEL}.srt")
    assert rejects == [] and len(passages) == 3
    assert all(LOCATOR.fullmatch(p.locator) for p in passages)
    assert passages[0].locator.startswith("00:02:17.250-")
    assert passages[-1].locator.endswith("-00:10:59.800")
    assert passages[0].text.startswith("This blade has a dark past. It has shed much innocent blood.")
    # A sentence split over two caption lines is one sentence again.
    assert "You're a fool for traveling alone, so completely unprepared." in passages[0].text
    assert "I've been alone for as long as I can remember." in "\n".join(p.text for p in passages)
    assert all(len(p.text) < SMALL.target_chars * 2 for p in passages)


def test_sintel_reads_the_same_from_srt_vtt_and_json3():
    results = {suffix: read(FIXTURES, f"{SINTEL}.{suffix}") for suffix in ("srt", "vtt", "json3")}
    shapes = {suffix: [(p.locator, p.text) for p in passages] for suffix, (passages, _) in results.items()}
    assert shapes["srt"] == shapes["vtt"] == shapes["json3"]
    assert all(rejects == [] for _, rejects in results.values())


def rolling_vtt(captions: list[webvtt.Caption]) -> str:
    """The Sintel cues as YouTube auto-captions show them: each cue repeats the previous cue's last
    line above its own, and a 10 ms hold cue repeats the finished line alone."""
    blocks, previous = ["WEBVTT\n"], ""
    for caption in captions:
        lines = ([previous] if previous else []) + caption.lines
        blocks.append(f"{caption.start} --> {caption.end}\n" + "\n".join(lines) + "\n")
        hold_end = caption.end[:-3] + f"{int(caption.end[-3:]) + 10:03d}"
        blocks.append(f"{caption.end} --> {hold_end}\n{caption.lines[-1]}\n")
        previous = caption.lines[-1]
    return "\n".join(blocks)


def test_rolling_captions_are_not_duplicated(tmp_path):
    (tmp_path / "rolling.vtt").write_text(rolling_vtt(sintel_cues()))
    rolling, rejects = read(tmp_path, "rolling.vtt")
    plain, _ = read(FIXTURES, f"{SINTEL}.srt")
    assert rejects == []
    assert [p.text for p in rolling] == [p.text for p in plain]
    assert "\n".join(p.text for p in rolling).count("This blade has a dark past.") == 1


def test_a_short_answer_repeated_in_its_own_cue_survives():
    cues = [Cue(0, 900, ("No.",)), Cue(1000, 1900, ("No.",)), Cue(2000, 3000, ("Yes, I see. Fine.",))]
    assert [s.text for s in sentences_of(cues, 1200)] == ["No.", "No.", "Yes, I see.", "Fine."]


def test_voice_tags_become_speaker_turns_and_locator_names(tmp_path):
    (tmp_path / "talk.vtt").write_text(
        "WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n<v Ann Lee>How have you been\n\n"
        "00:00:04.000 --> 00:00:06.500\n<v Ann Lee>sleeping lately?\n\n"
        "00:00:07.000 --> 00:00:09.250\n<v Bo Kim>Badly, to be honest &amp; often.\n"
    )
    passages, _ = read(tmp_path, "talk.vtt")
    assert [(p.locator, p.text) for p in passages] == [
        (
            "00:00:01.000-00:00:09.250, Ann Lee, Bo Kim",
            "Ann Lee: How have you been sleeping lately?\nBo Kim: Badly, to be honest & often.",
        )
    ]


def test_unpunctuated_auto_captions_are_cut_into_bounded_sentences():
    cues = [Cue(i * 1000, i * 1000 + 900, (f"and on day {i} we kept going with it",)) for i in range(100)]
    sentences = list(sentences_of(cues, 200))
    assert len(sentences) > 10 and all(len(s.text) < 240 for s in sentences)
    assert sum(len(s.text.split()) for s in sentences) == 900


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.vtt", b"WEBVTT\n\n", "caption file holds no caption text"),
        (
            "binary.vtt",
            b"\x00\x01\x02WEBVTT\x00" * 20,
            "binary content (NUL bytes); UTF-16 or UTF-32 text needs its byte-order mark",
        ),
        ("plain.vtt", b"00:00:01.000 --> 00:00:02.000\nhi\n", "not a WebVTT file (no WEBVTT header)"),
        ("photo.vtt", b"\x89PNG\r\n\x1a\n\x00\xff\xfe", "not UTF-8 text (invalid start byte at byte 0)"),
        ("notes.srt", b"just some notes\nno cues here\n", "not a SubRip (.srt) file (no cue timing line)"),
        ("broken.json3", b'{"events": [', "not JSON (Expecting value at line 1)"),
        ("other.json", b'{"name": "package"}', "not a YouTube json3 caption file (no 'events' list)"),
        (
            "bad-event.json3",
            b'{"events": [{"tStartMs": "soon", "segs": [{"utf8": "hi"}]}]}',
            "json3 event 1 needs integer tStartMs/dDurationMs and a segs list",
        ),
    ],
)
def test_unreadable_caption_files_are_quarantined_with_a_reason(tmp_path, name, content, reason):
    (tmp_path / name).write_bytes(content)
    passages, rejects = read(tmp_path, name)
    assert passages == [] and rejects[0].reasons == (reason,) and rejects[0].raw == name


def test_json3_window_events_and_newline_appends_carry_no_text(tmp_path):
    events = [
        {"tStartMs": 0, "dDurationMs": 5000, "id": 1, "wpWinPosId": 1},
        {"tStartMs": 100, "dDurationMs": 2000, "wWinId": 1, "segs": [{"utf8": "Breathe"}, {"utf8": " in."}]},
        {"tStartMs": 2100, "dDurationMs": 10, "wWinId": 1, "aAppend": 1, "segs": [{"utf8": "\n"}]},
        {"tStartMs": 2200, "dDurationMs": 1800, "wWinId": 1, "segs": [{"utf8": "And out."}]},
    ]
    (tmp_path / "breath.json3").write_text(json.dumps({"wireMagic": "pb3", "events": events}))
    passages, _ = read(tmp_path, "breath.json3")
    assert [(p.locator, p.text) for p in passages] == [("00:00:00.100-00:00:04.000", "Breathe in. And out.")]


def seconds(stamp: str) -> float:
    hours, minutes, rest = stamp.split(":")
    return int(hours) * 3600 + int(minutes) * 60 + float(rest)


def shared_transcript(name: str) -> Path:
    return shared_file(f"transcripts/{name}")


def test_talk_python_voice_tagged_episode_names_both_speakers():
    path = shared_transcript("talkpython_yt_554-trustworthy-ai-in-healthcare-and-longevity.vtt")
    passages, rejects = read(path.parent, path.name, PassageSettings())
    assert rejects == [] and len(passages) > 30
    assert passages[0].locator == "00:00:02.400-00:01:38.560, Michael Kennedy, Sumit Gundawar"
    assert passages[0].text.startswith("Michael Kennedy: Hello, welcome to Talk Python To Me")
    assert all(LOCATOR.fullmatch(p.locator) and "Michael Kennedy" in p.text + p.locator for p in passages[:3])


def test_talk_python_episode_reads_whole_without_repeating_sentences():
    path = shared_transcript("talkpython_258-thriving-remote.vtt")
    passages, rejects = read(path.parent, path.name, PassageSettings())
    assert rejects == [] and len(passages) > 40
    text = "\n".join(p.text for p in passages)
    assert text.startswith("If you're listening to this episode when it came out, April 4th, 2020")
    captions = webvtt.read(str(path)).captions
    # One real hold cue (40 ms of "Microphones." after the same word) is the only repeat there.
    holds = [
        c
        for p, c in itertools.pairwise(captions)
        if c.text == p.text and seconds(c.end) - seconds(c.start) <= 0.05
    ]
    assert [c.text for c in holds] == ["Microphones."]
    cue_words = sum(len(c.text.split()) for c in captions)
    assert len(text.split()) == cue_words - 1


BAD_TIMES_VTT = (
    "WEBVTT\n\n"
    "00:00:01.000 --> 00:00:03.000\nI slept badly all week.\n\n"
    "99:99:99.999 --> 99:99:99.999\nA cue from nowhere.\n\n"
    "00:00:06.000 --> 00:00:04.000\nA cue that ends before it starts.\n\n"
    "00:00:07.000 --> soon\nA cue with no end.\n\n"
    "a line outside any cue\n\n"
    "00:00:08.000 --> 00:00:09.500\nThen I tried a walk at night.\n"
)


def test_cues_with_impossible_times_are_refused_and_counted(tmp_path):
    (tmp_path / "week.vtt").write_text(BAD_TIMES_VTT)
    document = next(d for d in discover_documents(tmp_path) if d.path == "week.vtt")
    outcome = passages_shard.fn(str(tmp_path), document, SMALL, str(tmp_path / "work"))
    passages = list(read_models(outcome.kept, Passage))
    assert [p.text for p in passages] == ["I slept badly all week. Then I tried a walk at night."]
    refused = list(read_models(outcome.quarantine, QuarantineItem))
    assert [(i.kind, i.reasons) for i in refused] == [
        (
            "caption_cue",
            ("week.vtt line 6: impossible cue time '99:99:99.999' (minutes and seconds must be under 60)",),
        ),
        ("caption_cue", ("week.vtt line 9: cue ends (00:00:04.000) before it starts (00:00:06.000)",)),
        ("caption_cue", ("week.vtt line 12: unreadable cue time 'soon'",)),
        ("caption_cue", ("week.vtt line 15: text outside any cue (no timing line)",)),
    ]
    assert refused[0].raw == "99:99:99.999 --> 99:99:99.999\nA cue from nowhere."
    assert outcome.counts["caption_cue"] == Counts(entered=6, kept=2, quarantined=4)
    assert outcome.counts["document"] == Counts(entered=1, kept=1)


def test_srt_minutes_past_59_are_refused_where_they_were_read_as_an_hour_later(tmp_path):
    (tmp_path / "film.srt").write_text(
        "1\n00:00:01,000 --> 00:00:02,000\nWe begin.\n\n2\n00:61:00,000 --> 00:62:00,000\nNever said.\n"
    )
    passages, refused = read(tmp_path, "film.srt")
    assert [p.text for p in passages] == ["We begin."]
    assert refused[0].reasons == (
        "film.srt line 5: impossible cue time '00:61:00,000' (minutes and seconds must be under 60)",
    )


def test_a_caption_file_whose_every_cue_is_refused_is_refused_whole(tmp_path):
    (tmp_path / "all-bad.vtt").write_text("WEBVTT\n\n00:00:09.000 --> 00:00:01.000\nBackwards.\n")
    passages, refused = read(tmp_path, "all-bad.vtt")
    assert passages == [] and [i.reasons for i in refused] == [
        ("all 1 cues refused (line 3: cue ends (00:00:01.000) before it starts (00:00:09.000))",)
    ]


def test_json3_events_with_negative_times_are_refused_and_counted(tmp_path):
    events = [
        {"tStartMs": 0, "dDurationMs": 1000, "segs": [{"utf8": "Breathe in."}]},
        {"tStartMs": 2000, "dDurationMs": -500, "segs": [{"utf8": "Time runs back."}]},
        {"tStartMs": 3000, "dDurationMs": 1000, "segs": [{"utf8": "And out."}]},
    ]
    (tmp_path / "breath.json3").write_text(json.dumps({"events": events}))
    passages, refused = read(tmp_path, "breath.json3")
    assert [p.text for p in passages] == ["Breathe in. And out."]
    assert [(i.reasons, i.raw) for i in refused] == [
        (("breath.json3 event 2: negative time (tStartMs 2000, dDurationMs -500)",), "Time runs back.")
    ]


def test_utf16_captions_with_a_byte_order_mark_are_read(tmp_path):
    (tmp_path / "utf16.vtt").write_bytes(
        "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nCafé at night.\n".encode("utf-16")
    )
    passages, refused = read(tmp_path, "utf16.vtt")
    assert refused == [] and [p.text for p in passages] == ["Café at night."]
