"""`go-advisor calibrate`: fit the build model's coefficients to measured records by least squares.

The record model is advisor.predict's cold-build model applied to the measured build: the work is
lines x CPU s/kloc / the record's core speed, the span the critical-path share of it over the backend
speed-up, the wall time predict.schedule_s of the two on the GOMAXPROCS the run allowed, plus the go
command's overhead per package. Fitted: go.build.cpu_seconds_per_kloc, go.build.critical_path_share_typical,
go.build.backend_parallel_share with go.build.schedule_overlap (the concurrency gain),
go.build.overhead_s_per_package and storage.cold_build_write_factor. The sustained ratio is a machine's,
not a coefficient's: it is fitted per record and reported, not written.
"""
from __future__ import annotations

import datetime as dt
import itertools
import math
import os
import re
import shutil
import statistics
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from advisor.bench.record import Record, median_of, sustained_ratio, target_of
from advisor.errors import InputError
from advisor.output import write_atomic
from advisor.predict import backend_speedup, backend_threads, schedule_s
from advisor.types import Knowledge

COEFFICIENT_IDS = {
    "cpu_s_per_kloc": "go.build.cpu_seconds_per_kloc",
    "critical_path_share": "go.build.critical_path_share_typical",
    "backend_parallel_share": "go.build.backend_parallel_share",
    "schedule_overlap": "go.build.schedule_overlap",
    "overhead_s_per_package": "go.build.overhead_s_per_package",
    "write_factor": "storage.cold_build_write_factor",
}
# the grid the concurrency gain is searched on, as benchmarks/fit_build_schedule.py does
PARALLEL_GRID = [b / 100 for b in range(20, 91, 5)]
OVERLAP_GRID = [t / 100 for t in range(0, 101, 5)]


@dataclass(frozen=True)
class Coefs:
    """The coefficients the record model reads."""

    cpu_s_per_kloc: float
    critical_path_share: float
    backend_parallel_share: float
    schedule_overlap: float
    overhead_s_per_package: float
    write_factor: float
    backend_concurrency_max: float
    reference_core_speed: float
    ipc: dict[str, float]

    @classmethod
    def of(cls, knowledge: Knowledge) -> "Coefs":
        def value(coefficient_id: str) -> Any:
            return knowledge.coefficient(coefficient_id).value

        return cls(**{name: float(value(cid)) for name, cid in COEFFICIENT_IDS.items()},
                   backend_concurrency_max=float(value("go.build.backend_concurrency_max")),
                   reference_core_speed=float(value("go.build.reference_core_speed")), ipc=dict(value("cpu.ipc")))


@dataclass(frozen=True)
class Inputs:
    """What the record model needs of one record: the workload, the machine, the measured points."""

    name: str
    lines: float
    packages: float
    cpus: int
    clock_ghz: float | None
    core_family: str | None  # a cpu.ipc key; None: unknown
    target: str | None
    # measured: variant -> wall s; GOMAXPROCS=1 CPU s; critical-path share; rebuild s; write factor
    walls: dict[str, float] = field(default_factory=dict)
    work_cpu_s: float | None = None
    share: float | None = None
    rebuild_s: float | None = None
    write_factor: float | None = None
    sustained: float | None = None
    notes: tuple[str, ...] = ()


