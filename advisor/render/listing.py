"""Listings (db list, profile list, knowledge list and facts): rows of plain values as a table, JSON or CSV.

The table fits the width it is given: columns are kept in their order while they fit, and those left out are
named under the table (CSV and JSON always hold every column)."""
from __future__ import annotations

import textwrap
from typing import Any, Sequence

from advisor.output import json_text
from advisor.render.csv_format import write_rows
from advisor.render.escape import terminal_line

LISTING_FORMATS = ("table", "json", "csv")
GAP = 2
# A cell longer than this is cut with "…" in the table (CSV and JSON keep it whole).
MAX_CELL = 60


def cell(value: Any) -> str:
    """A value as a person reads it: nothing for None, lists joined, numbers without a spurious `.0`."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.0f}" if value.is_integer() and abs(value) >= 1000 else f"{value:g}"
    if isinstance(value, (list, tuple)):
        return " ".join(cell(item) for item in value)
    return terminal_line(str(value))


def _csv_value(value: Any) -> object:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return " ".join(str(item) for item in value)
    return value


def table(rows: Sequence[dict[str, Any]], width: int, keep_whole: Sequence[str] = ("id",),
          count_noun: str = "records") -> str:
    """Aligned columns in at most `width` characters; whole ids (never cut), other cells cut at MAX_CELL."""
    if not rows:
        return f"no {count_noun} match\n"
    columns = list(rows[0])
    cells = {c: [cell(r.get(c)) for r in rows] for c in columns}
    for c in columns:
        if c not in keep_whole:
            cells[c] = [text if len(text) <= MAX_CELL else text[:MAX_CELL - 1] + "…" for text in cells[c]]
    widths = {c: max(len(c), *(len(text) for text in cells[c])) for c in columns}
    shown: list[str] = []
    used = 0
    for c in columns:
        need = widths[c] + (GAP if shown else 0)
        if not shown or used + need <= width:
            shown.append(c)
            used += need
    numeric = {c for c in shown if all(isinstance(r.get(c), (int, float)) or r.get(c) is None for r in rows)
               and not all(r.get(c) is None for r in rows)}

    def line(values: dict[str, str]) -> str:
        parts = [values[c].rjust(widths[c]) if c in numeric else values[c].ljust(widths[c]) for c in shown]
        return (" " * GAP).join(parts).rstrip()

    lines = [line({c: c for c in shown})]
    lines += [line({c: cells[c][i] for c in shown}) for i in range(len(rows))]
    footer = f"({len(rows)} {count_noun})"
    left_out = [c for c in columns if c not in shown]
    if left_out:
        footer += f" left out at {width} columns: {', '.join(left_out)}; -f csv or -f json has every column"
    return "\n".join(lines) + "\n" + "\n".join(textwrap.wrap(footer, max(width, 40))) + "\n"


def csv_text(rows: Sequence[dict[str, Any]]) -> str:
    """CSV with a header of the rows' keys; every text cell a spreadsheet would run is written as text."""
    if not rows:
        return ""
    columns = list(rows[0])
    return write_rows([list(columns), *([_csv_value(r.get(c)) for c in columns] for r in rows)])


def listing(rows: Sequence[dict[str, Any]], fmt: str, width: int, keep_whole: Sequence[str] = ("id",),
            count_noun: str = "records") -> str:
    """Rows in one of LISTING_FORMATS."""
    if fmt == "json":
        return json_text(list(rows))
    if fmt == "csv":
        return csv_text(rows)
    return table(rows, width, keep_whole, count_noun)
