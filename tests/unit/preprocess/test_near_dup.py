import pytest
from datasketch import MinHash

from tasks.preprocess.near_dup import _SCHEME, _SEED, find_near_duplicates, shingles, signature, similarity
from tasks.records import RecordKind
from tests.factories import make_record

REPLY = (
    "That sounds exhausting, and it makes sense that you feel worn down. What keeps you awake most nights?"
)


def items(records):
    return [(i, r.kind.value, r.id, signature(r)) for i, r in enumerate(records)]


def test_a_one_word_variant_is_a_near_twin_of_the_lowest_id_and_distinct_texts_are_not():
    a = make_record(user="I can't sleep and I keep worrying about work every single night.", assistant=REPLY)
    b = make_record(
        user="I can't sleep and I keep worrying about work every single evening.", assistant=REPLY
    )
    other = make_record(
        user="My sister stopped talking to me after the wedding.", assistant="What happened there?"
    )
    assert similarity(signature(a), signature(b)) >= 0.8 > similarity(signature(a), signature(other))
    duplicates = find_near_duplicates(items([a, b, other]), threshold=0.8)
    keeper, twin = sorted([(a.id, 0), (b.id, 1)])
    assert duplicates == {twin[1]: keeper[0]}


def test_bias_pairs_are_exempt_and_kinds_are_compared_apart():
    a = make_record(user="I'm a white man and I feel alone since I moved.", kind=RecordKind.BIAS)
    b = make_record(user="I'm a Black man and I feel alone since I moved.", kind=RecordKind.BIAS)
    assert find_near_duplicates(items([a, b]), threshold=0.5) == {}
    c = make_record(user="I feel alone since I moved here last year.", kind=RecordKind.THERAPEUTIC)
    d = make_record(user="I feel alone since I moved here last year.", kind=RecordKind.GROUNDED)
    assert find_near_duplicates(items([c, d]), threshold=0.8) == {}


def test_signatures_do_not_depend_on_the_process():
    record = make_record()
    assert signature(record) == signature(record.model_copy())


@pytest.mark.parametrize("num_perm", [1, 7, 64, 128])
def test_signatures_are_datasketchs_minhash_values(num_perm):
    """The vectorised signature must equal datasketch's own: signatures of earlier runs are compared
    with new ones in the global near-duplicate pass, and checkpoints hold them."""
    records = [
        make_record(user="I can't sleep and I keep worrying about work every single night.", assistant=REPLY),
        make_record(user="ok", assistant="Tell me more."),
        make_record(user="ok", assistant="!"),  # under three words: the words are the shingles
        make_record(user="", assistant="…"),  # no words at all
        make_record(user="Über-tired… ça va? 眠れない", assistant="That sounds hard."),
    ]
    for record in records:
        minhash = MinHash(num_perm=num_perm, seed=_SEED, scheme=_SCHEME)
        minhash.update_batch(sorted(shingles(record)))
        assert signature(record, num_perm) == tuple(int(v) for v in minhash.hashvalues)
