"""Every command's output formats, declared once; the CLI builds each `--format` (choices, default, help) from here.

The first format of a command is its default. `choices()` makes the case-insensitive Enum typer turns into
a click choice, so `--help` lists the values and a wrong one exits 2 before any code runs.
"""
from __future__ import annotations

from enum import StrEnum
from typing import Iterable

FORMATS: dict[str, tuple[str, ...]] = {
    "recommend": ("table", "markdown", "json", "csv"),
    "compare": ("table", "markdown", "json", "csv"),
    "explain": ("markdown", "json"),
    "db list": ("table", "json", "csv"),
    "db show": ("yaml", "json"),
    "db check": ("text", "json"),
    "profile list": ("table", "json", "csv"),
    "profile show": ("yaml", "json"),
    "profile scan": ("table", "yaml", "json"),
    "probe": ("table", "yaml", "json"),
    "knowledge list": ("table", "json", "csv"),
    "knowledge show": ("yaml", "json"),
    "knowledge facts": ("table", "json", "csv"),
    "knowledge test": ("text", "json"),
    "bench": ("text", "yaml", "json"),
    "calibrate": ("text", "json"),
    "validate": ("table", "json"),
    "results": ("table", "markdown", "json", "csv"),
    "score-sheet": ("csv", "xlsx"),
    "guide": ("markdown", "html"),
    "config show": ("text", "json"),
}

# What a format holds, where its name does not say.
NOTES: dict[tuple[str, str], str] = {
    ("bench", "text"): "a summary of each step",
    ("bench", "yaml"): "the measured record",
    ("profile scan", "yaml"): "a profile file for `recommend --profile`",
    ("profile scan", "json"): "the profile and every measurement",
    ("probe", "yaml"): "a hardware_db record",
    ("score-sheet", "xlsx"): "live formulas over a Weights sheet; needs -o, and is the default for -o *.xlsx",
}


def choices(name: str, values: Iterable[str]) -> type[StrEnum]:
    """An Enum whose members are the values themselves (`Enum("json") == "json"`)."""
    # mypy types a call of the functional Enum API as a member, not the new class it returns.
    return StrEnum(name, {value: value for value in values})  # type: ignore[return-value]


def spoken(values: Iterable[str]) -> str:
    """`a, b or c`."""
    items = list(values)
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} or {items[-1]}"


def format_help(command: str) -> str:
    names = [f"{name} ({NOTES[command, name]})" if (command, name) in NOTES else name for name in FORMATS[command]]
    return f"Output format: {spoken(names)}."


FORMAT_CHOICES: dict[str, type[StrEnum]] = {
    command: choices(command.title().replace(" ", "") + "Format", names) for command, names in FORMATS.items()}
