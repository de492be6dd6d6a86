import pytest

from tasks.records import Role
from tasks.sourcing.conversation_turns import BadConversation
from tasks.sourcing.conversation_windows import normalise

U, A, S = Role.USER, Role.ASSISTANT, Role.SYSTEM


def shape(window) -> list[tuple[str, str]]:
    return [(m.role.value, m.content) for m in window]


def test_a_real_chat_is_merged_and_trimmed_and_every_step_is_counted():
    turns = [
        (A, "Hello, how are you today?"),
        (U, "hi"),
        (U, "not great, I lost my job "),
        (A, "I'm sorry, that is a lot."),
        (A, "What happened?"),
        (U, "they cut the team"),
        (A, "That sounds sudden."),
        (U, "thanks"),
        (U, "bye"),
    ]
    result = normalise(turns, max_turns=40)
    (window,) = result.windows
    assert shape(window) == [
        ("user", "hi\nnot great, I lost my job"),
        ("assistant", "I'm sorry, that is a lot.\nWhat happened?"),
        ("user", "they cut the team"),
        ("assistant", "That sounds sudden."),
    ]
    assert (result.merged, result.leading_trimmed, result.trailing_trimmed) == (2, 1, 2)
    assert len(window) + result.merged + result.leading_trimmed + result.trailing_trimmed == len(turns)


def test_a_long_session_is_cut_into_windows_of_whole_exchanges_each_with_the_system_prompt():
    turns = [(S, "Be kind.")] + [(role, f"{role.value} {n}") for n in range(7) for role in (U, A)]
    result = normalise(turns, max_turns=5)
    assert [len(w) for w in result.windows] == [5, 5, 5, 3]
    for window in result.windows:
        assert window[0].role is S and window[1].role is U and window[-1].role is A
    assert shape(result.windows[1])[1:] == [
        (role.value, f"{role.value} {n}") for n in (2, 3) for role in (U, A)
    ]
    assert result.messages == (result.windows[0][0], *(m for w in result.windows for m in w[1:]))


@pytest.mark.parametrize(
    ("turns", "reason"),
    [
        ([], "empty conversation (no turns)"),
        ([(A, "Hello!"), (A, "Anyone there?")], "no user turn for a reply to answer"),
        ([(A, "Hello!"), (U, "hi")], "no assistant turn to learn a reply from"),
        ([(U, "hi"), (A, "   ")], "turn 2 (assistant) is empty"),
        ([(U, "hi"), (S, "rules"), (A, "hello")], "turn 2 is a system turn after the conversation started"),
    ],
)
def test_only_what_cannot_be_mended_is_refused(turns, reason):
    with pytest.raises(BadConversation, match=f"^{reason}$".replace("(", r"\(").replace(")", r"\)")):
        normalise(turns, max_turns=40)
