"""`go-advisor score-sheet`: a buyer's quote sheet scored, matched rows ranked, the rest reported by row."""
from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, List, Optional, TypeAlias

import typer

from advisor.errors import InputError
from advisor.render.formats import FORMAT_CHOICES, format_help
from advisor.vocabulary import DEFAULT_EVIDENCE, MARKET_CURRENCY

if TYPE_CHECKING:
    SheetFormat: TypeAlias = StrEnum
else:
    SheetFormat = FORMAT_CHOICES["score-sheet"]
_SHEET_FORMATS = FORMAT_CHOICES["score-sheet"]
_FORMAT_METAVAR = "<" + "|".join(str(member.value) for member in _SHEET_FORMATS) + ">"


def score_sheet(
    ctx: typer.Context,
    quotes: Path = typer.Argument(..., help="The quote sheet: .csv (UTF-8, any common delimiter) or .xlsx."),
    output: Optional[Path] = typer.Option(
        None, "-o", "--output", help="Write here: .xlsx (live formulas over a Weights sheet) or .csv; "
        "default CSV on stdout. Never the quote sheet itself."),
    profile: str = typer.Option(
        "microservice", "--profile", "-p", help="A preset name (see `profile list`) or a profile YAML file."),
    market: Optional[str] = typer.Option(
        None, "--market", help=f"Where you buy: {', '.join(MARKET_CURRENCY)}; quoted prices convert to its currency."),
    weight: Optional[str] = typer.Option(None, "--weight", help="Criterion weights, e.g. build=3,memory=2."),
    evidence: str = typer.Option(DEFAULT_EVIDENCE, "--evidence", help="Weakest evidence level used."),
    mapping: Optional[List[str]] = typer.Option(
        None, "--map", metavar="COLUMN=FIELD", help="Read this column as a field (model, cpu, ram_gb, storage_gb, "
        "price, currency, weight_kg, market, quantity); repeat for several."),
    bom: bool = typer.Option(False, "--bom", help="CSV: start with a UTF-8 BOM (Excel on Windows reads it)."),
    fmt: SheetFormat = typer.Option(
        next(iter(_SHEET_FORMATS)), "--format", "-f", case_sensitive=False, help=format_help("score-sheet"),
        metavar=_FORMAT_METAVAR),
) -> None:
    """Score a spreadsheet of quoted laptops: matched rows ranked at their quoted price, the others listed by row."""
    from advisor import api, cli  # noqa: PLC0415  (cli is loaded: it registered this command)
    from advisor.output import check_output, write_atomic  # noqa: PLC0415
    from advisor.sheets.match import needs_mapping_line  # noqa: PLC0415
    from advisor.sheets.read import parse_map, read_quotes  # noqa: PLC0415
    from advisor.sheets.score import score_sheet as score  # noqa: PLC0415
    from advisor.sheets.write import to_csv, to_xlsx  # noqa: PLC0415

    inputs = [*cli._inputs(ctx, profile), quotes]
    kind = str(fmt.value)
    # -o scored.xlsx is read as --format xlsx unless --format was given
    if (output is not None and output.suffix.lower() == ".xlsx"
            and getattr(ctx.get_parameter_source("fmt"), "name", None) != "COMMANDLINE"):
        kind = "xlsx"
    if kind == "xlsx" and output is None:
        raise InputError("--format xlsx: a workbook is written to a file; give -o FILE.xlsx")
    if output is not None:  # refused before the work, not after it
        check_output(output, inputs)
    sheet = read_quotes(quotes, parse_map(mapping or []))
    data = cli._data(ctx)
    chosen = api.apply_constraints(api.resolve_profile(profile, data), market=market)
    scored = score(sheet, chosen, data, evidence, api.parse_weights(weight))
    for note in sheet.notes:
        typer.echo(note.line(quotes), err=True)
    for row in scored.needs_mapping:
        typer.echo(f"{quotes}: needs mapping: {needs_mapping_line(row.match)}", err=True)
    typer.echo(f"{quotes}: {len(scored.rows) - len(scored.needs_mapping)} of {len(scored.rows)} rows scored; "
               f"prices in {scored.currency} ({scored.rates_note})", err=True)
    if kind == "xlsx":
        assert output is not None
        write_atomic(output, to_xlsx(scored), inputs)
        typer.echo(f"wrote {output}", err=True)
    else:
        cli._emit(to_csv(scored, bom=bom), output, inputs)


def register(app: typer.Typer) -> None:
    """Add score-sheet to the root app."""
    app.command("score-sheet")(score_sheet)
