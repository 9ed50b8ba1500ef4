"""The public API: one call from keypoints to sprint mechanics."""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from . import __version__
from .coaching.data_files import load_validated
from .coaching.faults import NOT_JUDGED, Coaching, Judged, find_faults, touchdown_distance_unjudged
from .coaching.smas import Smas, load_smas, score
from .coaching.smas_findings import smas_findings
from .drills.analyze import AUTO, DrillResult, analyze_drill, check_drill_id, remeasured, with_step_rate
from .drills.rep_metrics import compare_sides
from .errors import InputError, NotEnoughMotionError
from .events import ContactDetector, GaitEvent, GroundLine
from .events.alternation import tell_sides_apart
from .events.choice import ChosenEvents, choose_events
from .events.ground import LEVEL_FROM_DEG, camera_roll_deg, fit_ground
from .events.kinogram import Kinogram, plan_kinogram
from .events.reach import ReachDetector
from .io.formats import is_video
from .io.load import load_keypoints
from .io.video_record import VideoRecord, frozen_map
from .kinematics import Kinematics, compute_kinematics
from .kinematics.frontal import steady_size
from .kinematics.series import series_arrays, series_block
from .kinematics.timebase import too_few_frames_per_step
from .kinematics.view import VIEW_CHOICES, ViewEstimate, detect_view, given_view, turned_warning
from .metrics import Step, Summary, asymmetry_pct, measure_steps, per_side, summarize
from .metrics.acceleration import hips_speed_rise_pct
from .metrics.frontal import FrontFigures
from .metrics.honesty import (
    MIN_ALTERNATION,
    MIN_TOUCHDOWN_COVERAGE,
    Withheld,
    alternation,
    contacts_fit_the_rhythm,
    ground_figures,
    grouped_warnings,
    outside_side_part,
    plausible_figures,
    plausible_reps,
    plausible_steps,
    plausible_summary,
    reps_outside_side_part,
    sides_mixed,
    slowed_warning,
    touchdown_coverage,
    touchdowns_off_the_legs,
    without_ground_figures,
)
from .metrics.steps import stance_speed_legs_per_s
from .metrics.summary import stride_period_s, touchdown_distance_resolution_legs
from .pose.options import VideoOptions
from .record import AnalysisRecord, DrillRecord, InputInfo, Processing, Series
from .sequence import PoseSequence

if TYPE_CHECKING:
    from .pose import VideoPose

STEP_FIELDS = frozenset(f.name for f in fields(Step))
#: Up to this frame rate contacts are not timed at all (DOMAIN.md: not below 25 fps; issue 12: not at 25
#: either, a 40 ms frame is a third of a sprint contact); below the second, they are reported with a
#: warning about their one-frame resolution.
NO_CONTACT_TIMING_BELOW_FPS = 25.0
COARSE_CONTACT_TIMING_BELOW_FPS = 60.0
FPS_TOLERANCE = 0.01


