"""What a coach looks at to name a drill, as numbers: measured per rep, in the athlete frame.

Every feature is scale-free (degrees, leg lengths, ratios, Hz), so recognition works without a
known image scale. A feature that cannot be measured (e.g. no shoulders: no trunk lean; no wrists:
no arm action) is None and is left out of the decision.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np
from numpy.typing import NDArray

from ..kinematics import Kinematics
from .cycles import knee_drive_tops, leg_tops
from .motion import Array
from .reps import RepWindow, ankle_paths, runs

#: A foot is on its support when its lowest point is within this height (leg lengths) of the
#: lowest level that foot reaches in the rep.
CONTACT_LEGS = 0.05
#: A thigh counts as held when it moves slower than this (degrees per second).
HELD_SPEED_DEG_PER_S = 30.0


@dataclass(frozen=True)
class DrillFeatures:
    one_sided_ratio: float | None  # quieter foot's path / busier foot's path (0 = one leg works)
    thigh_peak_deg: float | None  # typical top of the working thigh
    thigh_low_deg: float | None  # how far back the working thigh goes (negative = behind the hip)
    thigh_range_deg: float | None  # thigh_peak - thigh_low: small for butt kicks, large for sprinting
    thigh_front_share: float | None  # share of the thigh's range in front of vertical (knee drive vs backswing)
    knee_flexion_peak_deg: float | None
    trunk_lean_deg: float | None
    ground_speed_legs_per_s: float | None  # hip travel, or the stance foot sweeping back (treadmill)
    cycle_rate_hz: float | None
    hold_fraction: float | None  # share of the rep with the working thigh held up
    hip_rise_legs: float | None  # range of hip height within a rep
    flight_fraction: float | None  # share of the rep with both feet off their support
    contacts_per_cycle: float | None  # foot contacts of a working leg per knee drive (skips: 2)
    knee_extension_deg: float | None  # least knee flexion on the way down while the thigh is high
    arm_swing_ratio: float | None  # quieter wrist's swing / busier wrist's swing
    ascent_fraction: float | None  # share of a cycle spent lifting the knee to the top
    #: correlation of the two feet's heights relative to the hips: +1 the legs move together (a jump),
    #: -1 they take turns (running, high knees, skips); the same whichever leg is called left
    legs_in_phase: float | None = None
    #: typical time with both feet off their support at once (a standing tuck jump's is bounded by
    #: physics: t = sqrt(8h/g), 0.6 s is already a 45 cm jump)
    flight_time_s: float | None = None
    #: correlation of the hips' height with how far apart the feet are, each taken about its mean over a
    #: stride: +1 the hips are highest with the legs apart (a run bounces: highest in flight), -1 highest as the
    #: legs pass (a walk vaults over the stance leg; Cavagna, Heglund & Taylor 1977, Am J Physiol 233).
    #: Needs no ground line, so a pan does not change it.
    hips_up_with_legs_apart: float | None = None

    def as_dict(self) -> dict[str, float | None]:
        return asdict(self)


def median_or_none(values: Sequence[float | None]) -> float | None:
    """Median of the finite values, None when there are none."""
    v = [x for x in values if x is not None and np.isfinite(x)]
    return float(np.median(v)) if v else None


def lowest_foot_height(kin: Kinematics, side: str, a: int, b: int) -> Array:
    """Height of the foot's lowest point (heel, toe or ankle) in frames a..b."""
    feet = np.stack(
        [kin.points[n][a:b, 1] for n in (f"{side}_heel", f"{side}_foot_index", f"{side}_ankle") if n in kin.points]
    )
    seen = np.isfinite(feet).any(axis=0)  # a frame with no foot point stays NaN (no all-NaN warning)
    lowest = np.full(feet.shape[1], np.nan)
    lowest[seen] = np.nanmin(feet[:, seen], axis=0)
    return lowest


def on_support(low: Array) -> NDArray[np.bool_]:
    """Frames where the foot stands on its support: within CONTACT_LEGS of its lowest level in the rep."""
    return np.asarray(low < np.nanpercentile(low, 3) + CONTACT_LEGS)


def feet_on_support(kin: Kinematics, a: int, b: int) -> dict[str, NDArray[np.bool_]]:
    """Per foot, the frames a..b where it stands on its support (on_support of its lowest point)."""
    return {s: on_support(lowest_foot_height(kin, s, a, b)) for s in ("left", "right")}


