"""The `go-advisor` command: a thin typer shell over advisor.api. User errors exit 2 with one line.

Every choice an option takes is declared once (formats in advisor/render/formats.py, the rest here from the
types), case-insensitive, listed by --help and checked by click before any command runs. Nothing is kept
between runs: the root options travel in the click context, the templates and rules backend in api.Data.
"""
from __future__ import annotations

import math
import os
import re
import sys
from dataclasses import dataclass
from enum import Enum, StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, List, Optional, Protocol, Sequence, TypeAlias, get_args, runtime_checkable

import typer

from advisor import cli_bench, cli_guide, cli_sheets, vocabulary
from advisor.cli_probe import probe_command
from advisor.errors import InputError
from advisor.output import check_output, json_text, write_atomic
from advisor.paths import data_dir
from advisor.render.escape import terminal, terminal_line
from advisor.render.formats import FORMAT_CHOICES, choices, format_help, spoken
from advisor.vocabulary import DEFAULT_EVIDENCE, EVIDENCE_CHOICES

if TYPE_CHECKING:
    from advisor import api
    from advisor.scan.measure import Measurements  # the scanner is imported only by the commands that scan
    from advisor.types import Profile
else:
    # --help and usage errors do not need the data types (a quarter of a second of pydantic model
    # building): advisor.api is imported when a command first uses it.
    class _OnFirstUse:
        def __getattr__(self, name: str) -> Any:
            from advisor import api as module  # noqa: PLC0415

            return getattr(module, name)

    api = _OnFirstUse()

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Which laptop should I buy for my Go work? Ranked, explained, every number sourced.")
db_app = typer.Typer(no_args_is_help=True, help="The hardware database: list, show and check records.")
profile_app = typer.Typer(no_args_is_help=True, help="Workload profiles: presets, files and scans of Go modules.")
knowledge_app = typer.Typer(no_args_is_help=True, help="The knowledge base: coefficients, rules and sources.")
app.add_typer(db_app, name="db")
app.add_typer(profile_app, name="profile")
app.add_typer(knowledge_app, name="knowledge")
app.command("probe")(probe_command)
cli_bench.register(app)  # bench, calibrate, validate, results
cli_sheets.register(app)  # score-sheet
cli_guide.register(app)  # guide

RULES_BACKEND_VARIABLE = "GO_ADVISOR_RULES_BACKEND"
# Each choice is an Enum built at import time from its one declaration (the types, the formats registry), and
# typer reads the commands' annotations at run time, so it gets these classes. A type checker cannot see their
# members and knows each as a StrEnum, which is all the commands rely on (they read `.value`).
if TYPE_CHECKING:
    Evidence: TypeAlias = StrEnum
    OsChoice: TypeAlias = StrEnum
    ArchChoice: TypeAlias = StrEnum
    Currency: TypeAlias = StrEnum
    DbKind: TypeAlias = StrEnum
    KnowledgeKind: TypeAlias = StrEnum
    RecommendFormat: TypeAlias = StrEnum
    CompareFormat: TypeAlias = StrEnum
    ExplainFormat: TypeAlias = StrEnum
    DbListFormat: TypeAlias = StrEnum
    DbShowFormat: TypeAlias = StrEnum
    DbCheckFormat: TypeAlias = StrEnum
    ProfileListFormat: TypeAlias = StrEnum
    ProfileShowFormat: TypeAlias = StrEnum
    ProfileScanFormat: TypeAlias = StrEnum
    KnowledgeListFormat: TypeAlias = StrEnum
    KnowledgeShowFormat: TypeAlias = StrEnum
    KnowledgeFactsFormat: TypeAlias = StrEnum
    KnowledgeTestFormat: TypeAlias = StrEnum
    MarketChoice: TypeAlias = StrEnum
