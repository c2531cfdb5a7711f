"""Long documents on a terminal: Markdown rendered by rich at the terminal's width and paged as git pages.

The pager is GO_ADVISOR_PAGER, else PAGER, else `less -FRX` (quit when it fits one screen, keep colours, leave
the text on the screen); an empty value or `cat` prints instead. LESS, when unset, is set to FRX as git does.
"""
from __future__ import annotations

import io
import os
import shlex
import subprocess
import sys

PAGER_VARIABLE = "GO_ADVISOR_PAGER"
DEFAULT_PAGER = "less -FRX"
# The width when none can be found (no COLUMNS, no terminal on stdout, stderr or stdin).
FALLBACK_WIDTH = 100
FALLBACK_LINES = 24  # the height when none can be found: a classic terminal's


def _terminal_size(variable: str, field: str, fallback: int) -> int:
    """The variable (COLUMNS, LINES) when set to a number, else the terminal's on stdout, stderr or stdin."""
    given = os.environ.get(variable, "").strip()
    if given.isdigit() and int(given) > 0:
        return int(given)
    for stream in (sys.stdout, sys.stderr, sys.stdin):
        try:
            return int(getattr(os.get_terminal_size(stream.fileno()), field))
        except (OSError, ValueError, AttributeError):
            continue
    return fallback


def terminal_width() -> int:
    """COLUMNS when set to a number, else the width of the terminal on stdout, stderr or stdin, else
    FALLBACK_WIDTH (so `go-advisor recommend | less` lays out for the terminal it is read on)."""
    return _terminal_size("COLUMNS", "columns", FALLBACK_WIDTH)


def taller_than_terminal(text: str) -> bool:
    """Whether text has more lines than the terminal (LINES first) shows: printed, its top would scroll away."""
    return text.count("\n") >= _terminal_size("LINES", "lines", FALLBACK_LINES)


def render_markdown(text: str, width: int) -> str:
    """Markdown as a terminal shows it (headings, tables, lists); colours unless NO_COLOR is set."""
    from rich.console import Console  # noqa: PLC0415
    from rich.markdown import Markdown  # noqa: PLC0415

    buffer = io.StringIO()
    console = Console(file=buffer, width=width, force_terminal=True, legacy_windows=False,
                      no_color=bool(os.environ.get("NO_COLOR")) or None)
    console.print(Markdown(text, hyperlinks=False))
    return buffer.getvalue()


def pager_command() -> list[str]:
    """The pager to run, split as a shell would; empty: print instead."""
    for variable in (PAGER_VARIABLE, "PAGER"):
        if variable in os.environ:
            value = os.environ[variable].strip()
            return [] if value in ("", "cat") else shlex.split(value)
    return shlex.split(DEFAULT_PAGER)


def page(text: str) -> None:
    """Show text through the pager; printed directly when there is none or it cannot be started."""
    command = pager_command()
    if not command:
        sys.stdout.write(text)
        return
    sys.stdout.flush()
    env = {**os.environ}
    env.setdefault("LESS", "FRX")
    try:
        pager = subprocess.Popen(command, stdin=subprocess.PIPE, env=env)
    except OSError:
        sys.stdout.write(text)
        return
    assert pager.stdin is not None
    try:
        pager.stdin.write(text.encode("utf-8", "replace"))
        pager.stdin.close()
    except BrokenPipeError:  # the reader quit the pager before the end: nothing more to show
        pass
    while True:
        try:
            pager.wait()
            break
        except KeyboardInterrupt:  # Ctrl-C is the pager's (less uses it to stop a search), as under git
            continue
