"""Bench records that name a database machine: their measured compile speed, as a hardware fact.

A record of `go-advisor bench` (hardware_db/measurements/) whose machine names a database machine or
configuration (`machine.db_machine`) says how many CPU seconds a cold build took per 1,000 compiled lines
on one core; the model then reads that machine's core speed from it instead of from its IPC estimate.
"""
from __future__ import annotations

from pathlib import Path
from typing import Mapping

from advisor.errors import InputError
from advisor.types import Machine, Sourced


def record_source(path: Path) -> str:
    """The source id a measured figure cites: the record's file name."""
    return f"bench-record:{path.name}"


def check_target(path: Path, target: str, machines: Mapping[str, Machine]) -> None:
    """A record's db_machine must name a machine or machine/configuration of the database."""
    machine_id, _, config_id = target.partition("/")
    machine = machines.get(machine_id)
    if machine is None or (config_id and config_id not in {c.id for c in machine.configurations}):
        raise InputError(f"{path}: machine.db_machine: {target!r} is not a machine or configuration of the "
                         "hardware database")


def measured_speeds(db_dir: Path, machines: Mapping[str, Machine]) -> dict[str, Sourced[float]]:
    """machine or machine/configuration id -> CPU s per kloc of its cold single-core build, from every record
    naming one; a record naming no database machine measures only itself and is skipped here."""
    from advisor.bench.record import load_record, measured_quantities, record_files  # noqa: PLC0415

    found: dict[str, Sourced[float]] = {}
    for path in record_files(db_dir / "measurements"):
        record = load_record(path)
        target = record.machine.db_machine
        if target is None:
            continue
        check_target(path, target, machines)
        measured = measured_quantities(record)
        work_s, lines = measured["values"].get("cold_build_work_s"), measured.get("lines")
        if not work_s or not lines:
            continue  # a record without Go steps measured no build
        per_kloc = work_s / (lines / 1000)
        found[target] = Sourced[float](
            value=round(per_kloc, 5), source=record_source(path), confidence="measured",
            note=f"cold `go build -a {measured['target']}` at GOMAXPROCS=1: {work_s:g} CPU s for {lines:,} lines "
                 f"({record.machine.id})")
    return found
