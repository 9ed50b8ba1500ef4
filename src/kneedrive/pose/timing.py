"""Video time vs real time: slow motion given, read from the file, or suspected from the legs' rhythm.

Phones capture slow motion at 120-960 fps and write it (or apps re-encode it) at 30 fps playback: the file's
time is then not real time. When the capture rate is known (`capture_fps`, or the file's metadata) time is
rescaled by file rate / capture rate. When it is not, the physics of gait gives it away: a leg swings like
a pendulum, and nobody walks or runs steadily at fewer than SLOWEST_STEPS_PER_MIN steps a minute with steps
as long as a walk's or a run's (a very slow stroll takes short steps), nor runs with steps too long for a
walk at fewer than SLOWEST_RUN_STEPS_PER_MIN. The step rate in file time is twice
the dominant frequency of the gap between the ankles (left-right label swaps do not change its size); the
real rate is taken as a typical one for the step size seen (TYPICAL_RUN_SPM for run-length steps, else
TYPICAL_WALK_SPM), which gives the slow-motion factor and the capture rate it looks like.

Slowed footage is then analysed on that estimated time base (`Timing.time_scale` = 1 / factor): every
physiological window of the later stages (a contact's length, the shortest step, the filter's cut-off, the
part of a clip seen side-on) is set in real seconds, and in the file's time a 3x-slowed sprint's steps and
contacts are three times too long for all of them. The time base is an estimate, not a measurement, so
every time, rate and speed measured on it is still withheld (`kneedrive.metrics.honesty`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Literal

import numpy as np

from ..sequence import PoseSequence
from .gait import leg_swing
from .ramp import SpeedChange

#: Steadier than this (steps/min, file time) with walk- or run-length steps, no human moves: slowed footage.
SLOWEST_STEPS_PER_MIN = 70.0
#: Steps of at least this many leg lengths (ankle to ankle, at their widest) are a walk's or a run's;
#: at least RUN_GAP_LEGS, a run's.
WALK_GAP_LEGS = 0.6
RUN_GAP_LEGS = 1.0
TYPICAL_RUN_SPM = 170.0
#: Steps this long (ankle to ankle at their widest, leg lengths) are a run's, never a walk's (a fast walk's step
#: is about one leg length; the panning race reads 1.45, the slowed jog 1.36). No one runs at fewer than
#: SLOWEST_RUN_STEPS_PER_MIN steps a minute: runners' step rates stay near 160-180 across speeds (Cavanagh &
#: Kram 1989, Med Sci Sports Exerc 21:467), and even a slow jog is above 140. A sprint slowed 3x in an editor
#: (each image shown three times) reads 97 with 1.43-leg steps.
SURE_RUN_GAP_LEGS = 1.2
SLOWEST_RUN_STEPS_PER_MIN = 120.0
TYPICAL_WALK_SPM = 110.0
#: The ankle-gap rhythm counts when its autocorrelation at the step period reaches this.
RHYTHM_MIN = 0.3
#: An edit's repeated images give the slow-motion factor when the rhythm's guess (a typical step rate) is
#: within this factor of it: a sprint slowed 3x reads 97 steps/min, which the typical 170 makes 1.8x.
EDIT_AGREES = 2.0
#: Common phone capture rates, for saying which one the footage looks like.
PHONE_RATES_HZ = (60.0, 120.0, 240.0, 480.0, 960.0)

Source = Literal["given", "metadata"]


@dataclass(frozen=True)
class Timing:
    """How the clip's time relates to real time. `time_scale`: the sequence's seconds per file second (real
    time when the capture rate is known; 1 / `slow_motion_factor`, an estimate, when slow motion is suspected;
    else 1). `slow_motion_factor`: file time / real time as estimated from the legs' rhythm when the capture
    rate is not known and the footage looks slowed (None: not slowed, or not a gait to judge by); the
    sequence's times are then an estimate, not real."""

    file_fps_hz: float
    capture_fps_hz: float | None = None
    capture_fps_source: Source | None = None
    time_scale: float = 1.0
    slow_motion_factor: float | None = None
    looks_like_capture_fps_hz: float | None = None
    file_steps_per_min: float | None = None
    #: Every image was shown this many times (an editor's slow motion; the factor is then this count).
    shown_times: int | None = None
    #: Switches of playback speed inside the clip (a slow-motion ramp): only one steady part is analysed, and
    #: the slow-motion factor, when set, is the ratio of the two parts' step times.
    speed_changes: tuple[SpeedChange, ...] = ()

    @property
    def suspected_slow_motion(self) -> bool:
        """True when the clip looks slowed and no capture rate says by how much: its times are not real."""
        return self.slow_motion_factor is not None

    @property
    def estimated_scale(self) -> float:
        """`time_scale` when it is only an estimate (slow motion suspected), else 1: what takes the
        sequence's clock back to the file's for figures that must not look real (frame rate, duration)."""
        return self.time_scale if self.suspected_slow_motion else 1.0

    def warning(self) -> str | None:
        slowed = self._slow_motion_warning()
        if not self.speed_changes:
            return slowed
        return "; ".join(line for line in (self._speed_change_warning(), slowed) if line is not None)

    def _speed_change_warning(self) -> str:
        """Where the playback speed changed (the file's seconds)."""
        last = self.speed_changes[-1]
        at = " and ".join(f"{change.at_s:.1f} s" for change in self.speed_changes)
        a, b = last.kept_s
        part = "the slowed part" if last.kept_slowed else "the part at normal speed"
        return (
            f"the playback speed changes at {at} of the clip (the steps last {last.factor:.1f}x as long on the slow "
            f"side: a slow-motion section, as phones export it); only {part} ({a:.1f}-{b:.1f} s) is analysed"
        )

    def _slow_motion_warning(self) -> str | None:
        measured = bool(self.speed_changes) and self.speed_changes[-1].real_step_s is not None
        if self.suspected_slow_motion and measured and self.looks_like_capture_fps_hz is not None:
            return (
                f"analysed as {self.slow_motion_factor:.1f}x slowed (as if captured at "
                f"~{self.looks_like_capture_fps_hz:.0f} fps), taking the part at normal speed as real time, but times, "
                "rates and speeds are not reported as real: give --capture-fps"
            )
        if self.suspected_slow_motion and self.shown_times is not None:
            return (
                f"this looks like slow motion made in an editor: every image is shown {self.shown_times} times and "
                f"the legs step {self.file_steps_per_min:.0f} times a minute in the video, which no one runs or walks "
                f"with steps this long; analysed as {self.slow_motion_factor:.0f}x slowed, but times, rates and "
                "speeds are not reported as real: give --capture-fps"
            )
        if self.suspected_slow_motion:
            return (
                f"this looks like slow motion: the legs step {self.file_steps_per_min:.0f} times a minute in the "
                f"video, which no one runs or walks with steps this long; about {self.slow_motion_factor:.1f}x "
                f"slowed (as if captured at ~{self.looks_like_capture_fps_hz:.0f} fps), so times, rates and speeds "
                "are not real: give --capture-fps"
            )
        if self.capture_fps_hz is not None and self.time_scale != 1.0:
            return (
                f"captured at {self.capture_fps_hz:g} fps ({self.capture_fps_source}) and played at "
                f"{self.file_fps_hz:.3g} fps: times are rescaled to real time (x{self.time_scale:.3g})"
            )
        return None

    def summary(self) -> str:
        if self.suspected_slow_motion and self.shown_times is not None:
            return f"suspected {self.slow_motion_factor:.0f}x (each image shown {self.shown_times} times)"
        if self.suspected_slow_motion:
            return f"suspected {self.slow_motion_factor:.1f}x (~{self.looks_like_capture_fps_hz:.0f} fps)"
        if self.capture_fps_hz is not None and self.time_scale != 1.0:
            return f"{1 / self.time_scale:.1f}x ({self.capture_fps_source})"
        return "no"

    def to_dict(self) -> dict[str, Any]:
        return {
            "capture_fps_hz": self.capture_fps_hz,
            "capture_fps_source": self.capture_fps_source,
            "time_scale": self.time_scale,
            "slow_motion_suspected": self.suspected_slow_motion,
            "slow_motion_factor": self.slow_motion_factor,
            "looks_like_capture_fps_hz": self.looks_like_capture_fps_hz,
            "file_steps_per_min": self.file_steps_per_min,
            "shown_times": self.shown_times,
            "speed_changes": [change.to_dict() for change in self.speed_changes],
        }


