"""The batch's one progress bar: clips done of the clips to analyze, failures, time left."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn


class ClipsBar:
    """Advance once per finished clip; `note` prints a line above the bar (a failure as it happens)."""

    def __init__(self, bar: Progress, total: int) -> None:
        self._bar = bar
        self._task = bar.add_task("clips", total=total, failed="")
        self.failed = 0

    def advance(self, *, failed: bool) -> None:
        self.failed += failed
        self._bar.update(self._task, advance=1, failed=f"[red]{self.failed} failed[/red]" if self.failed else "")

    def note(self, line: str) -> None:
        self._bar.console.print(line, highlight=False, markup=False, soft_wrap=True)


@contextmanager
def clips_progress(console: Console, total: int) -> Iterator[ClipsBar]:
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[failed]}"),
        TimeElapsedColumn(),
        TextColumn("left"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=False) as bar:
        yield ClipsBar(bar, total)
