import pytest

from tasks.preprocess.chat_format import format_problems
from tasks.records import Role
from tasks.settings import GatingSettings
from tasks.synthesis import engine, therapeutic
from tasks.synthesis.phrasings import CONCERNS, STRATEGIES


def test_conversations_are_well_formed_and_labelled():
    records, rejects = therapeutic.synthesize(200, run_seed=3, shard_index=1)
    assert len(records) == 200 and rejects == []
    for record in records:
        assert format_problems(record, GatingSettings()) == []
        assert [m.role for m in record.messages] == [Role.USER, Role.ASSISTANT] * 2
        assert record.labels["concern"] in CONCERNS and record.labels["strategy"] in STRATEGIES
        assert record.lineage.seed is not None and record.kind.value == "therapeutic"
    assert len({r.labels["concern"] for r in records}) == len(CONCERNS)


def test_rows_the_engine_drops_or_mangles_are_quarantined(monkeypatch):
    real = engine.generate_rows

    def lossy(builder, count, seed):
        rows = real(builder, count, seed)[: count - 2]
        rows[0] = rows[0] | {"assistant_1": "   "}
        return rows

    monkeypatch.setattr(engine, "generate_rows", lossy)
    records, rejects = therapeutic.synthesize(10, run_seed=1, shard_index=0)
    assert len(records) == 7
    reasons = sorted(r.reasons[0] for r in rejects)
    assert reasons[:2] == ["generator dropped the row (requested, not produced)"] * 2
    assert "assistant_1" in reasons[2]


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
