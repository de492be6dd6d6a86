"""The version's figures: drawn from the manifest's numbers, the same bytes for the same numbers."""

from __future__ import annotations

from tasks.export.plots import render_plots

PNG = b"\x89PNG\r\n\x1a\n"
MANIFEST = {
    "gates": {
        "ears": {"therapeutic": {"evaluated": 120, "passed": 100, "failed": 20}},
        "crisis": {"therapeutic": {"evaluated": 120, "passed": 117, "failed": 3}, "bias": {"evaluated": 0}},
    },
    "volumes": {
        "therapeutic": {"target": 100, "exported": 96, "shortfall": 4},
        "bias": {"target": 0, "exported": 0, "shortfall": 0},
    },
    "diversity": {
        "therapeutic": {
            "assistant": {"words_per_turn": {"bin_words": 10, "counts": [0, 3, 9, 4, 1]}},
            "user": {"words_per_turn": {"bin_words": 10, "counts": [2, 7, 3, 0, 0]}},
        }
    },
}


def test_each_figure_is_a_png_whose_bytes_follow_the_numbers_only():
    first, again = render_plots(MANIFEST), render_plots(MANIFEST)
    assert sorted(first) == ["gate_pass_rates.png", "turn_lengths.png", "volumes.png"]
    assert all(png.startswith(PNG) for png in first.values())
    assert first == again
    assert not any(b"matplotlib" in png.lower() for png in first.values())  # no version stamped
    changed = MANIFEST | {"volumes": {"therapeutic": {"target": 100, "exported": 97, "shortfall": 3}}}
    assert render_plots(changed)["volumes.png"] != first["volumes.png"]


def test_only_the_figures_the_manifest_has_numbers_for_are_drawn():
    assert render_plots({}) == {}
    assert list(render_plots({"volumes": MANIFEST["volumes"]})) == ["volumes.png"]
