"""`kneedrive batch` (issue 14): inputs and the athlete map, idempotent whole output folders, the squad view,
each clip a session in the workspace store, and the batch on Dask: a LocalCluster, an external scheduler
and workers, a worker killed mid-batch.

The cluster tests are slow (they start worker processes, one runs the pose model on a short video); every
wait on a process or a cluster has a timeout."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from types import SimpleNamespace

import pytest
from typer.testing import CliRunner

from kneedrive.batch.clip import ClipOutcome, analyze_clip, is_done, pose_backend, read_manifest, remove_leftovers
from kneedrive.batch.inputs import Athlete, AthleteMap, MapRow, find_inputs, load_athlete_map
from kneedrive.batch.jobs import AnalysisOptions, folder_names, plan_jobs
from kneedrive.batch.sessions import BatchSessions, StoredClip
from kneedrive.cli import app
from kneedrive.drills.sprinter import FAULTS, SprinterModel, synthesize
from kneedrive.errors import InputError
from kneedrive.io.keypoints_csv import write_keypoints_csv
from kneedrive.record import load_record
from kneedrive.report.squad import SquadEntry, render_squad, squad_csv
from kneedrive.store import DATA_DIR_ENV, open_store

from .videoclips import shared

runner = CliRunner()
DASK = Path(sys.executable).with_name("dask")
BATCH_TIMEOUT_S = 600
HEIGHT = ["--athlete-height-m", "1.8"]


@pytest.fixture(autouse=True)
def no_default_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The default store of these tests (and of the processes they start): a folder with no store in it, so
    that a batch adds no session unless a test makes one (and never touches the user's own)."""
    folder = tmp_path / "default-data"
    monkeypatch.setenv(DATA_DIR_ENV, str(folder))
    return folder


def sprint_csvs(folder: Path, count: int, *, duration_s: float = 2.5) -> list[Path]:
    """`count` synthetic sprinters (a clean one, then the named faults in turn) as keypoint CSVs."""
    folder.mkdir(parents=True, exist_ok=True)
    faults = [{}, *FAULTS.values()]
    paths = []
    for i in range(count):
        clip = synthesize(SprinterModel(**faults[i % len(faults)]), fps_hz=240.0, duration_s=duration_s, seed=i)
        paths.append(folder / f"athlete_{i}.csv")
        write_keypoints_csv(clip.sequence, paths[-1])
    return paths


def short_video(path: Path) -> Path:
    """1.5 s of the Sports2D demo, half size (the pose model runs in a few seconds on 2 cores)."""
    source = shared("sports2d_demo/demo.mp4")
    command = ["ffmpeg", "-v", "error", "-y", "-t", "1.5", "-i", str(source), "-an", "-vf", "scale=884:-2"]
    command += ["-c:v", "libx264", "-preset", "ultrafast", str(path)]
    subprocess.run(command, check=True, timeout=120)
    return path


def comparable(analysis_json: Path) -> dict[str, object]:
    """An analysis.json without the fields that name the software's version."""
    doc: dict[str, object] = json.loads(analysis_json.read_text())
    doc.pop("kneedrive_version")
    return doc


def assert_same_files(batch_folder: Path, solo_folder: Path) -> None:
    """A batch's folder holds what `analyze --out` wrote for that input alone (but annotated.mp4, only when
    asked; each has its own manifest), the tables and keypoint files byte for byte (the report and the
    pictures are compared through the analysis.json they are drawn from)."""
    batch = {p.name for p in batch_folder.iterdir()} - {"manifest.json"}
    solo = {p.name for p in solo_folder.iterdir()} - {"manifest.json", "annotated.mp4"}
    assert batch == solo, (batch_folder.name, batch ^ solo)
    for name in sorted(n for n in batch if n.endswith((".csv", ".trc"))):
        assert (batch_folder / name).read_bytes() == (solo_folder / name).read_bytes(), (batch_folder.name, name)


