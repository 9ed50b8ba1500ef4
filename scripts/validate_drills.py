"""Drill recognition and segmentation on a fresh generated set, and on real sprint data.

Usage: python scripts/validate_drills.py [--per-drill N] [--seed S]

Prints markdown tables (the README's drill accuracy section is this output): recognition accuracy
per drill with the most frequent confusion, rep count and cycle count errors, rep boundary errors,
rate-decay error, and what the real clips in ../shared/data are recognized as.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

import kneedrive
from kneedrive.drills.catalogue import DRILL_IDS
from kneedrive.drills.generator import random_take, synthesize_take
from kneedrive.drills.keyframes import MODELS
from kneedrive.errors import KneedriveError


@dataclass
class Outcome:
    truth: str
    guess: str
    confidence: float
    reps_true: int
    reps_found: int
    cycle_errors: list[int]
    boundary_errors_s: list[float]
    decay_errors_pct: list[float]
    unsure: bool = False


def evaluate_take(drill_id: str, rng: np.random.Generator) -> Outcome:
    take = random_take(drill_id, rng)
    syn = synthesize_take(take)
    try:
        result = kneedrive.analyze(syn.sequence)
    except KneedriveError as exc:
        return Outcome(drill_id, f"error: {exc}", 0.0, len(syn.truth.reps), 0, [], [], [])
    # measure cycles with the true drill named, so that segmentation is judged on its own
    forced = result if result.drill.drill_id == drill_id else kneedrive.analyze(syn.sequence, drill=drill_id)
    cycles, bounds, decays = [], [], []
    reps = list(forced.drill.reps)
    if drill_id != "sprint":
        for true in syn.truth.reps:
            match = min(reps, key=lambda r: abs(r.start_s - true.start_s), default=None)
            if match is None:
                continue
            cycles.append(match.cycles - true.cycles)
            bounds += [match.start_s - true.start_s, match.end_s - true.end_s]
            if true.rate_decay_pct is not None and match.rate_decay_pct is not None:
                decays.append(match.rate_decay_pct - true.rate_decay_pct)
    return Outcome(
        drill_id,
        result.drill.drill_id,
        result.drill.confidence,
        len(syn.truth.reps),
        len(reps),
        cycles,
        bounds,
        decays,
        result.drill.unsure,
    )


def real_clips(data: Path) -> list[tuple[str, str, float, str]]:
    """What the real clips are recognized as (videos go through the pose model first)."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    import realdata

    rows = []
    for label, seq in (
        ("Dorn 2012 sprint, 9.47 m/s (markers, 250 Hz)", realdata.dorn_sequence("JA1Gait35")),
        ("Dorn 2012 run, 3.53 m/s (markers, 250 Hz)", realdata.dorn_sequence("JA1Gait21")),
        ("RBDS treadmill run, 2.5 m/s (markers, 150 Hz)", realdata.rbds_sequence()),
        ("Dorn sprint .trc (OpenSim file)", kneedrive.io.load.load_keypoints(data / "dorn2012_sprint" / "sprint.trc")),
        ("GaitLab treadmill jog, phone video 30 fps (BlazePose)", data / "gaitlab_treadmill" / "male_side.mp4"),
        ("Sports2D walk, video 30 fps (BlazePose)", data / "sports2d_demo" / "demo.mp4"),
    ):
        r = kneedrive.analyze(seq)
        rows.append((label, r.drill.drill_id, r.drill.confidence, r.drill.decided_by))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--per-drill", type=int, default=12)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--real-only", action="store_true", help="only the real clips")
    args = parser.parse_args()
    if args.real_only:
        _print_real()
        return
    rng = np.random.default_rng(args.seed)
    outcomes: dict[str, list[Outcome]] = defaultdict(list)
    for drill_id in (d for d in DRILL_IDS if d == "sprint" or d in MODELS):  # the drills the generator models
        for _ in range(args.per_drill):
            outcomes[drill_id].append(evaluate_take(drill_id, rng))
    total = sum(len(v) for v in outcomes.values())
    right = sum(o.guess == o.truth for v in outcomes.values() for o in v)
    print(
        f"Generated set: {args.per_drill} takes per drill, seed {args.seed}; recognition {right}/{total} "
        f"({100 * right / total:.0f}%)\n"
    )
    print(
        "| drill | recognized | unsure | mean confidence when right | most frequent confusion | reps found/true "
        "| cycle count error (median abs, max) | rep start/end error (median abs) | rate-decay error (median abs) |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for drill_id, rows in outcomes.items():
        ok = [o for o in rows if o.guess == o.truth]
        wrong = Counter(o.guess for o in rows if o.guess != o.truth).most_common(1)
        cyc = [abs(c) for o in rows for c in o.cycle_errors]
        bnd = [abs(b) for o in rows for b in o.boundary_errors_s]
        dec = [abs(d) for o in rows for d in o.decay_errors_pct]
        print(
            f"| {drill_id} | {len(ok)}/{len(rows)} | {sum(o.unsure for o in rows)} "
            f"| {np.mean([o.confidence for o in ok]) if ok else 0:.2f} "
            f"| {f'{wrong[0][0]} ({wrong[0][1]})' if wrong else '-'} "
            f"| {sum(o.reps_found for o in rows)}/{sum(o.reps_true for o in rows)} "
            f"| {f'{np.median(cyc):.0f}, {max(cyc)}' if cyc else '-'} "
            f"| {f'{np.median(bnd):.2f} s' if bnd else '-'} | {f'{np.median(dec):.1f} pts' if dec else '-'} |"
        )
    _print_real()


def _print_real() -> None:
    print("\n| real clip | recognized as | confidence | decided |\n|---|---|---|---|")
    for label, drill_id, conf, decided in real_clips(Path(__file__).resolve().parents[2] / "shared" / "data"):
        print(f"| {label} | {drill_id} | {conf:.2f} | {decided} |")


if __name__ == "__main__":
    main()
