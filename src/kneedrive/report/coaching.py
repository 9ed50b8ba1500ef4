"""Rich renderings of the coaching library, assessments, plans and the timer display."""

from __future__ import annotations

from rich.console import Group
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from ..coaching.assess import LimitingFactor
from ..coaching.library import Exercise, cite
from ..coaching.plan import WEEKDAYS, Plan
from ..coaching.timer import Interval, Tick


def library_table(exercises: tuple[Exercise, ...]) -> Table:
    table = Table(title=f"{len(exercises)} drills and exercises", title_justify="left")
    table.add_column("id", no_wrap=True)
    for column in ("Category", "Equipment", "Dose", "Per week", "Seeds"):
        table.add_column(column)
    for e in exercises:
        per_week = f"{e.min_per_week}" if e.min_per_week == e.max_per_week else f"{e.min_per_week}-{e.max_per_week}"
        table.add_row(e.id, e.category, ", ".join(e.equipment), e.dose.describe(), per_week, " ".join(e.sources))
    return table


def exercise_panel(e: Exercise) -> Panel:
    lines = [
        f"[bold]{e.purpose}[/bold]",
        f"category: {e.category}   level: {e.level}   equipment: {', '.join(e.equipment)}",
        f"muscles: {', '.join(e.muscles)}",
        f"dose: {e.dose.describe()}" + (f" ({e.dose.note})" if e.dose.note else ""),
        f"frequency: {e.min_per_week}-{e.max_per_week} x per week",
        "",
        f"[bold]Set-up[/bold]: {e.setup}",
        "[bold]Steps[/bold]:",
        *(f"  {i}. {s}" for i, s in enumerate(e.steps, 1)),
        "[bold]Cues[/bold]: " + " | ".join(e.cues),
        "[bold]Common mistakes[/bold]: " + "; ".join(e.mistakes),
    ]
    for c in e.contraindications:
        lines.append(f"[yellow]{c.rule.replace('_', ' ')} with {c.condition.replace('_', ' ')}[/yellow] {c.note}")
    if e.progressions:
        lines.append("progress to: " + ", ".join(e.progressions))
    if e.regressions:
        lines.append("regress to: " + ", ".join(e.regressions))
    lines.append("[dim]sources: " + escape("; ".join(cite(s) for s in e.sources)) + "[/dim]")
    return Panel("\n".join(lines), title=f"{e.name} ({e.id})", title_align="left")


def limiting_factors_table(factors: tuple[LimitingFactor, ...]) -> Table:
    table = Table(title="Limiting factors (score = self-assessment 0-3 + worst video fault 0-3)", title_justify="left")
    for column in ("Rank", "Barrier", "Score", "Self", "Video", "Faults", "Limiting"):
        table.add_column(column)
    for rank, f in enumerate(factors, 1):
        table.add_row(
            str(rank), f.name, str(f.score), str(f.self_report), str(f.video), ", ".join(dict.fromkeys(f.faults)),
            "[bold red]yes[/bold red]" if f.limiting else "no",
        )  # fmt: skip
    return table


def plan_tables(plan: Plan) -> Group:
    parts: list[Table | Text] = [Text("\n".join(plan.notes), style="dim")]
    if plan.limiting_factors:
        top = ", ".join(f.name for f in plan.limiting_factors if f.limiting) or "none above the threshold"
        parts.append(Text(f"Targets the limiting factors: {top}"))
    for week in range(1, plan.weeks + 1):
        table = Table(title=f"Week {week}", title_justify="left", show_lines=True)
        table.add_column("Day")
        table.add_column("Session")
        for day in plan.week(week):
            when = WEEKDAYS[day.weekday] + ("" if day.date is None else f" {day.date.isoformat()}")
            body = "\n".join(f"[dim]{i.role}[/dim] {i.name}: {i.describe()}" for i in day.items if i.role != "mobility")
            mobility = ", ".join(i.name for i in day.items if i.role == "mobility")
            table.add_row(when, (body + "\n" if body else "") + f"[dim]mobility[/dim] {mobility}")
        parts.append(table)
    return Group(*parts)


def timer_line(tick: Tick, total: int, sets: int) -> Text:
    i: Interval = tick.interval
    style = {"work": "bold green", "rest": "bold blue", "switch": "bold yellow", "get_ready": "bold"}[i.kind]
    side = f" {i.side}" if i.side else ""
    return Text.assemble(
        (f"{i.kind.replace('_', ' ').upper()}{side}", style),
        f"  {tick.remaining_s:5.1f} s   set {i.set_index}/{sets}   interval {tick.number + 1}/{total}",
    )
