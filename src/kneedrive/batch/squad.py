"""The squad view's rows from a batch's outcomes: each done clip's record read back from its folder."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from ..errors import KneedriveError
from ..record import load_record
from ..report.squad import SquadEntry
from .clip import ClipOutcome
from .jobs import ClipJob


def squad_entries(out_dir: Path, outcomes: Sequence[tuple[ClipJob, ClipOutcome]]) -> list[SquadEntry]:
    """One entry per input: its record from `out_dir/folder/analysis.json` (done now or before), or its
    error. The input is named relative to the current folder when it is below it."""
    entries = []
    for job, outcome in outcomes:
        record, error = None, outcome.error
        if outcome.ok:
            try:
                record = load_record(out_dir / job.folder / "analysis.json")
            except (KneedriveError, OSError) as exc:
                error = f"its analysis.json cannot be read ({exc})"
        entries.append(SquadEntry(job.athlete.name, _shown(job.path), job.folder, record, error))
    return entries


def _shown(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive (Windows)
        return str(path)