def legs_in_phase(kin: Kinematics, a: int, b: int) -> float | None:
    """Correlation of the feet's heights relative to the hips in frames a..b (see DrillFeatures)."""
    hip = kin.mid_hip()[a:b, 1]
    left, right = (kin.points[f"{s}_ankle"][a:b, 1] - hip for s in ("left", "right"))
    ok = np.isfinite(left) & np.isfinite(right)
    if ok.sum() < 10 or np.std(left[ok]) == 0 or np.std(right[ok]) == 0:
        return None
    return float(np.corrcoef(left[ok], right[ok])[0, 1])


def _about_its_stride_mean(x: Array, frames: int) -> Array | None:
    """`x` less its moving mean over `frames` (about one stride); gaps filled in between. None: too few values."""
    seen = np.flatnonzero(np.isfinite(x))
    if len(seen) < 2 * frames:
        return None
    filled = np.interp(np.arange(len(x)), seen, x[seen])
    padded = np.pad(filled, (frames // 2, frames - 1 - frames // 2), mode="edge")
    return np.asarray(filled - np.convolve(padded, np.ones(frames) / frames, mode="valid"))


def hips_up_with_legs_apart(kin: Kinematics, a: int, b: int, stride_s: float | None) -> float | None:
    """See DrillFeatures.hips_up_with_legs_apart (frames a..b; `stride_s` sets the window)."""
    if stride_s is None or not np.isfinite(stride_s) or stride_s <= 0:
        return None
    t = kin.time_s[a:b]
    if len(t) < 4:
        return None
    frames = max(3, round(stride_s / float(np.median(np.diff(t)))))
    hips = _about_its_stride_mean(kin.mid_hip()[a:b, 1], frames)
    apart = _about_its_stride_mean(np.abs(kin.points["left_ankle"][a:b, 0] - kin.points["right_ankle"][a:b, 0]), frames)
    if hips is None or apart is None or np.std(hips) == 0 or np.std(apart) == 0:
        return None
    return float(np.corrcoef(hips, apart)[0, 1])


def rep_features(kin: Kinematics, rep: RepWindow) -> DrillFeatures:
    a, b = rep.start, rep.end
    t = kin.time_s[a:b]
    working = ("left", "right") if rep.side == "both" else (rep.side,)
    thighs = {s: kin.angles[f"{s}_thigh_angle_deg"][a:b] for s in ("left", "right")}
    knees = {s: kin.angles[f"{s}_knee_flexion_deg"][a:b] for s in ("left", "right")}
    hip = kin.mid_hip()[a:b]
    work_thigh = np.concatenate([thighs[s] for s in working])
    work_knee = np.concatenate([knees[s] for s in working])

    paths = list(ankle_paths(kin, a, b).values())
    one_sided = min(paths) / max(paths) if max(paths) > 0 else None

    in_phase = legs_in_phase(kin, a, b)
    tops = _tops_by_side(t, thighs, knees, rep.side, alternating=rep.side == "both" and (in_phase or 0.0) < 0.0)
    tops = {s: tops[s] for s in working}
    rates = [1.0 / float(np.median(np.diff(t[i]))) for i in tops.values() if len(i) >= 2]

    dt = np.gradient(t)
    held = []
    for s in working:
        speed = np.abs(np.gradient(thighs[s]) / dt)
        held.append(float(np.mean((thighs[s] > 60.0) & (speed < HELD_SPEED_DEG_PER_S))))

    lows = {s: lowest_foot_height(kin, s, a, b) for s in ("left", "right")}
    support = feet_on_support(kin, a, b)
    airborne = ~support["left"] & ~support["right"]
    flight = float(np.mean(airborne))
    # whole flights only (not cut by the rep's ends), of two frames or more
    flights = [float(t[y - 1] - t[x]) for x, y in runs(airborne) if x > 0 and y < b - a and y - x >= 2]
    contacts = []
    for s in working:
        n_tops = len(tops[s])
        if n_tops >= 2:
            edges = np.diff(support[s].astype(int))
            contacts.append(float(np.sum(edges == 1)) / n_tops)

    extension = []
    ascent = []
    for s in working:
        idx = tops[s]
        for i0, i1 in itertools.pairwise(idx):
            seg_th, seg_kn = thighs[s][i0:i1], knees[s][i0:i1]
            high = seg_th > 45.0
            # only the way down from this top: stop at the first frame the thigh drops below 45
            first_low = int(np.argmax(~high)) if (~high).any() else len(high)
            if first_low > 1 and np.isfinite(seg_kn[:first_low]).any():
                extension.append(float(np.nanmin(seg_kn[:first_low])))
            low_i = i0 + int(np.nanargmin(seg_th))
            ascent.append(float((t[i1] - t[low_i]) / (t[i1] - t[i0])))

    arm = None
    if all(f"{s}_wrist" in kin.points and f"{s}_shoulder" in kin.points for s in ("left", "right")):
        swings = [
            float(np.nanstd(kin.points[f"{s}_wrist"][a:b, 0] - kin.points[f"{s}_shoulder"][a:b, 0]))
            for s in ("left", "right")
        ]
        arm = min(swings) / max(swings) if max(swings) > 0 else None

    hip_v = np.gradient(hip[:, 0]) / dt
    travel = abs(float(np.nanmedian(hip_v)))
    sweep = []
    for s in ("left", "right"):
        foot_v = np.gradient(kin.points[f"{s}_ankle"][a:b, 0]) / dt - hip_v
        stance = support[s] & (lows[s] < np.nanpercentile(lows[s], 3) + 0.5 * CONTACT_LEGS)
        if stance.sum() >= 3:
            during = foot_v[stance]
            during = during[np.isfinite(during)]  # a foot unseen through every stance frame gives no sweep
            if len(during):
                sweep.append(-float(np.median(during)))
    ground_speed = max(travel, max(0.0, min(sweep)) if sweep else 0.0)

    trunk = kin.angles.get("trunk_lean_deg")
    cycle_rate = median_or_none(rates)
    peak, low = float(np.nanpercentile(work_thigh, 95)), float(np.nanpercentile(work_thigh, 5))
    return DrillFeatures(
        one_sided_ratio=one_sided,
        thigh_peak_deg=peak,
        thigh_low_deg=low,
        thigh_range_deg=peak - low,
        thigh_front_share=peak / (peak - low) if peak > 0 and peak > low else 0.0,
        knee_flexion_peak_deg=float(np.nanpercentile(work_knee, 95)),
        trunk_lean_deg=None if trunk is None else float(np.nanmedian(trunk[a:b])),
        ground_speed_legs_per_s=ground_speed,
        cycle_rate_hz=cycle_rate,
        hold_fraction=max(held),
        hip_rise_legs=float(np.nanpercentile(hip[:, 1], 97) - np.nanpercentile(hip[:, 1], 3)),
        flight_fraction=flight,
        contacts_per_cycle=median_or_none(contacts),
        knee_extension_deg=median_or_none(extension),
        arm_swing_ratio=arm,
        ascent_fraction=median_or_none(ascent),
        legs_in_phase=in_phase,
        flight_time_s=median_or_none(flights),
        hips_up_with_legs_apart=hips_up_with_legs_apart(kin, a, b, 1.0 / cycle_rate if cycle_rate else None)
        if rep.side == "both"
        else None,
    )


def _tops_by_side(
    t: Array, thighs: dict[str, Array], knees: dict[str, Array], rep_side: str, *, alternating: bool
) -> dict[str, Array]:
    """Each side's cycle tops (indices into the rep): knee drives on the thighs' envelope, or, when
    the thighs hardly move (butt kicks), heel kicks on the knees' (cycles.leg_tops)."""
    if rep_side != "both":  # one working leg: its own tops (the other leg's can be higher: a step-up's)
        return {s: knee_drive_tops(t, thighs[s]) if s == rep_side else np.array([], dtype=int) for s in thighs}
    found = leg_tops(t, thighs["left"], thighs["right"], alternating=alternating)
    if len(found) < 2:
        found = leg_tops(t, knees["left"], knees["right"], alternating=alternating)
    return {s: np.array([i for i, side in found if side == s], dtype=int) for s in ("left", "right")}


def clip_features(kin: Kinematics, reps: list[RepWindow]) -> DrillFeatures:
    """Median of each feature over the reps."""
    per_rep = [rep_features(kin, r).as_dict() for r in reps]
    names = list(DrillFeatures.__dataclass_fields__)
    return DrillFeatures(**{n: median_or_none([v for r in per_rep if (v := r[n]) is not None]) for n in names})