def assert_whole(out_dir: Path, folders: list[str]) -> None:
    """Each folder has its manifest and every file it lists, at its size; no temporary folder is left."""
    for name in folders:
        manifest = read_manifest(out_dir / name)
        assert manifest is not None, name
        for file, size in manifest["files"].items():
            assert (out_dir / name / file).stat().st_size == size, (name, file)
        load_record(out_dir / name / "analysis.json")
    assert [p.name for p in out_dir.iterdir() if p.name.startswith(".")] == []


# ------------------------------------------------------------------------------- inputs and the map


def test_inputs_are_files_folders_and_globs_each_once_and_the_output_folder_is_left_out(tmp_path: Path) -> None:
    (tmp_path / "a" / "deep").mkdir(parents=True)
    for name in ("a/one.csv", "a/deep/two.trc", "a/deep/clip.MP4", "a/notes.txt", "a/.hidden.csv", "b.csv"):
        (tmp_path / name).write_text("x")
    (tmp_path / "a" / "out").mkdir()
    (tmp_path / "a" / "out" / "keypoints.csv").write_text("x")
    found = find_inputs([str(tmp_path / "a"), str(tmp_path / "*.csv"), str(tmp_path / "a" / "one.csv")],
                        exclude=tmp_path / "a" / "out")  # fmt: skip
    assert [p.relative_to(tmp_path).as_posix() for p in found] == [
        "a/deep/clip.MP4",
        "a/deep/two.trc",
        "a/one.csv",
        "b.csv",
    ]
    assert find_inputs([str(tmp_path / "a" / "notes.txt")]) == (tmp_path / "a" / "notes.txt",)  # named: its own error
    with pytest.raises(InputError, match="no such file or folder"):
        find_inputs([str(tmp_path / "missing.csv")])
    with pytest.raises(InputError, match="matches no file"):
        find_inputs([str(tmp_path / "*.mov")])


def test_the_athlete_map_matches_names_and_patterns_and_fails_at_load(tmp_path: Path) -> None:
    table = tmp_path / "map.csv"
    table.write_text(
        "input,athlete,athlete_height_m,drill,capture_fps\n"
        "ana_*.mp4,Ana,1.68,,240\nben.csv,Ben,1.83,sprint,\n*.trc,,,wall_drill,\n\nunused.csv,Nobody,,,\n"
    )
    athletes = load_athlete_map(table)
    ana = athletes.athlete(Path("clips/ana_fly30.mp4"))
    assert (ana.name, ana.athlete_height_m, ana.drill, ana.capture_fps) == ("Ana", 1.68, None, 240.0)
    assert athletes.athlete(Path("ben.csv")).drill == "sprint"
    assert athletes.athlete(Path("x/carla.trc")).name == "carla"  # a row without a name: the file's stem
    assert athletes.athlete(Path("dan.csv")).name == "dan"
    assert athletes.unmatched([Path("ana_1.mp4"), Path("ben.csv")]) == ["*.trc", "unused.csv"]
    options = AnalysisOptions(athlete_height_m=1.75, drill="auto").for_athlete(ana)
    assert (options.athlete_height_m, options.drill, options.capture_fps) == (1.68, "auto", 240.0)
    for bad, message in [
        ("file,athlete\nx.csv,A\n", "needs an 'input' column"),
        ("input,name\nx.csv,A\n", "unknown column name"),
        ("input,athlete_height_m\nx.csv,tall\n", "map.csv:2: athlete_height_m 'tall' is not a number"),
        ("input,athlete_height_m\nx.csv,18\n", "outside"),
        ("input,drill\nx.csv,moonwalk\n", "map.csv:2: unknown drill 'moonwalk'"),
        ("input,capture_fps\nx.csv,0\n", "capture_fps"),
    ]:
        table.write_text(bad)
        with pytest.raises(InputError, match=message):
            load_athlete_map(table)


def test_folder_names_are_unique_and_safe() -> None:
    paths = [Path("day1/ana.csv"), Path("day2/ana.csv"), Path("day2/ana.mp4"), Path("x/Ben Fly 30!.mov")]
    names = folder_names(paths)
    assert len(set(names)) == 4
    assert names[3] == "Ben_Fly_30"
    assert all("/" not in n and not n.startswith(".") for n in names)


