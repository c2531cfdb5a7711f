"""Measure what a multi-package `go test` spends on compiling test variants, linking test binaries and running them.

The test model is calibrated only on measurements the project makes itself; this script is how they are made.
It reuses the process running of measure_build_scaling.py (wall from the monotonic clock around fork..wait4,
user+sys and ru_maxrss of the whole process tree from os.wait4, the summed RSS of the run's session sampled
from /proc every 50 ms) and adds a per-process-kind breakdown of that sampled RSS. Stdlib + pyyaml only.

  python benchmarks/measure_test_time.py -o results.yaml               # full protocol (about 45 min, 2 vCPUs)
  python benchmarks/measure_test_time.py --quick -o quick.yaml         # 1 rep, 3 packages per set, no race
                                                                       # (add --race-reps 1 for race too)
  python benchmarks/measure_test_time.py --report results.yaml         # markdown tables from a results file

Package sets (GOPATH mode: GO111MODULE=off, GOPATH=/usr/share/gocode with Debian's library sources, GOPROXY=off,
GOFLAGS empty, GOENV=off, GOTOOLCHAIN=local; GOMAXPROCS/GOGC/GODEBUG removed from the environment):
  prom    github.com/prometheus/client_golang/... github.com/prometheus/common/... (third-party packages
          compiled from source; std comes precompiled from GOROOT/pkg)
  std     20 std packages with moderate tests (STD_PACKAGES). Debian ships std precompiled, so `go build` of
          them does nothing and the cold run is also the "warm first" run; no separate warm run is made.

Every `go test` is `go test -count=1 -toolexec=TX -exec=EX -debug-actiongraph=FILE [variant flags] PKGS` where
  TX  a /bin/sh wrapper that execs `/usr/bin/time -a -o LOG` on each tool the go command runs (compile, asm,
      link, vet, and the tools' -V=full probes), logging TOOLEXEC_IMPORTPATH, the tool, wall, user, sys and
      max RSS. The tools print their own build ID for -V=full, so the cache keys are the ones without it.
  EX  a /bin/sh wrapper that execs `/usr/bin/time` on each test binary (cwd = the package directory), logging
      the binary's size in bytes, wall, user, sys and max RSS: the run cost per package.
  FILE  the action graph: per action Mode, Package, Deps, TimeStart/TimeDone and, for actions that ran a
      tool, CmdReal/CmdUser/CmdSys (nanoseconds). A "build" action whose package is one of the test variants
      `go list -deps -test` names for P ("X [P.test]", P_test, P.test) and that is linked into P.test is P's
      test compile; any other build action that ran a compiler is a dependency compile (shared). The vet
      actions the "test run" of P waits for are P's vet; other vet actions (facts of dependencies) are shared.

Per rep, per set (the order of the sets rotated each rep):
  cold        a fresh empty GOCACHE.
  warm first  (prom only) a fresh GOCACHE warmed by `go build -toolexec=TX PKGS`, so the run compiles only
              test variants (and test-only dependencies), vets, links and runs.
  again       the same cache once more: every compile is cached; links, vet of the tested packages and the
              test runs remain. This is also the warm-up for the parallelism runs.
  par         default -p (2), `-p 1` and GOMAXPROCS=1 (which also makes -p 1 and each test binary single-P),
              order rotated each rep, all on the warmed cache.
  plain       (control) one `go test -count=1 PKGS` on the warmed cache without TX, EX or the action graph.
  race        (the first --race-reps reps) a fresh empty GOCACHE, `go test -race`: "race cold" compiles the
              race-instrumented std closure too (Debian ships no race build of std); then "race again".
Per rep, normal programs: `go build -toolexec=TX -debug-actiongraph=FILE -o OUT PROG` of LINK_PROGRAMS on a
warmed cache, with default link flags and with -ldflags='-s -w' (what go test passes to link test binaries),
for link CPU and RSS against binary size.

Race blocks are skipped (and a note recorded) once the elapsed time plus the last race block's duration would
pass --budget-min; nothing else is skipped. Each `go test` is killed after 1500 s (recorded as exit -9).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
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

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure_build_scaling import _kill_group, _ts, base_env, loadavg, machine_info  # noqa: E402

GO = shutil.which("go") or "/usr/bin/go"
PAGE = os.sysconf("SC_PAGE_SIZE")
GOCODE = "/usr/share/gocode"
TIME = "/usr/bin/time"
RUN_TIMEOUT_S = 1500.0

STD_PACKAGES = ["strings", "bytes", "strconv", "sort", "bufio", "encoding/json", "encoding/xml", "text/template",
                "html/template", "go/parser", "go/printer", "regexp", "compress/flate", "math/big",
                "container/list", "unicode/utf8", "path/filepath", "net/url", "mime", "archive/tar"]
SETS: dict[str, dict[str, Any]] = {
    "prom": {"patterns": ["github.com/prometheus/client_golang/...", "github.com/prometheus/common/..."],
             "warm_first": True},
    "std": {"patterns": STD_PACKAGES, "warm_first": False},
}
QUICK_SETS: dict[str, dict[str, Any]] = {
    "prom": {"patterns": ["github.com/prometheus/common/model", "github.com/prometheus/common/expfmt",
                          "github.com/prometheus/client_golang/prometheus/testutil"], "warm_first": True},
    "std": {"patterns": ["strings", "sort", "net/url"], "warm_first": False},
}
PAR_VARIANTS: dict[str, tuple[list[str], dict[str, str]]] = {
    "default -p": ([], {}),
    "-p 1": (["-p", "1"], {}),
    "GOMAXPROCS=1": ([], {"GOMAXPROCS": "1"}),
}
HELLO_GO = """package main

import "fmt"

func main() { fmt.Println("hello") }
"""
HTTPD_GO = """package main

import (
	"fmt"
	"net/http"
)

func main() {
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "hi") })
	_ = http.ListenAndServe("127.0.0.1:0", nil)
}
"""
PROMEXP_GO = """package main

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

var hits = prometheus.NewCounter(prometheus.CounterOpts{Name: "hits_total", Help: "h"})

