"""Command line: thin: parse, call the public API, print.

Start-up is most of a short command's time, so this module imports only typer and the standard library at
the top; every command imports the library it calls inside its body (`kneedrive --help` and a bad argument
never load NumPy, SciPy, PyAV, OpenCV or the pose runtime). One error style for every command
(`OneLineErrors`): whatever the user can fix ends in a single line `error: ...` on stderr and exit code 2.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager, nullcontext
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Protocol, cast

import typer
from typer.core import TyperGroup

from .drills.table import listed_drill_ids
from .errors import InputError, KneedriveError
from .io.formats import is_video

if TYPE_CHECKING:
    from rich.console import Console

    from .analysis import Analysis
    from .batch.clip import ClipOutcome
    from .batch.jobs import ClipJob
    from .batch.plan import BatchPlan
    from .coaching.assess import BarrierQuestion, ConditionQuestion
    from .coaching.timer import Interval
    from .pose.options import VideoOptions
    from .pose.run import Progress
    from .store import Store


class _ClickError(Protocol):
    """What click's exceptions (which typer re-exports only in part) offer."""

    exit_code: int
    ctx: typer.Context | None

    def format_message(self) -> str: ...


def _click_class(name: str) -> type[Exception]:
    """A click exception class, found through typer's public BadParameter (recent typer versions vendor click
    as the private `typer._click`, older ones use `click`: this works with both)."""
    return next(c for c in typer.BadParameter.__mro__ if c.__name__ == name)


_CLICK_EXCEPTION = _click_class("ClickException")


class OneLineErrors(TyperGroup):
    """Every error a user can fix ends in one line `error: ...` on stderr and exit code 2: unknown options and
    bad values (click's usage errors, which typer would draw in a box), bad input and impossible requests
    (KneedriveError), files that cannot be read or written (OSError). Anything else is a bug: one line that
    says where its traceback was logged, exit 1."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        if not standalone_mode:  # an embedding caller handles the exceptions itself
            return super().main(args, prog_name, complete_var, False, windows_expand_args, **extra)
        _quiet_library_warnings()
        try:
            code = super().main(args, prog_name, complete_var, False, windows_expand_args, **extra)
        except KneedriveError as exc:
            code = _fail(str(exc))
        except OSError as exc:
            code = _fail(f"{exc.filename}: {exc.strerror}" if exc.filename else str(exc.strerror or exc))
        except typer.Abort:
            typer.echo("Aborted!", err=True)
            code = 1
        except KeyboardInterrupt:
            typer.echo("interrupted", err=True)
            code = 130
        except _CLICK_EXCEPTION as raw:
            click_error = cast(_ClickError, raw)
            message = click_error.format_message()
            if type(raw).__name__ == "NoArgsIsHelpError":  # bare `kneedrive`: the help, as click gives it
                if message.strip():
                    typer.echo(message, err=True)
                code = click_error.exit_code
            else:
                command = f" (see '{click_error.ctx.command_path} --help')" if click_error.ctx is not None else ""
                code = _fail(" ".join(message.split()).rstrip(".") + command)
        except Exception as exc:  # a bug: one line that says where the traceback went, never a raw traceback
            code = _internal_error(exc)
        sys.exit(code if isinstance(code, int) else 0)


def _video_only(file: Path, **given: object) -> None:
    """Video options on a keypoint file are a mistake to report, not to ignore."""
    named = [f"--{name.replace('_', '-')}" for name, value in given.items() if value is not None]
    if named and not is_video(file):
        raise InputError(f"{', '.join(named)} applies to video input only; {file.name} is a keypoint file")


def _quiet_library_warnings() -> None:
    """Python and numpy warnings go to the log, not the terminal (`--verbose` shows the log)."""
    logging.captureWarnings(True)
    logging.getLogger("py.warnings").propagate = False


def _internal_error(exc: Exception) -> int:
    """Log the full traceback to a file in the user's log folder and print one line naming it; exit 1."""
    import tempfile
    import traceback

    from platformdirs import user_log_dir

    text = "".join(traceback.format_exception(exc))
    try:
        folder = Path(user_log_dir("kneedrive"))
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", dir=folder, prefix="crash-", suffix=".log", delete=False) as log:
            log.write(text)
        where = f"the full traceback is in {log.name}"
    except OSError:
        where = "the traceback could not be saved"
    typer.echo(
        f"{typer.style('error:', fg='red')} internal error ({type(exc).__name__}: {' '.join(str(exc).split())[:200]}); "
        f"{where}; please report it",
        err=True,
    )
    return 1


def _fail(message: str) -> int:
    """Print the one error line (`error:` in red on a terminal); the exit code for bad input."""
    typer.echo(f"{typer.style('error:', fg='red')} {message}", err=True)
    return 2


#: More sets than anyone does in one session (the seeds' doses are 2-3 sets; 50 leaves room for rep work).
MAX_SETS = 50

app = typer.Typer(
    cls=OneLineErrors,
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode=None,  # plain help text: drawing rich panels took 0.1 s of every --help
    help="Sprint and knee-drive analysis from side-view keypoints.",
)


@cache
def console() -> Console:
    from rich.console import Console

    return Console()