def inputs_of(name: str, record: Record) -> Inputs:
    """The record's measured figures and its machine's description, as the record model reads them."""
    cold, lines = record.step("cold_build"), record.step("lines")
    target = target_of(record)
    cpus = max([int(g) for g in cold.params.get("gomaxprocs", [])] or [record.machine.nproc])
    notes = []
    family = record.machine.core_family
    if family is None:
        notes.append("core family unknown: its core speed is taken as the reference core's (1)")
    walls = {}
    for variant in cold.summary or {v: {} for v in dict.fromkeys(s.variant for s in cold.ok())}:
        wall = median_of(cold, variant, "wall_s")
        if wall is not None:
            walls[variant] = wall
    clock = record.step("sustained_cpu").values.get("clock_mhz_loaded")
    return Inputs(
        name=name, lines=median_of(lines, str(target), "lines") or 0.0,
        packages=median_of(lines, str(target), "packages") or 0.0, cpus=cpus,
        clock_ghz=clock / 1000 if clock else None, core_family=family, target=target, walls=walls,
        work_cpu_s=median_of(cold, "GOMAXPROCS=1", "cpu_s"),
        share=median_of(cold, "GOMAXPROCS=1", "critical_path_share"),
        rebuild_s=median_of(record.step("rebuild"), f"GOMAXPROCS={cpus}", "wall_s"),
        write_factor=median_of(cold, f"GOMAXPROCS={cpus}", "write_factor"),
        sustained=sustained_ratio(record), notes=tuple(notes))


def speed(inputs: Inputs, coefs: Coefs) -> float | None:
    """The record's single-core speed relative to the reference core: its core family's IPC x the clock read
    under load / the reference speed; 1 (the reference core) when the record names no core family, since a
    clock alone does not compare across core families (a VM's /proc/cpuinfo shows the host's nominal one)."""
    if inputs.core_family is None:
        return 1.0
    if inputs.clock_ghz is None or inputs.core_family not in coefs.ipc:
        return None
    return coefs.ipc[inputs.core_family] * inputs.clock_ghz / coefs.reference_core_speed


def parse_variant(variant: str) -> tuple[int, int | None, int | None]:
    """(GOMAXPROCS, -p or None, -c or None) of a cold-build variant name."""
    g = int(re.search(r"GOMAXPROCS=(\d+)", variant).group(1))  # type: ignore[union-attr]
    p = re.search(r"-p (\d+)", variant)
    c = re.search(r"-c=(\d+)", variant)
    return g, int(p.group(1)) if p else None, int(c.group(1)) if c else None


def predicted_wall(inputs: Inputs, coefs: Coefs, variant: str, work_s: float, s: float) -> float:
    """The model's wall time of one cold-build variant of a work of `work_s` seconds on one core."""
    g, p, c = parse_variant(variant)
    processes = p or g  # go build's -p defaults to GOMAXPROCS
    threads = float(c) if c else backend_threads(processes, g, coefs.backend_concurrency_max)
    speedup = backend_speedup(threads, coefs.backend_parallel_share)
    # a record measures its own build's chain, as a scanned profile does; the typical share otherwise
    share = inputs.share if inputs.share is not None else coefs.critical_path_share
    span = share * work_s / speedup
    cores = float(min(inputs.cpus, g))
    overhead = inputs.packages * coefs.overhead_s_per_package / s
    return schedule_s(work_s, span, cores, processes, speedup, coefs.schedule_overlap) + overhead


def predictions(inputs: Inputs, coefs: Coefs) -> dict[str, float]:
    """metric -> the model's value for this record (only metrics the record measured)."""
    s = speed(inputs, coefs)
    out: dict[str, float] = {}
    if s is None or not inputs.lines:
        return out
    work = inputs.lines / 1000 * coefs.cpu_s_per_kloc / s
    if inputs.work_cpu_s is not None:
        out["cold_build_work_s"] = work
    for variant in inputs.walls:
        out[f"cold_build_s[{variant}]"] = predicted_wall(inputs, coefs, variant, work, s)
    if inputs.share is not None and inputs.target == "std":
        out["critical_path_share"] = coefs.critical_path_share
    if inputs.rebuild_s is not None and inputs.packages:
        out["go_command_overhead_s"] = inputs.packages * coefs.overhead_s_per_package / s
    if inputs.write_factor is not None:
        out["write_factor"] = coefs.write_factor
    return out


