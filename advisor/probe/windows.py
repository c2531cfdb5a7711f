"""Windows, best-effort: one fixed PowerShell Get-CimInstance query printed as JSON, else `wmic cpu`."""
from __future__ import annotations

import json
from typing import Any

from advisor.probe.linux import cpu_vendor
from advisor.probe.reading import Host, Reading, first, read, unknown

# Read-only CIM queries; one process, so a slow WMI service costs one timeout, not six.
_SCRIPT = (
    "$ErrorActionPreference='SilentlyContinue';"
    "[pscustomobject]@{"
    "Processor=@(Get-CimInstance Win32_Processor | Select-Object Name,Manufacturer,NumberOfCores,"
    "NumberOfLogicalProcessors,L2CacheSize,L3CacheSize,MaxClockSpeed,AddressWidth);"
    "ComputerSystem=Get-CimInstance Win32_ComputerSystem | Select-Object Manufacturer,Model,SystemFamily,"
    "TotalPhysicalMemory;"
    "Memory=@(Get-CimInstance Win32_PhysicalMemory | Select-Object Capacity,Speed,ConfiguredClockSpeed,"
    "SMBIOSMemoryType);"
    "Disks=@(Get-CimInstance -Namespace root/Microsoft/Windows/Storage MSFT_PhysicalDisk | Select-Object "
    "DeviceId,FriendlyName,MediaType,BusType,Size);"
    "OS=Get-CimInstance Win32_OperatingSystem | Select-Object Caption,Version,BuildNumber,OSArchitecture;"
    "PageFile=@(Get-CimInstance Win32_PageFileUsage | Select-Object Name,AllocatedBaseSize)"
    "} | ConvertTo-Json -Depth 4 -Compress"
)
POWERSHELL = ("powershell", "-NoProfile", "-NonInteractive", "-Command", _SCRIPT)
WMIC_CPU = ("wmic", "cpu", "get", "Name,NumberOfCores,NumberOfLogicalProcessors,L2CacheSize,L3CacheSize,MaxClockSpeed",
            "/format:list")
# SMBIOS memory types (Win32_PhysicalMemory.SMBIOSMemoryType) and MSFT_PhysicalDisk enums.
_MEMORY_TYPES = {24: "DDR3", 26: "DDR4", 27: "LPDDR", 28: "LPDDR2", 29: "LPDDR3", 30: "LPDDR4", 34: "DDR5",
                 35: "LPDDR5"}
_MEDIA = {3: "HDD", 4: "SSD", 5: "SCM"}
_BUS = {7: "USB", 8: "RAID", 11: "SATA", 17: "NVMe"}


def _list(value: Any) -> list[dict]:
    """ConvertTo-Json writes a one-element array as the element itself."""
    items = value if isinstance(value, list) else [value] if isinstance(value, dict) else []
    return [item for item in items if isinstance(item, dict)]


def parse_wmic_list(text: str) -> dict[str, str]:
    """`Name=value` lines of `wmic ... /format:list` (the first instance)."""
    values: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.strip().partition("=")
        if sep and key not in values:
            values[key] = value.strip()
    return values


def _number(value: Any) -> float | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str) and value.strip().isdigit():
        return float(value)
    return None


def processor_fields(cpu: dict, how: str) -> dict[str, Reading]:
    """Win32_Processor: name, cores, threads, L2/L3 (KB), MaxClockSpeed (MHz, the base clock on most CPUs)."""
    def field(key: str, scale: float = 1.0, digits: int | None = None) -> Reading:
        number = _number(cpu.get(key))
        if number is None:
            return unknown(f"{how} has no {key}")
        value = number * scale
        return read(round(value, digits) if digits is not None else int(value), f"{how} {key}")

    name = str(cpu.get("Name") or "").strip()
    return {
        "cpu.name": read(name or None, f"{how} Name"),
        "cpu.vendor": read(cpu_vendor(name, str(cpu.get("Manufacturer") or "")), f"{how} Name / Manufacturer"),
        "cpu.cores": field("NumberOfCores"),
        "cpu.threads": field("NumberOfLogicalProcessors"),
        "cpu.performance_cores": unknown(f"{how} does not tell performance from efficiency cores"),
        "cpu.efficiency_cores": unknown(f"{how} does not tell performance from efficiency cores"),
        "cpu.l2_mb": field("L2CacheSize", 1 / 1024, 3),
        "cpu.l3_mb": field("L3CacheSize", 1 / 1024, 3),
        "cpu.base_clock_ghz": field("MaxClockSpeed", 1 / 1000, 2),
    }


