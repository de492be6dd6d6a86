"""The EARS training script's evaluation logic: labels per source, source-held-out folds, proxy sets."""

import json

import numpy as np
import pytest

from tasks.gates.training.ears import (
    GOLD_SOURCES,
    Reply,
    Turn,
    auc,
    best_threshold,
    failed_esconv_turns,
    fold,
    label_of,
    proxy_sets,
)


def turn(source: str, split: str, label: str, text: str = "") -> Turn:
    return Turn(text or f"{source} {split} {label}", label, source, split, f"{source}:{split}")


TURNS = [
    turn("esconv", "train", "Question"),  # 0
    turn("esconv", "dev", "Others"),  # 1
    turn("esconv", "test", "Question"),  # 2
    turn("ed", "train", "questioning"),  # 3
    turn("ed", "dev", "neutral"),  # 4
    turn("ed", "test", "suggesting"),  # 5
    turn("ed", "train", "wishing"),  # 6: ambiguous for acknowledgement, a negative for exploration
    turn("failedesconv", "test", "Question"),  # 7
    turn("ed_manual", "test", "questioning"),  # 8
    turn("ed_manual", "test", "disapproving"),  # 9
]


def test_labels_follow_each_sources_scheme_and_leave_ambiguous_turns_out():
    assert label_of(TURNS[0], "exploration") == 1
    assert label_of(TURNS[1], "exploration") == 0
    assert label_of(TURNS[7], "exploration") == 1  # FailedESConv uses ESConv's strategies
    assert label_of(TURNS[8], "exploration") == 1 and label_of(TURNS[9], "exploration") == 0
    assert label_of(TURNS[6], "acknowledgement") is None
    assert label_of(TURNS[6], "exploration") == 0
    assert label_of(turn("counselchat", "test", "anything"), "exploration") is None


def test_a_held_out_source_is_tested_whole_and_never_trained_or_tuned_on():
    split = fold(TURNS, "exploration", held_out="esconv")
    assert split.train == [3, 6] and split.dev == [4]
    assert split.tests == {"esconv": [0, 1, 2], "failedesconv": [7], "ed_manual": [8, 9]}
    other = fold(TURNS, "exploration", held_out="ed")
    assert other.train == [0] and other.dev == [1]
    assert other.tests == {"ed": [3, 4, 5, 6], "failedesconv": [7], "ed_manual": [8, 9]}


def test_the_shipped_fold_trains_on_every_source_and_tests_on_test_splits_and_gold():
    split = fold(TURNS, "acknowledgement")
    assert split.train == [0, 3] and split.dev == [1, 4]  # turn 6 is ambiguous for acknowledgement
    assert split.tests == {"esconv": [2], "ed": [5], "failedesconv": [7], "ed_manual": [8, 9]}
    for rows in (split.train, split.dev):
        assert not {TURNS[i].source for i in rows} & set(GOLD_SOURCES)


def test_only_a_trained_source_can_be_held_out():
    with pytest.raises(ValueError, match="can be held out"):
        fold(TURNS, "exploration", held_out="failedesconv")


def test_failed_esconv_turns_map_the_older_strategy_names(tmp_path):
    conversation = {
        "dialog": [
            {"speaker": "speaker", "annotation": {}, "content": "I feel awful.\n"},
            {"speaker": "listener", "annotation": {"strategy": "Questions"}, "content": "What happened?"},
            {"speaker": "listener", "annotation": {"strategy": "Direct Guidance"}, "content": "Go outside."},
            {"speaker": "listener", "annotation": {"strategy": "Other"}, "content": "  "},
        ]
    }
    path = tmp_path / "FailedESConv.json"
    path.write_text(json.dumps([conversation]))
    turns = failed_esconv_turns(path)
    assert [(t.label, t.source, t.split) for t in turns] == [
        ("Question", "failedesconv", "test"),
        ("Providing Suggestions", "failedesconv", "test"),
    ]


def test_proxy_sets_pair_strongly_empathic_with_non_empathic_replies():
    def reply(labels: set[str], rating: int | None, feedback: int | None) -> Reply:
        return Reply("seeker", f"{labels} {rating} {feedback}", frozenset(labels), "c", rating, feedback)

    praised, cold, lukewarm = reply(set(), 5, 5), reply(set(), 2, 1), reply(set(), 3, 1)
    shaped = reply({"Reflection of feelings", "Question"}, 4, None)
    acknowledging = reply({"Affirmation and Reassurance"}, 5, None)
    low = reply({"Reflection of feelings", "Question"}, 3, None)
    manual = [("sympathizing", "So sorry."), ("advising", "Just leave."), ("questioning", "Why?")]
    sets = proxy_sets([shaped, acknowledging, low], [praised, cold, lukewarm], manual)
    assert sets["failedesconv_feedback5_empathy_ge4_vs_feedback1_empathy_le2"] == ([praised], [cold])
    assert sets["esconv_test_ack_and_question_empathy_ge4_vs_failedesconv_non_empathic"] == ([shaped], [cold])
    assert sets["esconv_test_acknowledging_empathy_ge4_vs_failedesconv_non_empathic"][0] == [
        shaped,
        acknowledging,
    ]
    empathic, other = sets["ed_manual_empathic_vs_disapproving_opinion_advice"]
    assert [r.response for r in empathic] == ["So sorry."] and [r.response for r in other] == ["Just leave."]


def test_auc_ranks_and_needs_both_classes():
    assert auc(np.asarray([0.9, 0.8, 0.1]), [1, 1, 0]) == 1.0
    assert auc([0.1, 0.9], [1, 0]) == 0.0
    assert auc([0.5, 0.5], [1, 0]) == 0.5
    assert auc([0.2, 0.3], [1, 1]) is None


def test_the_threshold_is_the_middle_of_the_kappa_plateau_not_its_noisiest_point():
    labels = np.asarray([0] * 50 + [1] * 50)
    # Perfectly separated: every threshold in (0.29, 0.70] has kappa 1, and 0.50 is their middle.
    probabilities = np.asarray([0.29] * 50 + [0.70] * 50)
    threshold, kappa = best_threshold(probabilities, labels)
    assert kappa == 1.0 and threshold == 0.5
