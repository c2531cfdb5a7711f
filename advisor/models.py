"""Immutable domain records: hardware, knowledge, profiles and results."""
from __future__ import annotations

import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from advisor.provenance import Confidence, Sourced

Arch = Literal["amd64", "arm64"]
OsName = Literal["linux", "macos", "windows"]
OsLevel = Literal["certified", "works", "partial", "poor", "none"]
Nand = Literal["SLC", "MLC", "TLC", "QLC"]
CoolingDesign = Literal["fanless", "one-fan", "two-fans", "vapor-chamber"]
Criterion = Literal["build", "memory", "storage", "thermals", "platform", "os", "budget", "portability"]
CRITERIA: tuple[str, ...] = ("build", "memory", "storage", "thermals", "platform", "os", "budget", "portability")

OS_LEVEL_ORDER: tuple[str, ...] = ("certified", "works", "partial", "poor", "none")


def _date_text(value: Any) -> Any:
    # YAML reads an unquoted 2026-11-27 as a date; dates are kept as ISO text.
    return value.isoformat() if isinstance(value, datetime.date) else value


DateText = Annotated[str, BeforeValidator(_date_text)]


class Frozen(BaseModel):
    """Base: immutable, strict about unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class FieldNote(Frozen):
    """Provenance written on a descriptive (non-scoring) field in long form."""

    source: str | None = None
    confidence: Confidence | None = None
    note: str | None = None


class Record(Frozen):
    """A hardware record: an id, a name and default provenance for its fields."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9.+-]*$")
    name: str
    vendor: str
    source: str | None = None
    confidence: Confidence | None = None
    notes: str | None = None
    # Filled by the loader from long-form descriptive fields; not written in YAML.
    field_provenance: dict[str, FieldNote] = Field(default_factory=dict)


# ---------------------------------------------------------------- CPU
class CoreFamilies(Frozen):
    performance: str
    efficiency: str | None = None


class Cpu(Record):
    arch: Arch
    microarchitecture: str
    core_families: CoreFamilies
    launch_year: int = Field(ge=2015, le=2030)
    performance_cores: Sourced[int]
    efficiency_cores: Sourced[int]
    threads: Sourced[int]
    base_clock_ghz: Sourced[float] | None = None
    boost_clock_ghz: Sourced[float]
    l2_mb: Sourced[float] | None = None
    l3_mb: Sourced[float | None] | None = None
    system_level_cache_mb: Sourced[float | None] | None = None
    default_power_w: Sourced[float] | None = None
    max_power_w: Sourced[float] | None = None
    memory_types: Sourced[list[str]]
    memory_bus_width_bits: Sourced[int]
    max_memory_transfer_mts: Sourced[int]
    max_memory_gb: Sourced[int] | None = None
    memory_bandwidth_gbs: Sourced[float]

    @model_validator(mode="after")
    def _consistent(self) -> "Cpu":
        checks = [
            (self.performance_cores.value >= 1, "performance_cores", "must be at least 1"),
            (self.efficiency_cores.value >= 0, "efficiency_cores", "must not be negative"),
            (self.threads.value >= self.performance_cores.value + self.efficiency_cores.value,
             "threads", "fewer threads than cores"),
            (self.threads.value <= 2 * (self.performance_cores.value + self.efficiency_cores.value),
             "threads", "more threads than cores with SMT"),
            (0.3 <= self.boost_clock_ghz.value <= 7.0, "boost_clock_ghz", "outside 0.3–7 GHz"),
            (self.max_memory_gb is None or self.max_memory_gb.value > 0, "max_memory_gb", "must be positive"),
            (self.memory_bandwidth_gbs.value > 0, "memory_bandwidth_gbs", "must be positive"),
        ]
        if self.base_clock_ghz is not None:
            checks.append((self.base_clock_ghz.value <= self.boost_clock_ghz.value,
                           "boost_clock_ghz", f"boost {self.boost_clock_ghz.value} GHz is below base {self.base_clock_ghz.value} GHz"))
        if self.default_power_w is not None and self.max_power_w is not None:
            checks.append((self.default_power_w.value <= self.max_power_w.value,
                           "max_power_w", "maximum power below default power"))
        for ok, field, message in checks:
            if not ok:
                raise ValueError(f"{field}: {message}")
        return self


# ---------------------------------------------------------------- SSD
class SsdCapacity(Frozen):
    capacity_gb: int = Field(gt=0)
    tbw: Sourced[float] | None = None
    random_write_iops: Sourced[int] | None = None
    seq_write_mbs: Sourced[int] | None = None