@dataclass(frozen=True)
class Analysis:
    """A live analysis: the typed record (`record`, what every output renders from) plus the live
    stages it came from (sequence, kinematics, ground line, the video's pose)."""

    source: str
    sequence: PoseSequence
    kinematics: Kinematics
    events: tuple[GaitEvent, ...]
    steps: tuple[Step, ...]
    summary: Summary
    sides: Mapping[str, Mapping[str, float | None]]
    asymmetry_pct: Mapping[str, float | None]
    ground: GroundLine
    drill: DrillResult
    coaching: Coaching
    warnings: tuple[str, ...]
    video: VideoPose | None = None
    #: Figures left out because no human produces them or they contradict each other (metrics.honesty).
    withheld: tuple[Withheld, ...] = ()
    #: The automated S-MAS (kneedrive.coaching.smas), for sprints at sprint step rates.
    smas: Smas | None = None
    #: Which way the camera looks (kinematics.view); a front view's figures (metrics.frontal).
    view: ViewEstimate | None = None
    front: FrontFigures | None = None
    #: The front clip of a two-view session (kneedrive.analysis_views); this analysis is then the side clip's.
    front_clip: Analysis | None = None
    #: The frames the kinograms show (kneedrive.events.kinogram), for sprints with an S-MAS or accelerations.
    kinogram: Kinogram | None = None

    @cached_property
    def record(self) -> AnalysisRecord:
        """The typed record (with the decimated series), built once."""
        kin, seq, drill = self.kinematics, self.sequence, self.drill
        # slowed footage of unknown capture rate is analysed on an estimated clock: its input is the file's
        timing = None if self.video is None else self.video.timing
        guessed = 1.0 if timing is None else timing.estimated_scale
        return AnalysisRecord(
            kneedrive_version=__version__,
            source=self.source,
            input=InputInfo(
                seq.n_frames,
                kin.fps_hz * guessed,
                float(seq.time_s[-1] - seq.time_s[0]) / guessed,
                tuple(seq.names),
            ),
            processing=Processing(
                cutoff_hz=kin.cutoff_hz,
                direction="right" if kin.direction > 0 else "left",
                direction_evidence=kin.direction_evidence,
                swapped_frames=kin.swapped_frames,
                filled_samples=kin.filled_samples,
                leg_length_m=kin.leg_length_m,
                ground_slope=self.ground.slope,
            ),
            events=self.events,
            steps=self.steps,
            summary=self.summary,
            sides=frozen_map(self.sides),
            asymmetry_pct=frozen_map(self.asymmetry_pct),
            drill=DrillRecord(
                id=drill.drill_id,
                name=drill.name,
                confidence=drill.confidence,
                decided_by=drill.decided_by,
                alternatives=tuple(drill.ranking[1:4]),
                features=drill.features,
                reps=drill.reps,
                sides=frozen_map(drill.sides) if drill.one_legged else None,
                asymmetry_pct=frozen_map(drill.asymmetry_pct) if drill.one_legged else None,
            ),
            unavailable=frozen_map(
                {
                    **kin.unavailable,
                    **{w.metric: f"withheld: {w.reason}" for w in self.withheld if w.scope == "summary"},
                }
            ),
            warnings=self.warnings,
            coaching=self.coaching,
            series=self._series(),
            video=None if self.video is None else VideoRecord.from_dict(self.video.to_dict()),
            smas=self.smas,
            kinogram=self.kinogram,
            view="side" if self.view is None else self.view.view,
            view_evidence="" if self.view is None else self.view.evidence,
            front=self.front,
            front_clip=None if self.front_clip is None else self.front_clip.record,
        )

    def _series(self) -> Series:
        block = series_block(self.kinematics)
        if self.view is not None and self.view.view != "side":
            block["angles"] = {}  # sagittal angles of a front or oblique view mean nothing
        return Series.from_dict(block)

    def to_dict(self, *, include_series: bool = False) -> dict[str, Any]:
        """The documented JSON document (schema: kneedrive/schema/analysis-v1.schema.json).
        `include_series` adds the decimated angle/keypoint series a report is drawn from."""
        return self.record.to_dict(include_series=include_series)


def _detect(kin: Kinematics, detector: ContactDetector | ReachDetector | None) -> ChosenEvents:
    """The given detector's events, else the detector the step rhythm chooses (events.choice)."""
    if detector is None:
        return choose_events(kin, _step_rate_hz)
    events, ground = detector.detect(kin)
    return ChosenEvents(events, ground)


def _step_rate_hz(events: Sequence[GaitEvent]) -> float | None:
    """The step rate the summary would give these touchdowns (from each foot's stride, metrics.summary)."""
    touchdowns = [sorted(e.time_s for e in events if e.kind == "touchdown" and e.side == s) for s in ("left", "right")]
    period = stride_period_s(touchdowns)
    return 2.0 / period if period else None


def _sequence(
    source: str | Path | PoseSequence | VideoPose, fps_hz: float | None, video: VideoOptions | None
) -> tuple[PoseSequence, VideoPose | None]:
    if isinstance(source, PoseSequence):
        return source, None
    if not isinstance(source, str | Path):  # a VideoPose (not imported here: a keypoint file needs no video stack)
        return source.sequence, source
    path = Path(source)
    if not is_video(path):
        return load_keypoints(path, fps_hz=fps_hz), None
    pose = (video or VideoOptions()).estimate(path)
    return pose.sequence, pose