else:
    Evidence = choices("Evidence", EVIDENCE_CHOICES)
    OsChoice = choices("OsChoice", get_args(vocabulary.OsName))
    ArchChoice = choices("ArchChoice", get_args(vocabulary.Arch))
    Currency = choices("Currency", get_args(vocabulary.Currency))
    MarketChoice = choices("MarketChoice", get_args(vocabulary.Market))
    DbKind = choices("DbKind", ("machines", "cpus", "ssds"))
    KnowledgeKind = choices("KnowledgeKind", ("all", "coefficients", "rules", "sources"))

    RecommendFormat = FORMAT_CHOICES["recommend"]
    CompareFormat = FORMAT_CHOICES["compare"]
    ExplainFormat = FORMAT_CHOICES["explain"]
    DbListFormat = FORMAT_CHOICES["db list"]
    DbShowFormat = FORMAT_CHOICES["db show"]
    DbCheckFormat = FORMAT_CHOICES["db check"]
    ProfileListFormat = FORMAT_CHOICES["profile list"]
    ProfileShowFormat = FORMAT_CHOICES["profile show"]
    ProfileScanFormat = FORMAT_CHOICES["profile scan"]
    KnowledgeListFormat = FORMAT_CHOICES["knowledge list"]
    KnowledgeShowFormat = FORMAT_CHOICES["knowledge show"]
    KnowledgeFactsFormat = FORMAT_CHOICES["knowledge facts"]
    KnowledgeTestFormat = FORMAT_CHOICES["knowledge test"]

EVIDENCE_HELP = (f"Weakest confidence to accept: {spoken(EVIDENCE_CHOICES)}. "
                 f"Default {DEFAULT_EVIDENCE} (leaves out seed claims and refuted values).")


def _choice(kind: type[Enum], default: str | None, *names: str, help: str) -> Any:  # noqa: A002
    """An option taking one of kind's values, case-insensitive; --help lists them as declared.

    Typed Any, as typer.Option is: it is the default of a parameter of kind's type."""
    return typer.Option(None if default is None else kind(default), *names, case_sensitive=False, help=help,
                        metavar="<" + "|".join(str(member.value) for member in kind) + ">")


def _format(command: str) -> Any:
    """The --format option of a command, from the registry: its choices, default (the first) and help."""
    kind = FORMAT_CHOICES[command]
    return _choice(kind, next(iter(kind)).value, "--format", "-f", help=format_help(command))


def _value(choice: Enum) -> str:
    return str(choice.value)


def _optional_value(choice: Enum | None) -> str | None:
    return None if choice is None else _value(choice)


def _values(choices_given: Optional[Sequence[Enum]]) -> tuple[str, ...]:
    return tuple(str(c.value) for c in choices_given or ())


@dataclass(frozen=True)
class Options:
    """The root options of one invocation (kept in the click context, not in the process)."""

    db: Optional[str]
    knowledge: Optional[str]
    templates: Optional[Path]
    rules_backend: str


def _rules_backend() -> str:
    """GO_ADVISOR_RULES_BACKEND: auto (also when unset or empty), durable or builtin."""
    value = os.environ.get(RULES_BACKEND_VARIABLE, "").strip().lower() or "auto"
    if value not in api.RULES_BACKENDS:
        raise InputError(f"{RULES_BACKEND_VARIABLE}: {os.environ[RULES_BACKEND_VARIABLE]!r} is not one of "
                         f"{', '.join(api.RULES_BACKENDS)}")
    return value


@app.callback()
def main_options(
    ctx: typer.Context,
    db: Optional[str] = typer.Option(
        None, "--db", metavar="DIR", help="Use this hardware_db folder instead of the built-in one."),
    knowledge: Optional[str] = typer.Option(
        None, "--knowledge", metavar="DIR", help="Use this knowledge folder instead of the built-in one."),
    templates: Optional[Path] = typer.Option(
        None, "--templates", metavar="DIR", exists=True, file_okay=False, dir_okay=True,
        help="Templates here override the built-in ones (which stay reachable as `default:NAME`)."),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks for errors."),
) -> None:
    """Which laptop should I buy for my Go work?"""
    ctx.obj = Options(db=db, knowledge=knowledge, templates=templates, rules_backend=_rules_backend())