@cache
def err() -> Console:
    from rich.console import Console

    return Console(stderr=True)


OUT_HELP = (
    "Write report.html, analysis.json, steps.csv, reps.csv, keypoints.csv, keypoints.trc "
    "and (video input) annotated.mp4 into this folder"
)


@contextmanager
def _progress() -> Iterator[Progress]:
    """The progress bar of the long video stages, on stderr, drawn from the first update on (so that an
    error before any frame, such as a file that is not a video, leaves its one line alone)."""
    from .report.progress import pose_progress

    with ExitStack() as stack:
        bar: list[Progress] = []

        def update(phase: str, done: int, total: int) -> None:
            if not bar:
                bar.append(stack.enter_context(pose_progress(err())))
            bar[0](phase, done, total)

        yield update


def _write_json(analysis: Analysis, path: Path, *, series: bool = False) -> None:
    from .io.analysis_json import analysis_json_text
    from .io.atomic import write_text_atomic

    write_text_atomic(path, analysis_json_text(analysis.to_dict(include_series=series)))
    console().print(f"wrote {path}")


def _write_out(analysis: Analysis, out_dir: Path) -> None:
    from .report.export import write_output_folder

    record = analysis.record
    front = None if analysis.front_clip is None else analysis.front_clip.sequence
    if analysis.video is None:
        written = write_output_folder(record, analysis.sequence, out_dir, front_sequence=front)
    else:  # annotated.mp4 takes a while: show a progress bar
        with _progress() as progress:
            written = write_output_folder(
                record, analysis.sequence, out_dir, analysis=analysis, progress=progress, front_sequence=front
            )
    console().print(f"wrote {', '.join(p.name for p in written)} in {out_dir}")


#: Input files are checked while the arguments are parsed, so a mistyped name is refused at once (before the
#: library is imported).
EXISTING_FILE: dict[str, Any] = {"exists": True, "dir_okay": False}

# --- video: pose estimation and people ------------------------------------------------------------------

StartOption = Annotated[float | None, typer.Option("--start", help="Video: start at this time (s)")]
EndOption = Annotated[float | None, typer.Option("--end", help="Video: stop at this time (s)")]
PersonOption = Annotated[
    int | None, typer.Option("--person", help="Video: analyze this person (numbers from `kneedrive people`)")
]
PoseModelOption = Annotated[
    str | None,
    typer.Option("--pose-model", help="Video: pose backend 'package.module:Class' (default: bundled BlazePose full)"),
]
NoCacheOption = Annotated[bool, typer.Option("--no-cache", help="Video: run the pose model even if cached")]
CaptureFpsOption = Annotated[
    float | None,
    typer.Option("--capture-fps", help="Video: the rate it was filmed at (slow motion; default: the file's metadata)"),
]


def _video_options(
    start: float | None,
    end: float | None,
    person: int | None,
    pose_model: str | None,
    no_cache: bool,
    progress: Progress | None = None,
    capture_fps: float | None = None,
) -> VideoOptions:
    from .pose.options import VideoOptions
    from .pose.plugins import load_backend

    return VideoOptions(
        start_s=start,
        end_s=end,
        person=person,
        backend=load_backend(pose_model) if pose_model else None,
        use_cache=not no_cache,
        progress=progress,
        capture_fps=capture_fps,
    )


# --- the coach's store (kneedrive.store) ----------------------------------------------------------------

DataDirOption = Annotated[
    Path | None,
    typer.Option("--data-dir", help="The store's folder (default: $KNEEDRIVE_DATA_DIR, else the user data folder)"),
]
DbOption = Annotated[
    str | None, typer.Option("--db", help="Database URL (default: the SQLite file in the data folder)")
]


def _store(data_dir: Path | None, db: str | None) -> Any:
    from .store import open_store

    return open_store(data_dir, db)


def _date(text: str | None) -> Any:
    import datetime as dt

    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(f"--date must be YYYY-MM-DD, got {text!r}") from None


