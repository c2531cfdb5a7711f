"""Read a buyer's quote sheet (CSV or XLSX) into rows of typed fields, every problem named by its row.

Cell text is data: it is read as a string and parsed as a number where a field needs one, never evaluated.
"""
from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

from advisor.errors import InputError
from advisor.reading import read_regular
from advisor.sheets import units

# field -> header names buyers use for it (compared case-insensitively, spaces and punctuation ignored).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "model": ("model", "name", "product", "modelname", "productname", "description", "laptop", "machine"),
    "cpu": ("cpu", "processor", "cpumodel", "chip"),
    "ram_gb": ("ram", "memory", "ramgb", "memorygb", "mem"),
    "storage_gb": ("storage", "ssd", "disk", "storagegb", "ssdgb", "diskgb", "drive"),
    "price": ("price", "quote", "cost", "unitprice", "quotedprice", "netprice"),
    "currency": ("currency", "cur", "ccy"),
    # a laptop's weight in kg, a spec; the scoring weights are --weight and the output's Weights sheet
    "weight_kg": ("weight", "weightkg", "laptopweight", "mass"),
    "market": ("market", "region", "country"),
    "quantity": ("quantity", "qty", "units", "count"),
}
FIELDS = tuple(SYNONYMS)
_PARSERS: dict[str, Callable[[str], Any]] = {
    "ram_gb": units.memory_gb, "storage_gb": units.storage_gb, "weight_kg": units.weight_kg,
    "quantity": units.quantity, "price": units.price, "currency": units.currency,
}
# A quote sheet is tens of rows: bounds keep a hostile file from filling memory.
MAX_ROWS = 100_000
XLSX_UNPACKED_LIMIT = 256 * 1024 * 1024


@dataclass(frozen=True)
class Note:
    """A problem with one cell or row: row number as the spreadsheet shows it (header = 1) and column."""

    row: int
    column: str
    message: str
    field: str = ""  # the field a cell was read for, when the note is about a cell that could not be read

    def line(self, path: Path | str) -> str:
        where = f"{path}: row {self.row}" + (f", column {self.column!r}" if self.column else "")
        return f"{where}: {self.message}"


@dataclass
class QuoteRow:
    """One quote: the buyer's cells as read (kept for the output) and the fields parsed from them."""

    row: int
    cells: dict[str, str]
    fields: dict[str, Any] = field(default_factory=dict)
    duplicate_of: int | None = None
    unreadable: dict[str, Note] = field(default_factory=dict)  # field -> why its cell could not be read
    values: tuple[str, ...] = ()  # the cells by position under the headers, as written back (a header may be empty)


@dataclass
class QuoteSheet:
    """A read sheet: its headers in order, the quotes, which header fed which field, and the notes."""

    path: Path
    headers: list[str]
    rows: list[QuoteRow]
    columns: dict[str, str]  # field -> header
    notes: list[Note]


