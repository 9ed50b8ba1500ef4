"""The analysis record: one frozen, typed result that a live analysis and a loaded analysis.json both
produce. Everything after the analysis (report, terminal, annotated video, exports) renders from it.

`AnalysisRecord.to_dict()` is the documented JSON document (schema/analysis-v1.schema.json);
`AnalysisRecord.from_dict()` reads one back. Arrays are read-only, mappings are read-only views.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .coaching.faults import Coaching
from .coaching.smas import Smas
from .drills.features import DrillFeatures
from .drills.rep_metrics import Cycle, Rep
from .drills.table import drill_spec
from .events import GaitEvent
from .events.kinogram import Kinogram
from .io.video_record import VideoRecord, frozen_map, thawed
from .metrics import Step, Summary
from .metrics.frontal import FrontFigures

SCHEMA_VERSION = 1
SIDES = ("left", "right")
Figures = Mapping[str, float | None]


def read_only(values: Any, dtype: Any = float) -> np.ndarray:
    """A read-only array copy of `values` (None -> NaN)."""
    array = np.array(values, dtype=dtype)
    array.flags.writeable = False
    return array


@dataclass(frozen=True)
class InputInfo:
    frames: int
    fps_hz: float
    duration_s: float
    keypoints: tuple[str, ...]


@dataclass(frozen=True)
class Processing:
    cutoff_hz: float
    direction: str  # "right" | "left": direction of travel in the image
    direction_evidence: str
    swapped_frames: int
    filled_samples: int
    leg_length_m: float | None
    ground_slope: float


@dataclass(frozen=True)
class DrillRecord:
    id: str
    name: str
    confidence: float
    decided_by: str  # "auto" | "given" | "unsure" (then id is only the best guess)
    alternatives: tuple[tuple[str, float], ...]
    features: DrillFeatures
    reps: tuple[Rep, ...]
    sides: Mapping[str, Figures] | None  # one-legged drills only
    asymmetry_pct: Figures | None

    @property
    def is_drill(self) -> bool:
        return not drill_spec(self.id).gait  # the table says: a walk is measured by its steps, as a run is

    @property
    def unsure(self) -> bool:
        """The activity fits no drill well: `id` is the best guess, `alternatives[0]` the second."""
        return self.decided_by == "unsure"

    @property
    def label(self) -> str:
        """What the athlete is doing, as a coach reads it ("unsure: Sprint / run or A-skip")."""
        if not self.unsure:
            return self.name
        from .drills.table import drill_name

        second = f" or {drill_name(self.alternatives[0][0])}" if self.alternatives else ""
        return f"unsure: {self.name}{second}"


@dataclass(frozen=True)
class Series:
    """The decimated time series a report is drawn from: angles in degrees and points in leg lengths
    (athlete frame, x forward, y up), NaN where not measured; `frames` index the input sequence."""

    rate_hz: float
    frames: np.ndarray  # int
    time_s: np.ndarray
    angles: Mapping[str, np.ndarray]
    points: Mapping[str, np.ndarray]  # (n, 2)

    def to_dict(self) -> dict[str, Any]:
        return {
            "rate_hz": self.rate_hz,
            "frames": [int(i) for i in self.frames],
            "time_s": _floats(self.time_s),
            "angles": {k: _floats(v) for k, v in self.angles.items()},
            "points": {
                k: [None if not np.isfinite(p).all() else [float(p[0]), float(p[1])] for p in v]
                for k, v in self.points.items()
            },
        }

    @classmethod
    def from_dict(cls, doc: Mapping[str, Any]) -> Series:
        def point(p: Any) -> tuple[float, float]:
            return (math.nan, math.nan) if p is None else (float(p[0]), float(p[1]))

        n = len(doc["time_s"])
        return cls(
            rate_hz=float(doc["rate_hz"]),
            frames=read_only(doc["frames"], int),
            time_s=read_only(_nan(doc["time_s"])),
            angles=frozen_map({k: read_only(_nan(v)) for k, v in doc["angles"].items()}),
            points=frozen_map(
                {
                    k: read_only([point(p) for p in v] or np.empty((0, 2))).reshape(-1, 2)
                    for k, v in doc["points"].items()
                }
            ),
        )._checked(n)

    def _checked(self, n: int) -> Series:
        lengths = {len(self.frames), *(len(v) for v in self.angles.values()), *(len(v) for v in self.points.values())}
        if lengths - {n}:
            from .errors import InputError

            raise InputError("the analysis' series are not all as long as its time_s (a cut or edited file)")
        return self


@dataclass(frozen=True)
class AnalysisRecord:
    """What an analysis found, live or loaded: the JSON document as typed values."""

    kneedrive_version: str
    source: str
    input: InputInfo
    processing: Processing
    events: tuple[GaitEvent, ...]
    steps: tuple[Step, ...]
    summary: Summary
    sides: Mapping[str, Figures]
    asymmetry_pct: Figures
    drill: DrillRecord
    unavailable: Mapping[str, str]
    warnings: tuple[str, ...]
    coaching: Coaching
    series: Series | None = None
    video: VideoRecord | None = None
    #: The automated Sprint Mechanics Assessment Score (sprints at sprint step rates; None otherwise).
    smas: Smas | None = None
    schema_version: int = SCHEMA_VERSION
    view: str = "side"  # "side" | "front" | "oblique" (kinematics.view)
    view_evidence: str = ""
    front: FrontFigures | None = None  # a front view's figures
    #: A side and a front clip of one session (kneedrive.analysis_views): this record is the side clip's,
    #: `front_clip` the front clip's whole record (its own source, time base, figures and coaching).
    front_clip: AnalysisRecord | None = None
    #: The frames the kinograms show (sprints with an S-MAS, accelerations; None otherwise).
    kinogram: Kinogram | None = None

    @property
    def is_drill(self) -> bool:
        return self.drill.is_drill

    @property
    def clips(self) -> tuple[AnalysisRecord, ...]:
        """The session's clips: this one, then the front clip of a two-view session."""
        return (self,) if self.front_clip is None else (self, self.front_clip)

    def to_dict(self, *, include_series: bool = True) -> dict[str, Any]:
        """The documented JSON document (`include_series=False` leaves the long series out)."""
        drill = self.drill
        doc: dict[str, Any] = {
            "schema_version": self.schema_version,
            "kneedrive_version": self.kneedrive_version,
            "source": self.source,
            "input": asdict(self.input) | {"keypoints": list(self.input.keypoints)},
            "processing": asdict(self.processing),
            "events": [asdict(e) for e in self.events],
            "steps": [asdict(s) for s in self.steps],
            "summary": asdict(self.summary),
            "sides": thawed(self.sides),
            "asymmetry_pct": dict(self.asymmetry_pct),
            "drill": {
                "id": drill.id,
                "name": drill.name,
                "confidence": drill.confidence,
                "decided_by": drill.decided_by,
                "alternatives": [{"id": d, "confidence": c} for d, c in drill.alternatives],
                "features": asdict(drill.features),
                "reps": [asdict(r) for r in drill.reps],
                "sides": None if drill.sides is None else thawed(drill.sides),
                "asymmetry_pct": None if drill.asymmetry_pct is None else dict(drill.asymmetry_pct),
            },
            "unavailable": dict(self.unavailable),
            "warnings": list(self.warnings),
            "faults": [f.to_dict() for f in self.coaching.faults],
            "praise": [p.to_dict() for p in self.coaching.praise],
        }
        if include_series and self.series is not None:
            doc["series"] = self.series.to_dict()
        if self.video is not None:
            doc["video"] = self.video.to_dict()
        if self.smas is not None:
            doc["smas"] = self.smas.to_dict()
        if self.kinogram is not None:
            doc["kinogram"] = self.kinogram.to_dict()
        doc["view"] = self.view
        doc["view_evidence"] = self.view_evidence
        if self.front is not None:
            doc["front"] = self.front.to_dict()
        if self.front_clip is not None:
            doc["front_clip"] = self.front_clip.to_dict(include_series=include_series)
        cleaned: dict[str, Any] = json_safe(doc)
        return cleaned

    @classmethod
    def from_dict(cls, doc: Mapping[str, Any]) -> AnalysisRecord:
        """A record from a (schema-valid) analysis document. A document saved without coaching is judged
        again (evidence frames then come from the series' time base when it has one)."""
        from .coaching.faults import Judged, find_faults

        drill = doc["drill"]
        inp = doc["input"]
        series = None if doc.get("series") is None else Series.from_dict(doc["series"])
        steps = tuple(Step(**s) for s in doc["steps"])
        front = None if doc.get("front") is None else FrontFigures.from_dict(doc["front"])
        reps = tuple(_rep(r) for r in drill["reps"])
        summary = Summary(**doc["summary"])
        asymmetry = frozen_map(doc["asymmetry_pct"])
        if "faults" in doc:
            coaching = Coaching.from_dict(str(drill["id"]), doc)
        else:
            coaching = find_faults(
                Judged(
                    drill_id=str(drill["id"]),
                    steps=steps,
                    reps=reps,
                    summary=summary,
                    asymmetry_pct=asymmetry,
                    fps_hz=float(inp["fps_hz"]),
                    time_base_s=None if series is None else series.time_s,
                    frame_numbers=None if series is None else series.frames,
                    front=front,
                )
            )
        return cls(
            schema_version=int(doc["schema_version"]),
            kneedrive_version=str(doc["kneedrive_version"]),
            source=str(doc["source"]),
            input=InputInfo(
                int(inp["frames"]), float(inp["fps_hz"]), float(inp["duration_s"]), tuple(inp["keypoints"])
            ),
            processing=Processing(**doc["processing"]),
            events=tuple(GaitEvent(**e) for e in doc["events"]),
            steps=steps,
            summary=summary,
            sides=frozen_map(doc["sides"]),
            asymmetry_pct=asymmetry,
            drill=DrillRecord(
                id=str(drill["id"]),
                name=str(drill["name"]),
                confidence=float(drill["confidence"]),
                decided_by=str(drill["decided_by"]),
                alternatives=tuple((str(a["id"]), float(a["confidence"])) for a in drill["alternatives"]),
                features=DrillFeatures(**drill["features"]),
                reps=reps,
                sides=None if drill.get("sides") is None else frozen_map(drill["sides"]),
                asymmetry_pct=None if drill.get("asymmetry_pct") is None else frozen_map(drill["asymmetry_pct"]),
            ),
            unavailable=frozen_map(doc["unavailable"]),
            warnings=tuple(doc["warnings"]),
            coaching=coaching,
            series=series,
            video=None if doc.get("video") is None else VideoRecord.from_dict(doc["video"]),
            smas=None if doc.get("smas") is None else Smas.from_dict(doc["smas"]),
            kinogram=None if doc.get("kinogram") is None else Kinogram.from_dict(doc["kinogram"]),
            view=str(doc.get("view", "side")),
            view_evidence=str(doc.get("view_evidence", "")),
            front=front,
            front_clip=None if doc.get("front_clip") is None else cls.from_dict(doc["front_clip"]),
        )


