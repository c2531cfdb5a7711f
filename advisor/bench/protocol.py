"""The fixed measurement protocol: what each step runs, how often, and the version a record names.

Change anything here that alters what a number means (a target, a variant, the environment) and raise
PROTOCOL_VERSION, so records made under different protocols are never compared as equals.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

PROTOCOL_VERSION = "1"

# Environment variables that would change what the go command does; removed before every run.
DROP_ENV = ("GOMAXPROCS", "GOGC", "GODEBUG", "GOFLAGS", "GOCACHE", "GOROOT", "GOPATH", "GOOS", "GOARCH",
            "GOAMD64", "GOARM64", "GOEXPERIMENT", "CGO_ENABLED", "GO111MODULE", "GOTOOLCHAIN", "GOPROXY", "GOENV",
            "GOSUMDB", "GONOSUMDB", "GONOSUMCHECK", "GOPRIVATE", "GONOPROXY", "GOWORK", "GOMODCACHE")
# Never download: no proxy, no checksum database, no toolchain switch; GOFLAGS empty (no -mod=mod).
FIXED_ENV = {"GOFLAGS": "", "GOENV": "off", "GOTOOLCHAIN": "local", "GOPROXY": "off", "GOSUMDB": "off",
             "GONOSUMDB": "*", "GOWORK": "off"}

STEPS = ("lines", "empty_main", "cold_build", "rebuild", "race_test", "cache_io", "sustained_cpu")
GO_STEPS = frozenset({"lines", "empty_main", "cold_build", "rebuild", "race_test"})

EMPTY_MAIN_GO = "package main\n\nfunc main() {}\n"
# Python source the sustained-CPU loop compiles over and over: fixed, so every machine does the same work.
COMPILE_LOOP_SOURCE = "\n".join(
    f"def f{i}(x, y):\n    z = [x * k + y for k in range({i + 3})]\n    return sum(z) if z else {i}\n"
    for i in range(40))


@dataclass(frozen=True)
class Protocol:
    """One run's parameters: the quick or the full protocol, for a machine with `cpus` logical CPUs."""

    quick: bool
    target: str  # the package pattern of the cold builds
    gomaxprocs: tuple[int, ...]
    variants: tuple[str, ...]  # -p / -c variations at GOMAXPROCS = cpus, besides the GOMAXPROCS ladder
    cold_reps: int
    variant_reps: int
    rebuild_reps: int
    empty_reps: int
    race_package: str | None  # None: not in this protocol (the race closure takes too long for --quick)
    io_files: int
    io_fsync_files: int
    io_reps: int
    sustained_s: float

    @property
    def name(self) -> str:
        return "quick" if self.quick else "full"


def ladder(cpus: int) -> tuple[int, ...]:
    """GOMAXPROCS 1, 2, 4 ... up to the machine's CPUs, and the CPU count itself."""
    values, g = [], 1
    while g < cpus:
        values.append(g)
        g *= 2
    values.append(cpus)
    return tuple(dict.fromkeys(values))


def protocol(quick: bool, cpus: int | None = None) -> Protocol:
    """The quick protocol (under a minute on 2 vCPUs: a small closure, one rep) or the full one (std, reps)."""
    cpus = cpus or os.cpu_count() or 1
    if quick:
        return Protocol(quick=True, target="fmt", gomaxprocs=tuple(sorted({1, cpus})), variants=(), cold_reps=1,
                        variant_reps=0, rebuild_reps=3, empty_reps=1, race_package=None, io_files=400,
                        io_fsync_files=100, io_reps=1, sustained_s=6.0)
    return Protocol(quick=False, target="std", gomaxprocs=ladder(cpus), variants=("-p 1", "-c=1", "-p 1 -c=1"),
                    cold_reps=3, variant_reps=1, rebuild_reps=5, empty_reps=3, race_package="strings",
                    io_files=2000, io_fsync_files=300, io_reps=3, sustained_s=90.0)


def variant_flags(variant: str) -> list[str]:
    """go build flags of a -p / -c variation."""
    flags: list[str] = []
    if "-p 1" in variant:
        flags += ["-p", "1"]
    if "-c=1" in variant:
        flags.append("-gcflags=all=-c=1")
    return flags