@app.command("analyze")
def analyze_command(
    files: Annotated[
        list[Path],
        typer.Argument(
            help="Video (.mp4 .mov .avi .mkv .m4v) or keypoints: .csv (time_s or frame + --fps), .trc; or a side "
            "and a front clip of one session (either order), for one report",
            **EXISTING_FILE,
        ),
    ],
    fps: Annotated[
        float | None, typer.Option("--fps", help="Frame rate when the CSV has 'frame' instead of 'time_s'")
    ] = None,
    px_per_m: Annotated[float | None, typer.Option(help="Image scale in pixels per metre")] = None,
    athlete_height_m: Annotated[
        float | None, typer.Option(help="Athlete's standing height, to estimate the scale")
    ] = None,
    treadmill_speed_mps: Annotated[
        float | None, typer.Option(help="Belt speed, for step length and speed on a treadmill")
    ] = None,
    cutoff_hz: Annotated[
        float | None, typer.Option(help="Low-pass cut-off (default: 4 x step frequency, 6 Hz to fps/4)")
    ] = None,
    drill: Annotated[
        str, typer.Option(help="auto (recognize) or a drill id: see `kneedrive demo --help` for the list")
    ] = "auto",
    view: Annotated[
        str,
        typer.Option(help="Camera view: auto (detect), side or front (front views get frontal figures, no sagittal)"),
    ] = "auto",
    json_path: Annotated[Path | None, typer.Option("--json", help="Write the analysis JSON (schema v1) here")] = None,
    series: Annotated[
        bool, typer.Option("--series", help="Include the angle/keypoint time series in --json (for `report`)")
    ] = False,
    out_dir: Annotated[Path | None, typer.Option("--out", help=OUT_HELP)] = None,
    start: StartOption = None,
    end: EndOption = None,
    person: PersonOption = None,
    pose_model: PoseModelOption = None,
    no_cache: NoCacheOption = False,
    capture_fps: CaptureFpsOption = None,
    kinogram_stride: Annotated[
        int | None,
        typer.Option(
            "--kinogram-stride",
            help="Sprints: the stride the kinograms show, 1 = each side's first (default: the most typical)",
        ),
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
    athlete: Annotated[
        str | None, typer.Option("--athlete", help="Store the session for this athlete (added if new)")
    ] = None,
    session_date: Annotated[
        str | None, typer.Option("--date", help="With --athlete: the day it was filmed, YYYY-MM-DD (default: today)")
    ] = None,
    data_dir: DataDirOption = None,
    db: DbOption = None,
) -> None:
    """Analyze a sprint, a run or a knee-drive drill (video or keypoints): events and steps, or reps and cycles.
    Two clips (a side and a front view of one session): one report, each figure from the view that shows it."""
    from .analysis import analyze
    from .report.terminal import print_summary

    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING)
    for file in files:
        _video_only(file, start=start, end=end, person=person, pose_model=pose_model, capture_fps=capture_fps)
    if len(files) > 1:
        _two_views_only(
            files,
            view=None if view == "auto" else view,
            px_per_m=px_per_m,
            athlete=athlete,
            start=start,
            end=end,
            person=person,
        )
        _analyze_two_views(
            files,
            fps=fps,
            athlete_height_m=athlete_height_m,
            treadmill_speed_mps=treadmill_speed_mps,
            cutoff_hz=cutoff_hz,
            drill=drill,
            video=(pose_model, no_cache, capture_fps),
            json_path=json_path,
            series=series,
            out_dir=out_dir,
        )
        return
    file = files[0]
    if athlete is not None:
        from .store import AnalysisOptions, analyze_and_store

        options = AnalysisOptions(
            drill=drill,
            view=view,
            fps_hz=fps,
            px_per_m=px_per_m,
            athlete_height_m=athlete_height_m,
            treadmill_speed_mps=treadmill_speed_mps,
            cutoff_hz=cutoff_hz,
            start_s=start,
            end_s=end,
            person=person,
            pose_model=pose_model,
            capture_fps=capture_fps,
            kinogram_stride=kinogram_stride,
        )
        with _progress() if is_video(file) else nullcontext(None) as progress:
            stored_analysis, stored = analyze_and_store(
                file,
                athlete,
                options=options,
                store=_store(data_dir, db),
                recorded_on=_date(session_date),
                progress=progress,
            )
        print_summary(stored_analysis.record, console())
        console().print(f"stored session {stored.id} for {stored.athlete_name}", highlight=False)
        if json_path is not None:
            _write_json(stored_analysis, json_path, series=series)
        if out_dir is not None:
            _write_out(stored_analysis, out_dir)
        return
    with _progress() if is_video(file) else nullcontext(None) as progress:
        result = analyze(
            file,
            fps_hz=fps,
            px_per_m=px_per_m,
            athlete_height_m=athlete_height_m,
            treadmill_speed_mps=treadmill_speed_mps,
            cutoff_hz=cutoff_hz,
            drill=drill,
            video=_video_options(start, end, person, pose_model, no_cache, progress, capture_fps),
            view=view,
            kinogram_stride=kinogram_stride,
        )
    print_summary(result.record, console())
    if json_path is not None:
        _write_json(result, json_path, series=series)
    if out_dir is not None:
        _write_out(result, out_dir)


def _two_views_only(files: list[Path], **given: object) -> None:
    """Two clips: exactly two, and none of the options that belong to one clip."""
    if len(files) != 2:
        raise InputError(f"analyze takes one clip, or a side and a front clip of one session; got {len(files)} files")
    named = [f"--{name.replace('_', '-')}" for name, value in given.items() if value is not None]
    if named:
        raise InputError(
            f"{', '.join(named)} applies to one clip; with two clips each clip's view is detected and each is "
            "analyzed whole (give --athlete-height-m for a scale; store or cut the clips one at a time)"
        )


