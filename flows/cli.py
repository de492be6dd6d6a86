"""The command line of the parent flow: one option per scalar field of `PipelineConfig`, so the CLI
and a deployment's parameters are the same surface, and a bad value is refused before any work."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import get_args

from pydantic import SecretStr, ValidationError

from tasks.settings import PipelineConfig

PROG = "python -m flows.full_pipeline"


def build_parser(description: str | None = None) -> argparse.ArgumentParser:
    """One option per scalar field of PipelineConfig, with its description and default."""
    parser = argparse.ArgumentParser(prog=PROG, description=description)
    defaults = PipelineConfig()
    for name, field in PipelineConfig.model_fields.items():
        annotation = field.annotation
        option = f"--{name.replace('_', '-')}"
        if annotation is bool:
            parser.add_argument(
                option,
                action=argparse.BooleanOptionalAction,
                default=argparse.SUPPRESS,
                help=f"{field.description} (default: {'on' if getattr(defaults, name) else 'off'})",
            )
            continue
        scalar = next((t for t in (int, str) if t is annotation or t in get_args(annotation)), None)
        if scalar is None and SecretStr in get_args(annotation):
            scalar = str
        if scalar is None:
            continue
        default = getattr(defaults, name)
        parser.add_argument(
            option,
            type=scalar,
            default=argparse.SUPPRESS,
            help=f"{field.description} (default: {'unset' if default is None else default})",
        )
    return parser


def parse_config(argv: Sequence[str] | None, description: str | None = None) -> PipelineConfig | None:
    """The run's config from the command line; None, with each problem printed by its option, when
    the values do not validate."""
    args = vars(build_parser(description).parse_args(argv))
    try:
        return PipelineConfig(**args)
    except ValidationError as error:
        for problem in error.errors():
            option = "--" + str(problem["loc"][0]).replace("_", "-")
            print(f"error: {option}: {problem['msg']}", file=sys.stderr)
        return None
