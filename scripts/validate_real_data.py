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

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import kneedrive  # noqa: E402
from kneedrive import PoseSequence  # noqa: E402
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


def contacts(events: list[LabEvent]) -> list[tuple[str, float, float]]:
    """(side, touchdown, toe-off): each touchdown with the same foot's next toe-off."""
    out = []
    for td in (e for e in events if e.kind == "touchdown"):
        same = [e for e in events if e.side == td.side and e.time_s > td.time_s]
        next_td = min((e.time_s for e in same if e.kind == "touchdown"), default=np.inf)
        offs = [e.time_s for e in same if e.kind == "toe_off" and e.time_s < next_td]
        if offs:
            out.append((td.side, td.time_s, min(offs)))
    return out


def median_contact_s(events: list[LabEvent]) -> float:
    return statistics.median(to - td for _, td, to in contacts(events))


def cadence_spm(events: list[LabEvent]) -> float:
    """60 / median time between successive touchdowns of opposite feet (steps)."""
    tds = sorted((e.time_s, e.side) for e in events if e.kind == "touchdown")
    steps = [b[0] - a[0] for a, b in zip(tds, tds[1:], strict=False) if a[1] != b[1]]
    return 60.0 / statistics.median(steps)


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
        return np.array([np.interp(when, t, table[f"{p}_{marker}_fwd_m"]), np.interp(when, t, table[f"{p}_{marker}_up_m"])])

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
            nxt = strikes[k + 1]

            def centre(side: str, when: float) -> float:
                return float((point(side, "heel", when)[0] + point(side, "toe", when)[0]) / 2.0)

            row["step_length_m"] = centre(nxt.side, nxt.time_s) - centre(fs.side, fs.time_s)
        values[fs.time_s] = row
    return values


def evaluate(label: str, analysis: kneedrive.Analysis, ref: Reference) -> dict[str, object]:
    """One table row: event detection and timing, contact time, cadence and per-step figures."""
    pairs, extra = match(as_lab_events(analysis), ref.events)
    row: dict[str, object] = {"data": label, "fps": analysis.kinematics.fps_hz, "reference": ref.name}
    row.update(n_ref=len(pairs), n_found=sum(f is not None for _, f in pairs), n_extra=extra)
    for kind, key in (("touchdown", "td"), ("toe_off", "to")):
        errors = [abs(f.time_s - r.time_s) * 1000 for r, f in pairs if f is not None and r.kind == kind]
        row[f"{key}_err_median_ms"] = statistics.median(errors) if errors else None
        row[f"{key}_err_max_ms"] = max(errors) if errors else None
    s = analysis.summary
    row["contact_ms"] = None if s.contact_time_s is None else s.contact_time_s * 1000
    row["contact_ref_ms"] = median_contact_s(ref.events) * 1000
    row["cadence_spm"], row["cadence_ref_spm"] = s.cadence_spm, cadence_spm(ref.events)
    steps = {round(st.touchdown_time_s, 9): st for st in analysis.steps}
    for name in FIGURES:
        both = []
        for r, f in pairs:
            value = ref.step_values.get(r.time_s, {}).get(name)
            step = steps.get(round(f.time_s, 9)) if f is not None and r.kind == "touchdown" else None
            if value is not None and step is not None and getattr(step, name) is not None:
                both.append((getattr(step, name), value))
        row[name] = statistics.median(e for e, _ in both) if both else None
        row[f"{name}_ref"] = statistics.median(v for _, v in both) if both else None
        row[f"{name}_max_diff"] = max(abs(e - v) for e, v in both) if both else None
    return row


def perturb(seq: PoseSequence, *, seed: int = 7, swap_fraction: float = 0.10, max_dropout_s: float = 0.1) -> PoseSequence:  # fmt: skip
    """Pose-model failures: left/right labels swapped in `swap_fraction` of the frames (runs of
    1-3 frames) and dropouts (NaN, score 0) of 1 frame to `max_dropout_s` on random keypoints,
    one per keypoint and second on average."""
    rng = np.random.default_rng(seed)
    xy, score = np.array(seq.xy), np.array(seq.score)
    n = seq.n_frames
    pairs = [(seq.names.index(k), seq.names.index(k.replace("left_", "right_"))) for k in seq.names if k.startswith("left_")]
    swapped = np.zeros(n, dtype=bool)
    while swapped.sum() < swap_fraction * n:
        start = int(rng.integers(0, n))
        swapped[start : start + int(rng.integers(1, 4))] = True
    for a, b in pairs:
        xy[swapped, a], xy[swapped, b] = xy[swapped, b].copy(), xy[swapped, a].copy()
    longest = max(1, int(max_dropout_s * seq.fps_hz))
    duration = seq.time_s[-1] - seq.time_s[0]
    for _ in range(int(round(duration * len(seq.names)))):
        k, start, length = int(rng.integers(0, len(seq.names))), int(rng.integers(0, n)), int(rng.integers(1, longest + 1))
        xy[start : start + length, k] = np.nan
        score[start : start + length, k] = 0.0
    return seq.replace(xy=xy, score=score, source=f"{seq.source} (perturbed, seed {seed})")


