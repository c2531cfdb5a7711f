"""User errors: one structured problem (path, line, field, message), shown as one line."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, located in a file (or option), line and field."""

    path: Path | str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else f"{self.path}"
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


class InputError(Exception):
    """A user's input is wrong; the message is one line naming what and where."""

    def __init__(self, message: str | Problem, problem: Problem | None = None):
        if isinstance(message, Problem):
            problem, message = message, str(message)
        super().__init__(message)
        self.problem = problem
