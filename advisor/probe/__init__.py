"""`go-advisor probe`: this machine as a hardware_db record, each field with how it was read or why it is unknown.

Reads only: files under /proc and /sys, and a few fixed commands with a timeout and no shell. Nothing raises;
a missing tool or permission makes a field unknown with the reason.
"""
from __future__ import annotations

from advisor.probe import go, linux, macos, windows
from advisor.probe.reading import FIELDS, Host, Probe, Reading, read, unknown

_ARCH = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}


def _os_fields(host: Host) -> tuple[dict[str, Reading], list[dict[str, Reading]], list[dict]]:
    """The OS module's fields, drives and (macOS) volumes."""
    if host.system == "Linux":
        fields, drives = linux.probe(host)
        fields["cpu.arch"] = read(_ARCH.get(host.machine.lower()), f"uname machine {host.machine}")
        return fields, drives, []
    if host.system == "Darwin":
        return macos.probe(host)
    if host.system == "Windows":
        fields, drives = windows.probe(host)
        return fields, drives, []
    return {}, [], []


def probe(host: Host | None = None) -> Probe:
    """Every field of FIELDS for this machine (or a fake host), and its drives; never raises."""
    host = host or Host()
    system = host.system
    try:
        fields, drives, volumes = _os_fields(host)
    except Exception as error:  # noqa: BLE001 - a parser bug on an unforeseen machine must not cost the rest
        fields, drives, volumes = {}, [], []
        failed = f"reading {system} failed: {type(error).__name__}: {error}"
    else:
        failed = ""
    threads = fields.get("cpu.threads", unknown("")).value
    affinity = host.affinity()
    fields["limits.usable_cpus"] = (read(affinity, "sched_getaffinity (CPUs this process may use)") if affinity
                                    else read(threads, "cpu.threads (no affinity mask to read)") if threads
                                    else unknown("neither affinity nor CPU count known"))
    quota = fields.get("limits.cgroup_cpu_quota", Reading(None, "")).value
    try:
        fields.update(go.probe(host, fields["limits.usable_cpus"].value, quota))
        cache = fields["go.gocache"].value
        if cache is None:
            fields.setdefault("storage.gocache_filesystem", unknown("GOCACHE unknown"))
        elif system == "Linux":
            fields["storage.gocache_filesystem"] = linux.mount_of(host, cache)
        elif system == "Darwin":
            fields["storage.gocache_filesystem"] = macos.gocache_volume(volumes, cache)
    except Exception as error:  # noqa: BLE001 - as above
        failed = f"reading Go failed: {type(error).__name__}: {error}"
    missing = failed or f"not read on {system or 'this OS'}"
    ordered = {name: fields.get(name) or unknown(missing) for name in FIELDS}
    return Probe(fields=ordered, drives=drives)


__all__ = ["Host", "Probe", "Reading", "probe"]
