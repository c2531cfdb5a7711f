"""`go-advisor validate`: the model's prediction error per metric and per measured record."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from advisor.bench.calibrate import Coefs, inputs_of, measured, metric_group, predictions
from advisor.bench.record import Record
from advisor.output import json_text
from advisor.types import Knowledge


def validation(records: list[tuple[Path, Record]], knowledge: Knowledge) -> list[dict[str, Any]]:
    """One row per record and metric: measured, predicted and the relative error; a metric the model cannot
    predict for the record (no clock, no lines) has predicted None and says why."""
    coefs = Coefs.of(knowledge)
    rows: list[dict[str, Any]] = []
    for path, record in records:
        inputs = inputs_of(path.stem, record)
        got, want = predictions(inputs, coefs), measured(inputs)
        for metric, value in want.items():
            predicted = got.get(metric)
            row: dict[str, Any] = {"record": path.stem, "metric": metric, "measured": value, "predicted": predicted,
                                   "error": predicted / value - 1 if predicted is not None and value else None}
            if predicted is None:
                row["why"] = ("a machine's own figure: predicted only for a database machine"
                              if metric_group(metric) == "sustained_clock_ratio"
                              else "no line count, or a core family without a loaded clock")
            if inputs.notes:
                row["notes"] = list(inputs.notes)
            rows.append(row)
        if not want:
            rows.append({"record": path.stem, "metric": None, "measured": None, "predicted": None, "error": None,
                         "why": "no step of this record measures a model metric"})
    return rows


def _number(value: float | None) -> str:
    return "-" if value is None else f"{value:.4g}"


def format_validation(rows: list[dict[str, Any]], fmt: str) -> str:
    if fmt == "json":
        return json_text(rows)
    cells = [["record", "metric", "measured", "predicted", "error"]]
    for row in rows:
        error = "-" if row["error"] is None else f"{row['error']:+.1%}"
        cells.append([row["record"], row["metric"] or "-", _number(row["measured"]), _number(row["predicted"]),
                      error + (f" ({row['why']})" if row.get("why") else "")])
    widths = [max(len(line[i]) for line in cells) for i in range(4)]
    text = "".join("  ".join(cell.ljust(w) for cell, w in zip(line[:4], widths, strict=True)) + "  " + line[4] + "\n"
                   for line in cells)
    notes = sorted({f"{row['record']}: {note}" for row in rows for note in row.get("notes", [])})
    return text + "".join(f"note: {note}\n" for note in notes)
