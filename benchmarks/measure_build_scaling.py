"""Measure how cold Go builds and std tests scale with -p, GOMAXPROCS, CPU affinity and the compiler's -c.

The build model is calibrated only on measurements the project makes itself; this script is how they are
made. Stdlib + pyyaml only. Run (about an hour with the defaults on a 2-vCPU VM):

  python benchmarks/measure_build_scaling.py -o results.yaml            # full protocol, 3 reps
  python benchmarks/measure_build_scaling.py --quick -o quick.yaml      # 1 rep, std builds only
  python benchmarks/measure_build_scaling.py --report results.yaml      # markdown tables from a results file

Protocol (every build a cold `go build -a` with a fresh GOCACHE that is deleted afterwards; GOFLAGS empty,
GOENV=off, GOTOOLCHAIN=local, GOPROXY=off, GOMAXPROCS/GOGC/GODEBUG removed from the environment):
  check   once per variant (not timed for the tables): `go build -a -n` for the compile flags the variant
          really passes, and for variants without a timed action graph a `-debug-actiongraph` build whose
          command lines and action start/end times show the -c values and how many actions overlapped.
  std     per rep, all variants of VARIANTS plus the two action-graph builds, the order rotated each rep.
  cmd     `go build -a -debug-actiongraph=F std cmd`, default vs GOMAXPROCS=1; further reps only while every
          such build takes under 180 s.
  tests   a warm cache from one `go build std` per rep, copied per package and mode so no run sees another's
          compiles; `go test -count=1 PKG` and `go test -race -count=1 PKG` each run twice ("first": compiles
          the test closure, "again": everything compiled is cached). Then `go test -count=1 strings bytes
          strconv sort` with the default -p vs -p 1 after one warm-up run. A net/http mode whose first run
          takes over 120 s is not repeated.

Per run: wall (monotonic clock around fork..wait4), user and sys CPU of the whole process tree and max RSS from
os.wait4 (ru_maxrss: the largest single process of the tree, as /usr/bin/time -v reports), and for tests also
the peak of the summed RSS of all processes of the run's session sampled from /proc every 50 ms (misses
peaks shorter than that).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import yaml

GO = shutil.which("go") or "/usr/bin/go"
PAGE = os.sysconf("SC_PAGE_SIZE")

# name -> (extra go build flags, extra env, command prefix)
VARIANTS: dict[str, tuple[list[str], dict[str, str], list[str]]] = {
    "default": ([], {}, []),
    "GOMAXPROCS=1": ([], {"GOMAXPROCS": "1"}, []),
    "-p 1": (["-p", "1"], {}, []),
    "taskset -c 0": ([], {}, ["taskset", "-c", "0"]),
    "-c=1": (["-gcflags=all=-c=1"], {}, []),
    "-c=2": (["-gcflags=all=-c=2"], {}, []),
    "-c=4": (["-gcflags=all=-c=4"], {}, []),
    "-p 1 -c=1": (["-p", "1", "-gcflags=all=-c=1"], {}, []),
}
AG_VARIANTS = {"actiongraph default": "default", "actiongraph GOMAXPROCS=1": "GOMAXPROCS=1"}
TEST_PACKAGES = ["strings", "encoding/json", "net/http"]
PAR_PACKAGES = ["strings", "bytes", "strconv", "sort"]
NET_HTTP_LIMIT_S = 120.0
CMD_LIMIT_S = 180.0
DROP_ENV = ("GOMAXPROCS", "GOGC", "GODEBUG", "GOFLAGS", "GOCACHE", "GOROOT", "GOPATH", "GOOS", "GOARCH",
            "GOAMD64", "GOEXPERIMENT", "CGO_ENABLED", "GO111MODULE", "GOTOOLCHAIN", "GOPROXY", "GOENV")


# ---------------------------------------------------------------- running one command

class TreeRSS(threading.Thread):
    """Samples the summed RSS of every process in one session (the run's process tree)."""

    def __init__(self, sid: int, interval: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.sid, self.interval = sid, interval
        self.peak_kib = 0
        self.peak_procs = 0
        self.samples = 0
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            total = procs = 0
            for entry in os.listdir("/proc"):
                if not entry.isdigit():
                    continue
                try:
                    with open(f"/proc/{entry}/stat") as f:
                        fields = f.read().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                # after the comm field: state ppid pgrp session ... rss is the 22nd
                if int(fields[3]) == self.sid:
                    total += int(fields[21]) * PAGE // 1024
                    procs += 1
            self.samples += 1
            self.peak_kib = max(self.peak_kib, total)
            self.peak_procs = max(self.peak_procs, procs)
            self.stop.wait(self.interval)


def base_env(gocache: str, gopath: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in DROP_ENV}
    env.update(GOCACHE=gocache, GOPATH=gopath, GOFLAGS="", GOENV="off", GOTOOLCHAIN="local", GOPROXY="off")
    return env


def _kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, 9)
    except ProcessLookupError:
        pass


def run(cmd: list[str], env: dict[str, str], cwd: str, tree_rss: bool = False,
        timeout: float | None = None) -> dict[str, Any]:
    """Runs cmd in its own session; returns wall/user/sys seconds, max RSS and the exit code."""
    with tempfile.TemporaryFile() as out:
        start = time.monotonic()
        proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
        sampler = TreeRSS(proc.pid) if tree_rss else None
        if sampler:
            sampler.start()
        timer = None
        if timeout:
            timer = threading.Timer(timeout, _kill_group, (proc.pid,))
            timer.start()
        _, status, ru = os.wait4(proc.pid, 0)
        wall = time.monotonic() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if timer:
            timer.cancel()
        if sampler:
            sampler.stop.set()
            sampler.join()
        out.seek(0)
        output = out.read().decode(errors="replace")
    result: dict[str, Any] = {
        "wall_s": round(wall, 3), "user_s": round(ru.ru_utime, 3), "sys_s": round(ru.ru_stime, 3),
        "max_rss_kib": ru.ru_maxrss, "exit_code": proc.returncode,
    }
    if sampler:
        result.update(tree_rss_peak_kib=sampler.peak_kib, tree_procs_peak=sampler.peak_procs,
                      tree_rss_samples=sampler.samples)
    if proc.returncode != 0:
        result["output_tail"] = output[-3000:]
    elif len(output) < 4000:
        result["output"] = output
    return result


# ---------------------------------------------------------------- action graphs

def _ts(value: str | None) -> float | None:
    """RFC 3339 with nanoseconds -> seconds since the epoch; None for Go's zero time."""
    if not value or value.startswith("0001-"):
        return None
    m = re.match(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$", value)
    if not m:
        raise ValueError(f"unexpected time {value!r}")
    base = dt.datetime.fromisoformat(m.group(1) + ("+00:00" if m.group(3) == "Z" else m.group(3)))
    return base.timestamp() + float("0." + (m.group(2) or "0"))


def analyse_actiongraph(path: Path) -> dict[str, Any]:
    """Total compile CPU, critical path (by CPU and by real time), concurrency and -c values of one graph.

    A compile action is Mode "build"; its CmdUser/CmdSys/CmdReal (integer nanoseconds in Go 1.19's JSON) add up
    every tool the action ran: compile, and asm, cgo, gcc and pack where the package needs them.
    """
    actions = {a["ID"]: a for a in json.loads(path.read_text())}
    modes: dict[str, int] = {}
    for a in actions.values():
        modes[a["Mode"]] = modes.get(a["Mode"], 0) + 1
    compiles = [a for a in actions.values() if a["Mode"] == "build"]

    def cpu(a: dict[str, Any]) -> float:
        return (a.get("CmdUser", 0) + a.get("CmdSys", 0)) / 1e9 if a["Mode"] == "build" else 0.0

    def real(a: dict[str, Any]) -> float:
        return a.get("CmdReal", 0) / 1e9 if a["Mode"] == "build" else 0.0

    def longest(weight: Any) -> tuple[float, list[str]]:
        best: dict[int, tuple[float, int | None]] = {}
        order: list[int] = []
        seen: set[int] = set()
        for root in actions:  # iterative post-order: deps before dependents
            stack = [(root, False)]
            while stack:
                node, done = stack.pop()
                if done:
                    order.append(node)
                    continue
                if node in seen:
                    continue
                seen.add(node)
                stack.append((node, True))
                stack.extend((d, False) for d in actions[node].get("Deps") or [] if d not in seen)
        for node in order:
            deps = actions[node].get("Deps") or []
            prev = max(deps, key=lambda d: best[d][0], default=None)
            best[node] = (weight(actions[node]) + (best[prev][0] if prev is not None else 0.0), prev)
        end = max(best, key=lambda n: best[n][0])
        chain: list[str] = []
        cur: int | None = end
        while cur is not None:
            if actions[cur]["Mode"] == "build":
                chain.append(actions[cur]["Package"])
            cur = best[cur][1]
        return best[end][0], chain[::-1]

    total_cpu = sum(cpu(a) for a in compiles)
    total_real = sum(real(a) for a in compiles)
    cp_cpu, chain_cpu = longest(cpu)
    cp_real, chain_real = longest(real)
    top = max(compiles, key=cpu)
    top_real = max(compiles, key=real)

    # how many compile actions overlapped, from TimeStart/TimeDone (actions that ran a command only)
    events: list[tuple[float, int]] = []
    for a in compiles:
        s, e = _ts(a.get("TimeStart")), _ts(a.get("TimeDone"))
        if s is not None and e is not None and a.get("Cmd"):
            events += [(s, 1), (e, -1)]
    events.sort()
    running = peak = 0
    busy: dict[int, float] = {}
    last = events[0][0] if events else 0.0
    for t, step in events:
        busy[running] = busy.get(running, 0.0) + t - last
        last = t
        running += step
        peak = max(peak, running)
    span = (events[-1][0] - events[0][0]) if events else 0.0

    c_values: dict[str, int] = {}
    n_compile_cmds = 0
    for a in compiles:
        for c in a.get("Cmd") or []:
            if re.match(r"\S*/compile\s", c):
                n_compile_cmds += 1
                m = re.search(r" -c=(\d+)", c)
                key = m.group(1) if m else "none"
                c_values[key] = c_values.get(key, 0) + 1
    return {
        "actions": len(actions), "modes": modes, "compile_actions": len(compiles),
        "compile_commands": n_compile_cmds, "compile_c_flag_counts": c_values,
        "total_compile_cpu_s": round(total_cpu, 3), "total_compile_real_s": round(total_real, 3),
        "critical_path_cpu_s": round(cp_cpu, 3),
        "critical_path_cpu_share": round(cp_cpu / total_cpu, 4) if total_cpu else None,
        "critical_path_cpu_chain": chain_cpu,
        "critical_path_real_s": round(cp_real, 3),
        "critical_path_real_share": round(cp_real / total_real, 4) if total_real else None,
        "critical_path_real_chain": chain_real,
        "longest_compile_cpu": {"package": top["Package"], "cpu_s": round(cpu(top), 3),
                                "real_s": round(real(top), 3)},
        "longest_compile_real": {"package": top_real["Package"], "cpu_s": round(cpu(top_real), 3),
                                 "real_s": round(real(top_real), 3)},
        "compile_span_s": round(span, 3),
        "max_concurrent_compile_actions": peak,
        "seconds_at_concurrency": {k: round(v, 3) for k, v in sorted(busy.items()) if k},
    }


def dry_run_c_flags(flags: list[str], env_extra: dict[str, str], prefix: list[str]) -> dict[str, Any]:
    """`go build -a -n`: which -c each compile command would get, and the -p the go command resolved."""
    with tempfile.TemporaryDirectory() as cache, tempfile.TemporaryDirectory() as gopath:
        env = {**base_env(cache, gopath), **env_extra}
        out = subprocess.run(prefix + [GO, "build", "-a", "-n", *flags, "std"], env=env, cwd=gopath,
                             capture_output=True, text=True, check=True).stderr
    counts: dict[str, int] = {}
    for line in out.splitlines():
        if re.search(r"/compile -o ", line):
            m = re.search(r" -c=(\d+)", line)
            key = m.group(1) if m else "none"
            counts[key] = counts.get(key, 0) + 1
    return {"compile_c_flag_counts": counts}


# ---------------------------------------------------------------- machine

def sh(*cmd: str) -> str:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError) as e:
        return f"unavailable: {e}"


def machine_info() -> dict[str, Any]:
    lscpu = {}
    for line in sh("lscpu").splitlines():
        k, _, v = line.partition(":")
        lscpu[k.strip()] = v.strip()
    meminfo = Path("/proc/meminfo").read_text()
    total_kib = int(re.search(r"MemTotal:\s+(\d+)", meminfo).group(1))  # type: ignore[union-attr]
    script_dir = Path(__file__).resolve().parent
    return {
        "cpu_model_name": lscpu.get("Model name"),
        "cpu_vendor": lscpu.get("Vendor ID"),
        "cpu_family_model_stepping": [lscpu.get("CPU family"), lscpu.get("Model"), lscpu.get("Stepping")],
        "hypervisor": lscpu.get("Hypervisor vendor"),
        "threads_per_core": lscpu.get("Thread(s) per core"),
        "l2_l3": [lscpu.get("L2 cache"), lscpu.get("L3 cache")],
        "nproc": int(sh("nproc")),
        "mem_total_kib": total_kib,
        "mem_total_gib": round(total_kib / 2**20, 1),
        "kernel": platform.release(),
        "os": sh("sh", "-c", ". /etc/os-release && echo $PRETTY_NAME"),
        "go_binary": os.path.realpath(GO),
        "go_version": sh(GO, "version"),
        "go_package": sh("sh", "-c", "dpkg-query -W -f='${Package} ${Version}\\n' 'golang-1.*-go' golang-go"),
        "goroot": sh(GO, "env", "GOROOT"),
        "python": platform.python_version(),
        "script_commit": sh("git", "-C", str(script_dir), "rev-parse", "HEAD"),
        "script_dirty": bool(sh("git", "-C", str(script_dir), "status", "--porcelain", "--", str(script_dir))),
    }


# ---------------------------------------------------------------- protocol

class Recorder:
    def __init__(self, path: Path, args: argparse.Namespace) -> None:
        self.path = path
        self.data: dict[str, Any] = {
            "schema": "go-laptop-advisor build-scaling measurements v1",
            "started": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "command": " ".join([Path(sys.executable).name, *sys.argv]),
            "options": {"reps": args.reps, "quick": args.quick},
            "machine": machine_info(),
            "notes": [],
            "checks": [],
            "runs": [],
        }
        self.save()

    def save(self) -> None:
        tmp = self.path.with_suffix(self.path.suffix + ".tmp")
        tmp.write_text(yaml.safe_dump(self.data, sort_keys=False, width=120, allow_unicode=True))
        tmp.replace(self.path)

    def add(self, kind: str, entry: dict[str, Any]) -> None:
        self.data[kind].append(entry)
        self.save()
        short = {k: entry[k] for k in ("wall_s", "user_s", "sys_s", "max_rss_kib", "exit_code") if k in entry}
        print(f"[{time.strftime('%H:%M:%S')}] {entry.get('group')} {entry.get('variant')} "
              f"rep={entry.get('rep')} {short}", flush=True)


def loadavg() -> list[float]:
    return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]


