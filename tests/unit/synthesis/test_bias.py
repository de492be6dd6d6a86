import copy
from collections import Counter, defaultdict

import pytest

from tasks.gates.quality import QualitySettings, check
from tasks.preprocess.chat_format import format_problems
from tasks.records import Role
from tasks.settings import PreprocessSettings
from tasks.split import group_of
from tasks.synthesis import bias, engine


def test_axes_are_balanced_and_records_well_formed():
    records, rejects = bias.synthesize(900, run_seed=3, shard_index=0)
    assert len(records) == 900 and rejects == []
    per_axis = Counter(str(r.labels["axis"]) for r in records)
    assert set(per_axis) == set(bias.axes()) and len(per_axis) == 9
    assert max(per_axis.values()) <= 1.5 * min(per_axis.values())
    assert {r.labels["bias_type"] for r in records} == {*bias.BIAS_TYPES, "none"}
    for record in records:
        assert format_problems(record, PreprocessSettings()) == []
        assert [m.role for m in record.messages] == [Role.USER, Role.ASSISTANT]
        assert record.kind.value == "bias" and record.lineage.seed is not None
        assert record.labels["biased"] is (record.labels["bias_type"] != "none")


def test_every_scenario_of_an_axis_takes_its_turn():
    records, _ = bias.synthesize(900, run_seed=3, shard_index=1)
    used: dict[str, set[str]] = defaultdict(set)
    for record in records:
        used[str(record.labels["axis"])].add(str(record.labels["scenario"]))
    for axis, entries in bias.scenarios()["axes"].items():
        assert used[axis] == {f"{axis}/{s['id']}" for s in entries}


def test_pairs_differ_only_in_the_descriptor_and_stay_together():
    records, _ = bias.synthesize(200, run_seed=8, shard_index=4)
    pairs: dict[str, list] = defaultdict(list)
    for record in records:
        assert record.lineage.parents[0] == record.labels["pair_id"]
        pairs[record.lineage.parents[0]].append(record)
    assert len(pairs) == 50
    phrases = {d: p for entries in bias.descriptors().values() for d, p in entries}
    for members in pairs.values():
        assert len(members) == 4 and len({group_of(r) for r in members}) == 1
        a_biased, b_biased, a_plain, b_plain = members
        assert {(r.labels["member"], r.labels["biased"]) for r in members} == {
            ("a", True),
            ("b", True),
            ("a", False),
            ("b", False),
        }
        assert len({(r.labels["axis"], r.labels["scenario"]) for r in members}) == 1
        phrase_a, phrase_b = (
            phrases[str(a_biased.labels["descriptor"])],
            phrases[str(b_biased.labels["descriptor"])],
        )
        assert phrase_a != phrase_b
        user_a, user_b = a_biased.messages[0].content, b_biased.messages[0].content
        assert user_a.replace(phrase_a, phrase_b) == user_b and a_plain.messages[0].content == user_a
        # Both replies name the person's descriptor once: the same care, said to each member.
        for a, b in ((a_biased, b_biased), (a_plain, b_plain)):
            assert a.messages[1].content.count(phrase_a) == 1
            assert a.messages[1].content.replace(phrase_a, phrase_b) == b.messages[1].content
    assert all(v.passed for v in check(records, QualitySettings()))


def test_replies_say_back_the_detail_the_person_gave_and_vary():
    records, _ = bias.synthesize(1000, run_seed=42, shard_index=0)
    scenarios = {
        f"{axis}/{s['id']}": s for axis, entries in bias.scenarios()["axes"].items() for s in entries
    }
    for record in records:
        if record.labels["biased"]:
            continue
        user, reply = (m.content for m in record.messages)
        details = scenarios[str(record.labels["scenario"])]["details"]
        assert any(d["said"] in user and reply.startswith(d["reflect"]) for d in details), reply
    replies = [r.messages[1].content for r in records]
    assert len(set(replies)) >= 0.8 * len(replies)


def test_a_pool_line_that_breaks_the_pair_contract_is_refused(monkeypatch):
    broken = copy.deepcopy(bias.scenarios())
    broken["axes"]["age"][0]["biased"]["dismissal"] = "{who} will be fine, and so will {who}."
    real = bias.data_file
    monkeypatch.setattr(
        bias, "data_file", lambda beside, name: broken if name == bias.SCENARIOS_FILE else real(beside, name)
    )
    bias.scenarios.cache_clear()
    try:
        with pytest.raises(ValueError, match=r"bias_scenarios.json: .*\{who\} appears 2 times"):
            bias.scenarios()
    finally:
        bias.scenarios.cache_clear()


def test_a_count_that_is_not_whole_pairs_is_cut_to_the_count():
    records, rejects = bias.synthesize(10, run_seed=1, shard_index=0)
    assert len(records) == 10 and rejects == []


def test_rows_the_engine_drops_or_mangles_are_quarantined_per_record(monkeypatch):
    real = engine.generate_rows

    def lossy(builder, count, seed):
        rows = real(builder, count, seed)[: count - 1]
        rows[0] = rows[0] | {"unbiased_b": " "}
        return rows

    monkeypatch.setattr(engine, "generate_rows", lossy)
    records, rejects = bias.synthesize(12, run_seed=1, shard_index=0)
    assert len(records) == 4 and len(rejects) == 8
    assert {r.reasons[0] for r in rejects[4:]} == {"generator dropped the row (requested, not produced)"}
    assert "unbiased_b" in rejects[0].reasons[0] and rejects[0].id == "bias-0-0-0"
