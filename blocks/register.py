"""`uv run python -m blocks.register`: register every block type defined in this package with the
Prefect API that PREFECT_API_URL names, so a fresh server's UI and `Block.load` know them.

`prefect block register -m blocks` cannot do it: the project is not an installed package, so the
`prefect` command cannot import `blocks`, and the package's `__init__` imports no block module
(each pulls in part of the pipeline). Every module in this folder is searched, so a new block is
registered without touching this file.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import sys
from pathlib import Path

from prefect.blocks.core import Block

PACKAGE = Path(__file__).resolve().parent


def block_types() -> list[type[Block]]:
    """Every Block subclass defined (not merely imported) in a module of this package."""
    found: list[type[Block]] = []
    for module_info in sorted(pkgutil.iter_modules([str(PACKAGE)]), key=lambda m: m.name):
        if module_info.name == Path(__file__).stem:
            continue
        module = importlib.import_module(f"{PACKAGE.name}.{module_info.name}")
        for _, member in inspect.getmembers(module, Block.is_block_class):
            if member.__module__ == module.__name__:
                found.append(member)
    return found


def main() -> int:
    """Register each block type, printing its slug; a type already registered is updated."""
    for block_type in block_types():
        block_type.register_type_and_schema()
        print(f"registered {block_type.get_block_type_slug()} ({block_type.__name__})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
