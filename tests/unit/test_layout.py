"""The layout's rooms, checked on the source rather than trusted to review.

- Flows are wiring: every `@task` is defined under tasks/, so a flow module reads as the order in
  which tasks and subflows run.
- Rules are data: word lists, phrase pools and patterns live in JSON files beside the code that
  reads them (`tasks.data_files`), so no module under tasks/ is mostly literals.
"""

from __future__ import annotations

import ast
import io
import tokenize
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
MOSTLY_DATA = 0.6


_STRINGISH = {tokenize.STRING, tokenize.NUMBER}
_LAYOUT = {tokenize.OP, tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT}


def _docstring_lines(tree: ast.Module) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                lines.update(range(first.lineno, (first.end_lineno or first.lineno) + 1))
    return lines


def data_share(source: str) -> float:
    """The share of a module's code lines (blank lines, comments and docstrings aside) that hold
    nothing but literals: strings and numbers with the brackets, commas and colons around them."""
    docstrings = _docstring_lines(ast.parse(source))
    kinds: dict[int, set[int]] = {}
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type in (tokenize.ENDMARKER, tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT):
            continue
        for line in range(token.start[0], token.end[0] + 1):
            kinds.setdefault(line, set()).add(token.type)
    code = {line: types for line, types in kinds.items() if line not in docstrings}
    data = [line for line, types in code.items() if types & _STRINGISH and not types - _STRINGISH - _LAYOUT]
    return len(data) / max(len(code), 1)


def test_data_share_counts_lines_of_literals_only():
    data = 'WORDS = frozenset(\n    {\n        "calm",\n        "steady",\n    }\n)\n'
    logic = '"""A docstring is prose."""\n\n\ndef f(x):\n    # a comment\n    return x + 1\n'
    assert data_share(data) == 2 / 6  # the two words; the brackets are layout
    assert data_share(logic) == 0.0
    assert data_share(logic + data) == 2 / 8


@pytest.mark.parametrize(
    "path", sorted(str(p.relative_to(REPO)) for p in (REPO / "tasks").rglob("*.py")), ids=str
)
def test_no_module_under_tasks_is_mostly_literals(path):
    assert data_share((REPO / path).read_text()) <= MOSTLY_DATA


@pytest.mark.parametrize("path", sorted(str(p.relative_to(REPO)) for p in (REPO / "flows").glob("*.py")))
def test_flows_define_no_tasks(path):
    tree = ast.parse((REPO / path).read_text())
    decorated = [
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        for decorator in node.decorator_list
        if (decorator.func if isinstance(decorator, ast.Call) else decorator).__dict__.get("id") == "task"
    ]
    assert not decorated