def analyze(
    source: str | Path | PoseSequence | VideoPose,
    *,
    fps_hz: float | None = None,
    px_per_m: float | None = None,
    athlete_height_m: float | None = None,
    treadmill_speed_mps: float | None = None,
    cutoff_hz: float | None = None,
    detector: ContactDetector | ReachDetector | None = None,
    drill: str = AUTO,
    video: VideoOptions | None = None,
    view: str = "auto",
    kinogram_stride: int | None = None,
) -> Analysis:
    """Analyze a video (.mp4, .mov, .avi, .mkv, .m4v), a keypoint file (.csv, .trc) or a PoseSequence of a
    sprint, a run or a drill. A video is first turned into the athlete's keypoints
    (`kneedrive.pose.estimate_pose`).

    `drill`: "auto" recognizes the drill; a catalogue id (kneedrive.drills.catalogue.DRILL_IDS)
    forces it. Sprints and runs get gait events and steps; drills get reps and cycles.

    `view`: "auto" tells a side view from a front (or oblique) one (kneedrive.kinematics.view); "side" or
    "front" forces it. A front or oblique view gets no sagittal figure, a front view its own figures
    (`Analysis.front`).

    `kinogram_stride`: the stride (1-based, each side's N-th touch-down) the kinograms show instead of the
    most typical one; out of range, an InputError names the valid range."""
    check_drill_id(drill)
    if kinogram_stride is not None and (isinstance(kinogram_stride, bool) or not isinstance(kinogram_stride, int)):
        raise InputError(f"--kinogram-stride must be a stride number, got {kinogram_stride!r}")
    if view not in VIEW_CHOICES:
        raise InputError(f"view must be one of {', '.join(VIEW_CHOICES)}, got {view!r}")
    seq, video_pose = _sequence(source, fps_hz, video)
    view_estimate = detect_view(seq) if view == "auto" else given_view(seq, view)
    if treadmill_speed_mps is not None and not (math.isfinite(treadmill_speed_mps) and treadmill_speed_mps > 0):
        raise InputError(f"--treadmill-speed-mps must be a positive number, got {treadmill_speed_mps}")
    kin = compute_kinematics(
        seq if view_estimate.view == "side" else steady_size(seq),
        px_per_m=px_per_m,
        athlete_height_m=athlete_height_m,
        cutoff_hz=cutoff_hz,
        view=view_estimate.view,
    )
    level_deg = 0.0
    roll = camera_roll_deg(kin) if view_estimate.view == "side" and not _camera_unmeasured(video_pose) else None
    if roll is not None and abs(roll) >= LEVEL_FROM_DEG:  # a camera turned about its axis: level the ground
        level_deg = roll
        kin = compute_kinematics(
            seq, px_per_m=px_per_m, athlete_height_m=athlete_height_m, cutoff_hz=cutoff_hz, level_deg=level_deg
        )
    warnings = list(video_pose.warnings if video_pose is not None else ()) + list(kin.warnings)
    if level_deg:
        warnings.append(
            f"the ground slopes {abs(level_deg):.1f} deg in the image (the camera is turned about its axis): the "
            "keypoints are turned back to level before anything is measured"
        )
    turned = turned_warning(view_estimate)
    if turned is not None:
        warnings.append(turned)
    if view_estimate.view != "side":
        return _front_analysis(seq, kin, view_estimate, drill, warnings, video_pose)
    drill_result = analyze_drill(
        kin, drill, ground_known=not _camera_unmeasured(video_pose), real_time=not _slowed(video_pose)
    )
    warnings += drill_result.warnings
    if not drill_result.spec.gait:  # a drill: reps and cycles; a run or a walk goes on to its steps
        return _drill_analysis(seq, kin, drill_result, warnings, video_pose, view_estimate)
    slowed = _slowed(video_pose)
    time_contacts, timing_warning = _contact_timing(kin.fps_hz)
    if slowed:  # an estimated time base: its frame rate says nothing about real contact times (withheld)
        timing_warning = None
    timing_at = len(warnings)  # where the frame rate's word on contact times goes, if it stands
    if detector is None and _camera_unmeasured(video_pose):
        detector = ReachDetector()
        warnings.append(
            "touchdowns and toe-offs are timed by how far each foot reaches ahead of and behind the hips "
            "(Zeni et al. 2008), which a moving camera does not change"
        )
    by_reach = isinstance(detector, ReachDetector)
    chosen = _detect(kin, detector)
    told = tell_sides_apart(
        kin,
        chosen,
        lambda found: found.events,
        lambda rows: compute_kinematics(
            seq,
            px_per_m=px_per_m,
            athlete_height_m=athlete_height_m,
            cutoff_hz=cutoff_hz,
            legs_exchanged=rows,
            level_deg=level_deg,
        ),
        lambda relabelled: _detect(relabelled, detector),
    )
    if told.flips is not None:  # the touchdowns did not alternate: the legs' labels changed places for a stretch
        kin, chosen, drill_result = told.kin, told.detected, remeasured(drill_result, told.kin)
        warnings.append(
            f"left and right told apart by the alternation of the touchdowns: the pose model's leg labels were "
            f"exchanged in {told.flips.stretches} stretch{'es' if told.flips.stretches > 1 else ''} "
            f"({told.flips.frames} frames)"
        )
    events, ground = chosen.events, chosen.ground
    if chosen.note is not None:  # the reach's toe-off is approximate (later than the toe leaves, in a sprint)
        warnings.append(chosen.note)
        time_contacts, by_reach, timing_warning = False, True, None
    if timing_warning is not None:
        warnings.insert(timing_at, timing_warning)
    touchdowns = {s: [e.time_s for e in events if e.side == s and e.kind == "touchdown"] for s in ("left", "right")}
    drill_result = with_step_rate(drill_result, touchdowns, real_time=not slowed)
    warnings += [w for w in drill_result.warnings if w not in warnings]
    stationary = kin.direction_evidence != "hip travel"
    if stationary and treadmill_speed_mps is None:
        warnings.append(
            "the hips do not travel (treadmill or in place): step length and speed need --treadmill-speed-mps"
        )
    steps = measure_steps(kin, events, time_contacts=time_contacts, belt_speed_mps=treadmill_speed_mps)
    part = view_estimate.side_part_s
    side_on = events if part is None else [e for e in events if part[0] <= e.time_s <= part[1]]
    part_withheld: list[Withheld] = []
    if part is not None:
        steps, part_withheld = outside_side_part(steps, part, _side_part_reason(part, video_pose))
    if not any(s.step_time_s is not None for s in steps):
        raise NotEnoughMotionError(
            f"{seq.source}: no complete step (touchdown to the other foot's touchdown) found in "
            f"{seq.time_s[-1] - seq.time_s[0]:.2f} s"
        )
    unmeasured = _camera_unmeasured(video_pose)
    steps_before = steps
    cleared = ground_figures() if unmeasured else frozenset()
    steps, withheld = plausible_steps(
        steps, fps_hz=kin.fps_hz, slowed=slowed, cleared=cleared, leg_length_m=kin.leg_length_m
    )
    withheld = part_withheld + withheld
    summary = summarize(
        steps,
        fps_hz=kin.fps_hz,
        time_contacts=time_contacts,
        overall_speed=_overall_speed(kin, side_on, stationary, treadmill_speed_mps),
    )
    if unmeasured:
        _, summary, ground_withheld = without_ground_figures(steps_before, summary, CAMERA_UNMEASURED)
        withheld += ground_withheld
    legs_hz = kin.step_frequency_estimate_hz
    untimed = (
        too_few_frames_per_step(summary.step_frequency_hz, kin.fps_hz)
        or too_few_frames_per_step(legs_hz, kin.fps_hz)
        or touchdowns_off_the_legs(summary.step_frequency_hz, legs_hz)
    )
    if not (stationary or unmeasured):  # the hips' travel over the ground
        landings_s = [e.time_s for e in side_on if e.kind == "touchdown"]
        least = int(load_validated("kinogram")["acceleration_min_steps"])
        rise = hips_speed_rise_pct(kin.time_s, kin.mid_hip()[:, 0], landings_s, min_steps=least)
        summary = replace(summary, speed_rise_pct=rise)
    summary, summary_withheld = plausible_summary(summary, hips_travel=not stationary, slowed=slowed, untimed=untimed)
    withheld += summary_withheld
    gone = {w.metric for w in summary_withheld if w.metric in STEP_FIELDS}
    if gone:  # an inconsistent pair is withheld everywhere, not only in the summary
        nulls: dict[str, Any] = dict.fromkeys(gone)
        steps = [replace(s, **nulls) for s in steps]
    travel = [s.vertical_oscillation_legs for s in steps_before if s.vertical_oscillation_legs is not None]
    summary, steps, rhythm_withheld = contacts_fit_the_rhythm(summary, steps, travel, leg_length_m=kin.leg_length_m)
    withheld += rhythm_withheld
    resolution = touchdown_distance_resolution_legs(summary, kin.fps_hz, stance_speed_legs_per_s(kin, steps))
    summary = replace(summary, touchdown_distance_uncertainty_legs=resolution)
    sides = per_side(steps)
    reps, rep_withheld = plausible_reps(drill_result.reps, slowed=slowed, untimed=untimed)
    if part is not None:
        reps, part_rep_withheld = reps_outside_side_part(reps, part, _side_part_reason(part, video_pose))
        rep_withheld += part_rep_withheld
    drill_result = replace(drill_result, reps=reps)
    withheld += rep_withheld
    asymmetry, asym_withheld = plausible_figures(asymmetry_pct(sides), "asymmetry")
    withheld += asym_withheld
    unjudged = untimed or _why_not_judged(steps, summary, slowed, drill_result)
    accelerating = _acceleration(summary.speed_rise_pct)
    uncompared = unjudged if unjudged is not None else sides_mixed(steps) or _uneven_by_order(accelerating)
    if uncompared is not None:
        reason = f"{uncompared}: left and right cannot be compared"
        withheld += [Withheld(name, "asymmetry", 1, 1, reason) for name, v in asymmetry.items() if v is not None]
        asymmetry = dict.fromkeys(asymmetry)
    warnings += _withheld_warnings(withheld, slowed, video_pose)
    if unjudged is not None:
        warnings.append(f"{unjudged}: {NOT_JUDGED}")
    coaching = (
        Coaching(drill_result.drill_id, (), ())
        if unjudged is not None
        else _judge(seq, drill_result, tuple(steps), summary, asymmetry, kin.fps_hz)
    )
    warnings += coaching.not_judged
    full = _full_rate_series(kin)  # each position is an input frame
    # a figure withheld anywhere is not scored either (but the S-MAS reads only the side-on part's events)
    not_honest = {w.metric: w.reason for w in withheld if w not in part_withheld}
    coarse = touchdown_distance_unjudged(summary.touchdown_distance_uncertainty_legs)
    if coarse is not None:  # the S-MAS reads the foot's distance ahead at touchdown as overstriding does
        not_honest.setdefault("touchdown_distance_legs", coarse)
    smas: Smas | None
    smas_warning: str | None
    if by_reach:
        smas, smas_warning = (
            None,
            (
                "S-MAS not scored: its positions need touchdowns and toe-offs timed on the ground, and these are "
                "timed by the feet's reach (approximate: on the synthetic sprinter, touchdowns 19-27 ms early)"
            ),
        )
    else:
        smas, smas_warning = _smas(full, side_on, summary, unjudged, accelerating, not_honest)
    if smas_warning:
        warnings.append(smas_warning)
    if smas is not None:
        warnings += list(smas.withheld)
        smas = replace(smas, findings=smas_findings(smas, coaching.faults))
    kinogram = None
    rate = summary.step_frequency_hz
    at_sprint_rate = rate is not None and rate >= load_smas().min_step_frequency_hz
    if unjudged is None and (smas is not None or (by_reach and at_sprint_rate) or accelerating):
        kinogram = plan_kinogram(
            full, side_on, acceleration=accelerating is not None, why=accelerating or "", stride=kinogram_stride
        )
    elif kinogram_stride is not None:
        warnings.append("--kinogram-stride: no kinogram for this clip (not a judged sprint at sprint step rates)")
    return Analysis(
        source=seq.source,
        sequence=seq,
        kinematics=kin,
        events=tuple(events),
        steps=tuple(steps),
        summary=summary,
        sides=frozen_map(sides),
        asymmetry_pct=frozen_map(asymmetry),
        ground=ground,
        drill=drill_result,
        coaching=coaching,
        warnings=tuple(warnings),
        video=video_pose,
        withheld=tuple(withheld),
        smas=smas,
        view=view_estimate,
        kinogram=kinogram,
    )