def _options(ctx: typer.Context) -> Options:
    options = ctx.find_object(Options)
    if options is None:
        raise RuntimeError("no root options in the click context (main_options puts them there)")
    return options


def _data(ctx: typer.Context) -> api.Data:
    options = _options(ctx)
    return api.load(options.db, options.knowledge, templates=options.templates, rules_backend=options.rules_backend)


def _positive(value: Optional[float]) -> Optional[float]:
    """An amount option (--budget, --hourly-cost, --max-price): a finite number above zero."""
    if value is not None and not (math.isfinite(value) and value > 0):
        raise typer.BadParameter(f"{value} is not a positive finite number")
    return value


def _inputs(ctx: typer.Context, *files: Optional[str | Path]) -> list[Path]:
    """What this run reads, which no -o may overwrite: the database's record folders, the knowledge and template
    folders, and the given files (a profile file; a preset name is no file and is skipped)."""
    options = _options(ctx)
    db = Path(options.db) if options.db else data_dir("hardware_db")
    folders = [db / kind for kind in ("machines", "cpus", "ssds")]
    folders.append(Path(options.knowledge) if options.knowledge else data_dir("knowledge"))
    folders.append(data_dir("templates"))
    if options.templates is not None:
        folders.append(options.templates)
    return folders + [Path(f) for f in files if f is not None and Path(f).is_file()]


def _emit(text: str, output: Optional[Path] = None, inputs: Sequence[Path] = ()) -> None:
    """Every command's output: to stdout, or atomically to a file that is none of the run's inputs."""
    if output is None:
        sys.stdout.write(terminal(text) if sys.stdout.isatty() else text)
    else:
        write_atomic(output, text, inputs)
        typer.echo(f"wrote {output}", err=True)


@app.command()
def recommend(
    ctx: typer.Context,
    profile: str = typer.Option(
        "microservice", "--profile", "-p", help="A preset name (see `profile list`) or a profile YAML file."),
    budget: Optional[float] = typer.Option(
        None, "--budget", callback=_positive, help="Maximum price; configurations above it are disqualified."),
    currency: Optional[Currency] = _choice(
        Currency, None, "--currency", help=f"Currency of --budget and prices: {spoken(Currency)}."),
    market: Optional[MarketChoice] = _choice(
        MarketChoice, None, "--market", help=f"Where you buy: {spoken(MarketChoice)}; only machines sold there are "
        "ranked, at their price there. Default: GO_ADVISOR_MARKET, else the --currency's market, else us."),
    os_names: Optional[List[OsChoice]] = _choice(
        OsChoice, None, "--os", help=f"OS the machine must run well: {spoken(OsChoice)}; repeat for several."),
    arch: Optional[List[ArchChoice]] = _choice(
        ArchChoice, None, "--arch", help=f"Only machines of this architecture: {spoken(ArchChoice)}; repeat for both."),
    weight: Optional[str] = typer.Option(None, "--weight", help="Criterion weights, e.g. build=3,memory=2."),
    evidence: Evidence = _choice(Evidence, DEFAULT_EVIDENCE, "--evidence", help=EVIDENCE_HELP),
    top: Optional[int] = typer.Option(None, "--top", min=1, help="Show only the N best."),
    all_configs: bool = typer.Option(
        False, "--all-configs", help="Rank every configuration, not only each machine's best."),
    fmt: RecommendFormat = _format("recommend"),
    output: Optional[Path] = typer.Option(
        None, "-o", "--output", help="Write to this file (atomically) instead of stdout."),
    scan_path: Optional[Path] = typer.Option(
        None, "--scan", metavar="PATH", help="Scan this Go module or workspace for the profile (see `profile scan`)."),
    settings: Optional[List[str]] = typer.Option(
        None, "--set", metavar="FIELD=VALUE", help="With --scan: override a scanned profile field."),
) -> None:
    """Rank laptops for a Go workload, with scores per criterion and the findings behind them."""
    if settings and scan_path is None:
        raise InputError("--set: only with --scan (edit the profile file instead)")
    if output is not None:  # refused before the work, not after it
        check_output(output, _inputs(ctx, profile))
    data = _data(ctx)
    chosen: str | Profile = profile
    if scan_path is not None:
        chosen, measurements = _scan_profile(scan_path, data, settings or [], use_go=False, platform=None,
                                             quiet=False)
        typer.echo(f"scanned {scan_path}: {chosen.own_packages} own packages, {chosen.own_lines:,} lines, "
                   f"{chosen.dependency_packages} third-party packages; activity fields are estimates "
                   f"(`go-advisor profile scan {scan_path}` shows each field's origin)", err=True)
    from advisor.render import RENDERERS  # noqa: PLC0415

    rec = api.recommend(chosen, data=data, budget=budget, currency=_optional_value(currency), os=_values(os_names),
                        arch=_values(arch), market=_optional_value(market), weights=weight, evidence=_value(evidence),
                        all_configs=all_configs)
    _emit(RENDERERS[_value(fmt)].recommendation(rec, top, data.templates), output,
          _inputs(ctx, profile, *(measurements.inputs if scan_path is not None else ())))


