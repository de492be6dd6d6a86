"""Safety checks are invariants of the configuration: dropping one is refused before any work starts,
unless `unsafe_gates_off` names exactly what is dropped."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from tasks.gates.gate_settings import DEFAULT_GATES, EXPORTED_KINDS, GateSettings, all_safety_checks
from tasks.settings import PipelineConfig

NO_EARS = {**DEFAULT_GATES, "therapeutic": ("content_filter", "quality")}
NO_CRISIS = tuple(f"crisis:{kind}" for kind in EXPORTED_KINDS)


def test_the_defaults_crisis_scan_every_kind_and_turn_nothing_off():
    settings = GateSettings()
    assert (
        set(settings.crisis_kinds) == set(EXPORTED_KINDS) == {"therapeutic", "grounded", "edge_case", "bias"}
    )
    assert settings.safety_checks_off() == () and settings.unsafe_gates_off == ()


@pytest.mark.parametrize(
    ("settings", "named"),
    [
        ({"per_kind": NO_EARS}, "ears:therapeutic"),
        ({"per_kind": {**DEFAULT_GATES, "grounded": ("ears", "quality")}}, "content_filter:grounded"),
        ({"crisis_kinds": ()}, "crisis:therapeutic"),
        ({"crisis_kinds": ("therapeutic", "grounded")}, "crisis:bias"),
    ],
)
def test_dropping_a_safety_check_is_refused_naming_it_and_the_setting(settings, named):
    with pytest.raises(ValidationError) as error:
        GateSettings(**settings)
    assert named in str(error.value) and "unsafe_gates_off=" in str(error.value)


def test_the_whole_configuration_is_refused_before_any_work():
    with pytest.raises(ValidationError, match=r"gates\n.*ears:therapeutic"):
        PipelineConfig(gates={"per_kind": NO_EARS})


def test_naming_exactly_the_checks_off_allows_them():
    without_ears = GateSettings(per_kind=NO_EARS, unsafe_gates_off=("ears:therapeutic",))
    assert without_ears.safety_checks_off() == ("ears:therapeutic",)
    unscanned = GateSettings(crisis_kinds=(), unsafe_gates_off=NO_CRISIS)
    assert unscanned.safety_checks_off() == NO_CRISIS
    assert PipelineConfig(gates=without_ears).content_settings()["gates"]["unsafe_gates_off"] == [
        "ears:therapeutic"
    ]


@pytest.mark.parametrize(
    ("off", "message"),
    [
        (("ears:therapeutic",), "but those checks run"),
        (("ears:bias",), "unknown safety checks"),
    ],
)
def test_naming_a_check_that_runs_or_does_not_exist_is_refused(off, message):
    with pytest.raises(ValidationError, match=message):
        GateSettings(unsafe_gates_off=off)


def test_a_partial_list_is_refused_too():
    with pytest.raises(ValidationError, match="crisis:bias"):
        GateSettings(crisis_kinds=(), unsafe_gates_off=NO_CRISIS[:2])
    assert len(all_safety_checks()) == len(EXPORTED_KINDS) + 4