def _front_analysis(
    seq: PoseSequence,
    kin: Kinematics,
    view: ViewEstimate,
    drill: str,
    warnings: list[str],
    video_pose: VideoPose | None,
) -> Analysis:
    """A front or oblique view (analysis_front): its touchdowns and step rate, no steps or sagittal figures."""
    from .analysis_front import analyze_front

    parts = analyze_front(seq, kin, view, drill, kin.leg_length_m, real_time=not _slowed(video_pose))
    feet = [kin.foot_centre(side) for side in ("left", "right")]
    sides = per_side([])
    summary, rhythm_withheld = _front_rhythm(parts.touchdowns, kin.fps_hz, _slowed(video_pose))
    measured = {n for n in STEP_RHYTHM if getattr(summary, n) is not None} | {w.metric for w in rhythm_withheld}
    unavailable = {n: why for n, why in parts.unavailable.items() if n not in measured}
    kin = replace(kin, unavailable={**kin.unavailable, **unavailable})
    withheld = [*parts.withheld, *rhythm_withheld]
    return Analysis(
        source=seq.source,
        sequence=seq,
        kinematics=kin,
        events=parts.touchdowns,
        steps=(),
        summary=summary,
        sides=frozen_map(sides),
        asymmetry_pct=frozen_map(asymmetry_pct(sides)),
        ground=fit_ground(feet),
        drill=parts.drill,
        coaching=parts.coaching,
        warnings=tuple([*warnings, *parts.warnings, *(w.warning() for w in withheld)]),
        video=video_pose,
        withheld=tuple(withheld),
        view=view,
        front=parts.figures,
    )


