"""The facts rules may test: their names and types, and how they are built from predictions."""
from __future__ import annotations

from typing import Any

import jinja2

from advisor.types import Condition, MachineConfig, Profile, Quantity

# name -> type. Rules may only name these; the loader rejects anything else.
FACT_TYPES: dict[str, str] = {
    # machine and its parts
    "machine.id": "str", "machine.vendor": "str", "machine.launch_year": "number",
    "cpu.id": "str", "cpu.name": "str", "cpu.vendor": "str", "cpu.arch": "str", "cpu.threads": "number",
    "cpu.performance_cores": "number", "cpu.efficiency_cores": "number", "cpu.boost_clock_ghz": "number",
    "cpu.l3_mb": "number", "cpu.memory_bandwidth_gbs": "number", "cpu.launch_year": "number",
    "ram.gb": "number", "ram.soldered": "bool", "ram.max_gb": "number",
    "ssd.id": "str", "ssd.name": "str", "ssd.nand": "str", "ssd.segment": "str", "ssd.tbw": "number",
    "ssd.volatile_write_cache": "bool", "ssd.power_loss_protection": "bool", "ssd.dram_cache": "str",
    "ssd.form_factor": "str",
    "storage.gb": "number", "storage.m2_slots_free": "number",
    "cooling.design": "str", "cooling.sustained_power_w": "number",
    "weight_kg": "number", "battery_wh": "number",
    "os.primary": "str", "os.linux": "str", "os.windows": "str", "os.macos": "str",
    "price.amount": "number", "price.currency": "str", "price.known": "bool",
    # the profile
    "profile.id": "str", "profile.race": "bool", "profile.cgo": "bool", "profile.gopls": "bool",
    "profile.own_packages": "number", "profile.own_lines": "number", "profile.cross_targets": "number",
    "profile.cgo_cross_targets": "number",
    "profile.containers": "number", "profile.kind_cluster": "bool", "profile.fsync_services": "bool",
    "profile.amd64_only_images": "bool", "profile.deploy_arch": "str", "profile.requires_linux": "bool",
    "profile.requires_macos": "bool", "profile.requires_windows": "bool",
    "profile.travels": "bool", "profile.has_budget": "bool", "profile.budget": "number",
    # predictions (metrics)
    "cold_build_s": "number", "edit_loop_s": "number", "test_s": "number", "test_race_s": "number",
    "daily_wait_min": "number", "peak_memory_gb": "number", "memory_headroom_gb": "number",
    "test_peak_memory_gb": "number", "gocache_gb_per_day": "number", "temp_writes_gb_per_day": "number",
    "host_writes_gb_per_day": "number", "endurance_years": "number", "dev_footprint_gb": "number",
    "free_storage_gb": "number", "sustained_clock_ratio": "number", "thermal_slowdown_pct": "number",
    "race_supported": "bool", "emulated_images": "number", "budget_ratio": "number",
}

OPERAND_TYPES = {"eq": None, "ne": None, "lt": "number", "le": "number", "gt": "number", "ge": "number",
                 "in": None, "exists": "none", "absent": "none"}


def _type_of(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "str"
    return type(value).__name__


def check_condition_against_registry(condition: Condition) -> str | None:
    """Why a condition cannot be compiled (unknown fact, wrong operand type), or None."""
    fact_type = FACT_TYPES.get(condition.fact)
    if fact_type is None:
        return f"unknown fact {condition.fact!r}"
    if condition.op in ("exists", "absent"):
        return None if condition.value is None else f"{condition.op} takes no value"
    if condition.op == "in":
        if not isinstance(condition.value, (list, tuple)) or not condition.value:
            return "in needs a non-empty list"
        wrong = [v for v in condition.value if _type_of(v) != fact_type]
        return f"in: {wrong[0]!r} is not a {fact_type} like {condition.fact}" if wrong else None
    if condition.op in ("lt", "le", "gt", "ge") and fact_type != "number":
        return f"{condition.op} needs a number fact; {condition.fact} is {fact_type}"
    if _type_of(condition.value) != fact_type:
        # durable_rules silently coerces across types (8 < "9" matches); refuse it here.
        return f"{condition.op}: {condition.value!r} is not a {fact_type} like {condition.fact}"
    return None


_ENV = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False)


def nested(facts: dict[str, Any]) -> dict[str, Any]:
    """Dotted fact names as nested dicts, so messages can say {{ ssd.nand }}."""
    tree: dict[str, Any] = {}
    for name, value in facts.items():
        node = tree
        *parents, leaf = name.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    return tree


def render_message(template: str, facts: dict[str, Any]) -> str:
    values = {k: (round(v, 1) if isinstance(v, float) else v) for k, v in facts.items()}
    return " ".join(_ENV.from_string(template).render(**nested(values)).split())


