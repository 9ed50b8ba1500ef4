"""Two views of one session (issue 15): a side clip and a front clip in one analysis, one JSON document and one
report, each figure from the view that shows it; the same view twice, or an oblique clip, refused."""

from __future__ import annotations

import json
from dataclasses import dataclass
from html import escape
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from typer.testing import CliRunner

import kneedrive
from kneedrive.cli import app
from kneedrive.drills.camera import Artefacts
from kneedrive.drills.front_model import (
    FrontCamera,
    FrontFaults,
    FrontRunModel,
    synthesize_front_run,
    with_front_faults,
)
from kneedrive.drills.sprinter import SprinterModel, synthesize, with_faults
from kneedrive.io.keypoints_csv import write_keypoints_csv
from kneedrive.record import AnalysisRecord
from kneedrive.sequence import PoseSequence

runner = CliRunner()
NOISE = Artefacts(jitter_px=1.0)
FRONT_FAULTS = ("knee_valgus", "pelvic_drop")
SCHEMA: dict[str, Any] = json.loads(
    resources.files("kneedrive").joinpath("schema/analysis-v1.schema.json").read_text(encoding="utf-8")
)


@dataclass(frozen=True)
class Session:
    side: PoseSequence
    front: PoseSequence
    truth: FrontFaults


@pytest.fixture(scope="module")
def session() -> Session:
    """An overstriding sprinter filmed from the side, and a runner with valgus and pelvic drop from the front."""
    side = synthesize(with_faults(SprinterModel(), "overstride"), fps_hz=120.0, artefacts=NOISE).sequence
    truth = with_front_faults(FrontFaults(), *FRONT_FAULTS)
    front = synthesize_front_run(FrontRunModel(faults=truth), fps_hz=60.0, artefacts=NOISE, seed=3).sequence
    return Session(side, front, truth)


@pytest.fixture(scope="module")
def combined(session: Session) -> kneedrive.Analysis:
    return kneedrive.analyze_views(session.front, session.side, athlete_height_m=1.8)  # either order


def test_each_figure_comes_from_the_clip_that_shows_it(session: Session, combined: kneedrive.Analysis) -> None:
    record = combined.record
    assert record.view == "side" and record.source == session.side.source
    assert record.front_clip is not None and record.front_clip.view == "front"
    assert record.front_clip.source == session.front.source
    # sagittal figures from the side clip: steps, contacts, knee drive; none from the front clip
    assert len(record.steps) >= 6 and record.summary.thigh_angle_peak_deg == pytest.approx(80.0, abs=3.0)
    assert record.front is None and record.front_clip.steps == ()
    # front-view figures from the front clip, within the tolerances of the truth
    front = record.front_clip.front
    assert front is not None
    for side in ("left", "right"):
        for name in ("knee_fppa_deg", "pelvic_drop_deg", "trunk_lateral_lean_deg"):
            assert front.sides[side][name] == pytest.approx(getattr(session.truth, name), abs=2.0), (side, name)
        assert front.sides[side]["step_width_legs"] == pytest.approx(2 * session.truth.foot_to_midline_legs, abs=0.02)
    # faults from both clips, each in its own clip's record
    assert [f.id for f in record.coaching.faults] == ["overstride"]
    assert sorted(f.id for f in record.front_clip.coaching.faults) == sorted(FRONT_FAULTS)
    assert [c.source for c in record.clips] == [session.side.source, session.front.source]


def test_the_session_document_is_the_side_document_plus_the_front_clip(
    session: Session, combined: kneedrive.Analysis
) -> None:
    doc = combined.to_dict(include_series=True)
    jsonschema.validate(doc, SCHEMA)
    alone = kneedrive.analyze(session.side, athlete_height_m=1.8).to_dict(include_series=True)
    assert "front_clip" not in alone  # one clip: the document as before
    assert {k: v for k, v in doc.items() if k != "front_clip"} == alone
    assert doc["front_clip"]["view"] == "front" and "front" in doc["front_clip"]
    assert doc["front_clip"]["series"]["points"]  # the front key frames are drawn from the front clip's series
    again = AnalysisRecord.from_dict(json.loads(json.dumps(doc)))
    assert again.to_dict() == doc


@pytest.mark.parametrize(
    "front_clip",
    [
        {"view": "side"},  # the front clip must be a front view
        {"front_clip": {}},  # and carries no clip of its own
    ],
)
def test_the_schema_refuses_a_front_clip_that_is_not_one(
    combined: kneedrive.Analysis, front_clip: dict[str, Any]
) -> None:
    doc = combined.to_dict()
    doc["front_clip"] |= front_clip
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc, SCHEMA)


