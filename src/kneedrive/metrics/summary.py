"""Summary of a running/sprinting clip: medians over steps, per side, asymmetry."""

from __future__ import annotations

import itertools
import math
import statistics
from dataclasses import dataclass, fields

from .registry import registry
from .steps import Step


@dataclass(frozen=True)
class Summary:
    steps: int
    cadence_spm: float | None
    step_frequency_hz: float | None
    step_time_s: float | None
    contact_time_s: float | None
    flight_time_s: float | None
    duty_factor: float | None
    speed_mps: float | None
    speed_legs_per_s: float | None
    step_length_m: float | None
    step_length_legs: float | None
    thigh_angle_peak_deg: float | None
    knee_flexion_touchdown_deg: float | None
    trunk_lean_touchdown_deg: float | None
    touchdown_distance_m: float | None
    touchdown_distance_legs: float | None
    vertical_oscillation_m: float | None
    contact_time_uncertainty_s: float | None
    #: How far the touchdown distance moves in one frame (see touchdown_distance_resolution_legs).
    touchdown_distance_uncertainty_legs: float | None = None
    #: How much the hips' speed rose from the clip's first steps to its last (%; metrics.acceleration).
    speed_rise_pct: float | None = None


def median_of(steps: list[Step], name: str) -> float | None:
    values = [getattr(s, name) for s in steps if getattr(s, name) is not None]
    return float(statistics.median(values)) if values else None


def stride_times_s(steps: list[Step]) -> list[float]:
    """Touchdown to the same foot's next touchdown, both feet pooled. Each foot on its own: when the
    pose model loses one foot (a treadmill console hiding the far leg) and puts phantom touchdowns
    in step with the other foot, the alternation of left and right breaks, but each foot's own
    touchdowns still come once a stride. A missed touchdown doubles one interval (see
    stride_period_s)."""
    strides = []
    for side in ("left", "right"):
        times = sorted(s.touchdown_time_s for s in steps if s.side == side)
        strides += [b - a for a, b in itertools.pairwise(times)]
    return strides


#: A touchdown is on a foot's beat when within this fraction of a stride of a whole number of strides
#: from the foot's previous touchdown on the beat.
STRIDE_FIT = 0.25
#: Touchdowns further apart than this many strides are not counted across (the beat is not known well
#: enough to number the strides in a long gap: 1 % off over 8 strides is 8 %): a new run starts.
MAX_GAP_STRIDES = 4
#: Each slope between two touchdowns weighs (strides apart) ** this: long baselines average out the frame
#: grid, short ones keep one mistimed touchdown from pulling a short clip.
WEIGHT_POWER = 1
#: Slopes are taken between touchdowns at most this many touchdowns apart on a run (a clip's every pair
#: grows with the square of its length; 128 strides is a minute of running, longer than any clip's run).
MAX_PAIR_SPAN = 128


def stride_period_s(touchdowns: list[list[float]]) -> float | None:
    """The stride time that best fits each foot's touchdowns (seconds, sorted, one list per foot).

    Touchdowns of one foot come once a stride, but the pose model can miss one (an interval of two or more
    strides) or add one off the beat (the far foot hidden behind a treadmill console). So each touchdown
    gets its stride number (whole strides since the foot's previous touchdown on the beat; one off the
    beat by more than STRIDE_FIT of a stride starts a run of its own, see _on_the_beat), and the stride
    time is the median of the slopes between every two touchdowns on one run (time apart / strides apart;
    Theil-Sen), each weighted by its strides apart: long baselines average out the frame grid (at 30 fps
    each interval is a whole number of 33 ms frames, and the median interval was off by up to half a frame,
    +1.0 % on the GaitLab treadmill clip, or by 4 % with missed and phantom touchdowns); squared weights
    let one mistimed touchdown pull a 5-6 touchdown clip by 2 %. Unlike a least-squares line, the median
    of the slopes is not pulled by one touchdown timed 70 ms off (a clip's first, say) once a foot has six
    touchdowns. Starting value: the median of the intervals near the median interval."""
    intervals = [b - a for times in touchdowns for a, b in itertools.pairwise(times)]
    if not intervals:
        return None
    period = statistics.median(intervals)
    if period <= 0:
        return None
    single = [i for i in intervals if abs(i / period - 1.0) <= STRIDE_FIT]
    period = statistics.median(single) if single else period
    for _ in range(3):
        pairs = [
            ((t2 - t1) / (n2 - n1), float((n2 - n1) ** WEIGHT_POWER))
            for times in touchdowns
            for run in _on_the_beat(times, period)
            for i, (n1, t1) in enumerate(run)
            for n2, t2 in run[i + 1 : i + 1 + MAX_PAIR_SPAN]
        ]
        if not pairs:
            break
        period = _weighted_median(pairs)
    return period if period > 0 else None


def _weighted_median(values: list[tuple[float, float]]) -> float:
    """The value at which half of the total weight lies on either side (the mean of the two values that
    share it exactly, as the plain median of an even count)."""
    ordered = sorted(values)
    half, running = sum(w for _, w in ordered) / 2, 0.0
    for i, (value, weight) in enumerate(ordered):
        running += weight
        if math.isclose(running, half) and i + 1 < len(ordered):
            return (value + ordered[i + 1][0]) / 2
        if running >= half:
            return value
    return ordered[-1][0]