@app.command()
def explain(
    ctx: typer.Context,
    machine: str = typer.Argument(..., help="Machine id, or machine/configuration id (see `db list`)."),
    profile: str = typer.Option("microservice", "--profile", "-p", help="A preset name or a profile YAML file."),
    evidence: Evidence = _choice(Evidence, DEFAULT_EVIDENCE, "--evidence", help=EVIDENCE_HELP),
    weight: Optional[str] = typer.Option(None, "--weight", help="Criterion weights, e.g. build=3,memory=2."),
    fmt: ExplainFormat = _format("explain"),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="Write to this file instead of stdout."),
) -> None:
    """Show every metric of a machine with its inputs and every finding with its sources."""
    from advisor.render.explain import explain_markdown  # noqa: PLC0415

    if output is not None:
        check_output(output, _inputs(ctx, profile))
    data = _data(ctx)
    explained = api.explain(machine, profile, evidence=_value(evidence), weights=weight, data=data)
    _emit(json_text(explained) if _value(fmt) == "json" else explain_markdown(explained, data.templates), output,
          _inputs(ctx, profile))


@app.command()
def compare(
    ctx: typer.Context,
    machines: Optional[List[str]] = typer.Argument(
        None, help="Two or more machine ids or machine/configuration ids; with --baseline, the candidates "
        "(none: the top five recommended)."),
    profile: str = typer.Option("microservice", "--profile", "-p", help="A preset name or a profile YAML file."),
    baseline: Optional[str] = typer.Option(
        None, "--baseline", metavar="MACHINE", help="The laptop you have now: show minutes a day each candidate "
        "saves and its payback in working days (older laptops are in `db list`)."),
    hourly_cost: Optional[float] = typer.Option(
        None, "--hourly-cost", callback=_positive, help="What an hour of waiting costs, in the market's currency "
        "(default: the upgrade.hourly_cost_usd policy, 60 USD)."),
    market: Optional[MarketChoice] = _choice(
        MarketChoice, None, "--market", help=f"Where you buy: {spoken(MarketChoice)} (prices are read there)."),
    evidence: Evidence = _choice(Evidence, DEFAULT_EVIDENCE, "--evidence", help=EVIDENCE_HELP),
    weight: Optional[str] = typer.Option(None, "--weight", help="Criterion weights, e.g. build=3,memory=2."),
    fmt: CompareFormat = _format("compare"),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="Write to this file instead of stdout."),
) -> None:
    """Compare machines side by side for one profile, or against the laptop you have now (--baseline)."""
    from advisor.render import RENDERERS  # noqa: PLC0415

    if output is not None:
        check_output(output, _inputs(ctx, profile))
    data = _data(ctx)
    machines = list(machines or [])
    if baseline is not None:
        up = api.upgrade(baseline, machines, profile, hourly_cost=hourly_cost, market=_optional_value(market),
                         evidence=_value(evidence), weights=weight, data=data)
        title = f"{api.resolve_profile(profile, data).name}: upgrade from {baseline}"
        _emit(RENDERERS[_value(fmt)].upgrade(up, title, data.templates), output, _inputs(ctx, profile))
        return
    scores = api.compare(machines, profile, evidence=_value(evidence), weights=weight, data=data)
    title = f"{api.resolve_profile(profile, data).name}: " + " vs ".join(machines)
    _emit(RENDERERS[_value(fmt)].scores(scores, title, data.templates), output, _inputs(ctx, profile))