def _analyze_two_views(
    files: list[Path],
    *,
    fps: float | None,
    athlete_height_m: float | None,
    treadmill_speed_mps: float | None,
    cutoff_hz: float | None,
    drill: str,
    video: tuple[str | None, bool, float | None],
    json_path: Path | None,
    series: bool,
    out_dir: Path | None,
) -> None:
    from .analysis_views import analyze_views
    from .report.terminal import print_session

    pose_model, no_cache, capture_fps = video
    with _progress() if any(is_video(f) for f in files) else nullcontext(None) as progress:
        result = analyze_views(
            files[0],
            files[1],
            fps_hz=fps,
            athlete_height_m=athlete_height_m,
            treadmill_speed_mps=treadmill_speed_mps,
            cutoff_hz=cutoff_hz,
            drill=drill,
            video=_video_options(None, None, None, pose_model, no_cache, progress, capture_fps),
        )
    print_session(result.record, console())
    if json_path is not None:
        _write_json(result, json_path, series=series)
    if out_dir is not None:
        _write_out(result, out_dir)


@app.command("pose")
def pose_command(
    video: Annotated[Path, typer.Argument(help="Video file (.mp4 .mov .avi .mkv .m4v)", **EXISTING_FILE)],
    output: Annotated[Path, typer.Option("--output", "-o", help="Keypoints CSV to write (the format analyze reads)")],
    start: StartOption = None,
    end: EndOption = None,
    person: PersonOption = None,
    pose_model: PoseModelOption = None,
    no_cache: NoCacheOption = False,
    capture_fps: CaptureFpsOption = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
) -> None:
    """Estimate the athlete's pose in a video and write the keypoints CSV."""
    from .io.keypoints_csv import write_keypoints_csv
    from .io.video_record import VideoRecord
    from .report.terminal import print_video_quality

    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING)
    with _progress() as progress:
        result = _video_options(start, end, person, pose_model, no_cache, progress, capture_fps).estimate(video)
    print_video_quality(VideoRecord.from_dict(result.to_dict()), console(), warnings=result.warnings)
    write_keypoints_csv(result.sequence, output)
    console().print(f"wrote {output}")


@app.command("people")
def people_command(
    video: Annotated[Path, typer.Argument(help="Video file (.mp4 .mov .avi .mkv .m4v)", **EXISTING_FILE)],
    output: Annotated[Path, typer.Option("--output", "-o", help="Preview image to write (.png or .jpg)")],
    start: StartOption = None,
    end: EndOption = None,
    pose_model: PoseModelOption = None,
) -> None:
    """Find the people in a video and draw them numbered (use the number with --person)."""
    from .io.atomic import write_bytes_atomic
    from .pose import find_people
    from .report.people import draw_people

    backend = _video_options(start, end, None, pose_model, True).backend
    with _progress() as progress:
        _, scan = find_people(video, start_s=start, end_s=end, backend=backend, progress=progress)
    write_bytes_atomic(output, draw_people(scan, image_format=output.suffix))
    for track in scan.tracks:
        console().print(
            f"person {track.number}: seen {track.first_s:.1f}-{track.last_s:.1f} s "
            f"({100 * track.coverage:.0f}% of the frames), travel "
            f"{track.travel_radii:.1f}, leg motion {track.leg_motion_radii:.2f} (body radii), "
            f"activity {track.activity:.2f}{'  <- analyzed by default' if track.number == 1 else ''}"
        )
    console().print(f"wrote {output}")


# --- the synthetic demo and re-rendering a saved analysis -----------------------------------------------


@app.command("demo")
def demo_command(
    fault: Annotated[
        list[str] | None,
        typer.Option(
            help="Inject a fault. Sprint: low_knee, plantar_flexed_foot, foot_ahead_of_knee, overstride, hunched; "
            "drills: low_knee, soggy_foot, no_heel_recovery, hunched, rate_decay"
        ),
    ] = None,
    drill: Annotated[
        str,
        typer.Option(help=f"What the athlete does: {', '.join(listed_drill_ids())}, or start (from the blocks)"),
    ] = "sprint",
    fps: Annotated[float, typer.Option(help="Frame rate of the synthetic clip")] = 240.0,
    json_path: Annotated[Path | None, typer.Option("--json", help="Write the analysis JSON here")] = None,
    csv_path: Annotated[Path | None, typer.Option("--csv", help="Write the synthetic keypoints CSV here")] = None,
    out_dir: Annotated[Path | None, typer.Option("--out", help=OUT_HELP)] = None,
) -> None:
    """Analyze a built-in synthetic sprinter (or drill session) with known truth, end to end."""
    from .demo import run_demo
    from .io.keypoints_csv import write_keypoints_csv
    from .report.terminal import print_summary

    demo = run_demo(drill, fault or [], fps_hz=fps)
    console().print(f"[bold]kneedrive demo[/bold]: {demo.title}")
    print_summary(demo.analysis.record, console())
    console().print(demo.truth_line(), highlight=False)
    if csv_path is not None:
        write_keypoints_csv(demo.sequence, csv_path)
        console().print(f"wrote {csv_path}")
    if json_path is not None:
        _write_json(demo.analysis, json_path)
    if out_dir is not None:
        _write_out(demo.analysis, out_dir)


@app.command("report")
def report_command(
    analysis_json: Annotated[
        Path, typer.Argument(help="A saved analysis.json (from --out, or --json --series)", **EXISTING_FILE)
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="The report.html to write")],
) -> None:
    """Render the HTML report of a saved analysis (self-contained, works offline)."""
    from .record import load_record
    from .report.html import write_report

    write_report(load_record(analysis_json), output)
    console().print(f"wrote {output}")