class Ssd(Record):
    segment: Literal["client-oem", "client-retail", "integrated", "data-centre"]
    form_factor: str
    pcie_gen: Sourced[int] | None = None
    pcie_lanes: Sourced[int] | None = None
    controller: Sourced[str] | None = None
    nand: Sourced[Nand]
    dram_cache: Sourced[Literal["dram", "hmb", "none"]] | None = None
    volatile_write_cache: Sourced[bool]
    power_loss_protection: Sourced[bool]
    typical_active_power_w: Sourced[float | None] | None = None
    capacities: tuple[SsdCapacity, ...] = Field(min_length=1)

    def capacity(self, capacity_gb: int) -> SsdCapacity | None:
        """The rated capacity entry closest to capacity_gb (OEM 1000 vs 1024 naming)."""
        best = min(self.capacities, key=lambda c: abs(c.capacity_gb - capacity_gb))
        return best if abs(best.capacity_gb - capacity_gb) <= 0.1 * capacity_gb else None


# ---------------------------------------------------------------- Machine
class Ram(Frozen):
    type: str
    soldered: Sourced[bool]
    options_gb: tuple[int, ...] = Field(min_length=1)
    max_gb: Sourced[int]

    @model_validator(mode="after")
    def _positive(self) -> "Ram":
        if any(gb <= 0 for gb in self.options_gb):
            raise ValueError("options_gb: RAM sizes must be positive")
        if self.max_gb.value < max(self.options_gb):
            raise ValueError(f"max_gb: {self.max_gb.value} GB is below the largest option {max(self.options_gb)} GB")
        return self


class Storage(Frozen):
    options_gb: tuple[int, ...] = Field(min_length=1)
    m2_slots: int = Field(ge=0)
    m2_slots_free: int = Field(ge=0)
    form_factor: str | None = None


class Cooling(Frozen):
    design: Sourced[CoolingDesign]
    sustained_power_w: Sourced[float] | None = None


class OsSupportEntry(Frozen):
    level: OsLevel
    note: str | None = None
    source: str | None = None
    confidence: Confidence | None = None


class Price(Frozen):
    amount: float = Field(gt=0)
    currency: Literal["USD", "CNY", "EUR", "GBP"]
    seen: Annotated[DateText, Field(pattern=r"^\d{4}-\d{2}(-\d{2})?$")]
    source: str
    confidence: Confidence
    note: str | None = None


class Configuration(Frozen):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9.+-]*$")
    cpu: str
    ram_gb: int = Field(gt=0)
    storage_gb: int = Field(gt=0)
    ssd: Sourced[str]
    prices: tuple[Price, ...] = ()

    def price(self, currency: str) -> Price | None:
        """The most recently seen price in currency, if any."""
        matching = [p for p in self.prices if p.currency == currency]
        return max(matching, key=lambda p: p.seen) if matching else None


class Machine(Record):
    family: str
    launch_year: int = Field(ge=2015, le=2030)
    markets: tuple[str, ...] = ("global",)
    cpu_options: tuple[str, ...] = Field(min_length=1)
    ram: Ram
    storage: Storage
    cooling: Cooling
    weight_kg: Sourced[float]
    battery_wh: Sourced[float] | None = None
    thunderbolt_usb4_ports: Sourced[int] | None = None
    os_support: dict[OsName, OsSupportEntry]
    configurations: tuple[Configuration, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> "Machine":
        if not 0.3 <= self.weight_kg.value <= 5.0:
            raise ValueError(f"weight_kg: {self.weight_kg.value} kg is not a laptop's weight")
        if self.storage.m2_slots_free > self.storage.m2_slots:
            raise ValueError("storage.m2_slots_free: more free slots than slots")
        ids = [c.id for c in self.configurations]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"configurations: duplicate id {duplicates[0]!r}")
        for config in self.configurations:
            if config.cpu not in self.cpu_options:
                raise ValueError(f"configurations.{config.id}.cpu: {config.cpu!r} is not in cpu_options")
            if config.ram_gb > self.ram.max_gb.value:
                raise ValueError(f"configurations.{config.id}.ram_gb: {config.ram_gb} GB exceeds ram.max_gb {self.ram.max_gb.value} GB")
        return self


