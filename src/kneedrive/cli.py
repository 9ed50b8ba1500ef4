"""Command line: thin: parse, call the public API, print."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from .analysis import Analysis, analyze
from .drills.catalogue import DRILL_IDS
from .errors import KneedriveError
from .io.atomic import write_text_atomic

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


@app.command("analyze")
def analyze_command(
    file: Annotated[Path, typer.Argument(help="Keypoints: .csv (time_s or frame + --fps) or .trc")],
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
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
) -> None:
    """Analyze a sprint, a run or a knee-drive drill: events and steps, or reps and cycles."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING)
    try:
        result = analyze(
            file,
            fps_hz=fps,
            px_per_m=px_per_m,
            athlete_height_m=athlete_height_m,
            treadmill_speed_mps=treadmill_speed_mps,
            cutoff_hz=cutoff_hz,
            drill=drill,
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
        typer.Option(
            help="Inject a fault. Sprint: low_knee, plantar_flexed_foot, foot_ahead_of_knee, overstride, hunched; "
            "drills: low_knee, soggy_foot, no_heel_recovery, hunched, rate_decay"
        ),
    ] = None,
    drill: Annotated[str, typer.Option(help=f"What the athlete does: {', '.join(DRILL_IDS)}")] = "sprint",
    fps: Annotated[float, typer.Option(help="Frame rate of the synthetic clip")] = 240.0,
    json_path: Annotated[Path | None, typer.Option("--json", help="Write the analysis JSON here")] = None,
    csv_path: Annotated[Path | None, typer.Option("--csv", help="Write the synthetic keypoints CSV here")] = None,
) -> None:
    """Analyze a built-in synthetic sprinter (or drill session) with known truth, end to end."""
    if drill != "sprint":
        _drill_demo(drill, fault or [], fps, json_path, csv_path)
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


def _drill_demo(drill: str, faults: list[str], fps: float, json_path: Path | None, csv_path: Path | None) -> None:
    from dataclasses import replace

    from .drills.camera import Artefacts
    from .drills.catalogue import DRILL_FAULTS, DrillSession
    from .drills.generator import synthesize_drill
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
    print_summary(result, console)
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


def main() -> None:  # pragma: no cover
    app()
