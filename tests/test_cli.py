from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from kneedrive.cli import app

runner = CliRunner()
SCHEMA = json.loads(resources.files("kneedrive").joinpath("schema/analysis-v1.schema.json").read_text())


def test_demo_runs_end_to_end_and_its_json_follows_the_schema(tmp_path: Path) -> None:
    out, csv = tmp_path / "demo.json", tmp_path / "demo.csv"
    result = runner.invoke(app, ["demo", "--json", str(out), "--csv", str(csv)])
    assert result.exit_code == 0, result.output
    assert "Cadence" in result.output and "truth:" in result.output
    doc = json.loads(out.read_text())
    jsonschema.validate(doc, SCHEMA)
    assert doc["schema_version"] == 1
    assert doc["summary"]["cadence_spm"] == pytest.approx(258, rel=0.02)
    assert {e["kind"] for e in doc["events"]} == {"touchdown", "toe_off"}
    assert all(s["side"] in ("left", "right") for s in doc["steps"])


def test_analyze_reads_the_demo_csv_like_the_demo(tmp_path: Path) -> None:
    csv, out = tmp_path / "k.csv", tmp_path / "a.json"
    assert runner.invoke(app, ["demo", "--csv", str(csv)]).exit_code == 0
    result = runner.invoke(app, ["analyze", str(csv), "--athlete-height-m", "1.8", "--json", str(out)])
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text())
    jsonschema.validate(doc, SCHEMA)
    assert doc["summary"]["speed_mps"] == pytest.approx(9.0, rel=0.02)


def test_demo_with_a_fault_lowers_the_knee_drive(tmp_path: Path) -> None:
    out = tmp_path / "low.json"
    assert runner.invoke(app, ["demo", "--fault", "low_knee", "--json", str(out)]).exit_code == 0
    assert json.loads(out.read_text())["summary"]["thigh_angle_peak_deg"] < 60


def test_demo_shows_a_start_from_the_blocks(tmp_path: Path) -> None:
    out = tmp_path / "start.json"
    result = runner.invoke(app, ["demo", "--drill", "start", "--json", str(out)])
    assert result.exit_code == 0, result.output
    assert "start from the blocks" in result.output and "not judged in an acceleration" in result.output
    doc = json.loads(out.read_text())
    jsonschema.validate(doc, SCHEMA)
    assert doc["summary"]["speed_rise_pct"] > 15 and not doc["faults"]
    assert all(v is None for v in doc["asymmetry_pct"].values())
    refused = runner.invoke(app, ["demo", "--drill", "start", "--fault", "hunched"])
    assert refused.exit_code == 2 and "error: the start from the blocks takes no injected faults" in refused.output


@pytest.mark.parametrize(
    ("content", "suffix", "args", "message"),
    [
        (None, ".csv", [], "does not exist"),
        ("", ".csv", [], "empty"),
        ("time_s,left_hip_x,left_hip_y\n0,1,2\n0.1,1\n", ".csv", [], "truncated"),
        ("time_s,left_hip_x,left_hip_y\n0,1,2\n0.1,1,2\n", ".csv", [], "missing keypoints"),
        ("hello", ".mp3", [], "unsupported"),
        ("\x00\x01\xff\xfe", ".csv", [], "not a text"),
        ("not a trc", ".trc", [], "not a .trc"),
        ("time_s,left_hip_x,left_hip_y\n0,1,2\n0.1,1,2\n", ".csv", ["--athlete-height-m", "-3"], "height"),
    ],
)
def test_bad_input_gives_one_line_and_exit_2(tmp_path: Path, content, suffix, args, message) -> None:
    path = tmp_path / f"input{suffix}"
    if content is not None:
        path.write_bytes(content.encode("latin-1"))
    json_out = tmp_path / "out.json"
    result = runner.invoke(app, ["analyze", str(path), "--json", str(json_out), *args])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert not json_out.exists()  # nothing written half-way


def test_unknown_fault_is_refused() -> None:
    result = runner.invoke(app, ["demo", "--fault", "slow_arms"])
    assert result.exit_code == 2 and "unknown fault" in result.output
