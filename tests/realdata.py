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

_DORN_JOINTS = {
    "shoulder": "shoulder",
    "hip": "hip",
    "knee": "knee",
    "ankle": "ankle",
    "heel": "heel",
    "toe": "foot_index",
}


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


# --- RBDS treadmill running (Fukuchi et al. 2017) -------------------------------------------

#: Marker and force sampling rates of the RBDS files.
RBDS_MARKER_HZ = 150.0
RBDS_FORCE_HZ = 300.0
_RBDS_TRIAL = "RBDS0041runT252"


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


def _rbds_markers() -> dict[str, np.ndarray]:
    """Marker name -> (N, 3) metres in the lab frame (X forward, Y up, Z right); NaN = dropout."""
    path = data_dir("rbds_treadmill", f"{_RBDS_TRIAL}.txt")
    with path.open() as handle:
        header = handle.readline().rstrip("\n").split("\t")
    table = np.genfromtxt(path, delimiter="\t", skip_header=1)  # empty cells -> NaN
    column = {name: i for i, name in enumerate(header)}
    return {
        name[:-1]: table[:, [column[name], column[name[:-1] + "Y"], column[name[:-1] + "Z"]]] / 1000.0
        for name in header
        if name.endswith("X")
    }


def _segment_frame(origin: np.ndarray, primary: np.ndarray, secondary: np.ndarray) -> tuple:
    """(origin, rotation): rotation columns are primary, the normal, secondary made orthogonal."""
    e1 = _unit(primary)
    e3 = _unit(secondary - np.sum(secondary * e1, axis=1, keepdims=True) * e1)
    return origin, np.stack([e1, np.cross(e3, e1), e3], axis=2)


def _common_point(frame_a: tuple, frame_b: tuple) -> np.ndarray:
    """Functional joint centre (SCoRE, Ehrig et al. 2006): the point that keeps one position in
    both segments' frames, by linear least squares over all frames; (N, 3), the two segments'
    estimates averaged (they differ by ~5-10 mm here: skin motion, a knee is not a ball joint)."""
    (oa, ra), (ob, rb) = frame_a, frame_b
    ok = np.all(np.isfinite(np.concatenate([oa, ob, ra[:, 0], rb[:, 0]], axis=1)), axis=1)
    lhs = np.concatenate([ra[ok], -rb[ok]], axis=2).reshape(-1, 6)
    local, *_ = np.linalg.lstsq(lhs, (ob[ok] - oa[ok]).reshape(-1), rcond=None)
    return (oa + ra @ local[:3] + ob + rb @ local[3:]) / 2.0


