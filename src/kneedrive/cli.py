"""Command line: thin: parse, call the public API, print."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from .analysis import Analysis, VideoOptions, analyze
from .drills.catalogue import DRILL_IDS
from .errors import InputError, KneedriveError
from .io.atomic import write_bytes_atomic, write_text_atomic
from .io.video import VIDEO_SUFFIXES
from .pose.run import Progress
from .report.progress import pose_progress

if TYPE_CHECKING:
    from .coaching.assess import Answers, BarrierQuestion, ConditionQuestion
    from .coaching.timer import Interval

app = typer.Typer(
    add_completion=False, no_args_is_help=True, help="Sprint and knee-drive analysis from side-view keypoints."
)
console = Console()
err = Console(stderr=True)


OUT_HELP = (
    "Write report.html, analysis.json, steps.csv, reps.csv, keypoints.csv, keypoints.trc "
    "and (video input) annotated.mp4 into this folder"
)


@contextmanager
def _one_line_errors(path: Path) -> Iterator[None]:
    """Bad input and unreadable or unwritable files end with one `error:` line and exit code 2."""
    try:
        yield
    except KneedriveError as exc:
        _fail(str(exc))
    except OSError as exc:
        _fail(f"{exc.filename or path}: {exc.strerror}")


def _fail(message: str, code: int = 2) -> None:
    err.print(f"[red]error:[/red] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def _write_json(analysis: Analysis, path: Path, *, series: bool = False) -> None:
    from .io.analysis_json import analysis_json_text

    write_text_atomic(path, analysis_json_text(analysis.to_dict(include_series=series)))
    console.print(f"wrote {path}")


def _write_out(analysis: Analysis, out_dir: Path) -> None:
    from .report.export import write_outputs

    record = analysis.record
    if analysis.video is None:
        written = write_outputs(record, analysis.sequence, out_dir)
    else:  # annotated.mp4 takes a while: show a progress bar
        with pose_progress(err) as progress:
            written = write_outputs(record, analysis.sequence, out_dir, analysis=analysis, progress=progress)
    console.print(f"wrote {', '.join(p.name for p in written)} in {out_dir}")


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


@app.command("analyze")
def analyze_command(
    file: Annotated[
        Path, typer.Argument(help="Video (.mp4 .mov .avi .mkv .m4v) or keypoints: .csv (time_s or frame + --fps), .trc")
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
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
) -> None:
    """Analyze a sprint, a run or a knee-drive drill (video or keypoints): events and steps, or reps and cycles."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING)
    with _one_line_errors(file):
        is_video = file.suffix.lower() in VIDEO_SUFFIXES
        with pose_progress(err) if is_video else nullcontext(None) as progress:
            result = analyze(
                file,
                fps_hz=fps,
                px_per_m=px_per_m,
                athlete_height_m=athlete_height_m,
                treadmill_speed_mps=treadmill_speed_mps,
                cutoff_hz=cutoff_hz,
                drill=drill,
                video=_video_options(start, end, person, pose_model, no_cache, progress, capture_fps),
            )
        from .report.terminal import print_summary

        print_summary(result.record, console)
        if json_path is not None:
            _write_json(result, json_path, series=series)
        if out_dir is not None:
            _write_out(result, out_dir)


