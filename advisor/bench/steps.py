"""The protocol's steps: each runs commands, times them and returns a Step of samples; nothing is made up.

Every go command runs with GOCACHE and GOPATH in fresh temporary folders (never the user's cache) and the
fixed environment of protocol.FIXED_ENV (never downloads). Wall time is the monotonic clock around
fork..wait4; user and system CPU and max RSS (the largest single process) come from wait4; bytes written
are the change of /proc/self/io, to which Linux adds the I/O of every reaped descendant.
"""
from __future__ import annotations

import json
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

from advisor.bench.protocol import COMPILE_LOOP_SOURCE, DROP_ENV, EMPTY_MAIN_GO, FIXED_ENV, Protocol, variant_flags
from advisor.bench.record import Sample, Step

Progress = Callable[[str], None]  # called with a description before each timed run


# ---------------------------------------------------------------- running one command
def go_env(gocache: str, gopath: str, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The process environment of a protocol run: the user's, minus Go settings, plus the fixed ones."""
    env = {k: v for k, v in os.environ.items() if k not in DROP_ENV}
    env.update(FIXED_ENV, GOCACHE=gocache, GOPATH=gopath)
    env.update(extra or {})
    return env


def _self_io() -> dict[str, int]:
    """This process's I/O counters, reaped children included (Linux); empty elsewhere."""
    try:
        text = Path("/proc/self/io").read_text()
    except OSError:
        return {}
    return {k: int(v) for k, v in (line.split(": ") for line in text.splitlines() if ": " in line)}


def run(cmd: list[str], env: dict[str, str], cwd: str, variant: str, rep: int,
        timeout_s: float = 900.0) -> tuple[Sample, str]:
    """Run cmd once; its sample and its combined output."""
    io_before = _self_io()
    load = load_1m()
    with tempfile.TemporaryFile() as out:
        start = time.monotonic()
        proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL)
        if hasattr(os, "wait4"):
            deadline = start + timeout_s
            while True:
                pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
                if pid:
                    break
                if time.monotonic() > deadline:
                    proc.kill()
                time.sleep(0.005)
            wall = time.monotonic() - start
            proc.returncode = os.waitstatus_to_exitcode(status)
            user, system, rss = usage.ru_utime, usage.ru_stime, usage.ru_maxrss
            if sys.platform == "darwin":
                rss //= 1024  # bytes on macOS, KiB on Linux
        else:  # Windows: no rusage
            proc.wait(timeout_s)
            wall = time.monotonic() - start
            user = system = 0.0
            rss = 0
        out.seek(0)
        output = out.read().decode(errors="replace")
    io_after = _self_io()
    values: dict[str, float] = {}
    for key in ("wchar", "write_bytes"):
        if key in io_before and key in io_after:
            values[key] = float(io_after[key] - io_before[key])
    if load is not None:
        values["load_1m_before"] = load
    sample = Sample(variant=variant, rep=rep, wall_s=round(wall, 4), user_s=round(user, 4), sys_s=round(system, 4),
                    max_rss_kib=int(rss), exit_code=proc.returncode, values=values)
    return sample, output


def failed(sample: Sample, output: str) -> Sample:
    """The sample with the tail of a failing command's output, so the record says why."""
    return sample.model_copy(update={"error": output.strip()[-400:]}) if sample.exit_code else sample


@contextmanager
def temp_dirs(*prefixes: str) -> Iterator[list[str]]:
    """Fresh temporary folders, removed afterwards (the go command makes its caches read-only)."""
    made = [tempfile.mkdtemp(prefix=f"go-advisor-bench-{p}-") for p in prefixes]
    try:
        yield made
    finally:
        for folder in made:
            for root, dirs, _ in os.walk(folder):
                for name in dirs:
                    os.chmod(os.path.join(root, name), 0o755)
            shutil.rmtree(folder, ignore_errors=True)


def folder_sizes(folder: str) -> list[int]:
    """Sizes in bytes of every file under folder."""
    sizes = []
    for root, _, files in os.walk(folder):
        for name in files:
            try:
                sizes.append(os.path.getsize(os.path.join(root, name)))
            except OSError:
                continue
    return sizes


