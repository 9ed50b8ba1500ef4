"""Validate kneedrive on real marker data against lab-labelled events and force plates.

Data (../shared/data, see its README): Dorn et al. (2012) sprint (JA1Gait35, 9.5 m/s) and run
(JA1Gait21, 3.5 m/s) at 250 Hz with lab-labelled events and force plates; RBDS runner 41 on an
instrumented treadmill at 2.5 m/s, 150 Hz (force threshold contacts). Markers become pose-like
keypoints in tests/realdata.py. Engine figures are the clip summary (what a user gets); the
reference's from its own events. The Dorn step length, thigh peak and knee flexion at touchdown
are computed here straight from the raw sagittal markers at the lab event times.

Usage: python scripts/validate_real_data.py   (prints markdown tables)
"""

from __future__ import annotations

import statistics
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.realdata import (  # noqa: E402
    PX_PER_M,
    LabEvent,
    data_dir,
    dorn_events,
    dorn_force_events,
    dorn_sequence,
    rbds_force_events,
    rbds_sequence,
)

import kneedrive  # noqa: E402
from kneedrive import PoseSequence  # noqa: E402
from kneedrive.metrics.summary import stride_period_s  # noqa: E402

SPRINT, RUN = "JA1Gait35", "JA1Gait21"
RBDS_BELT_MPS = 2.5
#: An engine event matches the reference event of the same foot and kind within this window
#: (events of the same foot and kind are >= 0.44 s apart, so matching is unambiguous).
MATCH_WINDOW_S = 0.1
FIGURES = ("step_length_m", "thigh_angle_peak_deg", "knee_flexion_touchdown_deg")


@dataclass
class Reference:
    name: str
    events: list[LabEvent]
    #: Per reference touchdown time: figure name -> value (where measurable).
    step_values: dict[float, dict[str, float]] = field(default_factory=dict)


def match(found: list[LabEvent], reference: list[LabEvent]) -> tuple[list[tuple], int]:
    """Pairs (reference event, matched engine event or None); and the number of unmatched engine
    events inside the reference span (events outside it were not labelled and do not count)."""
    used: set[int] = set()
    pairs = []
    for ref in reference:
        options = [
            (abs(e.time_s - ref.time_s), i)
            for i, e in enumerate(found)
            if e.side == ref.side and e.kind == ref.kind and i not in used
        ]
        best = min(options, default=None)
        if best is not None and best[0] <= MATCH_WINDOW_S:
            used.add(best[1])
            pairs.append((ref, found[best[1]]))
        else:
            pairs.append((ref, None))
    lo, hi = min(e.time_s for e in reference), max(e.time_s for e in reference)
    extra = sum(1 for i, e in enumerate(found) if i not in used and lo <= e.time_s <= hi)
    return pairs, extra


def median_contact_s(events: list[LabEvent]) -> float:
    """Median time from each touchdown to the same foot's next toe-off (before its next touchdown)."""
    durations = []
    for td in (e for e in events if e.kind == "touchdown"):
        later = [e for e in events if e.side == td.side and e.time_s > td.time_s]
        next_td = min((e.time_s for e in later if e.kind == "touchdown"), default=np.inf)
        offs = [e.time_s for e in later if e.kind == "toe_off" and e.time_s < next_td]
        durations += [min(offs) - td.time_s] if offs else []
    return statistics.median(durations)


def cadence_spm(events: list[LabEvent]) -> float:
    """120 / stride time, with the engine's estimator (stride_period_s: the least-squares stride over each
    foot's touchdowns) applied to the reference touchdowns."""
    feet = [sorted(e.time_s for e in events if e.kind == "touchdown" and e.side == side) for side in ("left", "right")]
    period = stride_period_s(feet)
    assert period is not None, "the reference has no whole stride"
    return 120.0 / period


def as_lab_events(analysis: kneedrive.Analysis) -> list[LabEvent]:
    return [LabEvent(e.side, e.kind, e.time_s) for e in analysis.events]


