"""The measured record `go-advisor bench` writes: machine, software, protocol, the command, every sample.

Records are YAML or JSON; the loader turns the first problem into one line naming the file and field.
"""
from __future__ import annotations

import re
import statistics
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from advisor.errors import InputError
from advisor.output import json_text, write_atomic
from advisor.yamlio import describe_validation_error, load_yaml

SCHEMA = "go-laptop-advisor measured record"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Sample(_Strict):
    """One timed run (or one interval of a loop); `values` holds its other measured numbers."""

    variant: str
    rep: int = Field(ge=1)
    wall_s: float | None = Field(default=None, ge=0)
    user_s: float | None = Field(default=None, ge=0)
    sys_s: float | None = Field(default=None, ge=0)
    max_rss_kib: int | None = Field(default=None, ge=0)
    exit_code: int = 0
    values: dict[str, float] = {}
    error: str | None = None

    @property
    def cpu_s(self) -> float | None:
        return None if self.user_s is None or self.sys_s is None else self.user_s + self.sys_s


class Step(_Strict):
    """One protocol step: its parameters, its samples, their medians and spread; or why it was skipped."""

    skipped: str | None = None
    note: str | None = None
    params: dict[str, Any] = {}
    samples: list[Sample] = []
    values: dict[str, float] = {}  # numbers measured once for the whole step (clocks before and after)
    summary: dict[str, dict[str, float]] = {}  # variant -> median/min/max/spread of its samples

    def ok(self, variant: str | None = None) -> list[Sample]:
        """The step's successful samples (of one variant)."""
        return [s for s in self.samples if s.exit_code == 0 and (variant is None or s.variant == variant)]


