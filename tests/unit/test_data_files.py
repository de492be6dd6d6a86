import json

from tasks.data_files import data_file, fill, regex_parts


def test_reads_the_data_folder_beside_the_module_once(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "words.json").write_text(json.dumps({"calm": ["steady", "settled"]}))
    module = str(tmp_path / "module.py")

    first = data_file(module, "words.json")
    (tmp_path / "data" / "words.json").write_text(json.dumps({"calm": []}))

    assert first == {"calm": ["steady", "settled"]}
    assert data_file(module, "words.json") is first


def test_regex_parts_build_on_earlier_parts_and_leave_counts_alone():
    parts = regex_parts({"me": ["myself", "my self"], "hurt": "hurt(?:ing)? {me}"})
    assert parts == {"me": "myself|my self", "hurt": "hurt(?:ing)? myself|my self"}
    assert fill(r"\b{hurt}\s{0,3}", parts) == r"\bhurt(?:ing)? myself|my self\s{0,3}"