def _on_the_beat(times: list[float], period: float) -> list[list[tuple[int, float]]]:
    """One foot's touchdowns as runs on a beat: (stride number, time), each touchdown put on the latest
    run it is a whole number of strides after (at most MAX_GAP_STRIDES, within STRIDE_FIT), else starting
    a run of its own. A
    phantom starts a run that stays short; after the athlete was lost for a while, the touchdowns that
    follow, off the old beat, make a new run."""
    runs: list[list[tuple[int, float]]] = []
    if period <= 0:
        return runs
    for t in times:
        for run in reversed(runs):
            number, last = run[-1]
            strides = round((t - last) / period)
            if 1 <= strides <= MAX_GAP_STRIDES and abs(t - last - strides * period) <= STRIDE_FIT * period:
                run.append((number + strides, t))
                break
        else:
            runs.append([(0, t)])
    return runs


def step_frequency_hz(steps: list[Step]) -> float | None:
    """2 / stride time (stride_period_s; 1 / median step time when no whole stride was seen).

    Strides, not steps: runners often alternate a short and a long step (RBDS runner 41 on the
    treadmill: 365 / 395 ms), and the median of such a two-valued list lands on either value,
    which biased the cadence by +1.1 %; a stride holds one step of each kind."""
    period = stride_period_s(
        [sorted(s.touchdown_time_s for s in steps if s.side == side) for side in ("left", "right")]
    )
    if period:
        return 2.0 / period
    step_time = median_of(steps, "step_time_s")
    return None if not step_time else 1.0 / step_time


def summarize(
    steps: list[Step], *, fps_hz: float, time_contacts: bool, overall_speed: tuple[float | None, float | None]
) -> Summary:
    """`overall_speed`: (m/s, leg lengths/s) of the mid-hip over whole steps. Step frequency from
    stride times (see `step_frequency_hz`); cadence = 60 x step frequency; duty factor = median
    contact time / stride time (2 / step frequency)."""
    step_time = median_of(steps, "step_time_s")
    freq = step_frequency_hz(steps)
    contact = median_of(steps, "contact_time_s")
    return Summary(
        steps=len(steps),
        cadence_spm=None if freq is None else 60.0 * freq,
        step_frequency_hz=freq,
        step_time_s=step_time,
        contact_time_s=contact,
        flight_time_s=median_of(steps, "flight_time_s"),
        duty_factor=None if contact is None or not freq else contact * freq / 2.0,
        speed_mps=overall_speed[0],
        speed_legs_per_s=overall_speed[1],
        step_length_m=median_of(steps, "step_length_m"),
        step_length_legs=median_of(steps, "step_length_legs"),
        thigh_angle_peak_deg=median_of(steps, "thigh_angle_peak_deg"),
        knee_flexion_touchdown_deg=median_of(steps, "knee_flexion_touchdown_deg"),
        trunk_lean_touchdown_deg=median_of(steps, "trunk_lean_touchdown_deg"),
        touchdown_distance_m=median_of(steps, "touchdown_distance_m"),
        touchdown_distance_legs=median_of(steps, "touchdown_distance_legs"),
        vertical_oscillation_m=median_of(steps, "vertical_oscillation_m"),
        contact_time_uncertainty_s=(1.0 / fps_hz) if time_contacts else None,
    )


def touchdown_distance_resolution_legs(
    summary: Summary, fps_hz: float, stance_speed_legs_per_s: float | None = None
) -> float | None:
    """How far the touchdown distance moves in one frame (leg lengths): the hips travel over the planted
    foot at the running speed, so a touchdown a frame off moves it by speed / frame rate (at 9.5 m/s, about
    10 leg lengths/s: 0.33 at 30 fps, 0.04 at 240 fps). The speed is the hips' over the ground, else step
    length x step frequency, else the hips' over the planted foot (`stance_speed_legs_per_s`, on a
    treadmill); None when none is known."""
    speed = summary.speed_legs_per_s
    if speed is None and summary.step_length_legs is not None and summary.step_frequency_hz:
        speed = summary.step_length_legs * summary.step_frequency_hz
    if speed is None:
        speed = stance_speed_legs_per_s
    return None if speed is None or not fps_hz > 0 else abs(speed) / fps_hz


def per_side(steps: list[Step]) -> dict[str, dict[str, float | None]]:
    """Median of every numeric step field, for each side."""
    names = [
        f.name
        for f in fields(Step)
        if f.name not in ("side", "touchdown_frame", "touchdown_time_s", "toe_off_time_s", "knee_lift_time_s")
    ]
    return {side: {n: median_of([s for s in steps if s.side == side], n) for n in names} for side in ("left", "right")}


def asymmetry_pct(sides: dict[str, dict[str, float | None]]) -> dict[str, float | None]:
    """Per-side figures compared left vs right (the registry's asymmetry rows): (left - right) / mean x 100."""
    out: dict[str, float | None] = {}
    for row in registry().metrics.values():
        if row.of is None:
            continue
        left, right = sides["left"].get(row.of), sides["right"].get(row.of)
        if left is None or right is None or abs(left + right) < 1e-9:
            out[row.name] = None
            continue
        out[row.name] = 100.0 * (left - right) / ((left + right) / 2.0)
    return out
