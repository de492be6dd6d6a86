from tasks.preprocess.normalize import normalize_record, normalize_text
from tests.factories import make_record


def test_unicode_forms_and_spaces_are_unified():
    decomposed = "Cafe\u0301\u00a0 and\tthe\u200b  rest"
    assert normalize_text(decomposed) == "Café and the rest"


def test_blank_lines_collapse_but_paragraphs_survive():
    assert normalize_text("one\r\n\r\n\r\n\r\ntwo  \n three") == "one\n\ntwo\nthree"


def test_record_keeps_its_id():
    record = make_record(user="  I   feel\u00a0lost  ")
    cleaned = normalize_record(record)
    assert cleaned.id == record.id
    assert cleaned.messages[0].content == "I feel lost"