@app.command("athletes")
def athletes_command(
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table")] = False,
    data_dir: DataDirOption = None,
    db: DbOption = None,
) -> None:
    """The athletes in the store, with their number of sessions and the latest."""
    athletes = _store(data_dir, db).athletes()
    if json_out:
        console().print_json(data=[a.to_dict() for a in athletes])
        return
    from rich.table import Table

    table = Table("id", "name", "height", "sessions", "latest")
    for a in athletes:
        height = "-" if a.height_m is None else f"{a.height_m:.2f} m"
        latest = "-" if a.last_session_on is None else a.last_session_on.isoformat()
        table.add_row(str(a.id), a.name, height, str(a.sessions), latest)
    console().print(table if athletes else "no athletes yet: `kneedrive analyze FILE --athlete NAME`")


@app.command("history")
def history_command(
    athlete: Annotated[str | None, typer.Option("--athlete", help="Only this athlete's sessions")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON (sessions with their key figures)")] = False,
    data_dir: DataDirOption = None,
    db: DbOption = None,
) -> None:
    """The stored sessions, oldest first, with the key figures coaches follow."""
    from .report.history import history_rows, history_table

    store = _store(data_dir, db)
    athlete_id = None if athlete is None else store.athlete_named(athlete).id
    rows = history_rows(store, athlete_id)
    if json_out:
        console().print_json(data=rows)
    else:
        console().print(history_table(rows) if rows else "no sessions yet")


store_app = typer.Typer(
    no_args_is_help=True, rich_markup_mode=None, help="The whole store as one file: a backup, or a move."
)
app.add_typer(store_app, name="store")


@store_app.command("export")
def store_export_command(
    file: Annotated[Path, typer.Argument(help="The archive to write (a .zip; replaced whole when complete)")],
    data_dir: DataDirOption = None,
    db: DbOption = None,
) -> None:
    """Write every athlete, done or failed session (record, report folder, uploaded input) and plan to FILE."""
    from .store.archive import export_store

    summary = export_store(_store(data_dir, db), file)
    console().print(f"wrote {summary.path}: {summary.sentence()}", highlight=False, soft_wrap=True)


@store_app.command("import")
def store_import_command(
    file: Annotated[Path, typer.Argument(help="An archive written by `kneedrive store export`", **EXISTING_FILE)],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check the archive and say what it would add")] = False,
    data_dir: DataDirOption = None,
    db: DbOption = None,
) -> None:
    """Add an archive's athletes, sessions and plans to the store (all or nothing). Nothing is overwritten: an
    athlete of the same name gets the sessions added; a session already in the store is skipped."""
    from .store.archive import import_store, preview_import

    store = _store(data_dir, db)
    plan = preview_import(store, file) if dry_run else import_store(store, file)
    console().print(f"{'would import' if dry_run else 'imported'} {plan.sentence()}", highlight=False, soft_wrap=True)
    if plan.athletes_merged:
        names = ", ".join(plan.athletes_merged)
        console().print(f"added to the athletes already here: {names}", highlight=False, soft_wrap=True)


@app.command("serve")
def serve_command(
    port: Annotated[int, typer.Option("--port", help="Port to listen on")] = 8000,
    lan: Annotated[
        bool,
        typer.Option("--lan", help="Listen on the local network (for a phone); every request then needs the token"),
    ] = False,
    max_upload_mb: Annotated[float, typer.Option("--max-upload-mb", help="Largest upload accepted")] = 500.0,
    max_import_gb: Annotated[
        float, typer.Option("--max-import-gb", help="Largest store archive the backup page imports")
    ] = 20.0,
    data_dir: DataDirOption = None,
    db: DbOption = None,
) -> None:
    """The coach's workspace in the browser: athletes, uploads, reports, progress over sessions."""
    from .app.serve import serve

    serve(
        data_dir=data_dir,
        db_url=db,
        port=port,
        lan=lan,
        max_upload_bytes=int(max_upload_mb * 1e6),
        max_import_bytes=int(max_import_gb * 1e9),
    )


# --- many clips at once (kneedrive.batch, on Dask) -------------------------------------------------------


@app.command("batch")
def batch_command(
    inputs: Annotated[
        list[str], typer.Argument(help="Videos and keypoint files, folders (searched below) or glob patterns")
    ],
    out_dir: Annotated[Path, typer.Option("--out", help="One output folder per input here, and squad.csv/.html")],
    athletes: Annotated[
        Path | None,
        typer.Option(
            "--athletes",
            help="CSV: input (file or pattern), athlete, athlete_height_m, drill, capture_fps",
            **EXISTING_FILE,
        ),
    ] = None,
    scheduler: Annotated[
        str | None, typer.Option(help="Run on this Dask scheduler, tcp://HOST:PORT (default: a local cluster)")
    ] = None,
    workers: Annotated[int | None, typer.Option(help="Local cluster: worker processes (default: one per core)")] = None,
    annotated_video: Annotated[bool, typer.Option("--annotated-video", help="Video: write annotated.mp4 too")] = False,
    fps: Annotated[float | None, typer.Option("--fps", help="Frame rate of CSVs with 'frame', not 'time_s'")] = None,
    px_per_m: Annotated[float | None, typer.Option(help="Image scale in pixels per metre")] = None,
    athlete_height_m: Annotated[float | None, typer.Option(help="Standing height (the map's, when it has one)")] = None,
    treadmill_speed_mps: Annotated[float | None, typer.Option(help="Belt speed, on a treadmill")] = None,
    cutoff_hz: Annotated[float | None, typer.Option(help="Low-pass cut-off (default: from the step frequency)")] = None,
    drill: Annotated[str, typer.Option(help="auto (recognize) or a drill id (the map's, when it has one)")] = "auto",
    view: Annotated[str, typer.Option(help="Camera view: auto (detect), side or front")] = "auto",
    start: StartOption = None,
    end: EndOption = None,
    person: PersonOption = None,
    pose_model: PoseModelOption = None,
    no_cache: NoCacheOption = False,
    capture_fps: CaptureFpsOption = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
    data_dir: DataDirOption = None,
    db: DbOption = None,
    no_store: Annotated[
        bool, typer.Option("--no-store", help="Do not add the clips to the workspace store as sessions")
    ] = False,
) -> None:
    """Analyze many clips on Dask: resumable (done inputs are skipped), one folder per input, a squad view;
    each clip a session in the workspace store when there is one (or --data-dir / --db names it)."""
    from .batch.jobs import AnalysisOptions
    from .batch.plan import plan_batch
    from .batch.sessions import open_batch_store

    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING)
    options = AnalysisOptions(
        fps_hz=fps,
        px_per_m=px_per_m,
        athlete_height_m=athlete_height_m,
        treadmill_speed_mps=treadmill_speed_mps,
        cutoff_hz=cutoff_hz,
        drill=drill,
        view=view,
        start_s=start,
        end_s=end,
        person=person,
        pose_model=pose_model,
        capture_fps=capture_fps,
        annotated_video=annotated_video,
        use_cache=not no_cache,
    )
    if workers is not None and (workers < 1 or scheduler is not None):
        raise InputError("--workers must be 1 or more, and only for the local cluster (not with --scheduler)")
    if no_store and (data_dir is not None or db is not None):
        raise InputError("--no-store cannot go with --data-dir or --db")
    plan = plan_batch(inputs, out_dir, options, athletes)
    if pose_model and any(job.video for job in plan.todo):
        _video_options(None, None, None, pose_model, True)  # a bad --pose-model fails here, once
    store = open_batch_store(data_dir, db, enabled=not no_store)  # a bad --db fails here, before the clips
    try:
        failed = _run_batch(plan, scheduler, workers, store, verbose=verbose)
    finally:
        if store is not None:
            store.close()
    raise typer.Exit(1 if failed else 0)