def rbds_sequence() -> PoseSequence:
    """RBDS0041 running at 2.5 m/s on the treadmill, as a sagittal pixel PoseSequence.

    The running trial has pelvis, thigh/shank cluster and foot markers only, so the joints are
    estimated as a pose model would roughly place them:
    - hip: Bell et al. (1990) from the pelvis (origin mid-ASIS; 19 % of the inter-ASIS width
      posterior, 30 % inferior, 36 % lateral, in the ASIS/PSIS pelvis frame);
    - knee: functional centre of the thigh and shank clusters (`_common_point`); it keeps the
      thigh at 480 +/- 7 mm and the shank at 452-456 +/- 3 mm over the trial, where the mean of
      the Thigh.Bottom/Shank.Top markers drifts by +/- 40 mm with knee flexion;
    - ankle: functional centre of the shank cluster and the foot markers;
    - heel: Heel.Bottom; foot_index: mean of MT1 and MT5 (metatarsal heads, not the toe tip).
    X (forward) and Y (up) are kept, in pixels with y down (PX_PER_M), like dorn_sequence.

    Time base: sample i is at i / 150 s. The file's Time column is a rounded
    linspace(0, 30, 4500) (a 149.97 Hz grid) that drifts to 6.7 ms late by the end; the lag
    between the pelvis acceleration and the force (Fy / m - g) is constant over the trial
    (-7.8, -7.6, -7.4 ms over 1-10, 10-20, 20-29 s) with i / 150, but drifts (-9.0, -10.8,
    -12.8 ms) with the Time column.
    """
    m = _rbds_markers()

    def mean(*names: str) -> np.ndarray:
        return np.mean([m[n] for n in names], axis=0)

    r_asis, l_asis = m["R.ASIS"], m["L.ASIS"]
    origin = (r_asis + l_asis) / 2.0
    _, pelvis = _segment_frame(origin, origin - mean("R.PSIS", "L.PSIS"), r_asis - l_asis)
    width = np.linalg.norm(r_asis - l_asis, axis=1)
    names, cols = [], []
    for prefix, side, lateral in (("L.", "left", -1.0), ("R.", "right", 1.0)):
        bell = np.array([-0.19, -0.30, 0.36 * lateral])  # posterior, inferior, lateral
        hip = origin + width[:, None] * (pelvis @ bell)

        def cluster(segment: str, prefix: str = prefix) -> tuple:
            def g(part: str) -> np.ndarray:
                return m[f"{prefix}{segment}.{part}"]

            top = (g("Top.Lateral") + g("Top.Medial")) / 2.0
            bottom = (g("Bottom.Lateral") + g("Bottom.Medial")) / 2.0
            lat = (g("Top.Lateral") + g("Bottom.Lateral")) / 2.0
            med = (g("Top.Medial") + g("Bottom.Medial")) / 2.0
            return _segment_frame((top + bottom) / 2.0, top - bottom, lat - med)

        heel = m[f"{prefix}Heel.Bottom"]
        toe = mean(f"{prefix}MT1", f"{prefix}MT5")
        foot_markers = [f"{prefix}{n}" for n in ("Heel.Top", "Heel.Bottom", "Heel.Lateral", "MT1", "MT5")]
        foot = _segment_frame(mean(*foot_markers), toe - heel, m[f"{prefix}MT5"] - m[f"{prefix}MT1"])
        shank = cluster("Shank")
        joints = {
            "hip": hip,
            "knee": _common_point(cluster("Thigh"), shank),
            "ankle": _common_point(shank, foot),
            "heel": heel,
            "foot_index": toe,
        }
        for joint, point in joints.items():
            names.append(f"{side}_{joint}")
            cols.append(np.stack([point[:, 0], -point[:, 1]], axis=1))
    xy = np.stack(cols, axis=1) * PX_PER_M
    score = np.where(np.all(np.isfinite(xy), axis=2), 1.0, 0.0)
    time_s = np.arange(len(xy)) / RBDS_MARKER_HZ
    source = str(data_dir("rbds_treadmill", f"{_RBDS_TRIAL}.txt"))
    return PoseSequence(time_s=time_s, xy=xy, score=score, names=tuple(names), source=source)


def threshold_contacts(
    time_s: np.ndarray,
    force_n: np.ndarray,
    threshold_n: float,
    *,
    merge_gap_s: float = 0.02,
    min_contact_s: float = 0.05,
) -> list[tuple[float, float]]:
    """(touchdown, toe-off) times where the force is above the threshold, each crossing linearly
    interpolated between samples. Runs split by noise (gaps < merge_gap_s) are merged, runs
    shorter than min_contact_s dropped, and contacts cut by the record's ends left out."""
    above = force_n > threshold_n
    edges = np.diff(np.concatenate([[0], above.astype(np.int8), [0]]))
    runs: list[list[int]] = []
    for start, stop in zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1), strict=True):
        if runs and time_s[start] - time_s[runs[-1][1] - 1] < merge_gap_s:
            runs[-1][1] = stop
        else:
            runs.append([start, stop])

    def crossing(i: int) -> float:  # threshold crossed between samples i and i + 1
        frac = (threshold_n - force_n[i]) / (force_n[i + 1] - force_n[i])
        return float(time_s[i] + frac * (time_s[i + 1] - time_s[i]))

    contacts = []
    for start, stop in runs:
        if start == 0 or stop == len(force_n):
            continue
        touchdown, toe_off = crossing(start - 1), crossing(stop - 1)
        if toe_off - touchdown >= min_contact_s:
            contacts.append((touchdown, toe_off))
    return contacts


