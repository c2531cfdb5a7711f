"""Linux: /proc, /sys and lscpu (when installed), and `nvme id-ctrl` when nvme-cli is; never needs root."""
from __future__ import annotations

import json
import math
import re

from advisor.probe.reading import Host, Reading, first, read, unknown

CPU = "/sys/devices/system/cpu"
# Block devices that hold no user data of their own: loop files, RAM disks, compressed swap, device-mapper.
_VIRTUAL_BLOCK = re.compile(r"^(loop|ram|zram|dm-|md|sr|fd|nbd)")
# SMBIOS type 17 memory type codes (DMTF DSP0134 table "Memory Device - Type").
_DMI_MEMORY_TYPES = {0x18: "DDR3", 0x1A: "DDR4", 0x1B: "LPDDR", 0x1C: "LPDDR2", 0x1D: "LPDDR3", 0x1E: "LPDDR4",
                     0x22: "DDR5", 0x23: "LPDDR5"}


def cpu_list(text: str) -> list[int]:
    """CPUs of a kernel list such as `0-3,8,10-11`."""
    cpus: list[int] = []
    for part in text.strip().split(","):
        if not part:
            continue
        low, _, high = part.partition("-")
        cpus.extend(range(int(low), int(high or low) + 1))
    return cpus


def _size_kib(text: str) -> float | None:
    """A sysfs cache size (`2048K`, `32M`) in KiB."""
    match = re.fullmatch(r"(\d+)\s*([KMG]?)", text.strip())
    if not match:
        return None
    return int(match.group(1)) * {"": 1 / 1024, "K": 1, "M": 1024, "G": 1024 * 1024}[match.group(2)]


def cpuinfo(host: Host) -> tuple[dict[str, str], int, str]:
    """The first processor's `key: value` lines of /proc/cpuinfo, the processor count, and a reason if unread."""
    out = host.read("/proc/cpuinfo")
    if out.text is None:
        return {}, 0, out.reason
    fields: dict[str, str] = {}
    count = 0
    for line in out.text.splitlines():
        key, sep, value = line.partition(":")
        key = key.strip()
        if not sep:
            continue
        if key == "processor":
            count += 1
        fields.setdefault(key, value.strip())
    return fields, count, ""


def lscpu(host: Host) -> tuple[dict[str, str], str]:
    """lscpu's `key: value` lines, or a reason it could not be run."""
    if host.which("lscpu") is None:
        return {}, "lscpu not installed"
    out = host.run(["lscpu"])
    if out.text is None:
        return {}, out.reason
    fields = {}
    for line in out.text.splitlines():
        key, sep, value = line.partition(":")
        if sep:
            fields[key.strip()] = value.strip()
    return fields, ""


def _lscpu_mib(value: str) -> float | None:
    """An lscpu cache size (`4 MiB (2 instances)`, `24576K`) in MiB."""
    match = re.match(r"([\d.]+)\s*([KMG])i?B?", value)
    if not match:
        return None
    return float(match.group(1)) * {"K": 1 / 1024, "M": 1.0, "G": 1024.0}[match.group(2)]


def online_cpus(host: Host) -> tuple[list[int], str]:
    out = host.read(f"{CPU}/online")
    if out.text is None:
        return [], out.reason
    try:
        return cpu_list(out.text), f"{CPU}/online"
    except ValueError:
        return [], f"{CPU}/online unreadable: {out.text!r}"


def _cores(host: Host, cpus: list[int]) -> dict[tuple[str, str], list[int]]:
    """Physical cores (package id, core id) -> their logical CPUs, from each CPU's topology."""
    cores: dict[tuple[str, str], list[int]] = {}
    for cpu in cpus:
        package = host.read(f"{CPU}/cpu{cpu}/topology/physical_package_id").text
        core = host.read(f"{CPU}/cpu{cpu}/topology/core_id").text
        if package is None or core is None:
            return {}
        cores.setdefault((package, core), []).append(cpu)
    return cores


