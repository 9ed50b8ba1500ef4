"""The squad view of a batch: squad.csv and squad.html, one row per athlete and clip.

Each row has the clip's key figures (a sprint's or run's summary, a drill's median over reps: the rows of
the report's own tables, labels and units from the metric registry), its top faults and a link to its
report; squad.html (self-contained: inline CSS and SVG, a few lines of inline script to sort the table, no
fetch) adds the squad's distribution of each figure, every athlete a dot. Inputs that failed are listed
with their one-line error.
"""

from __future__ import annotations

import csv
import io
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from markupsafe import Markup, escape

from ..io.atomic import write_text_atomic
from ..metrics.registry import Metric, registry
from ..record import AnalysisRecord
from .drill_view import DRILL_ROWS, rep_figure
from .findings import SEVERITY_RANK
from .html import SUMMARY_ROWS, fmt
from .html import _environment as report_templates

TOP_FAULTS = 3


@dataclass(frozen=True)
class SquadEntry:
    """One clip of the batch: who, which input, its output folder (relative to the squad files), and its
    record (None: the input failed, with `error`)."""

    athlete: str
    input: str
    folder: str
    record: AnalysisRecord | None
    error: str | None = None


@dataclass(frozen=True)
class Figure:
    """A squad column: a metric in a scope ("summary": a sprint's or run's figure, "rep": a drill's)."""

    metric: Metric
    scope: str

    @property
    def column(self) -> str:
        """The CSV column: the field name with its unit (drill figures prefixed with rep_)."""
        return self.metric.name if self.scope == "summary" else f"rep_{self.metric.name}"

    def value(self, record: AnalysisRecord) -> float | None:
        """The clip's figure in stored units: a run's summary figure (the mean of the sides when the summary
        has none), a drill's median over reps."""
        name = self.metric.name
        if self.scope == "rep":
            return rep_figure(record, name) if record.is_drill else None
        if record.is_drill:
            return None
        value = getattr(record.summary, name, None)
        if value is not None:
            return float(value)
        sides = [v for s in ("left", "right") if (v := record.sides.get(s, {}).get(name)) is not None]
        return statistics.fmean(sides) if sides else None


def squad_figures(entries: Sequence[SquadEntry]) -> list[Figure]:
    """The figures that at least one clip has, sprint/run figures first, then drill figures."""
    records = [e.record for e in entries if e.record is not None]
    candidates = [Figure(registry()[n], "summary") for n in SUMMARY_ROWS]
    candidates += [Figure(registry()[n], "rep") for n in DRILL_ROWS]
    return [f for f in candidates if any(f.value(r) is not None for r in records)]


def top_faults(record: AnalysisRecord, count: int = TOP_FAULTS) -> list[str]:
    """The clip's most severe faults' titles."""
    ranked = sorted(record.coaching.faults, key=lambda f: SEVERITY_RANK.get(f.severity, 3))
    return [f"{f.title} ({f.severity})" for f in ranked[:count]]


def report_link(entry: SquadEntry) -> str:
    return f"{quote(entry.folder)}/report.html"


def squad_csv(entries: Sequence[SquadEntry]) -> str:
    """One row per clip: athlete, input, activity, figures (stored units, named with them), faults, report."""
    figures = squad_figures(entries)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    header = ["athlete", "input", "status", "activity", "frames", "fps_hz", "duration_s"]
    writer.writerow([*header, *(f.column for f in figures), "faults", "top_faults", "report", "error"])
    for entry in entries:
        record = entry.record
        if record is None:
            writer.writerow([entry.athlete, entry.input, "failed", *[""] * (4 + len(figures)), "", "", "", entry.error])
            continue
        values = [f.value(record) for f in figures]
        writer.writerow(
            [entry.athlete, entry.input, "ok", record.drill.label, record.input.frames]
            + [repr(record.input.fps_hz), repr(record.input.duration_s)]
            + ["" if v is None else repr(v) for v in values]
            + [len(record.coaching.faults), "; ".join(top_faults(record)), report_link(entry), ""]
        )
    return buf.getvalue()