class MachineConfig(Frozen):
    """One purchasable configuration with its records resolved: the ranking unit."""

    machine: Machine
    config: Configuration
    cpu: Cpu
    ssd: Ssd

    @property
    def id(self) -> str:
        return f"{self.machine.id}/{self.config.id}"

    @property
    def label(self) -> str:
        cpu = self.cpu.name.replace(self.cpu.vendor + " ", "").replace("Snapdragon ", "").split(" (")[0]
        return f"{self.machine.name} · {cpu} · {self.config.ram_gb} GB/{_storage_label(self.config.storage_gb)}"


def _storage_label(storage_gb: int) -> str:
    return f"{storage_gb // 1000} TB" if storage_gb >= 1000 else f"{storage_gb} GB"


# ---------------------------------------------------------------- Knowledge
class Source(Frozen):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9.+-]*$")
    title: str
    url: str | None = None
    repo: str | None = None
    path: str | None = None
    publisher: str | None = None
    kind: Literal["vendor-spec", "datasheet", "vendor-claim", "secondary", "aggregator", "review", "go-source",
                  "go-doc", "docs", "commit", "article", "news", "news-leak", "blog", "forum", "measurement",
                  "derivation", "policy"]
    accessed: DateText | None = None
    date: DateText | None = None
    note: str | None = None
    reliability: str | None = None
    used_for: str | None = None

    @model_validator(mode="after")
    def _locatable(self) -> "Source":
        if not (self.url or (self.repo and self.path)) and self.kind not in ("measurement", "derivation", "policy", "article"):
            raise ValueError("url: a source needs a url, or repo and path")
        return self


class Coefficient(Frozen):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9._+-]*$")
    value: float | dict[str, float]
    unit: str
    confidence: Confidence
    sources: tuple[str, ...] = Field(min_length=1)
    description: str
    derivation: str | None = None
    range: tuple[float, float] | None = None
    refuted_by: str | None = None

    @model_validator(mode="after")
    def _estimate_explained(self) -> "Coefficient":
        if self.confidence in ("estimate", "refuted") and not (self.derivation or self.refuted_by):
            raise ValueError("derivation: an estimate or refuted coefficient must say how it was derived or why it is wrong")
        return self


OPERATORS = ("eq", "ne", "lt", "le", "gt", "ge", "in", "exists", "absent")


class Condition(Frozen):
    """One comparison of a fact against a constant; see engine for the operators."""

    fact: str
    op: Literal["eq", "ne", "lt", "le", "gt", "ge", "in", "exists", "absent"]
    value: Any = None

    @model_validator(mode="before")
    @classmethod
    def _short_form(cls, data: Any) -> Any:
        # Rules are written `{fact: ssd.nand, eq: QLC}` or `{fact: battery_wh, absent: true}`.
        if isinstance(data, dict) and "op" not in data:
            ops = [key for key in data if key not in ("fact", "value")]
            if len(ops) == 1 and ops[0] in OPERATORS:
                op = ops[0]
                value = data[op]
                if op in ("exists", "absent"):
                    if value is not True:
                        raise ValueError(f"{op}: write `{op}: true`")
                    value = None
                return {"fact": data.get("fact"), "op": op, "value": value}
            if len(ops) != 1:
                raise ValueError(f"a condition needs exactly one operator of {', '.join(OPERATORS)}")
            raise ValueError(f"unknown operator {ops[0]!r}; use one of {', '.join(OPERATORS)}")
        return data


class When(Frozen):
    all: tuple["Condition | When", ...] = ()
    any: tuple["Condition | When", ...] = ()


class Effect(Frozen):
    penalty: float | None = Field(default=None, ge=0, le=100)
    bonus: float | None = Field(default=None, ge=0, le=100)
    disqualify: bool = False
    warn: bool = False

    @model_validator(mode="after")
    def _exactly_one(self) -> "Effect":
        chosen = [self.penalty is not None, self.bonus is not None, self.disqualify, self.warn]
        if sum(chosen) != 1:
            raise ValueError("effect: give exactly one of penalty, bonus, disqualify, warn")
        return self

    @property
    def label(self) -> str:
        if self.penalty is not None:
            return f"-{self.penalty:g}"
        if self.bonus is not None:
            return f"+{self.bonus:g}"
        return "disqualify" if self.disqualify else "warn"


class Rule(Frozen):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]*$")
    criterion: Criterion
    when: When
    effect: Effect
    severity: Literal["info", "low", "medium", "high", "critical"]
    confidence: Confidence
    uses: tuple[str, ...] = ()
    sources: tuple[str, ...] = Field(min_length=1)
    message: str
    file: str = ""
    line: int = 0


class Budget(Frozen):
    amount: float = Field(gt=0)
    currency: Literal["USD", "CNY", "EUR", "GBP"] = "USD"