@app.command("demo")
def demo_command(
    fault: Annotated[
        list[str] | None,
        typer.Option(
            help="Inject a fault. Sprint: low_knee, plantar_flexed_foot, foot_ahead_of_knee, overstride, hunched; "
            "drills: low_knee, soggy_foot, no_heel_recovery, hunched, rate_decay"
        ),
    ] = None,
    drill: Annotated[str, typer.Option(help=f"What the athlete does: {', '.join(DRILL_IDS)}")] = "sprint",
    fps: Annotated[float, typer.Option(help="Frame rate of the synthetic clip")] = 240.0,
    json_path: Annotated[Path | None, typer.Option("--json", help="Write the analysis JSON here")] = None,
    csv_path: Annotated[Path | None, typer.Option("--csv", help="Write the synthetic keypoints CSV here")] = None,
    out_dir: Annotated[Path | None, typer.Option("--out", help=OUT_HELP)] = None,
) -> None:
    """Analyze a built-in synthetic sprinter (or drill session) with known truth, end to end."""
    if drill != "sprint":
        _drill_demo(drill, fault or [], fps, json_path, csv_path, out_dir)
        return
    from .drills.camera import Artefacts
    from .drills.sprinter import SprinterModel, synthesize, with_faults
    from .io.keypoints_csv import write_keypoints_csv

    try:
        model = with_faults(SprinterModel(), *(fault or []))
    except ValueError as exc:
        _fail(str(exc))
        return
    try:
        synthetic = synthesize(
            model,
            fps_hz=fps,
            duration_s=3.0,
            seed=1,
            artefacts=Artefacts(jitter_px=1.0, swap_fraction=0.05, dropout_fraction=0.02),
        )
        result = analyze(synthetic.sequence, athlete_height_m=model.body.height_m)
    except KneedriveError as exc:
        _fail(str(exc))
        return
    from .report.terminal import print_summary

    console.print(f"[bold]kneedrive demo[/bold]: synthetic sprinter, faults: {', '.join(fault or []) or 'none'}")
    print_summary(result.record, console)
    truth, s = synthetic.truth, result.summary
    console.print(
        f"truth: speed {truth.speed_mps:.2f} m/s, cadence {truth.cadence_spm:.0f} spm, contact "
        f"{1000 * truth.contact_time_s['right']:.0f} ms, thigh peak {truth.thigh_angle_peak_deg:.0f} deg; "
        f"measured: {s.speed_mps or float('nan'):.2f} m/s, {s.cadence_spm or float('nan'):.0f} spm, "
        f"{1000 * (s.contact_time_s or float('nan')):.0f} ms, {s.thigh_angle_peak_deg or float('nan'):.0f} deg"
    )
    if csv_path is not None:
        write_keypoints_csv(synthetic.sequence, csv_path)
        console.print(f"wrote {csv_path}")
    if json_path is not None:
        _write_json(result, json_path)
    if out_dir is not None:
        with _one_line_errors(out_dir):
            _write_out(result, out_dir)


# --- report: re-render report.html from a saved analysis ----------------------------------------


@app.command("report")
def report_command(
    analysis_json: Annotated[Path, typer.Argument(help="A saved analysis.json (from --out, or --json --series)")],
    output: Annotated[Path, typer.Option("--output", "-o", help="The report.html to write")],
) -> None:
    """Render the HTML report of a saved analysis (self-contained, works offline)."""
    from .record import load_record
    from .report.html import write_report

    with _one_line_errors(output):
        write_report(load_record(analysis_json), output)
    console.print(f"wrote {output}")


def _drill_demo(
    drill: str, faults: list[str], fps: float, json_path: Path | None, csv_path: Path | None, out_dir: Path | None
) -> None:
    from dataclasses import replace

    from .drills.camera import Artefacts
    from .drills.generator import synthesize_drill
    from .drills.keyframes import DRILL_FAULTS, DrillSession
    from .io.keypoints_csv import write_keypoints_csv
    from .report.terminal import print_summary

    if drill not in DRILL_IDS:
        _fail(f"unknown drill {drill!r}; known: {', '.join(DRILL_IDS)}")
    session = DrillSession(drill)
    for name in faults:
        if name not in DRILL_FAULTS:
            _fail(f"unknown drill fault {name!r}; known: {', '.join(DRILL_FAULTS)}")
        session = replace(session, **DRILL_FAULTS[name])  # type: ignore[arg-type]
    try:
        synthetic = synthesize_drill(
            session,
            fps_hz=fps,
            seed=1,
            artefacts=Artefacts(jitter_px=1.0, swap_fraction=0.03, dropout_fraction=0.02),
        )
        result = analyze(synthetic.sequence, athlete_height_m=session.height_m)
    except KneedriveError as exc:
        _fail(str(exc))
        return
    console.print(f"[bold]kneedrive demo[/bold]: synthetic {drill}, faults: {', '.join(faults) or 'none'}")
    print_summary(result.record, console)
    truth = synthetic.truth
    console.print(
        "truth: "
        + "; ".join(
            f"rep {i + 1} {r.side} {r.start_s:.1f}-{r.end_s:.1f} s, {r.cycles} cycles"
            + (f", decay {r.rate_decay_pct:.0f}%" if r.rate_decay_pct is not None else "")
            for i, r in enumerate(truth.reps)
        )
    )
    if csv_path is not None:
        write_keypoints_csv(synthetic.sequence, csv_path)
        console.print(f"wrote {csv_path}")
    if json_path is not None:
        _write_json(result, json_path)
    if out_dir is not None:
        _write_out(result, out_dir)


# ---------------------------------------------------------------- coaching (kneedrive.coaching)


