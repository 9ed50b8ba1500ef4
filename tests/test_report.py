"""The coach's report: --out exports, the series block, key frames, findings, `kneedrive report`."""

from __future__ import annotations

import csv
import json
import math
import re
from dataclasses import fields, replace
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

import kneedrive
from kneedrive.cli import app
from kneedrive.coaching.faults import Coaching, Evidence, Fault
from kneedrive.drills.generator import synthesize_drill
from kneedrive.drills.keyframes import DrillSession
from kneedrive.drills.rep_metrics import Cycle, Rep
from kneedrive.io.analysis_json import analysis_json_text
from kneedrive.io.keypoints_csv import read_keypoints_csv
from kneedrive.io.trc import read_trc
from kneedrive.kinematics.series import decimation_step
from kneedrive.record import AnalysisRecord
from kneedrive.report.export import table_csv, write_outputs
from kneedrive.report.headline import top_findings
from kneedrive.report.html import missing_frames, render_report
from kneedrive.report.keyframes import key_frames
from kneedrive.report.skeleton import skeleton_svg

runner = CliRunner()


def _blank(cls: Any, **given: Any) -> Any:
    """A result dataclass with every field None except those given."""
    return cls(**{f.name: given.get(f.name) for f in fields(cls)})


SCHEMA = json.loads(resources.files("kneedrive").joinpath("schema/analysis-v1.schema.json").read_text())


@pytest.fixture(scope="module")
def demo_doc(clean_sprint: Any) -> dict[str, Any]:
    analysis = kneedrive.analyze(clean_sprint.sequence, athlete_height_m=1.8)
    doc: dict[str, Any] = json.loads(analysis_json_text(analysis.to_dict(include_series=True)))
    return doc


def test_series_is_opt_in_decimated_and_follows_the_schema(clean_sprint: Any, demo_doc: dict[str, Any]) -> None:
    analysis = kneedrive.analyze(clean_sprint.sequence, athlete_height_m=1.8)
    assert "series" not in analysis.to_dict()
    full = analysis.to_dict(include_series=True)
    assert json.loads(analysis_json_text(full)) == full  # the compact series line is still the same JSON
    assert len(analysis_json_text(full).splitlines()[-2]) > 10_000  # ... on one line
    jsonschema.validate(demo_doc, SCHEMA)
    series = demo_doc["series"]
    assert series["rate_hz"] == pytest.approx(80.0)  # 240 fps, every 3rd frame
    assert series["frames"][:3] == [0, 3, 6]
    n = len(series["time_s"])
    assert n == math.ceil(clean_sprint.sequence.n_frames / 3)
    assert all(len(v) == n for v in series["angles"].values())
    assert all(len(v) == n for v in series["points"].values())
    # the series is the kinematics, sampled: same thigh angle at the same frame
    i = 40
    assert series["angles"]["left_thigh_angle_deg"][i] == pytest.approx(
        analysis.kinematics.angles["left_thigh_angle_deg"][series["frames"][i]], abs=0.06
    )
    assert [decimation_step(f) for f in (30.0, 100.0, 100.5, 150.0, 240.0, 250.0, 1000.0)] == [1, 1, 2, 2, 3, 3, 10]


def test_series_carries_no_invalid_json(demo_doc: dict[str, Any]) -> None:
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**demo_doc, "series": {**demo_doc["series"], "extra": 1}}, SCHEMA)


def _thigh_deg(pose: dict[str, tuple[float, float]], side: str) -> float:
    hx, hy = pose[f"{side}_hip"]
    kx, ky = pose[f"{side}_knee"]
    return math.degrees(math.atan2(kx - hx, -(ky - hy)))


def test_key_frames_show_the_moment_they_name(demo_doc: dict[str, Any]) -> None:
    frames = key_frames(AnalysisRecord.from_dict(demo_doc))
    assert {(k.side, k.kind) for k in frames} == {
        (s, k) for s in ("left", "right") for k in ("knee_lift", "touchdown", "toe_off")
    }
    by_step = {(s["side"], s["knee_lift_time_s"]): s for s in demo_doc["steps"]}
    half_sample_s = 0.5 / demo_doc["series"]["rate_hz"]
    for k in frames:
        t_sample = demo_doc["series"]["time_s"][k.sample]
        assert abs(t_sample - k.time_s) <= half_sample_s + 1e-6
        if k.kind == "knee_lift":  # the stick figure's thigh is at the step's measured peak
            step = by_step[(k.side, k.time_s)]
            assert _thigh_deg(dict(k.pose), k.side) == pytest.approx(step["thigh_angle_peak_deg"], abs=2.5)
        else:  # at touchdown and toe-off the foot of that side is the lowest point, near the ground
            foot = min(k.pose[f"{k.side}_{p}"][1] for p in ("heel", "foot_index"))
            other = min(k.pose[f"{o}_{p}"][1] for o in ("left", "right") if o != k.side for p in ("heel", "foot_index"))
            assert foot < other
            assert k.ground_y is not None and foot - k.ground_y < 0.08  # leg lengths (~7 cm)
    assert key_frames(replace(AnalysisRecord.from_dict(demo_doc), series=None)) == []


