"""The measuring commands: bench, calibrate, validate, results (registered on the root app by advisor.cli)."""
from __future__ import annotations

import re
import shlex
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, List, Optional, TypeAlias

import typer

from advisor.errors import InputError
from advisor.render.formats import FORMAT_CHOICES, format_help

if TYPE_CHECKING:
    BenchFormat: TypeAlias = StrEnum
    CalibrateFormat: TypeAlias = StrEnum
    ValidateFormat: TypeAlias = StrEnum
    ResultsFormat: TypeAlias = StrEnum
else:
    BenchFormat = FORMAT_CHOICES["bench"]
    CalibrateFormat = FORMAT_CHOICES["calibrate"]
    ValidateFormat = FORMAT_CHOICES["validate"]
    ResultsFormat = FORMAT_CHOICES["results"]


def _format(command: str) -> Any:
    """--format from the formats registry (its first format the default), as the other commands declare it."""
    kind = FORMAT_CHOICES[command]
    return typer.Option(next(iter(kind)), "--format", "-f", case_sensitive=False, help=format_help(command),
                        metavar="<" + "|".join(str(member.value) for member in kind) + ">")


def _root_option(ctx: typer.Context, name: str) -> Optional[str]:
    """A root option (--db, --knowledge) from the click context; None when not given."""
    options = ctx.find_root().obj
    return getattr(options, name, None)


def _measurements_folder(ctx: typer.Context) -> Path:
    from advisor.paths import data_dir  # noqa: PLC0415

    db = _root_option(ctx, "db")
    return (Path(db) if db else data_dir("hardware_db")) / "measurements"


def _record_paths(ctx: typer.Context, records: Optional[List[Path]]) -> list[Path]:
    """The records named, or the built-in ones (the measurements folder of --db or the built-in database)."""
    from advisor.bench.record import record_files  # noqa: PLC0415

    if records:
        return list(records)
    found = record_files(_measurements_folder(ctx))
    if not found:
        raise InputError(f"{_measurements_folder(ctx)}: no measured records (make one with `go-advisor bench`)")
    return found


def _emit(ctx: typer.Context, text: str, output: Optional[Path], inputs: List[Path]) -> None:
    """The CLI's own writer: terminal-safe on stdout, atomically to a file that is none of the run's inputs."""
    from advisor import cli  # noqa: PLC0415  (loaded: it registered these commands)

    cli._emit(text, output, [*cli._inputs(ctx), *inputs])


_RECORDS_ARGUMENT = typer.Argument(
    None, help="Measured records (default: every record in the database's measurements folder).")
_OUTPUT_OPTION = typer.Option(None, "-o", "--output", help="Write to this file instead of stdout.")


def bench(
    ctx: typer.Context,
    quick: bool = typer.Option(False, "--quick", help="The quick protocol: a small closure, one rep (under a "
                               "minute on 2 vCPUs); the full one takes under ten."),
    record: Optional[Path] = typer.Option(
        None, "--record", "-o", metavar="FILE", help="Write the measured record here (YAML; JSON for *.json), "
        "e.g. hardware_db/measurements/MY-MACHINE.yaml to contribute it."),
    only: Optional[List[str]] = typer.Option(
        None, "--only", metavar="STEP", help="Run only these steps (repeat): lines, empty_main, cold_build, "
        "rebuild, race_test, cache_io, sustained_cpu."),
    machine_id: Optional[str] = typer.Option(
        None, "--machine-id", metavar="ID", help="The record's machine id (default: from the CPU model)."),
    db_machine: Optional[str] = typer.Option(
        None, "--db-machine", metavar="ID", help="The hardware_db machine (or machine/configuration) this is."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress display."),
    fmt: BenchFormat = _format("bench"),
) -> None:
    """Measure this machine under the fixed protocol (Go builds, cache-style I/O, sustained CPU) into a record."""
    from advisor.bench.protocol import STEPS  # noqa: PLC0415
    from advisor.bench.record import record_text, write_record  # noqa: PLC0415
    from advisor.bench.results import summary_text  # noqa: PLC0415
    from advisor.bench.run import bench as run_bench  # noqa: PLC0415
    from advisor.bench.run import planned_runs  # noqa: PLC0415
    from advisor.bench.steps import go_binary  # noqa: PLC0415

    chosen = frozenset(only or STEPS)
    unknown = sorted(chosen - set(STEPS))
    if unknown:
        raise InputError(f"--only: unknown step {unknown[0]!r}; steps are {', '.join(STEPS)}")
    if machine_id is not None and not re.fullmatch(r"[a-z0-9][a-z0-9._-]*", machine_id):
        raise InputError(f"--machine-id {machine_id!r}: lowercase letters, digits, '.', '_' and '-' only, "
                         "e.g. framework-13-ryzen-7840u")
    if db_machine is not None:
        from advisor.api import load  # noqa: PLC0415

        if not load(_root_option(ctx, "db"), _root_option(ctx, "knowledge")).catalog.find_configs(db_machine):
            raise InputError(f"--db-machine {db_machine!r}: no such machine or machine/configuration "
                             "(see `go-advisor db list`)")
    if record is not None and not record.resolve().parent.is_dir():
        raise InputError(f"--record {record}: folder {record.resolve().parent} does not exist")
    command = shlex.join(["go-advisor", *sys.argv[1:]])
    if quiet or not sys.stderr.isatty():
        result = run_bench(quick, command, chosen, machine_id, db_machine)
    else:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn  # noqa

        total = planned_runs(quick, chosen, go_binary() is not None)
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      transient=True) as bar:
            task = bar.add_task("starting", total=total)
            started = [False]

            def progress(description: str) -> None:
                bar.update(task, description=description, advance=1 if started[0] else 0)
                started[0] = True

            result = run_bench(quick, command, chosen, machine_id, db_machine, progress)
    if record is not None:
        write_record(result, record)
        typer.echo(f"wrote {record}", err=True)
    chosen_format = str(fmt.value)
    sys.stdout.write(summary_text(result) if chosen_format == "text" else record_text(result, chosen_format))