def measured(inputs: Inputs) -> dict[str, float]:
    """metric -> the record's measured value."""
    out: dict[str, float] = {}
    if inputs.work_cpu_s is not None:
        out["cold_build_work_s"] = inputs.work_cpu_s
    for variant, wall in inputs.walls.items():
        out[f"cold_build_s[{variant}]"] = wall
    if inputs.share is not None and inputs.target == "std":
        out["critical_path_share"] = inputs.share
    if inputs.rebuild_s is not None:
        out["go_command_overhead_s"] = inputs.rebuild_s
    if inputs.write_factor is not None:
        out["write_factor"] = inputs.write_factor
    if inputs.sustained is not None:
        out["sustained_clock_ratio"] = inputs.sustained
    return out


def metric_group(metric: str) -> str:
    return metric.split("[", 1)[0]


def errors(inputs: list[Inputs], coefs: Coefs) -> dict[str, dict[str, float]]:
    """record -> metric -> relative error of the model (predicted / measured - 1)."""
    table: dict[str, dict[str, float]] = {}
    for item in inputs:
        got, want = predictions(item, coefs), measured(item)
        table[item.name] = {m: got[m] / want[m] - 1 for m in got if m in want and want[m]}
    return table


def rms_by_group(table: dict[str, dict[str, float]]) -> dict[str, float]:
    """metric group -> root mean square relative error over every record and point."""
    groups: dict[str, list[float]] = {}
    for row in table.values():
        for metric, error in row.items():
            groups.setdefault(metric_group(metric), []).append(error)
    return {g: math.sqrt(statistics.fmean(e * e for e in errs)) for g, errs in groups.items()}


# ---------------------------------------------------------------- fitting
@dataclass
class Fit:
    records: list[tuple[Path, Record]]
    inputs: list[Inputs]
    before: Coefs
    after: Coefs
    fitted: dict[str, str]  # coefficient field -> how it was fitted (only the ones fitted)
    skipped: dict[str, str]  # coefficient field -> why it was not
    sustained: dict[str, float]  # record -> its sustained ratio

    def errors_before(self) -> dict[str, dict[str, float]]:
        return errors(self.inputs, self.before)

    def errors_after(self) -> dict[str, dict[str, float]]:
        return errors(self.inputs, self.after)


def _log_mean(values: list[float]) -> float:
    return math.exp(statistics.fmean(math.log(v) for v in values))


