from hypothesis import given
from hypothesis import strategies as st

from tasks.preprocess.dedup import Fingerprint, find_duplicates, fingerprint
from tasks.records import RecordKind, SourceRef
from tests.factories import make_record


def prints(*records):
    return [Fingerprint(fp=fingerprint(r), id=r.id, kind=r.kind.value, group=r.id) for r in records]


def test_fingerprint_ignores_case_and_spacing_but_not_words():
    a = make_record(user="I feel   lost")
    assert fingerprint(a) == fingerprint(make_record(user="i FEEL lost"))
    assert fingerprint(a) != fingerprint(make_record(user="I feel found"))


def test_cross_shard_duplicates_keep_the_lowest_id():
    one = make_record(user="same words")
    twin = make_record(user="same words", kind=RecordKind.BIAS)  # another kind, another id
    low, high = sorted([one, twin], key=lambda r: r.id)
    shards = [prints(high, make_record(user="unique")), prints(low)]
    assert find_duplicates(shards) == {(0, 0): low.id}


def test_identical_records_keep_the_first_occurrence():
    r = make_record()
    assert find_duplicates([prints(r), prints(make_record(user="x y z"), r)]) == {(1, 1): r.id}


@given(st.lists(st.integers(0, 15), max_size=60), st.integers(1, 7))
def test_the_kept_set_does_not_depend_on_the_shard_layout(texts, shard_size):
    records = [
        make_record(user=f"text {t}", source=SourceRef(type="synthetic", uri=f"u{i % 3}"))
        for i, t in enumerate(texts)
    ]

    def kept_ids(size):
        shards = [prints(*records[i : i + size]) for i in range(0, len(records), size)]
        dups = find_duplicates(shards)
        return sorted(
            p.id for s, shard in enumerate(shards) for line, p in enumerate(shard) if (s, line) not in dups
        )

    assert kept_ids(shard_size) == kept_ids(len(records) or 1)
    assert len(set(kept_ids(shard_size))) == len({f"text {t}" for t in texts})
