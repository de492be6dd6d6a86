"""Figures a reader would rather look at than read, drawn from the manifest's own numbers: each gate's
pass rate per kind, the volumes exported against their targets, and words per turn per kind.

They ship inside the version (`plots/*.png`, each listed in the manifest with its sha256) and the card
shows them. Drawn on matplotlib's Agg canvas (no pyplot state, so threads may draw at once) with no
date or software version stamped in the PNG, so the same numbers give the same bytes and a resumed
run publishes the same version. Stage timings change from run to run, so they stay out of the version:
the run report's timings table has them.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.figure import Figure

DPI = 100
WIDTH_INCHES = 8.0
ROW_INCHES = 0.32  # height per bar row, so a figure grows with what it shows
PNG_METADATA: dict[str, Any] = {"Software": None}  # no version string: the bytes follow the numbers only


def _png(figure: Figure) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(figure)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, metadata=PNG_METADATA)
    return buffer.getvalue()


def _figure(rows: int, height: float | None = None) -> Figure:
    """An empty figure `rows` bars high (or `height` inches); matplotlib is imported here, at the first
    plot, as every run and worker that imports this module would otherwise pay its ~1 s import."""
    from matplotlib.figure import Figure

    return Figure(figsize=(WIDTH_INCHES, height or max(2.5, 1.2 + ROW_INCHES * rows)))


def gate_pass_rates(gates: Mapping[str, Mapping[str, Mapping[str, int]]]) -> bytes:
    """One horizontal bar per gate and kind: the share of the records it judged that passed."""
    rows = [
        (f"{gate} · {kind}", tally["passed"] / tally["evaluated"], tally["evaluated"])
        for gate, kinds in sorted(gates.items())
        for kind, tally in sorted(kinds.items())
        if tally["evaluated"]
    ]
    figure = _figure(len(rows))
    axes = figure.add_subplot()
    positions = range(len(rows))
    axes.barh(positions, [rate for _, rate, _ in rows], color="#4c72b0")
    axes.set_yticks(positions, [label for label, _, _ in rows])
    axes.invert_yaxis()
    axes.set_xlim(0, 1.12)
    for y, (_, rate, judged) in zip(positions, rows, strict=True):
        axes.text(min(rate, 1.0) + 0.01, y, f"{rate:.1%} of {judged:,}", va="center", fontsize=8)
    axes.set_xlabel("share of judged records that passed (crisis: not flagged)")
    axes.set_title("Gate pass rates per kind")
    return _png(figure)


def volumes(volume: Mapping[str, Mapping[str, int]]) -> bytes:
    """Per kind, the records exported beside the target the run was asked for."""
    kinds = sorted(volume)
    figure = _figure(2 * len(kinds))
    axes = figure.add_subplot()
    height = 0.4
    positions = range(len(kinds))
    exported = [volume[k]["exported"] for k in kinds]
    targets = [volume[k]["target"] for k in kinds]
    axes.barh([p - height / 2 for p in positions], targets, height, label="target", color="#bbbbbb")
    axes.barh([p + height / 2 for p in positions], exported, height, label="exported", color="#55a868")
    axes.set_yticks(positions, kinds)
    axes.invert_yaxis()
    for p, (made, target) in enumerate(zip(exported, targets, strict=True)):
        axes.text(made, p + height / 2, f" {made:,}", va="center", fontsize=8)
        if target:
            axes.text(target, p - height / 2, f" {target:,}", va="center", fontsize=8, color="#555555")
    axes.set_xlim(0, 1.2 * max(*exported, *targets, 1))
    axes.set_xlabel("records")
    axes.set_title("Volumes: exported against target")
    axes.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return _png(figure)


def turn_lengths(diversity: Mapping[str, Mapping[str, Any]]) -> bytes:
    """Per kind, the share of assistant and user turns in each band of words per turn."""
    kinds = sorted(diversity)
    figure = _figure(0, height=2.2 * max(len(kinds), 1))
    for row, kind in enumerate(kinds, start=1):
        axes = figure.add_subplot(len(kinds), 1, row)
        for role, colour in (("assistant", "#4c72b0"), ("user", "#dd8452")):
            histogram = diversity[kind].get(role, {}).get("words_per_turn")
            if not histogram or not sum(histogram["counts"]):
                continue
            counts, width = histogram["counts"], histogram["bin_words"]
            total = sum(counts)
            edges = [i * width for i in range(len(counts) + 1)]
            axes.stairs([n / total for n in counts], edges, label=f"{role} ({total:,} turns)", color=colour)
        axes.set_title(f"{kind}: words per turn (the last band holds every longer turn)", fontsize=9)
        axes.set_ylabel("share of turns", fontsize=8)
        axes.legend(fontsize=8)
    if kinds:
        axes.set_xlabel("words per turn")
    return _png(figure)


def render_plots(manifest: Mapping[str, Any]) -> dict[str, bytes]:
    """Every figure the manifest has numbers for, by file name under `plots/`."""
    drawn: dict[str, bytes] = {}
    if manifest.get("gates"):
        drawn["gate_pass_rates.png"] = gate_pass_rates(manifest["gates"])
    if manifest.get("volumes"):
        drawn["volumes.png"] = volumes(manifest["volumes"])
    if manifest.get("diversity"):
        drawn["turn_lengths.png"] = turn_lengths(manifest["diversity"])
    return drawn
