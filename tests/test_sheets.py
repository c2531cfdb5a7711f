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


@pytest.mark.parametrize("gb", [4, 8, 12, 16, 18, 20, 24, 32, 36, 40, 48, 64, 96, 128, 192, 256])
def test_memory_sizes_laptops_are_sold_with(gb: int) -> None:
    assert units.memory_gb(f"{gb} GB") == gb


@pytest.mark.parametrize(("field", "text"), [
    ("memory_gb", "999 GB"), ("memory_gb", "17"), ("memory_gb", "28 GB"), ("memory_gb", "512 GB"),
    ("memory_gb", "0"), ("storage_gb", "3"), ("storage_gb", "32 GB"), ("storage_gb", "16 TB"),
    ("weight_kg", "1290"), ("weight_kg", "0.2 kg"), ("weight_kg", "6 kg"), ("currency", "XYZ"),
    ("quantity", "0"), ("quantity", "-3"),
])
def test_implausible_specs_refused_like_database_records(field: str, text: str) -> None:
    with pytest.raises(units.UnitError):
        getattr(units, field)(text)


def test_implausible_cells_are_row_numbered_and_the_row_not_scored(data, tmp_path: Path) -> None:
    import advisor

    sheet = advisor.score_rows([
        {"Model": "Dell XPS 13 9310", "RAM": "16 GB", "SSD": "512 GB", "Price": "999", "Currency": "XYZ"},
        {"Model": "Dell XPS 13 9310", "RAM": "16 GB", "SSD": "3", "Price": "999 EUR"},
        {"Model": "Dell XPS 13 9310", "RAM": "16 GB", "SSD": "512 GB", "Price": "999 EUR", "Weight": "1290"},
    ], market="eu", data=data)
    lines = [note.line("rows") for note in sheet.sheet.notes]
    assert lines[0].startswith("rows: row 2, column 'Currency': 'XYZ' is not a currency")
    assert lines[1].startswith("rows: row 3, column 'SSD': '3' is not a laptop's storage")
    assert lines[2].startswith("rows: row 4, column 'Weight': '1290' is not a laptop's weight")
    first, second, third = sheet.rows
    assert first.score is None and first.match.how.startswith("not scored: column 'Currency'")
    assert second.score is None and "column 'SSD'" in second.match.how
    # a weight cell is the laptop's spec, not what is bought: the quote is scored (at the database's weight)
    assert third.score is not None


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
    assert "quotes.csv: row 15: duplicate of row 4: scored once, as that row" in lines
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
    18: "tuxedo-infinitybook-pro-14-gen9/u7-155h-16-500",
    19: "lenovo-thinkpad-t490/i5-8265u-8-256",
    20: "dell-xps-15-9500/i7-10875h-32-1tb",
    21: "apple-macbook-air-15-m2-2023/m2-10gpu-8gb-512gb",
}
# Row 16's price and row 17's memory cannot be read as a price and a laptop's memory: those quotes are
# reported, not scored as something they do not say (the database price, another memory size).
NEEDS_MAPPING = {8: "spec-only", 9: "spec-only", 10: "no machine named like", 11: "no machine named like",
                 13: "ambiguous", 16: "not scored: column 'Quote': 'sixteen hundred' is not a price",
                 17: "not scored: column 'Memory': '999 GB' is not a laptop's memory", 22: "ambiguous"}


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
    # ... and name the configurations with that CPU, memory and storage as the ones to map to, never scored
    assert [c.id.split("/")[1] for c in unmatched[8].candidates] == ["u7-155h-32-1tb"] * 3
    assert "none is guessed" in unmatched[8].how and not unmatched[8].candidates[0].score
    # an ambiguous or unknown name lists its three closest candidates
    assert len(unmatched[13].candidates) == 3 and all("macbook-pro" in c.id for c in unmatched[13].candidates)
    assert len(unmatched[10].candidates) == 3


# --- scoring and output ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def scored(data):
    from advisor.api import apply_constraints, resolve_profile
    from advisor.sheets.score import score_sheet

    profile = apply_constraints(resolve_profile("microservice", data), market="eu")
    return score_sheet(read_quotes(FIXTURE), profile, data, "estimate", {})


