"""Command line: thin: parse, call the public API, print."""

from __future__ import annotations

import json
import logging
from contextlib import nullcontext
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from .analysis import Analysis, VideoOptions, analyze
from .errors import KneedriveError
from .io.atomic import write_bytes_atomic, write_text_atomic
from .io.video import VIDEO_SUFFIXES
from .pose.run import Progress
from .report.progress import pose_progress

app = typer.Typer(
    add_completion=False, no_args_is_help=True, help="Sprint and knee-drive analysis from side-view keypoints."
)
console = Console()
err = Console(stderr=True)


def _fail(message: str, code: int = 2) -> None:
    err.print(f"[red]error:[/red] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def _write_json(analysis: Analysis, path: Path) -> None:
    write_text_atomic(path, json.dumps(analysis.to_dict(), indent=2) + "\n")
    console.print(f"wrote {path}")


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
    json_path: Annotated[Path | None, typer.Option("--json", help="Write the analysis JSON (schema v1) here")] = None,
    start: StartOption = None,
    end: EndOption = None,
    person: PersonOption = None,
    pose_model: PoseModelOption = None,
    no_cache: NoCacheOption = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
) -> None:
    """Analyze a sprint or run (video or keypoints): events, steps, summary."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING)
    try:
        is_video = file.suffix.lower() in VIDEO_SUFFIXES
        with pose_progress(err) if is_video else nullcontext(None) as progress:
            result = analyze(
                file,
                fps_hz=fps,
                px_per_m=px_per_m,
                athlete_height_m=athlete_height_m,
                treadmill_speed_mps=treadmill_speed_mps,
                cutoff_hz=cutoff_hz,
                video=_video_options(start, end, person, pose_model, no_cache, progress),
            )
        from .report.terminal import print_summary

        print_summary(result, console)
        if json_path is not None:
            _write_json(result, json_path)
    except KneedriveError as exc:
        _fail(str(exc))
    except OSError as exc:
        _fail(f"{exc.filename or file}: {exc.strerror}")


@app.command("demo")
def demo_command(
    fault: Annotated[
        list[str] | None,
        typer.Option(help="Inject a fault: low_knee, plantar_flexed_foot, foot_ahead_of_knee, overstride, hunched"),
    ] = None,
    fps: Annotated[float, typer.Option(help="Frame rate of the synthetic clip")] = 240.0,
    json_path: Annotated[Path | None, typer.Option("--json", help="Write the analysis JSON here")] = None,
    csv_path: Annotated[Path | None, typer.Option("--csv", help="Write the synthetic keypoints CSV here")] = None,
) -> None:
    """Analyze a built-in synthetic sprinter with known truth, end to end."""
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
    print_summary(result, console)
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


def _video_options(
    start: float | None,
    end: float | None,
    person: int | None,
    pose_model: str | None,
    no_cache: bool,
    progress: Progress | None = None,
) -> VideoOptions:
    from .pose.plugins import load_backend

    return VideoOptions(
        start_s=start,
        end_s=end,
        person=person,
        backend=load_backend(pose_model) if pose_model else None,
        use_cache=not no_cache,
        progress=progress,
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
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
) -> None:
    """Estimate the athlete's pose in a video and write the keypoints CSV."""
    from .io.keypoints_csv import write_keypoints_csv
    from .pose import estimate_pose
    from .report.terminal import print_video_quality

    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING)
    try:
        options = _video_options(start, end, person, pose_model, no_cache)
        with pose_progress(err) as progress:
            result = estimate_pose(
                video,
                start_s=options.start_s,
                end_s=options.end_s,
                person=options.person,
                backend=options.backend,
                use_cache=options.use_cache,
                progress=progress,
            )
        print_video_quality(result, console)
        write_keypoints_csv(result.sequence, output)
        console.print(f"wrote {output}")
    except KneedriveError as exc:
        _fail(str(exc))
    except OSError as exc:
        _fail(f"{exc.filename or video}: {exc.strerror}")


@app.command("people")
def people_command(
    video: Annotated[Path, typer.Argument(help="Video file (.mp4 .mov .avi .mkv .m4v)")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Preview image to write (.png or .jpg)")],
    start: StartOption = None,
    end: EndOption = None,
) -> None:
    """Find the people in a video and draw them numbered (use the number with --person)."""
    from .pose import find_people
    from .report.people import draw_people

    try:
        with pose_progress(err) as progress:
            _, scan = find_people(video, start_s=start, end_s=end, progress=progress)
        write_bytes_atomic(output, draw_people(scan, image_format=output.suffix))
        for track in scan.tracks:
            console.print(
                f"person {track.number}: seen {track.first_s:.1f}-{track.last_s:.1f} s "
                f"({100 * track.coverage:.0f}% of the frames), travel "
                f"{track.travel_radii:.1f}, leg motion {track.leg_motion_radii:.2f} (body radii), "
                f"activity {track.activity:.2f}{'  <- analyzed by default' if track.number == 1 else ''}"
            )
        console.print(f"wrote {output}")
    except KneedriveError as exc:
        _fail(str(exc))
    except OSError as exc:
        _fail(f"{exc.filename or video}: {exc.strerror}")


def main() -> None:  # pragma: no cover
    app()