def known_timing(file_fps_hz: float, capture_fps_hz: float | None, source: Source | None) -> Timing:
    """The timing when the capture rate is given or read from the file (or unknown: None)."""
    if capture_fps_hz is None or file_fps_hz <= 0:
        return Timing(file_fps_hz)
    return Timing(file_fps_hz, capture_fps_hz, source, time_scale=file_fps_hz / capture_fps_hz)


def judge_slow_motion(timing: Timing, sequence: PoseSequence, *, shown_times: int | None = None) -> Timing:
    """`timing` with the slow motion suspected from the legs' rhythm, when no capture rate is known.
    `shown_times`: every image was shown this many times (`kneedrive.pose.repeats.shown_times`): an editor's
    slow motion when the rhythm says slowed by about as much (within a factor EDIT_AGREES), which then gives
    the factor instead of the typical step rate."""
    if timing.capture_fps_hz is not None:
        return timing
    rhythm = step_rhythm(sequence)
    if rhythm is None:
        return timing
    steps_per_min, gap_legs = rhythm
    slowed_walk = steps_per_min < SLOWEST_STEPS_PER_MIN and gap_legs >= WALK_GAP_LEGS
    slowed_run = steps_per_min < SLOWEST_RUN_STEPS_PER_MIN and gap_legs >= SURE_RUN_GAP_LEGS
    if not (slowed_walk or slowed_run):
        return replace(timing, file_steps_per_min=round(steps_per_min, 1))
    typical = TYPICAL_RUN_SPM if gap_legs >= RUN_GAP_LEGS else TYPICAL_WALK_SPM
    factor = typical / steps_per_min
    if shown_times is not None and 1 / EDIT_AGREES <= shown_times / factor <= EDIT_AGREES:
        return replace(
            timing,
            time_scale=1.0 / shown_times,
            slow_motion_factor=float(shown_times),
            file_steps_per_min=round(steps_per_min, 1),
            shown_times=shown_times,
        )
    looks_like = _looks_like(factor, timing.file_fps_hz)
    factor = round(factor, 1)
    return replace(
        timing,
        time_scale=1.0 / factor,
        slow_motion_factor=factor,
        looks_like_capture_fps_hz=looks_like,
        file_steps_per_min=round(steps_per_min, 1),
    )


