"""The whole store as one file: export -> import into an empty store gives the same athletes, sessions,
records, plans and files; importing again adds nothing; a bad, damaged or hostile archive is refused whole
with one line and nothing stored; the CLI's `kneedrive store export/import`."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import stat
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kneedrive.cli import app
from kneedrive.record import AnalysisRecord
from kneedrive.store import AnalysisOptions, Store, open_store
from kneedrive.store.archive import ArchiveLimits, BadArchive, export_store, import_store, preview_import

runner = CliRunner()
Members = dict[str, bytes]


@pytest.fixture(scope="module")
def record() -> AnalysisRecord:
    from kneedrive.demo import run_demo

    return run_demo("sprint", ["low_knee"]).analysis.record


def _outputs(record: AnalysisRecord, tag: str) -> Callable[[Path], list[Path]]:
    def write(folder: Path) -> list[Path]:
        folder.mkdir(parents=True)
        (folder / "analysis.json").write_text(json.dumps(record.to_dict()))
        (folder / "report.html").write_text(f"<html><body>{tag}</body></html>")
        (folder / "annotated.mp4").write_bytes(os.urandom(50_000))  # incompressible, stored as it is
        return [folder / n for n in ("analysis.json", "report.html", "annotated.mp4")]

    return write


def _fill(store: Store, record: AnalysisRecord, tmp: Path) -> None:
    """Two athletes; a session stored by the CLI path, one uploaded through the app (with its input kept),
    a failed one, a queued one (not archived), and a plan."""
    ana = store.add_athlete("Ana", height_m=1.78, sex="female", birth_date=dt.date(2004, 5, 6), dominant_leg="left")
    ben = store.add_athlete("Ben", notes="left hamstring, careful")
    source = tmp / "monday.csv"
    source.write_text("time_s,left_hip_x,left_hip_y\n0,1,2\n")
    first = store.store_analysis(
        record,
        _outputs(record, "cli"),
        athlete_id=ana.id,
        input_path=source,
        input_kind="keypoints",
        options=AnalysisOptions(athlete_height_m=1.78),
        recorded_on=dt.date(2026, 1, 12),
    )
    for n, athlete in enumerate((ana.id, ben.id, ben.id)):
        upload = tmp / f"upload{n}.part"
        upload.write_bytes(b"time_s,frame,x\n" + os.urandom(2000).hex().encode())
        store.queue_session(
            athlete,
            upload,
            input_name=f"clip {n}.csv",
            input_kind="keypoints",
            suffix=".csv",
            options=AnalysisOptions(drill="auto", capture_fps=240.0),
            recorded_on=dt.date(2026, 2, 1 + n),
        )
    claimed = store.claim_next()
    assert claimed is not None
    folder = store.location.sessions_dir / f".{claimed.id}.part"
    written = _outputs(record, "app")(folder)
    assert store.finish(claimed.id, record, folder, [p.name for p in written])
    failed = store.claim_next()
    assert failed is not None
    store.fail(failed.id, "not enough motion")
    store.add_plan(ana.id, "sprint_speed", {"plan": {"weeks": 6}, "ics": "BEGIN:VCALENDAR"}, session_id=first.id)


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory, record: AnalysisRecord) -> tuple[Path, Path]:
    """(the archive, the store it came from)."""
    tmp = tmp_path_factory.mktemp("archive")
    store = open_store(tmp / "store")
    _fill(store, record, tmp)
    summary = export_store(store, tmp / "backup.zip")
    assert (summary.athletes, summary.sessions, summary.plans, summary.left_out) == (2, 3, 1, 1)
    store.close()
    return summary.path, tmp / "store"


def _snapshot(store: Store) -> dict[str, object]:
    """Everything a coach sees, by athlete name (ids of athletes are the store's own)."""
    athletes = [a.to_dict() | {"id": None} for a in store.athletes()]
    sessions = []
    for s in store.sessions():
        if s.status not in ("done", "failed"):
            continue
        files = {n: hashlib.sha256((store.session_dir(s.id) / n).read_bytes()).hexdigest() for n in s.outputs}
        try:
            kept = hashlib.sha256(store.input_path(s).read_bytes()).hexdigest()
        except Exception:
            kept = None
        record = store.record(s.id, with_series=True).to_dict() if s.status == "done" else None
        doc = s.to_dict() | {"athlete_id": None, "progress": None}
        sessions.append(doc | {"files": files, "input": kept, "record": record})
    plans = {a.name: [p[1:] for p in store.plans(a.id)] for a in store.athletes()}
    return {"athletes": athletes, "sessions": sessions, "plans": plans}


def _store_is_empty(store: Store) -> None:
    assert store.athletes() == [] and store.sessions() == []
    data = store.location.data_dir
    for sub in ("sessions", "uploads"):
        assert not (data / sub).exists() or not any((data / sub).iterdir()), sub
    assert not list(data.glob(".import-*"))


def test_export_then_import_into_an_empty_store_gives_the_same_store(
    tmp_path: Path, archive: tuple[Path, Path]
) -> None:
    path, source = archive
    original = open_store(source)
    target = open_store(tmp_path / "laptop")
    plan = import_store(target, path)
    assert plan.athletes_new == ("Ana", "Ben") and plan.sessions_new == 3 and plan.plans_new == 1
    expected = _snapshot(original)
    assert len(expected["sessions"]) == 3  # type: ignore[arg-type]
    assert _snapshot(target) == expected
    done = [s for s in target.sessions() if s.status == "done"]
    assert {s.input_name for s in done} == {"monday.csv", "clip 0.csv"}
    assert target.record(done[0].id).summary == original.record(done[0].id).summary
    assert not list(tmp_path.joinpath("laptop").glob(".import-*"))


def test_importing_again_adds_nothing_and_an_athlete_of_the_same_name_gets_the_sessions(
    tmp_path: Path, archive: tuple[Path, Path]
) -> None:
    path, _ = archive
    store = open_store(tmp_path / "club")
    store.add_athlete("ana", height_m=1.7, notes="the club's own Ana")
    before = preview_import(store, path)
    assert before.athletes_merged == ("Ana",) and before.athletes_new == ("Ben",) and before.sessions_new == 3
    import_store(store, path)
    (ana,) = [a for a in store.athletes() if a.name == "ana"]
    assert ana.notes == "the club's own Ana" and ana.height_m == 1.7  # the stored athlete's details are kept
    assert len(store.sessions(athlete_id=ana.id)) == 2
    again = import_store(store, path)
    assert (again.sessions_new, again.sessions_skipped, again.plans_new, again.plans_skipped) == (0, 3, 0, 1)
    assert len(store.sessions()) == 3 and len(store.athletes()) == 2


def _members(path: Path) -> Members:
    with zipfile.ZipFile(path) as zf:
        return {i.filename: zf.read(i) for i in zf.infolist()}


def _write(path: Path, members: Members, *, relist: bool = True) -> Path:
    """An archive of `members`; with `relist` the manifest's file list is rebuilt to match them."""
    if relist:
        manifest = json.loads(members["manifest.json"])
        manifest["files"] = [
            {"name": n, "bytes": len(b), "sha256": hashlib.sha256(b).hexdigest()}
            for n, b in members.items()
            if n != "manifest.json"
        ]
        members = members | {"manifest.json": json.dumps(manifest).encode()}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def _edit_manifest(change: Callable[[dict[str, object]], None]) -> Callable[[Members], Members]:
    def edit(members: Members) -> Members:
        doc = json.loads(members["manifest.json"])
        change(doc)
        return members | {"manifest.json": json.dumps(doc).encode()}

    return edit


def _edit_data(change: Callable[[dict[str, list[dict[str, object]]]], None]) -> Callable[[Members], Members]:
    def edit(members: Members) -> Members:
        doc = json.loads(members["store.json"])
        change(doc)
        return members | {"store.json": json.dumps(doc).encode()}

    return edit


def _first_output(members: Members) -> str:
    return next(n for n in members if n.startswith("sessions/"))


HOSTILE: dict[str, tuple[Callable[[Members], Members], bool, str]] = {
    # name: (change to the good archive's members, rebuild the manifest's file list, the error says)
    "zip-slip": (lambda m: m | {"../../evil.sh": b"rm -rf"}, True, "unexpected member '../../evil.sh'"),
    "absolute path": (lambda m: m | {"/etc/cron.d/x": b"x"}, True, "unexpected member '/etc/cron.d/x'"),
    "session folder escape": (lambda m: m | {"sessions/../../x": b"x"}, True, "unexpected member"),
    "member not in the manifest": (lambda m: m | {"inputs/" + "a" * 32 + ".csv": b"x"}, False, "not in the manifest"),
    "manifest lists a missing file": (
        lambda m: {k: v for k, v in m.items() if k != _first_output(m)},
        False,
        "does not hold",
    ),
    "newer archive version": (_edit_manifest(lambda d: d.update(version=2)), False, "archive version 2 is newer"),
    "another format": (_edit_manifest(lambda d: d.update(format="zip-of-cats")), False, "another format"),
    "newer store": (_edit_manifest(lambda d: d.update(store_revision="0099")), False, "made by a newer kneedrive"),
    "no manifest": (lambda m: {k: v for k, v in m.items() if k != "manifest.json"}, False, "no manifest.json"),
    "damaged member": (lambda m: m | {_first_output(m): m[_first_output(m)] + b"!"}, False, "size differs"),
    "swapped member": (lambda m: m | {_first_output(m): b"X" * len(m[_first_output(m)])}, False, "damaged"),
    "unfinished session": (
        _edit_data(lambda d: d["sessions"][0].update(status="running")),
        True,
        "status must be done or failed",
    ),
    "impossible height": (
        _edit_data(lambda d: d["athletes"][0].update(height_m=180)),
        True,
        "height_m must be in metres",
    ),
    "output name with a path": (
        _edit_data(lambda d: d["sessions"][0].update(outputs=["../../../etc/passwd"])),
        True,
        "outputs must be a list of plain file names",
    ),
    "not an analysis": (
        _edit_data(lambda d: d["sessions"][0].update(record={"hello": 1})),
        True,
        "not a kneedrive analysis",
    ),
    "session of nobody": (_edit_data(lambda d: d["sessions"][0].update(athlete_id=999)), True, "belongs to no athlete"),
    "store.json not JSON": (lambda m: m | {"store.json": b"{not json"}, True, "not valid JSON"),
    "store.json changed": (
        lambda m: m | {"store.json": m["store.json"].replace(b'"Ben"', b'"Bob"')},
        False,
        "store.json is damaged",
    ),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_a_bad_or_hostile_archive_is_refused_with_nothing_stored(
    tmp_path: Path, archive: tuple[Path, Path], case: str
) -> None:
    change, relist, message = HOSTILE[case]
    bad = _write(tmp_path / "bad.zip", change(_members(archive[0])), relist=relist)
    store = open_store(tmp_path / "store")
    with pytest.raises(BadArchive, match="refused, nothing imported") as refused:
        import_store(store, bad)
    assert message in str(refused.value) and "\n" not in str(refused.value)
    _store_is_empty(store)
    assert not (tmp_path.parent / "evil.sh").exists()


def test_not_a_zip_and_a_cut_archive_are_refused(tmp_path: Path, archive: tuple[Path, Path]) -> None:
    store = open_store(tmp_path / "store")
    text = tmp_path / "notes.zip"
    text.write_text("these are not the droids")
    cut = tmp_path / "cut.zip"
    cut.write_bytes(archive[0].read_bytes()[: archive[0].stat().st_size // 2])
    for bad in (text, cut):
        with pytest.raises(BadArchive, match=r"not a kneedrive store archive|damaged|refused"):
            import_store(store, bad)
    _store_is_empty(store)


def test_huge_members_zip_bombs_and_links_are_refused(tmp_path: Path, archive: tuple[Path, Path]) -> None:
    store = open_store(tmp_path / "store")
    with pytest.raises(BadArchive, match=r"sessions/[0-9a-f]{32}/[a-z.]+ is [\d.]+ kB, over the 20 kB limit"):
        import_store(store, archive[0], ArchiveLimits(max_member_bytes=20_000, max_data_bytes=10**9))
    with pytest.raises(BadArchive, match=r"store.json is [\d.]+ kB, over the 10 kB limit"):
        import_store(store, archive[0], ArchiveLimits(max_data_bytes=10_000))
    with pytest.raises(BadArchive, match=r"kB in all, over the 100 kB limit"):
        import_store(store, archive[0], ArchiveLimits(max_total_bytes=100_000))
    members = _members(archive[0])
    bomb = _write(tmp_path / "bomb.zip", members | {"inputs/" + "b" * 32 + ".csv": b"0" * 50_000_000})
    with pytest.raises(BadArchive, match=r"compressed \d+:1 \(a zip bomb\?\)"):
        import_store(store, bomb)
    link = tmp_path / "link.zip"
    shutil.copy(archive[0], link)
    with zipfile.ZipFile(link, "a") as zf:
        info = zipfile.ZipInfo("inputs/" + "c" * 32 + ".csv")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(info, "/etc/passwd")
    with pytest.raises(BadArchive, match=r"is a link|not in the manifest"):
        import_store(store, link)
    _store_is_empty(store)


def test_a_failure_while_placing_the_files_leaves_the_store_as_it_was(
    tmp_path: Path, archive: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    import kneedrive.store.archive.load as module

    store = open_store(tmp_path / "store")
    real = module._place

    def place_then_crash(store: Store, sessions: list[object], staging: Path, placed: list[Path]) -> None:
        real(store, sessions, staging, placed)  # type: ignore[arg-type]
        assert len(placed) == 5 and all(p.exists() for p in placed)  # 3 session folders, 2 inputs
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(module, "_place", place_then_crash)
    with pytest.raises(OSError, match="No space"):
        import_store(store, archive[0])
    _store_is_empty(store)


def test_cli_store_export_and_import(tmp_path: Path, archive: tuple[Path, Path]) -> None:
    _, source = archive
    out = tmp_path / "backups" / "club.zip"
    done = runner.invoke(app, ["store", "export", str(out), "--data-dir", str(source)])
    assert done.exit_code == 0, done.output
    assert re.search(
        r"2 athletes, 3 sessions, 1 plans, 8 files \(\d+ kB\); 1 analyses still queued or running left out",
        done.output,
    )
    assert not list(out.parent.glob(".*.part"))
    target = ["--data-dir", str(tmp_path / "laptop")]
    dry = runner.invoke(app, ["store", "import", str(out), "--dry-run", *target])
    assert dry.exit_code == 0 and "would import 2 athletes, 3 new sessions" in dry.output
    assert open_store(tmp_path / "laptop").sessions() == []
    done = runner.invoke(app, ["store", "import", str(out), *target])
    assert done.exit_code == 0 and "imported 2 athletes, 3 new sessions, 1 plans" in done.output
    again = runner.invoke(app, ["store", "import", str(out), *target])
    assert "0 new sessions, 3 skipped as already in the store" in again.output
    assert "added to the athletes already here: Ana, Ben" in again.output


@pytest.mark.parametrize(
    "args",
    [
        ["store", "import", "{dir}/garbage.zip"],
        ["store", "import", "{dir}/missing.zip"],
        ["store", "import", "{dir}"],
        ["store", "export", "{dir}"],
        ["store", "export", "{dir}/x.zip", "--db", "nosuchdatabase://x"],
        ["store", "import", "{dir}/garbage.zip", "--bogus"],
        ["store", "frobnicate"],
    ],
)
def test_cli_store_bad_cases_are_one_error_line(tmp_path: Path, args: list[str]) -> None:
    (tmp_path / "garbage.zip").write_text("PK but not really")
    argv = [a.replace("{dir}", str(tmp_path)) for a in args] + ["--data-dir", str(tmp_path / "store")]
    result = runner.invoke(app, argv)
    assert result.exit_code == 2, (argv, result.output)
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr


def test_the_readme_store_commands_run(
    tmp_path: Path, archive: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The workspace section's `kneedrive store` lines, as written, on a copy of the test store."""
    import shlex

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## The coach's workspace") :]
    lines = [line for line in section.splitlines() if line.startswith("kneedrive store ")]
    assert len(lines) == 2
    store = tmp_path / "store"
    shutil.copytree(archive[1], store)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("KNEEDRIVE_DATA_DIR", str(store))
    for line in lines:
        result = runner.invoke(app, shlex.split(line, comments=True)[1:])
        assert result.exit_code == 0, (line, result.output)
    assert (tmp_path / "club.zip").is_file()
    assert "would import 2 athletes (2 already in the store), 0 new sessions, 3 skipped" in result.output
