"""`go-advisor score-sheet`: a buyer's quote sheet scored, matched rows ranked, the rest reported by row.

Its --evidence, --market, --scan and --set options are recommend's, taken from advisor/cli.py. cli.py imports
this module before it declares them, so the command is built when typer first reads it (see _Deferred).
"""
# No `from __future__ import annotations`: typer evaluates string annotations in the module's globals, and
# the option types here are locals of _command.
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, List, Optional

import typer
from typer.models import CommandInfo

from advisor.errors import InputError
from advisor.render.formats import FORMAT_CHOICES, format_help

if TYPE_CHECKING:
    from advisor import api
    from advisor.sheets.score import ScoredSheet

_SHEET_FORMATS = FORMAT_CHOICES["score-sheet"]
# Where a progress bar starts to help: a 20-row sheet scores in a second or two.
PROGRESS_ROWS = 50


def _cli() -> Any:
    """advisor.cli, loaded by now (it registered this command); `python -m advisor.cli` runs that module too."""
    from advisor import cli  # noqa: PLC0415

    return cli


@cache
def _command() -> Callable[..., None]:
    """The score-sheet function, with recommend's option declarations (cli.py is fully loaded by now)."""
    from advisor.render.formats import spoken  # noqa: PLC0415
    from advisor.vocabulary import DEFAULT_EVIDENCE  # noqa: PLC0415

    cli = _cli()
    # typer reads the annotations as the types of the options: the same Enums recommend uses
    evidence_kind, market_kind, format_kind = cli.Evidence, cli.MarketChoice, _SHEET_FORMATS

    def score_sheet(
        ctx: typer.Context,
        quotes: Path = typer.Argument(..., help="The quote sheet: .csv (UTF-8, any common delimiter) or .xlsx."),
        output: Optional[Path] = typer.Option(
            None, "-o", "--output", help="Write here: .xlsx (live formulas over a Weights sheet) or .csv; "
            "default CSV on stdout. Never the quote sheet itself."),
        profile: Optional[str] = typer.Option(None, "--profile", "-p", metavar="NAME|FILE", help=cli.PROFILE_HELP),
        scan_path: Optional[Path] = typer.Option(
            None, "--scan", metavar="PATH",
            help="Scan this Go module or workspace for the profile (see `profile scan`)."),
        settings: Optional[List[str]] = typer.Option(
            None, "--set", metavar="FIELD=VALUE", help="With --scan: override a scanned profile field."),
        market: Optional[market_kind] = cli._choice(  # type: ignore[valid-type]
            market_kind, None, "--market", help=f"Where you buy: {spoken(market_kind)}; quoted prices convert to "
            "its currency. Default: the profile's, else GO_ADVISOR_MARKET, else the config file's, else its budget "
            "currency's, else us."),
        weight: Optional[str] = typer.Option(
            None, "--weight", metavar="CRITERION=N,...", help="Criterion weights, e.g. build=3,memory=2. Default: "
            "GO_ADVISOR_WEIGHTS, else the config file's, else the profile's."),
        evidence: evidence_kind = cli._choice(  # type: ignore[valid-type]
            evidence_kind, DEFAULT_EVIDENCE, "--evidence", help=cli.EVIDENCE_HELP),
        mapping: Optional[List[str]] = typer.Option(
            None, "--map", metavar="COLUMN=FIELD", help="Read this column as a field (model, cpu, ram_gb, "
            "storage_gb, price, currency, weight_kg, market, quantity); repeat for several."),
        bom: bool = typer.Option(False, "--bom", help="CSV: start with a UTF-8 BOM (Excel on Windows reads it)."),
        fmt: format_kind = cli._choice(  # type: ignore[valid-type]
            format_kind, next(iter(format_kind)).value, "--format", "-f", help=format_help("score-sheet")),
    ) -> None:
        """Score a spreadsheet of quoted laptops: matched rows ranked at their quoted price, the rest by row."""
        _run(ctx, cli, quotes, output, profile, scan_path, settings or [], cli._optional_value(market), weight,
             cli._value(evidence), mapping or [], bom, cli._value(fmt))

    return score_sheet