# ------------------------------------------------------------------ db
@db_app.command("list")
def db_list(
    ctx: typer.Context,
    vendor: Optional[str] = typer.Option(None, "--vendor", help="Only this vendor (case-insensitive)."),
    arch: Optional[ArchChoice] = _choice(
        ArchChoice, None, "--arch", help=f"Only machines (or CPUs) of this architecture: {spoken(ArchChoice)}."),
    os_name: Optional[OsChoice] = _choice(
        OsChoice, None, "--os", help=f"Only machines where this OS works or is certified: {spoken(OsChoice)}."),
    max_price: Optional[float] = typer.Option(
        None, "--max-price", callback=_positive, help="Only machines with a configuration at or below this USD price."),
    min_ram: Optional[int] = typer.Option(None, "--min-ram", help="Only machines offering at least this many GB."),
    year: Optional[int] = typer.Option(None, "--year", help="Only machines launched this year."),
    kind: DbKind = _choice(DbKind, "machines", "--kind", help=f"Which records: {spoken(DbKind)}."),
    fmt: DbListFormat = _format("db list"),
) -> None:
    """List hardware records, with filters."""
    from advisor import dbview  # noqa: PLC0415

    rows = dbview.list_rows(_data(ctx).catalog, _value(kind), vendor=vendor, arch=_optional_value(arch),
                            os_name=_optional_value(os_name), max_price=max_price, min_ram=min_ram, year=year)
    _emit(dbview.format_rows(rows, _value(fmt)))


@db_app.command("show")
def db_show(
    ctx: typer.Context,
    record_id: str = typer.Argument(..., help="A machine, CPU or SSD id."),
    fmt: DbShowFormat = _format("db show"),
) -> None:
    """Print one record with the sources of its fields."""
    from advisor import dbview  # noqa: PLC0415

    data = _data(ctx)
    _emit(dbview.show_record(data.catalog, data.knowledge, record_id, _value(fmt)))


@db_app.command("check")
def db_check(ctx: typer.Context, fmt: DbCheckFormat = _format("db check")) -> None:
    """Validate the database: errors exit 2; coverage of evidence per vendor and the weakest records."""
    from advisor import dbcheck  # noqa: PLC0415

    options = _options(ctx)
    report = dbcheck.check(Path(options.db) if options.db else None, api.load_knowledge_only(options.knowledge))
    _emit(dbcheck.format_report(report, _value(fmt)))
    if report.errors:
        raise typer.Exit(2)


# ------------------------------------------------------------------ profile
@profile_app.command("list")
def profile_list(ctx: typer.Context, fmt: ProfileListFormat = _format("profile list")) -> None:
    """List the workload presets."""
    presets = _data(ctx).knowledge.presets
    if _value(fmt) == "json":
        _emit(json_text({pid: {"name": p.name, "description": p.description} for pid, p in presets.items()}))
    else:
        _emit("".join(f"{pid:14} {preset.name}: {preset.description}\n" for pid, preset in sorted(presets.items())))


@profile_app.command("show")
def profile_show(
    ctx: typer.Context,
    profile: str = typer.Argument(..., help="A preset name or a profile YAML file."),
    fmt: ProfileShowFormat = _format("profile show"),
) -> None:
    """Print a profile with every field."""
    import yaml  # noqa: PLC0415

    chosen = api.resolve_profile(profile, _data(ctx)).model_dump(mode="json", exclude_none=True)
    _emit(json_text(chosen) if _value(fmt) == "json" else yaml.safe_dump(chosen, sort_keys=False, allow_unicode=True))


