import json

from tasks.data_files import data_file


def test_reads_the_data_folder_beside_the_module_once(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "words.json").write_text(json.dumps({"calm": ["steady", "settled"]}))
    module = str(tmp_path / "module.py")

    first = data_file(module, "words.json")
    (tmp_path / "data" / "words.json").write_text(json.dumps({"calm": []}))

    assert first == {"calm": ["steady", "settled"]}
    assert data_file(module, "words.json") is first
