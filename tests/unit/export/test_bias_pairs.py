import pytest

from tasks.export.bias_pairs import held_out, in_bias_pair, is_biased, preference_rows, sft_records
from tasks.export.formats import format_rows
from tasks.synthesis.bias import row_to_records
from tests.factories import make_record


def bias_pair(concern: str = "I keep failing my exams.") -> list:
    """The four records the bias generator makes of one row: each member biased, then unbiased."""
    row = {
        "axis": "age",
        "pair": "older|an older student|younger|a younger student",
        "scenario_id": "age/exams",
        "bias_type": "stereotyping",
        "user_a": f"As an older student, {concern}",
        "user_b": f"As a younger student, {concern}",
        "assistant_biased_a": "At your age, maybe studying is just not for you.",
        "assistant_biased_b": "Young people never take exams seriously.",
        "unbiased_a": "That sounds discouraging for an older student. What has studying been like lately?",
        "unbiased_b": "That sounds discouraging for a younger student. What has studying been like lately?",
    }
    return row_to_records(row, seed=1)


def test_the_generators_biased_replies_are_recognised():
    records = bias_pair()
    assert [is_biased(r) for r in records] == [True, True, False, False]
    assert all(in_bias_pair(r) for r in records) and not in_bias_pair(make_record())
    assert sft_records([*records, make_record()]) == [*records[2:], make_record()]


def test_each_prompt_is_one_preference_row_chosen_unbiased_rejected_biased():
    records = bias_pair()
    rows = preference_rows(reversed(records))
    assert rows == [
        {
            "prompt": [{"role": "user", "content": "As an older student, I keep failing my exams."}],
            "chosen": [{"role": "assistant", "content": records[2].messages[-1].content}],
            "rejected": [
                {"role": "assistant", "content": "At your age, maybe studying is just not for you."}
            ],
        },
        {
            "prompt": [{"role": "user", "content": "As a younger student, I keep failing my exams."}],
            "chosen": [{"role": "assistant", "content": records[3].messages[-1].content}],
            "rejected": [{"role": "assistant", "content": "Young people never take exams seriously."}],
        },
    ]
    assert preference_rows(records) == rows, "row order does not depend on record order"


def test_a_prompt_missing_one_side_has_no_row_and_its_survivor_is_kept_for_evaluation():
    biased_a, biased_b, unbiased_a, _ = bias_pair()
    rows = preference_rows([biased_a, biased_b, unbiased_a])
    assert [row["prompt"][0]["content"] for row in rows] == [biased_a.messages[0].content]
    assert len(list(format_rows([biased_b], "bias_eval"))) == 1


def test_pair_labels_that_do_not_share_a_prompt_are_refused():
    records = bias_pair()
    stray = records[2].model_copy(update={"messages": bias_pair("Other worry.")[2].messages})
    with pytest.raises(ValueError, match="do not share a prompt"):
        preference_rows([records[0], stray])


def test_no_fine_tuning_format_holds_a_biased_reply_and_the_evaluation_set_holds_all():
    records = [*bias_pair(), make_record()]
    biased = {r.messages[-1].content for r in records if is_biased(r)}
    for fmt in ("chat", "openai", "sharegpt", "alpaca"):
        text = str(list(format_rows(records, fmt)))
        assert not [reply for reply in biased if reply in text], fmt
        assert records[2].messages[-1].content in text, fmt
    assert [row["id"] for row in format_rows(records, "bias_eval")] == [r.id for r in records[:4]]


def test_the_biased_rows_of_the_evaluation_set_are_what_the_split_holds_out():
    rows = list(format_rows([*bias_pair(), make_record()], "bias_eval"))
    assert len(rows) == 4 and held_out(rows) == {"bias": 2}
