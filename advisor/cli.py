"""The `go-advisor` command: a thin typer shell over advisor.api. User errors exit 2 with one line.

Every choice an option takes is declared once (formats in advisor/render/formats.py, the rest here from the
types), case-insensitive, listed by --help and checked by click before any command runs. Nothing is kept
between runs: the root options travel in the click context, the templates and rules backend in api.Data.

What is generic to every command, those of other modules included, is done once over the click command tree
in `command()` and `main()`: the root options are also accepted after the subcommand, --help shows no type
labels, and the user's defaults (advisor.userconfig) are read by each command that takes them.
"""
from __future__ import annotations

import math
import os
import re
import sys
from dataclasses import dataclass
from enum import Enum, StrEnum
from pathlib import Path
from typing import (
    TYPE_CHECKING,
    Any,
    Iterator,
    List,
    Optional,
    Protocol,
    Sequence,
    TypeAlias,
    get_args,
    runtime_checkable,
)

import typer
import typer.main

from advisor import cli_bench, cli_guide, cli_sheets, suggest, userconfig, vocabulary
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

# add_completion: typer's --install-completion and --show-completion (bash, zsh, fish, PowerShell).
app = typer.Typer(add_completion=True, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Which laptop should I buy for my Go work? Ranked, explained, every number sourced.\n\n"
                  "Example: go-advisor recommend --budget 2000 --os linux")
db_app = typer.Typer(no_args_is_help=True, help="The hardware database: list, show and check records.")
profile_app = typer.Typer(no_args_is_help=True, help="Workload profiles: presets, files and scans of Go modules.")
knowledge_app = typer.Typer(no_args_is_help=True, help="The knowledge base: coefficients, rules and sources.")
app.add_typer(db_app, name="db")
app.add_typer(profile_app, name="profile")
config_app = typer.Typer(no_args_is_help=True, help="Your defaults: profile, market, currency, budget, weights.")
app.add_typer(knowledge_app, name="knowledge")
app.add_typer(config_app, name="config")
app.command("probe", epilog="Example: go-advisor probe --match")(probe_command)
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
    ConfigShowFormat: TypeAlias = StrEnum
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
    ConfigShowFormat = FORMAT_CHOICES["config show"]

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
    pager: bool = True


def _rules_backend() -> str:
    """GO_ADVISOR_RULES_BACKEND: auto (also when unset or empty), durable or builtin."""
    value = os.environ.get(RULES_BACKEND_VARIABLE, "").strip().lower() or "auto"
    if value not in api.RULES_BACKENDS:
        raise InputError(f"{RULES_BACKEND_VARIABLE}: {os.environ[RULES_BACKEND_VARIABLE]!r} is not one of "
                         f"{', '.join(api.RULES_BACKENDS)}")
    return value


def version() -> str:
    """The installed package's version (its metadata), else the source tree's advisor.__version__."""
    from importlib import metadata  # noqa: PLC0415

    try:
        return metadata.version("go-laptop-advisor")
    except metadata.PackageNotFoundError:
        from advisor import __version__  # noqa: PLC0415

        return __version__


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"go-advisor {version()}")
        raise typer.Exit(0)


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
    no_pager: bool = typer.Option(
        False, "--no-pager",
        help="Print long documents (explain, recommend's table) instead of paging them on a terminal."),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks for errors."),
    show_version: bool = typer.Option(
        False, "--version", callback=_show_version, is_eager=True, help="Print the version and exit."),
) -> None:
    """Which laptop should I buy for my Go work?

    These options may also follow the command: `go-advisor recommend --db DIR` is `go-advisor --db DIR recommend`.
    """
    ctx.obj = Options(db=db, knowledge=knowledge, templates=templates, rules_backend=_rules_backend(),
                      pager=not no_pager)


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