def marker_step_values(trial: str, events: list[LabEvent]) -> dict[float, dict[str, float]]:
    """Figures straight from the raw sagittal markers (metres, x forward, y up) at lab events:
    knee flexion = 180 - the hip-knee-ankle angle at foot strike; thigh peak = max hip->knee
    angle from straight down between the foot's previous lab foot off and this foot strike;
    step length = forward distance between foot centres (mean heel/toe) at successive strikes."""
    table = np.genfromtxt(data_dir("dorn2012_sprint", f"{trial}_sagittal2d.csv"), delimiter=",", names=True)
    t = table["time_s"]

    def point(side: str, marker: str, when: float | np.ndarray) -> np.ndarray:
        p = side[0].upper()
        return np.array(
            [np.interp(when, t, table[f"{p}_{marker}_fwd_m"]), np.interp(when, t, table[f"{p}_{marker}_up_m"])]
        )

    strikes = sorted((e for e in events if e.kind == "touchdown"), key=lambda e: e.time_s)
    values: dict[float, dict[str, float]] = {}
    for k, fs in enumerate(strikes):
        hip, knee, ankle = (point(fs.side, m, fs.time_s) for m in ("hip", "knee", "ankle"))
        a, b = hip - knee, ankle - knee
        inner = np.degrees(np.arccos(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b))))
        row = {"knee_flexion_touchdown_deg": 180.0 - float(inner)}
        off = [e.time_s for e in events if e.side == fs.side and e.kind == "toe_off" and e.time_s < fs.time_s]
        if off:
            swing = t[(t >= max(off)) & (t <= fs.time_s)]
            thigh = point(fs.side, "knee", swing) - point(fs.side, "hip", swing)
            row["thigh_angle_peak_deg"] = float(np.max(np.degrees(np.arctan2(thigh[0], -thigh[1]))))
        if k + 1 < len(strikes) and strikes[k + 1].side != fs.side:
            ends = (fs, strikes[k + 1])
            centres = [(point(e.side, "heel", e.time_s)[0] + point(e.side, "toe", e.time_s)[0]) / 2.0 for e in ends]
            row["step_length_m"] = float(centres[1] - centres[0])
        values[fs.time_s] = row
    return values


def evaluate(label: str, analysis: kneedrive.Analysis, ref: Reference) -> dict[str, Any]:
    """One table row: event detection and timing, contact time, cadence and per-step figures.
    Also kept for tests: `errors` [(reference event, engine - reference s or None)] and, per
    figure, `<name>_pairs` [(reference touchdown s, engine value, reference value)]."""
    pairs, extra = match(as_lab_events(analysis), ref.events)
    errors = [(r, None if f is None else f.time_s - r.time_s) for r, f in pairs]
    row: dict[str, Any] = {"data": label, "fps": analysis.kinematics.fps_hz, "reference": ref.name}
    row.update(errors=errors, n_ref=len(pairs), n_found=sum(f is not None for _, f in pairs), n_extra=extra)
    for kind, key in (("touchdown", "td"), ("toe_off", "to")):
        abs_ms = [abs(e) * 1000 for r, e in errors if e is not None and r.kind == kind]
        row[f"{key}_err_median_ms"] = statistics.median(abs_ms) if abs_ms else None
        row[f"{key}_err_max_ms"] = max(abs_ms) if abs_ms else None
        for side in ("left", "right"):
            signed = [e * 1000 for r, e in errors if e is not None and r.kind == kind and r.side == side]
            row[f"{key}_bias_{side}_ms"] = statistics.median(signed) if signed else None
    s = analysis.summary
    row["contact_ms"] = None if s.contact_time_s is None else s.contact_time_s * 1000
    row["contact_ref_ms"] = median_contact_s(ref.events) * 1000
    for side in ("left", "right"):
        engine = analysis.sides[side]["contact_time_s"]
        row[f"contact_{side}_ms"] = None if engine is None else engine * 1000
        row[f"contact_ref_{side}_ms"] = median_contact_s([e for e in ref.events if e.side == side]) * 1000
    row["cadence_spm"], row["cadence_ref_spm"] = s.cadence_spm, cadence_spm(ref.events)
    steps = {round(st.touchdown_time_s, 9): st for st in analysis.steps}
    for name in FIGURES:
        both = []
        for r, f in pairs:
            value = ref.step_values.get(r.time_s, {}).get(name)
            step = steps.get(round(f.time_s, 9)) if f is not None and r.kind == "touchdown" else None
            if value is not None and step is not None and getattr(step, name) is not None:
                both.append((r.time_s, getattr(step, name), value))
        row[f"{name}_pairs"] = both
        row[name] = statistics.median(e for _, e, _ in both) if both else None
        row[f"{name}_ref"] = statistics.median(v for _, _, v in both) if both else None
        row[f"{name}_max_diff"] = max(abs(e - v) for _, e, v in both) if both else None
    return row