def fit_inputs(inputs: list[Inputs], before: Coefs) -> tuple[Coefs, dict[str, str], dict[str, str]]:
    """Least squares, one coefficient group at a time in the order the model needs them."""
    after = before
    fitted: dict[str, str] = {}
    skipped: dict[str, str] = {}
    usable = [i for i in inputs if speed(i, before) is not None and i.lines]
    for item in inputs:
        if item not in usable:
            skipped.setdefault("cpu_s_per_kloc", f"{item.name}: no line count, or a core family without a loaded clock")
    work = [i for i in usable if i.work_cpu_s]
    if work:
        # log least squares of W = lines x c / speed: c = geometric mean of W x speed / lines
        value = _log_mean([i.work_cpu_s * speed(i, before) / (i.lines / 1000) for i in work])  # type: ignore[operator]
        after = replace(after, cpu_s_per_kloc=value)
        fitted["cpu_s_per_kloc"] = f"GOMAXPROCS=1 CPU s x core speed / kloc, geometric mean over {len(work)} record(s)"
    else:
        skipped["cpu_s_per_kloc"] = "no record has a GOMAXPROCS=1 cold build"
    shares = [i.share for i in inputs if i.share is not None and i.target == "std"]
    if shares:
        after = replace(after, critical_path_share=statistics.fmean(shares))
        fitted["critical_path_share"] = f"mean of the -debug-actiongraph shares of {len(shares)} std record(s)"
    else:
        skipped["critical_path_share"] = "no full-protocol (std) record with an action graph"
    rebuilds = [i for i in usable if i.rebuild_s and i.packages]
    if rebuilds:
        value = _log_mean([i.rebuild_s * speed(i, before) / i.packages for i in rebuilds])  # type: ignore[operator]
        after = replace(after, overhead_s_per_package=value)
        fitted["overhead_s_per_package"] = (f"no-change rebuild s x core speed / packages, geometric mean over "
                                            f"{len(rebuilds)} record(s)")
    else:
        skipped["overhead_s_per_package"] = "no record has a no-change rebuild"
    factors = [i.write_factor for i in inputs if i.write_factor]
    if factors:
        after = replace(after, write_factor=statistics.fmean(factors))
        fitted["write_factor"] = f"mean of bytes written / cache bytes of {len(factors)} record(s)"
    else:
        skipped["write_factor"] = "no record measured the bytes a cold build writes"
    points = [(i, v) for i in usable for v in i.walls if parse_variant(v)[0] > 1]
    if points:
        prepared = []
        for item, variant in points:
            s = speed(item, after) or 1.0
            prepared.append((item, variant, item.lines / 1000 * after.cpu_s_per_kloc / s, s))

        def loss(b: float, theta: float) -> float:
            trial = replace(after, backend_parallel_share=b, schedule_overlap=theta)
            return sum(math.log(predicted_wall(item, trial, variant, work, s) / item.walls[variant]) ** 2
                       for item, variant, work, s in prepared)

        def best(grid: list[tuple[float, float]]) -> tuple[float, float]:
            # a tie keeps the value nearest the prior: a 2-vCPU record barely separates b from theta
            return min(grid, key=lambda bt: (round(loss(*bt), 9), abs(bt[0] - before.backend_parallel_share) +
                                             abs(bt[1] - before.schedule_overlap)))

        # a coarse grid over the whole range, then a fine one around its best point
        b, theta = best(list(itertools.product(PARALLEL_GRID, OVERLAP_GRID)))
        fine = [(round(b + i / 100, 2), round(theta + j / 100, 2)) for i in range(-5, 6) for j in range(-5, 6)]
        b, theta = best([(x, y) for x, y in fine if PARALLEL_GRID[0] <= x <= PARALLEL_GRID[-1] and 0 <= y <= 1])
        after = replace(after, backend_parallel_share=b, schedule_overlap=theta)
        fitted["backend_parallel_share"] = fitted["schedule_overlap"] = (
            f"grid search (0.05, then 0.01), least squares in log wall time over {len(points)} parallel "
            "cold-build point(s)")
    else:
        skipped["backend_parallel_share"] = skipped["schedule_overlap"] = "no cold build with GOMAXPROCS > 1"
    return after, fitted, skipped


def fit(records: list[tuple[Path, Record]], knowledge: Knowledge) -> Fit:
    """Fit every coefficient the records determine; the others keep their values."""
    if not records:
        raise InputError("calibrate: no records given")
    inputs = [inputs_of(path.stem, record) for path, record in records]
    before = Coefs.of(knowledge)
    after, fitted, skipped = fit_inputs(inputs, before)
    sustained = {i.name: i.sustained for i in inputs if i.sustained is not None}
    return Fit(records=records, inputs=inputs, before=before, after=after, fitted=fitted, skipped=skipped,
               sustained=sustained)


# ---------------------------------------------------------------- reporting
def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:+.1%}"


def format_fit(result: Fit) -> str:
    lines = ["Fitted coefficients (before -> after):"]
    for name, cid in COEFFICIENT_IDS.items():
        old, new = getattr(result.before, name), getattr(result.after, name)
        how = result.fitted.get(name) or f"kept: {result.skipped.get(name, 'not determined by these records')}"
        lines.append(f"  {cid}: {old:.4g} -> {new:.4g}  ({how})")
    for name, ratio in result.sustained.items():
        lines.append(f"  sustained clock ratio of {name}: {ratio:.3f} (a machine's, not a coefficient: not written)")
    before, after = rms_by_group(result.errors_before()), rms_by_group(result.errors_after())
    lines.append("")
    lines.append("RMS relative error per metric, before -> after:")
    for group in before:
        lines.append(f"  {group}: {before[group]:.1%} -> {after.get(group, float('nan')):.1%}")
    lines.append("")
    lines.append("Per record and point (predicted / measured - 1, before -> after):")
    eb, ea = result.errors_before(), result.errors_after()
    for item in result.inputs:
        lines.append(f"  {item.name}:" + "".join(f" ({note})" for note in item.notes))
        for metric in eb.get(item.name, {}):
            lines.append(f"    {metric}: {_pct(eb[item.name][metric])} -> {_pct(ea[item.name].get(metric))}")
    return "\n".join(lines) + "\n"


