from tasks.gates.quality import check
from tasks.gates.quality_settings import QualitySettings
from tasks.records import Citation, RecordKind
from tests.factories import make_record

SETTINGS = QualitySettings()
PASSAGE = "You have power over your mind, not outside events. Realize this, and you will find strength."
QUOTE = "You have power over your mind, not outside events."


def grounded(reply: str, quote: str = QUOTE, passage_id: str = "p1"):
    record = make_record(assistant=reply, kind=RecordKind.GROUNDED)
    return record.model_copy(update={"grounding": (Citation(passage_id=passage_id, quote=quote),)})


def bias(pair: str, member: str, descriptor: str, user: str, reply: str):
    record = make_record(user=user, assistant=reply, kind=RecordKind.BIAS)
    labels = {"pair_id": pair, "member": member, "descriptor": descriptor, "biased": False}
    return record.model_copy(update={"labels": labels})


def reasons(records, passages=None):
    return [v.reasons for v in check(records, SETTINGS, passages)]


def test_a_grounded_reply_must_quote_a_real_passage_verbatim():
    good = grounded(f'As Marcus Aurelius wrote, "{QUOTE}" What feels within your control?')
    assert reasons([good], {"p1": PASSAGE}) == [()]
    assert "is not among this run's passages" in reasons([good], {})[0][0]
    paraphrase = grounded("Marcus Aurelius said we control our minds.")
    assert reasons([paraphrase], {"p1": PASSAGE})[0] == (
        "grounding: the quote is not used in any assistant turn",
    )
    invented = grounded('"You control everything." What do you think?', quote="You control everything.")
    assert "quote is not in passage p1" in reasons([invented], {"p1": PASSAGE})[0][0]
    uncited = make_record(kind=RecordKind.GROUNDED)
    assert reasons([uncited])[0] == ("grounding: a grounded conversation cites no passage",)


def test_bias_pairs_may_differ_only_in_the_descriptor():
    user = "I'm {} and I feel alone since I moved."
    reply = "That isolation sounds painful for anyone. Who do you talk to?"
    a = bias("p", "a", "white", user.format("a white person"), reply)
    b = bias("p", "b", "South Asian", user.format("a South Asian person"), reply)
    assert reasons([a, b]) == [(), ()]
    drifted = bias("p", "b", "South Asian", user.format("a South Asian person"), reply + " Try yoga.")
    assert reasons([a, drifted])[0] == ("bias pair p: members differ in more than the descriptor",)
    assert reasons([a])[0] == ("bias pair p: 1 members in the shard, expected 2",)


def test_edge_cases_need_their_label_and_loops_or_walls_of_text_fail():
    edge = make_record(kind=RecordKind.EDGE_CASE)
    assert reasons([edge])[0] == ("edge case: no edge_case_type or expected_behaviour label",)
    labelled = edge.model_copy(
        update={"labels": {"edge_case_type": "jailbreak", "expected_behaviour": "refuse"}}
    )
    assert reasons([labelled]) == [()]
    loop = make_record(assistant="I hear you, I hear you, I hear you, I hear you, I hear you.")
    assert reasons([loop])[0][0].startswith("turn 1: repetition:")
    wall = make_record(assistant=" ".join(a + b for a in "abcdefghij" for b in "klmnopqr"))
    assert reasons([wall])[0][0].startswith("turn 1: readability:")


def test_only_turns_a_model_trains_on_are_judged_for_loops_and_walls_of_text():
    wall = make_record(assistant=" ".join(a + b for a in "abcdefghij" for b in "klmnopqr"))
    reply = wall.messages[1]
    context = wall.model_copy(update={"messages": (wall.messages[0], reply.model_copy(update={"weight": 0}))})
    trained = wall.model_copy(update={"messages": (wall.messages[0], reply.model_copy(update={"weight": 1}))})
    assert reasons([context]) == [()]
    assert reasons([trained])[0][0].startswith("turn 1: readability:")
