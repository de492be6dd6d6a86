from tasks.preprocess.near_dup import find_near_duplicates, signature, similarity
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