def _rep(doc: Mapping[str, Any]) -> Rep:
    return Rep(**(dict(doc) | {"cycles_detail": tuple(Cycle(**c) for c in doc["cycles_detail"])}))


def _nan(values: Any) -> list[float]:
    return [math.nan if v is None else float(v) for v in values]


def _floats(values: np.ndarray) -> list[float | None]:
    return [float(v) if math.isfinite(v) else None for v in values]


def json_safe(value: Any) -> Any:
    """Plain JSON values: NaN/inf -> None, numpy scalars -> Python numbers, tuples -> lists."""
    if isinstance(value, Mapping):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    if isinstance(value, float | np.floating):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, np.integer):
        return int(value)
    return value


def load_record(path: Path) -> AnalysisRecord:
    """A saved analysis.json as the typed record (validated first; InputError with one line otherwise)."""
    from .errors import InputError
    from .io.analysis_json import load_analysis

    doc = load_analysis(path)
    try:
        return AnalysisRecord.from_dict(doc)
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(f"{path}: not a complete kneedrive analysis ({exc.__class__.__name__}: {exc})") from None


def saved_faults(path: Path | None) -> list[dict[str, Any]]:
    """The coaching faults of a saved analysis.json, as its JSON (judged now when the file predates coaching)."""
    return [] if path is None else [f.to_dict() for f in load_record(path).coaching.faults]
