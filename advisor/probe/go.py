"""The Go toolchain: version, GOCACHE (path and size, walked read-only with a bound), GOMAXPROCS and GOFLAGS."""
from __future__ import annotations

import json
import math
import os
import re
import time
from pathlib import Path

from advisor.probe.reading import Host, Reading, read, unknown

# The GOCACHE walk stops after this many entries or seconds: a size, not an audit (a big cache has 100k+ files).
WALK_MAX_ENTRIES = 200_000
WALK_MAX_S = 5.0
# Go 1.25 made the default GOMAXPROCS follow the cgroup CPU limit (runtime.defaultGOMAXPROCS).
CGROUP_AWARE_GO = (1, 25)
# GOTOOLCHAIN=local: in a module asking for a newer Go, `go version` would otherwise download that toolchain.
_NO_DOWNLOAD = {"GOTOOLCHAIN": "local"}


def go_version(text: str) -> tuple[int, int] | None:
    """(1, 22) from `go version go1.22.3 linux/amd64` or `go1.22.3`."""
    match = re.search(r"go(\d+)\.(\d+)", text)
    return (int(match.group(1)), int(match.group(2))) if match else None


def cache_size_mb(root: Path, max_entries: int = WALK_MAX_ENTRIES, max_s: float = WALK_MAX_S) -> tuple[float, str]:
    """Bytes under root in MB and how it was measured; only stats, following no links, never writes."""
    total, entries, stack = 0, 0, [root]
    deadline = time.monotonic() + max_s
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as listing:
                for entry in listing:
                    entries += 1
                    if entry.is_dir(follow_symlinks=False):
                        stack.append(Path(entry.path))
                    elif entry.is_file(follow_symlinks=False):
                        total += entry.stat(follow_symlinks=False).st_size
                    if entries >= max_entries or time.monotonic() > deadline:
                        return round(total / 1e6, 3), (f"at least: walk of {root} stopped after {entries:,} entries "
                                                       f"(bound {max_entries:,} entries / {max_s:g} s)")
        except OSError:
            continue  # an unreadable folder is left out; the size is then a lower bound like a stopped walk
    return round(total / 1e6, 3), f"sum of file sizes under {root} ({entries:,} entries)"


def probe(host: Host, usable_cpus: int | None, cgroup_cpus: float | None) -> dict[str, Reading]:
    """Go's fields: from `go version` and `go env -json` when go is on PATH, else unknown."""
    fields: dict[str, Reading] = {}
    goflags_env = host.environ.get("GOFLAGS")
    if host.which("go") is None:
        missing = unknown("go not on PATH")
        fields = {name: missing for name in ("go.version", "go.gocache", "go.gocache_size_mb")}
        fields["go.goflags"] = read(goflags_env, "environment GOFLAGS") if goflags_env else missing
        fields["go.gomaxprocs"] = _gomaxprocs(host, None, usable_cpus, cgroup_cpus)
        return fields
    version_out = host.run(["go", "version"], _NO_DOWNLOAD)
    version_text = (version_out.text or "").strip()
    fields["go.version"] = (read(version_text.removeprefix("go version ") or None, "go version")
                            if version_out.text is not None else unknown(version_out.reason))
    env_out = host.run(["go", "env", "-json", "GOCACHE", "GOFLAGS"], _NO_DOWNLOAD)
    env: dict[str, str] = {}
    if env_out.text is not None:
        try:
            env = json.loads(env_out.text)
        except ValueError:
            env_out = env_out.__class__(None, "`go env -json` printed no JSON")
    cache = env.get("GOCACHE", "")
    if env_out.text is None:
        fields["go.gocache"] = fields["go.gocache_size_mb"] = unknown(env_out.reason)
    elif not cache or cache == "off":
        fields["go.gocache"] = fields["go.gocache_size_mb"] = unknown(f"go env GOCACHE is {cache or 'empty'!r}")
    else:
        fields["go.gocache"] = read(cache, "go env GOCACHE")
        path = host.path(cache)
        if path.is_dir():
            size, how = cache_size_mb(path)
            fields["go.gocache_size_mb"] = read(size, how)
        else:
            fields["go.gocache_size_mb"] = read(0.0, f"{cache} does not exist yet (no build has filled it)")
    flags = env.get("GOFLAGS")
    fields["go.goflags"] = (read(flags, "go env GOFLAGS") if flags else
                            read("", "go env GOFLAGS (empty)") if env_out.text is not None else unknown(env_out.reason))
    fields["go.gomaxprocs"] = _gomaxprocs(host, go_version(version_text), usable_cpus, cgroup_cpus)
    return fields


def _gomaxprocs(host: Host, version: tuple[int, int] | None, usable_cpus: int | None,
                cgroup_cpus: float | None) -> Reading:
    """GOMAXPROCS a Go program gets here: the environment's, else usable CPUs, lowered to the cgroup limit
    (rounded up, at least 2) by Go >= 1.25."""
    given = host.environ.get("GOMAXPROCS", "").strip()
    if given:
        return read(int(given), "environment GOMAXPROCS") if given.isdigit() else unknown(
            f"environment GOMAXPROCS={given!r} is not a number")
    if usable_cpus is None:
        return unknown("usable CPUs unknown")
    if cgroup_cpus is None:
        return read(usable_cpus, "default: usable CPUs (sched_getaffinity), no cgroup CPU limit")
    limited = min(usable_cpus, max(2, math.ceil(cgroup_cpus)))
    if version is not None and version >= CGROUP_AWARE_GO:
        return read(limited, f"default: min(usable CPUs {usable_cpus}, cgroup limit {cgroup_cpus:g} rounded up, "
                             "at least 2) as Go >= 1.25 computes it")
    if version is None:
        return read(usable_cpus, f"default before Go 1.25: usable CPUs (Go >= 1.25 would use {limited}: cgroup limit)")
    return read(usable_cpus, f"default for go{version[0]}.{version[1]}: usable CPUs, the cgroup limit "
                             f"{cgroup_cpus:g} ignored (Go >= 1.25 would use {limited})")