def downsample(seq: PoseSequence, every: int) -> PoseSequence:
    """Every `every`-th frame, from the first: a slower camera filming the same motion."""
    return seq.replace(time_s=seq.time_s[::every], xy=seq.xy[::every], score=seq.score[::every])


def validation_rows() -> list[dict[str, object]]:
    rows = []
    for trial, label in ((SPRINT, "Dorn sprint 9.5 m/s"), (RUN, "Dorn run 3.5 m/s")):
        seq, lab = dorn_sequence(trial), dorn_events(trial)
        analysis = kneedrive.analyze(seq, px_per_m=PX_PER_M)
        lab_ref = Reference("lab labels", lab, marker_step_values(trial, lab))
        rows.append(evaluate(label, analysis, lab_ref))
        rows.append(evaluate(label, analysis, Reference("force plates 50 N", dorn_force_events(trial))))
        if trial == SPRINT:
            clean = Reference("clean engine result", as_lab_events(analysis))
            clean.step_values = {s.touchdown_time_s: {n: getattr(s, n) for n in FIGURES} for s in analysis.steps}
            noisy = kneedrive.analyze(perturb(seq), px_per_m=PX_PER_M)
            rows.append(evaluate(f"{label} + 10% swaps, dropouts <= 100 ms", noisy, clean))
        for every in (4, 8):
            slow = downsample(seq, every)
            rows.append(evaluate(f"{label}, every {every}th frame", kneedrive.analyze(slow, px_per_m=PX_PER_M), lab_ref))
    rbds = kneedrive.analyze(rbds_sequence(), px_per_m=PX_PER_M, treadmill_speed_mps=RBDS_BELT_MPS)
    rows.append(evaluate("RBDS treadmill 2.5 m/s", rbds, Reference("force 50 N", rbds_force_events())))
    return rows


def _fmt(value: object, digits: int = 1) -> str:
    return "-" if value is None else f"{value:.{digits}f}" if isinstance(value, float) else str(value)


def markdown(rows: list[dict[str, object]]) -> str:
    head = ("| data | fps | reference | events ref / found / extra | TD err median / max ms | "
            "TO err median / max ms | contact engine / ref ms (err) | cadence engine / ref spm (err %) |")  # fmt: skip
    lines = [head, "|" + "---|" * 8]
    for r in rows:
        contact = f"{_fmt(r['contact_ms'], 0)} / {_fmt(r['contact_ref_ms'], 0)}"
        if r["contact_ms"] is not None:
            contact += f" ({r['contact_ms'] - r['contact_ref_ms']:+.1f})"  # type: ignore[operator]
        cadence = f"{_fmt(r['cadence_spm'])} / {_fmt(r['cadence_ref_spm'])}"
        if r["cadence_spm"] is not None:
            cadence += f" ({100 * (r['cadence_spm'] / r['cadence_ref_spm'] - 1):+.1f})"  # type: ignore[operator]
        lines.append(
            f"| {r['data']} | {_fmt(r['fps'])} | {r['reference']} | {r['n_ref']} / {r['n_found']} / {r['n_extra']} "
            f"| {_fmt(r['td_err_median_ms'])} / {_fmt(r['td_err_max_ms'])} | {_fmt(r['to_err_median_ms'])} / "
            f"{_fmt(r['to_err_max_ms'])} | {contact} | {cadence} |"
        )
    lines += ["", "| data | reference | step length engine / ref m (max diff) | thigh peak engine / ref deg "
              "(max diff) | knee flexion at TD engine / ref deg (max diff) |", "|" + "---|" * 5]  # fmt: skip
    for r in rows:
        if r["knee_flexion_touchdown_deg"] is None:
            continue
        cells = [f"{_fmt(r[n], 2 if n == 'step_length_m' else 1)} / {_fmt(r[n + '_ref'], 2 if n == 'step_length_m' else 1)} "
                 f"({_fmt(r[n + '_max_diff'], 2 if n == 'step_length_m' else 1)})" for n in FIGURES]  # fmt: skip
        lines.append(f"| {r['data']} | {r['reference']} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(markdown(validation_rows()))
