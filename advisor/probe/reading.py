"""What every probe field is: a value and how it was read (or why it is unknown), and the host it is read from."""
from __future__ import annotations

import os
import platform
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

# Seconds one command may take; a probe never waits on a hung tool for longer.
COMMAND_TIMEOUT_S = 10.0


@dataclass(frozen=True)
class Reading:
    """One field: its value (None when unknown) and how it was read, or "unknown: <why>"."""

    value: Any
    how: str

    @property
    def known(self) -> bool:
        return self.value is not None


def read(value: Any, how: str) -> Reading:
    """A known value, or unknown when value is None (then how says what was tried)."""
    return Reading(value, how) if value is not None else unknown(f"{how} gave nothing")


def unknown(reason: str) -> Reading:
    return Reading(None, reason if reason.startswith("unknown: ") else f"unknown: {reason}")


def first(*readings: Reading) -> Reading:
    """The first known reading; when none is, one unknown giving every reason."""
    for reading in readings:
        if reading.known:
            return reading
    reasons = [r.how.removeprefix("unknown: ") for r in readings]
    return unknown("; ".join(dict.fromkeys(reasons)))


@dataclass(frozen=True)
class Output:
    """A file's text or a command's stdout, or None with the reason it could not be had."""

    text: str | None
    reason: str = ""


@dataclass
class Host:
    """The machine probed: files under root, commands with a timeout, fixed argv and no shell; nothing is written.

    Tests replace root with a fake tree and `commands` with recorded outputs (argv tuple -> stdout, or an
    exception instance to raise)."""

    root: Path = Path("/")
    timeout_s: float = COMMAND_TIMEOUT_S
    commands: dict[tuple[str, ...], Any] | None = None
    system: str = field(default_factory=platform.system)
    machine: str = field(default_factory=platform.machine)
    environ: dict[str, str] = field(default_factory=lambda: dict(os.environ))
    affinity_cpus: int | None = None  # a fake host's sched_getaffinity answer

    def path(self, name: str) -> Path:
        return self.root / name.lstrip("/")

    def read(self, name: str) -> Output:
        """A file's text, stripped; a missing or unreadable file gives the reason instead."""
        try:
            return Output(self.path(name).read_bytes().decode("utf-8", "replace").strip())
        except FileNotFoundError:
            return Output(None, f"{name} does not exist")
        except PermissionError:
            return Output(None, f"{name} not readable (permission)")
        except OSError as error:
            return Output(None, f"{name} not readable ({error.strerror or error})")

    def listdir(self, name: str) -> list[str]:
        """Entry names in a folder, sorted; none when it is missing or unreadable."""
        try:
            return sorted(os.listdir(self.path(name)))
        except OSError:
            return []

    def which(self, tool: str) -> str | None:
        if self.commands is not None:
            return tool if any(argv[0] == tool for argv in self.commands) else None
        return shutil.which(tool)

    def run(self, argv: Sequence[str], extra_env: dict[str, str] | None = None) -> Output:
        """A command's stdout; not installed, failing or slower than timeout_s gives the reason instead."""
        shown = " ".join(argv)
        if self.commands is not None:
            recorded = self.commands.get(tuple(argv))
            if recorded is None:
                return Output(None, f"{argv[0]} not found")
            if isinstance(recorded, BaseException):
                return self._failure(shown, recorded)
            return Output(str(recorded))
        try:
            done = subprocess.run(list(argv), capture_output=True, text=True, timeout=self.timeout_s,
                                  stdin=subprocess.DEVNULL, env={**self.environ, **(extra_env or {})}, check=False)
        except (OSError, subprocess.SubprocessError) as error:
            return self._failure(shown, error)
        if done.returncode != 0 and not done.stdout.strip():
            message = (done.stderr.strip().splitlines() or [""])[-1][:160]
            return Output(None, f"`{shown}` exited {done.returncode}: {message}".rstrip(": "))
        return Output(done.stdout)

    def _failure(self, shown: str, error: BaseException) -> Output:
        if isinstance(error, FileNotFoundError):
            return Output(None, f"{shown.split()[0]} not found")
        if isinstance(error, subprocess.TimeoutExpired):
            return Output(None, f"`{shown}` timed out after {self.timeout_s:g} s")
        if isinstance(error, PermissionError):
            return Output(None, f"`{shown}` not permitted")
        return Output(None, f"`{shown}` failed: {error}")

    def affinity(self) -> int | None:
        """Logical CPUs this process may run on (what Go's runtime counts), when the OS says."""
        if self.affinity_cpus is not None or self.commands is not None or self.root != Path("/"):
            return self.affinity_cpus  # a fake host has no scheduler to ask
        getter = getattr(os, "sched_getaffinity", None)
        return len(getter(0)) if getter else None


# Every field a probe reports, in the order the table shows them, each with a label.
FIELDS: dict[str, str] = {
    "machine.vendor": "machine vendor",
    "machine.name": "machine",
    "machine.model_id": "model identifier",
    "machine.battery_wh": "battery (design)",
    "cpu.name": "CPU",
    "cpu.vendor": "CPU vendor",
    "cpu.arch": "architecture",
    "cpu.cores": "cores",
    "cpu.performance_cores": "performance cores",
    "cpu.efficiency_cores": "efficiency cores",
    "cpu.threads": "threads",
    "cpu.base_clock_ghz": "base clock GHz",
    "cpu.boost_clock_ghz": "max clock GHz",
    "cpu.l2_mb": "L2 MB",
    "cpu.l3_mb": "L3 MB",
    "memory.total_kib": "memory total KiB",
    "memory.ram_gb": "RAM GB",
    "memory.type": "RAM type",
    "memory.speed_mts": "RAM speed MT/s",
    "memory.swap_gb": "swap GB",
    "os.name": "OS",
    "os.version": "OS version",
    "os.kernel": "kernel",
    "limits.usable_cpus": "usable CPUs",
    "limits.cgroup_cpu_quota": "cgroup CPU quota",
    "thermal.throttle_events": "throttle events",
    "storage.gocache_filesystem": "GOCACHE filesystem",
    "go.version": "Go",
    "go.gocache": "GOCACHE",
    "go.gocache_size_mb": "GOCACHE size MB",
    "go.gomaxprocs": "GOMAXPROCS",
    "go.goflags": "GOFLAGS",
}

DRIVE_FIELDS: dict[str, str] = {
    "device": "device",
    "model": "model",
    "size_gb": "size GB",
    "rotational": "rotational",
    "volatile_write_cache": "volatile write cache",
    "internal": "internal",
}


@dataclass
class Probe:
    """What a probe found: every field of FIELDS, and one set of DRIVE_FIELDS per storage device."""

    fields: dict[str, Reading]
    drives: list[dict[str, Reading]]

    def __getitem__(self, name: str) -> Reading:
        return self.fields[name]

    def value(self, name: str) -> Any:
        return self.fields[name].value