def test_findings_prefer_coaching_faults_by_severity(demo_doc: dict[str, Any]) -> None:
    faults = (
        Fault("soggy_foot", "x", "Soggy foot", "minor", "ankle_dorsiflexion_knee_lift_deg", -8.0, 0.0, None, "deg",
              Evidence("steps", (3,), (1.2,), (288,), (-8.0,)), "toes up", ("wall_drill",), ("000",)),
        Fault("low_knee_drive", "y", "Low knee drive", "major", "thigh_angle_peak_deg", 48.0, 58.0, None, "deg",
              Evidence("steps", (1, 2), (0.9, 1.4), (), (48.0, 47.0)), "knee up", ("a_skip", "wall_drill"),
              ("004",)),
    )  # fmt: skip
    record = replace(AnalysisRecord.from_dict(demo_doc), coaching=Coaching("sprint", faults, ()))
    findings = top_findings(record)
    assert [f.severity for f in findings] == ["major", "minor"]
    assert findings[0].title.startswith("Low knee drive") and findings[0].cue == "knee up"
    html = render_report(record, drill_library={"a_skip": {"name": "A-skip", "dose": "2 x 25 yd"}})
    assert 'id="fault-low_knee_drive"' in html and 'href="#library-a_skip">A-skip</a>: 2 x 25 yd' in html
    assert 'href="#library-wall_drill">wall drill</a>' in html  # no library entry: the id, readable
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), "duplicate ids across the inline SVGs"
    targets = set(ids)
    links = set(re.findall(r'<a href="#([^"]+)"', html))
    assert links == {"library-a_skip", "library-wall_drill"} and links <= targets  # every link lands
    assert html.count('id="library-wall_drill"') == 1  # prescribed twice, listed once
    assert html.count('data-kind="evidence"') == 3  # a stick figure at each evidence time (1 + 2)


def test_findings_without_faults_rank_reference_deviations(tmp_path: Path) -> None:
    out = tmp_path / "low.json"
    assert runner.invoke(app, ["demo", "--fault", "overstride", "--json", str(out)]).exit_code == 0
    doc = json.loads(out.read_text())
    assert doc["faults"] and doc["praise"] is not None  # coaching's view; here the fallback
    findings = top_findings(replace(AnalysisRecord.from_dict(doc), coaching=Coaching("sprint", (), ())))
    assert len(findings) == 3
    assert findings[0].importance >= findings[1].importance >= findings[2].importance
    overstride = next(f for f in findings if f.title.startswith("Foot ahead of hips"))
    assert overstride.severity in ("moderate", "major") and "overstriding" in overstride.cue