def parse_cim(text: str) -> tuple[dict[str, Reading], list[dict[str, Reading]]]:
    """The fields of the PowerShell query's JSON."""
    data = json.loads(text)
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    fields: dict[str, Reading] = {}
    processors = _list(data.get("Processor"))
    if processors:
        fields.update(processor_fields(processors[0], "Win32_Processor"))
    system = (_list(data.get("ComputerSystem")) or [{}])[0]
    fields["machine.vendor"] = read(system.get("Manufacturer") or None, "Win32_ComputerSystem Manufacturer")
    family, model = (str(system.get(k) or "").strip() for k in ("SystemFamily", "Model"))
    if family.lower() in ("default string", "none") or model.lower().startswith(family.lower()):
        family = ""  # Dell's family "XPS" is already the start of its model "XPS 13 9320"
    fields["machine.name"] = read(" ".join(t for t in (family, model) if t) or None,
                                  "Win32_ComputerSystem SystemFamily + Model")
    fields["machine.model_id"] = read(system.get("Model") or None, "Win32_ComputerSystem Model")
    modules = _list(data.get("Memory"))
    capacity = sum(_number(m.get("Capacity")) or 0 for m in modules)
    total = _number(system.get("TotalPhysicalMemory"))
    fields["memory.ram_gb"] = first(
        read(round(capacity / 2 ** 30) or None, "Win32_PhysicalMemory Capacity (summed)"),
        read(round(total / 2 ** 30) if total else None, "Win32_ComputerSystem TotalPhysicalMemory"))
    fields["memory.total_kib"] = read(int(total // 1024) if total else None, "Win32_ComputerSystem TotalPhysicalMemory")
    kinds = sorted({_MEMORY_TYPES.get(int(_number(m.get("SMBIOSMemoryType")) or 0), "") for m in modules} - {""})
    fields["memory.type"] = read("/".join(kinds) or None, "Win32_PhysicalMemory SMBIOSMemoryType")
    speeds = [_number(m.get("ConfiguredClockSpeed")) or _number(m.get("Speed")) for m in modules]
    known_speeds = [int(s) for s in speeds if s]
    fields["memory.speed_mts"] = read(min(known_speeds) if known_speeds else None,
                                      "Win32_PhysicalMemory ConfiguredClockSpeed")
    pages = _list(data.get("PageFile"))
    fields["memory.swap_gb"] = read(round(sum(_number(p.get("AllocatedBaseSize")) or 0 for p in pages) / 1024, 2)
                                    if pages else None, "Win32_PageFileUsage AllocatedBaseSize (MB, summed)")
    os_info = (_list(data.get("OS")) or [{}])[0]
    fields["os.name"] = read(os_info.get("Caption") or None, "Win32_OperatingSystem Caption")
    fields["os.version"] = read(os_info.get("Version") or None, "Win32_OperatingSystem Version")
    fields["os.kernel"] = read(os_info.get("BuildNumber") or None, "Win32_OperatingSystem BuildNumber")
    drives = []
    for disk in _list(data.get("Disks")):
        media, media_code, bus = disk.get("MediaType"), _number(disk.get("MediaType")), _number(disk.get("BusType"))
        media_name = _MEDIA.get(int(media_code), str(media)) if media_code is not None else str(media or "")
        size = _number(disk.get("Size"))
        how = f"MSFT_PhysicalDisk {disk.get('DeviceId', '?')}"
        drives.append({
            "device": read(f"PhysicalDrive{disk.get('DeviceId')}" if disk.get("DeviceId") is not None else None,
                           f"{how} DeviceId"),
            "model": read(str(disk.get("FriendlyName") or "").strip() or None, f"{how} FriendlyName"),
            "size_gb": read(round(size / 1e9) if size else None, f"{how} Size"),
            "rotational": read(media_name == "HDD", f"{how} MediaType {media_name}") if media_name in _MEDIA.values()
            else unknown(f"{how} MediaType {media_name or 'unspecified'}"),
            "volatile_write_cache": unknown("Windows reports write caching per volume policy, not the drive's cache"),
            "internal": read(_BUS.get(int(bus)) != "USB", f"{how} BusType {_BUS.get(int(bus), bus)}")
            if bus is not None else unknown(f"{how} has no BusType"),
        })
    return fields, drives


def probe(host: Host) -> tuple[dict[str, Reading], list[dict[str, Reading]]]:
    fields: dict[str, Reading] = {
        "thermal.throttle_events": unknown("Windows exposes no throttle counters without vendor tools"),
        "limits.cgroup_cpu_quota": Reading(None, "none: Windows has no cgroups"),
        "machine.battery_wh": unknown("Win32_Battery rarely states a design capacity; not read"),
        "storage.gocache_filesystem": unknown("filesystem of GOCACHE not read on Windows"),
        "cpu.arch": read({"amd64": "amd64", "x86_64": "amd64", "arm64": "arm64", "aarch64": "arm64"}.get(
            host.machine.lower()), "platform.machine()"),
    }
    out = host.run(list(POWERSHELL))
    reason = out.reason
    drives: list[dict[str, Reading]] = []
    if out.text is not None:
        try:
            cim, drives = parse_cim(out.text)
            fields.update(cim)
        except ValueError:
            reason = "PowerShell Get-CimInstance printed no JSON"
    if "cpu.name" not in fields:
        wmic = host.run(list(WMIC_CPU))
        if wmic.text is not None:
            fields.update(processor_fields(parse_wmic_list(wmic.text), "wmic cpu"))
        else:
            reason = f"{reason}; {wmic.reason}"
    for name in ("cpu.name", "memory.ram_gb", "os.name"):
        fields.setdefault(name, unknown(reason))
    return fields, drives