def core_types(host: Host, cpus: list[int]) -> tuple[Reading, Reading, Reading]:
    """Total, performance and efficiency cores: Intel hybrid PMUs (cpu_core/cpu_atom), else cpu_capacity."""
    cores = _cores(host, cpus)
    if not cores:
        why = unknown(f"{CPU}/cpu*/topology not readable")
        return why, why, why
    total = read(len(cores), f"{CPU}/cpu*/topology core_id ({len(cores)} distinct)")
    # Intel hybrid parts list their P- and E-core CPUs under two perf PMUs.
    p_cpus = host.read("/sys/devices/cpu_core/cpus").text
    e_cpus = host.read("/sys/devices/cpu_atom/cpus").text
    if p_cpus is not None and e_cpus is not None:
        p_set, e_set = set(cpu_list(p_cpus)), set(cpu_list(e_cpus))
        p = sum(1 for members in cores.values() if set(members) & p_set)
        e = sum(1 for members in cores.values() if set(members) & e_set)
        how = "/sys/devices/cpu_core/cpus and cpu_atom/cpus (Intel hybrid PMUs), counted per core"
        return total, read(p, how), read(e, how)
    capacities: dict[tuple[str, str], int] = {}
    for key, members in cores.items():
        text = host.read(f"{CPU}/cpu{members[0]}/cpu_capacity").text
        if text is None or not text.isdigit():
            capacities = {}
            break
        capacities[key] = int(text)
    if capacities:
        top = max(capacities.values())
        # within 10 % of the top is one core type: favoured-core boosts (ITMT) differ by a few percent only
        p = sum(1 for c in capacities.values() if c >= 0.9 * top)
        how = (f"{CPU}/cpu*/cpu_capacity: {p} cores within 10 % of the highest capacity {top}"
               + (f", {len(cores) - p} below it" if p < len(cores) else ", all alike"))
        return total, read(p, how), read(len(cores) - p, how)
    how = "no core types exposed (no cpu_core/cpu_atom PMUs, no cpu_capacity): every core counted as performance"
    return total, read(len(cores), how), read(0, how)


def caches(host: Host, cpus: list[int], lscpu_fields: dict[str, str], lscpu_reason: str) -> tuple[Reading, Reading]:
    """Total L2 and L3 in MB: each distinct cache instance (level, shared CPUs) under every CPU counted once."""
    instances: dict[int, dict[str, float]] = {2: {}, 3: {}}
    for cpu in cpus:
        base = f"{CPU}/cpu{cpu}/cache"
        for index in host.listdir(base):
            if not index.startswith("index"):
                continue
            level = host.read(f"{base}/{index}/level").text
            kind = host.read(f"{base}/{index}/type").text
            size = host.read(f"{base}/{index}/size").text
            shared = host.read(f"{base}/{index}/shared_cpu_list").text or f"cpu{cpu}"
            if level in ("2", "3") and kind in ("Unified", "Data") and size and _size_kib(size) is not None:
                instances[int(level)][shared] = _size_kib(size) or 0.0
    results = []
    for cache_level in (2, 3):
        found = instances[cache_level]
        if found:
            sysfs = read(round(sum(found.values()) / 1024, 3),
                         f"{CPU}/cpu*/cache/index* level {cache_level}: {len(found)} instance(s)")
        else:
            sysfs = unknown(f"{CPU}/cpu*/cache has no level-{cache_level} cache")
        mib = _lscpu_mib(lscpu_fields.get(f"L{cache_level} cache", ""))
        from_lscpu = read(mib, f"lscpu L{cache_level} cache") if mib is not None else unknown(
            lscpu_reason or f"lscpu shows no L{cache_level} cache")
        results.append(first(sysfs, from_lscpu))
    return results[0], results[1]


