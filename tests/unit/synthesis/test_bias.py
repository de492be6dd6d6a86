from collections import Counter, defaultdict

from tasks.preprocess.chat_format import format_problems
from tasks.records import Role
from tasks.settings import GatingSettings
from tasks.split import group_of
from tasks.synthesis import bias, engine
from tasks.synthesis.bias_phrasings import BIAS_TYPES


def test_axes_are_balanced_and_records_well_formed():
    records, rejects = bias.synthesize(900, run_seed=3, shard_index=0)
    assert len(records) == 900 and rejects == []
    per_axis = Counter(str(r.labels["axis"]) for r in records)
    assert set(per_axis) == set(bias.axes()) and len(per_axis) == 9
    assert max(per_axis.values()) <= 1.5 * min(per_axis.values())
    assert {r.labels["bias_type"] for r in records} == {*BIAS_TYPES, "none"}
    for record in records:
        assert format_problems(record, GatingSettings()) == []
        assert [m.role for m in record.messages] == [Role.USER, Role.ASSISTANT]
        assert record.kind.value == "bias" and record.lineage.seed is not None
        assert record.labels["biased"] is (record.labels["bias_type"] != "none")


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
        assert len({(r.labels["axis"], r.labels["template"], r.labels["concern"]) for r in members}) == 1
        phrase_a, phrase_b = (
            phrases[str(a_biased.labels["descriptor"])],
            phrases[str(b_biased.labels["descriptor"])],
        )
        assert phrase_a != phrase_b
        user_a, user_b = a_biased.messages[0].content, b_biased.messages[0].content
        assert user_a.replace(phrase_a, phrase_b) == user_b and a_plain.messages[0].content == user_a
        assert a_biased.messages[1].content.replace(phrase_a, phrase_b) == b_biased.messages[1].content
        assert a_plain.messages[1].content == b_plain.messages[1].content  # unbiased care is identical


def test_a_count_that_is_not_whole_pairs_is_cut_to_the_count():
    records, rejects = bias.synthesize(10, run_seed=1, shard_index=0)
    assert len(records) == 10 and rejects == []


def test_rows_the_engine_drops_or_mangles_are_quarantined_per_record(monkeypatch):
    real = engine.generate_rows

    def lossy(builder, count, seed):
        rows = real(builder, count, seed)[: count - 1]
        rows[0] = rows[0] | {"unbiased": " "}
        return rows

    monkeypatch.setattr(engine, "generate_rows", lossy)
    records, rejects = bias.synthesize(12, run_seed=1, shard_index=0)
    assert len(records) == 4 and len(rejects) == 8
    assert {r.reasons[0] for r in rejects[4:]} == {"generator dropped the row (requested, not produced)"}
    assert "unbiased" in rejects[0].reasons[0] and rejects[0].id == "bias-0-0-0"