def test_out_writes_every_export_and_the_report_rerenders(tmp_path: Path) -> None:
    out = tmp_path / "existing"
    out.mkdir()
    (out / "report.html").write_text("stale")
    result = runner.invoke(app, ["demo", "--out", str(out)])
    assert result.exit_code == 0, result.output
    names = {p.name for p in out.iterdir()}
    # a sprint has steps, its drill block one rep (the run), and an S-MAS with a kinogram per side
    assert names == {
        "report.html", "analysis.json", "steps.csv", "reps.csv", "keypoints.csv", "keypoints.trc",
        "kinogram_left.png", "kinogram_right.png", "manifest.json",
    }  # fmt: skip
    doc = json.loads((out / "analysis.json").read_text())
    jsonschema.validate(doc, SCHEMA)
    assert "series" in doc
    with (out / "steps.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == len(doc["steps"])
    assert float(rows[2]["contact_time_s"]) == pytest.approx(doc["steps"][2]["contact_time_s"])
    keypoints = read_keypoints_csv(out / "keypoints.csv")
    trc = read_trc(out / "keypoints.trc")
    assert keypoints.n_frames == trc.n_frames == doc["input"]["frames"]
    html = (out / "report.html").read_text()
    assert html != "stale" and 'id="plot-angles"' in html
    # re-render from the saved analysis alone
    again = tmp_path / "again.html"
    result = runner.invoke(app, ["report", str(out / "analysis.json"), "-o", str(again)])
    assert result.exit_code == 0, result.output
    rerendered = again.read_text()
    for marker in ('id="plot-angles"', 'id="plot-steps"', 'id="plot-trunk"', 'class="keyframe', 'id="smas-'):
        assert rerendered.count(marker) == html.count(marker) > 0


def test_drill_reps_give_reps_csv_and_a_cycle_rate_plot(
    demo_doc: dict[str, Any], tmp_path: Path, clean_sprint: Any
) -> None:
    reps = tuple(
        _blank(Rep, index=i + 1, start_s=2.0 * i, end_s=2.0 * i + 1.5, side="left", cycles=4,
               cycle_rate_hz=rate, rate_decay_pct=decay, decayed=decay < -10, thigh_angle_peak_deg=92.0,
               cycles_detail=tuple(_blank(Cycle, start_s=2.0 * i + c * d, end_s=2.0 * i + (c + 1) * d, side="left")
                                   for c, d in enumerate((0.30, 0.32, 0.36, 0.40))))
        for i, (rate, decay) in enumerate(((3.0, -12.0), (2.8, -4.0)))
    )  # fmt: skip
    record = AnalysisRecord.from_dict(demo_doc)
    record = replace(record, drill=replace(record.drill, id="high_knees", name="High knees", reps=reps))
    written = write_outputs(record, clean_sprint.sequence, tmp_path)
    assert (tmp_path / "reps.csv") in written
    with (tmp_path / "reps.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert [r["rate_decay_pct"] for r in rows] == ["-12.0", "-4.0"] and "cycles_detail" not in rows[0]
    html = (tmp_path / "report.html").read_text()
    assert 'id="plot-cycle-rate"' in html and 'id="reps-table"' in html
    assert "thigh parallel" in html  # a drill's thigh target band is parallel, not the sprint reference
    assert ">High knees<" in html


def test_table_csv_leaves_out_nested_fields_and_keeps_nulls_empty() -> None:
    text = table_csv([{"a": 1.5, "b": None, "c": [1, 2]}, {"a": 2, "b": True, "d": "x"}])
    assert text.splitlines() == ["a,b,d", "1.5,,", "2,true,x"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "does not exist"),
        ("{not json", "not a JSON file"),
        ('{"hello": 1}', "not a kneedrive analysis"),
        ('{"schema_version": 1, "source": "x"}', "not a valid kneedrive analysis"),
        ("\x00\xff", "not a JSON file"),
    ],
)
def test_report_refuses_bad_json_in_one_line(tmp_path: Path, content: str | None, message: str) -> None:
    path = tmp_path / "analysis.json"
    if content is not None:
        path.write_bytes(content.encode("latin-1"))
    out = tmp_path / "report.html"
    result = runner.invoke(app, ["report", str(path), "-o", str(out)])
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not out.exists()


def test_out_refuses_a_file_in_place_of_the_folder(tmp_path: Path) -> None:
    path = tmp_path / "taken"
    path.write_text("x")
    result = runner.invoke(app, ["demo", "--out", str(path)])
    assert result.exit_code == 2 and "not a folder" in result.output


@given(
    st.lists(
        st.dictionaries(
            st.sampled_from(["side", "contact_time_s", "cycles", "decayed", "note"]),
            st.none() | st.booleans() | st.integers(-5, 500) | st.floats(-1e3, 1e3, allow_nan=False),
            min_size=1,
        ),
        min_size=1,
        max_size=6,
    )
)
def test_table_csv_round_trips_every_scalar(rows: list[dict[str, Any]]) -> None:
    parsed = list(csv.DictReader(table_csv(rows).splitlines()))
    assert len(parsed) == len(rows)
    for row, back in zip(rows, parsed, strict=True):
        for key, value in row.items():
            if value is None:
                assert back[key] == ""
            elif isinstance(value, bool):
                assert back[key] == ("true" if value else "false")
            else:
                assert float(back[key]) == value


