"""Kinograms and S-MAS findings (issue 16): the stride shown (default or chosen), the acceleration
kinogram's positions, angle labels clear of each other and of the skeleton, and the fired S-MAS items as
coaching findings (honest figures only, no double report of a criterion fault)."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

import kneedrive
from kneedrive.cli import app
from kneedrive.coaching.data_files import load_validated
from kneedrive.coaching.library import load_library
from kneedrive.coaching.smas import score
from kneedrive.drills.sprinter import SprinterModel, Synthetic, synthesize, with_faults
from kneedrive.errors import InputError
from kneedrive.events.contacts import ContactDetector
from kneedrive.events.kinogram import plan_kinogram
from kneedrive.events.phases import ACCELERATION_POSITIONS, acceleration_phases
from kneedrive.io.keypoints_csv import keypoints_csv_text
from kneedrive.kinematics.series import series_block
from kneedrive.options import AnalysisOptions
from kneedrive.record import AnalysisRecord, Series
from kneedrive.report.kinogram import (
    PANEL_PX,
    boxes_overlap,
    kinogram_panels,
    kinogram_png,
    layout_labels,
    segment_hits_box,
)

from .realdata import PX_PER_M, dorn_sequence

FPS = 240.0
FRAMES_TOLERANCE = 2  # detected events are within a frame or two of the model's
CLEAN = replace(SprinterModel(), heel_recovery_knee_flexion_deg=90.0)  # tests/test_smas.py: fires no item


def _run(model: SprinterModel, **options: Any) -> tuple[Synthetic, kneedrive.Analysis]:
    syn = synthesize(model, fps_hz=FPS, duration_s=2.0)
    return syn, kneedrive.analyze(syn.sequence, **options)


@pytest.fixture(scope="module")
def overstride() -> tuple[Synthetic, kneedrive.Analysis]:
    return _run(with_faults(SprinterModel(), "overstride"))


@pytest.fixture(scope="module")
def dorn() -> kneedrive.Analysis:
    return kneedrive.analyze(dorn_sequence("JA1Gait35"), px_per_m=PX_PER_M)


def _full(analysis: kneedrive.Analysis) -> Series:
    return Series.from_dict(series_block(analysis.kinematics, max_rate_hz=analysis.kinematics.fps_hz))


# ------------------------------------------------------------------------------------------ the stride shown
def test_the_default_stride_is_the_most_typical_and_a_chosen_one_replaces_it() -> None:
    _, default = _run(CLEAN)
    plan = default.record.kinogram
    assert plan is not None and plan.kind == "max_velocity" and plan.chosen is None
    assert default.record.smas is not None
    assert dict(plan.typical) == dict(default.record.smas.typical_strides) == dict(plan.shown)
    _, chosen = _run(CLEAN, kinogram_stride=1)
    again = chosen.record.kinogram
    assert again is not None and again.chosen == 1 and dict(again.shown) == {"left": 0, "right": 0}
    for side in ("left", "right"):
        assert again.shown_positions(side) == again.strides[side][0] != again.strides[side][plan.typical[side]]
        panels = kinogram_panels(chosen.record, side)
        first = again.strides[side][0]["touchdown"]
        assert first is not None and panels[3].key is not None and panels[3].key.frame == first[0]
    loaded = AnalysisRecord.from_dict(chosen.record.to_dict())
    assert loaded.kinogram == again


def test_a_stride_out_of_range_names_the_valid_range() -> None:
    syn = synthesize(CLEAN, fps_hz=FPS, duration_s=2.0)
    plan = plan_kinogram(_full(kneedrive.analyze(syn.sequence)), kneedrive.analyze(syn.sequence).events)
    n = min(len(plan.strides["left"]), len(plan.strides["right"]))
    for bad in (0, -1, n + 1):
        with pytest.raises(InputError, match=rf"--kinogram-stride must be 1 to {n} .*got {bad}"):
            kneedrive.analyze(syn.sequence, kinogram_stride=bad)
    with pytest.raises(InputError, match="kinogram_stride must be a stride number"):
        AnalysisOptions(kinogram_stride="2")  # type: ignore[arg-type]


def test_the_cli_gives_one_error_line_for_a_bad_stride(tmp_path: Path) -> None:
    csv = tmp_path / "sprint.csv"
    csv.write_text(keypoints_csv_text(synthesize(CLEAN, fps_hz=FPS, duration_s=2.0).sequence), encoding="utf-8")
    result = CliRunner().invoke(app, ["analyze", str(csv), "--kinogram-stride", "40", "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: --kinogram-stride must be 1 to ")
    assert not (tmp_path / "o").exists()  # nothing written
    ok = CliRunner().invoke(app, ["analyze", str(csv), "--kinogram-stride", "2", "--out", str(tmp_path / "o")])
    assert ok.exit_code == 0, ok.output
    image = Image.open(tmp_path / "o" / "kinogram_left.png")
    assert image.size == (5 * PANEL_PX, image.size[1])
    # the options object the store, the app and the batch hand on carries the choice too
    options = AnalysisOptions.from_dict(AnalysisOptions(kinogram_stride=2).to_dict())
    plan = options.analyze(csv).record.kinogram
    assert plan is not None and plan.chosen == 2 and dict(plan.shown) == {"left": 1, "right": 1}


# ------------------------------------------------------------------------------------------ acceleration
def test_each_acceleration_position_is_the_frame_its_definition_names() -> None:
    syn, analysis = _run(CLEAN)
    steps = acceleration_phases(_full(analysis), analysis.events)
    t = analysis.sequence.time_s
    truth = syn.truth.events
    checked = 0
    for side in ("left", "right"):
        for step in steps[side]:
            if not step.complete:
                continue
            td = min((e.time_s for e in truth if e.side == side and e.kind == "touchdown"),
                     key=lambda x: abs(x - step.touchdown_time_s))  # fmt: skip
            off = min(e.time_s for e in truth if e.side == side and e.kind == "toe_off" and e.time_s > td)
            nxt = min(e.time_s for e in truth if e.side == side and e.kind == "touchdown" and e.time_s > off)
            frame = {p: step.samples[p] for p in ACCELERATION_POSITIONS}
            assert list(frame.values()) == sorted(frame.values())  # type: ignore[type-var]
            assert abs(frame["touchdown"] - int(np.flatnonzero(t >= td)[0])) <= FRAMES_TOLERANCE  # type: ignore[operator]
            assert abs(frame["toe_off"] - int(np.flatnonzero(t <= off)[-1])) <= FRAMES_TOLERANCE  # type: ignore[operator]
            middle = int(np.flatnonzero(t >= (td + off) / 2)[0])
            assert abs(frame["mid_stance"] - middle) <= FRAMES_TOLERANCE  # type: ignore[operator]
            p = syn.points_m
            thigh = np.degrees(np.arctan2(*(p[f"{side}_knee"] - p[f"{side}_hip"]).T * np.array([[1.0], [-1.0]])))
            lo, hi = int(np.flatnonzero(t >= off)[0]), int(np.flatnonzero(t <= nxt)[-1])
            assert abs(frame["peak_knee_lift"] - (lo + int(np.argmax(thigh[lo : hi + 1])))) <= FRAMES_TOLERANCE  # type: ignore[operator]
            checked += 1
    assert checked >= 4


def test_the_dorn_sprinter_is_a_steady_sprint(dorn: kneedrive.Analysis) -> None:
    """The Dorn et al. 2012 sprinter at 9.5 m/s is a steady sprint, not an acceleration (the hips' speed
    rise itself: tests/test_block_start.py)."""
    rise = dorn.record.summary.speed_rise_pct
    threshold = 100.0 * float(load_validated("kinogram")["acceleration_min_speed_rise"])
    assert rise is not None and abs(rise) < threshold
    assert dorn.record.kinogram is not None and dorn.record.kinogram.kind == "max_velocity"


def test_an_acceleration_gets_its_kinogram_and_no_smas(monkeypatch: pytest.MonkeyPatch) -> None:
    import kneedrive.analysis as analysis_module

    rules = dict(load_validated("kinogram"))
    rules["acceleration_min_speed_rise"] = -1.0  # every clip counts as an acceleration
    real = analysis_module.load_validated
    monkeypatch.setattr(analysis_module, "load_validated", lambda name: rules if name == "kinogram" else real(name))
    _, analysis = _run(CLEAN)
    record = analysis.record
    assert record.smas is None
    assert any(w.startswith("S-MAS not scored: the clip is an acceleration") for w in record.warnings)
    plan = record.kinogram
    assert plan is not None and plan.kind == "acceleration" and plan.positions == ACCELERATION_POSITIONS
    for side in ("left", "right"):  # the default stride: each side's first complete one
        first = next(i for i, s in enumerate(plan.strides[side]) if all(v is not None for v in s.values()))
        assert plan.shown[side] == first
    png = kinogram_png(record, "left")
    assert png is not None and Image.open(io.BytesIO(png)).size[0] == 4 * PANEL_PX
    assert "Acceleration kinogram" in kneedrive.report.html.render_report(record)  # type: ignore[attr-defined]


# ------------------------------------------------------------------------------------------ label layout
def _clear(panel_labels: Any, segments: Any) -> None:
    labels = list(panel_labels)
    for i, a in enumerate(labels):
        assert all(not boxes_overlap(a.box, b.box) for b in labels[i + 1 :]), (a, labels)
        assert all(not segment_hits_box(s, a.box) for s in segments), a
        assert min(a.box[0], a.box[1]) >= 0 and max(a.box[2], a.box[3]) <= PANEL_PX


def test_labels_are_laid_out_clear_of_each_other_and_the_bones() -> None:
    # a crowded pose: five labels on joints a few pixels apart, bones crossing them
    joints = [(150.0, 150.0), (156.0, 152.0), (150.0, 160.0), (144.0, 148.0), (152.0, 140.0)]
    bones = [((100.0, 100.0), (200.0, 200.0)), ((100.0, 200.0), (200.0, 100.0)), ((150.0, 60.0), (150.0, 240.0))]
    labels = layout_labels(
        [(j, f"label {i}") for i, j in enumerate(joints)], bones, lambda text: (70.0, 16.0), (2, 2, 298, 298)
    )
    assert len(labels) == 5
    _clear(labels, bones)


@pytest.mark.parametrize("clip", ["model", "dorn"])
def test_every_kinogram_panel_has_its_labels_clear(clip: str, dorn: kneedrive.Analysis) -> None:
    record = _run(SprinterModel())[1].record if clip == "model" else dorn.record
    for side in ("left", "right"):
        panels = kinogram_panels(record, side)
        assert len(panels) == 5
        for panel in panels:
            assert len(panel.labels) == 5  # thigh, knee, shin, other thigh, trunk
            _clear(panel.labels, panel.segments())


# ------------------------------------------------------------------------------------------ S-MAS findings
def test_fired_items_become_findings_with_frames_cue_and_drills(overstride: tuple[Synthetic, Any]) -> None:
    record = overstride[1].record
    assert record.smas is not None
    findings = {f.id: f for f in record.smas.findings}
    assert set(findings) == {i.id for i in record.smas.fired()}
    touchdowns = {e.frame for e in record.events if e.kind == "touchdown"}
    shin = findings["shin_angle_touchdown"]
    assert shin.sides == ("left", "right") and shin.frames  # each the first frame at or after a touchdown
    assert all(min(f - e for e in touchdowns if f >= e) <= 1 for f in shin.frames)
    assert all(v is not None and v > shin.threshold for v in shin.values.values())  # type: ignore[operator]
    assert shin.cue and shin.drills and set(shin.drills) <= set(load_library().ids) and not shin.same_as
    # the overstride item repeats the criterion fault: it points at it instead of a second fault
    fault_ids = [f.id for f in record.coaching.faults]
    assert findings["foot_ahead_of_com"].same_as == "overstride" and "overstride" in fault_ids
    assert all(not f.same_as or f.same_as in fault_ids for f in findings.values())
    loaded = AnalysisRecord.from_dict(record.to_dict())
    assert loaded.smas is not None and loaded.smas.findings == record.smas.findings


def test_findings_show_in_the_report_and_the_terminal(overstride: tuple[Synthetic, Any]) -> None:
    from rich.console import Console

    from kneedrive.report.html import render_report
    from kneedrive.report.terminal import print_summary

    record = overstride[1].record
    html = render_report(record)
    assert 'id="smas-finding-shin_angle_touchdown"' in html and 'href="#fault-overstride"' in html
    console = Console(record=True, width=200)
    print_summary(record, console)
    text = console.export_text()
    assert "S-MAS Shin angle" in text and "S-MAS Foot contact vs centre of mass distance" in text


def test_an_analysis_that_is_not_judged_has_no_score_findings_or_kinogram() -> None:
    # the clean model's low heel fold with an overstride drags the swing foot: the contact detector gives
    # phantom touchdowns, the feet do not alternate, so nothing is judged (by default the foot-reach events
    # are then used instead: kneedrive.events.choice)
    _, analysis = _run(with_faults(CLEAN, "overstride"), detector=ContactDetector())
    record = analysis.record
    assert any("technique is not judged" in w for w in record.warnings)
    assert record.smas is None and record.kinogram is None and record.coaching.faults == ()


def test_an_implausible_value_is_withheld_and_never_judged(overstride: tuple[Synthetic, Any]) -> None:
    analysis = overstride[1]
    full = _full(analysis)
    honest = score(full, analysis.events)
    angles = {k: np.array(v, dtype=float) for k, v in full.angles.items()}
    angles["left_shank_angle_deg"][:] = 170.0  # a shin no human holds (plausible: -40 to 60 deg)
    broken = replace(full, angles=angles)
    smas = score(broken, analysis.events)
    item = next(i for i in smas.items if i.id == "shin_angle_touchdown")
    assert item.sides["left"].fault is None and all(v is None for v in item.sides["left"].strides)
    assert item.sides["right"] == next(i for i in honest.items if i.id == item.id).sides["right"]
    assert any(w.startswith("S-MAS shin_angle_touchdown withheld at frame") for w in smas.withheld)
    # a figure the analysis withheld (e.g. for camera motion) is not scored, and says why
    gone = score(full, analysis.events, withheld_figures={"trunk_lean_touchdown_deg": "the camera moves"})
    lean = next(i for i in gone.items if i.id == "forward_lean_touchdown")
    assert lean.not_scored == "withheld: the camera moves" and lean.sides["left"].fault is None


def test_an_analysis_saved_before_the_kinogram_block_still_draws_and_renders(
    overstride: tuple[Synthetic, Any],
) -> None:
    from kneedrive.report.html import render_report

    doc = overstride[1].record.to_dict()
    del doc["kinogram"], doc["smas"]["findings"]
    doc["smas"]["items"][1]["figure"] = "heel_behind_hip_mvp_legs"  # a figure since renamed
    old = AnalysisRecord.from_dict(doc)
    assert old.kinogram is None and old.smas is not None and old.smas.findings == ()
    panels = kinogram_panels(old, "left")  # the S-MAS' typical stride
    typical = old.smas.positions["left"]["touchdown"]
    assert len(panels) == 5 and typical is not None and panels[3].key is not None
    assert panels[3].key.frame == typical[0]
    assert 'id="smas-back_kick"' in render_report(old)


def test_the_positions_of_a_real_sprinters_strides_come_in_their_order(dorn: kneedrive.Analysis) -> None:
    # the Dorn sprinter's hip centres keep rising until touch-down: max vertical projection is still
    # found mid-flight, before the strike
    plan = dorn.record.kinogram
    assert plan is not None
    complete = [s for side in ("left", "right") for s in plan.strides[side] if all(v is not None for v in s.values())]
    assert len(complete) >= 3
    for stride in complete:
        frames = [stride[p][0] for p in plan.positions]  # type: ignore[index]
        assert frames == sorted(frames), frames