def test_two_clips_of_one_view_or_an_oblique_clip_are_refused(session: Session) -> None:
    with pytest.raises(kneedrive.InputError, match="both clips are side views"):
        kneedrive.analyze_views(session.side, session.side)
    with pytest.raises(kneedrive.InputError, match="both clips are front views"):
        kneedrive.analyze_views(session.front, session.front)
    camera = FrontCamera(yaw_deg=55.0, lateral_offset_m=-5.0, distance_m=20.0, focal_px=1800.0)
    oblique = synthesize_front_run(fps_hz=60.0, artefacts=NOISE, camera=camera).sequence
    with pytest.raises(kneedrive.InputError, match="is an oblique view"):
        kneedrive.analyze_views(session.side, oblique)


@pytest.mark.slow  # the side clip's plots take 5 s
def test_the_report_shows_both_views_with_their_clips(combined: kneedrive.Analysis) -> None:
    from kneedrive.report.html import render_report

    html = render_report(combined.record, drill_library={}, kinograms={})
    assert 'id="front-view"' in html and "From the front clip" in html
    assert html.count('data-kind="front"') == 4  # worst FPPA and pelvic drop, each side, of the front clip
    for fault in ("overstride", "knee_valgus", "pelvic_drop"):
        assert f'id="fault-{fault}"' in html
    assert html.count("front-stick") >= 4 + 2  # the front faults' evidence drawn as the camera saw it
    assert "Knee drive" in html  # the side clip's summary table
    front = combined.record.front_clip
    assert front is not None and f"{front.input.frames} frames" in html  # the front clip's facts
    assert escape(f"{front.source}: {front.warnings[0]}") in html  # its warnings, named with their clip


def test_analyze_takes_a_side_and_a_front_clip(session: Session, tmp_path: Path) -> None:
    side, front, saved = tmp_path / "side.csv", tmp_path / "front.csv", tmp_path / "a.json"
    write_keypoints_csv(session.side, side)
    write_keypoints_csv(session.front, front)
    result = runner.invoke(app, ["analyze", str(side), str(front), "--json", str(saved)])
    assert result.exit_code == 0, result.output
    assert result.output.index("Knee drive") < result.output.index("Knee frontal plane projection angle")
    doc = json.loads(saved.read_text())
    jsonschema.validate(doc, SCHEMA)
    assert "series" not in doc and "series" not in doc["front_clip"]  # --series adds both
    assert [Path(d["source"]).name for d in (doc, doc["front_clip"])] == ["side.csv", "front.csv"]


@pytest.mark.slow  # the whole --out folder, its report re-rendered (10 s)
def test_analyze_takes_a_side_and_a_front_clip_end_to_end(session: Session, tmp_path: Path) -> None:
    side, front = tmp_path / "side.csv", tmp_path / "front.csv"
    write_keypoints_csv(session.side, side)
    write_keypoints_csv(session.front, front)
    out = tmp_path / "out"
    result = runner.invoke(app, ["analyze", str(front), str(side), "--athlete-height-m", "1.8", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "front view" in result.output and "Knee frontal plane projection angle" in result.output
    assert "Knee drive" in result.output
    assert (out / "front_keypoints.csv").is_file() and (out / "keypoints.csv").is_file()
    doc = json.loads((out / "analysis.json").read_text())
    jsonschema.validate(doc, SCHEMA)
    assert Path(doc["source"]).name == "side.csv" and Path(doc["front_clip"]["source"]).name == "front.csv"
    assert {f["id"] for f in doc["faults"] + doc["front_clip"]["faults"]} == {"overstride", *FRONT_FAULTS}
    # the front clip's keypoints read back as a front view
    assert kneedrive.analyze(out / "front_keypoints.csv").record.view == "front"
    # `kneedrive report` re-renders the saved session with both views
    again = tmp_path / "again.html"
    assert runner.invoke(app, ["report", str(out / "analysis.json"), "-o", str(again)]).exit_code == 0
    html = again.read_text()
    assert "From the front clip <b>front.csv</b>" in html and 'id="fault-overstride"' in html


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["{side}"], "one clip, or a side and a front clip"),
        (["--view", "side"], "--view applies to one clip"),
        (["--px-per-m", "300"], "--px-per-m applies to one clip"),
        (["--athlete", "Ana"], "--athlete applies to one clip"),
    ],
)
def test_two_clip_mistakes_give_one_line_and_exit_2(
    session: Session, tmp_path: Path, extra: list[str], message: str
) -> None:
    side, front = tmp_path / "side.csv", tmp_path / "front.csv"
    write_keypoints_csv(session.side, side)
    write_keypoints_csv(session.front, front)
    args = ["analyze", str(side), str(front), *(a.format(side=side) for a in extra)]
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and message in lines[0], lines


def test_the_same_view_twice_on_the_command_line_says_so(session: Session, tmp_path: Path) -> None:
    side = tmp_path / "side.csv"
    write_keypoints_csv(session.side, side)
    result = runner.invoke(app, ["analyze", str(side), str(side)])
    assert result.exit_code == 2
    assert result.output.startswith("error: both clips are side views") and len(result.output.splitlines()) == 1
