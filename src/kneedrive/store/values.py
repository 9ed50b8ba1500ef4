"""What the store hands out: frozen values (never ORM rows), and the analysis options of a session as
one validated config object (what the CLI flags and the upload form both turn into)."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any, Literal

from ..options import AnalysisOptions as AnalysisOptions  # the store keeps them per session

Status = Literal["queued", "running", "done", "failed"]
STATUSES: tuple[Status, ...] = ("queued", "running", "done", "failed")
LEGS = ("left", "right")


@dataclass(frozen=True)
class Athlete:
    id: int
    name: str
    height_m: float | None
    sex: str | None
    birth_date: dt.date | None
    dominant_leg: str | None
    notes: str
    sessions: int = 0
    last_session_on: dt.date | None = None

    def to_dict(self) -> dict[str, Any]:
        doc = asdict(self)
        doc["birth_date"] = None if self.birth_date is None else self.birth_date.isoformat()
        doc["last_session_on"] = None if self.last_session_on is None else self.last_session_on.isoformat()
        return doc


@dataclass(frozen=True)
class Progress:
    """How far a queued or running analysis is: the phase ("pose", "annotate", ...), frames done of total,
    with the rate (frames/s) and the time left estimated from the phase's start."""

    phase: str | None
    done: int
    total: int
    frames_per_s: float | None
    eta_s: float | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class StoredSession:
    id: str
    athlete_id: int
    athlete_name: str
    recorded_on: dt.date
    created_at: dt.datetime
    activity: str | None
    activity_label: str | None
    input_name: str
    input_sha256: str
    input_kind: str
    options: AnalysisOptions
    status: Status
    error: str | None
    progress: Progress
    outputs: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "athlete_id": self.athlete_id,
            "athlete_name": self.athlete_name,
            "recorded_on": self.recorded_on.isoformat(),
            "created_at": self.created_at.isoformat(timespec="seconds"),
            "activity": self.activity,
            "activity_label": self.activity_label,
            "input_name": self.input_name,
            "input_sha256": self.input_sha256,
            "input_kind": self.input_kind,
            "options": self.options.to_dict(),
            "status": self.status,
            "error": self.error,
            "progress": self.progress.to_dict(),
            "outputs": list(self.outputs),
        }