def _distribution_svg(figure: Figure, points: Sequence[tuple[str, float]]) -> str:
    """The squad's values of one figure (display units) as dots on a line, the median marked; each dot's
    tooltip names the athlete. Built from numbers and escaped names only."""
    width, height, pad = 320, 34, 12
    shown = [(name, v * figure.metric.factor) for name, v in points]
    low, high = min(v for _, v in shown), max(v for _, v in shown)
    span = high - low or 1.0

    def x(v: float) -> float:
        return pad + (v - low) / span * (width - 2 * pad) if high > low else width / 2

    median = statistics.median(v for _, v in shown)
    dots = "".join(
        f'<circle cx="{x(v):.1f}" cy="17" r="4.5"><title>{escape(name)}: {fmt(v)}</title></circle>' for name, v in shown
    )
    return (
        f'<svg viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        f'aria-label="{escape(figure.metric.label)}: squad distribution">'
        f'<line x1="{pad}" y1="17" x2="{width - pad}" y2="17" class="axis"/>'
        f'<line x1="{x(median):.1f}" y1="5" x2="{x(median):.1f}" y2="29" class="median"/>{dots}</svg>'
    )


def activity_groups(entries: Sequence[SquadEntry]) -> list[tuple[str, list[SquadEntry]]]:
    """The analyzed clips by activity (a sprint's figures are not a drill's), in the order first seen."""
    groups: dict[str, tuple[str, list[SquadEntry]]] = {}
    for entry in entries:
        if entry.record is not None:
            drill = entry.record.drill
            groups.setdefault(drill.id, (drill.name, []))[1].append(entry)
    return list(groups.values())


def _group_view(name: str, entries: Sequence[SquadEntry]) -> dict[str, Any]:
    """One activity's table (rows, display values with their sort keys) and the distribution of each figure."""
    figures = squad_figures(entries)
    rows = []
    for entry in entries:
        record = entry.record
        assert record is not None
        values = [f.value(record) for f in figures]
        rows.append(
            {
                "athlete": entry.athlete,
                "input": entry.input,
                "activity": record.drill.label,
                "cells": [
                    {"sort": "" if v is None else repr(v * f.metric.factor), "text": fmt(v, f.metric.factor)}
                    for f, v in zip(figures, values, strict=True)
                ],
                "faults": top_faults(record),
                "fault_count": len(record.coaching.faults),
                "link": report_link(entry),
            }
        )
    distributions = []
    for figure in figures:
        points = [(e.athlete, v) for e in entries if e.record is not None and (v := figure.value(e.record)) is not None]
        shown = [v * figure.metric.factor for _, v in points]
        distributions.append(
            {
                "label": figure.metric.label_in(figure.scope),
                "unit": figure.metric.display,
                "n": len(points),
                "min": fmt(min(shown)),
                "median": fmt(statistics.median(shown)),
                "max": fmt(max(shown)),
                "svg": Markup(_distribution_svg(figure, points)),
            }
        )
    columns = [{"label": f.metric.label_in(f.scope), "unit": f.metric.display} for f in figures]
    return {"name": name, "columns": columns, "rows": rows, "distributions": distributions}


def render_squad(entries: Sequence[SquadEntry], *, title: str = "Squad") -> str:
    """squad.html for the batch's clips: a sortable table and the distributions per activity, the failures."""
    groups = [_group_view(name, members) for name, members in activity_groups(entries)]
    failed = [{"athlete": e.athlete, "input": e.input, "error": e.error or ""} for e in entries if e.record is None]
    template = report_templates().get_template("squad.html.j2")
    return template.render(
        title=title,
        generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        analyzed=sum(len(g["rows"]) for g in groups),
        groups=groups,
        failed=failed,
    )


def write_squad(out_dir: Path, entries: Sequence[SquadEntry]) -> list[Path]:
    """DIR/squad.csv and DIR/squad.html, written atomically."""
    paths = [out_dir / "squad.csv", out_dir / "squad.html"]
    write_text_atomic(paths[0], squad_csv(entries))
    write_text_atomic(paths[1], render_squad(entries, title=f"Squad: {out_dir.resolve().name}"))
    return paths