def test_the_key_follows_the_content_and_the_options_that_change_the_outputs(tmp_path: Path) -> None:
    (path,) = sprint_csvs(tmp_path, 1)
    base = AnalysisOptions(athlete_height_m=1.8)
    (job,) = plan_jobs([path], base, AthleteMap())
    assert job.path.is_absolute()
    assert plan_jobs([path], replace(base, use_cache=False), AthleteMap())[0].key == job.key
    assert plan_jobs([path], replace(base, start_s=1.0), AthleteMap())[0].key == job.key  # video options: not a CSV's
    assert plan_jobs([path], replace(base, athlete_height_m=1.7), AthleteMap())[0].key != job.key
    path.write_text(path.read_text().replace("0.", "1.", 1))
    assert plan_jobs([path], base, AthleteMap())[0].key != job.key


# ------------------------------------------------------------------------------- one clip, whole


@pytest.mark.slow
def test_a_clip_is_written_whole_equal_to_analyze_and_then_counts_as_done(tmp_path: Path) -> None:
    (path,) = sprint_csvs(tmp_path / "in", 1)
    out = tmp_path / "out"
    out.mkdir()
    (job,) = plan_jobs([path], AnalysisOptions(athlete_height_m=1.8), AthleteMap())
    assert not is_done(job, out)
    outcome = analyze_clip(job, out)
    assert (outcome.status, outcome.error, outcome.frames) == ("done", None, 600)
    assert is_done(job, out)
    assert_whole(out, [job.folder])
    solo = runner.invoke(app, ["analyze", str(path.absolute()), *HEIGHT, "--out", str(tmp_path / "solo")])
    assert solo.exit_code == 0, solo.output
    assert comparable(out / job.folder / "analysis.json") == comparable(tmp_path / "solo" / "analysis.json")
    (out / job.folder / "steps.csv").write_text("cut")  # a damaged folder is not done
    assert not is_done(job, out)
    assert analyze_clip(job, out).status == "done" and is_done(job, out)  # replaced whole


def test_a_failed_clip_is_one_line_and_leaves_nothing(tmp_path: Path) -> None:
    empty, fake = tmp_path / "empty.csv", tmp_path / "fake.mp4"
    empty.write_text("")
    fake.write_text("not a video")
    out = tmp_path / "out"
    out.mkdir()
    outcomes = [analyze_clip(job, out) for job in plan_jobs([empty, fake], AnalysisOptions(), AthleteMap())]
    assert [(o.status, o.error) for o in outcomes] == [
        ("failed", "the file is empty"),
        ("failed", "not a readable video (Invalid data found when processing input)"),
    ]
    assert list(out.iterdir()) == []


def test_leftovers_of_an_interrupted_batch_are_removed(tmp_path: Path) -> None:
    (tmp_path / ".clip.part-0123").mkdir()
    (tmp_path / ".clip.part-0123" / "analysis.json").write_text("{")
    (tmp_path / ".other.old-4567").mkdir()
    (tmp_path / "kept").mkdir()
    assert len(remove_leftovers(tmp_path)) == 2
    assert [p.name for p in tmp_path.iterdir()] == ["kept"]


def test_the_pose_model_is_built_once_per_process() -> None:
    assert pose_backend(None) is pose_backend(None)


def test_the_local_cluster_runs_without_the_profiler_and_dasks_malloc_trim() -> None:
    import dask.config

    from kneedrive.batch.cluster import local_cluster_config

    dasks = dask.config.get("distributed.nanny.pre-spawn-environ")
    assert "MALLOC_TRIM_THRESHOLD_" in dasks  # what the setting undoes is still Dask's default
    config = local_cluster_config()
    environ = config["distributed.nanny.pre-spawn-environ"]
    assert "MALLOC_TRIM_THRESHOLD_" not in environ and environ["OMP_NUM_THREADS"] == dasks["OMP_NUM_THREADS"]
    assert config["distributed.worker.profile.enabled"] is False
    assert local_cluster_config(malloc_trim=True)["distributed.nanny.pre-spawn-environ"] == dasks


