import pytest

from tasks.gates import content_filter, crisis_lexicon, ears_patterns
from tasks.gates.char_tables import CharTable

TEXTS = (
    "",
    "plain words only",
    "Don't! (really) -- ok?; fine, 100% #1 @home $5 a_b [x] {y} <z> ~`^|\\/",
    "“Quoted” ‘single’ it’s — dash… • bullet\u00a0nbsp",
    "ascii then café",
    "\t\nlines\r\n",
)
GATE_TABLES = (
    crisis_lexicon._SYMBOLS,
    crisis_lexicon._PUNCTUATION,
    ears_patterns._QUOTES,
    content_filter._CLAUSE_MARKS,
)


@pytest.mark.parametrize("table", GATE_TABLES)
@pytest.mark.parametrize("text", TEXTS)
def test_a_gate_table_translates_as_str_translate_does(table, text):
    assert table(text) == text.translate(table.table)


@pytest.mark.parametrize("text", TEXTS)
def test_deletions_and_multi_character_replacements_match_str_translate(text):
    for chars in ({"a": None, "o": ""}, {"o": "oo"}, {"é": "e"}, {"d": "t", "!": "?"}):
        assert CharTable(chars)(text) == text.translate(str.maketrans(chars))
