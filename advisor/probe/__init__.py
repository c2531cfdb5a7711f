"""`go-advisor probe`: this machine as a hardware_db record, each field with how it was read or why it is unknown.

Reads only: files under /proc and /sys, and a few fixed commands with a timeout and no shell. Nothing raises;
a missing tool or permission makes a field unknown with the reason.
"""
from __future__ import annotations

from advisor.probe import go, linux, macos, windows
from advisor.probe.reading import FIELDS, Host, Probe, Reading, read, unknown

_ARCH = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}


def probe(host: Host | None = None) -> Probe:
    """Every field of FIELDS for this machine (or a fake host), and its drives."""
    host = host or Host()
    system = host.system
    volumes: list[dict] = []
    if system == "Linux":
        fields, drives = linux.probe(host)
        fields["cpu.arch"] = read(_ARCH.get(host.machine.lower()), f"uname machine {host.machine}")
    elif system == "Darwin":
        fields, drives, volumes = macos.probe(host)
    elif system == "Windows":
        fields, drives = windows.probe(host)
    else:
        fields, drives = {}, []
    threads = fields.get("cpu.threads", unknown("")).value
    affinity = host.affinity()
    fields["limits.usable_cpus"] = (read(affinity, "sched_getaffinity (CPUs this process may use)") if affinity
                                    else read(threads, "cpu.threads (no affinity mask to read)") if threads
                                    else unknown("neither affinity nor CPU count known"))
    quota = fields.get("limits.cgroup_cpu_quota", Reading(None, "")).value
    fields.update(go.probe(host, fields["limits.usable_cpus"].value, quota))
    cache = fields["go.gocache"].value
    if cache is None:
        fields.setdefault("storage.gocache_filesystem", unknown("GOCACHE unknown"))
    elif system == "Linux":
        fields["storage.gocache_filesystem"] = linux.mount_of(host, cache)
    elif system == "Darwin":
        fields["storage.gocache_filesystem"] = macos.gocache_volume(volumes, cache)
    ordered = {name: fields.get(name) or unknown(f"not read on {system or 'this OS'}") for name in FIELDS}
    return Probe(fields=ordered, drives=drives)


__all__ = ["Host", "Probe", "Reading", "probe"]
