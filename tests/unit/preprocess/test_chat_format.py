from tasks.preprocess.chat_format import format_problems
from tasks.records import Message, Role
from tasks.settings import PreprocessSettings
from tests.factories import make_record

SETTINGS = PreprocessSettings()


def with_messages(*pairs):
    record = make_record()
    return record.model_copy(update={"messages": tuple(Message(role=r, content=c) for r, c in pairs)})


def test_a_well_formed_conversation_has_no_problems():
    assert format_problems(make_record(), SETTINGS) == []


def test_every_problem_is_reported():
    record = with_messages((Role.ASSISTANT, "hello"), (Role.ASSISTANT, ""), (Role.USER, "x" * 5000))
    problems = format_problems(record, SETTINGS)
    assert "first turn is not from the user" in problems
    assert "last turn is not from the assistant" in problems
    assert "roles do not alternate between user and assistant" in problems
    assert any("turn 1 is empty" in p for p in problems)
    assert any("turn 2 has 5000 chars" in p for p in problems)


def test_a_leading_system_prompt_is_allowed_but_not_a_later_one():
    ok = with_messages((Role.SYSTEM, "be kind"), (Role.USER, "hi there"), (Role.ASSISTANT, "hello"))
    assert format_problems(ok, SETTINGS) == []
    bad = with_messages((Role.USER, "hi there"), (Role.SYSTEM, "be kind"), (Role.ASSISTANT, "hello"))
    assert "system message after the first turn" in format_problems(bad, SETTINGS)


def test_turn_count_bounds():
    single = with_messages((Role.USER, "hello?"))
    assert any("outside [2, 40]" in p for p in format_problems(single, SETTINGS))