def rotated(items: list[str], rep: int) -> list[str]:
    """The items in an order rotated by rep, so no variant always runs first."""
    k = rep % len(items) if items else 0
    return items[k:] + items[:k]


# ---------------------------------------------------------------- machine (minimal; the probe will replace it)
def _read(path: str) -> str | None:
    try:
        return Path(path).read_text()
    except OSError:
        return None


def _sh(*cmd: str) -> str | None:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None


def machine_info() -> dict[str, Any]:
    """What the record needs of the machine: CPU model, logical CPUs, RAM, OS and kernel."""
    # TODO(issue 13): use advisor/probe (`go-advisor probe`) once it is on this branch.
    info: dict[str, Any] = {"nproc": os.cpu_count() or 1, "arch": platform.machine(), "os": platform.system(),
                            "kernel": platform.release()}
    cpuinfo = _read("/proc/cpuinfo")
    if cpuinfo:
        fields: dict[str, str] = {}
        for line in cpuinfo.splitlines():
            key, _, value = line.partition(":")
            fields.setdefault(key.strip(), value.strip())
        info["cpu_model"] = fields.get("model name") or fields.get("Model") or fields.get("Hardware")
        info["cpu_vendor"] = fields.get("vendor_id") or fields.get("CPU implementer")
        if "cpu family" in fields:
            info["cpu_family_model"] = f"{fields['cpu family']}/{fields.get('model', '?')}"
        info["hypervisor"] = "hypervisor" in fields.get("flags", "").split()
    elif sys.platform == "darwin":
        info["cpu_model"] = _sh("sysctl", "-n", "machdep.cpu.brand_string")
    meminfo = _read("/proc/meminfo")
    match = re.search(r"MemTotal:\s+(\d+) kB", meminfo or "")
    if match:
        info["mem_total_kib"] = int(match.group(1))
    elif sys.platform == "darwin":
        size = _sh("sysctl", "-n", "hw.memsize")
        if size and size.isdigit():
            info["mem_total_kib"] = int(size) // 1024
    release = _read("/etc/os-release")
    if release:
        pretty = re.search(r'^PRETTY_NAME="?([^"\n]*)"?', release, re.M)
        if pretty:
            info["os"] = f"{platform.system()} ({pretty.group(1)})"
    elif sys.platform == "darwin":
        info["os"] = f"macOS {platform.mac_ver()[0]}"
    return {k: v for k, v in info.items() if v is not None}


def load_1m() -> float | None:
    """The 1-minute load average: other work on the machine stretches wall times."""
    try:
        return round(os.getloadavg()[0], 2)
    except (OSError, AttributeError):
        return None


def load_average() -> str | None:
    """The 1, 5 and 15 minute load averages as the kernel reports them."""
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except (OSError, AttributeError):
        return None


def clock_mhz() -> float | None:
    """The mean current clock of the logical CPUs: cpufreq where the kernel has it, else /proc/cpuinfo."""
    freqs = []
    for path in sorted(Path("/sys/devices/system/cpu").glob("cpu[0-9]*/cpufreq/scaling_cur_freq")):
        text = _read(str(path))
        if text and text.strip().isdigit():
            freqs.append(int(text) / 1000)
    if not freqs:
        freqs = [float(m) for m in re.findall(r"^cpu MHz\s*:\s*([\d.]+)", _read("/proc/cpuinfo") or "", re.M)]
    return round(statistics.fmean(freqs), 1) if freqs else None


def throttle_counts() -> dict[str, float]:
    """Summed thermal throttle counters of the CPUs, where the platform has them (Intel on Linux)."""
    counts: dict[str, float] = {}
    for kind in ("core_throttle_count", "package_throttle_count"):
        total, found = 0, False
        for path in Path("/sys/devices/system/cpu").glob(f"cpu[0-9]*/thermal_throttle/{kind}"):
            text = _read(str(path))
            if text and text.strip().isdigit():
                total, found = total + int(text), True
        if found:
            counts[kind] = float(total)
    return counts


# ---------------------------------------------------------------- Go
def go_binary() -> str | None:
    return shutil.which("go")


def go_version(go: str) -> str | None:
    return _sh(go, "version")


