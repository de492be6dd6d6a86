"""The layout's "nevers", checked on the import graph rather than trusted to review.

- Configuration is plain data: importing `tasks.settings` loads no Prefect, pyarrow, scikit-learn,
  NumPy or model, so a worker or a CLI that only needs settings starts in well under a second.
- Tasks never import flows (flows wire tasks, not the other way round).
- Gate logic never reaches storage, run metadata or the synthesis engine, not even through another
  module: a gate judges records it is given (the shard task that reads and writes them lives in
  tasks/stages), and a gate sharing code with the generator would grade its own homework.
- The record contract imports no task logic, and neither does configuration: a settings module
  reaches only other settings modules, the record contract and plain-data helpers, so the settings
  of a gate or a generator load without the gate or the generator.
- Training apart from runtime: nothing in tasks/ or flows/ outside `tasks.gates.training` reaches it,
  so a pipeline run never loads a training script, its estimators or its labelled cases.
- Benchmarks import no tests: they measure the shipped code, and a fixture they lean on could be
  changed or deleted by someone who never runs them.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
HEAVY = ("prefect", "pyarrow", "sklearn", "numpy", "scipy", "tokenizers", "safetensors", "data_designer")


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules_under(top: str) -> dict[str, Path]:
    return {module_name(p): p for p in sorted((REPO / top).rglob("*.py"))}


MODULES = modules_under("tasks")
FLOWS = modules_under("flows")
BENCHMARKS = modules_under("benchmarks")
PARSED = {**MODULES, **FLOWS, **BENCHMARKS}
PROJECT = ("tasks", "flows", "benchmarks", "tests")
TRAINING = "tasks.gates.training"
SETTINGS = sorted(m for m in MODULES if m.rsplit(".", 1)[-1] == "settings" or m.endswith("_settings"))
# Modules that hold data and no task logic, which configuration may read.
PLAIN_DATA = {"tasks.records", "tasks.data_files", "tasks.export.format_names"}


def within(name: str, package: str) -> bool:
    return name == package or name.startswith(f"{package}.")


@cache
def direct_imports(module: str) -> frozenset[str]:
    """Project modules (tasks.*, flows.*, benchmarks.*, tests.*) a module imports at its top level or
    anywhere inside it."""
    tree = ast.parse(PARSED[module].read_text())
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return frozenset(n for n in names if n.split(".")[0] in PROJECT)


def reachable(module: str) -> set[str]:
    """Every project module `module` imports, directly or through others."""
    seen: set[str] = set()
    todo = [module]
    while todo:
        for name in direct_imports(todo.pop()):
            if name not in seen:
                seen.add(name)
                if name in PARSED:
                    todo.append(name)
    return seen


def test_settings_load_no_framework_or_model():
    code = f"import sys, tasks.settings; print(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    loaded = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loaded == "[]"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_tasks_never_import_flows(module):
    assert not [name for name in direct_imports(module) if name.startswith("flows")]


@pytest.mark.parametrize("module", sorted(m for m in MODULES if m.startswith("tasks.gates")))
def test_gates_never_reach_storage_metadata_or_synthesis(module):
    forbidden = ("tasks.storage", "tasks.metadata", "tasks.synthesis", "tasks.stages")
    assert not sorted(name for name in reachable(module) if name.startswith(forbidden))


def test_the_record_contract_imports_no_task_logic():
    assert reachable("tasks.records") == set()


@pytest.mark.parametrize("module", SETTINGS)
def test_settings_import_no_task_logic(module):
    modules = {name for name in reachable(module) if name in PARSED and PARSED[name].name != "__init__.py"}
    assert not sorted(modules - set(SETTINGS) - PLAIN_DATA)


@pytest.mark.parametrize("module", sorted(m for m in {**MODULES, **FLOWS} if not within(m, TRAINING)))
def test_nothing_outside_training_reaches_training(module):
    assert not sorted(name for name in reachable(module) if within(name, TRAINING))


@pytest.mark.parametrize("module", sorted(BENCHMARKS))
def test_benchmarks_import_no_tests(module):
    assert not sorted(name for name in reachable(module) if within(name, "tests"))
