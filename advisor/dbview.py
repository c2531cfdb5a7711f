"""`db list` and `db show`: filtered listings and single records with their sources."""
from __future__ import annotations

from typing import Any

import yaml

from advisor.errors import InputError
from advisor.output import json_text
from advisor.types import Catalog, Knowledge, Sourced
from advisor.vocabulary import MARKET_CURRENCY


def _machine_row(catalog: Catalog, machine) -> dict[str, Any]:
    usd = [c.price("USD").amount for c in machine.configurations if c.price("USD")]
    cny = [c.price("CNY").amount for c in machine.configurations if c.price("CNY")]
    archs = sorted({catalog.cpus[c].arch for c in machine.cpu_options if c in catalog.cpus})
    return {"id": machine.id, "name": machine.name, "vendor": machine.vendor, "year": machine.launch_year,
            "arch": "/".join(archs), "ram_gb": max(c.ram_gb for c in machine.configurations),
            "max_ram_gb": machine.ram.max_gb.value, "weight_kg": machine.weight_kg.value,
            "linux": machine.os_support["linux"].level if "linux" in machine.os_support else "none",
            "from_usd": min(usd) if usd else None, "from_cny": min(cny) if cny else None,
            "configurations": len(machine.configurations)}


def _machine_matches(catalog: Catalog, machine, vendor: str | None, arch: str | None, os_name: str | None,
                     max_price: float | None, min_ram: int | None, year: int | None) -> bool:
    row = _machine_row(catalog, machine)
    return not ((vendor and machine.vendor.lower() != vendor.lower())
                or (arch and arch not in row["arch"].split("/"))
                or (os_name and (os_name not in machine.os_support
                                 or machine.os_support[os_name].level not in ("certified", "works")))
                or (max_price is not None and (row["from_usd"] is None or row["from_usd"] > max_price))
                or (min_ram is not None and machine.ram.max_gb.value < min_ram)
                or (year is not None and machine.launch_year != year))


def config_rows(catalog: Catalog, vendor: str | None = None, arch: str | None = None, os_name: str | None = None,
                max_price: float | None = None, min_ram: int | None = None,
                year: int | None = None) -> list[dict[str, Any]]:
    """One row per configuration of the machines the filters keep: its id (what explain and compare take), CPU,
    memory, storage, the newest price in each market (in that market's currency) and the markets it is sold in."""
    rows = []
    for machine_id in sorted(catalog.machines):
        machine = catalog.machines[machine_id]
        if not _machine_matches(catalog, machine, vendor, arch, os_name, max_price, min_ram, year):
            continue
        for config in machine.configurations:
            row: dict[str, Any] = {"id": f"{machine.id}/{config.id}", "cpu": config.cpu, "ram_gb": config.ram_gb,
                                   "storage_gb": config.storage_gb}
            for market, currency in MARKET_CURRENCY.items():
                price = config.market_price(market)
                row[f"{market}_{currency.lower()}"] = price.amount if price else None
            row["markets"] = " ".join(machine.markets.value) + (" (baseline only)" if machine.baseline_only else "")
            rows.append(row)
    return rows


def list_rows(catalog: Catalog, kind: str, vendor: str | None = None, arch: str | None = None,
              os_name: str | None = None, max_price: float | None = None, min_ram: int | None = None,
              year: int | None = None) -> list[dict[str, Any]]:
    """Rows of one kind of record, filtered; machines by vendor, arch, OS, price, RAM and year."""
    if kind == "machines":
        return [_machine_row(catalog, catalog.machines[machine_id]) for machine_id in sorted(catalog.machines)
                if _machine_matches(catalog, catalog.machines[machine_id], vendor, arch, os_name, max_price, min_ram,
                                    year)]
    if kind == "cpus":
        return [{"id": c.id, "name": c.name, "vendor": c.vendor, "arch": c.arch, "year": c.launch_year,
                 "cores": f"{c.performance_cores.value}P+{c.efficiency_cores.value}E", "threads": c.threads.value,
                 "boost_ghz": c.boost_clock_ghz.value, "bandwidth_gbs": c.memory_bandwidth_gbs.value}
                for c in sorted(catalog.cpus.values(), key=lambda c: c.id)
                if (not vendor or c.vendor.lower() == vendor.lower()) and (not arch or c.arch == arch)
                and (year is None or c.launch_year == year)]
    if kind == "ssds":
        return [{"id": s.id, "name": s.name, "vendor": s.vendor, "segment": s.segment, "nand": s.nand.value,
                 "plp": s.power_loss_protection.value,
                 "capacities": " ".join(f"{c.capacity_gb}GB:{c.tbw.value if c.tbw else '?'}TBW" for c in s.capacities)}
                for s in sorted(catalog.ssds.values(), key=lambda s: s.id)
                if not vendor or s.vendor.lower() == vendor.lower()]
    raise InputError(f"--kind: {kind!r} is not machines, cpus or ssds")


def _with_sources(value: Any, knowledge: Knowledge) -> Any:
    if isinstance(value, Sourced):
        source = knowledge.sources.get(value.source)
        where = (source.url or f"{source.repo}:{source.path}" if source and (source.url or source.repo)
                 else (source.title if source else value.source))
        entry = {"value": _with_sources(value.value, knowledge), "confidence": value.confidence,
                 "source": value.source, "where": where}
        if value.note:
            entry["note"] = value.note
        return entry
    if hasattr(value, "model_fields"):
        return {name: _with_sources(getattr(value, name), knowledge) for name in type(value).model_fields
                if getattr(value, name) not in (None, {}, ())}
    if isinstance(value, (list, tuple)):
        return [_with_sources(v, knowledge) for v in value]
    if isinstance(value, dict):
        return {k: _with_sources(v, knowledge) for k, v in value.items()}
    return value


def show_record(catalog: Catalog, knowledge: Knowledge, record_id: str, fmt: str) -> str:
    for kind, records in (("machine", catalog.machines), ("cpu", catalog.cpus), ("ssd", catalog.ssds)):
        if record_id in records:
            data = {"kind": kind, **_with_sources(records[record_id], knowledge)}
            where = catalog.locations.get((kind + "s", record_id))
            if where:
                data["defined_at"] = f"{where.path}:{where.line}"
            if fmt == "json":
                return json_text(data)
            return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    raise InputError(f"{record_id!r}: no machine, CPU or SSD with this id (try `go-advisor db list`)")