def build(rec: Recorder, group: str, variant: str, rep: int | None, flags: list[str], env_extra: dict[str, str],
          prefix: list[str], targets: list[str], actiongraph: bool, kind: str = "runs",
          tree_rss: bool = False) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="gocache-") as cache, tempfile.TemporaryDirectory() as gopath:
        env = {**base_env(cache, gopath), **env_extra}
        ag = Path(gopath) / "actiongraph.json"
        cmd = [*prefix, GO, "build", "-a", *( [f"-debug-actiongraph={ag}"] if actiongraph else []), *flags,
               *targets]
        entry: dict[str, Any] = {"group": group, "variant": variant, "rep": rep,
                                 "command": " ".join(cmd).replace(str(ag), "FILE"),
                                 "env": {k: env[k] for k in ("GOFLAGS", "GOENV", "GOTOOLCHAIN", "GOPROXY",
                                                             *env_extra)} | {"GOCACHE": "fresh temp dir"},
                                 "loadavg_before": loadavg()}
        entry.update(run(cmd, env, gopath, tree_rss=tree_rss))
        entry["cpu_s"] = round(entry["user_s"] + entry["sys_s"], 3)
        if actiongraph and entry["exit_code"] == 0:
            entry["actiongraph"] = analyse_actiongraph(ag)
    rec.add(kind, entry)
    return entry


