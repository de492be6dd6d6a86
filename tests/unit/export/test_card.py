import datasets
import yaml

from tasks.export.card import render_card
from tasks.export.schemas import SCHEMAS

MANIFEST = {
    "dataset": "mental-health-support",
    "seed": 42,
    "config": {"seed": 42},
    "config_hash": "ab" * 32,
    "code_version": "c0de",
    "inputs": [{"path": "book.txt", "sha256": "f" * 64, "bytes": 10}],
    "splits": {
        split: {
            "records": n,
            "files": [{"path": f"{split}/part-00000.jsonl"}],
            "by_kind": {"therapeutic": {"target": n, "actual": n}},
        }
        for split, n in (("train", 7), ("validation", 2), ("test", 1))
    },
    "stages": {"dedup": {"therapeutic": {"in": 11, "kept": 10, "quarantined": 0, "deduplicated": 1}}},
    "formats": {
        "parquet": {s: {"records": 1, "files": [{"path": "p"}]} for s in ("train", "validation", "test")},
        "openai": {s: {"records": 1, "files": [{"path": "o"}]} for s in ("train", "validation", "test")},
        # Too few pairs for every split: only the splits with files are declared.
        "preference": {
            "train": {"records": 1, "files": [{"path": "t"}]},
            "test": {"records": 0, "files": []},
        },
        "bias_eval": {s: {"records": 0, "files": []} for s in ("train", "validation", "test")},
    },
    "quarantine": {"records": 0, "files": []},
    "duplicates": {"records": 1, "files": []},
    "volumes": {"therapeutic": {"target": 12, "exported": 10, "shortfall": 2}},
    "diversity": {
        "therapeutic": {
            "records": 10,
            "assistant": {
                "turns": 20,
                "distinct_turns": 0.5,
                "distinct_1": 0.25,
                "distinct_2": 0.5,
                "distinct_3": 0.75,
                "sampled": 20,
                "cosine_distance": 0.1,
            },
            "user": {
                "turns": 1,
                "distinct_turns": 1.0,
                "distinct_1": 1.0,
                "distinct_2": 1.0,
                "distinct_3": 1.0,
                "sampled": 1,
                "cosine_distance": None,
            },
            "labels": {"concern": {"grief": 6, "sleep": 4}},
        }
    },
    "diversity_reference": {
        "corpora": {
            "ESConv": {
                "about": "people supporting people",
                "records": 1300,
                "assistant": {
                    "turns": 14642,
                    "distinct_turns": 0.9769,
                    "distinct_1": 0.0277,
                    "distinct_2": 0.2796,
                    "distinct_3": 0.6359,
                    "sampled": 500,
                    "cosine_distance": 0.102,
                },
                "user": {
                    "turns": 14642,
                    "distinct_turns": 0.9636,
                    "distinct_1": 0.0332,
                    "distinct_2": 0.3087,
                    "distinct_3": 0.6827,
                    "sampled": 500,
                    "cosine_distance": 0.1304,
                },
            }
        }
    },
}


def header():
    return yaml.safe_load(render_card(MANIFEST).split("---\n")[1])


def test_header_declares_each_jsonl_config_with_files_and_no_parquet_beside_them():
    assert header()["size_categories"] == ["n<1K"]
    configs = {c["config_name"]: c["data_files"] for c in header()["configs"]}
    assert list(configs) == ["default", "openai", "preference"]
    assert configs["default"][1] == {"split": "validation", "path": "validation/*.jsonl"}
    assert configs["preference"] == [{"split": "train", "path": "formats/preference/train/*.jsonl"}]


def test_header_features_are_the_export_schemas_as_datasets_reads_them():
    infos = {i["config_name"]: i["features"] for i in header()["dataset_info"]}
    assert list(infos) == ["default", "openai", "preference"]
    for name, features in infos.items():
        assert datasets.Features._from_yaml_list(features) == datasets.Features.from_arrow_schema(
            SCHEMAS[name]
        )


def test_body_carries_counts_shortfall_sources_and_config():
    card = render_card(MANIFEST)
    assert "| train | 7 | 7 |" in card
    assert "| dedup | therapeutic | 11 | 10 | 0 | 1 |" in card
    assert "| therapeutic | 12 | 10 | 2 |" in card
    assert "| book.txt | `ffffffffffffffff…` |" in card
    assert '"seed": 42' in card and "c0de" in card


def test_diversity_sits_per_speaker_beside_the_human_reference_with_what_each_figure_means():
    card = render_card(MANIFEST).split("## Diversity")[1].split("## Sources")[0]
    assistant, user = card.split("Assistant turns:")[1].split("User turns:")
    assert "| therapeutic | 20 | 50.0% | 0.25 | 0.5 | 0.75 | 0.1 |" in assistant
    assert "| ESConv *(human)* | 14,642 | 97.7% | 0.0277 | 0.2796 | 0.6359 | 0.102 |" in assistant
    assert "| therapeutic | 1 | 100.0% | 1.0 | 1.0 | 1.0 | — |" in user
    assert "| ESConv *(human)* | 14,642 | 96.4% |" in user
    assert (
        "`benchmarks/diversity_reference.py`: people supporting people." in card and "up to 500 turns" in card
    )
    for figure in ("distinct turns", "distinct-n", "cosine distance"):
        assert f"- **{figure}**:" in card
    assert "| therapeutic | 10 | concern (2) |" in card


def test_diversity_without_a_reference_has_no_human_rows():
    card = render_card({**MANIFEST, "diversity_reference": {}})
    assert "| therapeutic | 20 | 50.0% |" in card and "(human)" not in card