def _key(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def parse_map(entries: Iterable[str]) -> dict[str, str]:
    """--map COLUMN=field entries as {column: field}; an unknown field is an InputError."""
    mapping: dict[str, str] = {}
    for entry in entries:
        column, sep, name = entry.partition("=")
        if not sep or not column.strip() or name.strip() not in FIELDS:
            raise InputError(f"--map: {entry!r} is not COLUMN=FIELD with FIELD one of {', '.join(FIELDS)}")
        mapping[column.strip()] = name.strip()
    return mapping


def assign_columns(headers: list[str], mapping: Mapping[str, str], path: Path | str) -> dict[str, str]:
    """field -> header: --map first, then the first header matching a synonym; a mapped header must exist."""
    by_key = {_key(h): h for h in reversed(headers) if h}
    columns: dict[str, str] = {}
    for column, name in mapping.items():
        header = by_key.get(_key(column))
        if header is None:
            raise InputError(f"{path}: --map {column}={name}: no column {column!r} (columns: {', '.join(headers)})")
        columns[name] = header
    taken = set(columns.values())
    for name, synonyms in SYNONYMS.items():
        if name in columns:
            continue
        for synonym in synonyms:
            header = by_key.get(synonym)
            if header is not None and header not in taken:
                columns[name] = header
                taken.add(header)
                break
    if "model" not in columns and "cpu" not in columns:
        raise InputError(f"{path}: row 1: no model or CPU column (columns: {', '.join(headers)}; "
                         "name one with --map COLUMN=model)")
    return columns


def _text(value: object) -> str:
    """A cell as text: numbers as written (16.0 as 16), None as empty; never a formula's evaluation."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _csv_table(path: Path) -> list[list[str]]:
    data = read_regular(path)  # a regular file of bounded size: a FIFO or a device never hangs the read
    try:
        text = data.decode("utf-8-sig")  # with or without the BOM Excel writes
    except UnicodeDecodeError as error:
        raise InputError(f"{path}: not UTF-8 text (byte {error.start}); save the sheet as CSV UTF-8") from None
    try:
        dialect: Any = csv.Sniffer().sniff(text[:8192], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    try:
        return list(islice(csv.reader(io.StringIO(text), dialect), MAX_ROWS + 1))
    except csv.Error as error:
        raise InputError(f"{path}: not a CSV file ({error})") from None


def _unpacked_size(data: bytes) -> int:
    """What an XLSX (a zip) unpacks to, by its own directory; a broken zip is openpyxl's to refuse."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return sum(item.file_size for item in archive.infolist())
    except (zipfile.BadZipFile, OSError):
        return 0


def _spread_merges(table: list[list[str]], merges: Iterable[tuple[int, int, int, int]]) -> None:
    """Merged cells as a reader sees them: a cell merged down over data rows applies to each row it spans
    (one model or currency for a block of quotes); merged across, it is one column's value, its other columns
    stay empty; a merged header names its column once. Ranges are (first row, first column, last row, last
    column), 1-based as openpyxl gives them."""
    header = next((i for i, cells in enumerate(table) if any(c.strip() for c in cells)), None)
    for first_row, column, last_row, _ in merges:
        if header is None or first_row - 1 <= header or first_row > len(table):
            continue  # the header row: its merged cell already names the column once
        value = table[first_row - 1][column - 1] if column <= len(table[first_row - 1]) else ""
        for index in range(first_row, min(last_row, len(table))):
            cells = table[index]
            cells.extend([""] * (column - len(cells)))
            cells[column - 1] = value


def _xlsx_table(path: Path) -> list[list[str]]:
    from openpyxl import load_workbook  # noqa: PLC0415  (only for .xlsx input)

    data = read_regular(path)
    if _unpacked_size(data) > XLSX_UNPACKED_LIMIT:  # a small zip can unpack to gigabytes
        raise InputError(f"{path}: unpacks to more than {XLSX_UNPACKED_LIMIT:,} bytes; not a quote sheet")
    try:
        # data_only: a formula cell gives the value Excel saved, not the formula text to evaluate; not read-only,
        # since only a loaded worksheet knows its merged ranges
        book = load_workbook(io.BytesIO(data), data_only=True)
    except Exception as error:  # openpyxl raises zipfile, KeyError and its own errors on a bad file
        raise InputError(f"{path}: not a readable XLSX workbook ({type(error).__name__})") from None
    try:
        sheet = book.worksheets[0]
        table = [[_text(v) for v in values] for values in islice(sheet.iter_rows(values_only=True), MAX_ROWS + 1)]
        _spread_merges(table, [(r.min_row, r.min_col, r.max_row, r.max_col) for r in sheet.merged_cells.ranges])
        return table
    finally:
        book.close()


def read_table(path: Path) -> list[list[str]]:
    """The first sheet of an XLSX workbook or a CSV file as rows of cell text."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _xlsx_table(path)
    if path.suffix.lower() in (".csv", ".tsv", ".txt"):
        return _csv_table(path)
    raise InputError(f"{path}: not a .csv or .xlsx file")


def parse_cells(cells: Mapping[str, str], columns: Mapping[str, str], row: int) -> tuple[dict[str, Any], list[Note]]:
    """The typed fields of one row's cells and a note for each cell that is not the number it should be."""
    fields: dict[str, Any] = {}
    notes: list[Note] = []
    for name, header in columns.items():
        text = cells.get(header, "").strip()
        if not text:
            continue
        parser = _PARSERS.get(name)
        if parser is None:
            fields[name] = text.lower() if name == "market" else text
            continue
        try:
            value = parser(text)
        except units.UnitError as error:
            notes.append(Note(row, header, str(error), name))
            continue
        if name == "price":
            fields["price"], symbol = value
            if symbol:
                fields.setdefault("price_currency", symbol)
        else:
            fields[name] = value
    if "price_currency" in fields:
        stated = fields.get("currency")
        if stated and stated != fields["price_currency"]:
            notes.append(Note(row, columns["price"], f"price in {fields['price_currency']} but currency "
                              f"column says {stated}"))
        fields["currency"] = stated or fields["price_currency"]
        del fields["price_currency"]
    return fields, notes


def read_quotes(path: str | Path, mapping: Mapping[str, str] | None = None) -> QuoteSheet:
    """Read a quote sheet: its header row, then one quote per non-empty row (duplicates noted)."""
    path = Path(path)
    table = read_table(path)
    if len(table) > MAX_ROWS:
        raise InputError(f"{path}: more than {MAX_ROWS} rows")
    start = next((i for i, cells in enumerate(table) if any(c.strip() for c in cells)), None)
    if start is None:
        raise InputError(f"{path}: empty sheet (no header row)")
    headers = [c.strip() for c in table[start]]
    seen_headers: set[str] = set()
    for index, header in enumerate(headers):
        if header and _key(header) in seen_headers:
            raise InputError(f"{path}: row {start + 1}, column {index + 1}: header {header!r} appears twice")
        seen_headers.add(_key(header))
    columns = assign_columns(headers, mapping or {}, path)
    rows: list[QuoteRow] = []
    notes: list[Note] = []
    for index in range(start + 1, len(table)):
        number = index + 1
        raw = table[index]
        if not any(c.strip() for c in raw):
            continue  # an empty row separates blocks in many sheets; it is no quote
        if len(raw) > len(headers) and any(c.strip() for c in raw[len(headers):]):
            notes.append(Note(number, "", f"{len(raw) - len(headers)} cell(s) beyond the last header ignored"))
        cells = {h: (raw[i] if i < len(raw) else "") for i, h in enumerate(headers) if h}
        fields, cell_notes = parse_cells(cells, columns, number)
        notes.extend(cell_notes)
        rows.append(QuoteRow(number, cells, fields, unreadable={n.field: n for n in cell_notes if n.field},
                             values=tuple(raw[i] if i < len(raw) else "" for i in range(len(headers)))))
    notes.extend(mark_duplicates(rows))
    return QuoteSheet(path, headers, rows, columns, notes)


def mark_duplicates(rows: Iterable[QuoteRow]) -> list[Note]:
    """Mark each row whose cells equal an earlier row's (case and spacing aside) as its duplicate, and a note
    naming both rows: the duplicate is kept in the output and scored once, as the row it repeats."""
    first_of: dict[tuple[str, ...], int] = {}
    notes = []
    for quote in rows:
        signature = tuple(" ".join(c.split()).casefold() for c in quote.values or quote.cells.values())
        if signature in first_of:
            quote.duplicate_of = first_of[signature]
            notes.append(Note(quote.row, "", f"duplicate of row {quote.duplicate_of}: scored once, as that row"))
        else:
            first_of[signature] = quote.row
    return notes


def rows_from_dicts(rows: Iterable[Mapping[str, object]], mapping: Mapping[str, str] | None = None,
                    source: str = "rows") -> QuoteSheet:
    """A QuoteSheet from Python dicts (advisor.score_rows): their keys are the headers, row 2 the first."""
    dicts = [dict(r) for r in rows]
    headers: list[str] = []
    for r in dicts:
        headers.extend(str(k) for k in r if str(k) not in headers)
    columns = assign_columns(headers, mapping or {}, source)
    quotes, notes = [], []
    for offset, r in enumerate(dicts):
        number = offset + 2
        cells = {h: _text(r.get(h)) for h in headers}
        fields, cell_notes = parse_cells(cells, columns, number)
        notes.extend(cell_notes)
        quotes.append(QuoteRow(number, cells, fields, unreadable={n.field: n for n in cell_notes if n.field},
                               values=tuple(cells[h] for h in headers)))
    notes.extend(mark_duplicates(quotes))
    return QuoteSheet(Path(source), headers, quotes, columns, notes)