def ramp_timing(timing: Timing, changes: tuple[SpeedChange, ...]) -> Timing:
    """`timing` for the part of a clip kept after switches of playback speed (`kneedrive.pose.ramp`). A known
    capture rate is the slowed part's: it stays when that part is kept, and the part at normal speed is in
    real time. With no capture rate, a slowed part is analysed on the ratio of its steps' time to the normal
    part's, when that part's steps last as long as a human's (else the legs' rhythm judges it, as for any
    clip)."""
    last = changes[-1]
    if not last.kept_slowed:
        return replace(timing, time_scale=1.0, speed_changes=changes)
    if timing.capture_fps_hz is not None or last.real_step_s is None:
        return replace(timing, speed_changes=changes)
    factor = round(last.factor, 1)
    return replace(
        timing,
        time_scale=1.0 / factor,
        slow_motion_factor=factor,
        looks_like_capture_fps_hz=_looks_like(last.factor, timing.file_fps_hz),
        file_steps_per_min=round(60.0 / (last.real_step_s * last.factor), 1),
        speed_changes=changes,
    )


def _looks_like(factor: float, file_fps_hz: float) -> float:
    """The common phone capture rate nearest to `factor` x the file's rate."""
    return min(PHONE_RATES_HZ, key=lambda rate: abs(np.log(rate / (factor * file_fps_hz))))


def step_rhythm(sequence: PoseSequence) -> tuple[float, float] | None:
    """(steps per minute in the sequence's time, widest ankle gap in leg lengths), or None when the ankles
    show no steady rhythm."""
    swing = leg_swing(sequence)
    if swing is None:
        return None
    gap = swing.gap_legs
    ok = np.isfinite(gap)
    if np.sum(ok) < 20:
        return None
    dt = float(np.median(np.diff(sequence.time_s)))
    grid = np.arange(sequence.time_s[ok][0], sequence.time_s[ok][-1], dt)
    signal = np.interp(grid, sequence.time_s[ok], gap[ok])
    signal = signal - signal.mean()
    n = len(signal)
    if n < 20 or not np.any(signal):
        return None
    corr = np.correlate(signal, signal, mode="full")[n - 1 :] / (np.arange(n, 0, -1) * signal.var())
    shortest = max(2, int(0.15 / dt))  # no step is shorter than 0.15 s (a sprinter's is ~0.21 s)
    longest = n // 2  # two steps at least in the clip
    if longest <= shortest:
        return None
    window = corr[shortest:longest]
    peaks = [i for i in range(1, len(window) - 1) if window[i - 1] <= window[i] >= window[i + 1]]
    if not peaks or max(window[i] for i in peaks) < RHYTHM_MIN:
        return None
    best = max(window[i] for i in peaks)
    lag = shortest + next(i for i in peaks if window[i] >= 0.8 * best)  # the period, not a multiple of it
    return 60.0 / (lag * dt), float(np.nanpercentile(gap, 90))
