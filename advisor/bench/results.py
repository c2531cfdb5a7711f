"""`go-advisor results`: measured records as a table, and the short summary `bench` prints."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from advisor.bench.record import Record, median_of, sustained_ratio, target_of
from advisor.output import json_text

COLUMNS = ("record", "machine", "cpu", "ram_gib", "go", "protocol", "target", "cold_build_s", "serial_build_s",
           "scaling", "rebuild_s", "sustained_ratio", "max_load")
HEADERS = {"record": "record", "machine": "machine", "cpu": "CPU", "ram_gib": "RAM GiB", "go": "Go",
           "protocol": "protocol", "target": "cold build of", "cold_build_s": "cold s",
           "serial_build_s": "GOMAXPROCS=1 s", "scaling": "scaling", "rebuild_s": "no-change s",
           "sustained_ratio": "sustained", "max_load": "max load"}


def _cpus(record: Record) -> int:
    return max([int(g) for g in record.step("cold_build").params.get("gomaxprocs", [])] or [record.machine.nproc])


def row(path: Path | None, record: Record) -> dict[str, Any]:
    """One record's headline figures (None where the record has no such measurement)."""
    cold, cpus = record.step("cold_build"), _cpus(record)
    parallel = median_of(cold, f"GOMAXPROCS={cpus}", "wall_s")
    serial = median_of(cold, "GOMAXPROCS=1", "wall_s")
    go = (record.software.go or "").split()
    return {
        "record": path.stem if path else record.machine.id,
        "machine": record.machine.db_machine or record.machine.id,
        "cpu": f"{record.machine.cpu_model or '?'} ({record.machine.nproc} CPUs)",
        "ram_gib": round(record.machine.mem_total_kib / 2**20, 1) if record.machine.mem_total_kib else None,
        "go": go[2] if len(go) > 2 else None,
        "protocol": f"{record.protocol} {_version(record.protocol_version)}",
        "target": target_of(record),
        "cold_build_s": parallel,
        "serial_build_s": serial,
        "scaling": round(serial / parallel, 2) if serial and parallel else None,
        "rebuild_s": median_of(record.step("rebuild"), f"GOMAXPROCS={cpus}", "wall_s"),
        "sustained_ratio": sustained_ratio(record),
        # the highest 1-minute load before a run: above the CPU count, other work shared the machine
        "max_load": max((s.values["load_1m_before"] for step in record.steps.values() for s in step.samples
                         if "load_1m_before" in s.values), default=None),
    }


def _version(version: str) -> str:
    return f"v{version}" if version[:1].isdigit() else version


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 10 else f"{value:.1f}"
    return str(value)


def format_results(records: list[tuple[Path, Record]], fmt: str) -> str:
    """table (aligned text), markdown, json or csv."""
    rows = [row(path, record) for path, record in records]
    if fmt == "json":
        return json_text(rows)
    if fmt == "csv":
        from advisor.render.listing import csv_text  # noqa: PLC0415

        return csv_text(rows)
    cells = [[HEADERS[c] for c in COLUMNS]] + [[_cell(r[c]) for c in COLUMNS] for r in rows]
    if fmt == "markdown":
        lines = ["| " + " | ".join(cells[0]) + " |", "|" + "---|" * len(COLUMNS)]
        lines += ["| " + " | ".join(line) + " |" for line in cells[1:]]
        return "\n".join(lines) + "\n"
    widths = [max(len(line[i]) for line in cells) for i in range(len(COLUMNS))]
    return "".join("  ".join(text.ljust(width) for text, width in zip(line, widths, strict=True)).rstrip() + "\n"
                   for line in cells)


def summary_text(record: Record) -> str:
    """What `bench` prints: each step's medians and spread, or why it was skipped."""
    lines = [f"{record.machine.cpu_model or record.machine.id}, {record.machine.nproc} CPUs; "
             f"{record.software.go or 'no Go'}; protocol {record.protocol} {_version(record.protocol_version)}"]
    for name, step in record.steps.items():
        if step.skipped:
            lines.append(f"  {name}: skipped ({step.skipped})")
            continue
        for variant, stats in step.summary.items():
            parts = [f"n={int(stats['n'])}"]
            if "wall_s_median" in stats and name != "sustained_cpu":
                parts.append(f"wall {stats['wall_s_median']:.3g} s "
                             f"({stats['wall_s_min']:.3g}-{stats['wall_s_max']:.3g})")
            if "cpu_s_median" in stats:
                parts.append(f"cpu {stats['cpu_s_median']:.3g} s")
            extra = _extra(step, variant)
            lines.append(f"  {name} [{variant}]: {', '.join(parts + extra)}")
        if step.note:
            lines.append(f"  {name}: note: {step.note}")
    ratio = sustained_ratio(record)
    if ratio is not None:
        lines.append(f"  sustained ratio (compiles/s, last quarter / first tenth): {ratio:.3f}")
    for note in record.notes:
        lines.append(f"  note: {note}")
    return "\n".join(lines) + "\n"


def _extra(step: Any, variant: str) -> list[str]:
    found = []
    for key, label, fmt in (("lines", "lines", "{:.0f}"), ("packages", "packages", "{:.0f}"),
                            ("critical_path_share", "critical-path share", "{:.3f}"),
                            ("write_factor", "bytes written / cache bytes", "{:.2f}"),
                            ("files_per_s", "files/s", "{:.0f}"), ("mb_per_s", "MB/s", "{:.1f}"),
                            ("compiles", "compiles/s", "{:.0f}")):
        value = median_of(step, variant, key)
        if value is not None:
            found.append(f"{label} {fmt.format(value)}")
    return found
