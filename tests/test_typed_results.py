"""One typed record from analysis to report: coaching judged once, evidence on the sequence's own frames,
targets only in data, rules checked against the metric registry, results immutable, clean layering."""

from __future__ import annotations

import ast
import re
from dataclasses import replace
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from rich.console import Console
from typer.testing import CliRunner

import kneedrive
from kneedrive.cli import app
from kneedrive.coaching import criteria, data_files, faults, references
from kneedrive.coaching.data_files import CoachingDataError
from kneedrive.drills.sprinter import SprinterModel, synthesize, with_faults
from kneedrive.metrics.registry import registry
from kneedrive.record import AnalysisRecord
from kneedrive.report.html import render_report
from kneedrive.report.terminal import print_coaching
from kneedrive.sequence import PoseSequence

SRC = Path(kneedrive.__file__).parent


def _sprinter(*fault: str, duration_s: float = 2.0) -> PoseSequence:
    return synthesize(with_faults(SprinterModel(), *fault), duration_s=duration_s).sequence


def _reload_rules(monkeypatch: pytest.MonkeyPatch, edit: Any) -> None:
    """Serve criteria.toml through `edit` (a function of the parsed data) and drop every cached rule."""
    original = data_files.load_validated.__wrapped__

    def patched(name: str) -> dict[str, Any]:
        data = original(name)
        return edit(data) if name == "criteria" else data

    monkeypatch.setattr(criteria, "load_validated", patched)
    criteria.load_criteria.cache_clear()
    references.load_references.cache_clear()


@pytest.fixture(autouse=True)
def _fresh_rules() -> Any:
    yield
    criteria.load_criteria.cache_clear()
    references.load_references.cache_clear()


def test_a_misspelled_criterion_metric_fails_at_load_naming_both(monkeypatch: pytest.MonkeyPatch) -> None:
    def misspell(data: dict[str, Any]) -> dict[str, Any]:
        rows = [dict(r) for r in data["criterion"]]
        rows[0]["metric"] = "thigh_angel_peak_deg"
        return {**data, "criterion": rows}

    _reload_rules(monkeypatch, misspell)
    with pytest.raises(CoachingDataError, match=r"low_knee_sprint.*'thigh_angel_peak_deg'"):
        criteria.load_criteria()


