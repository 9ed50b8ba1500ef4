"""Per-rep and per-cycle figures of a drill (definitions and criteria in DOMAIN.md).

A cycle is one knee drive of a working leg, from the leg's low point through the top (peak thigh
angle) and back down; for the tuck jump it is one jump (a flight phase); for the isometric hold the
rep is the hold. Lengths in leg lengths (`_legs`) and metres (`_m`, null without a scale).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..kinematics import Kinematics
from .cycles import DECAY_FLAG_PCT, cycle_rate_hz, higher_leg, knee_drive_tops, leg_tops, rate_decay_pct
from .features import HELD_SPEED_DEG_PER_S, feet_on_support, median_or_none
from .motion import Array
from .reps import RepWindow, runs
from .table import DrillSpec

GRAVITY_MPS2 = 9.81
#: A hold lasts while the thigh stays within this many degrees of its held angle.
HOLD_TOLERANCE_DEG = 10.0


@dataclass(frozen=True)
class Cycle:
    side: str
    start_s: float
    drive_s: float  # the thigh passes halfway up: the cycle's timing mark (a flat top has no sharp peak)
    top_s: float
    end_s: float
    thigh_angle_peak_deg: float | None
    hip_flexion_peak_deg: float | None
    ankle_dorsiflexion_top_deg: float | None
    foot_angle_top_deg: float | None
    foot_under_knee_shanks: float | None
    heel_recovery_height_legs: float | None
    ascent_time_s: float | None
    descent_time_s: float | None
    ankle_dorsiflexion_downswing_deg: float | None  # least dorsiflexion on the way down (plantar flexion < 0)
    knee_flexion_min_after_top_deg: float | None  # leg extension before pulling back (B-skip)


@dataclass(frozen=True)
class Rep:
    index: int
    start_s: float
    end_s: float
    duration_s: float
    side: str
    cycles: int
    cycles_left: int
    cycles_right: int
    cycle_rate_hz: float | None
    cadence_spm: float | None
    rate_decay_pct: float | None
    decayed: bool
    thigh_angle_peak_deg: float | None
    hip_flexion_peak_deg: float | None
    ankle_dorsiflexion_top_deg: float | None
    foot_angle_top_deg: float | None
    foot_under_knee_shanks: float | None
    heel_recovery_height_legs: float | None
    heel_recovery_height_m: float | None
    ankle_dorsiflexion_downswing_deg: float | None
    knee_flexion_min_after_top_deg: float | None
    ascent_time_s: float | None
    descent_time_s: float | None
    body_line_deg: float | None
    trunk_lean_deg: float | None
    elbow_flexion_deg: float | None
    arm_swing_ratio: float | None
    arm_leg_coordination: float | None
    hold_time_s: float | None
    thigh_angle_held_deg: float | None
    sway_legs: float | None
    sway_m: float | None
    ground_contacts: int | None
    contact_time_s: float | None
    flight_time_s: float | None
    jump_height_m: float | None
    cycles_detail: tuple[Cycle, ...]


def _least(values: Array) -> float | None:
    return float(np.nanmin(values)) if np.isfinite(values).any() else None


def _most(values: Array) -> float | None:
    return float(np.nanmax(values)) if np.isfinite(values).any() else None


def _at(series: Array | None, i: int) -> float | None:
    if series is None or not np.isfinite(series[i]):
        return None
    return float(series[i])


def cycle_tops(kin: Kinematics, a: int, b: int, drill: DrillSpec, rep_side: str) -> list[tuple[int, str, str]]:
    """(frame, side, leg) of each cycle's top in frames a..b: `side` is the side the cycle is
    counted for, `leg` the label whose points are that leg at the top (they differ only where the
    pose model swapped the labels). Found on the two legs' upper envelope (cycles.leg_tops)."""
    signal = "knee_flexion" if drill.cycle == "heel_kick" else "thigh_angle"
    left, right = (kin.angles[f"{s}_{signal}_deg"][a:b] for s in ("left", "right"))
    alternating = drill.pattern == "alternating" and rep_side == "both"
    if rep_side != "both":  # one working leg: its own tops (the other leg's can be higher: a step-up's)
        own = left if rep_side == "left" else right
        return [(a + int(i), rep_side, rep_side) for i in knee_drive_tops(kin.time_s[a:b], own)]
    out = []
    for i, side in leg_tops(kin.time_s[a:b], left, right, alternating=alternating):
        out.append((a + i, side, higher_leg(left, right, i)))
    return out