def lines_step(go: str, proto: Protocol) -> Step:
    """Lines and packages the cold builds compile (GoFiles and CgoFiles of the target's closure)."""
    with temp_dirs("lines-cache", "lines-path") as (cache, gopath):
        result = subprocess.run([go, "list", "-deps", "-f", "{{.Dir}}\t{{join .GoFiles \" \"}} "
                                 "{{join .CgoFiles \" \"}}", proto.target], env=go_env(cache, gopath), cwd=gopath,
                                capture_output=True, text=True, check=False)
    if result.returncode:
        return Step(skipped=f"go list {proto.target} failed: {result.stderr.strip()[-200:]}")
    lines = packages = 0
    for row in result.stdout.splitlines():
        folder, _, files = row.partition("\t")
        packages += 1
        for name in files.split():
            with open(os.path.join(folder, name), "rb") as handle:
                lines += sum(1 for _ in handle)
    sample = Sample(variant=proto.target, rep=1, values={"lines": float(lines), "packages": float(packages)})
    return Step(params={"target": proto.target, "counted": "GoFiles + CgoFiles of `go list -deps`"},
                samples=[sample])


def empty_main_step(go: str, proto: Protocol, progress: Progress) -> Step:
    """`go build` of an empty main package with an empty GOCACHE, then again with that cache warm."""
    samples = []
    for rep in range(1, proto.empty_reps + 1):
        with temp_dirs("empty-cache", "empty-path") as (cache, gopath):
            Path(gopath, "main.go").write_text(EMPTY_MAIN_GO)
            env = go_env(cache, gopath)
            cmd = [go, "build", "-o", os.path.join(gopath, "empty"), "main.go"]
            progress(f"empty main, empty cache (rep {rep})")
            samples.append(failed(*run(cmd, env, gopath, "empty cache", rep)))
            progress(f"empty main, warm cache (rep {rep})")
            samples.append(failed(*run(cmd, env, gopath, "warm cache", rep)))
    return Step(params={"command": "go build -o OUT main.go (package main; func main() {})"}, samples=samples)


@dataclass
class ColdResult:
    cold: Step
    rebuild: Step
    cache_sizes: list[int] = field(default_factory=list)  # file sizes of a GOCACHE a cold build filled


def cold_build_step(go: str, proto: Protocol, progress: Progress, with_rebuild: bool) -> ColdResult:
    """Cold `go build -a TARGET` at each GOMAXPROCS and -p/-c variation, a fresh GOCACHE each time; then a
    no-change rebuild on the cache of the last full-parallel build."""
    cpus = max(proto.gomaxprocs)
    runs = [(f"GOMAXPROCS={g}", g, proto.cold_reps) for g in proto.gomaxprocs]
    runs += [(f"{v} GOMAXPROCS={cpus}", cpus, proto.variant_reps) for v in proto.variants]
    samples: list[Sample] = []
    rebuilds: list[Sample] = []
    sizes: list[int] = []
    reps = max(r for _, _, r in runs)
    for rep in range(1, reps + 1):
        names = rotated([name for name, _, n in runs if n >= rep], rep - 1)
        for name in names:
            g = next(gm for n, gm, _ in runs if n == name)
            with temp_dirs("cold-cache", "cold-path") as (cache, gopath):
                env = go_env(cache, gopath, {"GOMAXPROCS": str(g)})
                graph = os.path.join(gopath, "actiongraph.json")
                # the action graph on the serial builds (compile CPU per action), the writes on the others
                actiongraph = g == 1 and name.startswith("GOMAXPROCS")
                flags = variant_flags(name) + ([f"-debug-actiongraph={graph}"] if actiongraph else [])
                progress(f"cold go build -a {proto.target}, {name} (rep {rep}/{reps})")
                sample, output = run([go, "build", "-a", *flags, proto.target], env, gopath, name, rep)
                values = dict(sample.values)
                if sample.exit_code == 0:
                    cache_sizes = folder_sizes(cache)
                    values.update(cache_bytes=float(sum(cache_sizes)), cache_files=float(len(cache_sizes)))
                    if actiongraph:
                        values.update(critical_path(Path(graph)))
                    elif "wchar" in values and values["cache_bytes"]:
                        values["write_factor"] = round(values["wchar"] / values["cache_bytes"], 4)
                    if not sizes and not actiongraph:
                        sizes = cache_sizes
                    if with_rebuild and g == cpus and name == f"GOMAXPROCS={cpus}" and not rebuilds:
                        for again in range(1, proto.rebuild_reps + 1):
                            progress(f"no-change rebuild of {proto.target} (rep {again})")
                            rebuilds.append(failed(*run([go, "build", proto.target], env, gopath,
                                                        f"GOMAXPROCS={cpus}", again)))
                samples.append(failed(sample.model_copy(update={"values": values}), output))
    cold = Step(params={"target": proto.target, "command": f"go build -a [flags] {proto.target}",
                        "gocache": "fresh temporary folder",
                        "gomaxprocs": list(proto.gomaxprocs), "variants": list(proto.variants)}, samples=samples)
    rebuild = (Step(params={"target": proto.target, "command": f"go build {proto.target}",
                            "gocache": "the one a cold build just filled"},
                    samples=rebuilds) if with_rebuild else Step(skipped="not selected"))
    return ColdResult(cold=cold, rebuild=rebuild, cache_sizes=sizes)


