"""The parent flow's parameters: one per PipelineConfig field, so a Prefect user overrides one setting
at a time (`prefect deployment run ... --param NAME=value`) and the run still validates them together
as one PipelineConfig before any work."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any, ParamSpec

from tasks.export.publish import Published
from tasks.settings import PipelineConfig

P = ParamSpec("P")

# Settings whose model default is worked out where the model is built (an absolute path, the CPU
# count): their parameters default to None, so a deployment's schema holds nothing of the deploying
# machine and the machine that runs the flow fills in its own.
HOST_DEFAULTS = {
    "sources": "the bundled sources (tasks/sourcing/bundled)",
    "workers": "the CPU count of the machine that runs the flow",
}


def config_signature() -> inspect.Signature:
    """One keyword per PipelineConfig field, with the field's type, constraints and default: Prefect
    builds the deployment's parameter schema, the UI form and the `--param` checks from a flow's
    signature, so this makes each setting a parameter of its own."""
    defaults = PipelineConfig()
    parameters = []
    for name, field in PipelineConfig.model_fields.items():
        annotation, default = field.rebuild_annotation(), getattr(defaults, name)
        if name in HOST_DEFAULTS:
            annotation, default = annotation | None, None
        parameters.append(
            inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=annotation, default=default)
        )
    return inspect.Signature(parameters, return_annotation=Published)


def config_docstring_args() -> str:
    """The settings' descriptions as a Google-style `Args:` section, where Prefect reads a parameter's
    description (a `Field(...)` default would carry it too, but a deployment run would then receive
    the FieldInfo itself for every parameter it does not set)."""
    lines = ["Args:"]
    for name, field in PipelineConfig.model_fields.items():
        if field.description is None:  # a nested settings model: its own docstring says what it holds
            summary = " ".join(str(inspect.getdoc(field.annotation)).split()).rstrip(".")
            description = f"{summary} (a JSON object)"
        else:
            description = field.description
        unset = f"; unset: {HOST_DEFAULTS[name]}" if name in HOST_DEFAULTS else ""
        lines.append(f"    {name}: {description}{unset}")
    return "\n".join(lines)


def with_config_parameters(fn: Callable[P, Published]) -> Callable[P, Published]:
    """Give `fn(**settings)` the signature and parameter descriptions of PipelineConfig's fields
    (inspect and Prefect read `__signature__` and the docstring), before `@flow` reads them."""
    fn.__signature__ = config_signature()  # type: ignore[attr-defined]
    fn.__doc__ = f"{inspect.getdoc(fn)}\n\n{config_docstring_args()}"
    return fn


def config_from_parameters(settings: dict[str, Any]) -> PipelineConfig:
    """The run's PipelineConfig from the flow's parameters; an unset host default takes this machine's."""
    return PipelineConfig(
        **{name: value for name, value in settings.items() if not (value is None and name in HOST_DEFAULTS)}
    )


def config_parameters(config: PipelineConfig) -> dict[str, Any]:
    """The flow's keyword arguments for `config`: every field as it is (secrets stay SecretStr)."""
    return {name: getattr(config, name) for name in PipelineConfig.model_fields}
