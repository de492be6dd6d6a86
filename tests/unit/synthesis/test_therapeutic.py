import re
from collections import Counter

import pytest

from tasks.gates import crisis, ears, ears_patterns
from tasks.gates.crisis_settings import CrisisSettings
from tasks.gates.ears_settings import EarsSettings
from tasks.preprocess.chat_format import format_problems
from tasks.preprocess.pii import PiiSettings, scrub_record
from tasks.records import FICTIONAL_NAMES, Role, canonical_json
from tasks.settings import PreprocessSettings
from tasks.synthesis import engine, phrasings, therapeutic
from tasks.synthesis.llm import LlmSettings
from tasks.synthesis.phrasings import CONCERNS, STRATEGIES

_WORD = re.compile(r"\w+")
_ORDER = re.compile(
    r"\byou (?:\w+ )?(?:should|must|need to|have to|has to|ought to|'ve got to|have got to)\b"
)


@pytest.fixture(scope="module")
def records():
    """Two shards of the default run's generator, as the pipeline makes them."""
    first, _ = therapeutic.synthesize(1000, run_seed=42, shard_index=0)
    second, _ = therapeutic.synthesize(1000, run_seed=42, shard_index=1)
    return first + second


def distinct_3(texts):
    grams = Counter()
    total = 0
    for text in texts:
        words = _WORD.findall(text.lower())
        trigrams = list(zip(words, words[1:], words[2:], strict=False))
        grams.update(trigrams)
        total += len(trigrams)
    return len(grams) / total


def test_conversations_are_well_formed_and_labelled():
    records, rejects = therapeutic.synthesize(200, run_seed=3, shard_index=1)
    assert len(records) == 200 and rejects == []
    for record in records:
        assert format_problems(record, PreprocessSettings()) == []
        assert [m.role for m in record.messages] == [Role.USER, Role.ASSISTANT] * 2
        assert record.labels["concern"] in CONCERNS and record.labels["strategy"] in STRATEGIES
        assert record.lineage.seed is not None and record.kind.value == "therapeutic"
        assert not [m for m in record.messages if "{" in m.content or "}" in m.content]  # slots all filled
    assert len({r.labels["concern"] for r in records}) == len(CONCERNS)


def test_the_names_a_conversation_gives_people_are_labelled_fictional_and_survive_pii_scrubbing(records):
    def names_used(record):
        text = " ".join(m.content for m in record.messages)
        return [n for n in record.labels[FICTIONAL_NAMES].split(", ") if n and n in text]

    assert sum(bool(names_used(r)) for r in records[:300]) > 100  # every name given is listed, used or not
    for record in records[:300]:
        assert scrub_record(record, PiiSettings())[1] == Counter(), record.messages


def test_the_same_seed_gives_the_same_bytes():
    first, _ = therapeutic.synthesize(300, run_seed=7, shard_index=2)
    again, _ = therapeutic.synthesize(300, run_seed=7, shard_index=2)
    assert [canonical_json(r) for r in first] == [canonical_json(r) for r in again]


