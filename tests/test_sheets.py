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


# --- matching -------------------------------------------------------------------------------------------

# row -> the configuration each quote is expected on; every other row needs mapping.
EXPECTED_MATCHES = {
    2: "apple-macbook-pro-14-m4-2024/m4-24gb-1tb",  # not the M4 Pro/M4 Max machine of the same year
    3: "apple-macbook-air-13-m3-2024/m3-10gpu-8gb-512gb",
    4: "dell-xps-13-9310/i7-1165g7-16-512",  # not the 9370 beside it
    5: "lenovo-thinkpad-t14-gen-3-amd/r7-pro-6850u-32-512",
    6: "framework-laptop-13-amd-7040/r7-7840u-32-1tb",  # "1 TB" quoted, 1000 GB listed
    7: "hp-zbook-firefly-14-g10/i7-1365u-32-1tb",
    14: "system76-lemur-pro-lemp13/u7-155u-16-500",
    15: "dell-xps-13-9310/i7-1165g7-16-512",
    16: "microsoft-surface-laptop-5-13/i5-1235u-8-256",
    18: "tuxedo-infinitybook-pro-14-gen9/u7-155h-16-500",
    19: "lenovo-thinkpad-t490/i5-8265u-8-256",
    20: "dell-xps-15-9500/i7-10875h-32-1tb",
    21: "apple-macbook-air-15-m2-2023/m2-10gpu-8gb-512gb",
}
NEEDS_MAPPING = {8: "spec-only", 9: "spec-only", 10: "no machine named like", 11: "no machine named like",
                 13: "ambiguous", 17: "no configuration with", 22: "ambiguous"}


@pytest.fixture(scope="module")
def data():
    import advisor

    return advisor.load()


def test_quotes_matched_or_reported_never_guessed(data) -> None:
    from advisor.sheets.match import configs_by_machine, match_row, needs_mapping_line

    grouped = configs_by_machine(data.machine_configs())
    matches = {q.row: match_row(q, data.catalog, grouped) for q in read_quotes(FIXTURE).rows}
    assert {row: m.configs[0].id for row, m in matches.items() if m.matched} == EXPECTED_MATCHES
    unmatched = {row: m for row, m in matches.items() if not m.matched}
    assert set(unmatched) == set(NEEDS_MAPPING)
    for row, why in NEEDS_MAPPING.items():
        line = needs_mapping_line(unmatched[row])
        assert line.startswith(f"row {row}: ") and why in line
    # spec-only rows resolve their CPU against the CPU table
    assert unmatched[8].cpu_id == "intel-core-ultra-7-155h" and unmatched[9].cpu_id == "amd-ryzen-7-7840u"
    # an ambiguous or unknown name lists its three closest candidates
    assert len(unmatched[13].candidates) == 3 and all("macbook-pro" in c.id for c in unmatched[13].candidates)
    assert len(unmatched[10].candidates) == 3