#: What a front or oblique view's touchdowns give: the step rate and the step time (no plane needed).
STEP_RHYTHM = ("cadence_spm", "step_frequency_hz", "step_time_s")


def _front_rhythm(touchdowns: tuple[GaitEvent, ...], fps_hz: float, slowed: bool) -> tuple[Summary, list[Withheld]]:
    """The summary of a front or oblique view: its step count and rhythm from the touchdowns (the stride fit
    of metrics.summary over each foot's), through the same checks as a side view's; the rest empty."""
    empty = summarize([], fps_hz=fps_hz, time_contacts=False, overall_speed=(None, None))
    times = {s: [e.time_s for e in touchdowns if e.side == s] for s in ("left", "right")}
    period = stride_period_s([times["left"], times["right"]])
    if not period:
        return empty, []
    ordered = sorted(touchdowns, key=lambda e: e.time_s)
    step_times = [b.time_s - a.time_s for a, b in itertools.pairwise(ordered) if a.side != b.side]
    freq = 2.0 / period
    summary = replace(
        empty,
        steps=len(step_times),  # as a side view counts them: touchdown to the other foot's touchdown
        step_frequency_hz=freq,
        cadence_spm=60.0 * freq,
        step_time_s=float(np.median(step_times)) if step_times else None,
    )
    untimed = too_few_frames_per_step(freq, fps_hz)
    return plausible_summary(summary, hips_travel=False, slowed=slowed, untimed=untimed)


