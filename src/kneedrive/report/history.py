"""`kneedrive history`: the stored sessions with the key figures, as rows (JSON) and as a terminal table.
Labels and units from the metric registry."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..metrics.registry import registry
from ..store.progress import key_figures

if TYPE_CHECKING:
    from rich.table import Table

    from ..store import Store

#: The figures shown in the terminal table (the JSON has all the followed figures).
COLUMNS = ("thigh_angle_peak_deg", "contact_time_s", "cadence_spm", "speed_mps", "step_length_m")


def history_rows(store: Store, athlete_id: int | None = None) -> list[dict[str, Any]]:
    """Every session (oldest first) as JSON: the session, and for a done one its key figures in display
    units and its faults."""
    rows = []
    for session in store.sessions(athlete_id=athlete_id):
        row = session.to_dict()
        if session.status == "done":
            record = store.record(session.id)
            row["figures"] = key_figures(record)
            row["faults"] = [f.id for f in record.coaching.faults]
        rows.append(row)
    return rows


def history_table(rows: list[dict[str, Any]]) -> Table:
    from rich.table import Table

    reg = registry()
    table = Table("date", "athlete", "activity", "status")
    for name in COLUMNS:
        metric = reg[name]
        table.add_column(f"{metric.label} ({metric.display})" if metric.display else metric.label, justify="right")
    table.add_column("faults")
    table.add_column("session")
    for row in rows:
        figures = row.get("figures", {})
        cells = []
        for name in COLUMNS:
            value = figures.get(name)
            cells.append("-" if value is None else reg[name].shown(value / reg[name].factor))
        status = row["status"] if row["status"] != "failed" else f"failed: {row['error']}"
        table.add_row(
            row["recorded_on"],
            row["athlete_name"],
            row["activity_label"] or "-",
            status,
            *cells,
            ", ".join(row.get("faults", [])) or "-",
            row["id"][:8],
        )
    return table
