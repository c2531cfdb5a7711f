"""`explain`: every score, hardware field and prediction of one configuration with its inputs and sources."""
from __future__ import annotations

from typing import Any

from advisor.render.base import quantity_dict, score_dict
from advisor.render.templating import Templates
from advisor.types import Knowledge, MachineConfig, Profile, Score, Sourced

_HARDWARE_FIELDS = (
    ("cpu", ("performance_cores", "efficiency_cores", "threads", "base_clock_ghz", "boost_clock_ghz", "l2_mb", "l3_mb",
             "system_level_cache_mb", "default_power_w", "max_power_w", "memory_bandwidth_gbs", "max_memory_gb")),
    ("ssd", ("nand", "controller", "dram_cache", "volatile_write_cache", "power_loss_protection")),
    ("machine", ("weight_kg", "battery_wh", "thunderbolt_usb4_ports")),
)


def hardware_fields(mc: MachineConfig) -> list[dict[str, Any]]:
    rows = []
    for part_name, names in _HARDWARE_FIELDS:
        part = getattr(mc, part_name)
        for name in names:
            value = getattr(part, name, None)
            if isinstance(value, Sourced) and value.value is not None:
                rows.append({"name": f"{part_name}.{name}", "value": value.value, "source": value.source,
                             "confidence": value.confidence, "note": value.note})
    machine = mc.machine
    for label, value in (("ram.soldered", machine.ram.soldered), ("ram.max_gb", machine.ram.max_gb),
                         ("cooling.design", machine.cooling.design),
                         ("cooling.sustained_power_w", machine.cooling.sustained_power_w), ("config.ssd", mc.config.ssd)):
        if value is not None:
            rows.append({"name": label, "value": value.value, "source": value.source, "confidence": value.confidence,
                         "note": value.note})
    capacity = mc.ssd.capacity(mc.config.storage_gb)
    if capacity and capacity.tbw:
        rows.append({"name": f"ssd.tbw ({capacity.capacity_gb} GB)", "value": capacity.tbw.value,
                     "source": capacity.tbw.source, "confidence": capacity.tbw.confidence, "note": capacity.tbw.note})
    return rows


def explain_data(score: Score, mc: MachineConfig, profile: Profile, knowledge: Knowledge, evidence: str) -> dict[str, Any]:
    quantities = []
    for name, quantity in score.metrics.quantities.items():
        quantities.append({**quantity.model_dump(mode="json"), **quantity_dict(quantity), "name": name})
    hardware = hardware_fields(mc)
    cited = set()
    for q in quantities:
        for i in q["inputs"]:
            cited.update(s for s in (i["source"] or "").split(",") if s in knowledge.sources)
    cited.update(h["source"] for h in hardware if h["source"] in knowledge.sources)
    for finding in score.findings:
        cited.update(s for s in finding.sources if s in knowledge.sources)
    return {"score": score_dict(score), "hardware": hardware, "quantities": quantities, "evidence": evidence,
            "profile": profile.model_dump(mode="json", exclude_none=True), "cited": sorted(cited),
            "sources": {sid: knowledge.sources[sid].model_dump(mode="json", exclude_none=True) for sid in sorted(cited)}}


def explain_markdown(explained: dict[str, Any], templates: Templates) -> str:
    """explain.md.j2 over explain_data's result (what `advisor.api.explain` returns)."""
    return templates.render("explain.md.j2", **explained)