def _run_batch(
    plan: BatchPlan, scheduler: str | None, workers: int | None, store: Store | None, *, verbose: bool
) -> int:
    """Run the plan's clips with the progress bar, each done clip stored as it arrives (when `store`),
    write the squad view, print the summary; the number of failed inputs (and of clips not stored)."""
    from .batch.cluster import ClusterSize, Ready, run_on_dask
    from .batch.plan import finish_batch
    from .batch.sessions import BatchSessions, StoredClip
    from .report.batch_progress import ClipsBar, clips_progress

    # importing distributed set its logger to INFO: the scheduler's log only with --verbose
    logging.getLogger("distributed").setLevel(logging.INFO if verbose else logging.WARNING)
    total = len(plan.jobs)
    skipped = f"{len(plan.done)} already done with the same content and options: skipped" if plan.done else ""
    err().print(
        f"{total} input{'s'[: total != 1]}" + (f"; {skipped}" if skipped else ""), highlight=False, soft_wrap=True
    )
    for pattern in plan.unmatched:
        err().print(f"note: the athlete map's {pattern!r} matches no input", highlight=False, soft_wrap=True)
    sessions: BatchSessions | None = None
    stored: list[StoredClip] = []
    if store is not None:
        sessions = BatchSessions(store)
        err().print(f"each clip is a session in the workspace store at {store.location.data_dir}", highlight=False)
        stored += [sessions.add(job, plan.out_dir) for job in plan.done]  # analyzed before, perhaps not stored
    analyzed: list[ClipOutcome] = []
    if plan.todo:
        try:
            with ExitStack() as stack:
                bar: list[ClipsBar] = []  # drawn once the cluster is ready (an unreachable one: its line only)

                def ready(cluster: Ready) -> None:
                    where = f"Dask scheduler {cluster.scheduler}" if scheduler else "local Dask cluster"
                    dashboard = f", dashboard {cluster.dashboard}" if cluster.dashboard else ""
                    line = f"{len(plan.todo)} to analyze on a {where} of {cluster.workers} workers{dashboard}"
                    err().print(line, highlight=False, soft_wrap=True)
                    bar.append(stack.enter_context(clips_progress(err(), len(plan.todo))))

                def finished(job: ClipJob, outcome: ClipOutcome) -> None:
                    if outcome.ok and sessions is not None:  # here, in the command's process: one writer
                        stored.append(sessions.add(job, plan.out_dir))
                        if stored[-1].error:
                            bar[0].note(f"not stored: {job.path}: {stored[-1].error}")
                    bar[0].advance(failed=not outcome.ok)
                    if not outcome.ok:
                        bar[0].note(f"failed: {job.path}: {outcome.error}")

                size = ClusterSize(workers, 1) if workers else None
                analyzed = run_on_dask(
                    plan.todo, plan.out_dir, scheduler=scheduler, size=size, on_ready=ready, on_outcome=finished
                )
        except KeyboardInterrupt:
            err().print("interrupted: the finished clips are kept; run the same command again to go on")
            raise typer.Exit(130) from None
    outcomes, squad = finish_batch(plan, analyzed)
    failures = [(job, o) for job, o in outcomes if not o.ok]
    done = sum(o.status == "done" for _, o in outcomes)
    frames, seconds = sum(o.frames for o in analyzed), sum(o.seconds for o in analyzed)
    rate = f" ({frames} frames, {frames / seconds:.0f} frames/s per worker)" if frames and seconds > 0 else ""
    console().print(
        f"analyzed {done}{rate}, skipped {len(plan.done)} (already done), failed {len(failures)}; "
        f"wrote {', '.join(str(p) for p in squad)}",
        highlight=False,
        soft_wrap=True,
    )
    for job, outcome in failures:
        console().print(f"failed: {job.path}: {outcome.error}", highlight=False, markup=False, soft_wrap=True)
    not_stored = [s for s in stored if s.status == "failed"]
    if sessions is not None:
        added = sum(s.status == "added" for s in stored)
        skipped_sessions = sum(s.status == "skipped" for s in stored)
        console().print(
            f"store: added {added} sessions, skipped {skipped_sessions} (already stored), failed {len(not_stored)}",
            highlight=False,
            soft_wrap=True,
        )
        paths = {job.folder: job.path for job in plan.jobs}
        for clip in not_stored:
            line = f"not stored: {paths[clip.folder]}: {clip.error}"
            console().print(line, highlight=False, markup=False, soft_wrap=True)
    return len(failures) + len(not_stored)