def fit_data(result: Fit) -> dict[str, Any]:
    """The fit as plain data: each coefficient before and after and how, errors before and after."""
    return {
        "coefficients": {cid: {"before": getattr(result.before, name), "after": getattr(result.after, name),
                               "fitted": name in result.fitted,
                               "how": result.fitted.get(name) or result.skipped.get(name)}
                         for name, cid in COEFFICIENT_IDS.items()},
        "sustained_clock_ratio": result.sustained,
        "rms_error": {"before": rms_by_group(result.errors_before()), "after": rms_by_group(result.errors_after())},
        "errors": {"before": result.errors_before(), "after": result.errors_after()},
        "notes": {i.name: list(i.notes) for i in result.inputs if i.notes},
    }


def source_id(path: Path, record: Record) -> str:
    day = record.created[:10].replace("-", "")
    return re.sub(r"[^a-z0-9.+-]+", "-", f"bench-{record.machine.id}-{day}-{path.stem}".lower())


def write_overlay(result: Fit, knowledge: Knowledge, out: Path) -> None:
    """A full copy of the knowledge folder with the fitted coefficients replaced, each `measured` with the
    records as its sources (added to sources.yaml as measurements); made beside `out`, then renamed."""
    if out.exists():
        raise InputError(f"--output {out}: already exists; give a new folder")
    parent = out.resolve().parent
    if not parent.is_dir():
        raise InputError(f"--output {out}: folder {parent} does not exist")
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=parent))
    try:
        copy = staging / "knowledge"
        shutil.copytree(knowledge.root, copy)
        ids = [source_id(path, record) for path, record in result.records]
        sources_doc = yaml.safe_load((copy / "sources.yaml").read_text())
        today = dt.date.today().isoformat()
        for (path, record), sid in zip(result.records, ids, strict=True):
            sources_doc["sources"].append({
                "id": sid, "title": f"go-advisor bench record {path.name}: {record.machine.cpu_model or '?'}, "
                f"{record.machine.nproc} CPUs, {record.software.go or 'no Go'}", "publisher": "go-advisor bench",
                "kind": "measurement", "accessed": today,
                "note": f"protocol {record.protocol} v{record.protocol_version}, made {record.created} by "
                f"`{record.command}`; fitted by `go-advisor calibrate`."})
        coefficients_doc = yaml.safe_load((copy / "coefficients.yaml").read_text())
        by_id = {c["id"]: c for c in coefficients_doc["coefficients"]}
        for name, how in result.fitted.items():
            entry = by_id[COEFFICIENT_IDS[name]]
            entry["value"] = round(float(getattr(result.after, name)), 6)
            entry["confidence"] = "measured"
            entry["sources"] = ids
            entry.pop("range", None)
            entry["derivation"] = f"go-advisor calibrate over {len(ids)} measured record(s): {how}."
        header = "# Written by `go-advisor calibrate`: the built-in coefficients with the fitted ones replaced.\n"
        write_atomic(copy / "coefficients.yaml", header + yaml.safe_dump(coefficients_doc, sort_keys=False,
                                                                         width=120, allow_unicode=True))
        write_atomic(copy / "sources.yaml", yaml.safe_dump(sources_doc, sort_keys=False, width=120,
                                                           allow_unicode=True))
        os.replace(copy, out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
