"""Hardware records: CPUs, SSDs, machines, their configurations and the catalog that holds them."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from advisor.types.provenance import (
    Confidence,
    DateText,
    Frozen,
    Record,
    Sourced,
)

# Arch, OsName, Market, Currency and MARKET_CURRENCY are the CLI's choices: declared where --help can read
# them without building these models.
from advisor.vocabulary import MARKET_CURRENCY, Arch, Currency, Market, OsName  # noqa: F401

OsLevel = Literal["certified", "works", "partial", "poor", "none"]
Nand = Literal["SLC", "MLC", "TLC", "QLC"]
CoolingDesign = Literal["fanless", "one-fan", "two-fans", "vapor-chamber"]
# How a configuration's drive is known: the vendor names it, a teardown or review found it, probe reports of
# the model show it (say N of M), or the project guesses it.
DriveKnownBy = Literal["vendor-spec", "teardown", "review", "probes", "estimate"]

OS_LEVEL_ORDER: tuple[str, ...] = ("certified", "works", "partial", "poor", "none")


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
    all_core_clock_ghz: Sourced[float] | None = None
    l2_mb: Sourced[float] | None = None
    l3_mb: Sourced[float | None] | None = None
    system_level_cache_mb: Sourced[float | None] | None = None
    base_power_w: Sourced[float] | None = None
    configurable_tdp_w: Sourced[tuple[float, float | None]] | None = None  # Intel 12th gen+: minimum only
    max_turbo_power_w: Sourced[float] | None = None
    package_power_measured_w: Sourced[float] | None = None
    memory_types: Sourced[list[str]]
    memory_bus_width_bits: Sourced[int]
    max_memory_transfer_mts: Sourced[int]
    max_memory_gb: Sourced[int] | None = None
    memory_bandwidth_gbs: Sourced[float]

    @property
    def configurable_tdp_max_w(self) -> Sourced[float] | None:
        """The top of the configurable TDP range, with the range's evidence; None when unpublished."""
        ctdp = self.configurable_tdp_w
        if ctdp is None or ctdp.value[1] is None:
            return None
        return Sourced[float](value=ctdp.value[1], source=ctdp.source, confidence=ctdp.confidence, note=ctdp.note)

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
        if self.all_core_clock_ghz is not None:
            checks.append((0 < self.all_core_clock_ghz.value <= self.boost_clock_ghz.value, "all_core_clock_ghz",
                           f"all-core {self.all_core_clock_ghz.value} GHz is not within 0 and the boost clock"))
        if self.base_clock_ghz is not None:
            checks.append((self.base_clock_ghz.value <= self.boost_clock_ghz.value,
                           "boost_clock_ghz",
                           f"boost {self.boost_clock_ghz.value} GHz is below base {self.base_clock_ghz.value} GHz"))
        if self.configurable_tdp_w is not None:
            low, high = self.configurable_tdp_w.value
            checks.append((0 < low <= (low if high is None else high), "configurable_tdp_w",
                           f"range {low}-{high} W is not ascending"))
        if self.base_power_w is not None and self.max_turbo_power_w is not None:
            checks.append((self.base_power_w.value <= self.max_turbo_power_w.value,
                           "max_turbo_power_w", "maximum turbo power below base power"))
        for ok, name, message in checks:
            if not ok:
                raise ValueError(f"{name}: {message}")
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
    """One price seen for a configuration in one market: a list price (the vendor's own store or price list)
    or a street price (one retailer on one day)."""

    amount: float = Field(gt=0)
    currency: Currency
    market: Market
    kind: Literal["list", "street"]
    seen: Annotated[DateText, Field(pattern=r"^\d{4}-\d{2}(-\d{2})?$")]
    source: str
    confidence: Confidence
    note: str | None = None

    @model_validator(mode="after")
    def _market_currency(self) -> "Price":
        if MARKET_CURRENCY[self.market] != self.currency:
            raise ValueError(f"currency: {self.market} prices are in {MARKET_CURRENCY[self.market]}, "
                             f"not {self.currency}")
        return self


class NoPrice(Frozen):
    """A market where a configuration is offered but no public price could be found, and why."""

    market: Market
    reason: str = Field(min_length=10)


class DriveSighting(Frozen):
    """One drive a configuration is seen with, and how that is known."""

    ssd: str
    known_by: DriveKnownBy
    probes_seen: int | None = Field(default=None, ge=0)   # probe reports of this model showing this drive
    probes_total: int | None = Field(default=None, ge=1)  # probe reports of this model with a drive named
    source: str
    confidence: Confidence
    note: str | None = None
    unknowable: str | None = None  # why no public source can say which drive ships (e.g. no probe reports)

    @model_validator(mode="after")
    def _probes(self) -> "DriveSighting":
        if (self.known_by == "probes") != (self.probes_seen is not None and self.probes_total is not None):
            raise ValueError("probes_seen: give probes_seen and probes_total exactly when known_by is probes")
        if self.probes_seen is not None and self.probes_total is not None and self.probes_seen > self.probes_total:
            raise ValueError("probes_seen: more than probes_total")
        return self

    def as_sourced(self) -> Sourced[str]:
        return Sourced[str](value=self.ssd, source=self.source, confidence=self.confidence, note=self.note,
                            unknowable=self.unknowable)