def _emit_document(ctx: typer.Context, markdown_text: str, output: Optional[Path], inputs: Sequence[Path],
                   raw: bool) -> None:
    """A long Markdown document: rendered and paged on a terminal (as git pages), raw when piped, written to a
    file, or asked for raw (--format markdown)."""
    if output is not None or raw or not sys.stdout.isatty():
        _emit(markdown_text, output, inputs)
        return
    from advisor import pager  # noqa: PLC0415

    rendered = pager.render_markdown(terminal(markdown_text), pager.terminal_width())
    if _options(ctx).pager:
        pager.page(rendered)
    else:
        sys.stdout.write(rendered)


def _on_terminal(output: Optional[Path]) -> bool:
    return output is None and sys.stdout.isatty()


def _width(output: Optional[Path]) -> int:
    """A table's width: the terminal's (COLUMNS first), or the fixed file width for -o."""
    from advisor import pager  # noqa: PLC0415
    from advisor.render.table_format import FILE_WIDTH  # noqa: PLC0415

    return FILE_WIDTH if output is not None else pager.terminal_width()


def _given(ctx: typer.Context, name: str) -> bool:
    """Whether the parameter was given on the command line (not a default)."""
    return getattr(ctx.get_parameter_source(name), "name", None) == "COMMANDLINE"


def _note(line: Optional[str]) -> None:
    if line:
        typer.echo(f"go-advisor: {terminal_line(line)}", err=True)


def _profile_ref(data: api.Data, text: str) -> str:
    """A preset name or a profile file as given; a mistyped preset resolved by prefix, else did-you-mean."""
    presets = data.knowledge.presets
    if text in presets or Path(text).suffix in (".yaml", ".yml") or Path(text).exists():
        return text
    found = suggest.resolve(text, presets, "profile",
                            hint="a preset of `go-advisor profile list`, or a profile YAML file")
    _note(found.note("profile"))
    return found.id


def _machine_ref(data: api.Data, text: str, what: str = "machine") -> str:
    """A machine or machine/configuration id; a prefix of exactly one id is taken (said on stderr), else one
    line with the closest ids."""
    machine_text, slash, config_text = text.partition("/")
    machines = data.catalog.machines
    machine = suggest.resolve(machine_text, machines, what, hint="see `go-advisor db list`")
    _note(machine.note(what))
    if not slash:
        return machine.id
    configs = [c.id for c in machines[machine.id].configurations]
    config = suggest.resolve(config_text, configs, f"configuration of {machine.id}:",
                             hint=f"see `go-advisor db list --configs --vendor {machines[machine.id].vendor}`")
    _note(config.note(f"configuration of {machine.id}:"))
    return f"{machine.id}/{config.id}"


@dataclass(frozen=True)
class _Chosen:
    """The profile a command runs with, the user's defaults laid over it, and the file it came from."""

    profile: Profile
    ref: str
    defaults: userconfig.Defaults


def _chosen_profile(data: api.Data, profile: Optional[str], market: Optional[str] = None,
                    base: Optional[Profile] = None) -> _Chosen:
    """The profile named (or scanned: base) with the user's defaults laid over it: flags over GO_ADVISOR_*
    over the config file over the built-in defaults (advisor.userconfig). A profile's own market is kept unless
    --market is given, as GO_ADVISOR_MARKET always did; a default budget replaces the profile's (every preset
    has one, a guess for its kind of developer), in the default currency, else the profile's. The command's
    other flags are applied by the API call itself."""
    found = userconfig.defaults()
    if base is None:
        ref = _profile_ref(data, profile or found.value("profile"))
        base = api.resolve_profile(ref, data)
    else:
        ref = base.id
    market = market or (found.value("market") if base.market is None else None)
    budget = found.value("budget")
    currency = found.value("currency") if budget is not None else None
    return _Chosen(api.apply_constraints(base, budget=budget, currency=currency, market=market), ref, found)


def _weights(weight: Optional[str], chosen: _Chosen, data: api.Data) -> Optional[str]:
    """--weight, else the default weights, checked here so that a bad name is reported where it was set."""
    if weight is not None or chosen.defaults.value("weights") is None:
        return weight
    default = chosen.defaults.value("weights")
    try:
        api.effective_weights(data.knowledge.scoring, chosen.profile, api.parse_weights(default))
    except InputError as error:
        raise InputError(f"{chosen.defaults.origin('weights')}: weights: {str(error).removeprefix('--weight: ')}") \
            from None
    return str(default)