def test_slots_and_sampled_parts_fit_the_wording_around_them(records):
    """Combinatorial slips a reviewer found in sampled conversations stay fixed: a word doubled where a frame
    meets its slot ("since the team away day day to day"), "trying" before a gerund, a one-off thing tried
    answered as a habit ("a long weekend away ... I kept forgetting to do it"), shift-work psychoeducation
    for someone not on shifts, a place that does not fit its wording ("the till at the cash machine") and a
    relative at a work occasion."""
    texts = [" ".join(m.content for m in r.messages) for r in records]
    sentences = [s for text in texts for s in re.split(r"(?<=[.?!])\s+", text)]
    doubled = [m.group(0) for t in texts for m in re.finditer(r"\b(\w+) \1\b", t, re.IGNORECASE)]
    assert [d for d in doubled if d.lower() != "you you"] == []  # "told you you look worn out" is fine
    assert not [t for t in texts if re.search(r"\btrying [a-z]+ing\b", t)]
    assert not [t for t in texts if "Shift work" in t and not re.search(r"shifts|nights at", t)]

    def pattern(phrase):
        return re.sub(r"\\\{\w+\\\}", ".*", re.escape(phrase))

    once = re.compile("|".join(pattern(p) for p in phrasings._TRIED_ONCE), re.IGNORECASE)
    ongoing = re.compile("|".join(pattern(p) for p in phrasings._ONGOING), re.IGNORECASE)
    assert any(once.search(s) for s in sentences)
    assert not [s for s in sentences if once.search(s) and ongoing.search(s)]
    kinds = phrasings._WORLD["fits"]["place"]["kinds"]
    for wording, kind in (("till at", "till"), ("queue at", "queue"), ("night shifts at", "nights")):
        unfit = [f"{wording} {place}" for place in phrasings.SHARED["place"] if place not in kinds[kind]]
        assert not [t for t in texts if any(u in t for u in unfit)], wording
    work = "|".join(re.escape(e.removeprefix("my ")) for e in phrasings._WORLD_JOB)
    relative = "|".join(re.escape(r.removeprefix("my ")) for r in phrasings.PEOPLE["relative"])
    at_work = re.compile(rf"\b(?:my|your) (?:{relative})\b.*\b(?:at|to) (?:the |my |your |a )?(?:{work})")
    assert not [s for s in sentences if at_work.search(s)]
    contradictions = (  # a persona beside a situation it rules out
        ("stay-at-home dad", r"frightening birth|I was pregnant|menopause|hot flushes"),
        ("live on my own", r"snores|more like housemates|children's timetables"),
    )
    for persona, situation in contradictions:
        assert not [t for t in texts if persona in t and re.search(situation, t)], persona
    partners = "|".join(p.removeprefix("my ") for p in phrasings.PEOPLE["partner"])
    two = re.compile(rf"\bmy ({partners})\b.*\bmy (?!\1\b)({partners})\b", re.IGNORECASE)
    seekers = [" ".join(m.content for m in r.messages if m.role is Role.USER) for r in records]
    assert not [t for t in seekers if two.search(t)]


def test_a_persona_is_left_out_beside_a_situation_it_contradicts():
    rows = engine.generate_rows(therapeutic.build_config(), 400, seed=11)
    cases = (  # (concern, situation, persona): a birth the seeker gave, a partner who shares the bed
        ("trauma", "I had a frightening birth with {child}", "am a stay-at-home dad to two little ones"),
        ("sleep", "{partner} snores and I've ended up on the sofa", "work in marketing and live on my own"),
    )
    for concern, situation, persona in cases:
        row = next(r for r in rows if r["concern"] == concern and r["age_band"] == "adult")
        said = next(
            s["say"] for s in phrasings._SCENARIOS[concern]["situations"] if s["say"].startswith(situation)
        )
        turns = phrasings.compose(row | {"situation": said, "role": persona})
        assert persona.split(" ", 1)[1] not in turns["user_1"], turns["user_1"]


def test_a_situation_rules_out_the_parts_that_presume_something_else():
    """No phone calls or "the person" for a dog that died or a pregnancy that ended; the friend the
    seeker fell out with, or who moved away, is not who they told, met for coffee or who reacted."""
    rows = engine.generate_rows(therapeutic.build_config(), 1500, seed=13)
    ruled = [
        (concern, s)
        for concern, pools in phrasings._SCENARIOS.items()
        for s in pools["situations"]
        if "not_parts" in s
    ]
    assert len(ruled) >= 20
    parts = [{"timeline": "for"}.get(part, part) for part in phrasings._PARTS]  # as the seeker says them
    for concern, situation in ruled:
        ruled_out = situation["not_parts"]
        slots = re.findall(r"\\\{(\w+)\\\}", ruled_out)  # people the situation keeps out of the rest
        words = re.sub(r"\|?\\\{\w+\\\}", "", ruled_out).lstrip("|")  # and what it rules out in words
        for row in [r for r in rows if r["concern"] == concern][:40]:
            conversation = phrasings._Conversation(row | {"situation": situation["say"]})
            drawn = [conversation.mine[p] for p in parts]
            counsellor = [conversation.yours["psychoeducation"], conversation.yours["idea"]]
            assert not [d for d in counsellor if re.search(ruled_out, d)], (situation["say"], counsellor)
            assert not (words and [d for d in drawn if re.search(words, d)]), (situation["say"], drawn)
            for slot in slots:
                person = conversation.mine[slot]
                assert conversation.mine["person"] != person, situation["say"]
                assert not [d for d in drawn if person in d], (situation["say"], person, drawn)