def clocks(host: Host, cpus: list[int], name: str, lscpu_fields: dict[str, str]) -> tuple[Reading, Reading]:
    """Base and highest clock in GHz: cpufreq (kHz), else lscpu's MHz, else the `@ 2.30GHz` of the model name."""
    max_khz = [host.read(f"{CPU}/cpu{cpu}/cpufreq/cpuinfo_max_freq").text for cpu in cpus]
    known_max = [int(v) for v in max_khz if v and v.isdigit()]
    base_khz = host.read(f"{CPU}/cpu{cpus[0] if cpus else 0}/cpufreq/base_frequency").text
    boost = first(
        read(round(max(known_max) / 1e6, 2), f"{CPU}/cpu*/cpufreq/cpuinfo_max_freq (highest)")
        if known_max else unknown(f"{CPU}/cpu*/cpufreq not present (no cpufreq driver; a VM exposes none)"),
        _mhz(lscpu_fields, "CPU max MHz"))
    in_name = re.search(r"@\s*([\d.]+)\s*GHz", name)
    base = first(
        read(round(int(base_khz) / 1e6, 2), f"{CPU}/cpu0/cpufreq/base_frequency") if base_khz and base_khz.isdigit()
        else unknown(f"{CPU}/cpu0/cpufreq/base_frequency not present (intel_pstate only)"),
        read(float(in_name.group(1)), "/proc/cpuinfo model name `@ GHz`") if in_name
        else unknown("model name states no base clock"))
    return base, boost


def _mhz(fields: dict[str, str], key: str) -> Reading:
    value = fields.get(key, "").replace(",", ".")
    try:
        return read(round(float(value) / 1000, 2), f"lscpu {key}")
    except ValueError:
        return unknown(f"lscpu shows no {key}")


def cpu_vendor(name: str, vendor_id: str = "") -> str | None:
    """The schema's vendor from a model name or /proc/cpuinfo vendor_id."""
    text = f"{name} {vendor_id}".lower()
    for needle, vendor in (("intel", "Intel"), ("amd", "AMD"), ("apple", "Apple"), ("qualcomm", "Qualcomm"),
                           ("snapdragon", "Qualcomm"), ("mediatek", "MediaTek")):
        if needle in text:
            return vendor
    return None


def memory(host: Host) -> dict[str, Reading]:
    """MemTotal and SwapTotal from /proc/meminfo; RAM type and speed from SMBIOS type 17 entries (root only)."""
    out = host.read("/proc/meminfo")
    values: dict[str, int] = {}
    for line in (out.text or "").splitlines():
        match = re.match(r"(\w+):\s+(\d+)\s*kB", line)
        if match:
            values[match.group(1)] = int(match.group(2))
    result: dict[str, Reading] = {}
    if "MemTotal" in values:
        total_kib = values["MemTotal"]
        result["memory.total_kib"] = read(total_kib, "/proc/meminfo MemTotal")
        # MemTotal is installed RAM less firmware and kernel reservations (usually under 1 GiB): round up.
        result["memory.ram_gb"] = read(math.ceil(total_kib / 1024 ** 2),
                                       "/proc/meminfo MemTotal, GiB rounded up (installed RAM less reservations)")
    else:
        result["memory.total_kib"] = result["memory.ram_gb"] = unknown(out.reason or "/proc/meminfo has no MemTotal")
    result["memory.swap_gb"] = (read(round(values["SwapTotal"] / 1024 ** 2, 2), "/proc/meminfo SwapTotal")
                                if "SwapTotal" in values else unknown(out.reason or "/proc/meminfo has no SwapTotal"))
    result.update(_dmi_memory(host))
    return result


def _dmi_memory(host: Host) -> dict[str, Reading]:
    entries = [e for e in host.listdir("/sys/firmware/dmi/entries") if e.startswith("17-")]
    if not entries:
        why = unknown("/sys/firmware/dmi/entries has no memory devices (no SMBIOS, or not readable)")
        return {"memory.type": why, "memory.speed_mts": why}
    types, speeds, reasons = set(), set(), []
    for entry in entries:
        try:
            raw = host.path(f"/sys/firmware/dmi/entries/{entry}/raw").read_bytes()
        except OSError as error:
            reasons.append(f"/sys/firmware/dmi/entries/{entry}/raw not readable ({error.strerror or error})")
            continue
        if len(raw) < 0x17 or int.from_bytes(raw[0x0C:0x0E], "little") in (0, 0xFFFF):
            continue  # an empty slot, or a structure too short to hold type and speed
        types.add(_DMI_MEMORY_TYPES.get(raw[0x12], f"SMBIOS type {raw[0x12]:#x}"))
        configured = int.from_bytes(raw[0x20:0x22], "little") if len(raw) >= 0x22 else 0
        speed = configured or int.from_bytes(raw[0x15:0x17], "little")
        if speed:
            speeds.add(speed)
    how = "/sys/firmware/dmi/entries/17-*/raw (SMBIOS memory devices)"
    if not types:
        why = unknown("; ".join(reasons) or f"{how}: no populated slot")
        return {"memory.type": why, "memory.speed_mts": why}
    return {"memory.type": read("/".join(sorted(types)), how),
            "memory.speed_mts": read(min(speeds), how + ", configured speed") if speeds
            else unknown(f"{how} states no speed")}