def _rbds_forces() -> np.ndarray:
    path = data_dir("rbds_treadmill", f"{_RBDS_TRIAL}forces.txt")
    return np.genfromtxt(path, delimiter="\t", names=True)


def rbds_force_contacts(threshold_n: float = 50.0) -> list[tuple[float, float]]:
    """(touchdown_time_s, toe_off_time_s) of every foot contact on the treadmill belt.

    Fy is thresholded after removing the unloaded belt's offset (the median of the samples
    below the threshold, ~+20 N here: flight phases never read 0). Force sample k (the file's
    first column, 1-based) is at (k - 1) / 300 s, so that force sample 1 and marker sample 1
    are both t = 0: 9000 force and 4500 marker samples both span exactly 30 s, and the lag
    between the pelvis acceleration and Fy / m - g does not drift over the trial. The absolute
    offset cannot be pinned down better than ~5-10 ms from the data: that lag is 7.6 ms (the
    force first) where the synchronised Dorn c3d (JA1Gait21) gives 2 ms the other way, but the
    heel marker starts to decelerate 4 ms before the force crossing, where it does 4-8 ms after
    it in the Dorn data. Not corrected.
    """
    forces = _rbds_forces()
    time_s = (forces["Time"] - 1.0) / RBDS_FORCE_HZ
    fy = forces["Fy"] - np.median(forces["Fy"][forces["Fy"] < threshold_n])
    return threshold_contacts(time_s, fy, threshold_n)


def rbds_force_events(threshold_n: float = 50.0) -> list[LabEvent]:
    """rbds_force_contacts as events; the side from the centre of pressure (COPz > its median
    over contacts: right, the lab Z axis points to the runner's right)."""
    forces = _rbds_forces()
    time_s = (forces["Time"] - 1.0) / RBDS_FORCE_HZ
    contacts = rbds_force_contacts(threshold_n)
    cop_z = [np.mean(forces["COPz"][(time_s >= a) & (time_s <= b)]) for a, b in contacts]
    split = float(np.median(cop_z))
    events = []
    for (touchdown, toe_off), z in zip(contacts, cop_z, strict=True):
        side = "right" if z > split else "left"
        events += [LabEvent(side, "touchdown", touchdown), LabEvent(side, "toe_off", toe_off)]
    return events


def dorn_force_events(trial: str, threshold_n: float = 50.0) -> list[LabEvent]:
    """Foot contacts on the Dorn force plates (sum of the 8 plates' vertical force, a threshold
    crossing as in threshold_contacts). Analog sample k (0-based) is at
    (first_frame - 1) / 250 + k / 1500 s, the time base of the lab events and of the sagittal
    CSV. The side is the foot whose lowest marker (heel or toe) is lower at mid-contact."""
    import c3d  # test dependency only

    with data_dir("dorn2012_sprint", f"{trial}.c3d").open("rb") as handle:
        reader = c3d.Reader(handle)
        labels = [label.strip() for label in reader.analog_labels]
        analog = np.concatenate([a.T for _, _, a in reader.read_frames()])  # (samples, channels)
        start_s = (reader.first_frame - 1) / reader.point_rate
        time_s = start_s + np.arange(len(analog)) / reader.analog_rate
    plates = [i for i, label in enumerate(labels) if label.startswith("Fz")]
    vertical = -analog[:, plates].sum(axis=1)  # plates measure the force on them: Fz < 0
    table = np.genfromtxt(data_dir("dorn2012_sprint", f"{trial}_sagittal2d.csv"), delimiter=",", names=True)
    events = []
    for touchdown, toe_off in threshold_contacts(time_s, vertical, threshold_n):
        lows = {
            side: min(
                np.interp((touchdown + toe_off) / 2, table["time_s"], table[f"{p}_{marker}_up_m"])
                for marker in ("heel", "toe")
            )
            for p, side in (("L", "left"), ("R", "right"))
        }
        side = min(lows, key=lows.__getitem__)
        events += [LabEvent(side, "touchdown", touchdown), LabEvent(side, "toe_off", toe_off)]
    return events