def test_details_fit_the_seekers_life_stage_and_the_time_of_the_moment(records):
    """Reviewers' slips stay fixed: a school run for someone living in halls, a spreadsheet for a bus driver,
    work for someone retired ('unsuited_parts'); "On Sunday night ... all week" or "Last Friday ... at my
    Saturday parkrun" (anchor and moment); "Not really." before someone's reaction."""
    seekers = [" ".join(m.content for m in r.messages if m.role is Role.USER) for r in records]
    stages = [(band, role) for band, pools in phrasings.AGE_BANDS.items() for role in pools["role"]]
    checked = 0
    for text in seekers:
        for band, role in stages:
            if role not in text:
                continue
            checked += 1
            rest = text.replace(role, "")
            for stage, unfit in phrasings._LIFE_UNFIT:
                if stage.search(f"{band}: {role}"):
                    assert not unfit.search(rest), (role, unfit.search(rest), text)
    assert checked >= 300
    days = phrasings._WEEKDAY
    sentences = [s for text in seekers for s in re.split(r"(?<=[.?!])\s+", text)]
    for sentence in sentences:
        for anchor in phrasings.SHARED["anchor"]:
            found = re.search(rf"\b{re.escape(anchor)}\b", sentence, re.IGNORECASE)
            if not found:
                continue
            moment = sentence[found.end() :]
            for cue, clash in phrasings._ANCHOR_TIMES:
                assert not (cue.search(moment) and clash.search(anchor)), sentence
            assert not (
                set(days.findall(moment)) and set(days.findall(anchor)) - set(days.findall(moment))
            ), sentence
    assert not [s for s in sentences if s.startswith("Not really.")]


def test_a_plural_topic_takes_plural_verbs():
    """'What have the nightmares made harder', never 'What has the nightmares ...' or 'the nightmares
    sounds'."""
    rows = engine.generate_rows(therapeutic.build_config(), 200, seed=17)
    plural = [
        (concern, s)
        for concern, pools in phrasings._SCENARIOS.items()
        for s in pools["situations"]
        if s.get("plural")
    ]
    assert len(plural) >= 50
    for concern, situation in plural:
        topic = re.sub(r"\\\{\w+\\\}", r"[\\w' -]+", re.escape(phrasings.second_person(situation["topic"])))
        verb = "(?:has|is|sounds|seems|feels|gets|weighs)"
        wrong = re.compile(
            rf"(?<!with )(?<!through )(?<!about )(?<!of )\b{topic} {verb}\b|\b(?:has|is|does|What's) {topic}",
            re.IGNORECASE,
        )
        for row in [r for r in rows if r["concern"] == concern][:6]:
            turns = phrasings.compose(row | {"situation": situation["say"]})
            for turn in (turns["assistant_1"], turns["assistant_2"]):
                assert not wrong.search(turn), (situation["topic"], turn)


def test_assistant_turns_are_distinct_and_lexically_varied(records):
    assistant = [m.content for r in records for m in r.messages if m.role is Role.ASSISTANT]
    assert len(set(assistant)) / len(assistant) >= 0.9
    # The phrase library this replaced scored 0.0013 over the default run; the frames before the
    # specifics pools (towns, hobbies, places, occasions, first names), 0.156; before the second turn's
    # feelings, follow-up questions and the larger counsellor pools, 0.196; before the second round of
    # situations, feelings and short psychoeducation texts per concern, 0.226. Now 0.245.
    assert distinct_3(assistant) >= 0.24


def test_a_few_hundred_conversations_are_varied_and_keep_the_empathy_style():
    """Variety must not cost the EARS style: over one fixed shard, the counsellor's word trigrams are
    more varied than before the second turn's feelings and follow-up questions (0.411) and before the
    second round of situations per concern (0.449; now 0.476), and all but a handful of assistant
    turns pass the gate (99.4% over the default run: about 4 of this shard's 600)."""
    records, _ = therapeutic.synthesize(300, run_seed=3, shard_index=4)
    assistant = [m.content for r in records for m in r.messages if m.role is Role.ASSISTANT]
    assert distinct_3(assistant) >= 0.47
    scores = ears.score_pairs(
        [r.messages[i - 1].content for r in records for i in (1, 3)],
        [r.messages[i].content for r in records for i in (1, 3)],
        EarsSettings(),
    )
    failed = [score.failed for score in scores if not score.passed]
    assert len(failed) <= 0.01 * len(scores), failed


