"""One job per input: what to analyze, with which options, into which folder, and the key of that analysis.

A job is a frozen, picklable value (it travels to Dask workers). Its `key` is the SHA-256 of the input's
bytes, the options that change the outputs and kneedrive's version: an output folder whose manifest holds
the same key is that analysis already done, and the input is skipped.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from .. import __version__, options
from ..io.formats import is_video
from ..pose.cache import file_sha256
from .inputs import Athlete, AthleteMap


@dataclass(frozen=True)
class AnalysisOptions(options.AnalysisOptions):
    """The options of `kneedrive analyze` (kneedrive.options) for a batch: the batch's command line, or a map
    row's athlete over it, and what only a batch decides."""

    #: Video: write annotated.mp4 too (it takes about as long as the pose model).
    annotated_video: bool = False
    #: Video: look the pose up in the pose cache (does not change the outputs: not part of the key).
    use_cache: bool = True

    def for_athlete(self, athlete: Athlete) -> AnalysisOptions:
        """These options with what the athlete map says about the clip."""
        return replace(
            self,
            athlete_height_m=athlete.athlete_height_m or self.athlete_height_m,
            drill=athlete.drill or self.drill,
            capture_fps=athlete.capture_fps or self.capture_fps,
        )

    def keyed(self, *, video: bool) -> dict[str, Any]:
        """The options that change this input's outputs (a keypoint file ignores the video options)."""
        options = asdict(self)
        del options["use_cache"]
        if not video:
            for name in ("start_s", "end_s", "person", "pose_model", "capture_fps", "annotated_video"):
                del options[name]
        return options


@dataclass(frozen=True)
class ClipJob:
    """One input of the batch: the file, who is in it, the options, its output folder's name and key."""

    path: Path
    folder: str
    athlete: Athlete
    options: AnalysisOptions
    input_sha256: str

    @property
    def video(self) -> bool:
        return is_video(self.path)

    @property
    def key(self) -> str:
        text = json.dumps(
            {
                "input_sha256": self.input_sha256,
                "options": self.options.keyed(video=self.video),
                "kneedrive": __version__,
            },
            sort_keys=True,
        )
        return hashlib.sha256(text.encode()).hexdigest()[:32]


def plan_jobs(paths: Sequence[Path], options: AnalysisOptions, athletes: AthleteMap) -> list[ClipJob]:
    """A job per input file (its absolute path: a worker may run elsewhere): its content hashed (an
    unreadable file gets an empty hash: its analysis reports the error), the map's athlete over `options`,
    a folder name unique in the batch."""
    names = folder_names(paths)
    jobs = []
    for path, folder in zip(paths, names, strict=True):
        athlete = athletes.athlete(path)
        jobs.append(ClipJob(path.absolute(), folder, athlete, options.for_athlete(athlete), _sha256(path)))
    return jobs


def _sha256(path: Path) -> str:
    try:
        return file_sha256(path)
    except OSError:
        return ""


def folder_names(paths: Sequence[Path]) -> list[str]:
    """Each input's output folder name: its file name's stem, made safe; inputs whose stems collide get
    their parent folders' names in front (then their extension, then their position) until unique."""
    names = [_safe(p.stem) for p in paths]
    for depth in range(1, 4):
        clashes = {n for n, c in Counter(names).items() if c > 1}
        if not clashes:
            return names
        names = [_safe("_".join([*p.resolve().parent.parts[-depth:], p.stem])) if n in clashes else n
                 for p, n in zip(paths, names, strict=True)]  # fmt: skip
    clashes = {n for n, c in Counter(names).items() if c > 1}
    names = [f"{n}_{p.suffix.lstrip('.').lower()}" if n in clashes else n for p, n in zip(paths, names, strict=True)]
    seen: Counter[str] = Counter()
    unique = []
    for name in names:
        seen[name] += 1
        unique.append(name if seen[name] == 1 else f"{name}_{seen[name]}")
    return unique


def _safe(name: str) -> str:
    """A folder name that works on every file system (no separators, no leading dot)."""
    cleaned = re.sub(r"[^\w.-]+", "_", name).strip("._")
    return cleaned or "clip"
