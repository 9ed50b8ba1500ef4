"""The squad view's rows from a batch's outcomes: each done clip's record read back from its folder."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path

from ..record import AnalysisRecord
from ..report.squad import SquadEntry
from .clip import ClipOutcome
from .jobs import ClipJob


def squad_entries(out_dir: Path, outcomes: Sequence[tuple[ClipJob, ClipOutcome]]) -> list[SquadEntry]:
    """One entry per input: its record from `out_dir/folder/analysis.json` (done now or before, whole: the
    caller checked its manifest), or its error. The input is named relative to the current folder."""
    entries = []
    for job, outcome in outcomes:
        record, error = None, outcome.error
        if outcome.ok:
            try:
                record = written_record(out_dir / job.folder / "analysis.json")
            except (OSError, KeyError, TypeError, ValueError) as exc:
                error = f"its analysis.json cannot be read ({type(exc).__name__}: {exc})"
        entries.append(SquadEntry(job.athlete.name, _shown(job.path), job.folder, record, error))
    return entries


def written_record(path: Path) -> AnalysisRecord:
    """A record this batch wrote (its folder's manifest has this version's key): read without the schema
    check of `load_record`, which takes 95 % of its 0.13 s, so that a re-run of a large batch stays fast."""
    return AnalysisRecord.from_dict(json.loads(path.read_text(encoding="utf-8")))


def _shown(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive (Windows)
        return str(path)