func main() {
	prometheus.MustRegister(hits)
	http.Handle("/metrics", promhttp.Handler())
	_ = http.ListenAndServe("127.0.0.1:0", nil)
}
"""
# programs linked as normal binaries: name -> (import path, source of a program written for the probe or None)
LINK_PROGRAMS: dict[str, tuple[str, str | None]] = {
    "hello (fmt)": ("linkprobe/hello", HELLO_GO),
    "net/http server": ("linkprobe/httpd", HTTPD_GO),
    "prometheus exporter": ("linkprobe/promexp", PROMEXP_GO),
    "stringer": ("golang.org/x/tools/cmd/stringer", None),
    "goimports": ("golang.org/x/tools/cmd/goimports", None),
    "protoc-gen-go": ("google.golang.org/protobuf/cmd/protoc-gen-go", None),
    "godoc": ("golang.org/x/tools/cmd/godoc", None),
}
TOOL_KINDS = {"go": "go", "compile": "compile", "link": "link", "vet": "vet", "asm": "asm", "cgo": "cgo",
              "time": "wrapper", "sh": "wrapper", "gcc": "cc", "cc1": "cc", "as": "cc", "collect2": "cc", "ld": "cc"}

TX_SCRIPT = """#!/bin/sh
# -toolexec wrapper: log the tool's wall, user, sys and max RSS; exit with its status
exec {time} -a -o "$MEASURE_TX_LOG" -f "TX	$TOOLEXEC_IMPORTPATH	${{1##*/}}	%e	%U	%S	%M	%x" "$@"
"""
EX_SCRIPT = """#!/bin/sh
# -exec wrapper: log the test binary's size, wall, user, sys and max RSS; exit with its status
size=$(stat -c %s "$1")
exec {time} -a -o "$MEASURE_EX_LOG" -f "EX	$PWD	$size	%e	%U	%S	%M	%x" "$@"
"""


# ---------------------------------------------------------------- running one command

def kind_of(comm: str) -> str:
    if comm in TOOL_KINDS:
        return TOOL_KINDS[comm]
    return "test binary" if ".test" in comm or len(comm) == 15 else "other"


class KindRSS(threading.Thread):
    """Samples every process of one session: summed RSS, and per process kind (go, compile, link, vet, test
    binary, ...) the count and RSS, keeping per kind the largest count and RSS seen in one sample and the
    composition of the sample with the largest total."""

    def __init__(self, sid: int, interval: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.sid, self.interval = sid, interval
        self.peak_kib = 0
        self.peak_procs = 0
        self.samples = 0
        self.peak_at: dict[str, Any] = {}
        self.kind_max_n: dict[str, int] = {}
        self.kind_max_kib: dict[str, int] = {}
        self.t0 = time.monotonic()
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            procs: list[tuple[str, int]] = []
            for entry in os.listdir("/proc"):
                if not entry.isdigit():
                    continue
                try:
                    with open(f"/proc/{entry}/stat") as f:
                        text = f.read()
                except OSError:
                    continue
                comm = text[text.find("(") + 1:text.rfind(")")]
                fields = text.rsplit(")", 1)[1].split()
                if int(fields[3]) == self.sid:
                    procs.append((comm, int(fields[21]) * PAGE // 1024))
            self.samples += 1
            total = sum(r for _, r in procs)
            by: dict[str, list[int]] = {}
            for comm, rss in procs:
                k = kind_of(comm)
                by.setdefault(k, [0, 0])
                by[k][0] += 1
                by[k][1] += rss
            for k, (n, rss) in by.items():
                self.kind_max_n[k] = max(self.kind_max_n.get(k, 0), n)
                self.kind_max_kib[k] = max(self.kind_max_kib.get(k, 0), rss)
            self.peak_procs = max(self.peak_procs, len(procs))
            if total > self.peak_kib:
                self.peak_kib = total
                self.peak_at = {
                    "t_s": round(time.monotonic() - self.t0, 2),
                    "by_kind": {k: {"n": n, "rss_mib": round(rss / 1024, 1)} for k, (n, rss) in sorted(by.items())},
                    "largest": [[c, round(r / 1024, 1)] for c, r in sorted(procs, key=lambda p: -p[1])[:6]],
                }
            self.stop.wait(self.interval)


def run(cmd: list[str], env: dict[str, str], cwd: str, timeout: float = RUN_TIMEOUT_S) -> dict[str, Any]:
    """Runs cmd in its own session: wall/user/sys seconds, ru_maxrss, the sampled session RSS and exit code."""
    with tempfile.TemporaryFile() as out:
        start = time.monotonic()
        proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
        sampler = KindRSS(proc.pid)
        sampler.start()
        timer = threading.Timer(timeout, _kill_group, (proc.pid,))
        timer.start()
        _, status, ru = os.wait4(proc.pid, 0)
        wall = time.monotonic() - start
        code = os.waitstatus_to_exitcode(status)
        timer.cancel()
        sampler.stop.set()
        sampler.join()
        out.seek(0)
        output = out.read().decode(errors="replace")
    result: dict[str, Any] = {
        "wall_s": round(wall, 3), "user_s": round(ru.ru_utime, 3), "sys_s": round(ru.ru_stime, 3),
        "cpu_s": round(ru.ru_utime + ru.ru_stime, 3), "max_rss_kib": ru.ru_maxrss, "exit_code": code,
        "tree_rss_peak_kib": sampler.peak_kib, "tree_procs_peak": sampler.peak_procs,
        "tree_rss_samples": sampler.samples, "tree_rss_peak_at": sampler.peak_at,
        "kind_max_concurrent": dict(sorted(sampler.kind_max_n.items())),
        "kind_max_rss_mib": {k: round(v / 1024, 1) for k, v in sorted(sampler.kind_max_kib.items())},
    }
    fails = sorted(set(re.findall(r"^(?:--- FAIL: (\S+)|FAIL\s+(\S+))", output, re.M)))
    if code != 0:
        result["failed"] = [a or b for a, b in fails]
        result["output_tail"] = output[-2500:]
    result["package_lines"] = [ln for ln in output.splitlines() if re.match(r"^(ok|FAIL|\?)\s", ln)]
    return result


# ---------------------------------------------------------------- package information

def go_env(gocache: str, gopath: str = GOCODE) -> dict[str, str]:
    env = base_env(gocache, gopath)
    env["GO111MODULE"] = "off"
    return env


def _json_stream(text: str) -> list[dict[str, Any]]:
    dec, i = json.JSONDecoder(), 0
    out: list[dict[str, Any]] = []
    while True:
        while i < len(text) and text[i].isspace():
            i += 1
        if i >= len(text):
            return out
        obj, i = dec.raw_decode(text, i)
        out.append(obj)


_LINES: dict[str, int] = {}


def count_lines(path: str) -> int:
    if path not in _LINES:
        try:
            with open(path, "rb") as f:
                _LINES[path] = f.read().count(b"\n")
        except OSError:
            _LINES[path] = 0
    return _LINES[path]


def package_info(patterns: list[str], race: bool = False) -> dict[str, Any]:
    """`go list -deps -test`: per package with test files its test variants and line counts of its test
    binary's closure (Go files only, as go list lists them; a variant's GoFiles include its _test.go files)."""
    with tempfile.TemporaryDirectory(prefix="gocache-list-") as cache:
        env = go_env(cache)
        names = subprocess.run([GO, "list", *patterns], env=env, cwd=cache, capture_output=True, text=True,
                               check=True).stdout.split()
        out = subprocess.run([GO, "list", "-deps", "-test", *(["-race"] if race else []), "-json", *names],
                             env=env, cwd=cache, capture_output=True, text=True, check=True).stdout
    entries = {e["ImportPath"]: e for e in _json_stream(out)}

    def lines(e: dict[str, Any]) -> int:
        files = (e.get("GoFiles") or []) + (e.get("CgoFiles") or [])
        return sum(count_lines(f if os.path.isabs(f) else os.path.join(e["Dir"], f)) for f in files
                   if not f.startswith(cache))

    pkgs: dict[str, Any] = {}
    for p in names:
        main = entries.get(f"{p}.test")
        info: dict[str, Any] = {"dir": entries[p]["Dir"] if p in entries else None, "has_tests": bool(main)}
        if main:
            closure = [f"{p}.test", *main.get("Deps", [])]
            variants = [d for d in closure if d.endswith(f" [{p}.test]") or d == f"{p}.test"]
            info["variants"] = [v.split(" [")[0] for v in variants]
            info["closure_packages"] = len(closure)
            info["closure_lines"] = sum(lines(entries[d]) for d in closure if d in entries)
            info["closure_nonstd_lines"] = sum(lines(entries[d]) for d in closure
                                               if d in entries and not entries[d].get("Standard"))
            info["test_variant_packages"] = len(variants)
            info["test_variant_lines"] = sum(lines(entries[d]) for d in variants if d in entries)
        pkgs[p] = info
    return pkgs


# ---------------------------------------------------------------- logs and action graphs

def parse_tx(path: Path) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    if not path.exists():
        return rows
    for line in path.read_text(errors="replace").splitlines():
        f = line.split("\t")
        if len(f) != 8 or f[0] != "TX":
            continue
        rows.append({"importpath": f[1], "tool": f[2], "wall_s": float(f[3]), "cpu_s": float(f[4]) + float(f[5]),
                     "max_rss_kib": int(f[6]), "exit": int(f[7])})
    return rows


def parse_ex(path: Path, dir_to_pkg: dict[str, str]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    if not path.exists():
        return out
    for line in path.read_text(errors="replace").splitlines():
        f = line.split("\t")
        if len(f) != 8 or f[0] != "EX":
            continue
        pkg = dir_to_pkg.get(os.path.realpath(f[1]), f[1])
        out[pkg] = {"bytes": int(f[2]), "wall_s": float(f[3]), "user_s": float(f[4]), "sys_s": float(f[5]),
                    "cpu_s": round(float(f[4]) + float(f[5]), 2), "max_rss_kib": int(f[6]), "exit": int(f[7])}
    return out


def tx_owner(importpath: str) -> str | None:
    """TOOLEXEC_IMPORTPATH ("X [P.test]", "P_test [P.test]", "P.test") -> P, or None for a shared package."""
    m = re.search(r" \[(.+)\.test\]$", importpath)
    if m:
        return m.group(1)
    if importpath.endswith(".test"):
        return importpath[:-5]
    return None


def analyse_graph(path: Path, pkgs: dict[str, Any]) -> dict[str, Any]:
    acts = json.loads(path.read_text())
    owner: dict[int, str] = {}
    for a in acts:
        if a["Mode"] == "link" and a.get("Package", "").endswith(".test"):
            p = a["Package"][:-5]
            names = set(pkgs.get(p, {}).get("variants") or [f"{p}.test"]) | {f"{p}_test"}
            owner[a["ID"]] = p
            for d in a.get("Deps") or []:
                if acts[d]["Mode"] == "build" and acts[d].get("Package") in names:
                    owner[d] = p
    for a in acts:
        if a["Mode"] == "test run":
            owner[a["ID"]] = a["Package"]
            for d in a.get("Deps") or []:
                if acts[d]["Mode"] == "vet":
                    owner[d] = a["Package"]

    def kind(a: dict[str, Any]) -> str | None:
        m = a["Mode"]
        if m == "build":
            return "test compile" if a["ID"] in owner else "dep compile"
        if m == "vet":
            return "vet (tested)" if a["ID"] in owner else "vet (deps)"
        if m in ("link", "test run"):
            return m
        return None

    t0 = None
    intervals: dict[str, list[tuple[float, float]]] = {}
    kinds: dict[str, dict[str, float]] = {}
    per: dict[str, dict[str, float]] = {}
    for a in acts:
        k = kind(a)
        if k is None or (k != "test run" and not a.get("Cmd")):
            continue
        s, e = _ts(a.get("TimeStart")), _ts(a.get("TimeDone"))
        cpu = (a.get("CmdUser", 0) + a.get("CmdSys", 0)) / 1e9
        real = a.get("CmdReal", 0) / 1e9
        wall = (e - s) if s is not None and e is not None else 0.0
        if s is not None and e is not None:
            intervals.setdefault(k, []).append((s, e))
            t0 = s if t0 is None else min(t0, s)
        agg = kinds.setdefault(k, {"n": 0, "cpu_s": 0.0, "real_s": 0.0, "wall_s": 0.0})
        agg["n"] += 1
        agg["cpu_s"] += cpu
        agg["real_s"] += real
        agg["wall_s"] += wall
        p = owner.get(a["ID"])
        if p is None:
            continue
        d = per.setdefault(p, {})
        key = {"test compile": "compile", "vet (tested)": "vet", "link": "link", "test run": "run"}[k]
        d[f"{key}_n"] = d.get(f"{key}_n", 0) + 1
        d[f"{key}_cpu_s"] = d.get(f"{key}_cpu_s", 0.0) + cpu
        d[f"{key}_real_s"] = d.get(f"{key}_real_s", 0.0) + (wall if k == "test run" else real)
        if k == "test run" and s is not None:
            d["run_start_s"] = s
    for d in per.values():
        for key in list(d):
            if key.endswith("_s"):
                d[key] = round(d[key] - (t0 or 0) if key == "run_start_s" else d[key], 3)
        for key in ("run_n", "run_cpu_s"):
            d.pop(key, None)  # the go command does not time the test binary: see the exec log

    def concurrency(ivs: list[tuple[float, float]]) -> dict[str, Any]:
        ev = sorted([(s, 1) for s, _ in ivs] + [(e, -1) for _, e in ivs])
        run_n = peak = 0
        busy: dict[int, float] = {}
        last = ev[0][0] if ev else 0.0
        for t, step in ev:
            busy[run_n] = busy.get(run_n, 0.0) + t - last
            last, run_n = t, run_n + step
            peak = max(peak, run_n)
        span = (max(e for _, e in ivs) - min(s for s, _ in ivs)) if ivs else 0.0
        return {"span_s": round(span, 3), "peak": peak,
                "seconds_at": {k: round(v, 3) for k, v in sorted(busy.items()) if k}}

    every = [iv for ivs in intervals.values() for iv in ivs]
    return {
        "actions": len(acts),
        "kinds": {k: {kk: round(vv, 3) if isinstance(vv, float) else vv for kk, vv in v.items()}
                  for k, v in sorted(kinds.items())},
        "concurrency": {k: concurrency(v) for k, v in sorted(intervals.items())},
        "concurrency_all_tool_and_run_actions": concurrency(every),
        "per_package": per,
    }


# ---------------------------------------------------------------- protocol

class Recorder:
    def __init__(self, path: Path, args: argparse.Namespace, sets: dict[str, dict[str, Any]]) -> None:
        self.path = path
        self.t0 = time.monotonic()
        self.data: dict[str, Any] = {
            "schema": "go-laptop-advisor go-test measurements v1",
            "started": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "command": " ".join([Path(sys.executable).name, *sys.argv]),
            "options": {"reps": args.reps, "race_reps": args.race_reps, "budget_min": args.budget_min,
                        "quick": args.quick},
            "machine": machine_info(),
            "uptime_at_start": subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip(),
            "sets": {k: {"patterns": v["patterns"], "warm_first": v["warm_first"]} for k, v in sets.items()},
            "packages": {},
            "notes": [],
            "runs": [],
            "links": [],
        }
        self.save()

    def save(self) -> None:
        tmp = self.path.with_suffix(self.path.suffix + ".tmp")
        tmp.write_text(yaml.safe_dump(self.data, sort_keys=False, width=160, allow_unicode=True,
                                      default_flow_style=None))
        tmp.replace(self.path)

    def elapsed_min(self) -> float:
        return (time.monotonic() - self.t0) / 60

    def add(self, kind: str, entry: dict[str, Any]) -> None:
        self.data[kind].append(entry)
        self.save()
        short = {k: entry[k] for k in ("wall_s", "cpu_s", "max_rss_kib", "tree_rss_peak_kib", "exit_code")
                 if k in entry}
        print(f"[{time.strftime('%H:%M:%S')} +{self.elapsed_min():.1f} min] {entry.get('set', '')} "
              f"{entry.get('phase', '')} {entry.get('variant', '')} rep={entry.get('rep')} {short}", flush=True)


class Wrappers:
    def __init__(self, root: Path) -> None:
        self.tx, self.ex = root / "tx.sh", root / "ex.sh"
        self.tx.write_text(TX_SCRIPT.format(time=TIME))
        self.ex.write_text(EX_SCRIPT.format(time=TIME))
        self.tx.chmod(0o755)
        self.ex.chmod(0o755)


def go_test(rec: Recorder, w: Wrappers, set_name: str, phase: str, variant: str, rep: int, cache: str,
            extra_flags: list[str], extra_env: dict[str, str], instrumented: bool = True) -> dict[str, Any]:
    pkgs = rec.data["packages"][set_name]
    names = list(pkgs)
    with tempfile.TemporaryDirectory(prefix="gotest-") as tmp:
        t = Path(tmp)
        env = {**go_env(cache), **extra_env, "MEASURE_TX_LOG": str(t / "tx.log"), "MEASURE_EX_LOG": str(t / "ex.log")}
        inst = [f"-toolexec={w.tx}", f"-exec={w.ex}", f"-debug-actiongraph={t / 'ag.json'}"] if instrumented else []
        cmd = [GO, "test", "-count=1", *inst, *extra_flags, *names]
        shown = " ".join([GO, "test", "-count=1", *(["-toolexec=TX", "-exec=EX", "-debug-actiongraph=FILE"]
                                                   if instrumented else []), *extra_flags,
                          *rec.data["sets"][set_name]["patterns"]])
        entry: dict[str, Any] = {"set": set_name, "phase": phase, "variant": variant, "rep": rep, "command": shown,
                                 "env": {k: env[k] for k in ("GO111MODULE", "GOPATH", "GOFLAGS", "GOENV",
                                                             "GOTOOLCHAIN", "GOPROXY", *extra_env)},
                                 "loadavg_before": loadavg()}
        entry.update(run(cmd, env, tmp))
        entry["loadavg_after"] = loadavg()
        if instrumented:
            dir_to_pkg = {os.path.realpath(v["dir"]): k for k, v in pkgs.items() if v.get("dir")}
            ex = parse_ex(t / "ex.log", dir_to_pkg)
            tx = parse_tx(t / "tx.log")
            if (t / "ag.json").exists():
                entry["graph"] = analyse_graph(t / "ag.json", pkgs)
            per = entry.get("graph", {}).get("per_package", {})
            tools: dict[str, dict[str, float]] = {}
            for r in tx:
                if not r["importpath"]:
                    tool = "-V=full probes"
                else:
                    tool = r["tool"]
                agg = tools.setdefault(tool, {"n": 0, "cpu_s": 0.0, "max_rss_kib": 0})
                agg["n"] += 1
                agg["cpu_s"] = round(agg["cpu_s"] + r["cpu_s"], 2)
                agg["max_rss_kib"] = max(agg["max_rss_kib"], r["max_rss_kib"])
                p = tx_owner(r["importpath"])
                if p is None or r["tool"] not in ("compile", "link"):
                    continue
                d = per.setdefault(p, {})
                key = f"{r['tool']}_max_rss_kib"
                d[key] = max(d.get(key, 0), r["max_rss_kib"])
            entry["tools_from_toolexec"] = tools
            for p, r in ex.items():
                d = per.setdefault(p, {})
                d.update({f"bin_{k}" if k == "bytes" else f"exec_{k}": v for k, v in r.items()})
            entry.setdefault("graph", {})["per_package"] = per
    rec.add("runs", entry)
    return entry


def warm_build(rec: Recorder, w: Wrappers, set_name: str, rep: int, cache: str, race: bool = False) -> None:
    names = list(rec.data["packages"][set_name])
    with tempfile.TemporaryDirectory(prefix="gobuild-") as tmp:
        env = {**go_env(cache), "MEASURE_TX_LOG": str(Path(tmp) / "tx.log")}
        cmd = [GO, "build", f"-toolexec={w.tx}", *(["-race"] if race else []), *names]
        entry = {"set": set_name, "phase": "warm-up", "variant": "go build" + (" -race" if race else ""),
                 "rep": rep,
                 "command": " ".join([GO, "build", "-toolexec=TX", *rec.data["sets"][set_name]["patterns"]]),
                 "loadavg_before": loadavg()}
        entry.update(run(cmd, env, tmp))
        entry["loadavg_after"] = loadavg()
    rec.add("runs", entry)


def rotated(items: list[str], rep: int) -> list[str]:
    k = rep % len(items)
    return items[k:] + items[:k]


def test_block(rec: Recorder, w: Wrappers, set_name: str, rep: int) -> None:
    spec = rec.data["sets"][set_name]
    with tempfile.TemporaryDirectory(prefix="gocache-cold-") as cold:
        go_test(rec, w, set_name, "cold", "default -p", rep, cold, [], {})
        warm_ctx = tempfile.TemporaryDirectory(prefix="gocache-warm-") if spec["warm_first"] else None
        try:
            warm = cold
            if warm_ctx:
                warm = warm_ctx.name
                warm_build(rec, w, set_name, rep, warm)
                go_test(rec, w, set_name, "warm first", "default -p", rep, warm, [], {})
            go_test(rec, w, set_name, "again", "default -p", rep, warm, [], {})
            for name in rotated(list(PAR_VARIANTS), rep - 1):
                flags, env_extra = PAR_VARIANTS[name]
                go_test(rec, w, set_name, "par", name, rep, warm, flags, env_extra)
            go_test(rec, w, set_name, "plain", "default -p", rep, warm, [], {}, instrumented=False)
        finally:
            if warm_ctx:
                warm_ctx.cleanup()


def test_block_race(rec: Recorder, w: Wrappers, set_name: str, rep: int) -> None:
    with tempfile.TemporaryDirectory(prefix="gocache-race-") as race:
        go_test(rec, w, set_name, "race cold", "default -p", rep, race, ["-race"], {})
        go_test(rec, w, set_name, "race again", "default -p", rep, race, ["-race"], {})


def link_block(rec: Recorder, w: Wrappers, rep: int, gopath_extra: str, cache: str) -> None:
    for name, (ip, _) in LINK_PROGRAMS.items():
        for lflags in ([], ["-ldflags=-s -w"]):
            with tempfile.TemporaryDirectory(prefix="golink-") as tmp:
                t = Path(tmp)
                env = {**go_env(cache, f"{gopath_extra}:{GOCODE}"), "MEASURE_TX_LOG": str(t / "tx.log")}
                cmd = [GO, "build", f"-toolexec={w.tx}", f"-debug-actiongraph={t / 'ag.json'}", *lflags,
                       "-o", str(t / "out"), ip]
                entry: dict[str, Any] = {"program": name, "importpath": ip, "rep": rep,
                                         "ldflags": " ".join(lflags) or "default",
                                         "command": " ".join([GO, "build", "-toolexec=TX", "-debug-actiongraph=FILE",
                                                              *lflags, "-o", "OUT", ip]),
                                         "loadavg_before": loadavg()}
                entry.update(run(cmd, env, tmp))
                if entry["exit_code"] == 0:
                    entry["bin_bytes"] = (t / "out").stat().st_size
                    acts = json.loads((t / "ag.json").read_text())
                    links = [a for a in acts if a["Mode"] == "link" and a.get("Cmd")]
                    builds = [a for a in acts if a["Mode"] == "build" and a.get("Cmd")]
                    entry["link_cpu_s"] = round(sum(a.get("CmdUser", 0) + a.get("CmdSys", 0) for a in links) / 1e9, 3)
                    entry["link_real_s"] = round(sum(a.get("CmdReal", 0) for a in links) / 1e9, 3)
                    entry["compiles_run"] = len(builds)
                    tx = [r for r in parse_tx(t / "tx.log") if r["tool"] == "link" and r["importpath"]]
                    entry["link_max_rss_kib"] = max((r["max_rss_kib"] for r in tx), default=None)
                for k in ("package_lines", "tree_rss_peak_at"):
                    entry.pop(k, None)
            rec.add("links", entry)


def protocol(rec: Recorder, sets: dict[str, dict[str, Any]], reps: int, race_reps: int, budget_min: float) -> None:
    for s, spec in sets.items():
        rec.data["packages"][s] = package_info(spec["patterns"])
    rec.save()
    root = Path(tempfile.mkdtemp(prefix="measure-test-"))
    try:
        w = Wrappers(root)
        gp = root / "gopath"
        for ip, src in LINK_PROGRAMS.values():
            if src:
                (gp / "src" / ip).mkdir(parents=True, exist_ok=True)
                (gp / "src" / ip / "main.go").write_text(src)
        link_cache = str(root / "gocache-link")
        env = go_env(link_cache, f"{gp}:{GOCODE}")
        lines = {}
        for name, (ip, _) in LINK_PROGRAMS.items():
            out = subprocess.run([GO, "list", "-deps", "-f", "{{.Dir}}|{{join .GoFiles \",\"}}|{{.Standard}}", ip],
                                 env=env, cwd=str(root), capture_output=True, text=True)
            total = nonstd = 0
            for ln in out.stdout.splitlines():
                d, files, std = ln.split("|")
                n = sum(count_lines(os.path.join(d, f)) for f in files.split(",") if f)
                total += n
                nonstd += 0 if std == "true" else n
            lines[name] = {"closure_lines": total, "closure_nonstd_lines": nonstd}
            warm = subprocess.run([GO, "build", f"-toolexec={w.tx}", "-o", str(root / "warm.out"), ip],
                                  env={**env, "MEASURE_TX_LOG": str(root / "warm-tx.log")}, cwd=str(root),
                                  capture_output=True, text=True)
            if warm.returncode != 0:
                rec.data["notes"].append(f"link program {name} ({ip}) does not build: {warm.stderr[-500:]}")
        rec.data["link_programs"] = {n: {"importpath": ip, **lines[n]} for n, (ip, _) in LINK_PROGRAMS.items()}
        race_block_min = 8.0  # a guess for the first race block, replaced by the measured duration
        for rep in range(1, reps + 1):
            for s in rotated(list(sets), rep - 1):
                do_race = rep <= race_reps
                if do_race and rec.elapsed_min() + race_block_min * 1.6 > budget_min:
                    rec.data["notes"].append(f"rep {rep} {s}: race runs skipped, elapsed {rec.elapsed_min():.1f} "
                                             f"min + the last race block would pass the {budget_min:.0f} min budget")
                    do_race = False
                before = time.monotonic()
                test_block(rec, w, s, rep)
                if do_race:
                    t = time.monotonic()
                    test_block_race(rec, w, s, rep)
                    race_block_min = (time.monotonic() - t) / 60
                rec.data["notes"].append(f"rep {rep} {s}: block took {(time.monotonic() - before) / 60:.1f} min")
            link_block(rec, w, rep, str(gp), link_cache)
    finally:
        shutil.rmtree(root, ignore_errors=True)


# ---------------------------------------------------------------- report

def _med(xs: list[float]) -> float:
    return statistics.median(xs) if xs else float("nan")


def _mr(xs: list[float], fmt: str = ".1f") -> str:
    """median (min-max), or the single value."""
    xs = [x for x in xs if x is not None]
    if not xs:
        return "-"
    if len(xs) == 1:
        return format(xs[0], fmt)
    return f"{format(_med(xs), fmt)} ({format(min(xs), fmt)}-{format(max(xs), fmt)})"


def _fit(xs: list[float], ys: list[float]) -> str:
    """Least-squares y = a + b x as "a + b x (r)"."""
    if len(xs) < 3 or len(set(xs)) < 2:
        return "-"
    n, mx, my = len(xs), statistics.fmean(xs), statistics.fmean(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    syy = sum((y - my) ** 2 for y in ys)
    b = sxy / sxx
    r = sxy / (sxx * syy) ** 0.5 if syy else float("nan")
    return f"{my - b * mx:.3g} + {b:.3g} x (r {r:.2f}, n {n})"


def _run_span(r: dict[str, Any]) -> float:
    return float(r["graph"]["concurrency"].get("test run", {}).get("span_s", 0.0))


def _sum_run_walls(r: dict[str, Any]) -> float:
    return float(sum(d.get("run_real_s", 0.0) for d in r["graph"]["per_package"].values()))


def _run_cpu(r: dict[str, Any]) -> float:
    return float(sum(d.get("exec_cpu_s", 0.0) for d in r["graph"]["per_package"].values()))


PHASES = ["cold", "warm first", "again", "par", "plain", "race cold", "race again"]
SPLIT_KINDS = ["dep compile", "test compile", "vet (deps)", "vet (tested)", "link"]


def report(data: dict[str, Any]) -> str:
    L: list[str] = []
    m = data["machine"]
    L.append(f"Machine: {m['cpu_model_name']} ({m['hypervisor']}), nproc {m['nproc']}, {m['mem_total_gib']} GiB, "
             f"kernel {m['kernel']}; {m['go_version']}; script commit {m['script_commit'][:7]}"
             f"{' (dirty)' if m.get('script_dirty') else ''}; started {data['started']}.")
    L.append("")
    runs = data["runs"]
    tests = [r for r in runs if r["phase"] != "warm-up"]

    def sel(s: str, phase: str, variant: str = "default -p") -> list[dict[str, Any]]:
        return [r for r in tests if r["set"] == s and r["phase"] == phase and r["variant"] == variant]

    for s in data["sets"]:
        pk = data["packages"][s]
        with_tests = [p for p, v in pk.items() if v.get("has_tests")]
        L.append(f"## Set `{s}`: {len(pk)} packages, {len(with_tests)} with tests\n")
        L.append("### Whole runs\n")
        L.append("| phase | variant | n | wall s | user+sys s | max RSS MiB (largest process) "
                 "| sampled tree RSS peak MiB | procs peak | exit codes | load 1-min before |")
        L.append("|---|---|---|---|---|---|---|---|---|---|")
        keys = list(dict.fromkeys((r["phase"], r["variant"]) for r in runs if r["set"] == s))
        for ph, v in keys:
            rs = [r for r in runs if r["set"] == s and r["phase"] == ph and r["variant"] == v]
            L.append(f"| {ph} | {v} | {len(rs)} | {_mr([r['wall_s'] for r in rs])} | {_mr([r['cpu_s'] for r in rs])} "
                     f"| {_mr([r['max_rss_kib'] / 1024 for r in rs], '.0f')} "
                     f"| {_mr([r['tree_rss_peak_kib'] / 1024 for r in rs], '.0f')} "
                     f"| {_mr([r['tree_procs_peak'] for r in rs], '.0f')} "
                     f"| {','.join(str(r['exit_code']) for r in rs)} "
                     f"| {_mr([r['loadavg_before'][0] for r in rs], '.2f')} |")
        L.append("")
        L.append("### CPU split of whole runs (s, median over reps; from the action graph's CmdUser+CmdSys, run from "
                 "the -exec log)\n")
        L.append("| phase | variant | " + " | ".join(SPLIT_KINDS) + " | test binaries (run) | rest (go command, "
                 "wrappers) | whole tree |")
        L.append("|---|---|" + "---|" * (len(SPLIT_KINDS) + 3))
        for ph, v in keys:
            rs = [r for r in tests if r["set"] == s and r["phase"] == ph and r["variant"] == v and "graph" in r
                  and "kinds" in r["graph"]]
            if not rs:
                continue
            cols, runcpu, rest = [], [], []
            for k in SPLIT_KINDS:
                cols.append(_mr([r["graph"]["kinds"].get(k, {}).get("cpu_s", 0.0) for r in rs]))
            for r in rs:
                rc = sum(d.get("exec_cpu_s", 0.0) for d in r["graph"]["per_package"].values())
                tools = sum(r["graph"]["kinds"].get(k, {}).get("cpu_s", 0.0) for k in SPLIT_KINDS)
                runcpu.append(rc)
                rest.append(r["cpu_s"] - rc - tools)
            L.append(f"| {ph} | {v} | " + " | ".join(cols) + f" | {_mr(runcpu)} | {_mr(rest)} "
                     f"| {_mr([r['cpu_s'] for r in rs])} |")
        L.append("")
        L.append("Action counts that ran a tool (median): " + "; ".join(
            f"{ph}/{v}: " + ", ".join(f"{k} {_med([r['graph']['kinds'].get(k, {}).get('n', 0) for r in rs]):.0f}"
                                      for k in SPLIT_KINDS)
            for ph, v in keys
            for rs in [[r for r in tests if r["set"] == s and r["phase"] == ph and r["variant"] == v
                        and "kinds" in r.get("graph", {})]] if rs) + "\n")

        first_phase = "warm first" if data["sets"][s]["warm_first"] else "cold"
        for ph in (first_phase, "again", "race cold", "race again"):
            rs = [r for r in sel(s, ph) if "graph" in r]
            if not rs:
                continue
            L.append(f"### Per test binary, phase `{ph}` (median over {len(rs)} reps)\n")
            L.append("| package | closure kloc (test-variant kloc) | test compile CPU s (n) | vet CPU s | link CPU s "
                     "| link max RSS MiB | binary MiB | run CPU s | run wall s | run max RSS MiB | exit |")
            L.append("|---|---|---|---|---|---|---|---|---|---|---|")
            for p in with_tests:
                ds = [r["graph"]["per_package"].get(p, {}) for r in rs]
                info = pk[p]

                def g(key: str, scale: float = 1.0, fmt: str = ".2f", ds: list[dict[str, Any]] = ds) -> str:
                    xs = [d[key] / scale for d in ds if d.get(key) is not None]
                    return _mr(xs, fmt)
                L.append(f"| {p} | {info['closure_lines'] / 1000:.1f} ({info['test_variant_lines'] / 1000:.1f}) "
                         f"| {g('compile_cpu_s')} ({_med([d.get('compile_n', 0) for d in ds]):.0f}) "
                         f"| {g('vet_cpu_s')} | {g('link_cpu_s')} | {g('link_max_rss_kib', 1024, '.0f')} "
                         f"| {g('bin_bytes', 2**20, '.1f')} | {g('exec_cpu_s')} | {g('exec_wall_s')} "
                         f"| {g('exec_max_rss_kib', 1024, '.0f')} "
                         f"| {','.join(str(d.get('exec_exit', '-')) for d in ds)} |")
            per_kloc = [d["compile_cpu_s"] / (pk[p]["test_variant_lines"] / 1000) for r in rs
                        for p, d in r["graph"]["per_package"].items()
                        if d.get("compile_cpu_s") and pk.get(p, {}).get("test_variant_lines")]
            if per_kloc:
                L.append(f"\nTest compile CPU s per kloc of test-variant code (every binary and rep): "
                         f"{_mr(per_kloc, '.3f')}, n {len(per_kloc)}.")
            L.append("")

        L.append("### Share of the largest package in the run phase\n")
        L.append("run wall per package = TimeDone-TimeStart of its \"test run\" action; the run phase span = first "
                 "test start to last test end.\n")
        L.append("| phase | variant | rep | largest package | its run wall s | sum of run walls s | share | run "
                 "phase span s | whole wall s | max concurrent test runs | test binaries max concurrent (sampled) |")
        L.append("|---|---|---|---|---|---|---|---|---|---|---|")
        for r in tests:
            if r["set"] != s or "concurrency" not in r.get("graph", {}):
                continue
            per = r["graph"]["per_package"]
            rw = {p: d["run_real_s"] for p, d in per.items() if "run_real_s" in d and p in with_tests}
            if not rw:
                continue
            top = max(rw, key=rw.get)  # type: ignore[arg-type]
            conc = r["graph"]["concurrency"].get("test run", {})
            L.append(f"| {r['phase']} | {r['variant']} | {r['rep']} | {top} | {rw[top]:.2f} | {sum(rw.values()):.2f} "
                     f"| {rw[top] / sum(rw.values()):.3f} | {conc.get('span_s', 0):.2f} | {r['wall_s']:.1f} "
                     f"| {conc.get('peak', '-')} | {r['kind_max_concurrent'].get('test binary', 0)} |")
        L.append("")

        par = {v: sel(s, "par", v) for v in PAR_VARIANTS}
        if par["default -p"]:
            L.append("### Parallelism on a warmed cache (phase `par`)\n")
            L.append("| variant | n | wall s | run phase span s | sum of run walls s | overlap (sum / span) "
                     "| run CPU s (exec log) | link CPU s | wall / default (paired range) "
                     "| run span / default (paired range) |")
            L.append("|---|---|---|---|---|---|---|---|---|---|")
            base = {r["rep"]: r for r in par["default -p"]}
            for v, rs in par.items():
                if not rs:
                    continue
                span, sumrun, runcpu_of = _run_span, _sum_run_walls, _run_cpu
                pw = [r["wall_s"] / base[r["rep"]]["wall_s"] for r in rs if r["rep"] in base]
                ps = [span(r) / span(base[r["rep"]]) for r in rs if r["rep"] in base]
                mw = _med([r["wall_s"] for r in rs]) / _med([b["wall_s"] for b in base.values()])
                ms = _med([span(r) for r in rs]) / _med([span(b) for b in base.values()])
                L.append(f"| {v} | {len(rs)} | {_mr([r['wall_s'] for r in rs])} | {_mr([span(r) for r in rs])} "
                         f"| {_mr([sumrun(r) for r in rs])} | {_mr([sumrun(r) / span(r) for r in rs], '.2f')} "
                         f"| {_mr([runcpu_of(r) for r in rs])} "
                         f"| {_mr([r['graph']['kinds'].get('link', {}).get('cpu_s', 0.0) for r in rs])} "
                         f"| {mw:.2f} ({min(pw):.2f}-{max(pw):.2f}) | {ms:.2f} ({min(ps):.2f}-{max(ps):.2f}) |")
            L.append("")

        for a, b in (("race cold", "cold"), ("race again", "again")):
            q, p_ = sel(s, a), sel(s, b)
            if not q or not p_:
                continue
            L.append(f"### Race: `{a}` over `{b}` (ratio of medians; {len(q)} race and {len(p_)} plain runs)\n")
            L.append("| quantity | plain | race | race / plain |")
            L.append("|---|---|---|---|")
            for key, label, scale in (("wall_s", "wall s", 1), ("cpu_s", "user+sys s", 1),
                                      ("max_rss_kib", "max RSS MiB (largest process)", 1024),
                                      ("tree_rss_peak_kib", "sampled tree RSS peak MiB", 1024)):
                pv, qv = _med([r[key] / scale for r in p_]), _med([r[key] / scale for r in q])
                L.append(f"| {label} | {pv:.1f} | {qv:.1f} | {qv / pv:.2f} |")
            L.append("")
        q, p_ = [r for r in sel(s, "race again") if "graph" in r], [r for r in sel(s, "again") if "graph" in r]
        if q and p_:
            L.append("### Race per test binary: `race again` over `again` (ratio of medians)\n")
            L.append("| package | link CPU | link max RSS | binary size | run CPU | run wall | run max RSS |")
            L.append("|---|---|---|---|---|---|---|")
            ratios: dict[str, list[float]] = {}
            for p in with_tests:
                cells = []
                for key in ("link_cpu_s", "link_max_rss_kib", "bin_bytes", "exec_cpu_s", "exec_wall_s",
                            "exec_max_rss_kib"):
                    pv = _med([r["graph"]["per_package"].get(p, {}).get(key) for r in p_
                               if r["graph"]["per_package"].get(p, {}).get(key) is not None])
                    qv = _med([r["graph"]["per_package"].get(p, {}).get(key) for r in q
                               if r["graph"]["per_package"].get(p, {}).get(key) is not None])
                    if pv and pv == pv and qv == qv:
                        cells.append(f"{qv / pv:.2f}")
                        ratios.setdefault(key, []).append(qv / pv)
                    else:
                        cells.append("-")
                L.append(f"| {p} | " + " | ".join(cells) + " |")
            L.append("| **median (min-max) over packages** | " + " | ".join(
                _mr(ratios.get(k, []), ".2f") for k in ("link_cpu_s", "link_max_rss_kib", "bin_bytes", "exec_cpu_s",
                                                        "exec_wall_s", "exec_max_rss_kib")) + " |")
            L.append("(run CPU and wall of packages whose plain run takes 0.01-0.02 s are at the 10 ms resolution "
                     "of /usr/bin/time.)\n")

        L.append("### Memory at the sampled peak of summed RSS\n")
        L.append("| phase | variant | rep | tree peak MiB | largest process MiB (ru_maxrss) | peak / largest | at the "
                 "peak: kind n MiB | max concurrent per kind over the run |")
        L.append("|---|---|---|---|---|---|---|---|")
        for r in tests:
            if r["set"] != s or not r.get("tree_rss_peak_at"):
                continue
            comp = ", ".join(f"{k} {v['n']} {v['rss_mib']:.0f}" for k, v in r["tree_rss_peak_at"]["by_kind"].items())
            mc = ", ".join(f"{k} {n}" for k, n in r["kind_max_concurrent"].items())
            L.append(f"| {r['phase']} | {r['variant']} | {r['rep']} | {r['tree_rss_peak_kib'] / 1024:.0f} "
                     f"| {r['max_rss_kib'] / 1024:.0f} | {r['tree_rss_peak_kib'] / r['max_rss_kib']:.2f} | {comp} "
                     f"| {mc} |")
        L.append("")

    # link CPU against binary size
    L.append("## Link CPU against what is linked\n")
    L.append("### Test binaries (`go test` links with -s -w), per phase: CPU s per MiB of binary, median (min-max) "
             "over every binary and rep\n")
    L.append("| set | phase | binaries | link CPU s | binary MiB | link CPU s / MiB | link CPU s / closure kloc "
             "| link max RSS MiB / binary MiB |")
    L.append("|---|---|---|---|---|---|---|---|")
    fits: list[tuple[str, str, int, str, str, str]] = []
    for s in data["sets"]:
        pk = data["packages"][s]
        for ph in PHASES:
            rows = []
            for r in tests:
                if r["set"] != s or r["phase"] != ph or r["variant"] != "default -p" or "graph" not in r:
                    continue
                for p, d in r["graph"]["per_package"].items():
                    if d.get("link_cpu_s") and d.get("bin_bytes") and pk.get(p, {}).get("closure_lines"):
                        rows.append((d["link_cpu_s"], d["bin_bytes"] / 2**20, pk[p]["closure_lines"] / 1000,
                                     d.get("link_max_rss_kib")))
            if not rows:
                continue
            L.append(f"| {s} | {ph} | {len(rows)} | {_mr([x[0] for x in rows], '.2f')} | {_mr([x[1] for x in rows])} "
                     f"| {_mr([x[0] / x[1] for x in rows], '.3f')} | {_mr([x[0] / x[2] for x in rows], '.4f')} "
                     f"| {_mr([x[3] / 1024 / x[1] for x in rows if x[3]], '.1f')} |")
            fits.append((s, ph, len(rows), _fit([x[1] for x in rows], [x[0] for x in rows]),
                         _fit([x[1] for x in rows if x[3]], [x[3] / 1024 for x in rows if x[3]]),
                         _fit([x[2] for x in rows], [x[0] for x in rows])))
    L.append("")
    L.append("Least-squares lines over the same binaries (y = a + b x; r = correlation):\n")
    L.append("| set | phase | binaries | link CPU s vs binary MiB | link max RSS MiB vs binary MiB "
             "| link CPU s vs closure kloc |")
    L.append("|---|---|---|---|---|---|")
    for s, ph, n, f1, f2, f3 in fits:
        L.append(f"| {s} | {ph} | {n} | {f1} | {f2} | {f3} |")
    L.append("")
    links = [r for r in data.get("links", []) if r.get("exit_code") == 0]
    if links:
        L.append("### Normal programs (`go build -o`, warm cache: only the link runs)\n")
        L.append("| program | closure kloc | ldflags | n | link CPU s | link wall s | link max RSS MiB | binary MiB "
                 "| link CPU s / MiB | compiles run |")
        L.append("|---|---|---|---|---|---|---|---|---|---|")
        for name in dict.fromkeys(r["program"] for r in links):
            for lf in ("default", "-ldflags=-s -w"):
                rs = [r for r in links if r["program"] == name and r["ldflags"] == lf]
                if not rs:
                    continue
                kl = data["link_programs"][name]["closure_lines"] / 1000
                L.append(f"| {name} | {kl:.1f} | {lf} | {len(rs)} | {_mr([r['link_cpu_s'] for r in rs], '.2f')} "
                         f"| {_mr([r['link_real_s'] for r in rs], '.2f')} "
                         f"| {_mr([r['link_max_rss_kib'] / 1024 for r in rs], '.0f')} "
                         f"| {_mr([r['bin_bytes'] / 2**20 for r in rs])} "
                         f"| {_mr([r['link_cpu_s'] / (r['bin_bytes'] / 2**20) for r in rs], '.3f')} "
                         f"| {_mr([r['compiles_run'] for r in rs], '.0f')} |")
        L.append("")
    bad = [r for r in runs if r.get("exit_code") != 0] + [r for r in data.get("links", []) if r.get("exit_code") != 0]
    for r in bad:
        L.append(f"- FAILED (exit {r['exit_code']}): {r.get('set', r.get('program'))} {r.get('phase', '')} "
                 f"{r.get('variant', '')} rep {r['rep']}: {' '.join(r.get('failed', []))}")
    for n in data.get("notes", []):
        L.append(f"- note: {n}")
    return "\n".join(L) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--race-reps", type=int, default=None, help="reps with race runs (2; 0 with --quick)")
    ap.add_argument("--budget-min", type=float, default=45.0, help="skip race blocks that would pass this")
    ap.add_argument("--quick", action="store_true", help="1 rep, 3 packages per set, race only with --race-reps")
    ap.add_argument("-o", "--output", type=Path, default=Path("go-test-results.yaml"))
    ap.add_argument("--report", type=Path, metavar="RESULTS", help="print markdown tables of a results file")
    args = ap.parse_args()
    if args.report:
        sys.stdout.write(report(yaml.safe_load(args.report.read_text())))
        return
    sets = SETS
    if args.quick:
        args.reps, sets = 1, QUICK_SETS
    if args.race_reps is None:
        args.race_reps = 0 if args.quick else 2
    rec = Recorder(args.output, args, sets)
    protocol(rec, sets, args.reps, args.race_reps, args.budget_min)
    rec.data["finished"] = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    rec.data["uptime_at_end"] = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    rec.save()
    sys.stdout.write(report(rec.data))


if __name__ == "__main__":
    main()