def os_release(host: Host) -> dict[str, Reading]:
    text = host.read("/etc/os-release")
    fields = dict(re.findall(r'^(\w+)="?([^"\n]*)"?$', text.text or "", re.M))
    kernel = host.read("/proc/sys/kernel/osrelease")
    return {
        "os.name": read(fields.get("NAME") or None, "/etc/os-release NAME") if text.text
        else unknown(text.reason),
        "os.version": read(fields.get("VERSION_ID") or fields.get("PRETTY_NAME") or None,
                           "/etc/os-release VERSION_ID") if text.text else unknown(text.reason),
        "os.kernel": read(kernel.text or None, "/proc/sys/kernel/osrelease") if kernel.text is not None
        else unknown(kernel.reason),
    }


def dmi(host: Host) -> dict[str, Reading]:
    """Vendor and product from /sys/class/dmi/id (Lenovo puts the model name in product_version)."""
    base = "/sys/class/dmi/id"
    vendor, product, version = (host.read(f"{base}/{name}") for name in ("sys_vendor", "product_name",
                                                                         "product_version"))
    placeholders = ("", "none", "to be filled by o.e.m.", "default string", "system product name")
    name = " ".join(t for t in (product.text, version.text) if t and t.lower() not in placeholders)
    return {
        "machine.vendor": read(vendor.text or None, f"{base}/sys_vendor") if vendor.text is not None
        else unknown(vendor.reason),
        "machine.name": read(name or None, f"{base}/product_name + product_version") if product.text is not None
        else unknown(product.reason),
        "machine.model_id": read(product.text or None, f"{base}/product_name") if product.text is not None
        else unknown(product.reason),
    }


def battery(host: Host) -> Reading:
    """Design capacity in Wh: energy_full_design (µWh), or charge_full_design (µAh) x voltage_min_design (µV)."""
    batteries = [b for b in host.listdir("/sys/class/power_supply") if b.startswith("BAT")]
    if not batteries:
        return unknown("no /sys/class/power_supply/BAT* (no battery, or not a laptop)")
    base = f"/sys/class/power_supply/{batteries[0]}"
    energy = host.read(f"{base}/energy_full_design")
    if energy.text and energy.text.isdigit():
        return read(round(int(energy.text) / 1e6, 1), f"{base}/energy_full_design")
    charge, volts = host.read(f"{base}/charge_full_design").text, host.read(f"{base}/voltage_min_design").text
    if charge and volts and charge.isdigit() and volts.isdigit():
        return read(round(int(charge) * int(volts) / 1e12, 1), f"{base}/charge_full_design x voltage_min_design")
    return unknown(energy.reason or f"{base} states no design capacity")


