"""Scored quote sheets out: CSV (every text cell escaped) and XLSX whose Weights sheet drives live totals.

The buyer's columns come first and untouched, then the tool's; disqualified and unmatched rows stay in,
with the reason, so a sheet never silently loses a quote.
"""
from __future__ import annotations

import csv
import io
from typing import Any

from advisor.render.escape import csv_cell
from advisor.sheets.match import needs_mapping_line
from advisor.sheets.score import ScoredRow, ScoredSheet

FINDINGS_SHOWN = 3


def _criteria(scored: ScoredSheet) -> list[str]:
    return list(scored.weights)


def _has_quantity(scored: ScoredSheet) -> bool:
    return "quantity" in scored.sheet.columns


def tool_headers(scored: ScoredSheet) -> list[str]:
    """The columns the tool adds after the buyer's; with a quantity column, the quantity read and the cost of
    the row (price x quantity)."""
    cost = ["quantity", f"total cost ({scored.currency})"] if _has_quantity(scored) else []
    return ["go-advisor match", *(f"score {c}" for c in _criteria(scored)), "total", "rank", "rating",
            "verdict", "disqualified by", f"price ({scored.currency})", *cost, "price note", "top findings",
            "match note"]


def total_cost(row: ScoredRow) -> float | None:
    """What the row's quote costs at its quantity, in the sheet's currency; None without a price or quantity."""
    quantity = row.quote.fields.get("quantity")
    if row.score is None or row.score.price is None or quantity is None:
        return None
    return round(row.score.price.amount * quantity, 2)


def roles(scored: ScoredSheet) -> dict[int, str]:
    """Quote row -> its verdict roles (best pick, runner-up, best value, best on an OS when the profile names
    none), from recommend's verdict over the ranked quotes; a configuration quoted twice takes them once."""
    from advisor.scoring import rank  # noqa: PLC0415
    from advisor.verdict import verdict  # noqa: PLC0415

    eligible = [r for r in scored.rows if r.rank is not None and r.score is not None]
    row_of: dict[str, int] = {}
    for r in sorted(eligible, key=lambda r: (r.rank or 0, r.quote.row)):
        row_of.setdefault(r.score.machine_config if r.score else "", r.quote.row)
    ranked = rank({r.score.machine_config: r.score for r in eligible if r.score}.values())
    found: dict[int, str] = {}
    for pick in verdict(ranked, scored.primary_os, os_fixed=not scored.primary_os):
        row = row_of[pick.machine_config]
        found[row] = ", ".join(filter(None, [found.get(row), pick.role]))
    return found


def tool_cells(row: ScoredRow, scored: ScoredSheet, picked: dict[int, str]) -> list[Any]:
    """The tool's cells of one row: numbers as numbers, text as text; empty where the row was not scored."""
    score = row.score
    cost: list[Any] = []
    if _has_quantity(scored):
        cost = [row.quote.fields.get("quantity", ""), "" if total_cost(row) is None else total_cost(row)]
    if score is None:
        return ["", *([""] * len(_criteria(scored))), "", "", "", "", "", "", *cost, "", "",
                needs_mapping_line(row.match)]
    by_name = {c.criterion: c for c in score.criteria}
    findings = [f for f in score.findings if f.effect.disqualify] + [f for f in score.findings
                                                                     if not f.effect.disqualify]
    top = " | ".join(f"{f.rule_id}: {f.message}" for f in findings[:FINDINGS_SHOWN])
    return [score.machine_config,
            *(by_name[c].score if c in by_name and by_name[c].score is not None else "" for c in _criteria(scored)),
            score.total, row.rank if row.rank is not None else "", score.rating, picked.get(row.quote.row, ""),
            ", ".join(score.disqualified_by), score.price.amount if score.price else "", *cost, row.price_note, top,
            row.match.how + (f"; duplicate of row {row.quote.duplicate_of}" if row.quote.duplicate_of else "")]


def _buyers(row: ScoredRow, headers: list[str]) -> list[str]:
    """The buyer's cells of a row as read, by position (under an empty or merged header too)."""
    return list(row.quote.values) if row.quote.values else [row.quote.cells.get(h, "") for h in headers]


