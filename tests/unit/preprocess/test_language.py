from tasks.preprocess.language import check, sample
from tasks.preprocess.settings import LanguageSettings
from tasks.records import Lineage, Message, Record, RecordKind, Role, SourceRef

ENGLISH = (
    "I have been feeling really overwhelmed at work lately and I can't sleep properly. "
    "My manager keeps adding deadlines and I don't know how to tell him it's too much."
)
REPLY = (
    "That sounds exhausting, carrying all of that while you're short on sleep. "
    "What feels hardest about raising it with your manager?"
)
FRENCH = (
    "Je me sens vraiment dépassée au travail depuis quelques semaines et je n'arrive plus à dormir. "
    "Mon responsable ajoute sans cesse des échéances et je ne sais pas comment lui dire que c'est trop."
)


def conversation(*turns: str) -> Record:
    roles = [Role.USER, Role.ASSISTANT]
    return Record(
        id="r1",
        kind=RecordKind.THERAPEUTIC,
        messages=tuple(Message(role=roles[i % 2], content=t) for i, t in enumerate(turns)),
        source=SourceRef(type="conversation", uri="file:///corpus.jsonl"),
        lineage=Lineage(generator="test", version="1"),
    )


def test_english_passes_and_confident_french_is_refused() -> None:
    english, french = check([conversation(ENGLISH, REPLY), conversation(FRENCH, FRENCH)], LanguageSettings())
    assert english.passed
    assert not french.passed
    assert "'fr'" in french.reasons[0]


def test_a_conversation_too_short_to_judge_passes_with_that_reason() -> None:
    (verdict,) = check([conversation("ok", "hi")], LanguageSettings())
    assert verdict.passed and verdict.reasons == ("too short to judge",)


def test_sample_is_bounded_and_draws_from_every_turn() -> None:
    record = conversation(ENGLISH * 40, *(FRENCH, FRENCH) * 3)
    text = sample(record, 1_500)
    assert len(text) <= 1_500 + len(record.messages)
    assert text.startswith(ENGLISH[:50]) and FRENCH[:50] in text


def test_a_long_english_opening_does_not_hide_a_conversation_written_in_french() -> None:
    """Judged whole, 7,000 English characters outweigh the French turns; the per-turn sample does not."""
    (verdict,) = check([conversation(ENGLISH * 40, *(FRENCH, FRENCH) * 3)], LanguageSettings())
    assert not verdict.passed


def test_a_short_conversation_is_judged_whole() -> None:
    record = conversation(ENGLISH, REPLY)
    assert sample(record, 1_500) == f"{ENGLISH} {REPLY}"
