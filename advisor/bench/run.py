"""Run the protocol's steps in order and assemble the measured record; Go steps are skipped without Go."""
from __future__ import annotations

import datetime as dt
import platform
from typing import Callable

from advisor import __version__
from advisor.bench import steps
from advisor.bench.protocol import GO_STEPS, PROTOCOL_VERSION, STEPS, protocol
from advisor.bench.record import SCHEMA, MachineInfo, Record, Software, Step, machine_slug, summarise


def planned_runs(quick: bool, only: frozenset[str], have_go: bool) -> int:
    """How many progress updates a run makes (the bar's total)."""
    proto = protocol(quick)
    chosen = [s for s in STEPS if s in only and (have_go or s not in GO_STEPS)]
    count = 0
    if "empty_main" in chosen:
        count += 2 * proto.empty_reps
    if "cold_build" in chosen:
        count += len(proto.gomaxprocs) * proto.cold_reps + len(proto.variants) * proto.variant_reps
    if "rebuild" in chosen:
        count += proto.rebuild_reps
    if "race_test" in chosen and proto.race_package:
        count += 2
    if "cache_io" in chosen:
        count += 2 * proto.io_reps
    if "sustained_cpu" in chosen:
        count += 1
    return count


def bench(quick: bool, command: str, only: frozenset[str] = frozenset(STEPS), machine_id: str | None = None,
          db_machine: str | None = None, progress: Callable[[str], None] = lambda _: None) -> Record:
    """Measure this machine; every number in the record comes from a run made here and now."""
    proto = protocol(quick)
    load_before = steps.load_average()
    info = steps.machine_info()
    go = steps.go_binary()
    notes: list[str] = []
    results: dict[str, Step] = {}
    version = steps.go_version(go) if go else None
    if go is None or version is None:
        go = None
        notes.append("Go not found on PATH: the Go steps (lines, empty_main, cold_build, rebuild, race_test) "
                     "were skipped; the others ran")
    for name in STEPS:
        if name not in only:
            results[name] = Step(skipped="not selected (--only)")
        elif go is None and name in GO_STEPS:
            results[name] = Step(skipped="Go not found on PATH")
    sizes: list[int] = []
    if go is not None:
        if "lines" in only:
            results["lines"] = steps.lines_step(go, proto)
        if "empty_main" in only:
            results["empty_main"] = steps.empty_main_step(go, proto, progress)
        if "cold_build" in only:
            cold = steps.cold_build_step(go, proto, progress, with_rebuild="rebuild" in only)
            results["cold_build"], sizes = cold.cold, cold.cache_sizes
            if "rebuild" in only:
                results["rebuild"] = cold.rebuild
        elif "rebuild" in only:
            results["rebuild"] = Step(skipped="the no-change rebuild reuses a cold build's cache: select cold_build")
        if "race_test" in only and not proto.race_package:
            results["race_test"] = Step(skipped=f"not in the {proto.name} protocol: the first `go test -race` compiles "
                                        "the race-instrumented closure of testing (45 s on 2 vCPUs)")
        elif "race_test" in only and proto.race_package:
            results["race_test"] = steps.race_step(go, proto.race_package, progress)
    if "cache_io" in only:
        results["cache_io"] = steps.cache_io_step(proto, sizes, progress)
    if "sustained_cpu" in only:
        results["sustained_cpu"] = steps.sustained_step(proto, progress)
    load_after = steps.load_average()
    if load_before and load_after:
        # other work on the machine stretches wall times: say how busy it was
        notes.append(f"load average (1, 5, 15 min) before {load_before}, after {load_after}")
    loads = [s.values["load_1m_before"] for step in results.values() for s in step.samples
             if "load_1m_before" in s.values]
    if loads and max(loads) > info["nproc"] + 0.5:
        # more runnable work than CPUs besides the run itself: the timings share the machine
        notes.append(f"the machine was busy: the 1-minute load before a run reached {max(loads):.1f} on "
                     f"{info['nproc']} CPUs; wall times are stretched, CPU seconds less so")
    for name, step in results.items():
        if step.samples:
            results[name] = step.model_copy(update={"summary": summarise(step)})
        failures = [s for s in step.samples if s.exit_code]
        if failures:
            notes.append(f"{name}: {len(failures)} run(s) failed (exit {failures[0].exit_code}); "
                         f"their samples are kept and left out of the medians")
    slug = machine_id or machine_slug(f"{info.get('cpu_model', 'cpu')} {info['nproc']}cpu")
    machine = MachineInfo(id=slug, db_machine=db_machine, **info)
    software = Software(go=version, python=platform.python_version(), advisor=__version__)
    return Record.model_validate({
        "schema": SCHEMA, "protocol_version": PROTOCOL_VERSION, "protocol": proto.name,
        "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), "command": command,
        "machine": machine, "software": software, "notes": notes,
        "steps": {name: results[name] for name in STEPS}})