def drives(host: Host) -> list[dict[str, Reading]]:
    """Each physical block device: model, size, rotational, volatile write cache; nvme id-ctrl where installed."""
    found = []
    nvme = host.which("nvme")
    for name in host.listdir("/sys/block"):
        if _VIRTUAL_BLOCK.match(name):
            continue
        base = f"/sys/block/{name}"
        model, size = host.read(f"{base}/device/model"), host.read(f"{base}/size")
        rotational, cache = host.read(f"{base}/queue/rotational"), host.read(f"{base}/queue/write_cache")
        removable = host.read(f"{base}/removable")
        drive = {
            "device": read(f"/dev/{name}", "/sys/block"),
            "model": read(model.text or None, f"{base}/device/model") if model.text is not None
            else unknown(model.reason + " (virtual disks have none)" if name.startswith("vd") else model.reason),
            "size_gb": read(round(int(size.text) * 512 / 1e9), f"{base}/size (512-byte sectors)")
            if size.text and size.text.isdigit() else unknown(size.reason or f"{base}/size unreadable"),
            "rotational": read(rotational.text == "1", f"{base}/queue/rotational" + (
                " (virtio disks report 1 unless the host says otherwise)" if name.startswith("vd") else ""))
            if rotational.text in ("0", "1")
            else unknown(rotational.reason or f"{base}/queue/rotational unreadable"),
            "volatile_write_cache": read(cache.text == "write back", f"{base}/queue/write_cache ({cache.text})")
            if cache.text in ("write back", "write through")
            else unknown(cache.reason or f"{base}/queue/write_cache unreadable"),
            "internal": read(removable.text == "0", f"{base}/removable") if removable.text in ("0", "1")
            else unknown(removable.reason),
        }
        if name.startswith("nvme"):
            nvme_fields, why_not = _nvme(host, name, nvme is not None)
            drive.update(nvme_fields)
            if why_not and drive["volatile_write_cache"].known:
                cached = drive["volatile_write_cache"]
                drive["volatile_write_cache"] = read(cached.value, f"{cached.how}; not from nvme id-ctrl: {why_not}")
        found.append(drive)
    return found


def _nvme(host: Host, name: str, installed: bool) -> tuple[dict[str, Reading], str]:
    """The controller's model and volatile write cache bit (VWC bit 0) from `nvme id-ctrl`, or why not."""
    controller = "/dev/" + re.sub(r"n\d+$", "", name)
    if not installed:
        return {}, "nvme-cli not installed"
    out = host.run(["nvme", "id-ctrl", controller, "--output-format=json"])
    if out.text is None:
        return {}, out.reason  # opening the controller usually needs root
    try:
        data = json.loads(out.text)
    except ValueError:
        return {}, "nvme id-ctrl printed no JSON"
    how = f"nvme id-ctrl {controller}"
    result = {}
    if isinstance(data.get("mn"), str) and data["mn"].strip():
        result["model"] = read(data["mn"].strip(), f"{how} mn")
    if isinstance(data.get("vwc"), int):
        result["volatile_write_cache"] = read(bool(data["vwc"] & 1), f"{how} vwc bit 0")
    return result, "" if "volatile_write_cache" in result else f"{how} has no vwc"


def mount_of(host: Host, path: str) -> Reading:
    """The filesystem holding path: the longest mount point of /proc/mounts that contains it."""
    out = host.read("/proc/mounts")
    if out.text is None:
        return unknown(out.reason)
    best: tuple[str, str, str] | None = None
    for line in out.text.splitlines():
        parts = line.split()
        if len(parts) < 3:
            continue
        device, mount, fstype = parts[0], parts[1].replace("\\040", " "), parts[2]
        inside = path == mount or path.startswith(mount.rstrip("/") + "/")
        if inside and (best is None or len(mount) >= len(best[1])):
            best = (device, mount, fstype)
    if best is None:
        return unknown(f"no mount in /proc/mounts holds {path}")
    return read(f"{best[2]} on {best[0]} at {best[1]}", f"/proc/mounts, longest mount point holding {path}")


def throttle(host: Host, cpus: list[int]) -> Reading:
    """Thermal throttle events since boot: core counts summed, the package count once (Intel's thermal_throttle)."""
    core_total, package, seen = 0, 0, False
    for cpu in cpus:
        base = f"{CPU}/cpu{cpu}/thermal_throttle"
        core = host.read(f"{base}/core_throttle_count").text
        pkg = host.read(f"{base}/package_throttle_count").text
        if core and core.isdigit():
            core_total, seen = core_total + int(core), True
        if pkg and pkg.isdigit():
            package = max(package, int(pkg))
    if not seen:
        return unknown(f"{CPU}/cpu*/thermal_throttle not present (Intel CPUs on bare metal only)")
    return read({"core": core_total, "package": package},
                f"{CPU}/cpu*/thermal_throttle core_throttle_count (summed), package_throttle_count")


