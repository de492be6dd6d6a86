"""What the training scripts share, so they take their data the same way and fit the same estimator:
a command line pointed at the shared data folder, its JSON-lines reader, and one deterministic fit."""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression


def parser(description: str, needs: tuple[str, ...], default_c: float) -> argparse.ArgumentParser:
    """`--data` (checked to hold every folder in `needs` before minutes of work start) and `--c`; a
    script adds its own arguments."""
    holds = " and ".join(f"{name}/" for name in needs)

    def data_folder(value: str) -> Path:
        folder = Path(value)
        missing = [f"{name}/" for name in needs if not (folder / name).is_dir()]
        if missing:
            shown = " or ".join(missing)
            raise argparse.ArgumentTypeError(
                f"no {shown} folder under {folder}: pass --data pointing at the shared data folder"
            )
        return folder

    parsed = argparse.ArgumentParser(description=description)
    parsed.add_argument("--data", type=data_folder, required=True, help=f"Folder holding {holds}")
    parsed.add_argument("--c", type=float, default=default_c, help="Inverse L2 regularisation strength")
    return parsed


def jsonl(path: Path) -> Iterator[dict[str, Any]]:
    """The objects of a JSON-lines file, blank lines skipped."""
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def fit(matrix: Any, labels: np.ndarray, weights: np.ndarray, c: float, seed: int) -> LogisticRegression:
    """L2 logistic regression; liblinear with a fixed seed is deterministic."""
    model = LogisticRegression(C=c, solver="liblinear", random_state=seed, max_iter=1000)
    return model.fit(matrix, labels, sample_weight=weights)