def _cycles(kin: Kinematics, a: int, b: int, drill: DrillSpec, rep_side: str) -> list[Cycle]:
    t = kin.time_s
    tops = cycle_tops(kin, a, b, drill, rep_side)
    step = 2 if drill.pattern == "alternating" and rep_side == "both" else 1  # the same leg's previous top
    hip = kin.mid_hip()
    shanks = {}  # the leg's median shank length over the clip, once per leg (per cycle it was quadratic)
    for leg in {leg for _, _, leg in tops}:
        shanks[leg] = float(
            np.nanmedian(np.linalg.norm(kin.points[f"{leg}_ankle"] - kin.points[f"{leg}_knee"], axis=1))
        )
    out = []
    for k, (top, side, leg) in enumerate(tops):
        thigh = kin.angles[f"{leg}_thigh_angle_deg"]
        signal = kin.angles[f"{leg}_knee_flexion_deg"] if drill.cycle == "heel_kick" else thigh
        knee_flex = kin.angles[f"{leg}_knee_flexion_deg"]
        dorsi = kin.angles.get(f"{leg}_ankle_dorsiflexion_deg")
        heel = kin.points.get(f"{leg}_heel", kin.points[f"{leg}_ankle"])
        knee_pt, ankle_pt = kin.points[f"{leg}_knee"], kin.points[f"{leg}_ankle"]
        shank = shanks[leg]
        lo = (tops[k - step][0] + top) // 2 if k >= step else a
        hi = (top + tops[k + step][0]) // 2 if k + step < len(tops) else b
        before = signal[lo : top + 1]
        after = signal[top:hi]
        start = lo + int(np.nanargmin(before)) if np.isfinite(before).any() else lo
        end = top + int(np.nanargmin(after)) if np.isfinite(after).any() else hi - 1
        rel_heel = heel[lo : top + 1, 1] - hip[lo : top + 1, 1]
        down = slice(top, end + 1)
        high = thigh[down] > 45.0
        first_low = int(np.argmax(~high)) if (~high).any() else len(high)
        rising = signal[start : top + 1]
        halfway = 0.5 * (signal[start] + signal[top])
        k_up = start + int(np.argmax(rising >= halfway))
        lo_v, hi_v = signal[k_up - 1], signal[k_up]
        if k_up > start and np.isfinite(lo_v) and np.isfinite(hi_v) and hi_v > lo_v:
            drive = float(t[k_up - 1] + (halfway - lo_v) / (hi_v - lo_v) * (t[k_up] - t[k_up - 1]))
        else:
            drive = float(t[k_up])
        # a knee drive's top is the thigh's peak; a heel kick's is the knee's, and its thigh peaks nearby
        thigh_peak = _at(thigh, top) if drill.cycle == "knee_drive" else _most(thigh[start : end + 1])
        out.append(
            Cycle(
                side=side,
                start_s=float(t[start]),
                drive_s=drive,
                top_s=float(t[top]),
                end_s=float(t[end]),
                thigh_angle_peak_deg=thigh_peak,
                hip_flexion_peak_deg=_at(kin.angles.get(f"{leg}_hip_flexion_deg"), top),
                ankle_dorsiflexion_top_deg=_at(dorsi, top),
                foot_angle_top_deg=_at(kin.angles.get(f"{leg}_foot_angle_deg"), top),
                foot_under_knee_shanks=float((ankle_pt[top, 0] - knee_pt[top, 0]) / shank) if shank > 0 else None,
                heel_recovery_height_legs=float(np.nanmax(rel_heel)) if np.isfinite(rel_heel).any() else None,
                ascent_time_s=float(t[top] - t[start]) if start < top else None,
                descent_time_s=float(t[end] - t[top]) if end > top else None,
                ankle_dorsiflexion_downswing_deg=_least(dorsi[down]) if dorsi is not None else None,
                knee_flexion_min_after_top_deg=_least(knee_flex[top : top + first_low]) if first_low > 1 else None,
            )
        )
    return out


def _jumps(kin: Kinematics, a: int, b: int) -> list[tuple[int, int]]:
    """Flight phases (both feet off the ground) longer than 0.1 s, inside the rep."""
    support = feet_on_support(kin, a, b)
    airborne = ~support["left"] & ~support["right"]
    dt = float(np.median(np.diff(kin.time_s)))
    return [(a + x, a + y) for x, y in runs(airborne) if (y - x) * dt >= 0.1 and x > 0 and y < b - a]