def perturb(
    seq: PoseSequence,
    *,
    seed: int,
    swap_fraction: float = 0.10,
    dropouts_per_s: float = 1.0,
    max_dropout_s: float = 0.1,
) -> PoseSequence:
    """Pose-model failures: left/right labels swapped in `swap_fraction` of the frames (runs of
    1-3 frames) and, per keypoint, `dropouts_per_s` dropouts (NaN, score 0) of one frame to
    `max_dropout_s`, apart from each other."""
    rng = np.random.default_rng(seed)
    xy, score = np.array(seq.xy), np.array(seq.score)
    n = seq.n_frames
    swapped = np.zeros(n, dtype=bool)
    while swapped.sum() < swap_fraction * n:
        start = int(rng.integers(0, n))
        swapped[start : start + int(rng.integers(1, 4))] = True
    for a, name in enumerate(seq.names):
        if name.startswith("left_"):
            b = seq.names.index(name.replace("left_", "right_"))
            xy[swapped, a], xy[swapped, b] = xy[swapped, b].copy(), xy[swapped, a].copy()
    longest = max(1, int(max_dropout_s * seq.fps_hz))
    count = round(dropouts_per_s * (seq.time_s[-1] - seq.time_s[0]))
    for k in range(len(seq.names)):
        for _ in range(count):
            length = int(rng.integers(1, longest + 1))
            start = int(rng.integers(0, n - length))
            if np.all(score[max(0, start - 1) : start + length + 1, k] > 0):  # keep gaps apart
                xy[start : start + length, k] = np.nan
                score[start : start + length, k] = 0.0
    return seq.replace(xy=xy, score=score, source=f"{seq.source} (perturbed, seed {seed})")


def downsample(seq: PoseSequence, every: int) -> PoseSequence:
    """Every `every`-th frame, from the first: a slower camera filming the same motion."""
    return seq.replace(time_s=seq.time_s[::every], xy=seq.xy[::every], score=seq.score[::every])


def clean_reference(analysis: kneedrive.Analysis) -> Reference:
    """An engine result as the reference (to see what perturbing its input changes)."""
    values = {s.touchdown_time_s: {n: getattr(s, n) for n in FIGURES} for s in analysis.steps}
    return Reference("clean engine result", as_lab_events(analysis), values)


PERTURBATIONS: dict[str, dict[str, float]] = {
    "10% swaps": {"dropouts_per_s": 0.0},
    "dropouts <= 100 ms": {"swap_fraction": 0.0},
    "both": {},
}


def robustness(seq: PoseSequence, seeds: range = range(30)) -> list[dict[str, Any]]:
    """Per perturbation kind, over seeds: how often an event is lost or added, and the worst
    changes of the events and of the summary figures relative to the clean result."""
    clean = kneedrive.analyze(seq, px_per_m=PX_PER_M)
    ref = clean_reference(clean)
    out = []
    for kind, options in PERTURBATIONS.items():
        rows = [
            evaluate(kind, kneedrive.analyze(perturb(seq, seed=k, **options), px_per_m=PX_PER_M), ref) for k in seeds
        ]

        def worst(change: Any, rows: list[dict[str, Any]] = rows) -> float:
            return max(abs(change(r)) for r in rows)

        out.append(
            {
                "perturbation": kind,
                "seeds": len(rows),
                "seeds_event_lost": sum(r["n_found"] < r["n_ref"] for r in rows),
                "seeds_event_added": sum(r["n_extra"] > 0 for r in rows),
                "event_shift_median_ms": statistics.median(max(r["td_err_max_ms"], r["to_err_max_ms"]) for r in rows),
                "event_shift_max_ms": worst(lambda r: max(r["td_err_max_ms"], r["to_err_max_ms"])),
                "contact_ms": worst(lambda r: r["contact_ms"] - r["contact_ref_ms"]),
                "cadence_pct": worst(lambda r: 100 * (r["cadence_spm"] / r["cadence_ref_spm"] - 1)),
                "thigh_peak_deg": worst(lambda r: r["thigh_angle_peak_deg"] - r["thigh_angle_peak_deg_ref"]),
                "knee_td_deg": worst(lambda r: r["knee_flexion_touchdown_deg"] - r["knee_flexion_touchdown_deg_ref"]),
            }
        )
    return out


def validation_rows() -> list[dict[str, Any]]:
    rows = []
    for trial, label in ((SPRINT, "Dorn sprint 9.5 m/s"), (RUN, "Dorn run 3.5 m/s")):
        seq, lab = dorn_sequence(trial), dorn_events(trial)
        analysis = kneedrive.analyze(seq, px_per_m=PX_PER_M)
        lab_ref = Reference("lab labels", lab, marker_step_values(trial, lab))
        rows.append(evaluate(label, analysis, lab_ref))
        rows.append(evaluate(label, analysis, Reference("force plates 50 N", dorn_force_events(trial))))
        for every in (4, 8):
            slow = kneedrive.analyze(downsample(seq, every), px_per_m=PX_PER_M)
            rows.append(evaluate(f"{label}, every {every}th frame", slow, lab_ref))
    rbds = kneedrive.analyze(rbds_sequence(), px_per_m=PX_PER_M, treadmill_speed_mps=RBDS_BELT_MPS)
    rows.append(evaluate("RBDS treadmill 2.5 m/s", rbds, Reference("force 50 N", rbds_force_events())))
    return rows