def rotated(items: list[str], rep: int) -> list[str]:
    k = rep % len(items)
    return items[k:] + items[:k]


def protocol(rec: Recorder, reps: int, quick: bool) -> None:
    names = list(VARIANTS)
    # checks: what each variant really passes to compile, and how many actions overlap
    for name in names:
        flags, env_extra, prefix = VARIANTS[name]
        entry = {"group": "check", "variant": name, "dry_run": dry_run_c_flags(flags, env_extra, prefix)}
        rec.data["checks"].append(entry)
    rec.save()
    for name in [] if quick else names:
        if name in AG_VARIANTS.values():
            continue  # their timed action-graph builds show it
        flags, env_extra, prefix = VARIANTS[name]
        build(rec, "check", name, None, flags, env_extra, prefix, ["std"], actiongraph=True, kind="checks")

    # std: variants and the two action-graph builds, interleaved rep by rep, order rotated
    order = names + list(AG_VARIANTS)
    for rep in range(1, reps + 1):
        for name in rotated(order, rep - 1):
            base = AG_VARIANTS.get(name, name)
            flags, env_extra, prefix = VARIANTS[base]
            build(rec, "std", name, rep, flags, env_extra, prefix, ["std"], actiongraph=name in AG_VARIANTS)
    if quick:
        return

    # std cmd: default vs GOMAXPROCS=1, with action graphs; more reps only while each build stays under 180 s
    for rep in range(1, reps + 1):
        walls = []
        for name in rotated(["default", "GOMAXPROCS=1"], rep - 1):
            flags, env_extra, prefix = VARIANTS[name]
            walls.append(build(rec, "std cmd", name, rep, flags, env_extra, prefix, ["std", "cmd"],
                               actiongraph=True)["wall_s"])
        if max(walls) > CMD_LIMIT_S:
            if rep < reps:
                rec.data["notes"].append(f"std cmd: a build took {max(walls):.0f} s > {CMD_LIMIT_S:.0f} s; "
                                         f"stopped after rep {rep}")
            break
    tests(rec, reps)


