"""`go-advisor probe`: detect this machine and print it as a hardware_db record, each field with how it was read."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

import typer

from advisor.output import json_text
from advisor.render.formats import FORMAT_CHOICES, format_help

if TYPE_CHECKING:
    from enum import StrEnum

    ProbeFormat = StrEnum
else:
    ProbeFormat = FORMAT_CHOICES["probe"]


def _table(rows: list[tuple[str, str, str]]) -> str:
    from rich.markup import escape  # noqa: PLC0415
    from rich.table import Table  # noqa: PLC0415

    from advisor.render.table_format import _console  # noqa: PLC0415

    console, buffer = _console(width=120)
    table = Table(box=None, pad_edge=False, header_style="bold")
    table.add_column("field", no_wrap=True)
    table.add_column("value", overflow="fold", max_width=34)
    table.add_column("how it was read", overflow="fold")
    for row in rows:
        table.add_row(*(escape(cell) for cell in row))
    console.print(table)
    return buffer.getvalue()


# typer reads these defaults once, when it builds the command (module-level, so nothing is called per argument).
_FORMAT_OPTION = typer.Option(
    next(iter(FORMAT_CHOICES["probe"])).value, "--format", "-f", case_sensitive=False, help=format_help("probe"),
    metavar="<" + "|".join(str(m.value) for m in FORMAT_CHOICES["probe"]) + ">")
_OUTPUT_OPTION = typer.Option(None, "-o", "--output", help="Write to this file (atomically) instead of stdout.")
_MATCH_OPTION = typer.Option(
    False, "--match", help="Also name the closest database CPU (by model name) and machine (by DMI product name).")


def probe_command(
    ctx: typer.Context,
    fmt: ProbeFormat = _FORMAT_OPTION,
    output: Optional[Path] = _OUTPUT_OPTION,
    match: bool = _MATCH_OPTION,
) -> None:
    """Detect this machine (CPU, cores, caches, RAM, drives, limits, Go toolchain) as a database record; reads only."""
    import yaml  # noqa: PLC0415

    from advisor import cli  # noqa: PLC0415  (cli imports this module: look its helpers up at run time)
    from advisor.probe import probe  # noqa: PLC0415
    from advisor.probe.match import match_cpu, match_machine  # noqa: PLC0415
    from advisor.probe.record import table_rows, to_record  # noqa: PLC0415

    found = probe()
    cpu_match = machine_match = None
    if match:
        catalog = cli._data(ctx).catalog
        cores: Any = found["cpu.cores"].value
        cpu_match = match_cpu(found["cpu.name"].value, catalog, cores)
        machine_match = match_machine(found["machine.vendor"].value, found["machine.name"].value, cpu_match.id,
                                      catalog)
    kind = str(fmt.value)
    if kind == "table":
        text = _table(table_rows(found, cpu_match, machine_match))
    else:
        record = to_record(found, cpu_match, machine_match)
        text = json_text(record) if kind == "json" else (
            "# go-advisor probe: this machine as a hardware_db record; each note says how the value was read\n"
            + yaml.safe_dump(record, sort_keys=False, allow_unicode=True, width=110))
    cli._emit(text, output)