HEAD_EVENTS = (
    "data|fps|reference|events ref / found / extra|TD abs err median / max ms|TO abs err median / max ms"
    "|contact engine / ref ms (err)|cadence engine / ref spm (err %)"
)
HEAD_SIDES = (
    "data|reference|TD bias left / right ms|TO bias left / right ms|contact left engine / ref ms (err)"
    "|contact right engine / ref ms (err)"
)
HEAD_FIGURES = (
    "data|reference|step length engine / ref m (max diff)|thigh peak engine / ref deg (max diff)"
    "|knee flexion at TD engine / ref deg (max diff)"
)
HEAD_ROBUST = (
    "perturbation|seeds|seeds losing an event|seeds adding an event|event shift median / max ms|worst contact"
    " change ms|worst cadence change %|worst thigh peak change deg|worst knee at TD change deg"
)


def _fmt(value: Any, digits: int = 1) -> str:
    return "-" if value is None else f"{value:.{digits}f}" if isinstance(value, float) else str(value)


def _table(header: str, lines: list[list[str]]) -> list[str]:
    columns = header.split("|")
    return [f"| {' | '.join(c)} |" for c in [columns, ["---"] * len(columns), *lines]]


def _versus(r: dict[str, Any], key: str, ref_key: str, digits: int = 0, pct: bool = False) -> str:
    """'engine / reference (error)'; the error in % of the reference when pct."""
    if r[key] is None:
        return f"- / {_fmt(r[ref_key], digits)}"
    err = 100 * (r[key] / r[ref_key] - 1) if pct else r[key] - r[ref_key]
    return f"{_fmt(r[key], digits)} / {_fmt(r[ref_key], digits)} ({err:+.{max(digits, 1)}f})"


def _two(r: dict[str, Any], a: str, b: str, digits: int = 1) -> str:
    return f"{_fmt(r[a], digits)} / {_fmt(r[b], digits)}"


def markdown(rows: list[dict[str, Any]], robust: list[dict[str, Any]]) -> str:
    events = [
        [
            *(r["data"], _fmt(r["fps"]), r["reference"], f"{r['n_ref']} / {r['n_found']} / {r['n_extra']}"),
            *(_two(r, "td_err_median_ms", "td_err_max_ms"), _two(r, "to_err_median_ms", "to_err_max_ms")),
            *(_versus(r, "contact_ms", "contact_ref_ms"), _versus(r, "cadence_spm", "cadence_ref_spm", 1, pct=True)),
        ]
        for r in rows
    ]
    sides = [
        [r["data"], r["reference"], _two(r, "td_bias_left_ms", "td_bias_right_ms")]
        + [_two(r, "to_bias_left_ms", "to_bias_right_ms")]
        + [_versus(r, f"contact_{side}_ms", f"contact_ref_{side}_ms") for side in ("left", "right")]
        for r in rows
        if r["fps"] > 100
    ]
    digits = dict(zip(FIGURES, (2, 1, 1), strict=True))
    figures = [
        [r["data"], r["reference"]]
        + [f"{_two(r, n, n + '_ref', d)} ({_fmt(r[n + '_max_diff'], d)})" for n, d in digits.items()]
        for r in rows
        if r["knee_flexion_touchdown_deg"] is not None
    ]
    perturbed = [
        [r["perturbation"], str(r["seeds"]), str(r["seeds_event_lost"]), str(r["seeds_event_added"])]
        + [_two(r, "event_shift_median_ms", "event_shift_max_ms")]
        + [_fmt(r[k]) for k in ("contact_ms", "cadence_pct", "thigh_peak_deg", "knee_td_deg")]
        for r in robust
    ]
    sections = [
        ("", HEAD_EVENTS, events),
        ("Per foot: signed median error (engine - reference), contact times:", HEAD_SIDES, sides),
        ("Per step, at matched touchdowns (Dorn: raw markers at the lab events):", HEAD_FIGURES, figures),
        ("Dorn sprint perturbed vs its clean result (event shift: largest per seed):", HEAD_ROBUST, perturbed),
    ]
    out: list[str] = []
    for title, header, lines in sections:
        out += ["", title, "", *_table(header, lines)] if title else _table(header, lines)
    return "\n".join(out)


if __name__ == "__main__":
    print(markdown(validation_rows(), robustness(dorn_sequence(SPRINT))))