def _read_json_file(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"{path}: {exc.strerror}") from exc
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: not valid JSON ({exc.msg}, line {exc.lineno})") from exc
    if not isinstance(data, dict):
        raise InputError(f"{path}: expected a JSON object")
    return data


def _video_faults(path: Path | None) -> list[dict[str, Any]]:
    """Faults of a saved analysis.json (computed now if the file predates coaching)."""
    if path is None:
        return []
    from .record import load_record

    return [f.to_dict() for f in load_record(path).coaching.faults]


def _answers_from(path: Path | None, answer: list[str], condition: list[str]) -> Answers | None:
    from .coaching.assess import parse_answers

    if path is not None:
        raw = _read_json_file(path)
        return parse_answers(raw.get("answers", raw))  # `assess --json` output or a bare answers file
    if not answer and not condition:
        return None
    barriers: dict[str, int] = {}
    for item in answer:
        key, sep, value = item.partition("=")
        if not sep or not value.strip().isdigit():
            raise InputError(f"--answer must look like BARRIER=0-3, got {item!r}")
        barriers[key.strip()] = int(value)
    return parse_answers({"barriers": barriers, "conditions": condition})


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

    try:
        library = load_library()
        if exercise_id is not None:
            exercise = library.get(exercise_id)
            if json_out:
                console.print_json(data=exercise.to_dict())
            else:
                console.print(exercise_panel(exercise))
            return
        chosen = library.select(category=category, equipment=equipment)
    except KneedriveError as exc:
        _fail(str(exc))
        return
    if json_out:
        console.print_json(data=[e.to_dict() for e in chosen])
    else:
        console.print(library_table(chosen))


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
    from .coaching.assess import interview, rank_limiting_factors
    from .report.coaching import limiting_factors_table

    try:
        given = _answers_from(answers, answer or [], condition or [])
        if given is None:
            if not _can_ask():
                raise InputError("no answers: give --answers FILE or --answer BARRIER=0-3 (no terminal to ask in)")
            given = interview(_ask_barrier, _ask_condition)
        factors = rank_limiting_factors(given, _video_faults(from_json))
    except KneedriveError as exc:
        _fail(str(exc))
        return
    if json_out:
        console.print_json(data={"answers": given.to_dict(), "limiting_factors": [f.to_dict() for f in factors]})
    else:
        console.print(limiting_factors_table(factors))


def _can_ask() -> bool:
    """Interactive questions only in a terminal: never hang waiting on a pipe."""
    import sys

    return sys.stdin.isatty()


def _ask_barrier(question: BarrierQuestion) -> int:
    from rich.prompt import IntPrompt

    console.print(f"[bold]{question.name}[/bold]: {question.question}")
    for i, choice in enumerate(question.choices):
        console.print(f"  {i} {choice}")
    return IntPrompt.ask("answer", choices=[str(i) for i in range(len(question.choices))], console=console)


def _ask_condition(question: ConditionQuestion) -> bool:
    from rich.prompt import Confirm

    return Confirm.ask(question.question, default=False, console=console)


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
    import datetime as dt

    from .coaching.assess import rank_limiting_factors
    from .coaching.calendar import plan_to_ics
    from .coaching.plan import build_plan
    from .io.atomic import write_bytes_atomic
    from .report.coaching import plan_tables

    try:
        answers = _answers_from(assess, [], [])
        extra = _answers_from(None, [], condition or [])
        if extra is not None:
            answers = extra if answers is None else replace(answers, conditions=answers.conditions | extra.conditions)
        if start_date is None:
            today = dt.date.today()
            start = today + dt.timedelta(days=(7 - today.weekday()) % 7 or 7)
        else:
            try:
                start = dt.date.fromisoformat(start_date)
            except ValueError:
                raise InputError(f"--start-date must be YYYY-MM-DD, got {start_date!r}") from None
        plan = build_plan(
            goal,
            weeks=weeks,
            days_per_week=days_per_week,
            equipment=frozenset(equipment) if equipment else frozenset({"none", "wall_or_post"}),
            conditions=answers.conditions if answers else frozenset(),
            limiting_factors=rank_limiting_factors(answers, _video_faults(from_json)),
            start_date=start,
        )
        if ics is not None:
            write_bytes_atomic(ics, plan_to_ics(plan))
    except KneedriveError as exc:
        _fail(str(exc))
        return
    if json_out:
        console.print_json(data=plan.to_dict())
    else:
        console.print(plan_tables(plan))
    if ics is not None:
        err.print(f"wrote {ics}")