class MachineInfo(_Strict):
    """The measured machine as the record's maker read it (a database id only when someone names one)."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]*$")
    db_machine: str | None = None  # a hardware_db machine or machine/configuration id
    core_family: str | None = None  # a cpu.ipc key, when known (probe --match will name it)
    cpu_model: str | None = None
    cpu_vendor: str | None = None
    cpu_family_model: str | None = None
    hypervisor: bool | None = None
    nproc: int = Field(ge=1)
    mem_total_kib: int | None = Field(default=None, ge=0)
    arch: str | None = None
    os: str | None = None
    kernel: str | None = None


class Software(_Strict):
    go: str | None = None  # `go version`, or None when Go was absent
    python: str
    advisor: str


class Record(_Strict):
    """A measured record (schema SCHEMA, protocol `protocol_version`)."""

    schema_: Literal["go-laptop-advisor measured record"] = Field(alias="schema")
    protocol_version: str
    protocol: Literal["quick", "full", "converted"]  # converted: an older script's samples, renamed
    created: str
    command: str
    machine: MachineInfo
    software: Software
    notes: list[str] = []
    steps: dict[str, Step]

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    def step(self, name: str) -> Step:
        return self.steps.get(name) or Step(skipped="not in this record")


# ---------------------------------------------------------------- summaries
def _median(values: list[float]) -> float:
    return float(statistics.median(values))


def summarise(step: Step) -> dict[str, dict[str, float]]:
    """Per variant: n, and median, min, max and spread ((max - min) / median) of wall and CPU seconds."""
    summary: dict[str, dict[str, float]] = {}
    for variant in dict.fromkeys(s.variant for s in step.ok()):
        samples = step.ok(variant)
        row: dict[str, float] = {"n": float(len(samples))}
        for key, values in (("wall_s", [s.wall_s for s in samples if s.wall_s is not None]),
                            ("cpu_s", [s.cpu_s for s in samples if s.cpu_s is not None and s.user_s])):
            if values:
                median = _median(values)
                row.update({f"{key}_median": round(median, 4), f"{key}_min": round(min(values), 4),
                            f"{key}_max": round(max(values), 4)})
                if median:
                    row[f"{key}_spread"] = round((max(values) - min(values)) / median, 4)
        summary[variant] = row
    return summary


def median_of(step: Step, variant: str, key: str) -> float | None:
    """Median of one measured quantity (wall_s, cpu_s, max_rss_kib or a `values` key) over a variant."""
    found = []
    for sample in step.ok(variant):
        value = getattr(sample, key, None) if key in ("wall_s", "cpu_s", "max_rss_kib") else sample.values.get(key)
        if value is not None:
            found.append(float(value))
    return _median(found) if found else None


def sustained_ratio(record: Record) -> float | None:
    """Compiles per second in the last quarter of the sustained loop over the first seconds' (1 = no slowdown)."""
    counts = [s.values.get("compiles") for s in record.step("sustained_cpu").ok("second")]
    counts_f = [float(c) for c in counts if c is not None]
    if len(counts_f) < 4:
        return None
    early = counts_f[:max(1, len(counts_f) // 10)]
    late = counts_f[-max(1, len(counts_f) // 4):]
    return round(_median(late) / _median(early), 4) if _median(early) else None


def target_of(record: Record) -> str | None:
    return record.step("cold_build").params.get("target") or record.step("lines").params.get("target")


def measured_quantities(record: Record) -> dict[str, Any]:
    """The record's measured figures by prediction name, for its machine (`machine`, the database id or None),
    its workload (`target`, `lines`, `packages`: a cold build of that closure) and `values`."""
    cold, lines = record.step("cold_build"), record.step("lines")
    cpus = max([int(g) for g in cold.params.get("gomaxprocs", [])] or [record.machine.nproc])
    values: dict[str, float] = {}

    def put(name: str, value: float | None, scale: float = 1.0) -> None:
        if value is not None:
            values[name] = round(value * scale, 4)

    put("cold_build_s", median_of(cold, f"GOMAXPROCS={cpus}", "wall_s"))
    put("cold_build_work_s", median_of(cold, "GOMAXPROCS=1", "cpu_s"))
    put("cold_build_span_s", median_of(cold, "GOMAXPROCS=1", "critical_path_cpu_s"))
    put("go_command_overhead_s", median_of(record.step("rebuild"), f"GOMAXPROCS={cpus}", "wall_s"))
    put("build_peak_memory_gb", median_of(cold, f"GOMAXPROCS={cpus}", "max_rss_kib"), 1024 / 1e9)
    put("sustained_clock_ratio", sustained_ratio(record))
    workload: dict[str, Any] = {"target": target_of(record)}
    for key in ("lines", "packages"):
        found = median_of(lines, str(workload["target"]), key)
        if found is not None:
            workload[key] = int(found)
    return {"machine": record.machine.db_machine, **workload, "values": values}


# ---------------------------------------------------------------- reading and writing
def record_text(record: Record, fmt: str) -> str:
    data = record.model_dump(mode="json", by_alias=True, exclude_none=True)
    if fmt == "json":
        return json_text(data)
    return yaml.safe_dump(data, sort_keys=False, width=120, allow_unicode=True)


def write_record(record: Record, path: Path) -> None:
    """YAML, or JSON when the file name ends in .json; atomically."""
    write_atomic(path, record_text(record, "json" if path.suffix.lower() == ".json" else "yaml"))


def load_record(path: Path) -> Record:
    """One record file; a problem is an InputError of one line naming the file, line and field."""
    if not path.is_file():
        raise InputError(f"{path}: measured record not found")
    data = load_yaml(path)
    if not isinstance(data, dict):
        raise InputError(f"{path}:1: (file): a measured record is a mapping (schema, machine, steps, ...)")
    if data.get("schema") != SCHEMA:
        raise InputError(f"{path}:1: schema: expected {SCHEMA!r}, got {data.get('schema')!r}")
    try:
        return Record.model_validate(data)
    except ValidationError as error:
        raise InputError(" ".join(describe_validation_error(error, data, path).split())) from None


def record_files(folder: Path) -> list[Path]:
    """The record files of a measurements folder (YAML and JSON), sorted."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in (".yaml", ".yml", ".json")
                  and not p.name.startswith("."))


def load_records(paths: list[Path]) -> list[tuple[Path, Record]]:
    return [(path, load_record(path)) for path in paths]


def machine_slug(text: str) -> str:
    """A record id from a free-form machine description."""
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:60] or "machine"
