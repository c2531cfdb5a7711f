"""The fact registry: every fact a rule or a criterion may read, declared once, and `assemble`.

Each declaration names the fact, its type and unit, where it is read from (machine, configuration,
CPU, SSD, profile or prediction) and how. From this one table derive the rule loader's vocabulary
(`FACT_TYPES`, with "did you mean"), the fact builder (`assemble`), explain's hardware field list
and db check's list of fields a score reads. Every fact carries the evidence it rests on:

- hardware facts: the field's source and confidence; an SSD's fields are never surer than the
  record that says this configuration ships that drive;
- predictions: the quantity's weakest input;
- given facts (profile fields, the configuration asked about, ids): confidence None. They are the
  question, not evidence, so they never weaken or strengthen what they are combined with.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Literal, Mapping

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from advisor.predict import primary_os_sourced
from advisor.sandbox import BoundedSandbox, Range
from advisor.suggest import similar
from advisor.types import (
    Condition,
    Container,
    Knowledge,
    MachineConfig,
    Metrics,
    Profile,
    Record,
    Rule,
    Sourced,
    weakest,
)

FactType = Literal["number", "bool", "str"]
Origin = Literal["machine", "configuration", "cpu", "ssd", "profile", "prediction"]
HARDWARE_ORIGINS: tuple[str, ...] = ("machine", "configuration", "cpu", "ssd")


@dataclass(frozen=True, slots=True)
class FactValue:
    """One fact's value with the evidence it rests on; confidence None marks a given value."""

    value: Any
    confidence: str | None
    source: str | None
    note: str | None = None
    unknowable: str | None = None  # why no public source can settle it (db check counts these apart)


@dataclass(frozen=True, slots=True)
class FactContext:
    """What a fact is read from: one configuration, one profile, its predictions, the knowledge base."""

    mc: MachineConfig
    profile: Profile
    metrics: Metrics
    knowledge: Knowledge


Reader = Callable[[FactContext], "FactValue | None"]


@dataclass(frozen=True, slots=True)
class FactSpec:
    """One fact's declaration."""

    name: str
    type: FactType
    unit: str
    origin: Origin
    description: str
    read: Reader
    # The numeric model reads this hardware field itself (tests check this flag against predict).
    model_input: bool = False
    # A fact computed from others (os.primary from os.*): db check counts the others instead.
    derived_from: tuple[str, ...] = ()