def go_test(rec: Recorder, group: str, variant: str, rep: int, phase: str, args: list[str], cache: str,
            gopath: str) -> dict[str, Any]:
    env = base_env(cache, gopath)
    cmd = [GO, "test", *args]
    entry: dict[str, Any] = {"group": group, "variant": variant, "rep": rep, "phase": phase,
                             "command": " ".join(cmd),
                             "env": {k: env[k] for k in ("GOFLAGS", "GOENV", "GOTOOLCHAIN", "GOPROXY")}
                             | {"GOCACHE": "copy of a cache warmed by `go build std`"},
                             "loadavg_before": loadavg()}
    entry.update(run(cmd, env, gopath, tree_rss=True, timeout=1800))
    entry["cpu_s"] = round(entry["user_s"] + entry["sys_s"], 3)
    rec.add("runs", entry)
    return entry


def tests(rec: Recorder, reps: int) -> None:
    skip: set[str] = set()
    for rep in range(1, reps + 1):
        with tempfile.TemporaryDirectory(prefix="gocache-warm-") as warm, tempfile.TemporaryDirectory() as gopath:
            env = base_env(warm, gopath)
            entry: dict[str, Any] = {"group": "test warm-up", "variant": "go build std", "rep": rep,
                                     "command": f"{GO} build std", "loadavg_before": loadavg()}
            entry.update(run([GO, "build", "std"], env, gopath))
            rec.add("runs", entry)
            for pkg in rotated(TEST_PACKAGES, rep - 1):
                modes = rotated(["plain", "race"], rep - 1)
                copies = {m: tempfile.mkdtemp(prefix=f"gocache-{m}-") for m in modes}
                try:
                    for m in modes:
                        shutil.copytree(warm, copies[m], dirs_exist_ok=True, copy_function=shutil.copy2)
                    for phase in ("first", "again"):
                        for m in modes:
                            key = f"{pkg} {m}"
                            if key in skip:
                                continue
                            flags = ["-count=1"] + (["-race"] if m == "race" else [])
                            e = go_test(rec, "test", f"{pkg} {m}", rep, phase, flags + [pkg], copies[m], gopath)
                            if pkg == "net/http" and e["wall_s"] > NET_HTTP_LIMIT_S and key not in skip:
                                skip.add(key)
                                rec.data["notes"].append(
                                    f"{key}: `go test` {phase} run of rep {rep} took {e['wall_s']:.0f} s > "
                                    f"{NET_HTTP_LIMIT_S:.0f} s; its further runs were skipped")
                finally:
                    for c in copies.values():
                        shutil.rmtree(c, ignore_errors=True)
            par = tempfile.mkdtemp(prefix="gocache-par-")
            try:
                shutil.copytree(warm, par, dirs_exist_ok=True, copy_function=shutil.copy2)
                go_test(rec, "test -p", "warm-up", rep, "first", ["-count=1", *PAR_PACKAGES], par, gopath)
                for name in rotated(["default -p", "-p 1"], rep - 1):
                    flags = ["-count=1"] + (["-p", "1"] if name == "-p 1" else [])
                    go_test(rec, "test -p", name, rep, "again", flags + PAR_PACKAGES, par, gopath)
            finally:
                shutil.rmtree(par, ignore_errors=True)