def _acceleration(rise_pct: float | None) -> str | None:
    """Why the clip is an acceleration: the hips' speed rose more than the acceleration kinogram's threshold
    (coaching/data/kinogram.toml), which the criteria use too; None when it is not one or nothing tells."""
    if rise_pct is None or rise_pct <= 100.0 * float(load_validated("kinogram")["acceleration_min_speed_rise"]):
        return None
    return f"the hips' speed rose {rise_pct:.1f} % over the clip"


def _uneven_by_order(accelerating: str | None) -> str | None:
    """Why left and right cannot be compared in an acceleration (None when the clip is none)."""
    if accelerating is None:
        return None
    return (
        f"in an acceleration ({accelerating}) each step is longer than the last, so the sides differ by the"
        " steps' order"
    )


def _contact_timing(fps_hz: float) -> tuple[bool, str | None]:
    """Whether contacts can be timed at this frame rate, and what to say about it."""
    # a rate measured from time stamps is a hair off its nominal value (25 fps reads 24.99999)
    if not fps_hz > NO_CONTACT_TIMING_BELOW_FPS * (1.0 + FPS_TOLERANCE):
        return False, (
            f"at {fps_hz:.3g} fps one frame is {1000 / fps_hz:.0f} ms: contact and flight times are not "
            f"reported (they need more than {NO_CONTACT_TIMING_BELOW_FPS:.0f} fps; film at 120-240 fps for contacts)"
        )
    if fps_hz < COARSE_CONTACT_TIMING_BELOW_FPS * (1.0 - FPS_TOLERANCE):
        return True, (
            f"at {fps_hz:.0f} fps one frame is {1000 / fps_hz:.0f} ms: contact and flight times are "
            f"+/-{1000 / fps_hz:.0f} ms (a sprint contact is 85-130 ms); film at 120-240 fps for contacts"
        )
    return True, None