def to_csv(scored: ScoredSheet, bom: bool = False) -> str:
    """The scored sheet as CSV text; every text cell, the buyer's included, goes through csv_cell."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    headers = scored.sheet.headers
    writer.writerow([csv_cell(h) for h in headers] + tool_headers(scored))
    picked = roles(scored)
    for row in scored.rows:
        writer.writerow([csv_cell(value) for value in _buyers(row, headers)]
                        + [csv_cell(v) for v in tool_cells(row, scored, picked)])
    return ("\ufeff" if bom else "") + buffer.getvalue()


def _text_cell(cell: Any, value: Any) -> None:
    """Write a value so a spreadsheet never evaluates it: a string stays a string cell (data_type "s")."""
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"  # openpyxl would otherwise take "=..." for a formula


def to_xlsx(scored: ScoredSheet) -> bytes:
    """The scored sheet as an XLSX workbook: Scores (totals and ranks as live formulas over the Weights
    sheet), Weights, Findings and Sources."""
    from openpyxl import Workbook  # noqa: PLC0415
    from openpyxl.utils import get_column_letter  # noqa: PLC0415

    book = Workbook()
    sheet = book.active
    sheet.title = "Scores"
    weights = book.create_sheet("Weights")
    criteria = _criteria(scored)
    # one row of criteria and one of weights, so a total is SUMPRODUCT of two ranges of one shape
    for column, name in enumerate(criteria, 1):
        _text_cell(weights.cell(1, column), name)
        weights.cell(2, column).value = scored.weights[name]
    headers = [*scored.sheet.headers, *tool_headers(scored)]
    for column, header in enumerate(headers, 1):
        _text_cell(sheet.cell(1, column), header)
    first_score = len(scored.sheet.headers) + 2  # after the buyer's columns and the match column
    last_score = first_score + len(criteria) - 1
    total_col, rank_col = last_score + 1, last_score + 2
    disq_col = last_score + 5
    price_col = disq_col + 1
    picked = roles(scored)
    rows = scored.rows
    last_row = len(rows) + 1
    span_w = f"Weights!$A$2:${get_column_letter(len(criteria))}$2"
    for number, row in enumerate(rows, 2):
        for column, value in enumerate(_buyers(row, scored.sheet.headers)):
            _text_cell(sheet.cell(number, column + 1), value or None)
        for column, value in enumerate(tool_cells(row, scored, picked), len(scored.sheet.headers) + 1):
            _text_cell(sheet.cell(number, column), None if value == "" else value)
        if row.score is None:
            continue
        first, last = get_column_letter(first_score), get_column_letter(last_score)
        scores = f"{first}{number}:{last}{number}"
        # A criterion without a score (empty cell) counts neither score nor weight, as the tool's total does.
        counted = f"SUMPRODUCT(--({scores}<>\"\"),{span_w})"
        sheet.cell(number, total_col).value = (
            f"=IF({counted}=0,0,ROUND(SUMPRODUCT({scores},{span_w})/{counted},1))")
        total = get_column_letter(total_col)
        disq = get_column_letter(disq_col)
        if _has_quantity(scored) and total_cost(row) is not None:
            # price x quantity as a live formula: a buyer who edits the quantity sees the cost follow
            price, quantity = get_column_letter(price_col), get_column_letter(price_col + 1)
            sheet.cell(number, price_col + 2).value = f"=ROUND({price}{number}*{quantity}{number},2)"
        if row.rank is not None:
            # rank among the scored, not disqualified rows: 1 + how many of them have a higher total
            sheet.cell(number, rank_col).value = (
                f"=1+COUNTIFS(${total}$2:${total}${last_row},\">\"&{total}{number},"
                f"${disq}$2:${disq}${last_row},\"\",${get_column_letter(first_score - 1)}$2:"
                f"${get_column_letter(first_score - 1)}${last_row},\"<>\")")
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{last_row}"
    for column, header in enumerate(headers, 1):
        longest = max([len(str(header))] + [len(str(sheet.cell(r, column).value or ""))
                                            for r in range(2, min(last_row, 200) + 1)])
        sheet.column_dimensions[get_column_letter(column)].width = min(max(8, longest + 2), 60)
    findings = book.create_sheet("Findings")
    for column, header in enumerate(["row", "configuration", "rule", "criterion", "message", "confidence",
                                     "sources"], 1):
        _text_cell(findings.cell(1, column), header)
    line = 2
    for row in rows:
        for finding in row.score.findings if row.score else ():
            cells: list[Any] = [row.quote.row, row.score.machine_config if row.score else "", finding.rule_id,
                                finding.criterion, finding.message, finding.confidence, ", ".join(finding.sources)]
            for column, item in enumerate(cells, 1):
                _text_cell(findings.cell(line, column), item)
            line += 1
    sources = book.create_sheet("Sources")
    for column, header in enumerate(["source", "title", "url"], 1):
        _text_cell(sources.cell(1, column), header)
    for place, (source_id, source) in enumerate(scored.sources.items(), 2):
        for column, value in enumerate([source_id, getattr(source, "title", ""), getattr(source, "url", "")], 1):
            _text_cell(sources.cell(place, column), str(value or ""))
    _text_cell(sources.cell(len(scored.sources) + 3, 1), "prices")
    _text_cell(sources.cell(len(scored.sources) + 3, 2), scored.rates_note)
    for extra in (weights, findings, sources):
        extra.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
