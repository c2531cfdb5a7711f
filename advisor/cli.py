"""The `go-advisor` command: a thin typer shell over advisor.api. User errors exit 2 with one line."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import List, Optional

import typer

from advisor import api
from advisor.errors import InputError
from advisor.output import json_text, write_atomic
from advisor.render import RENDERERS, templating
from advisor.types import CONFIDENCE_ORDER, DEFAULT_EVIDENCE, Recommendation

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Which laptop should I buy for my Go work? Ranked, explained, every number sourced.")
db_app = typer.Typer(no_args_is_help=True, help="The hardware database: list, show and check records.")
profile_app = typer.Typer(no_args_is_help=True, help="Workload profiles: presets, files and scans of Go modules.")
knowledge_app = typer.Typer(no_args_is_help=True, help="The knowledge base: coefficients, rules and sources.")
app.add_typer(db_app, name="db")
app.add_typer(profile_app, name="profile")
app.add_typer(knowledge_app, name="knowledge")


class State:
    db: Optional[str] = None
    knowledge: Optional[str] = None
    debug: bool = False


STATE = State()

EVIDENCE_HELP = ("Weakest confidence to accept: " + ", ".join(CONFIDENCE_ORDER[:4]) +
                 f". Default {DEFAULT_EVIDENCE} (leaves out seed claims and refuted values).")
FORMATS = ("table", "markdown", "json", "csv")


@app.callback()
def main_options(
    db: Optional[str] = typer.Option(None, "--db", metavar="DIR", help="Use this hardware_db folder instead of the built-in one."),
    knowledge: Optional[str] = typer.Option(None, "--knowledge", metavar="DIR", help="Use this knowledge folder instead of the built-in one."),
    templates: Optional[str] = typer.Option(None, "--templates", metavar="DIR", help="Templates here override the built-in ones."),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks for errors."),
) -> None:
    """Which laptop should I buy for my Go work?"""
    STATE.db, STATE.knowledge, STATE.debug = db, knowledge, debug
    templating.set_template_dir(templates)


def _data() -> api.Data:
    return api.load(STATE.db, STATE.knowledge)


def _emit(text: str, output: Optional[Path]) -> None:
    if output is None:
        sys.stdout.write(text)
    else:
        write_atomic(output, text)
        typer.echo(f"wrote {output}", err=True)


def _check_format(fmt: str, allowed: tuple[str, ...] = FORMATS) -> str:
    if fmt not in allowed:
        raise InputError(f"--format: {fmt!r} is not one of {', '.join(allowed)}")
    return fmt


def _check_evidence(evidence: str) -> str:
    if evidence not in CONFIDENCE_ORDER[:4]:
        raise InputError(f"--evidence: {evidence!r} is not one of {', '.join(CONFIDENCE_ORDER[:4])}")
    return evidence


def _split(values: Optional[List[str]]) -> tuple[str, ...]:
    return tuple(v.strip() for value in values or [] for v in value.split(",") if v.strip())


@app.command()
def recommend(
    profile: str = typer.Option("microservice", "--profile", "-p", help="A preset name (see `profile list`) or a profile YAML file."),
    budget: Optional[float] = typer.Option(None, "--budget", help="Maximum price; configurations above it are disqualified."),
    currency: Optional[str] = typer.Option(None, "--currency", help="Currency of --budget and prices: USD, CNY, EUR, GBP."),
    os_names: Optional[List[str]] = typer.Option(None, "--os", help="OS the machine must run well: linux, macos, windows."),
    arch: Optional[List[str]] = typer.Option(None, "--arch", help="Only machines of this architecture: amd64, arm64."),
    weight: Optional[str] = typer.Option(None, "--weight", help="Criterion weights, e.g. build=3,memory=2."),
    evidence: str = typer.Option(DEFAULT_EVIDENCE, "--evidence", help=EVIDENCE_HELP),
    top: Optional[int] = typer.Option(None, "--top", min=1, help="Show only the N best."),
    all_configs: bool = typer.Option(False, "--all-configs", help="Rank every configuration, not only each machine's best."),
    fmt: str = typer.Option("table", "--format", "-f", help="table, markdown, json or csv."),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="Write to this file (atomically) instead of stdout."),
    scan_path: Optional[Path] = typer.Option(None, "--scan", metavar="PATH", help="Scan this Go module or workspace for the profile (see `profile scan`)."),
    settings: Optional[List[str]] = typer.Option(None, "--set", metavar="FIELD=VALUE", help="With --scan: override a scanned profile field."),
) -> None:
    """Rank laptops for a Go workload, with scores per criterion and the findings behind them."""
    _check_format(fmt)
    data = _data()
    if scan_path is not None:
        profile, measured = _scan_profile(scan_path, data, settings or [], use_go=False, platform=None, quiet=False)
        typer.echo(f"scanned {scan_path}: {profile.own_packages} own packages, {profile.own_lines:,} lines, "
                   f"{profile.dependency_packages} third-party packages; activity fields are estimates "
                   f"(`go-advisor profile scan {scan_path}` shows each field's origin)", err=True)
    elif settings:
        raise InputError("--set: only with --scan (edit the profile file instead)")
    rec: Recommendation = api.recommend(profile, data=data, budget=budget, currency=currency, os=_split(os_names),
                                        arch=_split(arch), weights=weight, evidence=_check_evidence(evidence),
                                        all_configs=all_configs)
    _emit(RENDERERS[fmt].recommendation(rec, top), output)


@app.command()
def explain(
    machine: str = typer.Argument(..., help="Machine id, or machine/configuration id (see `db list`)."),
    profile: str = typer.Option("microservice", "--profile", "-p", help="A preset name or a profile YAML file."),
    evidence: str = typer.Option(DEFAULT_EVIDENCE, "--evidence", help=EVIDENCE_HELP),
    weight: Optional[str] = typer.Option(None, "--weight", help="Criterion weights, e.g. build=3,memory=2."),
    fmt: str = typer.Option("markdown", "--format", "-f", help="markdown or json."),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="Write to this file instead of stdout."),
) -> None:
    """Show every metric of a machine with its inputs and every finding with its sources."""
    from advisor.render.explain import explain_data, explain_markdown  # noqa: PLC0415

    _check_format(fmt, ("markdown", "json"))
    data = _data()
    chosen = api.resolve_profile(profile, data)
    score = api.score(machine, chosen, evidence=_check_evidence(evidence), weights=weight, data=data)
    mc = data.catalog.find_configs(score.machine_config)[0]
    if fmt == "json":
        text = json_text(explain_data(score, mc, chosen, data.knowledge, evidence))
    else:
        text = explain_markdown(score, mc, chosen, data.knowledge, evidence)
    _emit(text, output)


@app.command()
def compare(
    machines: List[str] = typer.Argument(..., help="Two or more machine ids or machine/configuration ids."),
    profile: str = typer.Option("microservice", "--profile", "-p", help="A preset name or a profile YAML file."),
    evidence: str = typer.Option(DEFAULT_EVIDENCE, "--evidence", help=EVIDENCE_HELP),
    weight: Optional[str] = typer.Option(None, "--weight", help="Criterion weights, e.g. build=3,memory=2."),
    fmt: str = typer.Option("table", "--format", "-f", help="table, markdown, json or csv."),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="Write to this file instead of stdout."),
) -> None:
    """Compare machines side by side for one profile."""
    _check_format(fmt)
    if len(machines) < 2:
        raise InputError("compare: name at least two machines")
    data = _data()
    chosen = api.resolve_profile(profile, data)
    scores = [api.score(m, chosen, evidence=_check_evidence(evidence), weights=weight, data=data) for m in machines]
    _emit(RENDERERS[fmt].scores(scores, f"{chosen.name}: " + " vs ".join(machines)), output)


# ------------------------------------------------------------------ db
@db_app.command("list")
def db_list(
    vendor: Optional[str] = typer.Option(None, "--vendor", help="Only this vendor (case-insensitive)."),
    arch: Optional[str] = typer.Option(None, "--arch", help="amd64 or arm64."),
    os_name: Optional[str] = typer.Option(None, "--os", help="Only machines where this OS works or is certified."),
    max_price: Optional[float] = typer.Option(None, "--max-price", help="Only machines with a configuration at or below this USD price."),
    min_ram: Optional[int] = typer.Option(None, "--min-ram", help="Only machines offering at least this many GB."),
    year: Optional[int] = typer.Option(None, "--year", help="Only machines launched this year."),
    kind: str = typer.Option("machines", "--kind", help="machines, cpus or ssds."),
    fmt: str = typer.Option("table", "--format", "-f", help="table or json."),
) -> None:
    """List hardware records, with filters."""
    from advisor import dbview  # noqa: PLC0415

    _check_format(fmt, ("table", "json"))
    data = _data()
    rows = dbview.list_rows(data.catalog, kind, vendor=vendor, arch=arch, os_name=os_name, max_price=max_price,
                            min_ram=min_ram, year=year)
    sys.stdout.write(dbview.format_rows(rows, fmt))


@db_app.command("show")
def db_show(
    record_id: str = typer.Argument(..., help="A machine, CPU or SSD id."),
    fmt: str = typer.Option("yaml", "--format", "-f", help="yaml or json."),
) -> None:
    """Print one record with the sources of its fields."""
    from advisor import dbview  # noqa: PLC0415

    _check_format(fmt, ("yaml", "json"))
    data = _data()
    sys.stdout.write(dbview.show_record(data.catalog, data.knowledge, record_id, fmt))


@db_app.command("check")
def db_check(
    fmt: str = typer.Option("text", "--format", "-f", help="text or json."),
) -> None:
    """Validate the database: errors exit 2; coverage of evidence per vendor and the weakest records."""
    from advisor import dbcheck  # noqa: PLC0415

    _check_format(fmt, ("text", "json"))
    knowledge = api.load_knowledge_only(STATE.knowledge)
    report = dbcheck.check(Path(STATE.db) if STATE.db else None, knowledge)
    sys.stdout.write(dbcheck.format_report(report, fmt))
    if report.errors:
        raise typer.Exit(2)


# ------------------------------------------------------------------ profile
@profile_app.command("list")
def profile_list(fmt: str = typer.Option("table", "--format", "-f", help="table or json.")) -> None:
    """List the workload presets."""
    _check_format(fmt, ("table", "json"))
    presets = _data().knowledge.presets
    if fmt == "json":
        sys.stdout.write(json_text({pid: {"name": p.name, "description": p.description} for pid, p in presets.items()}))
        return
    for pid, preset in sorted(presets.items()):
        typer.echo(f"{pid:14} {preset.name}: {preset.description}")


@profile_app.command("show")
def profile_show(
    profile: str = typer.Argument(..., help="A preset name or a profile YAML file."),
    fmt: str = typer.Option("yaml", "--format", "-f", help="yaml or json."),
) -> None:
    """Print a profile with every field."""
    import yaml  # noqa: PLC0415

    _check_format(fmt, ("yaml", "json"))
    chosen = api.resolve_profile(profile, _data()).model_dump(mode="json", exclude_none=True)
    text = (json_text(chosen) if fmt == "json"
            else yaml.safe_dump(chosen, sort_keys=False, allow_unicode=True))
    sys.stdout.write(text)


def _scan_profile(path: Path, data: api.Data, settings: List[str], use_go: bool, platform: Optional[str], quiet: bool):
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
    path: Path = typer.Argument(..., help="The folder holding go.mod or go.work."),
    fmt: str = typer.Option("table", "--format", "-f", help="table, yaml (a profile file) or json (profile and every measurement)."),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="Save the profile YAML here (for `recommend --profile`)."),
    settings: Optional[List[str]] = typer.Option(None, "--set", metavar="FIELD=VALUE", help="Override a field, e.g. --set edit_builds_per_day=40 --set budget.amount=1500."),
    use_go: bool = typer.Option(False, "--use-go", help="Also ask `go list -deps -json` (never downloads: GOFLAGS=-mod=mod GOPROXY=off)."),
    platform: Optional[str] = typer.Option(None, "--platform", metavar="GOOS/GOARCH", help="Count for this target (default linux/amd64)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress display."),
) -> None:
    """Read a Go module or workspace and print the workload profile it implies, with where each value came from."""
    from advisor.render.scan_format import SCAN_RENDERERS  # noqa: PLC0415

    _check_format(fmt, tuple(SCAN_RENDERERS))
    chosen, measurements = _scan_profile(path, _data(), settings or [], use_go, platform, quiet)
    if output is not None:
        write_atomic(output, SCAN_RENDERERS["yaml"](chosen, measurements))
        typer.echo(f"wrote {output}", err=True)
        if fmt == "yaml":
            return
    sys.stdout.write(SCAN_RENDERERS[fmt](chosen, measurements))


# ------------------------------------------------------------------ knowledge
@knowledge_app.command("list")
def knowledge_list(
    kind: str = typer.Option("all", "--kind", help="coefficients, rules, sources or all."),
    fmt: str = typer.Option("table", "--format", "-f", help="table or json."),
) -> None:
    """List coefficients, rules and sources with their confidence."""
    from advisor import kbview  # noqa: PLC0415

    _check_format(fmt, ("table", "json"))
    sys.stdout.write(kbview.list_items(_data().knowledge, kind, fmt))


@knowledge_app.command("show")
def knowledge_show(
    item_id: str = typer.Argument(..., help="A coefficient, rule or source id."),
    fmt: str = typer.Option("yaml", "--format", "-f", help="yaml or json."),
) -> None:
    """Show one coefficient, rule or source, with what it cites and why it is (or is not) used."""
    from advisor import kbview  # noqa: PLC0415

    _check_format(fmt, ("yaml", "json"))
    sys.stdout.write(kbview.show_item(_data().knowledge, item_id, fmt))


def main() -> None:
    """Entry point: user errors become one line on stderr and exit status 2."""
    debug = "--debug" in sys.argv
    try:
        app(standalone_mode=False)
    except InputError as error:
        if debug:
            raise
        typer.echo(f"go-advisor: error: {error}", err=True)
        sys.exit(2)
    except (typer.Exit, SystemExit) as done:
        sys.exit(getattr(done, "exit_code", getattr(done, "code", 0)))
    except typer.Abort:
        sys.exit(130)
    except Exception as error:  # typer's (click's) usage errors carry their own message
        if hasattr(error, "show") and hasattr(error, "exit_code"):
            if debug:
                raise
            error.show()
            sys.exit(2)
        if debug:
            raise
        typer.echo(f"go-advisor: internal error: {type(error).__name__}: {error} (run with --debug for details)",
                   err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