def _side_part_reason(part_s: tuple[float, float], video_pose: VideoPose | None) -> str:
    """Why a figure outside the side-on part is withheld, on the video file's clock."""
    a, b = (video_pose.file_time_s(t) if video_pose is not None else t for t in part_s)
    return f"outside the part of the clip seen side-on ({a:.1f}-{b:.1f} s of the clip)"


def _full_rate_series(kin: Kinematics) -> Series:
    """The series at the input's own rate, as arrays (a long clip's lists would cost gigabytes)."""
    block = series_arrays(kin, max_rate_hz=kin.fps_hz)
    return Series(
        rate_hz=block["rate_hz"],
        frames=block["frames"],
        time_s=block["time_s"],
        angles=frozen_map(block["angles"]),
        points=frozen_map(block["points"]),
    )


def _smas(
    full: Series,
    events: list[GaitEvent],
    summary: Summary,
    unjudged: str | None,
    accelerating: str | None,
    withheld: Mapping[str, str],
) -> tuple[Smas | None, str | None]:
    """The automated S-MAS on the full-rate series, or why not."""
    rules = load_smas()
    rate = summary.step_frequency_hz
    if unjudged is not None:
        return None, None  # the reason is already in the warnings
    if accelerating is not None:
        return None, f"S-MAS not scored: the clip is an acceleration ({accelerating}); it is a maximal-velocity screen"
    if rate is None or rate < rules.min_step_frequency_hz:
        shown = "without a step rate" if rate is None else f"at {rate * 60:.0f} steps/min"
        return None, (
            f"S-MAS not scored {shown}: it is a maximal-velocity screen "
            f"(needs at least {rules.min_step_frequency_hz * 60:.0f} steps/min)"
        )
    return score(full, events, rules=rules, withheld_figures=withheld), None


def _drill_analysis(
    seq: PoseSequence,
    kin: Kinematics,
    drill: DrillResult,
    warnings: list[str],
    video_pose: VideoPose | None,
    view: ViewEstimate | None = None,
) -> Analysis:
    """A drill has reps and cycles instead of running steps: events, steps and the running
    summary stay empty."""
    if not any(r.cycles for r in drill.reps):
        raise NotEnoughMotionError(
            f"{seq.source}: no complete {drill.name} cycle found in {seq.time_s[-1] - seq.time_s[0]:.2f} s"
        )
    slowed = _slowed(video_pose)
    untimed = too_few_frames_per_step(kin.step_frequency_estimate_hz, kin.fps_hz)
    reps, withheld = plausible_reps(drill.reps, slowed=slowed, untimed=untimed)
    part = None if view is None else view.side_part_s
    if part is not None:  # a drill seen side-on only in part of the clip: side-view figures from that part
        reps, part_withheld = reps_outside_side_part(reps, part, _side_part_reason(part, video_pose))
        withheld += part_withheld
    if withheld or slowed:
        drill_sides, drill_asymmetry = compare_sides(list(reps))
        drill = replace(drill, reps=reps, sides=drill_sides, asymmetry_pct=drill_asymmetry)
    warnings = [*warnings, *_withheld_warnings(withheld, slowed, video_pose)]
    feet = [kin.foot_centre(side) for side in ("left", "right")]
    sides = per_side([])
    summary = summarize([], fps_hz=kin.fps_hz, time_contacts=False, overall_speed=(None, None))
    asymmetry = asymmetry_pct(sides)
    if drill.unsure:
        coaching = Coaching(drill.drill_id, (), ())
        warnings.append(f"what the athlete is doing is unsure: {NOT_JUDGED}")
    else:
        coaching = _judge(seq, drill, (), summary, asymmetry, kin.fps_hz)
        warnings = [*warnings, *coaching.not_judged]
    return Analysis(
        source=seq.source,
        sequence=seq,
        kinematics=kin,
        events=(),
        steps=(),
        summary=summary,
        sides=frozen_map(sides),
        asymmetry_pct=frozen_map(asymmetry),
        ground=fit_ground(feet),
        drill=drill,
        coaching=coaching,
        warnings=tuple(warnings),
        video=video_pose,
        withheld=tuple(withheld),
        view=view,
    )