class _LostThenFinished:
    """A Dask future whose result was on a worker killed before the batch read it: its done callback has
    fired, its status is "lost" while the scheduler runs it again, then "finished"."""

    def __init__(self, key: str, outcome: ClipOutcome, polls_lost: int) -> None:
        self.key, self._outcome, self._polls_lost = key, outcome, polls_lost

    @property
    def status(self) -> str:
        return "lost" if self._polls_lost > 0 else "finished"

    def done(self) -> bool:
        self._polls_lost -= 1
        return self._polls_lost < 0

    def add_done_callback(self, callback: Callable[[object], None]) -> None:
        callback(self)  # as Dask does for a future that is not pending

    def result(self) -> ClipOutcome:
        return self._outcome


def test_a_clip_whose_result_was_lost_with_its_worker_is_waited_for_not_failed(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from kneedrive.batch import cluster

    monkeypatch.setattr(cluster, "_POLL_S", 0.01)
    jobs = [SimpleNamespace(folder=f"clip{i}", key=f"k{i}") for i in range(2)]
    outcomes = {f"kneedrive-clip-clip{i}-k{i}": ClipOutcome(f"clip{i}", "done") for i in range(2)}

    class Client:
        def submit(self, _fn: object, job: SimpleNamespace, _out: Path, *, key: str, pure: bool) -> object:
            return _LostThenFinished(key, outcomes[key], polls_lost=3 if job.folder == "clip0" else 0)

        def scheduler_info(self) -> dict[str, object]:
            return {"workers": {"w1": {}}}

    got = cluster._gather(Client(), jobs, tmp_path, None, 60.0)  # type: ignore[arg-type]
    assert [o.status for o in got] == ["done", "done"]


#: Run in squad.html: click the column headed `label` (then again), and the athletes' column; the values in
#: that column after each click, and every report link as the browser resolves it.
SORT_CLICKS = """((label) => {
  const table = document.querySelector('table.sortable');
  const heads = [...table.tHead.rows[0].cells];
  const column = heads.findIndex(th => th.textContent.startsWith(label));
  const values = col => [...table.tBodies[0].rows].map(r => {
    const cell = r.cells[col];
    return cell.dataset.sort !== undefined ? parseFloat(cell.dataset.sort) : cell.textContent; });
  heads[column].click(); const up = values(column);
  heads[column].click(); const down = values(column);
  heads[0].click(); const names = values(0);
  return {column, up, down, names, state: heads[0].getAttribute('aria-sort'),
          links: [...document.querySelectorAll('a')].map(a => a.href)};
})"""


@pytest.mark.slow
def test_the_squad_page_sorts_by_a_clicked_column_and_links_each_report(tmp_path: Path) -> None:
    from urllib.parse import unquote, urlparse

    from kneedrive.batch.squad import squad_entries
    from kneedrive.metrics.registry import registry
    from kneedrive.report.squad import write_squad

    from .chromium import Chromium

    # a clean sprinter and two faults, three contact times (the low-knee sprinter's swing foot drags: its
    # contacts overlap the next touchdown, which no runner does, and are withheld)
    paths = sprint_csvs(tmp_path / "in", 5)[::2]
    out = tmp_path / "out"
    out.mkdir()
    names = ["zoe", "Adam", "mia"]
    athletes = AthleteMap(tuple(MapRow(p.name, Athlete(n)) for p, n in zip(paths, names, strict=True)))
    jobs = plan_jobs(paths, AnalysisOptions(athlete_height_m=1.8), athletes)
    outcomes = [(job, analyze_clip(job, out)) for job in jobs]
    assert all(o.status == "done" for _, o in outcomes)
    write_squad(out, squad_entries(out, outcomes))
    label = registry()["contact_time_s"].label
    with Chromium(width_px=1280, height_px=900, mobile=False) as browser:
        requests = browser.load((out / "squad.html").as_uri())
        facts = browser.evaluate(f"{SORT_CLICKS}({json.dumps(label)})")
    assert requests == [(out / "squad.html").as_uri()]  # nothing fetched
    assert facts["column"] > 1
    contact_ms = [load_record(out / j.folder / "analysis.json").summary.contact_time_s * 1000 for j in jobs]
    assert len(set(contact_ms)) == 3
    assert facts["up"] == pytest.approx(sorted(contact_ms)) and facts["down"] == pytest.approx(sorted(contact_ms)[::-1])
    assert facts["names"] == ["Adam", "mia", "zoe"] and facts["state"] == "ascending"  # text: case ignored
    linked = sorted(Path(unquote(urlparse(link).path)) for link in facts["links"])
    assert linked == sorted(out / j.folder / "report.html" for j in jobs) and all(p.is_file() for p in linked)


# ------------------------------------------------------------------------------- the workspace store


def test_each_clip_is_one_session_of_its_athlete_stored_once(tmp_path: Path) -> None:
    (path,) = sprint_csvs(tmp_path / "in", 1)
    out = tmp_path / "out"
    out.mkdir()
    athletes = AthleteMap((MapRow("athlete_*.csv", Athlete("Ana", athlete_height_m=1.7)),))
    (job,) = plan_jobs([path], AnalysisOptions(athlete_height_m=1.8, start_s=1.0), athletes)
    assert analyze_clip(job, out).status == "done"
    store = open_store(tmp_path / "store")
    added = BatchSessions(store).add(job, out)
    assert added.status == "added" and added.session_id is not None
    # a later batch, even one that does not use the pose cache, finds the same session
    assert BatchSessions(store).add(replace(job, options=replace(job.options, use_cache=False)), out) == StoredClip(
        job.folder, "skipped", added.session_id
    )
    (session,) = store.sessions()
    assert (session.athlete_name, session.input_sha256, session.input_kind) == ("Ana", job.input_sha256, "keypoints")
    assert session.options.athlete_height_m == 1.7 and session.options.start_s is None  # a CSV has no video option
    assert store.athlete(session.athlete_id).height_m == 1.7  # the map's height, for the athlete's next sessions
    written = load_record(out / job.folder / "analysis.json")
    stored = store.record(session.id, with_series=True)
    assert json.dumps(stored.to_dict(include_series=True)) == json.dumps(written.to_dict(include_series=True))
    assert sorted(session.outputs) == sorted(read_manifest(out / job.folder)["files"])  # type: ignore[index]
    report = store.session_dir(session.id) / "report.html"
    assert report.read_bytes() == (out / job.folder / "report.html").read_bytes()
    # the same clip given to another athlete is that athlete's session
    ben = BatchSessions(store).add(replace(job, athlete=Athlete("Ben")), out)
    assert ben.status == "added" and [s.athlete_name for s in store.sessions()] == ["Ana", "Ben"]
    # a folder that is not this job's analysis is refused in one line, and nothing is stored
    other = replace(job, athlete=Athlete("Carla"), options=replace(job.options, cutoff_hz=8.0))
    refused = BatchSessions(store).add(other, out)
    assert refused.status == "failed" and "not this clip's analysis" in str(refused.error)
    assert len(store.sessions()) == 2 and "Carla" not in [a.name for a in store.athletes()]


# ------------------------------------------------------------------------------- the squad view


@pytest.mark.slow
def test_the_squad_view_escapes_names_links_reports_and_lists_failures(tmp_path: Path) -> None:
    paths = sprint_csvs(tmp_path / "in", 2)
    out = tmp_path / "out"
    out.mkdir()
    jobs = plan_jobs(paths, AnalysisOptions(athlete_height_m=1.8), AthleteMap())
    for job in jobs:
        analyze_clip(job, out)
    records = [load_record(out / j.folder / "analysis.json") for j in jobs]
    entries = [
        SquadEntry("<script>alert(1)</script>", "in/athlete_0.csv", "athlete 0", records[0]),
        SquadEntry("Zoë & Co", "in/athlete_1.csv", jobs[1].folder, records[1]),
        SquadEntry("Eve", "in/empty.csv", "empty", None, error="the file is empty <b>"),
    ]
    html = render_squad(entries)
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Zoë &amp; Co" in html and "the file is empty &lt;b&gt;" in html
    assert 'href="athlete%200/report.html"' in html
    assert "Cadence" in html and "steps/min" in html  # the registry's label and display unit
    assert "Knee drive too low" in html  # athlete_1 has the low_knee fault
    assert "fetch(" not in html and "http" not in html.replace("http-equiv", "")
    rows = squad_csv(entries).splitlines()
    header = rows[0].split(",")
    assert {"cadence_spm", "contact_time_s", "top_faults", "report"} <= set(header)
    cadence = float(rows[1].split(",")[header.index("cadence_spm")])
    assert cadence == pytest.approx(records[0].summary.cadence_spm)
    assert rows[3].endswith("the file is empty <b>") and ",failed," in rows[3]


# ------------------------------------------------------------------------------- on Dask


@pytest.mark.slow
def test_a_local_cluster_batch_equals_analyze_alone_reports_bad_inputs_and_resumes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KNEEDRIVE_CACHE_DIR", str(tmp_path / "cache"))  # the workers inherit it
    folder = tmp_path / "clips"
    csvs = sprint_csvs(folder, 4)
    video = short_video(folder / "video.mp4")
    (folder / "empty.csv").write_text("")
    (folder / "not_a_video.mp4").write_text("hello")
    out = tmp_path / "out"
    started = time.perf_counter()
    first = runner.invoke(app, ["batch", str(folder), "--out", str(out), *HEIGHT, "--workers", "2"])
    first_s = time.perf_counter() - started
    assert first.exit_code == 1, first.output
    assert "failed: " + str((folder / "empty.csv").absolute()) + ": the file is empty" in first.output
    assert "not_a_video.mp4: not a readable video" in first.output
    assert "analyzed 5" in first.output and "failed 2" in first.output
    for path in [*csvs, video]:
        solo = tmp_path / "solo" / path.stem
        args = ["analyze", str(path.absolute()), *HEIGHT, "--out", str(solo)] + (
            ["--no-cache"] if path == video else []
        )
        assert runner.invoke(app, args).exit_code == 0
        assert comparable(out / path.stem / "analysis.json") == comparable(solo / "analysis.json"), path.name
        assert_same_files(out / path.stem, solo)
    assert not (out / "video" / "annotated.mp4").exists()  # only when asked
    assert "local Dask cluster of 2 workers, dashboard http://" in first.output
    assert_whole(out, [p.stem for p in [*csvs, video]])
    squad = (out / "squad.csv").read_text().splitlines()
    assert len(squad) == 1 + 7 and sum(",failed," in row for row in squad) == 2
    assert "athlete_3/report.html" in (out / "squad.html").read_text()

    started = time.perf_counter()
    second = runner.invoke(app, ["batch", str(folder), "--out", str(out), *HEIGHT])
    second_s = time.perf_counter() - started
    assert second.exit_code == 1  # the two bad inputs are tried again, and fail again
    assert "5 already done with the same content and options: skipped" in second.output
    assert "analyzed 0" in second.output
    (folder / "empty.csv").unlink()
    (folder / "not_a_video.mp4").unlink()
    started = time.perf_counter()
    third = runner.invoke(app, ["batch", str(folder), "--out", str(out), *HEIGHT])
    third_s = time.perf_counter() - started
    assert third.exit_code == 0, third.output
    assert "skipped 5" in third.output and "Dask" not in third.output  # nothing to do: no cluster started
    assert third_s < 0.25 * first_s, (first_s, second_s, third_s)


@pytest.mark.slow
def test_a_batch_adds_each_clip_to_the_store_once_with_its_athlete(tmp_path: Path, no_default_store: Path) -> None:
    folder = tmp_path / "clips"
    sprint_csvs(folder, 4)
    table = tmp_path / "map.csv"
    table.write_text("input,athlete,athlete_height_m\nathlete_0.csv,Ana,1.7\nathlete_[12].csv,Ben,1.83\n")
    out, data = tmp_path / "out", tmp_path / "store"
    command = ["batch", str(folder), "--out", str(out), "--athletes", str(table), *HEIGHT, "--workers", "1"]

    def sessions() -> list[tuple[str, str]]:
        store = open_store(data)
        try:
            return sorted((s.athlete_name, s.input_name) for s in store.sessions(status="done"))
        finally:
            store.close()

    first = runner.invoke(app, [*command, "--data-dir", str(data)])
    assert first.exit_code == 0, first.output
    assert "store: added 4 sessions, skipped 0 (already stored), failed 0" in first.output
    expected = [("Ana", "athlete_0.csv"), ("Ben", "athlete_1.csv"), ("Ben", "athlete_2.csv"),
                ("athlete_3", "athlete_3.csv")]  # fmt: skip
    assert sessions() == expected
    again = runner.invoke(app, [*command, "--data-dir", str(data)])
    assert again.exit_code == 0, again.output
    assert "store: added 0 sessions, skipped 4 (already stored)" in again.output
    assert sessions() == expected
    store = open_store(data)
    (ben_1,) = [s for s in store.sessions() if s.input_name == "athlete_1.csv"]
    store.delete_session(ben_1.id)
    store.close()
    # a clip already analyzed but not in the store is added, without analyzing it again
    third = runner.invoke(app, [*command, "--data-dir", str(data)])
    assert "skipped 4 (already done)" in third.output and "added 1 sessions, skipped 3" in third.output
    assert sessions() == expected
    # no store named and none at the default place: none is made; one there: it is used; --no-store: never
    assert "store:" not in runner.invoke(app, command).output and not no_default_store.exists()
    open_store(no_default_store).close()
    assert runner.invoke(app, [*command, "--no-store"]).exit_code == 0
    assert open_store(no_default_store).sessions() == []
    assert "store: added 4 sessions" in runner.invoke(app, command).output
    refused = runner.invoke(app, [*command, "--no-store", "--data-dir", str(data)])
    assert refused.exit_code == 2 and "--no-store cannot go with --data-dir" in refused.output


@dataclass
class ExternalCluster:
    address: str
    scheduler: subprocess.Popen[bytes]
    workers: list[subprocess.Popen[bytes]]


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=30)


