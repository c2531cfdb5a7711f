"""score-sheet: a buyer's quote sheet read, matched to the database, scored and written back (issue 14)."""
from __future__ import annotations

from pathlib import Path

import pytest

from advisor.errors import InputError
from advisor.sheets import units
from advisor.sheets.read import parse_map, read_quotes

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "sheets" / "quotes.csv"


@pytest.mark.parametrize(("text", "expected"), [
    ("1.299,00 €", (1299.0, "EUR")), ("$1,049", (1049.0, "USD")), ("1,299.00 EUR", (1299.0, "EUR")),
    ("999", (999.0, None)), ("1 549,00 EUR", (1549.0, "EUR")), ("£450", (450.0, "GBP")), ("1.299", (1299.0, None)),
])
def test_prices_in_cells(text: str, expected: tuple[float, str | None]) -> None:
    assert units.price(text) == expected


@pytest.mark.parametrize("text", ["sixteen hundred", "1,2,3", "0", "=1+1", ""])
def test_bad_prices_refused(text: str) -> None:
    with pytest.raises(units.UnitError):
        units.price(text)


def test_sizes_and_weights() -> None:
    assert units.size_gb("16 GB") == 16 and units.size_gb("1TB") == 1024 and units.size_gb("512") == 512
    assert units.weight_kg("1290 g") == 1.29 and units.weight_kg("1,4 kg") == 1.4
    with pytest.raises(units.UnitError):
        units.size_gb("lots")


def test_quote_csv_read() -> None:
    sheet = read_quotes(FIXTURE)
    # the BOM is not part of the first header; ; is sniffed as the delimiter; synonyms found
    assert sheet.headers[0] == "Product"
    assert sheet.columns == {"model": "Product", "cpu": "Processor", "ram_gb": "Memory", "storage_gb": "SSD",
                             "price": "Quote", "currency": "Currency", "quantity": "Qty"}
    numbers = [row.row for row in sheet.rows]
    assert 12 not in numbers and len(numbers) == 20  # the empty row 12 is skipped
    first = sheet.rows[0]
    assert first.row == 2 and first.fields == {"model": "Apple MacBook Pro 14 (M4, 2024)", "ram_gb": 24,
                                               "storage_gb": 1024, "price": 1999.0, "currency": "EUR",
                                               "quantity": 5}
    by_row = {row.row: row for row in sheet.rows}
    assert by_row[11].cells["Product"] == '=HYPERLINK("http://x","y")'  # read as text, never evaluated
    assert by_row[19].fields["currency"] == "GBP"
    assert by_row[15].duplicate_of == 4
    lines = [note.line(FIXTURE.name) for note in sheet.notes]
    assert "quotes.csv: row 15: duplicate of row 4" in lines
    assert any(line.startswith("quotes.csv: row 16, column 'Quote': 'sixteen hundred' is not a price")
               for line in lines)


def test_map_overrides_synonyms(tmp_path: Path) -> None:
    sheet = tmp_path / "q.csv"
    sheet.write_text("Bezeichnung,Preis,name\nDell XPS 13 9310,999 EUR,ignored\n", encoding="utf-8")
    read = read_quotes(sheet, parse_map(["Bezeichnung=model", "preis=price"]))
    assert read.columns["model"] == "Bezeichnung" and read.rows[0].fields["price"] == 999.0
    with pytest.raises(InputError, match="no column 'Modell'"):
        read_quotes(sheet, parse_map(["Modell=model"]))
    with pytest.raises(InputError, match="--map"):
        parse_map(["Bezeichnung=colour"])


def test_sheet_without_model_or_cpu_refused(tmp_path: Path) -> None:
    sheet = tmp_path / "q.csv"
    sheet.write_text("colour,size\nred,big\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"q.csv: row 1: no model or CPU column"):
        read_quotes(sheet)


def test_quote_xlsx_read_values_not_formulas(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Model", "RAM (GB)", "Price"])
    sheet.append(["Dell XPS 13 9310", 16, "999 EUR"])
    sheet.append([None, None, None])
    sheet.append(["Lenovo ThinkPad T490", "8 GB", "=400+50"])  # a formula: its saved value (none) is read
    path = tmp_path / "q.xlsx"
    book.save(path)
    read = read_quotes(path)
    assert read.columns == {"model": "Model", "ram_gb": "RAM (GB)", "price": "Price"}
    assert [row.row for row in read.rows] == [2, 4]
    assert read.rows[0].fields == {"model": "Dell XPS 13 9310", "ram_gb": 16, "price": 999.0, "currency": "EUR"}
    assert "price" not in read.rows[1].fields  # openpyxl saved no cached value, so nothing was evaluated


def test_unreadable_sheets_are_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "q.xlsx"
    bad.write_bytes(b"not a zip")
    with pytest.raises(InputError, match=r"q.xlsx: not a readable XLSX workbook"):
        read_quotes(bad)
    latin = tmp_path / "q.csv"
    latin.write_bytes("Model\nCaf\xe9 book\n".encode("latin-1"))
    with pytest.raises(InputError, match="not UTF-8"):
        read_quotes(latin)
