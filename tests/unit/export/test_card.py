import datasets
import orjson
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
    assert "| train | 7 | 0 | 7 |" in card
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


def test_safety_checks_turned_off_are_the_cards_first_lines():
    card = render_card({**MANIFEST, "UNSAFE_GATES_OFF": ["ears:therapeutic", "crisis:bias"]})
    lines = card.splitlines()
    assert lines[1] == (
        "# UNSAFE: safety checks turned off for this version: the EARS empathy-style gate on therapeutic "
        "records; crisis scanning (and routing) of bias records."
    )
    body = card.split("\n---\n", 1)[1].lstrip().splitlines()
    assert body[0].startswith("> **UNSAFE: safety checks turned off") and "`ears:therapeutic`" in body[1]
    assert yaml.safe_load(card.split("---\n")[1])["license"] == "other"
    assert "UNSAFE" not in render_card(MANIFEST)


def section(card: str, title: str) -> str:
    return card.split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0]


def test_the_card_answers_what_a_person_asks_before_training_on_it():
    card = render_card(
        {
            **MANIFEST,
            "config": {"seed": 42, "llm": None},
            "safety": {"unsafe_gates_off": [], "records_checked": {"therapeutic": 10}},
            "provenance": {
                "sources": [
                    {
                        "type": "synthetic",
                        "uri": "generator:data-designer/bias-offline",
                        "title": "Demographic descriptors from HolisticBias",
                        "licence": "CC-BY-SA-4.0",
                        "records": {"bias": 4},
                    }
                ],
                "generators": {"data-designer/therapeutic-offline": {"therapeutic": 10}},
            },
        }
    )
    assert "Not a clinical tool" in section(card, "Out-of-scope uses")
    assert "Not for diagnosis" in card and "Not crisis counselling" in card
    made = section(card, "How it was made")
    assert (
        "offline, with no language model" in made
        and "`data-designer/therapeutic-offline` therapeutic 10" in made
    )
    assert (
        "therapeutic 50.0% distinct, distinct-3 0.75" in made
        and "The therapeutic records repeat whole replies" in made
    )
    assert "[Diversity](#diversity)" in made
    filtered = section(card, "What was filtered, and how well the filters work")
    assert "checked all 10 records placed in the splits" in filtered
    assert "| Demographic descriptors from HolisticBias | synthetic | CC-BY-SA-4.0 | bias 4 |" in card
    assert "```bibtex\n@misc{mental_health_support_abababab," in section(card, "Citation")
    assert "never" in section(card, "Bias data and how it must be used").lower()


def test_gate_figures_are_read_from_the_model_cards_at_render_time():
    from tasks.gates import crisis, ears

    pooled = orjson.loads(crisis.CARD_PATH.read_bytes())["metrics_cv"]["pooled"]["sensitivity"]
    rejected = orjson.loads(ears.CARD_PATH.read_bytes())["gate"]["out_of_domain_non_empathic"][
        "failedesconv_feedback1_empathy_le2"
    ]["rejection_rate"]
    filtered = section(render_card(MANIFEST), "What was filtered, and how well the filters work")
    assert f"sensitivity {pooled['value']:.3f} (95% CI {pooled['ci95'][0]:.3f}–" in filtered
    assert f"{rejected['value']:.3f} (95% CI {rejected['ci95'][0]:.3f}–" in filtered
    assert "no held-out measurement" in filtered


def test_the_versions_figures_are_shown_where_their_numbers_are():
    plots = [{"path": f"plots/{name}.png"} for name in ("gate_pass_rates", "volumes", "turn_lengths")]
    card = render_card(MANIFEST | {"plots": plots})
    for entry in plots:
        assert f"]({entry['path']})" in card
    assert card.index("(plots/volumes.png)") > card.index("## Target volumes")
    assert "plots/" not in render_card(MANIFEST)


def test_split_ratios_read_in_split_order_whatever_the_manifest_key_order():
    sorted_keys = {"test": 0.15, "train": 0.7, "validation": 0.15}  # as a key-sorted manifest.json holds them
    card = render_card(MANIFEST | {"split_ratios": sorted_keys})
    assert "split 70%/15%/15% into train, validation and test" in card
