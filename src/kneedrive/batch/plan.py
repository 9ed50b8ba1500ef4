"""A batch before it runs: the inputs found, their jobs, which are done already, what is left to analyze."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..drills.analyze import check_drill_id
from ..errors import InputError
from ..kinematics.view import VIEW_CHOICES
from ..report.squad import write_squad
from .clip import ClipOutcome, is_done, remove_leftovers
from .inputs import AthleteMap, find_inputs, load_athlete_map
from .jobs import AnalysisOptions, ClipJob, plan_jobs
from .squad import squad_entries


@dataclass(frozen=True)
class BatchPlan:
    out_dir: Path
    jobs: tuple[ClipJob, ...]
    #: Jobs whose output folder already holds the same analysis (same content hash and options).
    done: tuple[ClipJob, ...]
    todo: tuple[ClipJob, ...]
    #: Athlete map rows that match no input.
    unmatched: tuple[str, ...]
    #: Hidden temporary folders of an interrupted batch, removed.
    leftovers: int


def plan_batch(
    inputs: Sequence[str], out_dir: Path, options: AnalysisOptions, athletes: Path | None = None
) -> BatchPlan:
    """Find the inputs, hash them, and split them into done and to do (InputError for what the user must
    fix before anything runs: no input, a bad athlete map, an unknown drill or view, an output path that is
    a file)."""
    check_drill_id(options.drill)
    if options.view not in VIEW_CHOICES:
        raise InputError(f"--view must be one of {', '.join(VIEW_CHOICES)}, got {options.view!r}")
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(f"--out {out_dir}: exists and is not a folder")
    paths = find_inputs(inputs, exclude=out_dir)
    athlete_map = load_athlete_map(athletes) if athletes is not None else AthleteMap()
    jobs = tuple(plan_jobs(paths, options, athlete_map))
    out_dir.mkdir(parents=True, exist_ok=True)
    leftovers = remove_leftovers(out_dir)
    done = tuple(j for j in jobs if is_done(j, out_dir))
    todo = tuple(j for j in jobs if j not in done)
    return BatchPlan(out_dir, jobs, done, todo, tuple(athlete_map.unmatched(paths)), len(leftovers))


def finish_batch(
    plan: BatchPlan, analyzed: Sequence[ClipOutcome]
) -> tuple[list[tuple[ClipJob, ClipOutcome]], list[Path]]:
    """Every job with its outcome, in the inputs' order (the done ones as skipped), and the squad files
    written. The temporary folders of clips whose worker died (and ran again elsewhere) are removed."""
    remove_leftovers(plan.out_dir)
    by_folder = {o.folder: o for o in analyzed}
    by_folder |= {j.folder: ClipOutcome(j.folder, "skipped") for j in plan.done}
    outcomes = [(j, by_folder.get(j.folder, ClipOutcome(j.folder, "failed", error="not run"))) for j in plan.jobs]
    return outcomes, write_squad(plan.out_dir, squad_entries(plan.out_dir, outcomes))
