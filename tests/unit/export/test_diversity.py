import random

import pytest

from tasks.export import diversity as diversity_module
from tasks.export.diversity import (
    MAX_CATEGORY_VALUES,
    NGRAMS,
    SAMPLE_TURNS,
    cosine_distance,
    diversity,
    diversity_report,
    human_reference,
)
from tasks.records import Message, RecordKind, Role
from tasks.shards import write_shard
from tests.factories import make_record

# The scalar figures, which the human reference holds too; a version's report adds `words_per_turn`.
FIGURES = {"turns", "distinct_turns", "distinct_1", "distinct_2", "distinct_3", "sampled", "cosine_distance"}
VARIED = [
    "I keep arguing with my sister about our mother's care.",
    "My exam results came back and I failed chemistry again.",
    "The dog died last week and the house feels empty.",
    "Work moved me to nights and I have not slept properly since.",
    "My best friend stopped answering my messages after the wedding.",
    "We are moving cities and my son refuses to talk about it.",
]


def labelled(user, **labels):
    return make_record(user=user).model_copy(update={"labels": labels})


def test_distinct_n_and_distinct_turns_are_counted_per_speaker_within_turns():
    report = diversity(
        [make_record("the cat sat", "hello there friend"), make_record("The cat, ran!", "hello there friend")]
    )
    user, assistant = report["therapeutic"]["user"], report["therapeutic"]["assistant"]
    # "the cat sat", "the cat ran": 4 of 6 words, 3 of 4 pairs ("sat the" straddles two turns, so it is
    # no pair), 2 of 2 triples; case and punctuation are not words.
    assert (user["turns"], user["distinct_turns"]) == (2, 1.0)
    assert (user["distinct_1"], user["distinct_2"], user["distinct_3"]) == (0.6667, 0.75, 1.0)
    assert (assistant["turns"], assistant["distinct_turns"]) == (2, 0.5)
    assert (assistant["distinct_1"], assistant["distinct_2"], assistant["distinct_3"]) == (0.5, 0.5, 0.5)


def test_system_turns_are_not_counted():
    record = make_record("a b", "c d")
    prompted = record.model_copy(
        update={"messages": (Message(role=Role.SYSTEM, content="x y"), *record.messages)}
    )
    assert diversity([prompted]) == diversity([record])


def test_repetition_lowers_every_figure():
    varied = diversity([make_record(user=text, assistant=f"You said: {text}") for text in VARIED])[
        "therapeutic"
    ]
    repeated = diversity([make_record() for _ in VARIED])["therapeutic"]
    for role in ("user", "assistant"):
        assert set(varied[role]) == FIGURES | {"words_per_turn"}
        assert sum(varied[role]["words_per_turn"]["counts"]) == varied[role]["turns"] == len(VARIED)
        assert varied[role]["distinct_turns"] == 1.0 and repeated[role]["distinct_turns"] == round(1 / 6, 4)
        for n in NGRAMS:
            assert varied[role][f"distinct_{n}"] > repeated[role][f"distinct_{n}"]
        assert repeated[role]["cosine_distance"] == 0.0
        assert varied[role]["cosine_distance"] > 0.05


def test_cosine_distance_is_zero_for_one_meaning_and_grows_with_different_ones():
    assert cosine_distance(["I feel so alone tonight."] * 5) == 0.0
    close = cosine_distance(["I feel so alone tonight.", "I feel so lonely tonight."])
    apart = cosine_distance(["I feel so alone tonight.", "The quarterly invoice is attached below."])
    assert 0 < close < apart
    assert cosine_distance(["only one"]) is None


def test_the_sample_is_bounded_and_chosen_by_content_so_shard_order_does_not_matter(tmp_path):
    records = [
        make_record(user=f"{VARIED[i % 6]} It began {i} days ago.", assistant=VARIED[i % 5])
        for i in range(SAMPLE_TURNS + 100)
    ]
    random.Random(0).shuffle(records)
    first = write_shard(tmp_path / "a.jsonl", records[:250])
    second = write_shard(tmp_path / "b.jsonl", records[250:])
    forward = diversity_report.fn([first, second])
    assert forward == diversity_report.fn([second, first]) == diversity(reversed(records))
    assert forward["therapeutic"]["user"]["sampled"] == SAMPLE_TURNS
    assert forward["therapeutic"]["assistant"]["distinct_turns"] == round(5 / len(records), 4)


def test_batching_and_merging_digests_do_not_change_the_figures(monkeypatch):
    records = [make_record(user=f"{VARIED[i % 6]} Day {i % 7}.", assistant=VARIED[i % 4]) for i in range(40)]
    whole = diversity(records)
    monkeypatch.setattr(diversity_module, "_BATCH_TURNS", 3)
    monkeypatch.setattr(diversity_module, "_MERGE_AT", 5)
    assert diversity(records) == whole


def test_categorical_labels_are_counted_and_identifiers_are_not():
    records = [labelled("a b", concern="grief", pair=f"p{i}") for i in range(MAX_CATEGORY_VALUES + 1)]
    records.append(labelled("c d", concern="sleep", pair="x"))
    report = diversity(records)["therapeutic"]
    assert report["labels"] == {"concern": {"grief": MAX_CATEGORY_VALUES + 1, "sleep": 1}}


def test_kinds_are_reported_separately():
    report = diversity([make_record(), make_record(kind=RecordKind.BIAS)])
    assert set(report) == {"bias", "therapeutic"}


@pytest.mark.parametrize("corpus", ["ESConv", "CounselChat"])
def test_the_human_reference_holds_the_same_figures_and_no_text(corpus):
    figures = human_reference()["corpora"][corpus]
    assert set(figures) == {"about", "records", "assistant", "user"}
    for role in ("assistant", "user"):
        assert set(figures[role]) == FIGURES
        assert all(isinstance(value, int | float) for value in figures[role].values())
    assert figures["assistant"]["distinct_turns"] > 0.9 and figures["assistant"]["sampled"] == SAMPLE_TURNS


def test_turn_lengths_are_counted_in_bands_of_ten_words_the_last_holding_every_longer_turn():
    short, long = "three words here", " ".join(["word"] * 200)
    figures = diversity([make_record(user=short, assistant=long)])["therapeutic"]
    assert figures["user"]["words_per_turn"]["counts"][0] == 1
    assert figures["assistant"]["words_per_turn"] == {"bin_words": 10, "counts": [0] * 15 + [1]}
