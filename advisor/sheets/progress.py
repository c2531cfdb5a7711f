"""A progress bar for scoring a long quote sheet: rich, on stderr, gone when the work is done."""
from __future__ import annotations

from contextlib import contextmanager
from typing import Callable, Iterator

from rich.console import Console


@contextmanager
def bar(rows: int, console: Console | None = None) -> Iterator[Callable[[], None]]:
    """A bar of `rows` steps; the function it yields advances it by one row. The caller decides whether a
    terminal is there (a Console on stderr by default, which rich keeps plain when it is not one)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn  # noqa: PLC0415

    with Progress(TextColumn("scoring quotes"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console or Console(stderr=True), transient=True) as progress:
        task = progress.add_task("rows", total=rows)
        yield lambda: progress.advance(task)
