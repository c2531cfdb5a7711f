"""A probe as a hardware_db record (the schema's long form: value, source, confidence, note = how it was read),
and as a table."""
from __future__ import annotations

import json
import re
from typing import Any

from advisor.probe.match import Match
from advisor.probe.reading import DRIVE_FIELDS, FIELDS, Probe, Reading

# The source id a probed value cites: this command on this machine.
SOURCE = "go-advisor-probe"
# What only a vendor, a scale or a shop can say; a probe leaves these unknown.
_UNKNOWABLE = "unknown: a probe cannot read it (a vendor page, review or shop states it)"


def sourced(reading: Reading) -> dict[str, Any]:
    """The schema's long form of one field; an unknown field keeps value null and says why in note."""
    if reading.known:
        return {"value": reading.value, "source": SOURCE, "confidence": "measured", "note": reading.how}
    return {"value": None, "note": reading.how}


def unknowable() -> dict[str, Any]:
    """A field only a vendor, a scale or a shop can state (a new dict each time: YAML writes no aliases)."""
    return {"value": None, "note": _UNKNOWABLE}


def _ram_type(kind: Reading, speed: Reading) -> dict[str, Any]:
    """The schema's ram.type, `LPDDR5-5200`: the type with the speed when both are known."""
    if kind.known and speed.known:
        return sourced(Reading(f"{kind.value}-{speed.value}", f"{kind.how}; speed: {speed.how}"))
    return sourced(kind)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "unknown"


def to_record(probe: Probe, cpu_match: Match | None = None, machine_match: Match | None = None) -> dict[str, Any]:
    """machines:, cpus: and ssds: as in hardware_db (fields of the schema only), then system: and go: for what
    the schema has no field for, and match: when asked."""
    f = probe.fields
    cpu_name = f["cpu.name"].value or "unknown CPU"
    cpu_id = _slug(cpu_name.replace("(R)", "").replace("(TM)", ""))
    machine_name = " ".join(str(v) for v in (f["machine.vendor"].value, f["machine.name"].value) if v) or "this machine"
    drives = [{name: sourced(drive.get(name, Reading(None, "unknown: not read"))) for name in DRIVE_FIELDS}
              for drive in probe.drives]
    ssds = [{"id": _slug(str(d["model"]["value"] or d["device"]["value"] or "drive")), "name": d["model"]["value"],
             "volatile_write_cache": d["volatile_write_cache"], "capacities": [{"capacity_gb": d["size_gb"]["value"]}]}
            for d in drives]
    storage_gb = sum(d["size_gb"]["value"] or 0 for d in drives if d["internal"]["value"] is not False)
    record: dict[str, Any] = {
        "machines": [{
            "id": _slug(machine_name),
            "name": machine_name,
            "vendor": sourced(f["machine.vendor"]),
            "family": unknowable(),
            "markets": unknowable(),
            "launch_year": unknowable(),
            "source": SOURCE,
            "confidence": "measured",
            "cpu_options": [cpu_id],
            "ram": {"type": _ram_type(f["memory.type"], f["memory.speed_mts"]), "soldered": unknowable(),
                    "options_gb": [f["memory.ram_gb"].value], "max_gb": unknowable()},
            "storage": {"options_gb": [storage_gb] if storage_gb else [], "m2_slots": unknowable()},
            "cooling": {"design": unknowable()},
            "weight_kg": unknowable(),
            "battery_wh": sourced(f["machine.battery_wh"]),
            "configurations": [{
                "id": "probed",
                "cpu": cpu_id,
                "ram_gb": f["memory.ram_gb"].value,
                "storage_gb": storage_gb or None,
                "drives": [{"ssd": ssd["id"], "known_by": "probes", "probes_seen": 1, "probes_total": 1,
                            "source": SOURCE, "confidence": "measured"} for ssd in ssds],
                "prices": unknowable(),
            }],
        }],
        "cpus": [{
            "id": cpu_id,
            "name": f["cpu.name"].value,
            "vendor": sourced(f["cpu.vendor"]),
            "arch": sourced(f["cpu.arch"]),
            "source": SOURCE,
            "confidence": "measured",
            "performance_cores": sourced(f["cpu.performance_cores"]),
            "efficiency_cores": sourced(f["cpu.efficiency_cores"]),
            "threads": sourced(f["cpu.threads"]),
            "base_clock_ghz": sourced(f["cpu.base_clock_ghz"]),
            "boost_clock_ghz": sourced(f["cpu.boost_clock_ghz"]),
            "l2_mb": sourced(f["cpu.l2_mb"]),
            "l3_mb": sourced(f["cpu.l3_mb"]),
        }],
        "ssds": ssds,
        "system": {name.replace(".", "_"): sourced(f[name]) for name in FIELDS
                   if name.startswith(("os.", "limits.", "thermal.", "storage.")) or name in (
                       "cpu.cores", "memory.total_kib", "memory.speed_mts", "memory.swap_gb", "machine.model_id")}
                  | {"drives": drives},
        "go": {name.split(".", 1)[1]: sourced(f[name]) for name in FIELDS if name.startswith("go.")},
    }
    if cpu_match is not None or machine_match is not None:
        record["match"] = {kind: {"id": m.id, "name": m.name, "score": m.score, "how": m.how}
                           for kind, m in (("cpu", cpu_match), ("machine", machine_match)) if m is not None}
    # the drives are both ssds and system.drives: a copy of plain data, so YAML writes no aliases
    return json.loads(json.dumps(record))


def show(value: Any, how: str = "") -> str:
    """A value as the table prints it: unknown, none, yes/no, numbers as read."""
    if value is None:
        return "none" if how.startswith("none:") else "unknown"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):
        return ", ".join(f"{k} {v}" for k, v in value.items())
    if value == "":
        return "(empty)"
    return str(value)


def table_rows(probe: Probe, cpu_match: Match | None = None,
               machine_match: Match | None = None) -> list[tuple[str, str, str]]:
    """(field, value, how) for every field, each drive and the matches."""
    rows = [(label, show(probe.fields[name].value, probe.fields[name].how), probe.fields[name].how)
            for name, label in FIELDS.items()]
    for drive in probe.drives:
        device = show(drive["device"].value)
        for name, label in DRIVE_FIELDS.items():
            if name != "device" and name in drive:
                rows.append((f"{device} {label}", show(drive[name].value, drive[name].how), drive[name].how))
    if not probe.drives:
        rows.append(("drives", "unknown", "unknown: no storage device found"))
    for kind, found in (("database CPU", cpu_match), ("database machine", machine_match)):
        if found is not None:
            rows.append((kind, found.id or "none", found.how))
    return rows