class Container(Frozen):
    """A service the developer runs locally next to their Go code."""

    name: str
    kind: Literal["kind-cluster", "k3d-cluster", "postgres", "mysql", "redis", "etcd", "kafka", "mongodb", "generic"]
    memory_gb: float | None = Field(default=None, gt=0)
    fsync_heavy: bool | None = None
    image_arches: tuple[Arch, ...] = ("amd64", "arm64")


class Profile(Frozen):
    """A developer's Go workload: what the model predicts hardware against."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]*$")
    name: str
    description: str
    represents: str | None = None
    own_packages: int = Field(ge=1)
    own_lines: int = Field(ge=1)
    dependency_packages: int = Field(ge=0)
    dependency_lines: int = Field(ge=0)
    std_packages: int | None = Field(default=None, ge=0, description="standard-library packages the build compiles; unset: the go.build.std_packages_typical coefficient")
    std_lines: int | None = Field(default=None, ge=0, description="lines of those packages; unset: the go.build.std_lines_typical coefficient")
    test_packages: int = Field(default=0, ge=0)
    edit_builds_per_day: int = Field(ge=0, le=2000)
    changed_packages_per_edit: float = Field(default=2, ge=1)
    full_rebuilds_per_day: float = Field(ge=0, le=100)
    test_runs_per_day: int = Field(ge=0, le=1000)
    test_cpu_seconds: float = Field(default=10, ge=0, description="CPU seconds one test run executes on the reference core, excluding compilation")
    race: bool = False
    race_share: float | None = Field(default=None, ge=0, le=1, description="share of test runs with -race; defaults to 1 when race is on")
    cgo: bool = False
    cross_compile_targets: tuple[str, ...] = ()
    gopls: bool = True
    containers: tuple[Container, ...] = ()
    deploy_arch: Literal["amd64", "arm64", "any"] = "any"
    os: tuple[OsName, ...] = ()
    arch: tuple[Arch, ...] = ()
    budget: Budget | None = None
    weights: dict[Criterion, float] = Field(default_factory=dict)
    travels: bool = False
    provenance: dict[str, str] = Field(default_factory=dict)

    @property
    def race_fraction(self) -> float:
        """Share of test runs that use -race."""
        if not self.race:
            return 0.0
        return 1.0 if self.race_share is None else self.race_share

    @model_validator(mode="after")
    def _consistent(self) -> "Profile":
        if not self.race and self.race_share:
            raise ValueError("race_share: set race: true to run tests with -race")
        for target in self.cross_compile_targets:
            if target.count("/") != 1:
                raise ValueError(f"cross_compile_targets: {target!r} is not GOOS/GOARCH")
        if any(w < 0 for w in self.weights.values()):
            raise ValueError("weights: weights must not be negative")
        return self


# ---------------------------------------------------------------- Results
class Input(Frozen):
    """One input of a derived quantity: a coefficient, a hardware field or a profile field."""

    name: str
    value: Any
    unit: str = ""
    source: str | None = None
    confidence: Confidence = "documented"
    note: str | None = None


class Quantity(Frozen):
    """A predicted number with its unit, formula, inputs and weakest confidence."""

    name: str
    value: float | None
    unit: str
    formula: str
    confidence: Confidence
    inputs: tuple[Input, ...] = ()
    not_assessed: str | None = None


class Metrics(Frozen):
    machine_config: str
    quantities: dict[str, Quantity]
    facts: dict[str, Any]

    def value(self, name: str) -> float | None:
        quantity = self.quantities.get(name)
        return None if quantity is None else quantity.value


class Finding(Frozen):
    rule_id: str
    criterion: Criterion
    effect: Effect
    severity: str
    confidence: Confidence
    message: str
    sources: tuple[str, ...]
    uses: tuple[str, ...] = ()


class CriterionScore(Frozen):
    criterion: Criterion
    base: float | None
    adjustment: float
    score: float | None
    weight: float
    basis: str


class Score(Frozen):
    machine_config: str
    machine_id: str
    label: str
    total: float
    criteria: tuple[CriterionScore, ...]
    disqualified: bool
    disqualified_by: tuple[str, ...] = ()
    findings: tuple[Finding, ...] = ()
    metrics: Metrics
    price: Price | None = None


class Recommendation(Frozen):
    profile: Profile
    evidence: str
    weights: dict[str, float]
    ranked: tuple[Score, ...]
    disqualified: tuple[Score, ...]
    rules_backend: str
    sources: dict[str, Source]