def _hold(kin: Kinematics, side: str, a: int, b: int) -> tuple[float | None, float | None, float | None]:
    thigh = kin.angles[f"{side}_thigh_angle_deg"][a:b]
    if not np.isfinite(thigh).any():
        return None, None, None
    dt = np.gradient(kin.time_s[a:b])
    slow = np.abs(np.gradient(thigh) / dt) < HELD_SPEED_DEG_PER_S
    held_angle = float(np.nanmedian(thigh[slow & (thigh > 45.0)])) if (slow & (thigh > 45.0)).any() else None
    if held_angle is None:
        return None, None, None
    holding = np.abs(thigh - held_angle) <= HOLD_TOLERANCE_DEG
    held_runs = runs(holding)
    longest = max(held_runs, key=lambda r: r[1] - r[0])
    i0, i1 = a + longest[0], a + longest[1] - 1
    duration = float(kin.time_s[i1] - kin.time_s[i0])
    shoulders = [kin.points[n][i0:i1, 0] for n in ("left_shoulder", "right_shoulder") if n in kin.points]
    trunk_x = np.nanmean(np.stack(shoulders), axis=0) if shoulders else kin.mid_hip()[i0:i1, 0]
    return duration, held_angle, float(np.nanstd(trunk_x))


def _arms(kin: Kinematics, a: int, b: int, side: str) -> tuple[float | None, float | None, float | None]:
    """Elbow bend, quieter/busier arm swing, and how the arm opposite a driving leg moves with it
    (correlation of its forward swing with that thigh; for alternating drills the busier arm)."""
    if not all(f"{s}_wrist" in kin.points and f"{s}_shoulder" in kin.points for s in ("left", "right")):
        return None, None, None
    swing = {s: kin.points[f"{s}_wrist"][a:b, 0] - kin.points[f"{s}_shoulder"][a:b, 0] for s in ("left", "right")}
    amp = {s: float(np.nanstd(v)) for s, v in swing.items()}
    busy = max(amp, key=lambda s: amp[s])
    ratio = min(amp.values()) / amp[busy] if amp[busy] > 0 else None
    opposite = {"left": "right", "right": "left"}
    arm = opposite.get(side, busy)
    thigh = kin.angles[f"{opposite[arm]}_thigh_angle_deg"][a:b]
    ok = np.isfinite(thigh) & np.isfinite(swing[arm])
    moving = ok.sum() > 10 and np.std(swing[arm][ok]) > 0 and np.std(thigh[ok]) > 0
    coord = float(np.corrcoef(swing[arm][ok], thigh[ok])[0, 1]) if moving else None
    elbows = [kin.angles.get(f"{s}_elbow_flexion_deg") for s in ("left", "right")]
    elbow = median_or_none([float(np.nanmedian(e[a:b])) for e in elbows if e is not None])
    return elbow, ratio, coord