def test_dropped_frames_show_in_the_data_quality(clean_sprint: Any) -> None:
    seq = clean_sprint.sequence
    keep = np.r_[0:200, 207 : seq.n_frames]  # 7 frames dropped by the camera
    dropped = seq.replace(time_s=seq.time_s[keep], xy=seq.xy[keep], score=seq.score[keep])
    record = kneedrive.analyze(dropped, athlete_height_m=1.8).record
    doc = record.to_dict()
    inp = doc["input"]
    assert missing_frames(inp["frames"], inp["fps_hz"], inp["duration_s"]) == 7
    assert missing_frames(seq.n_frames, seq.fps_hz, float(seq.time_s[-1] - seq.time_s[0])) == 0
    assert '<td>Frames missing from the time stamps</td><td class="num">7</td>' in render_report(record)


def test_skeleton_draws_over_a_video_frame_in_image_pixels() -> None:
    pose = {"left_hip": (320.0, 200.0), "left_knee": (360.0, 300.0), "right_hip": (310.0, 205.0)}
    uri = "data:image/png;base64,iVBORw0KGgo="
    svg = skeleton_svg(pose, width_px=640, height_px=480, background_uri=uri, highlight_side="left")
    assert svg.index(f'<image href="{uri}"') < svg.index("<line")  # the frame under the skeleton
    assert 'viewBox="0 0 640 480"' in svg and "<rect" not in svg
    assert '<line x1="320.0" y1="200.0" x2="360.0" y2="300.0" stroke="#1f77b4" stroke-width="6.0"' in svg


