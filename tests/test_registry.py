"""The metric registry stays in step with the result dataclasses and the JSON Schema."""

from __future__ import annotations

import json
from dataclasses import fields
from importlib import resources
from typing import Any

import pytest

from kneedrive.drills.rep_metrics import Cycle, Rep
from kneedrive.metrics import Step, Summary
from kneedrive.metrics.frontal import FRONT_FIELDS
from kneedrive.metrics.registry import RegistryError, registry

#: Fields that say when or which, not how much: not figures.
NOT_FIGURES = {
    "step": {"side", "touchdown_frame", "touchdown_time_s", "toe_off_time_s", "knee_lift_time_s"},
    "summary": {"steps"},
    "rep": {"index", "start_s", "end_s", "side", "cycles_left", "cycles_right", "decayed", "cycles_detail"},
    "cycle": {"side", "start_s", "drive_s", "top_s", "end_s"},
}
CLASSES: dict[str, Any] = {"step": Step, "summary": Summary, "rep": Rep, "cycle": Cycle}


def _schema() -> dict[str, Any]:
    text = resources.files("kneedrive").joinpath("schema/analysis-v1.schema.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@pytest.mark.parametrize("scope", ["step", "summary", "rep", "cycle"])
def test_every_figure_of_a_result_has_one_registry_row_and_no_row_is_left_over(scope: str) -> None:
    figures = {f.name for f in fields(CLASSES[scope])} - NOT_FIGURES[scope]
    assert set(registry().names(scope)) == figures  # type: ignore[arg-type]


def test_every_front_view_figure_has_one_registry_row_and_no_front_row_is_left_over() -> None:
    assert set(registry().names("front")) == set(FRONT_FIELDS)
    props = _schema()["properties"]["front"]["properties"]
    schema_fields = {*props["steps"]["items"]["properties"], *props["reps"]["items"]["properties"]}
    schema_fields |= set(props["arms"]["items"]["properties"])
    assert set(FRONT_FIELDS) <= schema_fields


def test_side_rows_are_the_step_figures_and_asymmetry_rows_name_side_figures() -> None:
    reg = registry()
    assert set(reg.names("side")) == set(reg.names("step"))
    for name in reg.names("asymmetry"):
        row = reg[name]
        assert row.of is not None and "side" in reg[row.of].scopes
        assert row.unit == "%"


def test_registry_rows_match_the_json_schema() -> None:
    props = _schema()["properties"]
    step_fields = set(props["steps"]["items"]["properties"])
    summary_fields = set(props["summary"]["properties"])
    asym_fields = set(props["asymmetry_pct"]["properties"]) if "properties" in props["asymmetry_pct"] else None
    reg = registry()
    assert set(reg.names("step")) <= step_fields
    assert set(reg.names("summary")) <= summary_fields
    if asym_fields is not None:
        assert set(reg.names("asymmetry")) == asym_fields
    rep_fields = set(props["drill"]["properties"]["reps"]["items"]["properties"])
    assert set(reg.names("rep")) <= rep_fields


def test_every_row_is_complete_and_every_range_is_ordered() -> None:
    for row in registry().metrics.values():
        assert row.label and row.measured_at and row.range_source, row.name
        if row.plausible_min is not None and row.plausible_max is not None:
            assert row.plausible_min < row.plausible_max, row.name
        assert row.factor > 0, row.name


def test_plausible_rejects_what_no_human_does() -> None:
    reg = registry()
    assert reg["speed_mps"].plausible(9.5)
    assert not reg["speed_mps"].plausible(25.0)
    assert not reg["step_length_m"].plausible(-0.09)
    assert not reg["jump_height_m"].plausible(1.48)
    assert not reg["contact_time_s"].plausible(float("nan"))


def test_an_unknown_metric_is_an_error_naming_it() -> None:
    with pytest.raises(RegistryError, match="thigh_angel_peak_deg"):
        registry().check("thigh_angel_peak_deg", "step", "criterion low_knee_sprint")
    with pytest.raises(RegistryError, match="not a rep metric"):
        registry().check("touchdown_distance_legs", "rep", "criterion x")