def critical_path(graph: Path) -> dict[str, float]:
    """Compile CPU and the share of it on the longest chain of compiles, from -debug-actiongraph JSON.

    A compile is an action of Mode "build"; its CPU is CmdUser + CmdSys (nanoseconds) of every tool it ran.
    """
    try:
        actions = {a["ID"]: a for a in json.loads(graph.read_text())}
    except (OSError, ValueError, KeyError, TypeError):
        return {}

    def cpu(action: dict[str, Any]) -> float:
        if action.get("Mode") != "build":
            return 0.0
        return (float(action.get("CmdUser") or 0) + float(action.get("CmdSys") or 0)) / 1e9

    longest: dict[int, float] = {}
    for root in actions:  # iterative post-order: an action's dependencies before the action
        stack: list[tuple[int, bool]] = [(root, False)]
        while stack:
            node, done = stack.pop()
            if node in longest:
                continue
            deps = [d for d in actions[node].get("Deps") or [] if d in actions]
            if done:
                longest[node] = cpu(actions[node]) + max((longest[d] for d in deps), default=0.0)
                continue
            stack.append((node, True))
            stack.extend((d, False) for d in deps if d not in longest)
    total = sum(cpu(a) for a in actions.values())
    chain = max(longest.values(), default=0.0)
    if not total:
        return {}
    return {"compile_cpu_s": round(total, 3), "critical_path_cpu_s": round(chain, 3),
            "critical_path_share": round(chain / total, 4)}


def race_step(go: str, package: str, progress: Progress) -> Step:
    """`go test -race -count=1 PKG` on an empty cache (compiles the race closure), then on that cache."""
    samples = []
    with temp_dirs("race-cache", "race-path") as (cache, gopath):
        env = go_env(cache, gopath)
        for phase in ("first", "again"):
            progress(f"go test -race {package} ({phase})")
            samples.append(failed(*run([go, "test", "-race", "-count=1", package], env, gopath, phase, 1)))
    return Step(params={"command": f"go test -race -count=1 {package}",
                        "gocache": "fresh temporary folder, kept for the second run"}, samples=samples)