def _scan_profile(path: Path, data: api.Data, settings: List[str], use_go: bool, platform: Optional[str],
                  quiet: bool) -> tuple[Profile, Measurements]:
    """Scan path with a progress display on a terminal; the profile and the measurements."""
    from advisor.scan import profile as scan_profile  # noqa: PLC0415
    from advisor.scan.constraints import KNOWN_ARCH, KNOWN_OS, Platform  # noqa: PLC0415
    from advisor.scan.measure import scan  # noqa: PLC0415

    overrides = scan_profile.parse_set(settings)
    target = None
    if platform:
        goos, _, goarch = platform.partition("/")
        if not goarch:
            raise InputError(f"--platform {platform!r}: expected GOOS/GOARCH, e.g. darwin/arm64")
        if goos not in KNOWN_OS or goarch not in KNOWN_ARCH:
            raise InputError(f"--platform {platform!r}: unknown GOOS or GOARCH")
        target = Platform(goos=goos, goarch=goarch, cgo=goos not in ("js", "wasip1", "plan9"))
    if quiet or not sys.stderr.isatty():
        measurements = scan(path, target, use_go=use_go)
    else:
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn  # noqa: PLC0415

        with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), transient=True) as bar:
            task = bar.add_task(f"scanning {path}")

            def progress(files: int, lines: int) -> None:
                if files % 50 == 0:
                    bar.update(task, description=f"scanning {path}: {files:,} Go files, {lines:,} lines")

            measurements = scan(path, target, progress=progress, use_go=use_go)
    return scan_profile.build_profile(measurements, data.knowledge, overrides), measurements


@profile_app.command("scan")
def profile_scan(
    ctx: typer.Context,
    path: Path = typer.Argument(..., help="The folder holding go.mod or go.work."),
    fmt: ProfileScanFormat = _format("profile scan"),
    output: Optional[Path] = typer.Option(
        None, "-o", "--output", help="Save the profile YAML here (for `recommend --profile`)."),
    settings: Optional[List[str]] = typer.Option(
        None, "--set", metavar="FIELD=VALUE",
        help="Override a field, e.g. --set edit_builds_per_day=40 --set budget.amount=1500."),
    use_go: bool = typer.Option(
        False, "--use-go", help="Also ask `go list -deps -json` (never downloads nor edits go.mod: "
        "GOFLAGS=-mod=readonly GOPROXY=off)."),
    platform: Optional[str] = typer.Option(
        None, "--platform", metavar="GOOS/GOARCH", help="Count for this target (default linux/amd64)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress display."),
) -> None:
    """Read a Go module or workspace and print the workload profile it implies, with where each value came from."""
    from advisor.render.scan_format import SCAN_RENDERERS  # noqa: PLC0415

    if output is not None:
        check_output(output, _inputs(ctx))
    chosen, measurements = _scan_profile(path, _data(ctx), settings or [], use_go, platform, quiet)
    if output is not None:
        write_atomic(output, SCAN_RENDERERS["yaml"](chosen, measurements), _inputs(ctx, *measurements.inputs))
        typer.echo(f"wrote {output}", err=True)
        if _value(fmt) == "yaml":
            return
    _emit(SCAN_RENDERERS[_value(fmt)](chosen, measurements))


# ------------------------------------------------------------------ knowledge
@knowledge_app.command("list")
def knowledge_list(
    ctx: typer.Context,
    kind: KnowledgeKind = _choice(KnowledgeKind, "all", "--kind", help=f"Which items: {spoken(KnowledgeKind)}."),
    fmt: KnowledgeListFormat = _format("knowledge list"),
) -> None:
    """List coefficients, rules and sources with their confidence."""
    from advisor import kbview  # noqa: PLC0415

    _emit(kbview.list_items(_data(ctx).knowledge, _value(kind), _value(fmt)))