def test_quoted_price_replaces_the_database_price(scored) -> None:
    rows = {r.quote.row: r for r in scored.rows}
    assert rows[4].score.price.amount == 999.0 and rows[4].score.price.currency == "EUR"
    assert rows[4].score.price.source == "quote"
    # £450 converted to the eu market's currency with currency.usd_per_unit, and the note says so
    assert rows[19].score.price.currency == "EUR" and "450.00 GBP = " in rows[19].price_note
    assert "USD per GBP" in rows[19].price_note and "GBP" in scored.rates_note
    # ranks over the scored, not disqualified rows, equal totals sharing one (row 15 repeats row 4);
    # disqualified rows keep their reason, unranked
    ranks = sorted(r.rank for r in scored.rows if r.rank is not None)
    assert ranks[0] == 1 and rows[4].rank == rows[15].rank and len(set(ranks)) == len(ranks) - 1
    assert all(r.rank is None and r.score.disqualified_by for r in scored.rows
               if r.score is not None and r.score.disqualified)


def test_csv_keeps_the_buyers_columns_and_neutralises_formulas(scored) -> None:
    import csv
    import io

    from advisor.sheets.write import to_csv

    text = to_csv(scored, bom=True)
    assert text.startswith("\ufeffProduct,Processor")
    table = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    header, body = table[0], table[1:]
    assert header[:8] == ["Product", "Processor", "Memory", "SSD", "Quote", "Currency", "Qty", "Notes"]
    assert len(body) == 20  # every quote, matched or not
    by_row = {row.quote.row: line for row, line in zip(scored.rows, body, strict=True)}
    assert by_row[11][0] == "'=HYPERLINK(\"http://x\",\"y\")"  # shown as text, never a formula
    assert by_row[2][4] == "1.999,00 €"  # the buyer's cell untouched
    assert all(not cell.startswith(("=", "+", "-", "@")) for line in body for cell in line)
    match_note = header.index("match note")
    assert "ambiguous" in by_row[13][match_note] and by_row[13][header.index("total")] == ""
    assert by_row[15][match_note].endswith("duplicate of row 4")
    assert by_row[2][header.index("disqualified by")] == "budget.over"
    # the quantity column is carried through, read as a number, and costs the row: 2 x the 999 EUR quote
    assert by_row[4][header.index("Qty")] == "2" and by_row[4][header.index("quantity")] == "2"
    assert by_row[4][header.index("total cost (EUR)")] == "1998.0"
    assert by_row[2][header.index("total cost (EUR)")] == "9995.0"  # disqualified rows are costed too
    assert by_row[10][header.index("total cost (EUR)")] == ""  # unscored: no price to cost
    assert "best pick" in [line[header.index("verdict")] for line in body]


def _load_xlsx(data: bytes):
    import io

    openpyxl = pytest.importorskip("openpyxl")
    return openpyxl.load_workbook(io.BytesIO(data))


def test_xlsx_totals_are_live_formulas_over_the_weights_sheet(scored) -> None:
    from openpyxl.utils import column_index_from_string

    from advisor.sheets.write import to_xlsx

    book = _load_xlsx(to_xlsx(scored))
    assert book.sheetnames == ["Scores", "Weights", "Findings", "Sources"]
    sheet, weights = book["Scores"], book["Weights"]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref.startswith("A1:")
    header = [c.value for c in sheet[1]]
    names = [c.value for c in weights[1]]
    assert names == list(scored.weights) and [c.value for c in weights[2]] == list(scored.weights.values())
    total_col = header.index("total") + 1
    first = header.index(f"score {names[0]}") + 1
    for number, row in enumerate(scored.rows, 2):
        formula = sheet.cell(number, total_col).value
        if row.score is None:
            assert formula is None
            continue
        assert formula.startswith("=IF(SUMPRODUCT(") and "Weights!$A$2:" in formula
        # what the formula computes, from the cells it reads, is the tool's total
        cells = [sheet.cell(number, first + i).value for i in range(len(names))]
        used = [(s, w) for s, w in zip(cells, scored.weights.values(), strict=True) if s is not None]
        computed = round(sum(s * w for s, w in used) / sum(w for s, w in used if s is not None), 1)
        assert computed == row.score.total
        rank = sheet.cell(number, header.index("rank") + 1).value
        assert (rank is None) == (row.rank is None)
        assert rank is None or rank.startswith("=1+COUNTIFS(")
        cost = sheet.cell(number, header.index("total cost (EUR)") + 1).value
        assert cost is None or cost.startswith("=ROUND(")  # price x quantity, live
    assert column_index_from_string("A") == 1
    # text stays text: the injection cell is a string cell, not a formula
    injection = sheet.cell(next(i for i, r in enumerate(scored.rows, 2) if r.quote.row == 11), 1)
    assert injection.value == '=HYPERLINK("http://x","y")' and injection.data_type == "s"
    findings = book["Findings"]
    assert [c.value for c in findings[1]][:3] == ["row", "configuration", "rule"] and findings.max_row > 10
    assert book["Sources"].max_row >= 2


