"""macOS: `sysctl -a` (CPU, caches, memory, OS) and `system_profiler ... -json` (model, chip, memory type, storage)."""
from __future__ import annotations

import json
import math
import re
from typing import Any

from advisor.probe.linux import cpu_vendor
from advisor.probe.reading import Host, Reading, first, read, unknown

SYSCTL = ("sysctl", "-a")
SYSTEM_PROFILER = ("system_profiler", "SPHardwareDataType", "SPMemoryDataType", "SPStorageDataType", "-json")


def parse_sysctl(text: str) -> dict[str, str]:
    """`name: value` lines (older macOS writes `name = value`)."""
    values = {}
    for line in text.splitlines():
        match = re.match(r"^([\w.]+)(?::| =) ?(.*)$", line)
        if match:
            values[match.group(1)] = match.group(2).strip()
    return values


def _int(values: dict[str, str], name: str) -> int | None:
    text = values.get(name, "")
    return int(text) if text.lstrip("-").isdigit() else None


def cpu_fields(values: dict[str, str], why: str) -> dict[str, Reading]:
    """CPU, caches, memory, swap and OS from sysctl; Apple silicon reports P and E cores as perflevels 0 and 1."""
    def sysctl(name: str, convert: Any = None) -> Reading:
        raw = _int(values, name) if convert is None else values.get(name)
        if raw is None or raw == "":
            return unknown(why or f"sysctl has no {name}")
        return read(raw if convert is None else convert(raw), f"sysctl {name}")

    levels = _int(values, "hw.nperflevels") or (1 if "hw.perflevel0.physicalcpu" in values else 0)
    perf = sysctl("hw.perflevel0.physicalcpu") if levels >= 1 else sysctl("hw.physicalcpu")
    if levels >= 2:
        eff = sysctl("hw.perflevel1.physicalcpu")
    elif values:
        eff = read(0, "sysctl hw.nperflevels < 2 (one core type)")
    else:
        eff = unknown(why)
    # Apple silicon: one L2 per cluster of cpusperl2 cores, per perflevel; Intel Macs: hw.l2cachesize per core.
    l2_bytes, l2_how = 0, []
    for level in range(levels):
        size, cores = _int(values, f"hw.perflevel{level}.l2cachesize"), _int(values, f"hw.perflevel{level}.physicalcpu")
        per = _int(values, f"hw.perflevel{level}.cpusperl2") or cores
        if size and cores and per:
            l2_bytes += size * math.ceil(cores / per)
            l2_how.append(f"perflevel{level}: {math.ceil(cores / per)} x l2cachesize")
    if l2_bytes:
        l2 = read(round(l2_bytes / 2 ** 20, 3),
                  "sysctl hw.perflevel*.l2cachesize x clusters (" + ", ".join(l2_how) + ")")
    elif _int(values, "hw.l2cachesize") and _int(values, "hw.physicalcpu"):
        l2 = read(round((_int(values, "hw.l2cachesize") or 0) * (_int(values, "hw.physicalcpu") or 0) / 2 ** 20, 3),
                  "sysctl hw.l2cachesize (per core) x hw.physicalcpu")
    else:
        l2 = unknown(why or "sysctl has no L2 size")
    l3_bytes = _int(values, "hw.l3cachesize")
    if l3_bytes:
        l3 = read(round(l3_bytes / 2 ** 20, 3), "sysctl hw.l3cachesize")
    elif values.get("hw.optional.arm64") == "1":
        l3 = unknown("Apple silicon has no L3 (its system level cache is not reported by sysctl)")
    else:
        l3 = unknown(why or "sysctl has no hw.l3cachesize")
    memsize = _int(values, "hw.memsize")
    swap = re.search(r"total = ([\d.]+)M", values.get("vm.swapusage", ""))
    name = values.get("machdep.cpu.brand_string", "")
    arch = "arm64" if values.get("hw.optional.arm64") == "1" else (
        "amd64" if values.get("hw.optional.x86_64") == "1" or "Intel" in name else None)
    physical = sysctl("hw.physicalcpu")
    fields = {
        "cpu.name": sysctl("machdep.cpu.brand_string", str),
        "cpu.vendor": read(cpu_vendor(name), "sysctl machdep.cpu.brand_string") if name else unknown(why or "no name"),
        "cpu.arch": read(arch, "sysctl hw.optional.arm64 / hw.optional.x86_64") if values else unknown(why),
        "cpu.cores": physical,
        "cpu.performance_cores": perf,
        "cpu.efficiency_cores": eff,
        "cpu.threads": sysctl("hw.logicalcpu"),
        "cpu.l2_mb": l2,
        "cpu.l3_mb": l3,
        "cpu.boost_clock_ghz": read(round((_int(values, "hw.cpufrequency_max") or 0) / 1e9, 2),
                                    "sysctl hw.cpufrequency_max") if _int(values, "hw.cpufrequency_max")
        else unknown(why or "sysctl has no hw.cpufrequency_max (Apple silicon publishes no clocks there)"),
        "cpu.base_clock_ghz": read(round((_int(values, "hw.cpufrequency") or 0) / 1e9, 2), "sysctl hw.cpufrequency")
        if _int(values, "hw.cpufrequency") else unknown(why or "sysctl has no hw.cpufrequency"),
        "memory.total_kib": read(memsize // 1024, "sysctl hw.memsize") if memsize else unknown(why or "no hw.memsize"),
        "memory.ram_gb": read(round(memsize / 2 ** 30), "sysctl hw.memsize") if memsize
        else unknown(why or "no hw.memsize"),
        "memory.swap_gb": read(round(float(swap.group(1)) / 1024, 2), "sysctl vm.swapusage total (grows on demand)")
        if swap else unknown(why or "sysctl has no vm.swapusage"),
        "os.name": read("macOS", "sysctl kern.ostype Darwin") if values.get("kern.ostype", "Darwin") == "Darwin"
        and values else unknown(why),
        "os.version": sysctl("kern.osproductversion", str),
        "os.kernel": sysctl("kern.osrelease", str),
        "machine.model_id": sysctl("hw.model", str),
        "thermal.throttle_events": unknown("macOS keeps no throttle counters readable without root (powermetrics)"),
        "limits.cgroup_cpu_quota": Reading(None, "none: macOS has no cgroups"),
        "machine.battery_wh": unknown("system_profiler states no design capacity in Wh"),
    }
    return fields


def _profiler_items(data: dict, kind: str) -> list[dict]:
    items = data.get(kind)
    return [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []


def profiler_fields(text: str | None, why: str) -> tuple[dict[str, Reading], list[dict[str, Reading]], list[dict]]:
    """Machine, chip, memory type and drives from system_profiler's JSON; also its volumes (for GOCACHE)."""
    data: dict = {}
    if text is not None:
        try:
            loaded = json.loads(text)
            data = loaded if isinstance(loaded, dict) else {}
        except ValueError:
            why = "system_profiler printed no JSON"
    hardware = (_profiler_items(data, "SPHardwareDataType") or [{}])[0]
    how = "system_profiler SPHardwareDataType"
    fields: dict[str, Reading] = {}
    if hardware.get("machine_name"):
        fields["machine.name"] = read(hardware["machine_name"], f"{how} machine_name")
        fields["machine.vendor"] = read("Apple", f"{how} (a Mac)")
    else:
        fields["machine.name"] = fields["machine.vendor"] = unknown(why or f"{how} has no machine_name")
    chip = hardware.get("chip_type") or hardware.get("cpu_type")
    if chip:
        fields["cpu.name"] = read(chip, f"{how} chip_type")
    memory = (_profiler_items(data, "SPMemoryDataType") or [{}])[0]
    dimm = memory.get("dimm_type") or next((m.get("dimm_type") for m in memory.get("_items", []) if isinstance(m, dict)
                                            and m.get("dimm_type") not in (None, "empty")), None)
    fields["memory.type"] = read(dimm, "system_profiler SPMemoryDataType dimm_type") if dimm else unknown(
        why or "SPMemoryDataType states no memory type")
    speed = re.match(r"(\d+)\s*MHz", str(memory.get("dimm_speed", "")))
    fields["memory.speed_mts"] = read(int(speed.group(1)), "system_profiler SPMemoryDataType dimm_speed") if speed \
        else unknown(why or "system_profiler states no memory speed (Apple silicon does not)")
    volumes = _profiler_items(data, "SPStorageDataType")
    drives: dict[str, dict[str, Reading]] = {}
    for volume in volumes:
        physical = volume.get("physical_drive") or {}
        name = physical.get("device_name")
        if not name or name in drives:
            continue
        where = f"system_profiler SPStorageDataType physical_drive of {volume.get('_name', '?')}"
        medium = physical.get("medium_type")
        size = volume.get("size_in_bytes")
        drives[name] = {
            "device": read(volume.get("bsd_name"), f"{where} bsd_name"),
            "model": read(name, f"{where} device_name"),
            "size_gb": read(round(size / 1e9), f"{where}: the volume's container size_in_bytes")
            if isinstance(size, int) else unknown("no size_in_bytes"),
            "rotational": read(medium == "rotational", f"{where} medium_type {medium}") if medium
            else unknown("no medium_type"),
            "volatile_write_cache": unknown("macOS does not report a drive's write cache (F_FULLFSYNC flushes it)"),
            "internal": read(physical.get("is_internal_disk") == "yes", f"{where} is_internal_disk")
            if "is_internal_disk" in physical else unknown("no is_internal_disk"),
        }
    return fields, list(drives.values()), volumes


def gocache_volume(volumes: list[dict], path: str) -> Reading:
    """The volume holding path: the longest mount point containing it; /Users and the like live on the Data
    volume, which the system volume's root firmlinks to."""
    best: dict | None = None
    for volume in volumes:
        mount = str(volume.get("mount_point", ""))
        if not mount:
            continue
        contains = path == mount or path.startswith(mount.rstrip("/") + "/")
        on_data = mount == "/System/Volumes/Data" and not path.startswith("/System/")
        if (contains or on_data) and (best is None or len(mount) > len(str(best.get("mount_point", "")))):
            best = volume
    if best is None:
        return unknown(f"no volume of system_profiler SPStorageDataType holds {path}")
    return read(f"{best.get('file_system', '?')} on {best.get('bsd_name', '?')} at {best.get('mount_point')}",
                f"system_profiler SPStorageDataType, the volume holding {path}")


def probe(host: Host) -> tuple[dict[str, Reading], list[dict[str, Reading]], list[dict]]:
    out = host.run(list(SYSCTL))
    values = parse_sysctl(out.text) if out.text is not None else {}
    fields = cpu_fields(values, out.reason)
    profiler = host.run(list(SYSTEM_PROFILER))
    hardware, drives, volumes = profiler_fields(profiler.text, profiler.reason)
    if "cpu.name" in hardware:
        fields["cpu.name"] = first(fields["cpu.name"], hardware.pop("cpu.name"))
    fields.update(hardware)
    return fields, drives, volumes
