import hashlib
import tarfile

import pytest

from tasks.export.format_names import parse_formats
from tasks.export.ready_packages import PackageExistsError, pack, place_package


def manifest_for(tmp_path):
    files = {
        "train/part-00000.jsonl": b'{"a":1}\n',
        "formats/openai/train/part-00000.jsonl": b'{"messages":[]}\n',
        "formats/parquet/train/part-00000.parquet": b"PAR1",
        "README.md": b"# card\n",
    }
    for path, data in files.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_bytes(data)

    def entry(path):
        return {
            "path": path,
            "sha256": hashlib.sha256(files[path]).hexdigest(),
            "records": 1,
            "bytes": len(files[path]),
        }

    return {
        "dataset": "ds",
        "version": 3,
        "splits": {"train": {"files": [entry("train/part-00000.jsonl")]}},
        "formats": {
            "openai": {"train": {"files": [entry("formats/openai/train/part-00000.jsonl")]}},
            "parquet": {"train": {"files": [entry("formats/parquet/train/part-00000.parquet")]}},
        },
        "card": entry("README.md"),
    }


def test_package_holds_the_chosen_formats_manifest_card_and_checksums(tmp_path):
    manifest = manifest_for(tmp_path)
    built = pack(manifest, lambda p: tmp_path / p, ("chat",), tmp_path / "out" / "a.tar")
    with tarfile.open(built) as archive:
        names = archive.getnames()
        sums = archive.extractfile("SHA256SUMS").read().decode()
        assert all(m.mtime == 0 and m.uid == 0 for m in archive.getmembers())
    assert names == ["README.md", "formats/openai/train/part-00000.jsonl", "manifest.json", "SHA256SUMS"]
    assert "formats/openai/train/part-00000.jsonl" in sums and "parquet" not in sums
    again = pack(manifest, lambda p: tmp_path / p, ("chat",), tmp_path / "out" / "b.tar")
    assert built.read_bytes() == again.read_bytes()


def test_a_file_that_no_longer_matches_is_not_packaged(tmp_path):
    manifest = manifest_for(tmp_path)
    (tmp_path / "formats/openai/train/part-00000.jsonl").write_bytes(b"changed\n")
    with pytest.raises(ValueError, match="does not match the manifest"):
        pack(manifest, lambda p: tmp_path / p, ("chat",), tmp_path / "a.tar")


def test_packages_are_create_only(tmp_path):
    target = tmp_path / "packages" / "ds-v3-chat.tar"
    for data in (b"same", b"same"):
        built = tmp_path / "built"
        built.write_bytes(data)
        assert place_package(built, target).read_bytes() == b"same"
    (tmp_path / "built").write_bytes(b"different")
    with pytest.raises(PackageExistsError, match="never modified"):
        place_package(tmp_path / "built", target)
    assert target.read_bytes() == b"same" and not (tmp_path / "built").exists()


def test_format_names_are_checked():
    assert parse_formats(" chat, parquet ") == ("chat", "parquet") and parse_formats("") == ()
    with pytest.raises(ValueError, match="choose from"):
        parse_formats("csv")


def test_records_and_formats_are_packed_once_each(tmp_path):
    manifest = manifest_for(tmp_path)
    built = pack(manifest, lambda p: tmp_path / p, ("chat", "openai", "records"), tmp_path / "a.tar")
    with tarfile.open(built) as archive:
        names = archive.getnames()
    assert names == [
        "README.md",
        "formats/openai/train/part-00000.jsonl",
        "train/part-00000.jsonl",
        "manifest.json",
        "SHA256SUMS",
    ]
