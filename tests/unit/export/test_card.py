import yaml

from tasks.export.card import render_card
from tasks.export.format_names import FORMATS

MANIFEST = {
    "dataset": "mental-health-support",
    "seed": 42,
    "config": {"seed": 42},
    "config_hash": "ab" * 32,
    "code_version": "c0de",
    "inputs": [{"path": "book.txt", "sha256": "f" * 64, "bytes": 10}],
    "splits": {
        split: {"records": n, "files": [], "by_kind": {"therapeutic": {"target": n, "actual": n}}}
        for split, n in (("train", 7), ("validation", 2), ("test", 1))
    },
    "stages": {"dedup": {"therapeutic": {"in": 11, "kept": 10, "quarantined": 0, "deduplicated": 1}}},
    "quarantine": {"records": 0, "files": []},
    "duplicates": {"records": 1, "files": []},
    "volumes": {"therapeutic": {"target": 12, "exported": 10, "shortfall": 2}},
    "diversity": {
        "therapeutic": {
            "records": 10,
            "distinct_1": 0.25,
            "distinct_2": 0.5,
            "labels": {"concern": {"grief": 6, "sleep": 4}},
        }
    },
}


def test_header_is_yaml_the_hub_reads():
    card = render_card(MANIFEST, FORMATS)
    header = yaml.safe_load(card.split("---\n")[1])
    assert header["size_categories"] == ["n<1K"]
    configs = {c["config_name"]: c["data_files"] for c in header["configs"]}
    assert set(configs) == {"default", *FORMATS}
    assert configs["parquet"][0] == {"split": "train", "path": "formats/parquet/train/*.parquet"}


def test_body_carries_counts_shortfall_sources_and_config():
    card = render_card(MANIFEST, FORMATS)
    assert "| train | 7 | 7 |" in card
    assert "| dedup | therapeutic | 11 | 10 | 0 | 1 |" in card
    assert "| therapeutic | 12 | 10 | 2 |" in card
    assert "| book.txt | `ffffffffffffffff…` |" in card
    assert '"seed": 42' in card and "c0de" in card
    assert "| therapeutic | 10 | 0.25 | 0.5 | concern (2) |" in card