# ---------------------------------------------------------------- coaching (kneedrive.coaching)


def _barrier_answers(items: list[str]) -> dict[str, int]:
    """`--answer BARRIER=0-3` flags as {barrier: score}."""
    barriers: dict[str, int] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not value.strip().isdigit():
            raise InputError(f"--answer must look like BARRIER=0-3, got {item!r}")
        barriers[key.strip()] = int(value)
    return barriers


@app.command("drills")
def drills_command(
    exercise_id: Annotated[str | None, typer.Argument(help="Show one drill or exercise in detail")] = None,
    category: Annotated[str | None, typer.Option(help="Only this category, e.g. wall_drill, plyometric")] = None,
    equipment: Annotated[str | None, typer.Option(help="Only exercises using this, e.g. band, none")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table")] = False,
) -> None:
    """The drill and exercise library from the seed articles."""
    from .coaching import load_library
    from .report.coaching import exercise_panel, library_table

    library = load_library()
    if exercise_id is not None:
        exercise = library.get(exercise_id)
        if json_out:
            console().print_json(data=exercise.to_dict())
        else:
            console().print(exercise_panel(exercise))
        return
    chosen = library.select(category=category, equipment=equipment)
    if json_out:
        console().print_json(data=[e.to_dict() for e in chosen])
    else:
        console().print(library_table(chosen))


@app.command("assess")
def assess_command(
    answers: Annotated[Path | None, typer.Option("--answers", help="Answers JSON (as written by --json)")] = None,
    answer: Annotated[list[str] | None, typer.Option("--answer", help="BARRIER=0-3 (repeatable)")] = None,
    condition: Annotated[
        list[str] | None, typer.Option("--condition", help="Current injury, e.g. achilles_problems (repeatable)")
    ] = None,
    from_json: Annotated[Path | None, typer.Option("--from", help="analysis.json: add its video faults")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print answers and ranked limiting factors as JSON")] = False,
) -> None:
    """Self-assessment of the barriers to knee drive; ranks your limiting factors (with --from, video too)."""
    from .coaching.assess import interview, load_answers, rank_limiting_factors
    from .record import saved_faults as load_video_faults
    from .report.coaching import limiting_factors_table

    given = load_answers(answers, barriers=_barrier_answers(answer or []), conditions=condition or [])
    if given is None:
        if not _can_ask():
            raise InputError("no answers: give --answers FILE or --answer BARRIER=0-3 (no terminal to ask in)")
        given = interview(_ask_barrier, _ask_condition)
    factors = rank_limiting_factors(given, load_video_faults(from_json))
    if json_out:
        console().print_json(data={"answers": given.to_dict(), "limiting_factors": [f.to_dict() for f in factors]})
    else:
        console().print(limiting_factors_table(factors))


def _can_ask() -> bool:
    """Interactive questions only in a terminal: never hang waiting on a pipe."""
    return sys.stdin.isatty()


def _ask_barrier(question: BarrierQuestion) -> int:
    from rich.prompt import IntPrompt

    console().print(f"[bold]{question.name}[/bold]: {question.question}")
    for i, choice in enumerate(question.choices):
        console().print(f"  {i} {choice}")
    return IntPrompt.ask("answer", choices=[str(i) for i in range(len(question.choices))], console=console())


def _ask_condition(question: ConditionQuestion) -> bool:
    from rich.prompt import Confirm

    return Confirm.ask(question.question, default=False, console=console())


@app.command("plan")
def plan_command(
    goal: Annotated[str, typer.Option(help="sprint_speed, acceleration, athletic_power or knee_health")],
    weeks: Annotated[int, typer.Option(help="Plan length in weeks")] = 6,
    days_per_week: Annotated[int, typer.Option(help="Training days per week (mobility is daily)")] = 3,
    equipment: Annotated[
        list[str] | None, typer.Option(help="Equipment you have (repeatable; default: none, wall_or_post)")
    ] = None,
    from_json: Annotated[Path | None, typer.Option("--from", help="analysis.json: target its faults")] = None,
    assess: Annotated[Path | None, typer.Option("--assess", help="Answers JSON from `kneedrive assess --json`")] = None,
    condition: Annotated[list[str] | None, typer.Option("--condition", help="Current injury (repeatable)")] = None,
    start_date: Annotated[str | None, typer.Option(help="YYYY-MM-DD of day 1 (default: next Monday)")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print the plan as JSON")] = False,
    ics: Annotated[Path | None, typer.Option("--ics", help="Write the plan as an iCalendar file")] = None,
) -> None:
    """A week-by-week plan from the seeds' frequencies, aimed at your limiting factors."""
    from .coaching.assess import load_answers, rank_limiting_factors
    from .coaching.calendar import plan_start_date, plan_to_ics
    from .coaching.plan import build_plan
    from .io.atomic import write_bytes_atomic
    from .record import saved_faults as load_video_faults
    from .report.coaching import plan_tables

    answers = load_answers(assess, conditions=condition or [])
    plan = build_plan(
        goal,
        weeks=weeks,
        days_per_week=days_per_week,
        equipment=frozenset(equipment) if equipment else frozenset({"none", "wall_or_post"}),
        conditions=answers.conditions if answers else frozenset(),
        limiting_factors=rank_limiting_factors(answers, load_video_faults(from_json)),
        start_date=plan_start_date(start_date),
    )
    if ics is not None:
        write_bytes_atomic(ics, plan_to_ics(plan))
    if json_out:
        console().print_json(data=plan.to_dict())
    else:
        console().print(plan_tables(plan))
    if ics is not None:
        err().print(f"wrote {ics}")


@app.command("timer")
def timer_command(
    drill: Annotated[
        str | None, typer.Argument(help="Library id: use its dose (e.g. single_leg_drive_through)")
    ] = None,
    work: Annotated[float | None, typer.Option(help="Work interval, s")] = None,
    rest: Annotated[float | None, typer.Option(help="Rest between sets, s")] = None,
    sets: Annotated[int | None, typer.Option(help="Number of sets (1-50)", min=1, max=MAX_SETS)] = None,
    sides: Annotated[str | None, typer.Option(help="both (left then right), left, right or none")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print the schedule and exit")] = False,
    speak: Annotated[bool, typer.Option(help="Spoken cues with espeak-ng when it is installed")] = True,
) -> None:
    """Run a drill's work/rest intervals with a countdown and audible cues (Ctrl-C stops)."""
    from rich.live import Live

    from .coaching import load_library
    from .coaching.timer import build_schedule, run_schedule, schedule_for, total_s
    from .report.coaching import timer_line

    if drill is not None and work is None:
        schedule = schedule_for(load_library().get(drill), sides=sides, sets=sets)
    elif work is not None:
        schedule = build_schedule(work_s=work, rest_s=rest or 0.0, sets=sets or 1, sides=sides or "none")
    else:
        raise InputError("give a DRILL id or --work seconds")
    n_sets = max(i.set_index for i in schedule)
    if dry_run:
        for interval in schedule:
            console().print(f"set {interval.set_index}: {interval.label()}", highlight=False)
        console().print(f"total {total_s(schedule):g} s", highlight=False)
        return
    say = _speaker() if speak else None

    def on_start(interval: Interval) -> None:
        console().bell()
        if say is not None:
            say(f"{interval.kind.replace('_', ' ')} {interval.side or ''}")

    try:
        with Live(console=console(), refresh_per_second=10, transient=False) as live:
            run_schedule(
                schedule,
                on_start=on_start,
                on_tick=lambda tick: live.update(timer_line(tick, len(schedule), n_sets)),
            )
    except KeyboardInterrupt:
        err().print("stopped")
        raise typer.Exit(130) from None
    console().bell()
    console().print("[bold green]done[/bold green]")


def _speaker() -> Callable[[str], None] | None:
    """Spoken cues through espeak-ng (optional, found on PATH), without blocking the countdown."""
    import shutil
    import subprocess

    exe = shutil.which("espeak-ng")
    if exe is None:
        return None

    def say(words: str) -> None:
        subprocess.Popen([exe, words], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    return say


def main() -> None:  # pragma: no cover
    app()


if __name__ == "__main__":  # python -m kneedrive.cli
    main()