def cgroup_quota(host: Host) -> Reading:
    """The CPU bandwidth limit in CPUs (quota / period) of this process's cgroup and its ancestors, the lowest;
    None-valued with the reason when unlimited or unreadable. Go >= 1.25 sets GOMAXPROCS from it."""
    own = host.read("/proc/self/cgroup")
    if own.text is None:
        return unknown(own.reason)
    v2_path = v1_path = None
    for line in own.text.splitlines():
        _, controllers, path = (line.split(":", 2) + ["", ""])[:3]
        if controllers == "" and line.startswith("0::"):
            v2_path = path
        elif "cpu" in controllers.split(","):
            v1_path = path
    limits: list[tuple[float, str]] = []
    unified = v2_path is not None and host.path("/sys/fs/cgroup/cgroup.controllers").exists()
    if unified and v2_path is not None:
        path = v2_path.rstrip("/")
        while True:
            name = f"/sys/fs/cgroup{path}/cpu.max"
            text = host.read(name).text
            if text:
                quota, _, period = text.partition(" ")
                if quota != "max" and quota.isdigit() and period.strip().isdigit() and int(period) > 0:
                    limits.append((int(quota) / int(period), name))
            if not path:
                break
            path = path.rsplit("/", 1)[0]
    elif v1_path is not None:
        for folder in dict.fromkeys((f"/sys/fs/cgroup/cpu{v1_path.rstrip('/')}", "/sys/fs/cgroup/cpu",
                                     "/sys/fs/cgroup/cpu,cpuacct")):
            cfs_quota = host.read(f"{folder}/cpu.cfs_quota_us").text
            cfs_period = host.read(f"{folder}/cpu.cfs_period_us").text
            if cfs_quota is not None and cfs_period is not None:
                if cfs_quota.lstrip("-").isdigit() and int(cfs_quota) > 0 and cfs_period.isdigit() \
                        and int(cfs_period) > 0:
                    limits.append((int(cfs_quota) / int(cfs_period), f"{folder}/cpu.cfs_quota_us / cpu.cfs_period_us"))
                else:
                    return Reading(None, f"none: {folder}/cpu.cfs_quota_us is {cfs_quota} (no limit)")
    else:
        return unknown("no cpu controller in /proc/self/cgroup")
    if not limits:
        where = "cpu.max is `max` up the hierarchy" if unified else "no cpu.cfs_quota_us found"
        return Reading(None, f"none: {where} (no limit)")
    cpus, where = min(limits)
    return read(round(cpus, 3), where)


def probe(host: Host) -> tuple[dict[str, Reading], list[dict[str, Reading]]]:
    """Every Linux field this module reads, and the drives."""
    info, processors, info_reason = cpuinfo(host)
    lsc, lsc_reason = lscpu(host)
    cpus, cpus_how = online_cpus(host)
    if not cpus and processors:
        cpus, cpus_how = list(range(processors)), "/proc/cpuinfo processor entries"
    name = first(read(info.get("model name") or None, "/proc/cpuinfo model name") if info
                 else unknown(info_reason), read(lsc.get("Model name") or None, "lscpu Model name") if lsc
                 else unknown(lsc_reason))
    total, perf, eff = core_types(host, cpus)
    l2, l3 = caches(host, cpus, lsc, lsc_reason)
    base, boost = clocks(host, cpus, name.value or "", lsc)
    vendor = cpu_vendor(name.value or "", info.get("vendor_id", "") or lsc.get("Vendor ID", ""))
    fields = {
        "cpu.name": name,
        "cpu.vendor": read(vendor, "CPU model name / vendor_id") if vendor else unknown("vendor not recognised"),
        "cpu.cores": total,
        "cpu.performance_cores": perf,
        "cpu.efficiency_cores": eff,
        "cpu.threads": read(len(cpus), cpus_how) if cpus else unknown(cpus_how),
        "cpu.base_clock_ghz": base,
        "cpu.boost_clock_ghz": boost,
        "cpu.l2_mb": l2,
        "cpu.l3_mb": l3,
        "machine.battery_wh": battery(host),
        "thermal.throttle_events": throttle(host, cpus),
        "limits.cgroup_cpu_quota": cgroup_quota(host),
        **memory(host),
        **os_release(host),
        **dmi(host),
    }
    return fields, drives(host)