@knowledge_app.command("show")
def knowledge_show(
    ctx: typer.Context,
    item_id: str = typer.Argument(..., help="A coefficient, rule or source id."),
    fmt: KnowledgeShowFormat = _format("knowledge show"),
) -> None:
    """Show one coefficient, rule or source, with what it cites and why it is (or is not) used."""
    from advisor import kbview  # noqa: PLC0415

    _emit(kbview.show_item(_data(ctx).knowledge, item_id, _value(fmt)))


@knowledge_app.command("facts")
def knowledge_facts(ctx: typer.Context, fmt: KnowledgeFactsFormat = _format("knowledge facts")) -> None:
    """List the facts rules and scoring.yaml may read: type, unit, where each comes from, what reads it."""
    from advisor import kbview  # noqa: PLC0415

    _emit(kbview.list_facts(_data(ctx).knowledge, _value(fmt)))


@knowledge_app.command("test")
def knowledge_test(ctx: typer.Context, fmt: KnowledgeTestFormat = _format("knowledge test")) -> None:
    """Run every rule's inline examples on each rules backend; exit 1 when one fails.

    Example: go-advisor --knowledge my-knowledge knowledge test
    """
    from advisor import ruletest  # noqa: PLC0415

    report = api.run_rule_examples(knowledge=_options(ctx).knowledge)
    _emit(ruletest.format_case_report(report, _value(fmt)))
    if not report.ok:
        raise typer.Exit(1)


def _choices_of(param: object) -> tuple[str, ...]:
    """The choices of an Enum-typed (or list of Enum) parameter, as declared (not case-folded)."""
    annotation = getattr(getattr(param, "type_descriptor", None), "annotation", None)
    for candidate in (annotation, *get_args(annotation)):
        if isinstance(candidate, type) and issubclass(candidate, Enum):
            return tuple(str(member.value) for member in candidate)
    return ()


@runtime_checkable
class _ClickError(Protocol):
    """What main() uses of click's exceptions (recent typer releases vendor click, so no class to import)."""

    exit_code: int

    def show(self) -> None: ...

    def format_message(self) -> str: ...


def _usage_line(error: _ClickError) -> str:
    """A click usage error as one line: what is wrong, the choices if any, where to read more."""
    message = " ".join(error.format_message().replace("Value error, ", "").split())
    declared = _choices_of(getattr(error, "param", None))
    if declared:
        message = re.sub(r"is not one of .*$", f"is not one of {', '.join(declared)}.", message)
    ctx = getattr(error, "ctx", None)
    if ctx is not None and not declared:
        message += f" (see `{ctx.command_path} --help`)"
    return message


def main() -> None:
    """Entry point: user errors become one line on stderr and exit status 2."""
    debug = "--debug" in sys.argv
    try:
        # Without standalone mode click returns a raised typer.Exit's code instead of exiting with it.
        status = app(standalone_mode=False, prog_name="go-advisor")
        sys.exit(status if isinstance(status, int) else 0)
    except InputError as error:
        if debug:
            raise
        typer.echo(f"go-advisor: error: {terminal_line(str(error))}", err=True)
        sys.exit(2)
    except (typer.Exit, SystemExit) as done:
        sys.exit(getattr(done, "exit_code", getattr(done, "code", 0)))
    except typer.Abort:
        sys.exit(130)
    except Exception as error:  # typer's (click's) usage errors: one line, exit status 2
        if isinstance(error, _ClickError):
            if debug:
                raise
            if type(error).__name__ == "NoArgsIsHelpError":  # a bare `go-advisor` or `go-advisor db`: the help
                error.show()
            else:
                typer.echo(f"go-advisor: error: {terminal_line(_usage_line(error))}", err=True)
            sys.exit(2)
        if debug:
            raise
        typer.echo(f"go-advisor: internal error: {type(error).__name__}: {terminal_line(str(error))} "
                   "(run with --debug for details)", err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