def test_analyze_out_and_json_series_feed_the_report_command(tmp_path: Path) -> None:
    keypoints, out = tmp_path / "k.csv", tmp_path / "session"
    assert runner.invoke(app, ["demo", "--csv", str(keypoints)]).exit_code == 0
    result = runner.invoke(app, ["analyze", str(keypoints), "--athlete-height-m", "1.8", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / "report.html").is_file() and (out / "keypoints.trc").is_file()
    plain, with_series = tmp_path / "plain.json", tmp_path / "series.json"
    args = ["analyze", str(keypoints), "--athlete-height-m", "1.8"]
    assert runner.invoke(app, [*args, "--json", str(plain)]).exit_code == 0
    assert runner.invoke(app, [*args, "--json", str(with_series), "--series"]).exit_code == 0
    assert "series" not in json.loads(plain.read_text())
    jsonschema.validate(json.loads(with_series.read_text()), SCHEMA)
    for source, has_plots in ((with_series, True), (plain, False)):
        html_path = tmp_path / f"{source.stem}.html"
        result = runner.invoke(app, ["report", str(source), "-o", str(html_path)])
        assert result.exit_code == 0, result.output
        html = html_path.read_text()
        assert ('id="plot-angles"' in html) is has_plots and ('class="keyframe' in html) is has_plots
        assert has_plots or "saved without its series block" in html


@pytest.fixture(scope="module")
def drive_through() -> tuple[Any, dict[str, Any]]:
    """A synthetic single-leg drive-through whose knee stops short of parallel and whose reps slow down."""
    session = DrillSession("single_leg_drive_through", rate_decay_pct=15.0, thigh_peak_scale=0.85)
    synthetic = synthesize_drill(session, fps_hz=60.0)
    analysis = kneedrive.analyze(synthetic.sequence, athlete_height_m=1.8)
    return synthetic, json.loads(analysis_json_text(analysis.to_dict(include_series=True)))


def test_a_drill_report_shows_reps_cycles_and_the_seeds_targets(drive_through: Any, tmp_path: Path) -> None:
    synthetic, doc = drive_through
    jsonschema.validate(doc, SCHEMA)
    assert doc["drill"]["id"] == "single_leg_drive_through" and doc["steps"] == []
    record = AnalysisRecord.from_dict(doc)
    written = {p.name for p in write_outputs(record, synthetic.sequence, tmp_path)}
    assert written == {"report.html", "analysis.json", "reps.csv", "keypoints.csv", "keypoints.trc"}  # no steps
    with (tmp_path / "reps.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert [r["side"] for r in rows] == [r["side"] for r in doc["drill"]["reps"]] == ["right", "left"]
    assert all(float(r["rate_decay_pct"]) > 5 and r["decayed"] == "true" for r in rows)
    # coaching sees the knee short of parallel (the model's peak x 0.85); so does the report's own
    # comparison with the seeds' targets when there are no faults, which also flags the slowed reps
    low_knee = doc["faults"][0]
    assert low_knee["metric"] == "thigh_angle_peak_deg" and top_findings(record)[0].title.startswith(low_knee["title"])
    findings = top_findings(replace(record, coaching=Coaching(record.drill.id, (), ())))
    assert findings[0].title.startswith("Knee drive (thigh peak from vertical)") and "parallel" in findings[0].detail
    assert findings[0].severity == "major" and "thigh is parallel" in findings[0].cue
    assert sum("slowed down" in f.title for f in findings) == 2
    # key moments from the cycles: drive, top and end per side, the top at the thigh's peak
    frames = key_frames(record)
    assert {(k.side, k.kind) for k in frames} == {
        (s, k) for s in ("left", "right") for k in ("drive", "knee_lift", "cycle_end")
    }
    for k in frames:
        if k.kind == "knee_lift":
            cycle = next(c for r in doc["drill"]["reps"] for c in r["cycles_detail"] if c["top_s"] == k.time_s)
            assert _thigh_deg(dict(k.pose), k.side) == pytest.approx(cycle["thigh_angle_peak_deg"], abs=3.0)
    html = (tmp_path / "report.html").read_text()
    assert 'id="plot-cycle-rate"' in html and 'id="reps-table"' in html and "Single-leg drive-through" in html
    assert "thigh parallel" in html and "hip bend 90-105" not in html  # leaning drill: no upright hip band
    assert 'id="plot-steps"' not in html  # no steps in a drill
    # a rep fault is pictured at the top of the rep's middle cycle, not at the rep's (standing) start
    rep_faults = [f for f in doc["faults"] if f["evidence"].get("reps")]
    assert rep_faults and f"rep {rep_faults[0]['evidence']['reps'][0]}, top" in html


def test_out_is_written_as_a_set_and_a_failed_run_leaves_the_folder_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import kneedrive.report.export as export

    csv = tmp_path / "d.csv"
    assert runner.invoke(app, ["demo", "--csv", str(csv)]).exit_code == 0
    out = tmp_path / "out"
    assert runner.invoke(app, ["analyze", str(csv), "--athlete-height-m", "1.8", "--out", str(out)]).exit_code == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert set(manifest["files"]) == {p.name for p in out.iterdir()} - {"manifest.json"}
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def broken(*args: Any, **kwargs: Any) -> str:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(export, "render_report", broken)  # fails half-way through the set
    result = runner.invoke(app, ["analyze", str(csv), "--athlete-height-m", "1.7", "--out", str(out)])
    assert result.exit_code == 2 and "No space left on device" in result.output
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # untouched, no mix of two analyses
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.")]  # nothing half-written left
    monkeypatch.undo()
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("the coach's own file")
    refused = runner.invoke(app, ["analyze", str(csv), "--out", str(tmp_path / "mine")])
    assert refused.exit_code == 2 and "holds other files (notes.txt)" in refused.output
    assert (tmp_path / "mine" / "notes.txt").read_text() == "the coach's own file"


def test_the_seed_articles_are_cited_by_title_in_the_report(drive_through: Any) -> None:
    """Findings, cues and the plots' green bands come from data files that name the seed articles by number
    ("seeds 000, 002"); the report names them by title, as a coach would look them up."""
    from kneedrive.coaching.library import SEED_TITLES, with_titles

    assert with_titles("thigh parallel, seeds 000 and 002 (kneedrive's)") == (
        f"thigh parallel, “{SEED_TITLES['000']}” (seed 000), “{SEED_TITLES['002']}” (seed 002) (kneedrive's)"
    )
    assert with_titles("seed 009, Dorn et al. 2012") == "seed 009, Dorn et al. 2012"  # no such seed: as it was
    _, doc = drive_through
    html = render_report(AnalysisRecord.from_dict(doc))
    text = re.sub(r"<svg.*?</svg>", "", html, flags=re.S)  # the plots' own labels are short: numbers only
    assert "seed 00" in text
    assert not re.search(r"\bseeds \d{3}", text)
    for cited in re.finditer(r"\(seed (\d{3})\)", text):
        before = text[: cited.start()]
        assert before.endswith(f"“{SEED_TITLES[cited.group(1)]}” "), text[cited.start() - 80 : cited.end()]


def test_the_report_says_how_far_a_frame_moves_the_touchdown_distance(demo_doc: dict[str, Any]) -> None:
    """The quality facts give the touchdown distance's resolution beside the contact time's (overstriding is
    judged only up to 0.1 leg lengths a frame): the 240 fps demo sprinter about 0.04."""
    record = AnalysisRecord.from_dict(demo_doc)
    resolution = record.summary.touchdown_distance_uncertainty_legs
    assert resolution is not None and 0.02 < resolution < 0.06
    html = render_report(record, drill_library={})
    assert "Touchdown distance resolution" in html and f"{resolution:.2f} leg lengths per frame" in html