@contextmanager
def external_cluster(tmp_path: Path, workers: int) -> Iterator[ExternalCluster]:
    """`dask scheduler` and `dask worker` processes on loopback (no nanny: a killed worker stays dead),
    stopped by their process ids."""
    from distributed import Client

    scheduler_file = tmp_path / "scheduler.json"
    logs = tmp_path / "dask-logs"
    logs.mkdir()
    env = {**os.environ, "KNEEDRIVE_CACHE_DIR": str(tmp_path / "cache")}

    def start(name: str, *args: str) -> subprocess.Popen[bytes]:
        with open(logs / f"{name}.log", "wb") as log:
            return subprocess.Popen([str(DASK), *args], env=env, stdout=log, stderr=subprocess.STDOUT)

    scheduler = start("scheduler", "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                      "--scheduler-file", str(scheduler_file))  # fmt: skip
    processes = [scheduler]
    try:
        deadline = time.monotonic() + 60
        while not scheduler_file.is_file() and time.monotonic() < deadline:
            assert scheduler.poll() is None, (logs / "scheduler.log").read_text()
            time.sleep(0.2)
        address = json.loads(scheduler_file.read_text())["address"]
        for i in range(workers):
            processes.append(start(f"worker{i}", "worker", address, "--host", "127.0.0.1", "--nthreads", "1",
                                   "--no-nanny", "--no-dashboard", "--name", f"w{i}"))  # fmt: skip
        with Client(address, timeout=30) as client:
            client.wait_for_workers(workers, timeout=120)
        yield ExternalCluster(address, scheduler, processes[1:])
    finally:
        for process in reversed(processes):
            _stop(process)


@pytest.mark.slow
def test_a_batch_on_an_external_scheduler_gives_the_same_outputs_and_builds_the_model_once_per_worker(
    tmp_path: Path,
) -> None:
    from distributed import Client

    folder = tmp_path / "clips"
    csvs = sprint_csvs(folder, 3)
    videos = [short_video(folder / "video_a.mp4"), folder / "video_b.mp4"]
    shutil.copy(videos[0], videos[1])
    out = tmp_path / "out"
    with external_cluster(tmp_path, workers=2) as cluster:
        result = runner.invoke(app, ["batch", str(folder), "--out", str(out), *HEIGHT, "--scheduler", cluster.address])
        assert result.exit_code == 0, result.output
        assert f"Dask scheduler {cluster.address} of 2 workers" in result.output
        with Client(cluster.address, timeout=30) as client:
            from kneedrive.batch.clip import backends_loaded

            built = client.run(backends_loaded)
    assert sorted(built.values()) == [1, 1]  # each worker built the pose model once, before its clips
    for path in [*csvs, videos[0]]:
        solo = tmp_path / "solo" / path.stem
        assert runner.invoke(app, ["analyze", str(path.absolute()), *HEIGHT, "--out", str(solo)]).exit_code == 0
        expected = comparable(solo / "analysis.json")
        if path in videos:  # the batch's second copy of the video found its pose in the cache: same figures
            expected["video"]["cache_hit"] = False  # type: ignore[index]
        assert comparable(out / path.stem / "analysis.json") == expected, path.name
    assert_whole(out, [p.stem for p in [*csvs, *videos]])


@pytest.mark.slow
def test_a_worker_killed_mid_batch_still_completes_every_output_whole_and_a_rerun_skips_all(tmp_path: Path) -> None:
    folder = tmp_path / "clips"
    csvs = sprint_csvs(folder, 8, duration_s=4.0)
    out = tmp_path / "out"
    with external_cluster(tmp_path, workers=2) as cluster:
        command = [sys.executable, "-m", "kneedrive.cli", "batch", str(folder), "--out", str(out), *HEIGHT,
                   "--scheduler", cluster.address, "--data-dir", str(tmp_path / "store")]  # fmt: skip
        started = time.perf_counter()
        batch = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + BATCH_TIMEOUT_S
            while not any(p.is_dir() and not p.name.startswith(".") for p in out.glob("*")):
                assert time.monotonic() < deadline and batch.poll() is None, "no clip finished"
                time.sleep(0.1)
            finished_before = sum(1 for p in out.glob("*") if p.is_dir() and not p.name.startswith("."))
            victim = cluster.workers[0]
            os.kill(victim.pid, signal.SIGKILL)
            victim.wait(timeout=30)
            output, _ = batch.communicate(timeout=BATCH_TIMEOUT_S)
        finally:
            _stop(batch)  # type: ignore[arg-type]
        first_s = time.perf_counter() - started
        text = output.decode()
        assert batch.returncode == 0, text
        assert finished_before < len(csvs)  # killed mid-batch
        assert "analyzed 8" in text and "failed 0" in text
        assert "store: added 8 sessions" in text  # the killed worker's clip ran again elsewhere: stored once
        assert_whole(out, [p.stem for p in csvs])
        started = time.perf_counter()
        again = subprocess.run(command, capture_output=True, text=True, timeout=BATCH_TIMEOUT_S, check=False)
        second_s = time.perf_counter() - started
    assert again.returncode == 0, again.stdout + again.stderr
    assert "8 already done with the same content and options: skipped" in again.stderr
    assert "store: added 0 sessions, skipped 8 (already stored)" in again.stdout
    store = open_store(tmp_path / "store")
    assert sorted(s.input_name for s in store.sessions()) == sorted(p.name for p in csvs)
    store.close()
    assert second_s < 0.25 * first_s, (first_s, second_s)


@pytest.mark.slow
def test_the_readme_batch_block_runs_in_an_empty_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import re
    import shlex

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("KNEEDRIVE_CACHE_DIR", str(tmp_path / "cache"))
    text = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## A squad at once") :]
    block = re.search(r"```bash\n(.*?)```", section, flags=re.DOTALL)
    assert block is not None
    outputs = []
    for line in block.group(1).splitlines():
        words = shlex.split(line, comments=True)
        assert words[0] == "kneedrive"
        result = runner.invoke(app, words[1:])
        assert result.exit_code == 0, f"{line}\n{result.output}"
        outputs.append(result.output)
    assert "2 already done with the same content and options: skipped" in outputs[-1]
    assert (tmp_path / "squad-out" / "squad.html").is_file() and (
        tmp_path / "squad-out" / "ben" / "report.html"
    ).is_file()
