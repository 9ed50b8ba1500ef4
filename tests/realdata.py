"""Converters from the real data sets in ../shared/data to our keypoint CSV (test fixtures).

They produce what a pose model would give: image pixels with y down, BlazePose names.
The data are never copied into the repository; a missing data folder is an error.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kneedrive.sequence import PoseSequence

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
#: Pixels per metre used when turning metric markers into pseudo-image coordinates.
PX_PER_M = 400.0

_DORN_JOINTS = {"shoulder": "shoulder", "hip": "hip", "knee": "knee", "ankle": "ankle", "heel": "heel", "toe": "foot_index"}


def data_dir(*parts: str) -> Path:
    path = DATA.joinpath(*parts)
    if not path.exists():
        raise FileNotFoundError(f"real data missing: {path} (tests need ../shared/data; see its README)")
    return path


@dataclass(frozen=True)
class LabEvent:
    side: str  # left/right
    kind: str  # touchdown/toe_off
    time_s: float


def dorn_sequence(trial: str) -> PoseSequence:
    """Dorn et al. (2012) sagittal markers (x forward, y up, metres) as a pixel PoseSequence."""
    path = data_dir("dorn2012_sprint", f"{trial}_sagittal2d.csv")
    table = np.genfromtxt(path, delimiter=",", names=True)
    names, cols = [], []
    for prefix, side in (("L", "left"), ("R", "right")):
        for marker, keypoint in _DORN_JOINTS.items():
            names.append(f"{side}_{keypoint}")
            cols.append(np.stack([table[f"{prefix}_{marker}_fwd_m"], -table[f"{prefix}_{marker}_up_m"]], axis=1))
    xy = np.stack(cols, axis=1) * PX_PER_M
    score = np.where(np.all(np.isfinite(xy), axis=2), 1.0, 0.0)
    return PoseSequence(time_s=table["time_s"], xy=xy, score=score, names=tuple(names), source=str(path))


def dorn_events(trial: str) -> list[LabEvent]:
    path = data_dir("dorn2012_sprint", f"{trial}_events.csv")
    kinds = {"Foot Strike": "touchdown", "Foot Off": "toe_off"}
    with path.open() as handle:
        return [LabEvent(r["side"].lower(), kinds[r["event"]], float(r["time_s"])) for r in csv.DictReader(handle)]