def test_one_number_in_criteria_toml_changes_the_json_the_terminal_and_the_html(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seq = _sprinter("low_knee")
    before = kneedrive.analyze(seq, athlete_height_m=1.8).record
    (low_knee,) = [f for f in before.coaching.faults if f.criterion == "low_knee_sprint"]
    assert low_knee.target_min == 60.0

    def raise_floor(data: dict[str, Any]) -> dict[str, Any]:
        rows = [dict(r, min=63.5) if r["id"] == "low_knee_sprint" else r for r in data["criterion"]]
        return {**data, "criterion": rows}

    _reload_rules(monkeypatch, raise_floor)
    after = kneedrive.analyze(seq, athlete_height_m=1.8).record
    (moved,) = [f for f in after.to_dict()["faults"] if f["criterion"] == "low_knee_sprint"]
    assert moved["target"]["min"] == 63.5
    console = Console(record=True, width=200)
    print_coaching(after.coaching, console)
    assert ">= 63.5" in console.export_text()
    assert "min 63.5 deg" in render_report(after, drill_library={})
    # the report's reference for the same figure follows the criterion: one place for one target
    assert any(r.low == 63.5 for r in references.load_references().references if r.id == "sprint_knee_drive")


#: A coaching target in code: a registry figure compared with a number (`contact_time_s > 0.15`), or a
#: target tuple of the old kind.
TARGET_IN_CODE = re.compile(
    r"\b(" + "|".join(sorted(registry().metrics, key=len, reverse=True)) + r")\b[\"']?\)?\s*[<>]=?\s*-?\d"
)


def test_no_python_file_holds_a_coaching_target() -> None:
    offenders = []
    for path in SRC.rglob("*.py"):
        if any(model in str(path) for model in ("drills/generator", "drills/sprinter", "drills/front_model")) or (
            "keyframes" in path.name
        ):
            continue  # the synthetic athletes' own models are not coaching targets
        text = path.read_text(encoding="utf-8")
        for name in ("REFERENCES", "DRILL_REFERENCES", "KNEE_DRIVE_DRILLS", "SPRINT_SPEED_MPS"):
            if re.search(rf"^{name}\b", text, flags=re.M):
                offenders.append(f"{path.name}: {name}")
        offenders += [f"{path.name}: {m.group(0)}" for m in TARGET_IN_CODE.finditer(text)]
    assert offenders == []


def test_analyze_json_out_runs_the_coaching_stage_once(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    calls = []
    original = faults.find_faults

    def counted(judged: faults.Judged) -> faults.Coaching:
        calls.append(judged.drill_id)
        return original(judged)

    monkeypatch.setattr("kneedrive.analysis.find_faults", counted)
    monkeypatch.setattr(faults, "find_faults", counted)
    csv = tmp_path / "k.csv"
    assert CliRunner().invoke(app, ["demo", "--csv", str(csv)]).exit_code == 0
    calls.clear()
    result = CliRunner().invoke(
        app, ["analyze", str(csv), "--athlete-height-m", "1.8", "--json", str(tmp_path / "a.json"),
              "--out", str(tmp_path / "out")]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert calls == ["sprint"]


def _variable_rate(seq: PoseSequence) -> PoseSequence:
    """The same motion recorded at 120 fps for its first half, then 240 fps (every frame kept)."""
    half = len(seq.time_s) // 2
    keep = np.r_[np.arange(0, half, 2), np.arange(half, len(seq.time_s))]
    return replace(seq, time_s=seq.time_s[keep], xy=seq.xy[keep], score=seq.score[keep], source="<vfr>")


def test_fault_evidence_frames_are_the_frames_of_the_steps_on_variable_frame_rate_video() -> None:
    seq = _variable_rate(_sprinter("low_knee", "overstride", duration_s=3.0))
    record = kneedrive.analyze(seq, athlete_height_m=1.8).record
    assert record.coaching.faults
    time_s = np.asarray(seq.time_s)
    for fault in record.coaching.faults:
        for i, t, frame in zip(fault.evidence.indices, fault.evidence.times_s, fault.evidence.frames, strict=True):
            step = record.steps[i]
            if fault.metric.startswith("touchdown"):
                assert frame == step.touchdown_frame
            assert frame == int(np.argmin(np.abs(time_s - t)))  # the sequence's own frame at that time
    events = {(e.side, e.frame) for e in record.events if e.kind == "touchdown"}
    assert {(s.side, s.touchdown_frame) for s in record.steps} <= events


def test_the_record_round_trips_and_is_read_only() -> None:
    analysis = kneedrive.analyze(_sprinter("hunched"), athlete_height_m=1.8)
    record = analysis.record
    loaded = AnalysisRecord.from_dict(record.to_dict())
    assert loaded.to_dict() == record.to_dict()
    assert loaded.coaching == record.coaching and loaded.steps == record.steps
    with pytest.raises(ValueError, match="read-only"):
        analysis.kinematics.points["left_hip"][0, 0] = 99.0
    with pytest.raises(TypeError):
        analysis.sides["left"]["contact_time_s"] = 1.0  # type: ignore[index]
    with pytest.raises(TypeError):
        analysis.drill.sides["left"] = {}  # type: ignore[index]
    assert record.series is not None
    with pytest.raises(ValueError, match="read-only"):
        record.series.time_s[0] = 1.0


#: Each stage may import only the stages below it (index order); report and cli sit on top.
LAYERS = (
    {"errors", "sequence", "__init__"},
    {"io"},
    {"kinematics"},
    {"events"},
    {"metrics"},
    {"drills"},
    {"coaching"},
    {"record"},
    {"pose", "analysis", "analysis_front"},
    {"report"},
    {"cli", "__main__"},
)


def _stage(module: str) -> str:
    return module.split(".")[0]


def _imports(path: Path) -> set[str]:
    """kneedrive modules imported by `path` at run time (TYPE_CHECKING blocks left out)."""
    package = ".".join(path.relative_to(SRC).with_suffix("").parts)
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = {
        id(n)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING"
        for n in ast.walk(node)
    }
    found = set()
    for node in ast.walk(tree):
        if id(node) in skip or not isinstance(node, ast.ImportFrom) or node.level == 0:
            continue
        base = package.split(".")[: -node.level] if path.name != "__init__.py" else package.split(".")
        if path.name == "__init__.py" and node.level > 1:
            base = base[: -(node.level - 1)]
        target = ".".join([*base, *(node.module.split(".") if node.module else [])])
        found.add(target)
    return found


def test_no_stage_imports_a_stage_above_it_and_the_report_never_imports_the_analysis() -> None:
    rank = {name: i for i, layer in enumerate(LAYERS) for name in layer}
    upward = []
    for path in SRC.rglob("*.py"):
        here = _stage(".".join(path.relative_to(SRC).with_suffix("").parts))
        for target in _imports(path):
            there = _stage(target)
            if there in rank and here in rank and rank[there] > rank[here]:
                upward.append(f"{path.relative_to(SRC)} -> {target}")
    assert upward == []


def test_the_import_graph_has_no_cycle() -> None:
    graph: dict[str, set[str]] = {}
    for path in SRC.rglob("*.py"):
        module = ".".join(path.relative_to(SRC).with_suffix("").parts).removesuffix(".__init__")
        graph[module] = {t.removesuffix(".__init__") for t in _imports(path)}
    modules = set(graph)
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in graph.get(node, ()):
            nxt = nxt if nxt in modules else nxt.rsplit(".", 1)[0]
            if state.get(nxt) == 1 and nxt != node and nxt in trail:
                raise AssertionError(" -> ".join([*trail[trail.index(nxt) :], nxt]))
            if nxt in modules and state.get(nxt) is None:
                visit(nxt, [*trail, nxt])
        state[node] = 2

    for module in sorted(modules):
        if module not in state:
            visit(module, [module])


def test_the_schema_is_unchanged_in_what_it_requires() -> None:
    text = resources.files("kneedrive").joinpath("schema/analysis-v1.schema.json").read_text(encoding="utf-8")
    assert '"schema_version"' in text and AnalysisRecord.__dataclass_fields__["schema_version"].default == 1