class Configuration(Frozen):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9.+-]*$")
    cpu: str
    ram_gb: int = Field(gt=0)
    storage_gb: int = Field(gt=0)
    drives: tuple[DriveSighting, ...] = Field(min_length=1)
    prices: tuple[Price, ...] = ()
    no_public_price: tuple[NoPrice, ...] = ()

    def price(self, currency: str) -> Price | None:
        """The most recently seen price in currency, if any."""
        matching = [p for p in self.prices if p.currency == currency]
        return max(matching, key=lambda p: p.seen) if matching else None

    def market_price(self, market: str) -> Price | None:
        """The price a configuration is judged by, everywhere: the newest seen in the buyer's market (a list
        price before a street price of the same date)."""
        matching = [p for p in self.prices if p.market == market]
        return max(matching, key=lambda p: (p.seen, p.kind == "list")) if matching else None


class Machine(Record):
    family: str
    launch_year: int = Field(ge=2015, le=2030)
    markets: Sourced[tuple[Market, ...]]
    baseline_only: bool = False  # no longer sold: kept to compare an upgrade against (compare --baseline)
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
                raise ValueError(f"configurations.{config.id}.ram_gb: {config.ram_gb} GB exceeds ram.max_gb "
                                 f"{self.ram.max_gb.value} GB")
        return self


class MachineConfig(Frozen):
    """One purchasable configuration with its records resolved: the ranking unit."""

    machine: Machine
    config: Configuration
    cpu: Cpu
    ssd: Ssd
    drive: DriveSighting  # the sighting scored: the weakest plausible drive of the configuration
    # CPU seconds per 1,000 compiled lines this machine took in a `go-advisor bench` record naming it
    # (hardware_db/measurements/): where present it sets the machine's core speed instead of the estimate
    measured_cpu_s_per_kloc: Sourced[float] | None = None

    @property
    def id(self) -> str:
        return f"{self.machine.id}/{self.config.id}"

    @property
    def label(self) -> str:
        cpu = self.cpu.name.replace(self.cpu.vendor + " ", "").replace("Snapdragon ", "").split(" (")[0]
        return f"{self.machine.name} · {cpu} · {self.config.ram_gb} GB/{_storage_label(self.config.storage_gb)}"


def _storage_label(storage_gb: int) -> str:
    return f"{storage_gb // 1000} TB" if storage_gb >= 1000 else f"{storage_gb} GB"


@dataclass(frozen=True, eq=False)
class Catalog:
    cpus: dict[str, Cpu]
    ssds: dict[str, Ssd]
    machines: dict[str, Machine]
    # (kind, id) -> where the record was read; filled by the loader, for error messages.
    locations: dict[tuple[str, str], Any] = field(default_factory=dict, compare=False)
    # machine or machine/configuration id -> its measured CPU s per kloc (advisor.measured)
    measured: dict[str, Sourced[float]] = field(default_factory=dict, compare=False)

    def measured_for(self, machine: Machine, config: Configuration) -> Sourced[float] | None:
        """A bench record's figure for this configuration, else for its machine, else None."""
        return self.measured.get(f"{machine.id}/{config.id}") or self.measured.get(machine.id)

    def machine_configs(self) -> list[MachineConfig]:
        """Every configuration, resolved, in id order; each scored on its weakest plausible drive."""
        result = []
        for machine_id in sorted(self.machines):
            machine = self.machines[machine_id]
            for config in machine.configurations:
                mc = resolve(machine, config, self.cpus, self.ssds)
                measured = self.measured_for(machine, config)
                result.append(mc.model_copy(update={"measured_cpu_s_per_kloc": measured}) if measured else mc)
        return sorted(result, key=lambda mc: mc.id)

    def find_configs(self, ref: str) -> list[MachineConfig]:
        """Configurations named by `machine` or `machine/config`; empty when unknown."""
        machine_id, _, config_id = ref.partition("/")
        return [mc for mc in self.machine_configs()
                if mc.machine.id == machine_id and (not config_id or mc.config.id == config_id)]



_NAND_ENDURANCE_ORDER = ("QLC", "TLC", "MLC", "SLC")


def weakest_drive(config: Configuration, ssds: dict[str, Ssd]) -> DriveSighting:
    """The sighting with the least rated endurance at this capacity: an unrated drive first (its endurance
    is unknown), then the lowest TBW, then the weaker NAND; ties keep the listed order."""
    def endurance(sighting: DriveSighting) -> tuple[int, float, int]:
        ssd = ssds[sighting.ssd]
        capacity = ssd.capacity(config.storage_gb)
        tbw = capacity.tbw.value if capacity is not None and capacity.tbw is not None else None
        return (0 if tbw is None else 1, tbw or 0.0, _NAND_ENDURANCE_ORDER.index(ssd.nand.value))
    return min(config.drives, key=endurance)


def resolve(machine: Machine, config: Configuration, cpus: dict[str, Cpu], ssds: dict[str, Ssd]) -> MachineConfig:
    """One configuration with its records looked up, scored on its weakest plausible drive."""
    drive = weakest_drive(config, ssds)
    return MachineConfig(machine=machine, config=config, cpu=cpus[config.cpu], ssd=ssds[drive.ssd], drive=drive)