# ---------------------------------------------------------------- report

def _med(xs: list[float]) -> float:
    return statistics.median(xs)


def report(data: dict[str, Any]) -> str:
    runs = [r for r in data["runs"] if r.get("exit_code") == 0]
    lines: list[str] = []
    m = data["machine"]
    fms = "/".join(map(str, m["cpu_family_model_stepping"]))
    lines.append(f"Machine: {m['cpu_model_name']} (family/model/stepping {fms}, "
                 f"{m['hypervisor']}), nproc {m['nproc']}, {m['mem_total_gib']} GiB, kernel {m['kernel']}; "
                 f"{m['go_version']} ({m['go_package']}).")
    lines.append("")
    for group in ("std", "std cmd"):
        rows = [r for r in runs if r["group"] == group]
        if not rows:
            continue
        names = list(dict.fromkeys(r["variant"] for r in rows))
        by = {n: [r for r in rows if r["variant"] == n] for n in names}
        base = {r["rep"]: r for r in by.get("default", [])}
        lines.append(f"### `go build -a {group}`, cold cache\n")
        lines.append("| variant | n | wall s median (min-max) | user+sys s median (min-max) | max RSS MiB "
                     "| wall / default | cpu / default |")
        lines.append("|---|---|---|---|---|---|---|")
        for n in names:
            rs = by[n]
            w = [r["wall_s"] for r in rs]
            c = [r["cpu_s"] for r in rs]
            rss = _med([r["max_rss_kib"] / 1024 for r in rs])
            if base and n != "default":
                bw = _med([b["wall_s"] for b in base.values()])
                bc = _med([b["cpu_s"] for b in base.values()])
                pw = [r["wall_s"] / base[r["rep"]]["wall_s"] for r in rs if r["rep"] in base]
                pc = [r["cpu_s"] / base[r["rep"]]["cpu_s"] for r in rs if r["rep"] in base]
                rw = f"{_med(w) / bw:.2f}" + (f" ({min(pw):.2f}-{max(pw):.2f})" if len(pw) > 1 else "")
                rc = f"{_med(c) / bc:.2f}" + (f" ({min(pc):.2f}-{max(pc):.2f})" if len(pc) > 1 else "")
            else:
                rw = rc = "1"
            lines.append(f"| {n} | {len(rs)} | {_med(w):.1f} ({min(w):.1f}-{max(w):.1f}) | {_med(c):.1f} "
                         f"({min(c):.1f}-{max(c):.1f}) | {rss:.0f} | {rw} | {rc} |")
        lines.append("")
    ags = [r for r in runs if "actiongraph" in r] + [c for c in data["checks"] if "actiongraph" in c]
    if ags:
        lines.append("### Action graphs (compile = Mode \"build\" actions; CPU = CmdUser + CmdSys)\n")
        lines.append("| build | variant | rep | total compile CPU s | critical path CPU s (share) "
                     "| critical path real s (share of sum CmdReal) | longest compile | max overlap | -c seen |")
        lines.append("|---|---|---|---|---|---|---|---|---|")
        for r in ags:
            a = r["actiongraph"]
            top = a["longest_compile_cpu"]
            lines.append(f"| {r['group']} | {r['variant']} | {r.get('rep') or '-'} | {a['total_compile_cpu_s']:.1f} "
                         f"| {a['critical_path_cpu_s']:.1f} ({a['critical_path_cpu_share']:.3f}) "
                         f"| {a['critical_path_real_s']:.1f} ({a['critical_path_real_share']:.3f}) "
                         f"| {top['package']} {top['cpu_s']:.1f} s | {a['max_concurrent_compile_actions']} "
                         f"| {a['compile_c_flag_counts']} |")
        lines.append("")
        chains: dict[str, list[str]] = {}
        for r in ags:
            for key in ("critical_path_cpu_chain", "critical_path_real_chain"):
                chain = " -> ".join(r["actiongraph"][key])
                chains.setdefault(chain, []).append(f"{r['group']}/{r['variant']}/{r.get('rep') or '-'}"
                                                    f"/{key.split('_')[2]}")
        lines.append("Critical-path chains (which runs):\n")
        for chain, who in chains.items():
            lines.append(f"- {chain}  [{', '.join(who)}]")
        lines.append("")
    # a test run that failed still ran every test of its package: it is timed like the others and listed below
    trs = [r for r in data["runs"] if r["group"] in ("test", "test -p") and r.get("exit_code") in (0, 1)]
    if trs:
        lines.append("### `go test` on a cache warmed by `go build std`\n")
        lines.append("| run | phase | n | wall s median (min-max) | user+sys s median | max RSS MiB (largest process) "
                     "| sampled tree RSS peak MiB |")
        lines.append("|---|---|---|---|---|---|---|")
        keys = list(dict.fromkeys((r["variant"], r["phase"]) for r in trs))
        for v, ph in keys:
            rs = [r for r in trs if r["variant"] == v and r["phase"] == ph]
            w = [r["wall_s"] for r in rs]
            lines.append(f"| {v} | {ph} | {len(rs)} | {_med(w):.1f} ({min(w):.1f}-{max(w):.1f}) "
                         f"| {_med([r['cpu_s'] for r in rs]):.1f} | {_med([r['max_rss_kib'] / 1024 for r in rs]):.0f} "
                         f"| {_med([r['tree_rss_peak_kib'] / 1024 for r in rs]):.0f} |")
        lines.append("")
        lines.append("| package | phase | race / plain wall | race / plain user+sys | race / plain max RSS "
                     "| race / plain tree RSS |")
        lines.append("|---|---|---|---|---|---|")
        for pkg in TEST_PACKAGES:
            for ph in ("first", "again"):
                p = [r for r in trs if r["variant"] == f"{pkg} plain" and r["phase"] == ph]
                q = [r for r in trs if r["variant"] == f"{pkg} race" and r["phase"] == ph]
                if not p or not q:
                    continue

                def ratio(key: str, p: list[dict[str, Any]] = p, q: list[dict[str, Any]] = q) -> str:
                    return f"{_med([r[key] for r in q]) / _med([r[key] for r in p]):.2f}"
                lines.append(f"| {pkg} | {ph} | {ratio('wall_s')} | {ratio('cpu_s')} | {ratio('max_rss_kib')} "
                             f"| {ratio('tree_rss_peak_kib')} |")
        lines.append("")
    failed = [r for r in data["runs"] if r.get("exit_code") != 0]
    for r in failed:
        tests_failed = sorted(set(re.findall(r"^--- FAIL: (\S+)", r.get("output_tail", ""), re.M)))
        lines.append(f"- FAILED (exit {r['exit_code']}): {r['group']} {r['variant']} rep {r['rep']} "
                     f"{r.get('phase', '')} {' '.join(tests_failed)}")
    for n in data.get("notes", []):
        lines.append(f"- note: {n}")
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="1 rep, std builds only (no std cmd, no tests)")
    ap.add_argument("-o", "--output", type=Path, default=Path("build-scaling-results.yaml"))
    ap.add_argument("--report", type=Path, metavar="RESULTS", help="print markdown tables of a results file")
    args = ap.parse_args()
    if args.report:
        sys.stdout.write(report(yaml.safe_load(args.report.read_text())))
        return
    if args.quick:
        args.reps = 1
    rec = Recorder(args.output, args)
    protocol(rec, args.reps, args.quick)
    rec.data["finished"] = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    rec.save()
    sys.stdout.write(report(rec.data))


if __name__ == "__main__":
    main()