def measure_rep(kin: Kinematics, rep: RepWindow, index: int, drill: DrillSpec) -> Rep:
    a, b = rep.start, rep.end
    t = kin.time_s
    pattern = drill.pattern
    sides = ("left", "right") if rep.side == "both" else (rep.side,)
    if pattern == "bilateral":
        sides = ("right",)  # both legs do the same: one leg's cycles count the jumps
    cycles = _cycles(kin, a, b, drill, rep.side) if pattern != "hold" else []
    tops = np.array(sorted(c.drive_s for c in cycles))
    per_leg = 2 if len(sides) == 2 else 1
    decay = rate_decay_pct(tops)
    jumps = _jumps(kin, a, b) if pattern == "bilateral" else []
    flight = median_or_none([float(t[y - 1] - t[x]) for x, y in jumps]) if jumps else None
    hold_time = held = sway = None
    if pattern == "hold" or drill.balance:
        hold_time, held, sway = _hold(kin, sides[0], a, b)
        if pattern != "hold":
            hold_time = held = None
    body_line = trunk = None
    if rep.side in ("left", "right"):
        stance = "left" if rep.side == "right" else "right"
        bl = kin.angles.get(f"{stance}_body_line_deg")
        body_line = float(np.nanmedian(bl[a:b])) if bl is not None else None
    lean = kin.angles.get("trunk_lean_deg")
    trunk = float(np.nanmedian(lean[a:b])) if lean is not None else None
    elbow, arm_ratio, coord = _arms(kin, a, b, rep.side) if not drill.hands_on_wall else (None, None, None)
    contacts: list[tuple[int, int]] = []
    if pattern == "alternating" and kin.fps_hz >= 25:
        support = feet_on_support(kin, a, b)
        for s in sides:
            contacts += [(x, y) for x, y in runs(support[s]) if x > 0 and y < b - a]
    heel = median_or_none([c.heel_recovery_height_legs for c in cycles])

    def med(name: str) -> float | None:
        return median_or_none([getattr(c, name) for c in cycles])

    rate = cycle_rate_hz(tops, legs=per_leg) if len(tops) >= 2 else None
    if pattern == "bilateral" and len(jumps) >= 2:
        starts = np.array([t[x] for x, _ in jumps])
        rate, decay = cycle_rate_hz(starts), rate_decay_pct(starts)
    n_cycles = len(jumps) if pattern == "bilateral" else (1 if pattern == "hold" else len(cycles))
    return Rep(
        index=index,
        start_s=float(t[a]),
        end_s=float(t[b - 1]),
        duration_s=float(t[b - 1] - t[a]),
        side=rep.side,
        cycles=n_cycles,
        cycles_left=sum(c.side == "left" for c in cycles),
        cycles_right=sum(c.side == "right" for c in cycles),
        cycle_rate_hz=rate,
        cadence_spm=60.0 * 2 * rate if (rate is not None and per_leg == 2) else None,
        rate_decay_pct=decay,
        decayed=bool(decay is not None and decay > DECAY_FLAG_PCT),
        thigh_angle_peak_deg=med("thigh_angle_peak_deg") if pattern != "hold" else held,
        hip_flexion_peak_deg=med("hip_flexion_peak_deg"),
        ankle_dorsiflexion_top_deg=med("ankle_dorsiflexion_top_deg") if pattern != "hold" else _held_dorsi(kin, rep),
        foot_angle_top_deg=med("foot_angle_top_deg"),
        foot_under_knee_shanks=med("foot_under_knee_shanks"),
        heel_recovery_height_legs=heel,
        heel_recovery_height_m=kin.to_metres(heel),
        ankle_dorsiflexion_downswing_deg=med("ankle_dorsiflexion_downswing_deg"),
        knee_flexion_min_after_top_deg=med("knee_flexion_min_after_top_deg"),
        ascent_time_s=med("ascent_time_s"),
        descent_time_s=med("descent_time_s"),
        body_line_deg=body_line,
        trunk_lean_deg=trunk,
        elbow_flexion_deg=elbow,
        arm_swing_ratio=arm_ratio,
        arm_leg_coordination=coord,
        hold_time_s=hold_time,
        thigh_angle_held_deg=held,
        sway_legs=sway,
        sway_m=kin.to_metres(sway),
        ground_contacts=len(contacts) if pattern == "alternating" else None,
        contact_time_s=median_or_none([float(t[a + y - 1] - t[a + x]) for x, y in contacts]) if contacts else None,
        flight_time_s=flight,
        jump_height_m=GRAVITY_MPS2 * flight**2 / 8.0 if flight is not None else None,
        cycles_detail=tuple(sorted(cycles, key=lambda c: c.top_s)),
    )


def _held_dorsi(kin: Kinematics, rep: RepWindow) -> float | None:
    side = rep.side if rep.side != "both" else "right"
    dorsi = kin.angles.get(f"{side}_ankle_dorsiflexion_deg")
    thigh = kin.angles[f"{side}_thigh_angle_deg"][rep.start : rep.end]
    if dorsi is None or not (thigh > 45).any():
        return None
    return float(np.nanmedian(dorsi[rep.start : rep.end][thigh > 45]))


#: Figures compared left vs right for one-legged drills.
SIDE_FIGURES = (
    "cycle_rate_hz",
    "thigh_angle_peak_deg",
    "ankle_dorsiflexion_top_deg",
    "heel_recovery_height_legs",
    "rate_decay_pct",
    "hold_time_s",
    "ascent_time_s",
)


def compare_sides(reps: list[Rep]) -> tuple[dict[str, dict[str, float | None]], dict[str, float | None]]:
    """Per-side medians over the one-sided reps, and asymmetry (left - right) / mean x 100."""
    sides: dict[str, dict[str, float | None]] = {}
    for side in ("left", "right"):
        mine = [r for r in reps if r.side == side]
        sides[side] = {name: median_or_none([getattr(r, name) for r in mine]) for name in SIDE_FIGURES}
    asym: dict[str, float | None] = {}
    for name in SIDE_FIGURES:
        left, right = sides["left"][name], sides["right"][name]
        if left is None or right is None or name == "rate_decay_pct" or abs(left + right) < 1e-9:
            asym[name] = None
        else:
            asym[name] = 100.0 * (left - right) / ((left + right) / 2.0)
    return sides, asym