def sample_facts() -> dict[str, Any]:
    """A value of the right type for every fact, to check that messages render."""
    samples = {"number": 1.5, "bool": True, "str": "x"}
    return {name: samples[kind] for name, kind in FACT_TYPES.items()}


def render_message_check(template: str) -> str | None:
    try:
        render_message(template, sample_facts())
    except jinja2.TemplateError as error:
        return f"does not render: {error}"
    return None


def build_facts(mc: MachineConfig, profile: Profile, quantities: dict[str, Quantity], primary_os: str,
                price_amount: float | None, price_currency: str) -> dict[str, Any]:
    """Flat, JSON-safe facts for one configuration; absent values are left out (rules then do not match)."""
    cpu, ssd, machine, config = mc.cpu, mc.ssd, mc.machine, mc.config
    capacity = ssd.capacity(config.storage_gb)
    facts: dict[str, Any] = {
        "machine.id": machine.id, "machine.vendor": machine.vendor, "machine.launch_year": machine.launch_year,
        "cpu.id": cpu.id, "cpu.name": cpu.name, "cpu.vendor": cpu.vendor, "cpu.arch": cpu.arch,
        "cpu.threads": cpu.threads.value,
        "cpu.performance_cores": cpu.performance_cores.value, "cpu.efficiency_cores": cpu.efficiency_cores.value,
        "cpu.boost_clock_ghz": cpu.boost_clock_ghz.value, "cpu.memory_bandwidth_gbs": cpu.memory_bandwidth_gbs.value,
        "cpu.launch_year": cpu.launch_year,
        "ram.gb": config.ram_gb, "ram.soldered": machine.ram.soldered.value, "ram.max_gb": machine.ram.max_gb.value,
        "ssd.id": ssd.id, "ssd.name": ssd.name, "ssd.nand": ssd.nand.value, "ssd.segment": ssd.segment,
        "ssd.volatile_write_cache": ssd.volatile_write_cache.value,
        "ssd.power_loss_protection": ssd.power_loss_protection.value, "ssd.form_factor": ssd.form_factor,
        "storage.gb": config.storage_gb, "storage.m2_slots_free": machine.storage.m2_slots_free,
        "cooling.design": machine.cooling.design.value,
        "weight_kg": machine.weight_kg.value,
        "os.primary": primary_os,
        "price.known": price_amount is not None, "price.currency": price_currency,
        "profile.id": profile.id, "profile.race": profile.race, "profile.cgo": profile.cgo,
        "profile.gopls": profile.gopls, "profile.own_packages": profile.own_packages,
        "profile.own_lines": profile.own_lines, "profile.cross_targets": len(profile.cross_compile_targets),
        "profile.cgo_cross_targets": len(profile.cross_compile_targets) if profile.cgo else 0,
        "profile.containers": len(profile.containers),
        "profile.kind_cluster": any(c.kind in ("kind-cluster", "k3d-cluster") for c in profile.containers),
        "profile.fsync_services": any(_fsync_heavy(c) for c in profile.containers),
        "profile.amd64_only_images": any(c.image_arches == ("amd64",) for c in profile.containers),
        "profile.deploy_arch": profile.deploy_arch,
        "profile.requires_linux": profile.os == ("linux",),
        "profile.requires_macos": profile.os == ("macos",),
        "profile.requires_windows": profile.os == ("windows",),
        "profile.travels": profile.travels, "profile.has_budget": profile.budget is not None,
    }
    optional = {
        "cpu.l3_mb": cpu.l3_mb.value if cpu.l3_mb is not None else None,
        "ssd.tbw": capacity.tbw.value if capacity is not None and capacity.tbw is not None else None,
        "ssd.dram_cache": ssd.dram_cache.value if ssd.dram_cache is not None else None,
        "cooling.sustained_power_w": machine.cooling.sustained_power_w.value if machine.cooling.sustained_power_w else None,
        "battery_wh": machine.battery_wh.value if machine.battery_wh is not None else None,
        "price.amount": price_amount,
        "profile.budget": profile.budget.amount if profile.budget is not None else None,
    }
    for os_name in ("linux", "windows", "macos"):
        entry = machine.os_support.get(os_name)
        optional[f"os.{os_name}"] = entry.level if entry is not None else "none"
    facts.update({k: v for k, v in optional.items() if v is not None})
    for name, quantity in quantities.items():
        if name in FACT_TYPES and quantity.value is not None:
            facts[name] = _json_number(quantity.value)
    return facts


def _fsync_heavy(container) -> bool:
    if container.fsync_heavy is not None:
        return container.fsync_heavy
    return container.kind in ("kind-cluster", "k3d-cluster", "postgres", "mysql", "etcd", "mongodb", "kafka")


def _json_number(value: float) -> float | bool:
    """Facts must be JSON: no NaN or infinity. Rounding for the rules engine happens in engine.py."""
    if isinstance(value, bool):
        return value
    if value != value or value in (float("inf"), float("-inf")):
        return 1e9 if value > 0 else -1e9
    return float(value)