def _run(ctx: typer.Context, cli: Any, quotes: Path, output: Optional[Path], profile: Optional[str],
         scan_path: Optional[Path], settings: List[str], market: Optional[str], weight: Optional[str],
         evidence: str, mapping: List[str], bom: bool, kind: str) -> None:
    from advisor import api  # noqa: PLC0415
    from advisor.output import check_output, write_atomic  # noqa: PLC0415
    from advisor.sheets.match import DECIDING, needs_mapping_line  # noqa: PLC0415
    from advisor.sheets.read import parse_map, read_quotes  # noqa: PLC0415
    from advisor.sheets.write import to_csv, to_xlsx  # noqa: PLC0415

    if settings and scan_path is None:
        raise InputError("--set: only with --scan (edit the profile file instead)")
    inputs = [*cli._inputs(ctx, profile), quotes]
    # -o scored.xlsx is read as --format xlsx unless --format was given
    if (output is not None and output.suffix.lower() == ".xlsx"
            and getattr(ctx.get_parameter_source("fmt"), "name", None) != "COMMANDLINE"):
        kind = "xlsx"
    if kind == "xlsx" and output is None:
        raise InputError("--format xlsx: a workbook is written to a file; give -o FILE.xlsx")
    if output is not None:  # refused before the work, not after it
        check_output(output, inputs)
    sheet = read_quotes(quotes, parse_map(mapping))
    data = cli._data(ctx)
    scanned = None
    if scan_path is not None:  # recommend's path: the same scan, progress display and overrides
        scanned, measurements = cli._scan_profile(scan_path, data, settings, use_go=False, platform=None,
                                                 quiet=False)
        inputs.extend(measurements.inputs)
        typer.echo(f"scanned {scan_path}: {scanned.own_packages} own packages, {scanned.own_lines:,} lines; "
                   f"activity fields are estimates (`go-advisor profile scan {scan_path}` shows each origin)",
                   err=True)
    # recommend's defaults: flags over GO_ADVISOR_* over the config file (advisor.userconfig)
    chosen = cli._chosen_profile(data, profile, market, base=scanned)
    weights = api.parse_weights(cli._weights(weight, chosen, data))
    scored = _score_with_progress(sheet, chosen.profile, data, evidence, weights)
    # a cell that left its row unscored is said once, in that row's needs-mapping line
    said_below = [n for r in scored.needs_mapping for n in r.quote.unreadable.values() if n.field in DECIDING]
    for note in sheet.notes:
        if note not in said_below:
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


def _score_with_progress(sheet: Any, profile: Any, data: "api.Data", evidence: str, weights: dict[str, float]
                         ) -> "ScoredSheet":
    """Score the sheet; a bar on stderr while it runs when stderr is a terminal and the sheet is long."""
    import sys  # noqa: PLC0415

    from advisor.sheets.score import score_sheet  # noqa: PLC0415

    if len(sheet.rows) <= PROGRESS_ROWS or not sys.stderr.isatty():
        return score_sheet(sheet, profile, data, evidence, weights)
    from advisor.sheets.progress import bar  # noqa: PLC0415

    with bar(len(sheet.rows)) as advance:
        return score_sheet(sheet, profile, data, evidence, weights, progress=advance)


class _Deferred(CommandInfo):
    """A command whose function is built on first use: typer reads `callback` only when it builds the click
    command, after cli.py has declared the options this one shares with recommend."""

    def __init__(self, name: str, build: Callable[[], Callable[..., None]], epilog: str) -> None:
        self._build = build
        super().__init__(name, epilog=epilog)

    @property
    def callback(self) -> Callable[..., None]:
        return self._build()

    @callback.setter
    def callback(self, value: object) -> None:
        pass  # CommandInfo.__init__ sets None; the function comes from _build


def register(app: typer.Typer) -> None:
    """Add score-sheet to the root app."""
    app.registered_commands.append(_Deferred("score-sheet", _command, epilog="Example: go-advisor score-sheet "
                                             "quotes.xlsx -o scored.xlsx --market eu"))
