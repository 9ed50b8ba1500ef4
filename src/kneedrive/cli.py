"""Command line: thin: parse, call the public API, print."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from .analysis import Analysis, analyze
from .errors import KneedriveError
from .io.atomic import write_text_atomic

app = typer.Typer(
    add_completion=False, no_args_is_help=True, help="Sprint and knee-drive analysis from side-view keypoints."
)
console = Console()
err = Console(stderr=True)


OUT_HELP = "Write report.html, analysis.json, steps.csv, reps.csv, keypoints.csv and keypoints.trc into this folder"


def _fail(message: str, code: int = 2) -> None:
    err.print(f"[red]error:[/red] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def _write_json(analysis: Analysis, path: Path, *, series: bool = False) -> None:
    from .io.analysis_json import analysis_json_text

    write_text_atomic(path, analysis_json_text(analysis.to_dict(include_series=series)))
    console.print(f"wrote {path}")


def _write_out(analysis: Analysis, out_dir: Path) -> None:
    from .report.export import write_outputs

    written = write_outputs(analysis.to_dict(include_series=True), analysis.sequence, out_dir)
    console.print(f"wrote {', '.join(p.name for p in written)} in {out_dir}")


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
    json_path: Annotated[Path | None, typer.Option("--json", help="Write the analysis JSON (schema v1) here")] = None,
    series: Annotated[
        bool, typer.Option("--series", help="Include the angle/keypoint time series in --json (for `report`)")
    ] = False,
    out_dir: Annotated[Path | None, typer.Option("--out", help=OUT_HELP)] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
) -> None:
    """Analyze a sprint or run: events, steps, summary."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING)
    try:
        result = analyze(
            file,
            fps_hz=fps,
            px_per_m=px_per_m,
            athlete_height_m=athlete_height_m,
            treadmill_speed_mps=treadmill_speed_mps,
            cutoff_hz=cutoff_hz,
        )
        from .report.terminal import print_summary

        print_summary(result, console)
        if json_path is not None:
            _write_json(result, json_path, series=series)
        if out_dir is not None:
            _write_out(result, out_dir)
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
    out_dir: Annotated[Path | None, typer.Option("--out", help=OUT_HELP)] = None,
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
    if out_dir is not None:
        try:
            _write_out(result, out_dir)
        except KneedriveError as exc:
            _fail(str(exc))
        except OSError as exc:
            _fail(f"{exc.filename or out_dir}: {exc.strerror}")


# --- report: re-render report.html from a saved analysis ----------------------------------------


@app.command("report")
def report_command(
    analysis_json: Annotated[Path, typer.Argument(help="A saved analysis.json (from --out, or --json --series)")],
    output: Annotated[Path, typer.Option("--output", "-o", help="The report.html to write")],
) -> None:
    """Render the HTML report of a saved analysis (self-contained, works offline)."""
    from .io.analysis_json import load_analysis
    from .report.html import write_report

    try:
        write_report(load_analysis(analysis_json), output)
    except KneedriveError as exc:
        _fail(str(exc))
    except OSError as exc:
        _fail(f"{exc.filename or output}: {exc.strerror}")
    console.print(f"wrote {output}")


def main() -> None:  # pragma: no cover
    app()
