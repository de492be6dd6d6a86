from tasks.export.diversity import MAX_CATEGORY_VALUES, diversity
from tasks.records import RecordKind
from tests.factories import make_record


def labelled(user, **labels):
    return make_record(user=user).model_copy(update={"labels": labels})


def test_repetition_lowers_distinct_n():
    varied = diversity([make_record(user=f"story number {i} about a different day") for i in range(20)])
    repeated = diversity([make_record() for _ in range(20)])
    assert varied["therapeutic"]["distinct_1"] > repeated["therapeutic"]["distinct_1"]
    assert repeated["therapeutic"]["records"] == 20
    assert 0 < repeated["therapeutic"]["distinct_2"] < 0.1


def test_categorical_labels_are_counted_and_identifiers_are_not():
    records = [labelled("a b", concern="grief", pair=f"p{i}") for i in range(MAX_CATEGORY_VALUES + 1)]
    records.append(labelled("c d", concern="sleep", pair="x"))
    report = diversity(records)["therapeutic"]
    assert report["labels"] == {"concern": {"grief": MAX_CATEGORY_VALUES + 1, "sleep": 1}}


def test_kinds_are_reported_separately():
    report = diversity([make_record(), make_record(kind=RecordKind.BIAS)])
    assert set(report) == {"bias", "therapeutic"}
