"""`--out DIR`: everything a coach or another tool needs from one analysis, written atomically.

report.html; analysis.json (with its `series` block, so the report can be re-rendered); steps.csv
(runs and sprints: one row per step); reps.csv (drills: one row per rep); keypoints.csv (the input
keypoints, readable by `kneedrive analyze`); keypoints.trc (2D markers for OpenSim / Sports2D).
For video input also annotated.mp4 (kneedrive.report.annotated), and the report's key frames are the
video's frames with the skeleton drawn over them. For a sprint with an S-MAS, kinogram_left.png and
kinogram_right.png (kneedrive.report.kinogram: the video's frames, or stick figures for keypoint input).
"""

from __future__ import annotations

import csv
import io
import logging
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import InputError
from ..io.analysis_json import analysis_json_text
from ..io.atomic import about, write_bytes_atomic, write_text_atomic
from ..io.keypoints_csv import keypoints_csv_text
from ..io.trc import trc_text
from ..record import AnalysisRecord
from ..sequence import PoseSequence
from .html import DrillLibrary, render_report
from .kinogram import kinograms

if TYPE_CHECKING:
    from .annotated import LiveAnalysis, Progress

log = logging.getLogger(__name__)


def table_csv(rows: Sequence[Mapping[str, Any]]) -> str:
    """CSV of the scalar fields of `rows` (lists and objects, e.g. a rep's cycle detail, are left out);
    columns in first-seen order, empty cells for null."""
    columns: list[str] = []
    for row in rows:
        for key, value in row.items():
            if key not in columns and not isinstance(value, list | dict):
                columns.append(key)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if row.get(c) is None else _cell(row.get(c)) for c in columns])
    return buf.getvalue()


def _cell(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def write_outputs(
    record: AnalysisRecord,
    sequence: PoseSequence,
    out_dir: Path,
    *,
    drill_library: DrillLibrary | None = None,
    analysis: LiveAnalysis | None = None,
    progress: Progress | None = None,
    annotated_video: bool = True,
    front_sequence: PoseSequence | None = None,
) -> list[Path]:
    """Write the output folder (created if missing; existing files are replaced) and return the paths.

    `record` is the analysis record with its series. With the live `analysis` of a video that is still
    where it was read from, the report's key frames are drawn on the video's frames and, unless
    `annotated_video` is false, annotated.mp4 is written too (last: it takes longest; `progress` follows it).
    A two-view session's front clip (`record.front_clip`) adds front_keypoints.csv from `front_sequence`
    (its report block is drawn from its record; annotated.mp4 is the side clip's)."""
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(f"--out {out_dir}: exists and is not a folder")
    if record.series is None:
        raise ValueError("write_outputs needs the analysis record with its series")
    doc = record.to_dict(include_series=True)
    files: dict[str, str] = {
        "analysis.json": analysis_json_text(doc),
        "keypoints.csv": keypoints_csv_text(sequence),
        "keypoints.trc": trc_text(sequence),
    }
    if front_sequence is not None:
        files["front_keypoints.csv"] = keypoints_csv_text(front_sequence)
    if record.steps:
        files["steps.csv"] = table_csv(doc["steps"])
    if record.drill.reps:
        files["reps.csv"] = table_csv(doc["drill"]["reps"])
    video = _video_path(analysis)
    stills = None
    crops = None
    if video is not None and analysis is not None:
        from .video_stills import VideoStills

        on_video = VideoStills(video, analysis)
        stills, crops = on_video.svgs, on_video.crops
    pictures = kinograms(record, video_crops=crops)
    files["report.html"] = render_report(record, drill_library=drill_library, video_frames=stills, kinograms=pictures)
    written = []
    for name, text in files.items():
        path = out_dir / name
        write_text_atomic(path, text)
        written.append(path)
    for side, png in pictures.items():
        path = out_dir / f"kinogram_{side}.png"
        write_bytes_atomic(path, png)
        written.append(path)
    if video is not None and analysis is not None and annotated_video:
        from .annotated import write_annotated_video

        written.append(write_annotated_video(video, analysis, out_dir / "annotated.mp4", progress=progress))
    return written


#: Names `write_outputs` writes; a folder holding only these (and the manifest) is an earlier output.
OUTPUT_NAMES = frozenset(
    {"analysis.json", "keypoints.csv", "keypoints.trc", "steps.csv", "reps.csv", "report.html", "annotated.mp4",
     "kinogram_left.png", "kinogram_right.png", "manifest.json", "front_keypoints.csv"}
)  # fmt: skip
PART, OLD = ".part-", ".old-"


def write_output_folder(
    record: AnalysisRecord,
    sequence: PoseSequence,
    out_dir: Path,
    *,
    drill_library: DrillLibrary | None = None,
    analysis: LiveAnalysis | None = None,
    progress: Progress | None = None,
    annotated_video: bool = True,
    front_sequence: PoseSequence | None = None,
) -> list[Path]:
    """`write_outputs` as a set: into a hidden folder beside `out_dir`, its manifest.json (each file and its
    size) last, then renamed into place, so that an interrupted or failed run leaves the folder as it was,
    never a mix of two analyses. An earlier output there is replaced whole; a folder that holds anything
    else is refused (InputError) rather than touched. Leftovers of a killed run are removed first."""
    import json
    import shutil
    import uuid

    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(f"--out {out_dir}: exists and is not a folder")
    if out_dir.is_dir():
        foreign = sorted(p.name for p in out_dir.iterdir() if p.name not in OUTPUT_NAMES)
        if foreign:
            raise InputError(
                f"--out {out_dir}: holds other files ({', '.join(foreign[:3])}{', ...' if len(foreign) > 3 else ''})"
                "; choose a new or empty folder"
            )
    parent = out_dir.parent
    parent.mkdir(parents=True, exist_ok=True)
    for leftover in parent.glob(f".{out_dir.name}{PART}*"):
        shutil.rmtree(leftover, ignore_errors=True)
    for leftover in parent.glob(f".{out_dir.name}{OLD}*"):
        shutil.rmtree(leftover, ignore_errors=True)
    part = parent / f".{out_dir.name}{PART}{uuid.uuid4().hex[:12]}"
    try:
        written = write_outputs(
            record, sequence, part, drill_library=drill_library, analysis=analysis, progress=progress,
            annotated_video=annotated_video, front_sequence=front_sequence,
        )  # fmt: skip
        manifest = {"source": record.source, "files": {p.name: p.stat().st_size for p in written}}
        write_text_atomic(part / "manifest.json", json.dumps(manifest, indent=2) + "\n")
        if out_dir.exists():
            old = parent / f".{out_dir.name}{OLD}{uuid.uuid4().hex[:12]}"
            os.replace(out_dir, old)
            os.replace(part, out_dir)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(part, out_dir)
    except OSError as exc:  # named after the folder asked for, not the hidden one (nor none: a full disk)
        shutil.rmtree(part, ignore_errors=True)
        raise about(out_dir, exc) from exc
    except BaseException:
        shutil.rmtree(part, ignore_errors=True)
        raise
    return [out_dir / p.name for p in written] + [out_dir / "manifest.json"]


def _video_path(analysis: LiveAnalysis | None) -> Path | None:
    """The analyzed video, when the analysis came from one and the file is still there."""
    if analysis is None or analysis.video is None:
        return None
    path = Path(analysis.video.info.path)
    if not path.is_file():
        log.warning("%s: the analyzed video is gone; no annotated.mp4, key frames as stick figures", path)
        return None
    return path