# ------------------------------------------------------------------ readers
def _path(obj: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        obj = getattr(obj, part, None)
    return obj


def _part(ctx: FactContext, origin: str) -> Record:
    return {"machine": ctx.mc.machine, "cpu": ctx.mc.cpu, "ssd": ctx.mc.ssd}[origin]


def _drive_confidence(ctx: FactContext, confidence: str | None) -> str:
    # What a drive's datasheet says is only as sure as the record that this configuration ships it.
    return weakest(confidence, ctx.mc.drive.confidence)


def _of_sourced(ctx: FactContext, origin: str, sourced: Sourced | None) -> FactValue | None:
    if sourced is None or sourced.value is None:
        return None
    confidence: str = sourced.confidence
    unknowable = sourced.unknowable
    if origin == "ssd":
        confidence = _drive_confidence(ctx, confidence)
        unknowable = unknowable or ctx.mc.drive.unknowable
    return FactValue(sourced.value, confidence, sourced.source, sourced.note, unknowable)


def sourced(origin: str, dotted: str) -> Reader:
    """A field that carries its own source and confidence (Sourced)."""
    return lambda ctx: _of_sourced(ctx, origin, _path(_part(ctx, origin), dotted))


def described(origin: str, dotted: str) -> Reader:
    """A descriptive field: the record's own source and confidence, or the field's long form."""
    def read(ctx: FactContext) -> FactValue | None:
        record = _part(ctx, origin)
        value = _path(record, dotted)
        if value is None:
            return None
        note = record.field_provenance.get(dotted)
        confidence: str | None = (note.confidence if note and note.confidence else record.confidence)
        source = (note.source if note and note.source else record.source)
        if origin == "ssd":
            confidence = _drive_confidence(ctx, confidence)
        return FactValue(value, weakest(confidence), source, note.note if note else None)
    return read


def given(value: Callable[[FactContext], Any], source: str = "profile") -> Reader:
    """A value of the question itself: the profile, the configuration asked about, an id."""
    def read(ctx: FactContext) -> FactValue | None:
        result = value(ctx)
        return None if result is None else FactValue(result, None, source)
    return read


def predicted(name: str) -> Reader:
    """A model quantity; absent when not assessed."""
    def read(ctx: FactContext) -> FactValue | None:
        quantity = ctx.metrics.quantities.get(name)
        if quantity is None or quantity.value is None:
            return None
        return FactValue(quantity.value, quantity.confidence, "model", quantity.formula)
    return read


def _os_level(os_name: str) -> Reader:
    def read(ctx: FactContext) -> FactValue | None:
        machine = ctx.mc.machine
        entry = machine.os_support.get(os_name)  # type: ignore[call-overload]
        if entry is None:  # not listed: the record says nothing runs it
            return FactValue("none", weakest(machine.confidence), machine.source, "not listed in os_support")
        return FactValue(entry.level, weakest(entry.confidence or machine.confidence), entry.source or machine.source,
                         entry.note)
    return read


def _primary_os(ctx: FactContext) -> FactValue | None:
    chosen = primary_os_sourced(ctx.mc, ctx.profile)
    return FactValue(chosen.value, chosen.confidence, chosen.source, chosen.note)


def _tbw(ctx: FactContext) -> FactValue | None:
    capacity = ctx.mc.ssd.capacity(ctx.mc.config.storage_gb)
    return None if capacity is None else _of_sourced(ctx, "ssd", capacity.tbw)


def drive_note(mc: MachineConfig) -> str | None:
    """How the scored drive is known, and which others the configuration is seen with."""
    drive = mc.drive
    how = (f"seen in {drive.probes_seen} of {drive.probes_total} probe reports" if drive.known_by == "probes"
           else f"known by {drive.known_by}")
    others = [d.ssd for d in mc.config.drives if d is not drive]
    text = how + (f"; the weakest of {len(mc.config.drives)} drives seen (also {', '.join(others)})" if others else "")
    return f"{text}; {drive.note}" if drive.note else text


def _recorded_price(ctx: FactContext) -> FactValue | None:
    price = ctx.mc.config.market_price(ctx.profile.buyer_market)
    if price is None:
        return None
    return FactValue(price.amount, price.confidence, price.source,
                     f"{price.currency}, {price.kind} price seen {price.seen} ({price.market})")


def _price_amount(ctx: FactContext) -> FactValue | None:
    """The price in the budget's currency (converted when needed); without a budget, as recorded."""
    if ctx.profile.budget is None:
        return _recorded_price(ctx)
    ratio = ctx.metrics.quantities.get("budget_ratio")
    if ratio is None or ratio.value is None:
        return None
    return FactValue(round(ratio.value * ctx.profile.budget.amount, 2), ratio.confidence, "model", ratio.formula)


def _race_supported(ctx: FactContext) -> FactValue | None:
    platforms = ctx.knowledge.coefficient("go.race.platforms")
    if not isinstance(platforms.value, dict):
        raise TypeError("coefficient go.race.platforms is a single number; race_supported needs a table of "
                        "GOOS/GOARCH pairs")
    # which OS it runs is part of the answer: as sure as the OS choice, the CPU record and the table
    os_choice = primary_os_sourced(ctx.mc, ctx.profile)
    goos = {"macos": "darwin", "linux": "linux", "windows": "windows"}[os_choice.value]
    supported = f"{goos}/{ctx.mc.cpu.arch}" in platforms.value
    return FactValue(supported, weakest(platforms.confidence, ctx.mc.cpu.confidence, os_choice.confidence),
                     ",".join(platforms.sources), f"{goos}/{ctx.mc.cpu.arch} in go.race.platforms")


def fsync_heavy(container: Container) -> bool:
    """Whether a local service waits on flushes (explicit in the profile, else by kind)."""
    if container.fsync_heavy is not None:
        return container.fsync_heavy
    return container.kind in ("kind-cluster", "k3d-cluster", "postgres", "mysql", "etcd", "mongodb", "kafka")


def _profile(read: Callable[[Profile], Any]) -> Reader:
    return given(lambda ctx: read(ctx.profile))


# ------------------------------------------------------------------ the registry
def _fact(name: str, type_: FactType, unit: str, origin: Origin, read: Reader, description: str,
          model_input: bool = False, derived_from: tuple[str, ...] = ()) -> FactSpec:
    return FactSpec(name=name, type=type_, unit=unit, origin=origin, description=description, read=read,
                    model_input=model_input, derived_from=derived_from)


_OS_LEVELS = ("os.linux", "os.windows", "os.macos")

REGISTRY: tuple[FactSpec, ...] = (
    # the machine
    _fact("machine.id", "str", "", "machine", given(lambda c: c.mc.machine.id, "catalog"), "machine id"),
    _fact("machine.vendor", "str", "", "machine", given(lambda c: c.mc.machine.vendor, "catalog"), "vendor"),
    _fact("machine.launch_year", "number", "year", "machine", described("machine", "launch_year"), "launch year"),
    _fact("weight_kg", "number", "kg", "machine", sourced("machine", "weight_kg"), "weight"),
    _fact("battery_wh", "number", "Wh", "machine", sourced("machine", "battery_wh"), "battery capacity"),
    _fact("machine.thunderbolt_usb4_ports", "number", "ports", "machine",
          sourced("machine", "thunderbolt_usb4_ports"), "Thunderbolt or USB4 ports"),
    _fact("ram.soldered", "bool", "", "machine", sourced("machine", "ram.soldered"), "memory soldered to the board"),
    _fact("ram.max_gb", "number", "GB", "machine", sourced("machine", "ram.max_gb"),
          "largest memory the machine takes"),
    _fact("storage.m2_slots_free", "number", "slots", "machine", described("machine", "storage.m2_slots_free"),
          "free M.2 slots"),
    _fact("cooling.design", "str", "", "machine", sourced("machine", "cooling.design"), "cooling design",
          model_input=True),
    _fact("cooling.sustained_power_w", "number", "W", "machine", sourced("machine", "cooling.sustained_power_w"),
          "CPU power the chassis sustains (a review's measurement)", model_input=True),
    _fact("os.linux", "str", "", "machine", _os_level("linux"), "Linux support level"),
    _fact("os.windows", "str", "", "machine", _os_level("windows"), "Windows support level"),
    _fact("os.macos", "str", "", "machine", _os_level("macos"), "macOS support level"),
    _fact("os.primary", "str", "", "machine", _primary_os, "the OS this machine would run for the profile",
          model_input=True, derived_from=_OS_LEVELS),
    # the configuration asked about
    _fact("ram.gb", "number", "GB", "configuration", given(lambda c: c.mc.config.ram_gb, "configuration"),
          "memory of this configuration"),
    _fact("storage.gb", "number", "GB", "configuration", given(lambda c: c.mc.config.storage_gb, "configuration"),
          "storage of this configuration"),
    _fact("ssd.id", "str", "", "configuration",
          lambda c: FactValue(c.mc.drive.ssd, c.mc.drive.confidence, c.mc.drive.source, drive_note(c.mc),
                              c.mc.drive.unknowable),
          "the drive scored: the weakest this configuration is seen with", model_input=True),
    _fact("measured.cpu_seconds_per_kloc", "number", "CPU s/kloc", "configuration",
          lambda c: (None if c.mc.measured_cpu_s_per_kloc is None else FactValue(
              c.mc.measured_cpu_s_per_kloc.value, c.mc.measured_cpu_s_per_kloc.confidence,
              c.mc.measured_cpu_s_per_kloc.source, c.mc.measured_cpu_s_per_kloc.note)),
          "CPU s per 1,000 lines of a cold single-core build in a bench record of this machine", model_input=True),
    _fact("price.known", "bool", "", "configuration",
          given(lambda c: c.mc.config.market_price(c.profile.buyer_market) is not None, "configuration"),
          "a price is recorded for this configuration in the buyer's market"),
    _fact("price.recorded", "number", "currency", "configuration", _recorded_price,
          "the recorded price the budget is compared with, in its own currency", model_input=True),
    _fact("price.amount", "number", "currency", "configuration", _price_amount,
          "the price in the budget's currency (converted when needed)", derived_from=("price.recorded",)),
    _fact("price.currency", "str", "", "configuration",
          given(lambda c: c.profile.budget.currency if c.profile.budget else "USD"), "the budget's currency"),
    # the CPU
    _fact("cpu.id", "str", "", "cpu", given(lambda c: c.mc.cpu.id, "catalog"), "CPU id"),
    _fact("cpu.name", "str", "", "cpu", given(lambda c: c.mc.cpu.name, "catalog"), "CPU name"),
    _fact("cpu.vendor", "str", "", "cpu", given(lambda c: c.mc.cpu.vendor, "catalog"), "CPU vendor"),
    _fact("cpu.arch", "str", "", "cpu", described("cpu", "arch"), "instruction set (GOARCH)", model_input=True),
    _fact("cpu.launch_year", "number", "year", "cpu", described("cpu", "launch_year"), "CPU launch year"),
    _fact("cpu.performance_cores", "number", "cores", "cpu", sourced("cpu", "performance_cores"), "performance cores",
          model_input=True),
    _fact("cpu.efficiency_cores", "number", "cores", "cpu", sourced("cpu", "efficiency_cores"), "efficiency cores",
          model_input=True),
    _fact("cpu.threads", "number", "threads", "cpu", sourced("cpu", "threads"), "hardware threads (GOMAXPROCS)",
          model_input=True),
    _fact("cpu.base_clock_ghz", "number", "GHz", "cpu", sourced("cpu", "base_clock_ghz"), "base clock"),
    _fact("cpu.boost_clock_ghz", "number", "GHz", "cpu", sourced("cpu", "boost_clock_ghz"), "maximum boost clock",
          model_input=True),
    _fact("cpu.all_core_clock_ghz", "number", "GHz", "cpu", sourced("cpu", "all_core_clock_ghz"),
          "clock all performance cores hold together under an all-core load", model_input=True),
    _fact("cpu.l2_mb", "number", "MB", "cpu", sourced("cpu", "l2_mb"), "L2 cache"),
    _fact("cpu.l3_mb", "number", "MB", "cpu", sourced("cpu", "l3_mb"), "L3 cache"),
    _fact("cpu.system_level_cache_mb", "number", "MB", "cpu", sourced("cpu", "system_level_cache_mb"),
          "system-level cache"),
    _fact("cpu.base_power_w", "number", "W", "cpu", sourced("cpu", "base_power_w"),
          "base power (Intel Processor Base Power / TDP, AMD default TDP)", model_input=True),
    _fact("cpu.configurable_tdp_max_w", "number", "W", "cpu", sourced("cpu", "configurable_tdp_max_w"),
          "top of the vendor's configurable TDP range", model_input=True),
    _fact("cpu.max_turbo_power_w", "number", "W", "cpu", sourced("cpu", "max_turbo_power_w"),
          "maximum turbo power (Intel PL2)", model_input=True),
    _fact("cpu.package_power_measured_w", "number", "W", "cpu", sourced("cpu", "package_power_measured_w"),
          "package power a review measured under a sustained all-core load", model_input=True),
    _fact("cpu.memory_bandwidth_gbs", "number", "GB/s", "cpu", sourced("cpu", "memory_bandwidth_gbs"),
          "peak memory bandwidth"),
    _fact("cpu.max_memory_gb", "number", "GB", "cpu", sourced("cpu", "max_memory_gb"), "largest memory the CPU takes"),
    # the SSD this configuration ships
    _fact("ssd.name", "str", "", "ssd", described("ssd", "name"), "drive name"),
    _fact("ssd.segment", "str", "", "ssd", described("ssd", "segment"), "market segment"),
    _fact("ssd.form_factor", "str", "", "ssd", described("ssd", "form_factor"), "form factor"),
    _fact("ssd.controller", "str", "", "ssd", sourced("ssd", "controller"), "controller"),
    _fact("ssd.nand", "str", "", "ssd", sourced("ssd", "nand"), "NAND type", model_input=True),
    _fact("ssd.dram_cache", "str", "", "ssd", sourced("ssd", "dram_cache"), "DRAM cache"),
    _fact("ssd.volatile_write_cache", "bool", "", "ssd", sourced("ssd", "volatile_write_cache"),
          "volatile write cache"),
    _fact("ssd.power_loss_protection", "bool", "", "ssd", sourced("ssd", "power_loss_protection"),
          "power-loss protection"),
    _fact("ssd.tbw", "number", "TB", "ssd", _tbw, "rated endurance at this capacity", model_input=True),
    # the profile (given)
    _fact("profile.market", "str", "", "profile", _profile(lambda p: p.buyer_market),
          "the market the buyer buys in (prices are read there)"),
    _fact("profile.id", "str", "", "profile", _profile(lambda p: p.id), "profile id"),
    _fact("profile.race", "bool", "", "profile", _profile(lambda p: p.race), "tests run with -race"),
    _fact("profile.cgo", "bool", "", "profile", _profile(lambda p: p.cgo), "the code uses cgo"),
    _fact("profile.gopls", "bool", "", "profile", _profile(lambda p: p.gopls), "gopls runs in the editor"),
    _fact("profile.own_packages", "number", "packages", "profile", _profile(lambda p: p.own_packages),
          "packages of the module itself"),
    _fact("profile.own_lines", "number", "lines", "profile", _profile(lambda p: p.own_lines),
          "lines of the module itself"),
    _fact("profile.cross_targets", "number", "targets", "profile", _profile(lambda p: len(p.cross_compile_targets)),
          "cross-compile targets"),
    _fact("profile.cgo_cross_targets", "number", "targets", "profile",
          _profile(lambda p: len(p.cross_compile_targets) if p.cgo else 0), "cross-compile targets with cgo"),
    _fact("profile.containers", "number", "services", "profile", _profile(lambda p: len(p.containers)),
          "local containers and clusters"),
    _fact("profile.kind_cluster", "bool", "", "profile",
          _profile(lambda p: any(c.kind in ("kind-cluster", "k3d-cluster") for c in p.containers)),
          "a local Kubernetes cluster (kind or k3d)"),
    _fact("profile.fsync_services", "bool", "", "profile", _profile(lambda p: any(map(fsync_heavy, p.containers))),
          "local services that fsync on every commit"),
    _fact("profile.amd64_only_images", "bool", "", "profile",
          _profile(lambda p: any(c.image_arches == ("amd64",) for c in p.containers)),
          "container images only for amd64"),
    _fact("profile.deploy_arch", "str", "", "profile", _profile(lambda p: p.deploy_arch), "production architecture"),
    _fact("profile.requires_linux", "bool", "", "profile", _profile(lambda p: p.os == ("linux",)), "needs Linux only"),
    _fact("profile.requires_macos", "bool", "", "profile", _profile(lambda p: p.os == ("macos",)), "needs macOS only"),
    _fact("profile.requires_windows", "bool", "", "profile", _profile(lambda p: p.os == ("windows",)),
          "needs Windows only"),
    _fact("profile.names_os", "bool", "", "profile", _profile(lambda p: bool(p.os)),
          "the profile names the OSes it needs"),
    *(_fact(f"profile.wants_{os_name}", "bool", "", "profile",
            _profile(lambda p, os_name=os_name: not p.os or os_name in p.os),  # type: ignore[misc]
            f"{os_name} is among the OSes the profile needs (any OS when it names none)")
      for os_name in ("linux", "windows", "macos")),
    _fact("profile.travels", "bool", "", "profile", _profile(lambda p: p.travels), "the developer travels"),
    _fact("profile.has_budget", "bool", "", "profile", _profile(lambda p: p.budget is not None), "a budget is set"),
    _fact("profile.budget", "number", "currency", "profile", _profile(lambda p: p.budget.amount if p.budget else None),
          "the budget"),
    # predictions
    *(_fact(name, "number", unit, "prediction", predicted(name), description) for name, unit, description in (
        ("cold_build_s", "s", "a full rebuild with an empty cache"),
        ("edit_loop_s", "s", "rebuild after an edit"),
        ("test_s", "s", "a test run"),
        ("test_race_s", "s", "a test run with -race"),
        ("daily_wait_min", "min/day", "waiting on builds and tests a day"),
        ("peak_memory_gb", "GB", "peak memory"),
        ("memory_headroom_gb", "GB", "memory left at the peak"),
        ("idle_memory_free_gb", "GB", "memory free between builds, for the page cache"),
        ("test_peak_memory_gb", "GB", "peak memory of test binaries"),
        ("gocache_gb_per_day", "GB/day", "build-cache writes a day"),
        ("temp_writes_gb_per_day", "GB/day", "temporary writes a day"),
        ("host_writes_gb_per_day", "GB/day", "host writes a day"),
        ("endurance_years", "years", "years to the drive's rated endurance"),
        ("dev_footprint_gb", "GB", "disk taken by caches, modules and images"),
        ("free_storage_gb", "GB", "disk left free"),
        ("sustained_clock_ratio", "ratio", "share of the clock sustained in long builds"),
        ("thermal_slowdown_pct", "%", "cold-build slowdown from throttling"),
        ("emulated_images", "images", "container images run under emulation"),
        ("budget_ratio", "ratio", "price over budget"),
    )),
    _fact("race_supported", "bool", "", "prediction", _race_supported, "-race works on this OS and architecture"),
)

FACTS: dict[str, FactSpec] = {spec.name: spec for spec in REGISTRY}
FACT_TYPES: dict[str, str] = {spec.name: spec.type for spec in REGISTRY}


def did_you_mean(name: str, known: Iterable[str]) -> str:
    """' (did you mean X?)' for the closest known name, or ''."""
    close = similar(name, known, most=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def hardware_facts() -> tuple[FactSpec, ...]:
    """Facts read from the machine, its configuration, CPU and SSD, in declaration order."""
    return tuple(spec for spec in REGISTRY if spec.origin in HARDWARE_ORIGINS)


def facts_read_by_scores(knowledge: Knowledge) -> tuple[str, ...]:
    """Every fact the model, a rule or a criterion reads, with derived facts replaced by what they derive from."""
    read = {spec.name for spec in REGISTRY if spec.model_input}
    for names in knowledge.rule_reads.values():
        read.update(names)
    for policy in knowledge.scoring.criteria.values():
        read.update(policy.facts_read())
    expanded: set[str] = set()
    for name in read:
        expanded.update(FACTS[name].derived_from or (name,))
    return tuple(spec.name for spec in REGISTRY if spec.name in expanded)


def record_key(spec: FactSpec, mc: MachineConfig) -> tuple[str, str, str]:
    """(kind, record id, field) that a hardware fact of this configuration counts against in db check."""
    if spec.origin == "cpu":
        return ("cpu", mc.cpu.id, spec.name)
    if spec.origin == "machine":
        return ("machine", mc.machine.id, spec.name)
    # a drive's facts depend on which drive the configuration ships, so they count per configuration
    return ("configuration", mc.id, spec.name)


# ------------------------------------------------------------------ assembling
@dataclass(frozen=True)
class Facts:
    """Every fact of one configuration and profile; absent facts are left out (rules then do not match)."""

    values: Mapping[str, FactValue]

    def plain(self) -> dict[str, Any]:
        """name -> value, JSON-safe, for the rules engine and messages."""
        return {name: _json_safe(fact.value) for name, fact in self.values.items()}

    def confidence(self, name: str) -> str | None:
        fact = self.values.get(name)
        return None if fact is None else fact.confidence

    def get(self, name: str) -> FactValue | None:
        return self.values.get(name)


def assemble(mc: MachineConfig, profile: Profile, metrics: Metrics, knowledge: Knowledge) -> Facts:
    """Every registered fact for one configuration, profile and its predictions."""
    ctx = FactContext(mc=mc, profile=profile, metrics=metrics, knowledge=knowledge)
    values: dict[str, FactValue] = {}
    for spec in REGISTRY:
        fact = spec.read(ctx)
        if fact is not None:
            values[spec.name] = fact
    return Facts(values=values)


def _json_safe(value: Any) -> Any:
    # Facts must be JSON: no NaN or infinity. Rounding for the rules engine happens in engine.py.
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        return 1e9 if value > 0 else -1e9
    return value


# ------------------------------------------------------------------ rule vocabulary


def type_of(value: Any) -> str:
    """The registry type a constant in a rule or an example has."""
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
        return f"unknown fact {condition.fact!r}{did_you_mean(condition.fact, FACT_TYPES)}"
    if condition.op in ("exists", "absent"):
        return None if condition.value is None else f"{condition.op} takes no value"
    if condition.op == "in":
        if not isinstance(condition.value, (list, tuple)) or not condition.value:
            return "in needs a non-empty list"
        wrong = [v for v in condition.value if type_of(v) != fact_type]
        return f"in: {wrong[0]!r} is not a {fact_type} like {condition.fact}" if wrong else None
    if condition.op in ("lt", "le", "gt", "ge") and fact_type != "number":
        return f"{condition.op} needs a number fact; {condition.fact} is {fact_type}"
    if type_of(condition.value) != fact_type:
        # durable_rules silently coerces across types (8 < "9" matches); refuse it here.
        return f"{condition.op}: {condition.value!r} is not a {fact_type} like {condition.fact}"
    return None


# ------------------------------------------------------------------ rule messages
# Rule messages come from users' knowledge folders too: they render in jinja2's sandbox, over plain
# values only, and the bounded sandbox (advisor/sandbox.py) refuses huge loops, products and widths.
_MESSAGE_NAME = re.compile(r"[a-z_][a-z0-9_]*(?:\.[a-z0-9_]+)*")
_EXPRESSION = re.compile(r"\{\{(.*?)\}\}|\{%(.*?)%\}", re.S)


MESSAGE_RANGE_LIMIT = 1000


def message_environment() -> SandboxedEnvironment:
    """A fresh bounded sandbox for compiling rule messages (one per knowledge base; nothing global)."""
    environment = BoundedSandbox(undefined=jinja2.StrictUndefined, autoescape=False)
    environment.globals["range"] = Range(per_call=MESSAGE_RANGE_LIMIT, what="a message")
    return environment


def message_facts(template: str) -> tuple[str, ...]:
    """The registered facts a message template names, in order of first use."""
    names: list[str] = []
    for match in _EXPRESSION.finditer(template):
        for name in _MESSAGE_NAME.findall(match.group(1) or match.group(2) or ""):
            if name in FACTS and name not in names:
                names.append(name)
    return tuple(names)


def rule_reads(rule: Rule) -> tuple[str, ...]:
    """Every fact a rule reads: its conditions', then its message's, each once."""
    return tuple(dict.fromkeys((*(c.fact for c in rule.when.conditions()), *message_facts(rule.message))))


def nested(facts: Mapping[str, Any]) -> dict[str, Any]:
    """Dotted fact names as nested dicts, so messages can say {{ ssd.nand }}."""
    tree: dict[str, Any] = {}
    for name, value in facts.items():
        node = tree
        *parents, leaf = name.split(".")
        for part in parents:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):  # "x" and "x.y" both facts: keep the leaf value reachable
                break
            node = child
        else:
            node[leaf] = value
    return tree


def render_message(template: jinja2.Template, facts: Mapping[str, Any]) -> str:
    """A compiled message over plain fact values, numbers rounded for people, on one line."""
    values = {k: (round(v, 1) if isinstance(v, float) else v) for k, v in facts.items()}
    return " ".join(template.render(**nested(values)).split())


def sample_facts() -> dict[str, Any]:
    """A value of the right type for every fact, to check that messages render."""
    samples = {"number": 1.5, "bool": True, "str": "x"}
    return {name: samples[kind] for name, kind in FACT_TYPES.items()}


def compile_message(environment: SandboxedEnvironment, text: str) -> jinja2.Template:
    """Compile a message once and prove it renders over sample facts; errors are ValueError."""
    try:
        template = environment.from_string(text)
        render_message(template, sample_facts())
    except (jinja2.TemplateError, OverflowError, TypeError, ValueError, ArithmeticError) as error:
        raise ValueError(f"does not render: {error}") from None
    return template