CAMERA_UNMEASURED = (
    "the camera moves and its motion could not be measured, so the feet's positions on the ground are not known"
)


def _camera_unmeasured(video_pose: VideoPose | None) -> bool:
    """The camera moved but the keypoints are still in the image (its motion could not be measured)."""
    camera = None if video_pose is None else video_pose.camera
    return bool(camera is not None and camera.moving and not camera.in_ground_frame)


def _why_not_judged(steps: list[Step], summary: Summary, slowed: bool, drill: DrillResult) -> str | None:
    """Why the steps cannot be judged (None: they can): an activity that fits nothing well, slowed footage
    of unknown capture rate, touchdowns missing (the athlete or the feet lost), or touchdowns whose feet do
    not alternate (sides mixed up)."""
    if drill.unsure:
        return "what the athlete is doing is unsure"
    if drill.drill_id == "walk":
        return "a walk (the seed articles coach sprinting and its drills, not walking)"
    if slowed:
        return "the clip looks slowed and its capture rate is unknown (give --capture-fps)"
    coverage = touchdown_coverage(steps, summary.step_frequency_hz)
    if coverage is not None and coverage[0] < MIN_TOUCHDOWN_COVERAGE * coverage[1]:
        return f"only {coverage[0]} of the about {coverage[1]} touchdowns the step rate implies were found"
    share = alternation(steps)
    if share is not None and share < MIN_ALTERNATION:
        return f"only {share:.0%} of successive touchdowns change foot (left and right are mixed up)"
    return None


def _slowed(video_pose: VideoPose | None) -> bool:
    """Slowed footage with no known capture rate: its times are file time, not real time."""
    timing = None if video_pose is None else video_pose.timing
    return bool(timing is not None and timing.suspected_slow_motion)


def _withheld_warnings(withheld: list[Withheld], slowed: bool, video_pose: VideoPose | None) -> list[str]:
    out = (
        []
        if not slowed or video_pose is None or video_pose.timing is None
        else [slowed_warning(video_pose.timing.slow_motion_factor)]
    )
    return out + grouped_warnings(withheld)


def _judge(
    seq: PoseSequence,
    drill: DrillResult,
    steps: tuple[Step, ...],
    summary: Summary,
    asymmetry: Mapping[str, float | None],
    fps_hz: float,
) -> Coaching:
    """The coaching stage, once per analysis, on the typed figures and the sequence's own time base."""
    return find_faults(
        Judged(
            drill_id=drill.drill_id,
            steps=steps,
            reps=drill.reps,
            summary=summary,
            asymmetry_pct=frozen_map(asymmetry),
            fps_hz=fps_hz,
            time_base_s=seq.time_s,
        )
    )


def _overall_speed(
    kin: Kinematics, events: list[GaitEvent], stationary: bool, belt: float | None
) -> tuple[float | None, float | None]:
    if stationary:
        if belt is None:
            return None, None
        return belt, (belt / kin.leg_length_m if kin.leg_length_m else None)
    tds = [e for e in events if e.kind == "touchdown"]
    if len(tds) < 2:
        return None, None
    hip_x = kin.mid_hip()[:, 0]
    t0, t1 = tds[0].time_s, tds[-1].time_s
    legs = float((np.interp(t1, kin.time_s, hip_x) - np.interp(t0, kin.time_s, hip_x)) / (t1 - t0))
    return kin.to_metres(legs), legs
