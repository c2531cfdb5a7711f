"""Convert a results file of measure_build_scaling.py into a measured record (advisor/bench/record.py).

    python benchmarks/convert_build_scaling.py knowledge/derivations/measurements/xeon-2vcpu-go1.19.yaml \
        --machine-id dev-vm-xeon-kvm-2vcpu -o hardware_db/measurements/dev-vm-xeon-kvm-2vcpu-build-scaling.yaml

Every number is the source file's sample, unchanged, except the lines and packages of std, which that
script did not count: they are counted here by the bench's own lines step, and only when the go on PATH
reports the same `go version` as the measured one (the same std sources). Variants map to the bench's
names (default -> GOMAXPROCS=N, the action-graph builds join their GOMAXPROCS); taskset is left out.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import yaml

from advisor.bench import steps
from advisor.bench.protocol import protocol
from advisor.bench.record import SCHEMA, Record, Sample, Step, summarise, write_record


def _variant(name: str, cpus: int) -> str | None:
    if name in ("default", "actiongraph default", "-c=2"):
        return f"GOMAXPROCS={cpus}" if name != "-c=2" else f"-c=2 GOMAXPROCS={cpus}"
    if name in ("GOMAXPROCS=1", "actiongraph GOMAXPROCS=1"):
        return "GOMAXPROCS=1"
    if name in ("-p 1", "-c=1", "-c=4", "-p 1 -c=1"):
        return f"{name} GOMAXPROCS={cpus}"
    return None  # taskset: CPU affinity, not a GOMAXPROCS or -p/-c setting


def _sample(run: dict[str, Any], variant: str, rep: int) -> Sample:
    values: dict[str, float] = {}
    if run.get("loadavg_before"):
        values["load_1m_before"] = run["loadavg_before"][0]
    graph = run.get("actiongraph")
    if graph:
        values |= {"compile_cpu_s": graph["total_compile_cpu_s"], "critical_path_cpu_s": graph["critical_path_cpu_s"],
                  "critical_path_share": graph["critical_path_cpu_share"]}
    return Sample(variant=variant, rep=rep, wall_s=run["wall_s"], user_s=run["user_s"], sys_s=run["sys_s"],
                  max_rss_kib=run["max_rss_kib"], exit_code=run["exit_code"], values=values)


def convert(source: Path, machine_id: str) -> Record:
    data = yaml.safe_load(source.read_text())
    machine = data["machine"]
    cpus = int(machine["nproc"])
    cold: list[Sample] = []
    counts: dict[str, int] = {}
    for run in data["runs"]:
        variant = _variant(run["variant"], cpus) if run["group"] == "std" else None
        if variant is None:
            continue
        counts[variant] = counts.get(variant, 0) + 1
        cold.append(_sample(run, variant, counts[variant]))
    race = [_sample(run, run["phase"], run["rep"]) for run in data["runs"]
            if run["group"] == "test" and run["variant"] == "strings race"]
    go = steps.go_binary()
    here = steps.go_version(go) if go else None
    if here != machine["go_version"]:
        raise SystemExit(f"{source}: measured with {machine['go_version']!r}, but the go on PATH is {here!r}: "
                         "the std lines cannot be counted for it")
    assert go is not None
    lines = steps.lines_step(go, protocol(quick=False))
    skipped = "not in measure_build_scaling.py's protocol"
    variants = sorted({s.variant for s in cold} - {"GOMAXPROCS=1", f"GOMAXPROCS={cpus}"})
    step_map = {
        "lines": lines.model_copy(update={"note": "counted by the converter with the same go version"}),
        "empty_main": Step(skipped=skipped),
        "cold_build": Step(params={"target": "std", "command": "go build -a [flags] std",
                                   "gocache": "fresh temporary folder", "gomaxprocs": [1, cpus],
                                   "variants": variants,
                                   "source": str(source)},
                           samples=cold, note="default -p and GOMAXPROCS unset (= the CPU count) are named "
                           f"GOMAXPROCS={cpus}; the action-graph builds are in their GOMAXPROCS"),
        "rebuild": Step(skipped=skipped),
        "race_test": Step(params={"command": "go test -race -count=1 strings",
                                  "gocache": "a copy of a cache warmed by `go build std`"}, samples=race),
        "cache_io": Step(skipped=skipped),
        "sustained_cpu": Step(skipped=skipped),
    }
    step_map = {k: v.model_copy(update={"summary": summarise(v)}) if v.samples else v for k, v in step_map.items()}
    return Record.model_validate({
        "schema": SCHEMA, "protocol_version": "build-scaling-v1", "protocol": "converted",
        "created": data["started"],
        "command": f"{data['command']} (converted by `python {' '.join(sys.argv)}`)",
        "machine": {"id": machine_id, "cpu_model": machine["cpu_model_name"], "cpu_vendor": machine["cpu_vendor"],
                    "cpu_family_model": "/".join(machine["cpu_family_model_stepping"][:2]),
                    "hypervisor": bool(machine.get("hypervisor")), "nproc": cpus,
                    "mem_total_kib": machine["mem_total_kib"], "arch": "x86_64" if "amd64" in machine["go_version"]
                    else None, "os": machine["os"], "kernel": machine["kernel"]},
        "software": {"go": machine["go_version"], "python": machine["python"],
                     "advisor": f"benchmarks/measure_build_scaling.py at {machine['script_commit'][:7]}"},
        "notes": [f"converted from {source}; run {data['started']} to {data.get('finished')}",
                  *data.get("notes", [])],
        "steps": step_map})


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("source", type=Path)
    ap.add_argument("--machine-id", required=True)
    ap.add_argument("-o", "--output", type=Path, required=True)
    args = ap.parse_args()
    write_record(convert(args.source, args.machine_id), args.output)
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