@app.command("timer")
def timer_command(
    drill: Annotated[
        str | None, typer.Argument(help="Library id: use its dose (e.g. single_leg_drive_through)")
    ] = None,
    work: Annotated[float | None, typer.Option(help="Work interval, s")] = None,
    rest: Annotated[float | None, typer.Option(help="Rest between sets, s")] = None,
    sets: Annotated[int | None, typer.Option(help="Number of sets")] = None,
    sides: Annotated[str | None, typer.Option(help="both (left then right), left, right or none")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print the schedule and exit")] = False,
    speak: Annotated[bool, typer.Option(help="Spoken cues with espeak-ng when it is installed")] = True,
) -> None:
    """Run a drill's work/rest intervals with a countdown and audible cues (Ctrl-C stops)."""
    from rich.live import Live

    from .coaching import load_library
    from .coaching.timer import build_schedule, run_schedule, schedule_for, total_s
    from .report.coaching import timer_line

    try:
        if drill is not None and work is None:
            schedule = schedule_for(load_library().get(drill), sides=sides, sets=sets)
        elif work is not None:
            schedule = build_schedule(work_s=work, rest_s=rest or 0.0, sets=sets or 1, sides=sides or "none")
        else:
            raise InputError("give a DRILL id or --work seconds")
    except KneedriveError as exc:
        _fail(str(exc))
        return
    n_sets = max(i.set_index for i in schedule)
    if dry_run:
        for interval in schedule:
            console.print(f"set {interval.set_index}: {interval.label()}", highlight=False)
        console.print(f"total {total_s(schedule):g} s", highlight=False)
        return
    say = _speaker() if speak else None

    def on_start(interval: Interval) -> None:
        console.bell()
        if say is not None:
            say(f"{interval.kind.replace('_', ' ')} {interval.side or ''}")

    try:
        with Live(console=console, refresh_per_second=10, transient=False) as live:
            run_schedule(
                schedule,
                on_start=on_start,
                on_tick=lambda tick: live.update(timer_line(tick, len(schedule), n_sets)),
            )
    except KeyboardInterrupt:
        err.print("stopped")
        raise typer.Exit(130) from None
    console.bell()
    console.print("[bold green]done[/bold green]")


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


def _video_options(
    start: float | None,
    end: float | None,
    person: int | None,
    pose_model: str | None,
    no_cache: bool,
    progress: Progress | None = None,
    capture_fps: float | None = None,
) -> VideoOptions:
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


@app.command("pose")
def pose_command(
    video: Annotated[Path, typer.Argument(help="Video file (.mp4 .mov .avi .mkv .m4v)")],
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
    from .record import VideoRecord
    from .report.terminal import print_video_quality

    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING)
    with _one_line_errors(video):
        with pose_progress(err) as progress:
            result = _video_options(start, end, person, pose_model, no_cache, progress, capture_fps).estimate(video)
        print_video_quality(VideoRecord.from_dict(result.to_dict()), console, warnings=result.warnings)
        write_keypoints_csv(result.sequence, output)
        console.print(f"wrote {output}")


@app.command("people")
def people_command(
    video: Annotated[Path, typer.Argument(help="Video file (.mp4 .mov .avi .mkv .m4v)")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Preview image to write (.png or .jpg)")],
    start: StartOption = None,
    end: EndOption = None,
    pose_model: PoseModelOption = None,
) -> None:
    """Find the people in a video and draw them numbered (use the number with --person)."""
    from .pose import find_people
    from .report.people import draw_people

    with _one_line_errors(video):
        backend = _video_options(start, end, None, pose_model, True).backend
        with pose_progress(err) as progress:
            _, scan = find_people(video, start_s=start, end_s=end, backend=backend, progress=progress)
        write_bytes_atomic(output, draw_people(scan, image_format=output.suffix))
        for track in scan.tracks:
            console.print(
                f"person {track.number}: seen {track.first_s:.1f}-{track.last_s:.1f} s "
                f"({100 * track.coverage:.0f}% of the frames), travel "
                f"{track.travel_radii:.1f}, leg motion {track.leg_motion_radii:.2f} (body radii), "
                f"activity {track.activity:.2f}{'  <- analyzed by default' if track.number == 1 else ''}"
            )
        console.print(f"wrote {output}")


def main() -> None:  # pragma: no cover
    app()