def calibrate(
    ctx: typer.Context,
    records: List[Path] = typer.Argument(..., help="Measured records (from `go-advisor bench --record`)."),
    output: Optional[Path] = typer.Option(
        None, "--output", "-o", metavar="DIR", help="Write a knowledge folder with the fitted coefficients "
        "(pass it back with --knowledge); must not exist yet."),
    fmt: CalibrateFormat = _format("calibrate"),
) -> None:
    """Fit the build model's coefficients to measured records; show the error before and after per metric."""
    from advisor.api import load_knowledge_only  # noqa: PLC0415
    from advisor.bench.calibrate import fit, fit_data, format_fit, write_overlay  # noqa: PLC0415
    from advisor.bench.record import load_records  # noqa: PLC0415
    from advisor.output import json_text  # noqa: PLC0415

    knowledge = load_knowledge_only(_root_option(ctx, "knowledge"))
    loaded = load_records(list(records))
    result = fit(loaded, knowledge)
    sys.stdout.write(json_text(fit_data(result)) if str(fmt.value) == "json" else format_fit(result))
    if output is not None:
        write_overlay(result, knowledge, output)
        typer.echo(f"wrote {output} (use it with: go-advisor --knowledge {output} ...)", err=True)


def validate(
    ctx: typer.Context,
    records: Optional[List[Path]] = _RECORDS_ARGUMENT,
    fmt: ValidateFormat = _format("validate"),
    output: Optional[Path] = _OUTPUT_OPTION,
) -> None:
    """Print the model's prediction error per metric and per measured record."""
    from advisor.api import load_knowledge_only  # noqa: PLC0415
    from advisor.bench.record import load_records  # noqa: PLC0415
    from advisor.bench.validate import format_validation, validation  # noqa: PLC0415

    knowledge = load_knowledge_only(_root_option(ctx, "knowledge"))
    paths = _record_paths(ctx, records)
    _emit(ctx, format_validation(validation(load_records(paths), knowledge), str(fmt.value)), output, paths)


def results(
    ctx: typer.Context,
    records: Optional[List[Path]] = _RECORDS_ARGUMENT,
    fmt: ResultsFormat = _format("results"),
    output: Optional[Path] = _OUTPUT_OPTION,
) -> None:
    """Show measured records as a table: machine, CPU, RAM, Go, cold build, rebuild, scaling, sustained ratio."""
    from advisor.bench.record import load_records  # noqa: PLC0415
    from advisor.bench.results import format_results  # noqa: PLC0415

    paths = _record_paths(ctx, records)
    _emit(ctx, format_results(load_records(paths), str(fmt.value)), output, paths)


def register(app: typer.Typer) -> None:
    """Add the measuring commands to the root app."""
    app.command(epilog="Example: go-advisor bench --quick --record hardware_db/measurements/my-laptop.yaml")(bench)
    app.command(epilog="Example: go-advisor calibrate hardware_db/measurements/*.yaml -o my-knowledge")(calibrate)
    app.command(epilog="Example: go-advisor validate -f json")(validate)
    app.command(epilog="Example: go-advisor results -f markdown")(results)
