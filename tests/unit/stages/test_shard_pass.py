from tasks.gates.gate_settings import GateSettings
from tasks.preprocess.dedup import Duplicate, Fingerprint
from tasks.records import QuarantineItem, Record, RecordKind
from tasks.settings import PreprocessSettings
from tasks.shards import read_models, write_shard
from tasks.stages.copies import Copy
from tasks.stages.shard_pass import pass_shard
from tests.factories import make_record

EMPATHIC = "That sounds really stressful, and it makes sense that it's on your mind. What worries you most?"
GOOD = make_record(user="My exams are next week and I can't focus at all.", assistant=EMPATHIC)
FRENCH = make_record(
    user="Je n'arrive plus à dormir depuis que j'ai perdu mon travail, et je me sens complètement seul.",
    assistant="Cela doit être très difficile pour vous. Qu'est-ce qui vous pèse le plus en ce moment ?",
)
PHONE = make_record(user="Call me on 555-867-5309, my exams are next week and I panic.", assistant=EMPATHIC)
HARMFUL = make_record(
    user="My exams are next week and I can't focus.",
    assistant="Just take a few extra pills of your sleeping medication, nobody will notice.",
)
CRISIS = make_record(user="I want to kill myself tonight, I have the pills ready.", assistant=EMPATHIC)


def test_one_pass_keeps_quarantines_and_counts_every_record_by_stage(tmp_path):
    records = [GOOD, FRENCH, PHONE, HARMFUL, CRISIS]
    shard = write_shard(tmp_path / "in.jsonl", records)

    passed = pass_shard.fn(shard, "s", PreprocessSettings(), GateSettings(), [], {}, str(tmp_path / "work"))

    kept = list(read_models(passed.kept, Record))
    quarantined = {
        stage: {q.id: q for q in read_models(ref, QuarantineItem)} for stage, ref in passed.quarantine.items()
    }
    assert [r.id for r in kept] == [GOOD.id, PHONE.id]
    assert "555-867-5309" not in kept[1].messages[0].content and passed.pii
    assert list(quarantined["preprocess"]) == [FRENCH.id]
    assert quarantined["preprocess"][FRENCH.id].reasons[0].startswith("language: written in 'fr'")
    assert HARMFUL.id in quarantined["gates"] and len(quarantined["gates"]) == 2  # the rerouted crisis too
    rerouted = next(q for q in quarantined["gates"].values() if q.id != HARMFUL.id)
    assert rerouted.kind == RecordKind.EDGE_CASE.value
    assert {stage: c["therapeutic"].model_dump() for stage, c in passed.counts.items()} == {
        "preprocess": {"entered": 5, "kept": 4, "quarantined": 1, "deduplicated": 0},
        "gates": {"entered": 4, "kept": 2, "quarantined": 2, "deduplicated": 0},
    }
    assert passed.tallies["language"]["therapeutic"].failed == 1
    assert passed.tallies["crisis"]["edge_case"].failed == 1
    prints = list(read_models(passed.fingerprints, Fingerprint))
    assert [p.id for p in prints] == [r.id for r in kept]
    assert {"read", "normalise+pii", "chat_format+language", "gates", "fingerprints", "write"} == set(
        passed.seconds
    )


def test_the_same_shard_gives_the_same_files(tmp_path):
    shard = write_shard(tmp_path / "in.jsonl", [GOOD, FRENCH, PHONE, HARMFUL, CRISIS])
    runs = [
        pass_shard.fn(shard, "s", PreprocessSettings(), GateSettings(), [], {}, str(tmp_path / f"work{i}"))
        for i in range(2)
    ]
    first, second = (r.model_dump(exclude={"seconds"}) for r in runs)
    assert {k: v for k, v in first.items() if k not in ("kept", "fingerprints", "quarantine")} == {
        k: v for k, v in second.items() if k not in ("kept", "fingerprints", "quarantine")
    }
    assert runs[0].kept.sha256 == runs[1].kept.sha256
    assert runs[0].quarantine["gates"].sha256 == runs[1].quarantine["gates"].sha256


def test_copies_the_plan_names_are_listed_as_duplicates_and_never_judged(tmp_path):
    copy = GOOD.model_copy(update={"id": "copy-of-good"})
    shard = write_shard(tmp_path / "in.jsonl", [GOOD, copy, HARMFUL])
    listed = Copy(line=1, id="copy-of-good", kind="therapeutic", duplicate_of=GOOD.id)
    copies = write_shard(tmp_path / "copies.jsonl", [listed])

    passed = pass_shard.fn(
        shard, "s", PreprocessSettings(), GateSettings(), [], {}, str(tmp_path / "work"), copies=copies
    )

    assert [r.id for r in read_models(passed.kept, Record)] == [GOOD.id]
    assert passed.duplicates is not None
    assert list(read_models(passed.duplicates, Duplicate)) == [
        Duplicate(id="copy-of-good", kind="therapeutic", duplicate_of=GOOD.id)
    ]
    assert {stage: c["therapeutic"].model_dump() for stage, c in passed.counts.items()} == {
        "preprocess": {"entered": 3, "kept": 2, "quarantined": 0, "deduplicated": 1},
        "gates": {"entered": 2, "kept": 1, "quarantined": 1, "deduplicated": 0},
    }
    assert passed.tallies["ears"]["therapeutic"].evaluated == 2
