"""The EARS gate on the shared development data (optional locally, required in CI)."""

from tasks.gates.ears import score_pairs
from tasks.gates.training.ears import ACKNOWLEDGING, esconv, failed_esconv
from tests.shared_data import shared_file


def test_rejects_at_least_90_percent_of_replies_seekers_rated_unempathic():
    """DESIGN.md: the gate rejects >= 90% of human replies labelled as showing no empathy in data it was
    not tuned on. FailedESConv was never trained or tuned on; its labels: the seeker rated the
    supporter's empathy 1-2 of 5 and this reply's helpfulness 1 of 5."""
    replies = failed_esconv(shared_file("conversations/esconv/FailedESConv.json"))
    unempathic = [r for r in replies if r.feedback == 1 and r.rating is not None and r.rating <= 2]
    results = score_pairs([r.seeker for r in unempathic], [r.response for r in unempathic])
    rejected = sum(not r.passed for r in results)
    assert len(unempathic) >= 150
    assert rejected / len(unempathic) >= 0.90, f"{rejected}/{len(unempathic)} rejected"


def test_passes_most_held_out_replies_that_acknowledge_and_ask():
    """ESConv test-split replies (never trained on) that the supporter labelled as acknowledging and
    questioning, in conversations the seeker rated 4-5 for empathy: the gate must not reject them
    wholesale (measured 0.60; the labels are per-turn strategies, so some such replies do neither)."""
    files = [shared_file(f"conversations/esconv/{split}.jsonl") for split in ("train", "valid", "test")]
    _, held_out = esconv(files[0].parent)
    shaped = [
        r
        for r in held_out
        if r.rating is not None and r.rating >= 4 and r.labels & ACKNOWLEDGING and "Question" in r.labels
    ]
    passed = sum(r.passed for r in score_pairs([r.seeker for r in shaped], [r.response for r in shaped]))
    assert len(shaped) >= 50
    assert passed / len(shaped) >= 0.5, f"{passed}/{len(shaped)} passed"