def test_cli_score_sheet(tmp_path: Path) -> None:
    from test_cli import run

    out = tmp_path / "scored.xlsx"
    result = run("score-sheet", str(FIXTURE), "--market", "eu", "-o", str(out), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "needs mapping: row 10: no machine named like 'Acme Cloudbook 9000'" in result.stderr
    assert "12 of 20 rows scored" in result.stderr and out.exists()
    # every row not scored is reported by its number, with why
    for row, why in NEEDS_MAPPING.items():
        assert any(line.startswith(f"{FIXTURE}: needs mapping: row {row}: ") and why in line
                   for line in result.stderr.splitlines()), row
    # ... once: the unreadable price of row 16 is not said again as a note of its own
    assert [line for line in result.stderr.splitlines() if ": row 16" in line] == [
        line for line in result.stderr.splitlines() if line.startswith(f"{FIXTURE}: needs mapping: row 16: ")]
    assert f"{FIXTURE}: row 15: duplicate of row 4: scored once, as that row" in result.stderr  # a note still said
    # in the workbook only the tool's own formulas are formulas: every text cell read or written is a string
    book = _load_xlsx(out.read_bytes())
    header = [c.value for c in book["Scores"][1]]
    formulas = {header.index(name) + 1 for name in ("total", "rank", "total cost (EUR)")}
    for line in book["Scores"].iter_rows(min_row=2):
        for cell in line:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                assert cell.column in formulas or cell.data_type == "s", (cell.coordinate, cell.value)
    assert sum(c.data_type == "s" and str(c.value).startswith("=HYPERLINK") for c in book["Scores"]["A"]) == 1
    csv_out = run("score-sheet", str(FIXTURE), "--market", "eu", cwd=tmp_path)
    assert csv_out.returncode == 0 and csv_out.stdout.startswith("Product,")
    refused = run("score-sheet", str(FIXTURE), "-o", str(FIXTURE), cwd=tmp_path)
    assert refused.returncode == 2 and "is an input of this run" in refused.stderr
    bad = tmp_path / "bad.csv"
    bad.write_text("colour\nred\n", encoding="utf-8")
    result = run("score-sheet", str(bad), cwd=tmp_path)
    assert result.returncode == 2 and result.stderr.strip().endswith("name one with --map COLUMN=model)")
    assert len(result.stderr.strip().splitlines()) == 1


# --- LibreOffice recalculates the exported workbook ------------------------------------------------------

def _soffice() -> str:
    import os
    import shutil

    found = shutil.which("soffice")
    if found is None:
        why = "LibreOffice (soffice) is not installed"
        if os.environ.get("CI") == "true" or os.environ.get("GO_ADVISOR_LIBREOFFICE") == "required":
            pytest.fail(f"{why} (CI installs libreoffice-calc-nogui with .ci/install-libreoffice)")
        pytest.skip(why)
    return found


def _recalculated(soffice: str, workbook: Path, folder: Path) -> list[dict[str, str]]:
    """The Scores sheet as LibreOffice computes it on load, exported to CSV headless."""
    import csv
    import subprocess

    profile = folder / "lo-profile"  # its own user profile: no clash with another soffice
    subprocess.run([soffice, "--headless", "--norestore", f"-env:UserInstallation=file://{profile}",
                    "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76", "--outdir", str(folder / "lo"),
                    str(workbook)], check=True, capture_output=True, timeout=180)
    with open(folder / "lo" / (workbook.stem + ".csv"), encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


# _ROUNDING: Python's round() of a binary float near x.x5 can go down where LibreOffice's ROUND goes up
# (90.05 as 90.0 and 90.1): a total may differ by the last shown digit, never by more.


@pytest.mark.slow
def test_libreoffice_recalculates_totals_and_ranks(data, scored, tmp_path: Path) -> None:
    from advisor.api import apply_constraints, resolve_profile
    from advisor.sheets.score import score_sheet
    from advisor.sheets.write import to_xlsx, total_cost

    soffice = _soffice()
    openpyxl = pytest.importorskip("openpyxl")
    workbook = tmp_path / "scored.xlsx"
    workbook.write_bytes(to_xlsx(scored))
    computed = _recalculated(soffice, workbook, tmp_path)
    for row, line in zip(scored.rows, computed, strict=True):
        assert line["Product"] == row.quote.cells["Product"]  # the injection cell too: text, not evaluated
        if row.score is None:
            assert line["total"] == ""
            continue
        assert float(line["total"]) == pytest.approx(row.score.total, abs=0.1 + 1e-9)  # see _ROUNDING
        assert (int(line["rank"]) if line["rank"] else None) == row.rank
        cost = total_cost(row)
        assert (float(line["total cost (EUR)"]) if line["total cost (EUR)"] else None) == cost
    # a buyer edits a weight cell: LibreOffice's ranking is the tool's with --weight build=0,budget=6
    book = openpyxl.load_workbook(workbook)
    weights = book["Weights"]
    names = [c.value for c in weights[1]]
    changed = {"build": 0.0, "budget": 6.0}
    for column, name in enumerate(names, 1):
        if name in changed:
            weights.cell(2, column).value = changed[name]
    edited = tmp_path / "edited.xlsx"
    book.save(edited)
    profile = apply_constraints(resolve_profile("microservice", data), market="eu")
    again = score_sheet(read_quotes(FIXTURE), profile, data, "estimate", changed)
    recalculated = _recalculated(soffice, edited, tmp_path)
    assert [r.rank for r in again.rows] != [r.rank for r in scored.rows]  # the edit changes the ranking
    for row, line in zip(again.rows, recalculated, strict=True):
        assert (int(line["rank"]) if line["rank"] else None) == row.rank
        if row.score is not None:
            assert float(line["total"]) == pytest.approx(row.score.total, abs=0.1 + 1e-9)  # see _ROUNDING


# --- the Python API -------------------------------------------------------------------------------------

def test_score_rows_fills_a_sheet_from_dicts(data) -> None:
    import advisor

    sheet = advisor.score_rows([{"Model": "Dell XPS 13 9310", "RAM": "16 GB", "Price": "999 EUR"},
                                {"Model": "Acme Cloudbook 9000", "RAM": 16}], market="eu", data=data)
    first, second = sheet.rows
    assert first.quote.row == 2 and first.score is not None and first.score.price.amount == 999.0
    assert first.rank == 1 and second.score is None and second.quote.row == 3
    assert [r.quote.row for r in sheet.needs_mapping] == [3]


def test_score_config_validated(data) -> None:
    import advisor

    listed = advisor.score_config(machine="dell-xps-13-9310", ram_gb=16, storage_gb=512, data=data)
    assert listed.machine_config == "dell-xps-13-9310/i7-1165g7-16-512"
    quoted = advisor.score_config(machine="dell-xps-13-9310", ram_gb=16, storage_gb=512, price=1000,
                                  currency="EUR", market="us", data=data)
    assert quoted.price.currency == "USD" and quoted.price.amount == pytest.approx(1000 * 1.08, abs=1)
    with pytest.raises(InputError) as refused:
        advisor.score_config(machine="dell-xps-13-9310", ram_gb=999, data=data)
    assert str(refused.value) == "ram_gb=999: dell-xps-13-9310 takes " + str(refused.value).split(" takes ")[1]
    assert "\n" not in str(refused.value) and "(soldered)" in str(refused.value)
    for bad in ({"ram_gb": "lots"}, {"ram_gb": 16.5}, {"price": -1}, {"cpu": "apple-m4"},
                {"currency": "EUR"}, {"storage_gb": 3}):
        with pytest.raises(InputError):
            advisor.score_config(machine="dell-xps-13-9310", data=data, **bad)
    with pytest.raises(InputError, match="not in the hardware database"):
        advisor.score_config(machine="acme-cloudbook", data=data)


def test_score_config_unlisted_configuration(data) -> None:
    import advisor

    # the Framework's memory is socketed: 64 GB is not sold but fits, and is scored as a variant
    grown = advisor.score_config(machine="framework-laptop-13-amd-7040", cpu="amd-ryzen-7-7840u", ram_gb=64,
                                 data=data)
    assert "-as-64-" in grown.machine_config and "64 GB" in grown.label and grown.price is None


def test_cli_format_follows_the_output_name(tmp_path: Path) -> None:
    from test_cli import run

    workbook = tmp_path / "out.xlsx"
    assert run("score-sheet", str(FIXTURE), "-o", str(workbook), cwd=tmp_path).returncode == 0
    assert workbook.read_bytes().startswith(b"PK")  # a zip: the workbook, not CSV text
    forced = tmp_path / "forced.xlsx"
    assert run("score-sheet", str(FIXTURE), "-f", "csv", "-o", str(forced), cwd=tmp_path).returncode == 0
    assert forced.read_text(encoding="utf-8").startswith("Product,")
    refused = run("score-sheet", str(FIXTURE), "--format", "xlsx", cwd=tmp_path)
    assert refused.returncode == 2 and "give -o FILE.xlsx" in refused.stderr


# --- recommend's options: --scan, --evidence, --market, --weight ---------------------------------------

SCAN_FIXTURE = Path(__file__).resolve().parent / "fixtures" / "scan" / "service"


def _csv_totals(text: str) -> list[str]:
    """The total column of a score-sheet CSV, one per quote row in sheet order."""
    import csv
    import io

    return [line["total"] for line in csv.DictReader(io.StringIO(text.removeprefix("\ufeff")))]


def test_cli_scan_scores_with_the_scanned_profile(data, tmp_path: Path) -> None:
    from test_cli import run

    from advisor.api import apply_constraints, scan_profile
    from advisor.sheets.score import score_sheet

    done = run("score-sheet", str(FIXTURE), "--scan", str(SCAN_FIXTURE), "--market", "eu", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert f"scanned {SCAN_FIXTURE}: " in done.stderr
    # the totals are the scanned profile's, as the API computes them, not the default preset's
    profile = apply_constraints(scan_profile(SCAN_FIXTURE, data=data), market="eu")
    expected = score_sheet(read_quotes(FIXTURE), profile, data, "estimate", {})
    shown = _csv_totals(done.stdout)
    assert shown == ["" if row.score is None else f"{row.score.total}" for row in expected.rows]
    preset = run("score-sheet", str(FIXTURE), "--market", "eu", cwd=tmp_path)
    assert _csv_totals(preset.stdout) != shown
    lonely = run("score-sheet", str(FIXTURE), "--set", "race=true", cwd=tmp_path)
    assert lonely.returncode == 2 and "--set: only with --scan" in lonely.stderr


def test_cli_evidence_and_market_are_recommends_choices(tmp_path: Path) -> None:
    from test_cli import run

    helped = run("score-sheet", "--help", cwd=tmp_path, COLUMNS="200")
    assert "<documented|measured|estimate|seed-claim>" in helped.stdout
    assert "<us|eu|uk|cn|in|jp>" in helped.stdout
    for option, value, choices in (("--evidence", "rumour", "documented, measured, estimate, seed-claim"),
                                   ("--market", "mars", "us, eu, uk, cn, in, jp")):
        refused = run("score-sheet", str(FIXTURE), option, value, cwd=tmp_path)
        assert refused.returncode == 2 and f"is not one of {choices}" in refused.stderr
        assert len(refused.stderr.strip().splitlines()) == 1
    # case-insensitive as in recommend; documented evidence leaves criteria not assessed, visibly
    strict = run("score-sheet", str(FIXTURE), "--evidence", "DOCUMENTED", "--market", "EU", cwd=tmp_path)
    assert strict.returncode == 0, strict.stderr
    assert _csv_totals(strict.stdout) != _csv_totals(run("score-sheet", str(FIXTURE), "--market", "eu",
                                                         cwd=tmp_path).stdout)
    weighted = run("score-sheet", str(FIXTURE), "--weight", "colour=2", cwd=tmp_path)
    assert weighted.returncode == 2 and "'colour' is not a criterion" in weighted.stderr


# --- merged cells in XLSX input -------------------------------------------------------------------------

def test_xlsx_merged_cells_apply_to_every_row_they_span(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Quote", None, "Model", "RAM", "Price", "Currency"])
    sheet.merge_cells("A1:B1")  # one header over two columns names one column
    sheet.append(["Q-1", "first", "Dell XPS 13 9310", "16 GB", 999, "EUR"])
    sheet.append(["Q-2", "second", None, "8 GB", 899, None])
    sheet.append(["Q-3", "third", None, "32 GB", 1299, None])
    sheet.merge_cells("C2:C4")  # one model for three quotes
    sheet.merge_cells("F2:F4")  # one currency for them
    sheet.append(["Q-4", "fourth", "Lenovo ThinkPad T490", "8 GB", 450, "GBP"])
    sheet.merge_cells("A5:B5")  # merged across a data row: one column's value, not copied into the next
    path = tmp_path / "merged.xlsx"
    book.save(path)
    read = read_quotes(path)
    assert read.headers[:2] == ["Quote", ""] and read.columns["model"] == "Model"
    assert [(r.row, r.fields.get("model"), r.fields["ram_gb"], r.fields.get("currency")) for r in read.rows] == [
        (2, "Dell XPS 13 9310", 16, "EUR"), (3, "Dell XPS 13 9310", 8, "EUR"), (4, "Dell XPS 13 9310", 32, "EUR"),
        (5, "Lenovo ThinkPad T490", 8, "GBP")]
    assert read.rows[3].cells["Quote"] == "Q-4"
    # the buyer's cells go back out by position, the one under the merged header too
    assert [r.values[:2] for r in read.rows] == [("Q-1", "first"), ("Q-2", "second"), ("Q-3", "third"),
                                                 ("Q-4", "")]


def test_sheet_reader_refuses_what_is_not_a_regular_bounded_file(tmp_path: Path) -> None:
    import os
    import zipfile

    fifo = tmp_path / "quotes.csv"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="a FIFO, not a regular file"):
        read_quotes(fifo)  # refused without a read that would wait forever
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (300 * 1024 * 1024))
    assert bomb.stat().st_size < 2 * 1024 * 1024
    with pytest.raises(InputError, match="unpacks to more than"):
        read_quotes(bomb)


# --- the verdict ----------------------------------------------------------------------------------------

def test_sheet_verdict_names_best_per_os_when_the_profile_names_none(data, scored) -> None:
    from advisor.api import apply_constraints, resolve_profile
    from advisor.sheets.score import score_sheet
    from advisor.sheets.write import roles

    # recommend's verdict over the ranked quotes: the per-OS picks are quotes other than the best pick
    assert roles(scored) == {6: "best pick", 5: "runner-up", 14: "best value, best on Linux", 21: "best on macOS"}
    assert scored.primary_os["apple-macbook-air-15-m2-2023/m2-10gpu-8gb-512gb"] == "macos"
    linux = apply_constraints(resolve_profile("microservice", data), market="eu", os=("linux",))
    fixed = score_sheet(read_quotes(FIXTURE), linux, data, "estimate", {})
    assert not any("best on" in role for role in roles(fixed).values()) and "best pick" in roles(fixed).values()


# --- progress on a terminal, silence when piped ---------------------------------------------------------

def _long_sheet(tmp_path: Path, rows: int = 60) -> Path:
    """A sheet of `rows` distinct quotes (the fixture's named rows, each with its own note)."""
    lines = FIXTURE.read_text(encoding="utf-8-sig").splitlines()
    named = [line for line in lines[1:] if line.split(";")[0] and not line.startswith("=")]
    body = [";".join(named[i % len(named)].split(";")[:7] + [f"quote {i}"]) for i in range(rows)]
    path = tmp_path / "long.csv"
    path.write_text("\n".join([lines[0].removeprefix("\ufeff"), *body]) + "\n", encoding="utf-8")
    return path


def test_progress_bar_renders_on_a_terminal_console() -> None:
    import io

    from rich.console import Console

    from advisor.sheets.progress import bar

    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=80)
    with bar(3, console) as advance:
        for _ in range(3):
            advance()
    shown = screen.getvalue()
    assert "scoring quotes" in shown and "3/3" in shown and "\x1b[" in shown


def test_long_sheet_piped_shows_no_progress(tmp_path: Path) -> None:
    from test_cli import run

    done = run("score-sheet", str(_long_sheet(tmp_path)), "--market", "eu", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "scoring quotes" not in done.stderr and "\x1b" not in done.stderr
    assert "of 60 rows scored" in done.stderr


def test_long_sheet_on_a_terminal_shows_the_bar(tmp_path: Path) -> None:
    import os
    import pty
    import subprocess
    import sys

    from test_cli import ROOT

    master, slave = pty.openpty()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "100", "TERM": "xterm"}
    out = tmp_path / "scored.csv"
    child = subprocess.Popen([sys.executable, "-m", "advisor.cli", "score-sheet", str(_long_sheet(tmp_path)),
                              "--market", "eu", "-o", str(out)], cwd=tmp_path, env=env, stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL, stderr=slave)
    os.close(slave)
    seen = b""
    while True:  # read the terminal until the child closes it
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the other side is closed
            break
        if not chunk:
            break
        seen += chunk
    os.close(master)
    assert child.wait(timeout=300) == 0, seen.decode(errors="replace")
    text = seen.decode(errors="replace")
    assert "scoring quotes" in text and "of 60 rows scored" in text and out.exists()


# --- the matcher on a held-out sheet, and its properties -------------------------------------------------

HELD_OUT = Path(__file__).resolve().parent / "fixtures" / "sheets" / "heldout.csv"
# row -> the machine the buyer meant (None: the database does not have it, so the row must need mapping).
# Written from the names before the matcher ran on them; rows 2 and 17 are in the database but the sheet
# gives nothing the matcher can read them by (a Lenovo part number; a CPU cell the CPU table does not resolve).
HELD_OUT_MEANT = {
    2: "lenovo-thinkpad-x1-carbon-gen-9", 3: "apple-macbook-pro-14-m3-pro-max-2023",
    4: "lenovo-thinkpad-x1-carbon-gen-12", 5: None, 6: "dell-xps-13-9310", 7: "lenovo-thinkpad-t14s-gen-4-amd",
    8: "framework-laptop-13-amd-7040", 9: "apple-macbook-air-15-m2-2023", 10: "apple-macbook-air-13-m4-2025",
    11: "huawei-matebook-x-pro-2024", 12: "xiaomi-redmibook-pro-16-2024", 13: "honor-magicbook-art-14-2024-intel",
    14: None, 15: "hp-elitebook-845-g10", 16: None, 17: "microsoft-surface-laptop-7-13-8",
    18: "microsoft-surface-laptop-7-15", 19: "asus-zenbook-14-oled-ux3405", 20: "asus-zenbook-s-16-um5606",
    21: "lenovo-thinkpad-x1-carbon-gen-9", 22: None, 23: "tuxedo-infinitybook-pro-14-gen9",
    24: "framework-laptop-16-7040", 25: "apple-macbook-pro-16-m4-pro-max-2024",
    26: "lenovo-thinkbook-14-plus-2024-amd", 27: "system76-darter-pro-darp11-b",
    28: "apple-macbook-pro-14-m4-pro-max-2024", 29: "dell-xps-15-9520",
}
HELD_OUT_UNREAD = {2, 17}


def _matches(data, path: Path):
    from advisor.sheets.match import configs_by_machine, match_row

    grouped = configs_by_machine(data.machine_configs())
    return {q.row: match_row(q, data.catalog, grouped) for q in read_quotes(path).rows}


def test_held_out_names_matched_never_wrong(data) -> None:
    matches = _matches(data, HELD_OUT)
    assert set(matches) == set(HELD_OUT_MEANT)
    outcome = {"matched": 0, "wrong": 0, "needs mapping": 0}
    for row, match in matches.items():
        meant = HELD_OUT_MEANT[row]
        if not match.matched:
            outcome["needs mapping"] += 1
            assert meant is None or row in HELD_OUT_UNREAD, f"row {row}: {match.how}"
        elif match.configs[0].machine.id == meant:
            outcome["matched"] += 1
        else:
            outcome["wrong"] += 1
    # a wrong match is the worst outcome: none; every machine the database lacks needs mapping (9315 is not
    # the 9310, the EliteBook 840 G11 not the G10, the Latitude 7440 not the 7450)
    assert outcome == {"matched": 22, "wrong": 0, "needs mapping": 6}
    assert matches[2].candidates == []  # a part number is like no name: no candidates in alphabetical order
    # the quote's memory and storage choose the configuration, in their columns or in the name
    assert [(mc.config.ram_gb, mc.config.storage_gb) for mc in matches[3].configs] == [(18, 512)]  # "18/512"
    assert {mc.config.ram_gb for mc in matches[4].configs} == {32}
    assert {(mc.config.ram_gb, mc.config.storage_gb) for mc in matches[25].configs} == {(48, 1024)}


def _noisy(draw, text: str) -> str:
    """The same words with other case and other whitespace between and around them."""
    from hypothesis import strategies as st

    spaces = st.sampled_from([" ", "  ", "\t", " \u00a0"])
    words = text.split()
    flipped = ["".join(ch.swapcase() if draw(st.booleans()) else ch for ch in word) for word in words]
    return draw(spaces).strip(" ") + "".join(w + draw(spaces) for w in flipped[:-1]) + flipped[-1] + draw(spaces)


def _matched_quotes(data):
    from advisor.sheets.match import configs_by_machine

    grouped = configs_by_machine(data.machine_configs())
    quotes = [q for path in (FIXTURE, HELD_OUT) for q in read_quotes(path).rows
              if q.fields.get("model") and not q.duplicate_of]
    return grouped, quotes


def test_case_and_whitespace_noise_never_changes_a_match(data) -> None:
    from dataclasses import replace

    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from advisor.sheets.match import match_row

    grouped, quotes = _matched_quotes(data)
    before = [match_row(q, data.catalog, grouped) for q in quotes]

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.data())
    def check(drawn) -> None:
        index = drawn.draw(st.integers(0, len(quotes) - 1))
        quote = quotes[index]
        noisy = replace(quote, fields={**quote.fields, "model": _noisy(drawn.draw, quote.fields["model"])})
        first = before[index]
        again = match_row(noisy, data.catalog, grouped)
        assert [mc.id for mc in again.configs] == [mc.id for mc in first.configs], noisy.fields["model"]

    check()