def _complete_machine(ctx: typer.Context, incomplete: str) -> list[str]:
    """Shell completion of a machine (or machine/configuration) id, from --db when given."""
    db = ctx.find_root().params.get("db")
    catalog = api.load(db).catalog
    if "/" in incomplete:
        return [mc.id for mc in catalog.machine_configs() if mc.id.startswith(incomplete)]
    return sorted(machine_id for machine_id in catalog.machines if machine_id.startswith(incomplete))


PROFILE_HELP = ("A preset name (see `profile list`) or a profile YAML file. "
                "Default: GO_ADVISOR_PROFILE, else the config file's, else microservice.")
TOP_SHOWN_ON_A_TERMINAL = 10


@app.command(epilog="Example: go-advisor recommend --budget 2000 --market eu --os linux")
def recommend(
    ctx: typer.Context,
    profile: Optional[str] = typer.Option(None, "--profile", "-p", metavar="NAME|FILE", help=PROFILE_HELP),
    budget: Optional[float] = typer.Option(
        None, "--budget", callback=_positive, metavar="AMOUNT",
        help="Maximum price; configurations above it are disqualified. Default: GO_ADVISOR_BUDGET, else the "
        "config file's, else the profile's."),
    currency: Optional[Currency] = _choice(
        Currency, None, "--currency", help=f"Currency of --budget and prices: {spoken(Currency)}. Default: "
        "GO_ADVISOR_CURRENCY, else the config file's, else the profile budget's."),
    market: Optional[MarketChoice] = _choice(
        MarketChoice, None, "--market", help=f"Where you buy: {spoken(MarketChoice)}; only machines sold there are "
        "ranked, at their price there. Default: the profile's, else GO_ADVISOR_MARKET, else the config file's, "
        "else the --currency's market, else us."),
    os_names: Optional[List[OsChoice]] = _choice(
        OsChoice, None, "--os", help=f"OS the machine must run well: {spoken(OsChoice)}; repeat for several."),
    arch: Optional[List[ArchChoice]] = _choice(
        ArchChoice, None, "--arch", help=f"Only machines of this architecture: {spoken(ArchChoice)}; repeat for both."),
    weight: Optional[str] = typer.Option(
        None, "--weight", metavar="CRITERION=N,...", help="Criterion weights, e.g. build=3,memory=2."),
    evidence: Evidence = _choice(Evidence, DEFAULT_EVIDENCE, "--evidence", help=EVIDENCE_HELP),
    top: Optional[int] = typer.Option(
        None, "--top", min=0, metavar="N", help=f"Show only the N best; 0: all. Default on a terminal (table): "
        f"{TOP_SHOWN_ON_A_TERMINAL}; piped or -o: all."),
    show_all: bool = typer.Option(False, "--all", help="Show every ranked machine (as --top 0)."),
    all_configs: bool = typer.Option(
        False, "--all-configs", help="Rank every configuration, not only each machine's best."),
    fmt: RecommendFormat = _format("recommend"),
    output: Optional[Path] = typer.Option(
        None, "-o", "--output", metavar="FILE", help="Write to this file (atomically) instead of stdout."),
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
    measured_inputs: Sequence[Path] = ()
    scanned: Optional[Profile] = None
    if scan_path is not None:
        scanned, measurements = _scan_profile(scan_path, data, settings or [], use_go=False, platform=None,
                                              quiet=False)
        typer.echo(f"scanned {scan_path}: {scanned.own_packages} own packages, {scanned.own_lines:,} lines, "
                   f"{scanned.dependency_packages} third-party packages; activity fields are estimates "
                   f"(`go-advisor profile scan {scan_path}` shows each field's origin)", err=True)
        measured_inputs = measurements.inputs
    chosen = _chosen_profile(data, profile, base=scanned)
    from advisor.render import RENDERERS  # noqa: PLC0415
    from advisor.render.table_format import TableRenderer  # noqa: PLC0415

    # --budget without --currency is in the default currency (GO_ADVISOR_CURRENCY, the config's), if any
    budget_currency = _optional_value(currency) or (chosen.defaults.value("currency") if budget is not None else None)
    rec = api.recommend(chosen.profile, data=data, budget=budget, currency=budget_currency,
                        os=_values(os_names), arch=_values(arch), market=_optional_value(market),
                        weights=_weights(weight, chosen, data), evidence=_value(evidence), all_configs=all_configs)
    kind = _value(fmt)
    short = False
    if show_all or top == 0:
        top = None
    elif top is None and kind == "table" and _on_terminal(output):
        top, short = TOP_SHOWN_ON_A_TERMINAL, True  # short by default on a terminal; piped or -o: everything
    renderer = TableRenderer(width=_width(output), short=short) if kind == "table" else RENDERERS[kind]
    text = renderer.recommendation(rec, top, data.templates)
    if kind == "table" and _on_terminal(output) and _options(ctx).pager:
        from advisor import pager  # noqa: PLC0415

        # taller than the terminal, it would scroll the verdict off the screen: paged, as git pages
        if pager.taller_than_terminal(text):
            pager.page(terminal(text))
            return
    _emit(text, output, _inputs(ctx, profile, *measured_inputs))


@app.command(epilog="Example: go-advisor explain framework-laptop-13-amd-7040 --profile platform")
def explain(
    ctx: typer.Context,
    machine: str = typer.Argument(
        ..., autocompletion=_complete_machine,
        help="Machine id, or machine/configuration id (see `db list --configs`); a unique prefix is enough."),
    profile: Optional[str] = typer.Option(None, "--profile", "-p", metavar="NAME|FILE", help=PROFILE_HELP),
    evidence: Evidence = _choice(Evidence, DEFAULT_EVIDENCE, "--evidence", help=EVIDENCE_HELP),
    weight: Optional[str] = typer.Option(
        None, "--weight", metavar="CRITERION=N,...", help="Criterion weights, e.g. build=3,memory=2."),
    fmt: ExplainFormat = _format("explain"),
    output: Optional[Path] = typer.Option(
        None, "-o", "--output", metavar="FILE", help="Write to this file instead of stdout."),
) -> None:
    """Show every metric of a machine with its inputs and every finding with its sources.

    On a terminal the document is rendered and paged (GO_ADVISOR_PAGER, else PAGER, else `less -FRX`; --no-pager
    prints it); piped, with -o or with --format markdown it is raw Markdown."""
    from advisor.render.explain import explain_markdown  # noqa: PLC0415

    if output is not None:
        check_output(output, _inputs(ctx, profile))
    data = _data(ctx)
    chosen = _chosen_profile(data, profile)
    explained = api.explain(_machine_ref(data, machine), chosen.profile, evidence=_value(evidence),
                            weights=_weights(weight, chosen, data), data=data)
    if _value(fmt) == "json":
        _emit(json_text(explained), output, _inputs(ctx, chosen.ref))
        return
    _emit_document(ctx, explain_markdown(explained, data.templates), output, _inputs(ctx, chosen.ref),
                   raw=_given(ctx, "fmt"))


@app.command(epilog="Example: go-advisor compare --baseline lenovo-thinkpad-t480 framework-laptop-13-amd-7040 "
             "apple-macbook-air-13-m4-2025")
def compare(
    ctx: typer.Context,
    machines: Optional[List[str]] = typer.Argument(
        None, autocompletion=_complete_machine, help="Two or more machine ids or machine/configuration ids; "
        "with --baseline, the candidates (none: the top five recommended)."),
    profile: Optional[str] = typer.Option(None, "--profile", "-p", metavar="NAME|FILE", help=PROFILE_HELP),
    baseline: Optional[str] = typer.Option(
        None, "--baseline", metavar="MACHINE", help="The laptop you have now: show minutes a day each candidate "
        "saves and its payback in working days (older laptops are in `db list`)."),
    hourly_cost: Optional[float] = typer.Option(
        None, "--hourly-cost", callback=_positive, metavar="AMOUNT", help="What an hour of waiting costs, in the "
        "market's currency (default: the upgrade.hourly_cost_usd policy, 60 USD)."),
    market: Optional[MarketChoice] = _choice(
        MarketChoice, None, "--market", help=f"Where you buy: {spoken(MarketChoice)} (prices are read there). "
        "Default as for recommend."),
    evidence: Evidence = _choice(Evidence, DEFAULT_EVIDENCE, "--evidence", help=EVIDENCE_HELP),
    weight: Optional[str] = typer.Option(
        None, "--weight", metavar="CRITERION=N,...", help="Criterion weights, e.g. build=3,memory=2."),
    fmt: CompareFormat = _format("compare"),
    output: Optional[Path] = typer.Option(
        None, "-o", "--output", metavar="FILE", help="Write to this file instead of stdout."),
) -> None:
    """Compare machines side by side for one profile, or against the laptop you have now (--baseline)."""
    from advisor.render import RENDERERS  # noqa: PLC0415
    from advisor.render.table_format import TableRenderer  # noqa: PLC0415

    if output is not None:
        check_output(output, _inputs(ctx, profile))
    data = _data(ctx)
    chosen = _chosen_profile(data, profile, market=_optional_value(market))
    named = [_machine_ref(data, name) for name in machines or []]
    kind = _value(fmt)
    renderer = TableRenderer(width=_width(output)) if kind == "table" else RENDERERS[kind]
    if baseline is not None:
        baseline = _machine_ref(data, baseline, "--baseline")
        up = api.upgrade(baseline, named, chosen.profile, hourly_cost=hourly_cost, market=chosen.profile.market,
                         evidence=_value(evidence), weights=_weights(weight, chosen, data), data=data)
        title = f"{chosen.profile.name}: upgrade from {baseline}"
        _emit(renderer.upgrade(up, title, data.templates), output, _inputs(ctx, chosen.ref))
        return
    scores = api.compare(named, chosen.profile, evidence=_value(evidence), weights=_weights(weight, chosen, data),
                         data=data)
    title = f"{chosen.profile.name}: " + " vs ".join(named)
    _emit(renderer.scores(scores, title, data.templates), output, _inputs(ctx, chosen.ref))


# ------------------------------------------------------------------ db
@db_app.command("list", epilog="Example: go-advisor db list --configs --vendor framework -f csv")
def db_list(
    ctx: typer.Context,
    vendor: Optional[str] = typer.Option(None, "--vendor", metavar="NAME", help="Only this vendor (case-insensitive)."),
    arch: Optional[ArchChoice] = _choice(
        ArchChoice, None, "--arch", help=f"Only machines (or CPUs) of this architecture: {spoken(ArchChoice)}."),
    os_name: Optional[OsChoice] = _choice(
        OsChoice, None, "--os", help=f"Only machines where this OS works or is certified: {spoken(OsChoice)}."),
    max_price: Optional[float] = typer.Option(
        None, "--max-price", callback=_positive, metavar="USD",
        help="Only machines with a configuration at or below this USD price."),
    min_ram: Optional[int] = typer.Option(
        None, "--min-ram", metavar="GB", help="Only machines offering at least this many GB."),
    year: Optional[int] = typer.Option(None, "--year", metavar="YYYY", help="Only machines launched this year."),
    kind: DbKind = _choice(DbKind, "machines", "--kind", help=f"Which records: {spoken(DbKind)}."),
    configs: bool = typer.Option(
        False, "--configs", help="One row per configuration (the ids explain and compare take), with its price "
        "in each market and the markets it is sold in."),
    fmt: DbListFormat = _format("db list"),
) -> None:
    """List hardware records, with filters."""
    from advisor import dbview  # noqa: PLC0415
    from advisor.render.listing import listing  # noqa: PLC0415

    catalog = _data(ctx).catalog
    filters: dict[str, Any] = {"vendor": vendor, "arch": _optional_value(arch), "os_name": _optional_value(os_name),
                               "max_price": max_price, "min_ram": min_ram, "year": year}
    if configs:
        if _value(kind) != "machines":
            raise InputError("--configs: only with --kind machines (configurations are machines')")
        rows = dbview.config_rows(catalog, **filters)
        _emit(listing(rows, _value(fmt), _width(None), count_noun="configurations"))
        return
    rows = dbview.list_rows(catalog, _value(kind), **filters)
    _emit(listing(rows, _value(fmt), _width(None)))


@db_app.command("show", epilog="Example: go-advisor db show dell-xps-13-9310")
def db_show(
    ctx: typer.Context,
    record_id: str = typer.Argument(..., help="A machine, CPU or SSD id; a unique prefix is enough."),
    fmt: DbShowFormat = _format("db show"),
) -> None:
    """Print one record with the sources of its fields."""
    from advisor import dbview  # noqa: PLC0415

    data = _data(ctx)
    catalog = data.catalog
    found = suggest.resolve(record_id, [*catalog.machines, *catalog.cpus, *catalog.ssds], "record",
                            hint="see `go-advisor db list --kind machines|cpus|ssds`")
    _note(found.note("record"))
    _emit(dbview.show_record(catalog, data.knowledge, found.id, _value(fmt)))


@db_app.command("check", epilog="Example: go-advisor --db my-hardware_db db check")
def db_check(ctx: typer.Context, fmt: DbCheckFormat = _format("db check")) -> None:
    """Validate the database: errors exit 2; coverage of evidence per vendor and the weakest records."""
    from advisor import dbcheck  # noqa: PLC0415

    options = _options(ctx)
    report = dbcheck.check(Path(options.db) if options.db else None, api.load_knowledge_only(options.knowledge))
    _emit(dbcheck.format_report(report, _value(fmt)))
    if report.errors:
        raise typer.Exit(2)


# ------------------------------------------------------------------ profile
@profile_app.command("list", epilog="Example: go-advisor profile list -f json")
def profile_list(ctx: typer.Context, fmt: ProfileListFormat = _format("profile list")) -> None:
    """List the workload presets."""
    from advisor.render.listing import listing  # noqa: PLC0415

    presets = _data(ctx).knowledge.presets
    if _value(fmt) == "json":
        _emit(json_text({pid: {"name": p.name, "description": p.description} for pid, p in presets.items()}))
    elif _value(fmt) == "csv":
        _emit(listing([{"id": pid, "name": p.name, "description": p.description}
                       for pid, p in sorted(presets.items())], "csv", 0))
    else:
        _emit("".join(f"{pid:14} {preset.name}: {preset.description}\n" for pid, preset in sorted(presets.items())))


@profile_app.command("show", epilog="Example: go-advisor profile show platform")
def profile_show(
    ctx: typer.Context,
    profile: str = typer.Argument(..., help="A preset name or a profile YAML file."),
    fmt: ProfileShowFormat = _format("profile show"),
) -> None:
    """Print a profile with every field."""
    import yaml  # noqa: PLC0415

    data = _data(ctx)
    chosen = api.resolve_profile(_profile_ref(data, profile), data).model_dump(mode="json", exclude_none=True)
    _emit(json_text(chosen) if _value(fmt) == "json" else yaml.safe_dump(chosen, sort_keys=False, allow_unicode=True))


def _check_set_fields(settings: List[str]) -> None:
    """--set FIELD=VALUE: an unknown field is one line with the closest field names."""
    from advisor.types import Profile  # noqa: PLC0415

    fields = [name for name in Profile.model_fields if name != "provenance"]
    for assignment in settings:
        head = assignment.partition("=")[0].strip().partition(".")[0]
        if head and "=" in assignment and head not in fields:
            raise InputError(f"--set {assignment.partition('=')[0].strip()}: not a profile field"
                             f"{suggest.did_you_mean(head, fields)} (fields: {', '.join(fields)})")


def _scan_profile(path: Path, data: api.Data, settings: List[str], use_go: bool, platform: Optional[str],
                  quiet: bool) -> tuple[Profile, Measurements]:
    """Scan path with a progress display on a terminal; the profile and the measurements."""
    from advisor.scan import profile as scan_profile  # noqa: PLC0415
    from advisor.scan.constraints import KNOWN_ARCH, KNOWN_OS, Platform  # noqa: PLC0415
    from advisor.scan.measure import scan  # noqa: PLC0415

    _check_set_fields(settings)
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


@profile_app.command("scan", epilog="Example: go-advisor profile scan . -o my-profile.yaml")
def profile_scan(
    ctx: typer.Context,
    path: Path = typer.Argument(..., help="The folder holding go.mod or go.work."),
    fmt: ProfileScanFormat = _format("profile scan"),
    output: Optional[Path] = typer.Option(
        None, "-o", "--output", metavar="FILE", help="Save the profile YAML here (for `recommend --profile`)."),
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
    if _value(fmt) == "table":
        from advisor.render.scan_format import profile_table  # noqa: PLC0415

        _emit(profile_table(chosen, measurements, width=_width(None)))
    else:
        _emit(SCAN_RENDERERS[_value(fmt)](chosen, measurements))


# ------------------------------------------------------------------ knowledge
@knowledge_app.command("list", epilog="Example: go-advisor knowledge list --kind rules -f csv")
def knowledge_list(
    ctx: typer.Context,
    kind: KnowledgeKind = _choice(KnowledgeKind, "all", "--kind", help=f"Which items: {spoken(KnowledgeKind)}."),
    fmt: KnowledgeListFormat = _format("knowledge list"),
) -> None:
    """List coefficients, rules and sources with their confidence."""
    from advisor import kbview  # noqa: PLC0415

    _emit(kbview.list_items(_data(ctx).knowledge, _value(kind), _value(fmt), width=_width(None)))


@knowledge_app.command("show", epilog="Example: go-advisor knowledge show go.race.time_factor")
def knowledge_show(
    ctx: typer.Context,
    item_id: str = typer.Argument(..., help="A coefficient, rule or source id; a unique prefix is enough."),
    fmt: KnowledgeShowFormat = _format("knowledge show"),
) -> None:
    """Show one coefficient, rule or source, with what it cites and why it is (or is not) used."""
    from advisor import kbview  # noqa: PLC0415

    knowledge = _data(ctx).knowledge
    ids = [*knowledge.coefficients, *(rule.id for rule in knowledge.rules), *knowledge.sources]
    found = suggest.resolve(item_id, ids, "knowledge item", hint="see `go-advisor knowledge list`")
    _note(found.note("knowledge item"))
    _emit(kbview.show_item(knowledge, found.id, _value(fmt)))


@knowledge_app.command("facts", epilog="Example: go-advisor knowledge facts -f csv")
def knowledge_facts(ctx: typer.Context, fmt: KnowledgeFactsFormat = _format("knowledge facts")) -> None:
    """List the facts rules and scoring.yaml may read: type, unit, where each comes from, what reads it."""
    from advisor import kbview  # noqa: PLC0415

    _emit(kbview.list_facts(_data(ctx).knowledge, _value(fmt)))


@knowledge_app.command("test", epilog="Example: go-advisor knowledge test --knowledge my-knowledge")
def knowledge_test(ctx: typer.Context, fmt: KnowledgeTestFormat = _format("knowledge test")) -> None:
    """Run every rule's inline examples on each rules backend; exit 1 when one fails."""
    from advisor import ruletest  # noqa: PLC0415

    report = api.run_rule_examples(knowledge=_options(ctx).knowledge)
    _emit(ruletest.format_case_report(report, _value(fmt)))
    if not report.ok:
        raise typer.Exit(1)


# ------------------------------------------------------------------ config
@config_app.command("show", epilog="Example: GO_ADVISOR_MARKET=eu go-advisor config show")
def config_show(fmt: ConfigShowFormat = _format("config show")) -> None:
    """Print which config file and GO_ADVISOR_* variables are in effect, and each default with its origin."""
    found = userconfig.defaults()
    _emit(json_text(userconfig.show_data(found)) if _value(fmt) == "json" else userconfig.show_text(found))


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


# Root options that stay where click reads them (typer's completion options print or install and exit).
NOT_HOISTED = ("--help", "--install-completion", "--show-completion")


def _walk(group: Any) -> Iterator[Any]:
    """Every command of the tree, groups included."""
    yield group
    for sub in getattr(group, "commands", {}).values():
        yield from _walk(sub)


def _is_option(param: Any) -> bool:
    return any(cls.__name__ in ("Option", "TyperOption") for cls in type(param).__mro__)


def _no_type_label(ctx: Any) -> None:
    return None


def _teach_help(root: Any) -> None:
    """--help without type labels, on every command of the tree (other modules' too): a flag shows none, an
    option without a metavar shows its name (e.g. MARKET), choices keep their declared `<a|b>`."""
    for command in _walk(root):
        context = command.context_class(command, **{key: value for key, value in command.context_settings.items()
                                                    if key == "help_option_names"})
        help_option = command.get_help_option(context)  # made once and kept by the command (click caches it)
        for param in [*command.params, *([help_option] if help_option is not None else [])]:
            choice = getattr(getattr(param, "type_descriptor", None), "is_choice", False)
            if not _is_option(param):  # an argument: its name says what it is; typer would add `<str>`
                if not choice:
                    param.display_type_rich = _no_type_label
                continue
            if param.metavar is not None:
                continue
            if param.is_flag or param.count:
                param.metavar = ""
            elif choice:
                continue  # typer shows the choices (a declared Enum) itself
            else:
                param.metavar = param.name.upper()


def command() -> Any:
    """The click command tree `go-advisor` runs (and the README reference documents), --help taught."""
    root = typer.main.get_command(app)
    _teach_help(root)
    return root


def hoist_root_options(args: Sequence[str], root: Any) -> list[str]:
    """args with the root's options (--db DIR, --debug, ...) that follow a subcommand moved before it, so
    `recommend --db DIR` is `--db DIR recommend`; an option the subcommand declares itself stays, and so does
    everything after `--`."""
    root_options = {name: not (param.is_flag or param.count) for param in root.params if _is_option(param)
                    for name in param.opts if name.startswith("--") and name not in NOT_HOISTED}
    metavars = {name: param.metavar for param in root.params if _is_option(param) for name in param.opts}
    args = list(args)
    index = 0
    while index < len(args) and args[index].startswith("-") and args[index] != "--":  # options before the command
        name = args[index].split("=", 1)[0]
        index += 2 if root_options.get(name) and "=" not in args[index] else 1
    head, moved, kept = args[:index], [], []
    current = root
    rest = args[index:]
    position = 0
    while position < len(rest):
        token = rest[position]
        if token == "--":
            kept += rest[position:]
            break
        name = token.split("=", 1)[0]
        own = {opt: not (p.is_flag or p.count) for p in current.params if _is_option(p) for opt in p.opts}
        if name in root_options and name not in own:
            takes_value = root_options[name] and "=" not in token
            if takes_value and position + 1 == len(rest):
                raise InputError(f"{name}: needs a value, e.g. {name} {metavars.get(name) or 'VALUE'}")
            moved += rest[position:position + (2 if takes_value else 1)]
            position += 2 if takes_value else 1
            continue
        if token.startswith("-") and own.get(name) and "=" not in token:  # an option of the command and its value
            kept += rest[position:position + 2]
            position += 2
            continue
        if not token.startswith("-") and token in getattr(current, "commands", {}):
            current = current.commands[token]
        kept.append(token)
        position += 1
    return [*head, *moved, *kept]


def main() -> None:
    """Entry point: user errors become one line on stderr and exit status 2."""
    debug = "--debug" in sys.argv
    try:
        root = command()
        args = hoist_root_options(sys.argv[1:], root)
        # Without standalone mode click returns a raised typer.Exit's code instead of exiting with it.
        status = root.main(args=args, standalone_mode=False, prog_name="go-advisor")
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
    # run the module as advisor.cli, the one the commands of other modules (bench, score-sheet, guide) import,
    # so there is one copy of the root options, not a __main__ twin whose Options class they never see
    from advisor.cli import main as _main

    _main()