# ---------------------------------------------------------------- build-cache I/O
def cache_io_step(proto: Protocol, sizes: list[int], progress: Progress) -> Step:
    """Write many small files with a GOCACHE's size distribution, without and with fsync after each file."""
    note = None
    if sizes:
        source = "file sizes of the GOCACHE a cold build filled"
    else:
        # no Go: a fixed log-uniform spread of 64 B .. 1 MiB stands in for a cache's (a protocol constant)
        generator = random.Random(13)
        sizes = [int(2 ** generator.uniform(6, 20)) for _ in range(2000)]
        source = "log-uniform 64 B to 1 MiB (no cold build in this run to copy a GOCACHE from)"
        note = "no cold build ran: the file sizes are the protocol's fixed stand-in, not a real cache's"
    sizes = sorted(sizes)
    samples = []
    for rep in range(1, proto.io_reps + 1):
        for mode in rotated(["no fsync", "fsync"], rep - 1):
            count = proto.io_files if mode == "no fsync" else proto.io_fsync_files
            # the same spread at any count: evenly spaced quantiles of the cache's sizes
            chosen = [sizes[int(i * (len(sizes) - 1) / max(1, count - 1))] for i in range(count)]
            progress(f"cache-style writes, {mode} (rep {rep})")
            samples.append(_write_files(chosen, mode == "fsync", mode, rep))
    median = float(sizes[len(sizes) // 2])
    return Step(params={"sizes": source, "files": proto.io_files, "fsync_files": proto.io_fsync_files,
                        "folder": tempfile.gettempdir(), "median_file_bytes": median}, samples=samples, note=note)


def _write_files(sizes: list[int], sync: bool, variant: str, rep: int) -> Sample:
    with temp_dirs("io") as (folder,):
        payload = os.urandom(max(sizes) if sizes else 1)
        start = time.monotonic()
        for index, size in enumerate(sizes):
            # two-level fan-out like GOCACHE's 256 subfolders
            sub = os.path.join(folder, f"{index % 256:02x}")
            if index < 256:
                os.mkdir(sub)
            with open(os.path.join(sub, f"{index:06d}-d"), "wb") as handle:
                handle.write(payload[:size])
                if sync:
                    handle.flush()
                    os.fsync(handle.fileno())
        wall = time.monotonic() - start
    total = sum(sizes)
    return Sample(variant=variant, rep=rep, wall_s=round(wall, 4),
                  values={"files": float(len(sizes)), "bytes": float(total),
                          "files_per_s": round(len(sizes) / wall, 1) if wall else 0.0,
                          "mb_per_s": round(total / 1e6 / wall, 2) if wall else 0.0})


# ---------------------------------------------------------------- sustained CPU
_WORKER = """
import sys, time
source, seconds = sys.stdin.read(), float(sys.argv[1])
start = time.monotonic()
tick, count, counts = start + 1.0, 0, []
while True:
    compile(source, "loop", "exec")
    count += 1
    now = time.monotonic()
    if now >= tick:
        counts.append(count)
        count, tick = 0, tick + 1.0
        if now - start >= seconds:
            break
print(" ".join(map(str, counts)))
"""


def sustained_step(proto: Protocol, progress: Progress) -> Step:
    """One process per logical CPU compiles a fixed Python source in a loop for a fixed time; compiles per
    second over time, and the clock and throttle counters before and after."""
    cpus = os.cpu_count() or 1
    progress(f"sustained CPU: {cpus} compile loops for {proto.sustained_s:.0f} s")
    before_mhz, before_throttle = clock_mhz(), throttle_counts()
    start = time.monotonic()
    workers = [subprocess.Popen([sys.executable, "-c", _WORKER, str(proto.sustained_s)], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, text=True) for _ in range(cpus)]
    for worker in workers:
        assert worker.stdin is not None
        worker.stdin.write(COMPILE_LOOP_SOURCE)
        worker.stdin.close()
    time.sleep(min(2.0, proto.sustained_s / 2))
    loaded_mhz = clock_mhz()
    outputs = []
    for worker in workers:
        assert worker.stdout is not None
        outputs.append(worker.stdout.read())
        worker.wait()
    wall = time.monotonic() - start
    after_mhz, after_throttle = clock_mhz(), throttle_counts()
    per_worker = [[int(x) for x in out.split()] for out in outputs]
    seconds = min((len(c) for c in per_worker), default=0)
    samples = [Sample(variant="second", rep=i + 1, wall_s=1.0,
                      values={"compiles": float(sum(c[i] for c in per_worker))}) for i in range(seconds)]
    values: dict[str, float] = {"wall_s": round(wall, 3)}
    for key, value in (("clock_mhz_before", before_mhz), ("clock_mhz_loaded", loaded_mhz),
                       ("clock_mhz_after", after_mhz)):
        if value is not None:
            values[key] = value
    for key, value in before_throttle.items():
        values[f"{key}_before"] = value
        values[f"{key}_after"] = after_throttle.get(key, value)
    return Step(params={"workers": cpus, "seconds": proto.sustained_s,
                        "loop": "Python compile() of protocol.COMPILE_LOOP_SOURCE"},
                samples=samples, values=values,
                note=None if before_throttle else "no throttle counters on this platform")