def test_a_name_far_from_every_machine_never_matches(data) -> None:
    from difflib import SequenceMatcher

    from hypothesis import assume, given, settings
    from hypothesis import strategies as st

    from advisor.sheets.match import _words, configs_by_machine, match_row
    from advisor.sheets.read import QuoteRow

    grouped = configs_by_machine(data.machine_configs())
    names = [_words(m.name) for m in data.catalog.machines.values()]
    vocabulary = {w for words in names for w in words}
    alphabet = st.characters(codec="utf-8", exclude_categories=("Cs", "Cc"))

    @settings(max_examples=200, deadline=None)
    @given(st.text(alphabet, min_size=1, max_size=40))
    def check(text: str) -> None:
        mine = _words(text)
        # far: no word of any machine's name, and spelled unlike every name
        assume(not set(mine) & vocabulary)
        assume(all(SequenceMatcher(None, " ".join(mine), " ".join(words)).ratio() < 0.6 for words in names))
        match = match_row(QuoteRow(2, {"Model": text}, {"model": text}), data.catalog, grouped)
        assert not match.matched and "no machine named like" in match.how

    check()


def test_duplicates_scored_once_in_sheets_and_score_rows(data, scored) -> None:
    import advisor

    rows = {r.quote.row: r for r in scored.rows}
    assert rows[15].quote.duplicate_of == 4 and rows[15].score is rows[4].score  # one score, not two
    assert rows[15].rank == rows[4].rank
    quote = {"Model": "Dell XPS 13 9310", "RAM": "16 GB", "Price": "999 EUR"}
    noisy = {key: f" {value.upper()}  " for key, value in quote.items()}  # case and spacing aside, the same
    cheaper = {**quote, "Price": "899 EUR"}
    sheet = advisor.score_rows([quote, cheaper, noisy], market="eu", data=data)
    first, second, third = sheet.rows
    assert second.quote.duplicate_of is None and second.score is not first.score
    assert third.quote.duplicate_of == 2 and third.score is first.score
    assert [n.line("rows") for n in sheet.sheet.notes] == ["rows: row 4: duplicate of row 2: scored once, as that row"]


def test_a_converted_quote_is_no_surer_than_the_rates_it_was_converted_at() -> None:
    """The buyer's quote in the market's currency is documented; converted, it rests on currency.usd_per_unit,
    an estimate, and says so (it was labelled documented either way)."""
    from advisor import api
    from advisor.sheets.score import quoted, usd_rates

    data = api.load()
    mc = next(mc for mc in data.machine_configs() if mc.machine.id == "dell-xps-13-9310")
    same, _ = quoted(mc, 999.0, "EUR", "eu", usd_rates(data))
    converted, note = quoted(mc, 999.0, "USD", "eu", usd_rates(data))
    assert same.config.prices[0].confidence == "documented"
    assert converted.config.prices[0].confidence == "estimate"
    assert converted.config.prices[0].amount == 925.0 and "(currency.usd_per_unit)" in note
    assert data.knowledge.coefficient("currency.usd_per_unit").confidence == "estimate"