def test_the_counsellor_reflects_the_seekers_own_details():
    rows = engine.generate_rows(therapeutic.build_config(), 300, seed=5)
    for row in rows:
        turns = phrasings.compose(row)
        # The feeling the seeker ends up with: the sampled one, unless the situation ruled it out.
        assert phrasings._Conversation(row).yours["feeling"] in turns["assistant_1"]
        assert turns["assistant_1"].endswith("?") and turns["assistant_2"].endswith("?")
        # The second reply takes up what the seeker said in their second turn.
        said = set(_WORD.findall(phrasings.second_person(turns["user_2"]).lower()))
        replied = set(_WORD.findall(turns["assistant_2"].lower()))
        assert len(said & replied) >= 3, (turns["user_2"], turns["assistant_2"])


def test_generated_conversations_pass_ears(records):
    """Nearly every conversation passes; the few the learned scorers doubt (1.2% over 10,000, 2.2% on
    this fixture; never a pattern roadblock) are dropped by the gate like any other failure."""
    judged = ears.judge(records[:600], EarsSettings())
    failed = [(r.gates[-1].reasons, r.messages) for r in judged if not r.gates[-1].passed]
    assert len(failed) <= 0.03 * len(judged), failed
    learned = {"advice_without_autonomy_support", "no_acknowledgement"}
    assert all(reason.split(": ", 1)[1] in learned for reasons, _ in failed for reason in reasons), failed


def test_few_generated_conversations_read_as_a_crisis(records):
    """A flagged conversation is rerouted to the edge-case set and lost to this one, so the seeker's
    everyday details must not read as risk (2.7% of conversations were flagged before the specifics
    pools; about 1% are now)."""
    verdicts = crisis.check(records, CrisisSettings())
    assert sum(not verdict.passed for verdict in verdicts) / len(records) <= 0.02


def test_nothing_the_counsellor_says_back_reads_as_a_directive():
    """Seeker phrases turned to the second person must not become "you should ..." orders, nor a
    roadblock ("you're lying in bed" reads as "you're lying")."""
    texts = [text for parts in CONCERNS.values() for items in parts.values() for text in items]
    texts += [
        text
        for column in ("confidant", "outcome", "moment", "reaction", "body")
        for text in phrasings.SHARED[column]
    ]
    for text in texts:
        said = phrasings.second_person(text)
        assert not _ORDER.search(said), said
        assert not (ears_patterns.confrontation(said) or ears_patterns.judgement(said)), said


@pytest.mark.parametrize(
    ("seeker", "reflected"),
    [
        ("I was mugged and my bag was taken", "you were mugged and your bag was taken"),
        ("we lost our dog and I'm still sad", "you lost your dog and you're still sad"),
        ("my sister and I haven't spoken", "your sister and you haven't spoken"),
        ("it makes me doubt myself", "it makes you doubt yourself"),
    ],
)
def test_second_person(seeker, reflected):
    assert phrasings.second_person(seeker) == reflected


def test_the_llm_config_receives_the_sampled_scenario():
    columns = {
        c.name
        for c in therapeutic.build_config(LlmSettings(base_url="http://127.0.0.1:9/v1", model="m"))
        .build()
        .columns
    }
    assert {
        "situation",
        "feeling",
        "timeline",
        "tried",
        "outcome",
        "worst",
        "situation_text",
        "feeling_text",
    } <= columns
    assert set(therapeutic.TURN_COLUMNS) <= columns


def test_rows_the_engine_drops_or_mangles_are_quarantined(monkeypatch):
    real = engine.generate_rows

    def lossy(builder, count, seed):
        rows = real(builder, count, seed)[: count - 2]
        rows[0] = {k: v for k, v in rows[0].items() if k != "situation"}
        return rows

    monkeypatch.setattr(engine, "generate_rows", lossy)
    records, rejects = therapeutic.synthesize(10, run_seed=1, shard_index=0)
    assert len(records) == 7
    reasons = sorted(r.reasons[0] for r in rejects)
    assert reasons[:2] == ["generator dropped the row (requested, not produced)"] * 2
    assert "situation" in reasons[2]


def test_row_to_record_refuses_an_empty_turn():
    with pytest.raises(ValueError, match="user_2"):
        therapeutic.row_to_record(
            {
                "user_1": "a",
                "assistant_1": "b",
                "user_2": "",
                "assistant_2": "c",
                "concern": "x",
                "severity": "y",
                "strategy": "z",
            },
            seed=0,
        )
