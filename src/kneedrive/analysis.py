"""The public API: one call from keypoints to sprint mechanics."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from . import __version__
from .coaching import attach_coaching
from .drills.analyze import AUTO, DrillResult, analyze_drill, check_drill_id, with_step_rate
from .errors import InputError, NotEnoughMotionError
from .events import ContactDetector, GaitEvent, GroundLine
from .events.ground import fit_ground
from .io.formats import is_video
from .io.load import load_keypoints
from .kinematics import Kinematics, compute_kinematics
from .metrics import Step, Summary, asymmetry_pct, measure_steps, per_side, summarize
from .pose.options import VideoOptions
from .sequence import PoseSequence

if TYPE_CHECKING:
    from .pose import VideoPose

SCHEMA_VERSION = 1
#: Below this frame rate contacts are not timed at all (DOMAIN.md); below the second, they
#: are reported with a warning about their one-frame resolution.
NO_CONTACT_TIMING_BELOW_FPS = 25.0
COARSE_CONTACT_TIMING_BELOW_FPS = 60.0


@dataclass(frozen=True)
class Analysis:
    source: str
    sequence: PoseSequence
    kinematics: Kinematics
    events: tuple[GaitEvent, ...]
    steps: tuple[Step, ...]
    summary: Summary
    sides: dict[str, dict[str, float | None]]
    asymmetry_pct: dict[str, float | None]
    ground: GroundLine
    drill: DrillResult
    warnings: tuple[str, ...]
    video: VideoPose | None = None

    def to_dict(self, *, include_series: bool = False) -> dict[str, Any]:
        """The documented JSON document (schema: kneedrive/schema/analysis-v1.schema.json).
        `include_series` adds the decimated angle/keypoint series a report is drawn from."""
        kin, seq = self.kinematics, self.sequence
        doc = {
            "schema_version": SCHEMA_VERSION,
            "kneedrive_version": __version__,
            "source": self.source,
            "input": {
                "frames": seq.n_frames,
                "fps_hz": kin.fps_hz,
                "duration_s": float(seq.time_s[-1] - seq.time_s[0]),
                "keypoints": list(seq.names),
            },
            "processing": {
                "cutoff_hz": kin.cutoff_hz,
                "direction": "right" if kin.direction > 0 else "left",
                "direction_evidence": kin.direction_evidence,
                "swapped_frames": kin.swapped_frames,
                "filled_samples": kin.filled_samples,
                "leg_length_m": kin.leg_length_m,
                "ground_slope": self.ground.slope,
            },
            "events": [asdict(e) for e in self.events],
            "steps": [asdict(s) for s in self.steps],
            "summary": asdict(self.summary),
            "sides": self.sides,
            "asymmetry_pct": self.asymmetry_pct,
            "drill": self.drill.to_dict(),
            "unavailable": dict(kin.unavailable),
            "warnings": list(self.warnings),
        }
        if include_series:
            from .report.series import series_block

            doc["series"] = series_block(kin)
        if self.video is not None:
            doc["video"] = self.video.to_dict()
        cleaned: dict[str, Any] = _json_safe(doc)
        return attach_coaching(cleaned)  # faults and praise (kneedrive.coaching)


def _json_safe(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if isinstance(value, float | np.floating):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, np.integer):
        return int(value)
    return value


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
    detector: ContactDetector | None = None,
    drill: str = AUTO,
    video: VideoOptions | None = None,
) -> Analysis:
    """Analyze a video (.mp4, .mov, .avi, .mkv, .m4v), a keypoint file (.csv, .trc) or a PoseSequence of a
    sprint, a run or a drill. A video is first turned into the athlete's keypoints
    (`kneedrive.pose.estimate_pose`).

    `drill`: "auto" recognizes the drill; a catalogue id (kneedrive.drills.catalogue.DRILL_IDS)
    forces it. Sprints and runs get gait events and steps; drills get reps and cycles."""
    check_drill_id(drill)
    seq, video_pose = _sequence(source, fps_hz, video)
    if treadmill_speed_mps is not None and not (math.isfinite(treadmill_speed_mps) and treadmill_speed_mps > 0):
        raise InputError(f"--treadmill-speed-mps must be a positive number, got {treadmill_speed_mps}")
    kin = compute_kinematics(seq, px_per_m=px_per_m, athlete_height_m=athlete_height_m, cutoff_hz=cutoff_hz)
    warnings = list(video_pose.warnings if video_pose is not None else ()) + list(kin.warnings)
    drill_result = analyze_drill(kin, drill)
    warnings += drill_result.warnings
    if drill_result.drill_id != "sprint":
        return _drill_analysis(seq, kin, drill_result, warnings, video_pose)
    time_contacts = kin.fps_hz >= NO_CONTACT_TIMING_BELOW_FPS
    if not time_contacts:
        warnings.append(
            f"{kin.fps_hz:.0f} fps is below {NO_CONTACT_TIMING_BELOW_FPS:.0f} fps: "
            "contact and flight times are not reported"
        )
    elif kin.fps_hz < COARSE_CONTACT_TIMING_BELOW_FPS:
        warnings.append(
            f"at {kin.fps_hz:.0f} fps one frame is {1000 / kin.fps_hz:.0f} ms: contact and flight times are "
            f"+/-{1000 / kin.fps_hz:.0f} ms (a sprint contact is 85-130 ms); film at 120-240 fps for contacts"
        )
    events, ground = (detector or ContactDetector()).detect(kin)
    touchdowns = {s: [e.time_s for e in events if e.side == s and e.kind == "touchdown"] for s in ("left", "right")}
    drill_result = with_step_rate(drill_result, touchdowns)
    warnings += [w for w in drill_result.warnings if w not in warnings]
    stationary = kin.direction_evidence != "hip travel"
    if stationary and treadmill_speed_mps is None:
        warnings.append(
            "the hips do not travel (treadmill or in place): step length and speed need --treadmill-speed-mps"
        )
    steps = measure_steps(kin, events, time_contacts=time_contacts, belt_speed_mps=treadmill_speed_mps)
    if not any(s.step_time_s is not None for s in steps):
        raise NotEnoughMotionError(
            f"{seq.source}: no complete step (touchdown to the other foot's touchdown) found in "
            f"{seq.time_s[-1] - seq.time_s[0]:.2f} s"
        )
    sides = per_side(steps)
    summary = summarize(
        steps,
        fps_hz=kin.fps_hz,
        time_contacts=time_contacts,
        overall_speed=_overall_speed(kin, events, stationary, treadmill_speed_mps),
    )
    return Analysis(
        source=seq.source,
        sequence=seq,
        kinematics=kin,
        events=tuple(events),
        steps=tuple(steps),
        summary=summary,
        sides=sides,
        asymmetry_pct=asymmetry_pct(sides),
        ground=ground,
        drill=drill_result,
        warnings=tuple(warnings),
        video=video_pose,
    )


def _drill_analysis(
    seq: PoseSequence, kin: Kinematics, drill: DrillResult, warnings: list[str], video_pose: VideoPose | None
) -> Analysis:
    """A drill has reps and cycles instead of running steps: events, steps and the running
    summary stay empty."""
    if not any(r.cycles for r in drill.reps):
        raise NotEnoughMotionError(
            f"{seq.source}: no complete {drill.name} cycle found in {seq.time_s[-1] - seq.time_s[0]:.2f} s"
        )
    feet = [kin.foot_centre(side) for side in ("left", "right")]
    sides = per_side([])
    return Analysis(
        source=seq.source,
        sequence=seq,
        kinematics=kin,
        events=(),
        steps=(),
        summary=summarize([], fps_hz=kin.fps_hz, time_contacts=False, overall_speed=(None, None)),
        sides=sides,
        asymmetry_pct=asymmetry_pct(sides),
        ground=fit_ground(feet),
        drill=drill,
        warnings=tuple(warnings),
        video=video_pose,
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
