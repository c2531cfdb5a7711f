"""The numeric Go workload model: pure functions from (machine, profile, coefficients) to predictions.

Every number is a Quantity that lists its inputs (coefficients by id, hardware fields with their
sources, profile fields), the formula, and the weakest confidence among them. A coefficient or
hardware field weaker than the accepted evidence makes the quantities that need it "not assessed".
"""
from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from typing import Any, Callable, TypeVar

from advisor.types import (
    EVIDENCE_ORDER,
    OS_LEVEL_ORDER,
    Input,
    Knowledge,
    MachineConfig,
    Metrics,
    Profile,
    Quantity,
    Record,
    Sourced,
    weakest,
)


class NotAccepted(Exception):
    """An input's confidence is below the evidence the user accepts."""


# Inputs are immutable and most recur in every configuration (a coefficient, a profile field, a CPU's clock):
# one object each saves validating it again and keeps the scores of a large database small.
_INPUTS: dict[tuple, Input] = {}
_INPUTS_LIMIT = 200_000  # a long-lived process starts afresh past this many


def _shareable(value: Any) -> bool:
    # Scalars only; a float zero (0.0 == -0.0) or NaN (never equal) would be shared with the wrong twin.
    return value is None or type(value) in (str, int, bool) or type(value) is float and value == value and value != 0


# knowledge base -> (coefficient id, key, accepted levels) -> its input and value, or why it is not accepted
_COEFFICIENTS: weakref.WeakKeyDictionary[Knowledge, dict[tuple, tuple[Input, float] | str]] = \
    weakref.WeakKeyDictionary()

# pydantic gives every instance its own set of the field names it was given: 728 bytes for six names, most
# of an Input or a Quantity. Frozen models never change theirs and a copy copies it, so alike ones share one.
_FIELD_SETS: dict[frozenset[str], set[str]] = {}
Model = TypeVar("Model", Input, Quantity)


def _compact(model: Model) -> Model:
    names = model.__pydantic_fields_set__
    shared = _FIELD_SETS.setdefault(frozenset(names), names)
    if shared is not names:
        object.__setattr__(model, "__pydantic_fields_set__", shared)
    return model


def _input(name: str, value: Any, unit: str = "", source: str | None = None, confidence: str | None = None,
           note: str | None = None) -> Input:
    """The Input of these fields, one object per distinct set of them."""
    if not _shareable(value):
        return _compact(Input(name=name, value=value, unit=unit, source=source, confidence=confidence, note=note))
    key = (name, type(value), value, unit, source, confidence, note)
    found = _INPUTS.get(key)
    if found is None:
        if len(_INPUTS) >= _INPUTS_LIMIT:
            _INPUTS.clear()
        found = _INPUTS[key] = _compact(Input(name=name, value=value, unit=unit, source=source,
                                              confidence=confidence, note=note))
    return found


@dataclass
class Calc:
    """Collects the inputs of one quantity while it is computed."""

    knowledge: Knowledge
    accepted: frozenset[str]
    inputs: list[Input] = field(default_factory=list)
    provenance: dict[str, str] = field(default_factory=dict)  # the profile's: where each of its values came from
    _seen: set[tuple[str, Any]] = field(default_factory=set, repr=False)

    def _record(self, item: Input) -> None:
        # helpers such as the cold cache size are read by several terms of one formula: list each input once
        # (same name, equal value); a set answers for hashable values, NaN never equals a recorded one
        value = item.value
        if type(value) is float and value != value:
            self.inputs.append(item)
            return
        try:
            key = (item.name, value)
            if key not in self._seen:
                self._seen.add(key)
                self.inputs.append(item)
        except TypeError:  # an unhashable value: compare with each input, as equality decides
            if all(i.name != item.name or i.value != value for i in self.inputs):
                self.inputs.append(item)

    def coef(self, coefficient_id: str, key: str | None = None) -> float:
        # a coefficient reads the same in every quantity of every configuration: look it up once per
        # knowledge base and evidence level
        read = _COEFFICIENTS.setdefault(self.knowledge, {})
        found = read.get((coefficient_id, key, self.accepted))
        if found is None:
            found = read[(coefficient_id, key, self.accepted)] = self._read_coef(coefficient_id, key)
        if isinstance(found, str):
            raise NotAccepted(found)
        self._record(found[0])
        return found[1]

    def _read_coef(self, coefficient_id: str, key: str | None) -> tuple[Input, float] | str:
        """The coefficient's input and value, or why the accepted evidence leaves it out."""
        coefficient = self.knowledge.coefficient(coefficient_id)
        if coefficient.confidence not in self.accepted:
            return f"{coefficient_id} is {coefficient.confidence}"
        value = coefficient.value
        name = coefficient_id
        if isinstance(value, dict):
            if key not in value:
                raise KeyError(f"coefficient {coefficient_id} has no value for {key!r}")
            value, name = value[key], f"{coefficient_id}[{key}]"
        return (_input(name=name, value=value, unit=coefficient.unit, source=",".join(coefficient.sources),
                       confidence=coefficient.confidence, note=coefficient.derivation), float(value))

    def optional_coef(self, coefficient_id: str, key: str | None = None) -> float | None:
        """A coefficient used only when the accepted evidence admits it (seed claims)."""
        try:
            return self.coef(coefficient_id, key)
        except NotAccepted:
            return None

    def hw(self, name: str, sourced: Sourced, confidence: str | None = None) -> Any:
        """A hardware field with its own provenance; `confidence` may only weaken it (a drive's fitting)."""
        level = weakest(sourced.confidence, confidence) if confidence else sourced.confidence
        if level not in self.accepted:
            raise NotAccepted(f"{name} is {level}")
        self._record(_input(name=name, value=sourced.value, source=sourced.source,
                                 confidence=level, note=sourced.note))
        return sourced.value

    def record(self, name: str, value: Any, record: Record) -> Any:
        """A descriptive field of a record (cpu.arch): the record's own source and confidence."""
        level = weakest(record.confidence)
        if level not in self.accepted:
            raise NotAccepted(f"{name} is {level}")
        self._record(_input(name=name, value=value, source=record.source, confidence=level))
        return value

    def given(self, name: str, value: Any, unit: str = "", note: str | None = None) -> Any:
        """A profile field or the configuration asked about: the question, not evidence (no confidence)."""
        source = "profile" if name.startswith("profile.") else "configuration"
        if note is None and source == "profile":
            note = self.provenance.get(name.removeprefix("profile.")) or self.provenance.get("*")
        self._record(_input(name=name, value=value, unit=unit, source=source, confidence=None, note=note))
        return value

    def uses(self, quantity: Quantity) -> float:
        if quantity.value is None:
            # pass the root reason on unchanged, so it is stated once however deep the chain
            raise NotAccepted(quantity.not_assessed or f"{quantity.name} is not assessed")
        self._record(_input(name=quantity.name, value=quantity.value, unit=quantity.unit, source="model",
                                 confidence=quantity.confidence))
        return quantity.value


def _quantity(name: str, unit: str, formula: str, knowledge: Knowledge, accepted: frozenset[str],
              compute: Callable[[Calc], float], provenance: dict[str, str] | None = None) -> Quantity:
    calc = Calc(knowledge, accepted, provenance=provenance or {})
    try:
        value = compute(calc)
    except NotAccepted as reason:
        return _compact(Quantity(name=name, value=None, unit=unit, formula=formula,
                                 confidence=_confidence(calc.inputs), inputs=tuple(calc.inputs),
                                 not_assessed=str(reason)))
    confidence = _confidence(calc.inputs)
    return _compact(Quantity(name=name, value=float(value), unit=unit, formula=formula, confidence=confidence,
                             inputs=tuple(calc.inputs)))


_RANK = {level: rank for rank, level in enumerate(EVIDENCE_ORDER)}


def _confidence(inputs: list[Input]) -> str | None:
    """Weakest evidence among the inputs; None when all are given; "unsourced" when there are none."""
    if not inputs:
        return "unsourced"
    levels = [i.confidence for i in inputs if i.confidence is not None]
    # weakest(), with the rank looked up rather than searched (this runs for every quantity)
    return max(levels, key=_RANK.__getitem__) if levels else None


def primary_os(mc: MachineConfig, profile: Profile) -> str:
    """The OS this machine would run for this profile: the profile's choice, else the machine's best."""
    support = mc.machine.os_support
    candidates = profile.os or ("macos", "windows", "linux")
    usable = [os_name for os_name in candidates if os_name in support and support[os_name].level != "none"]
    if not usable:
        return candidates[0]
    return min(usable, key=lambda os_name: (OS_LEVEL_ORDER.index(support[os_name].level), candidates.index(os_name)))


def primary_os_sourced(mc: MachineConfig, profile: Profile) -> Sourced[str]:
    """The primary OS with its evidence: a choice among OSes is only as sure as every level it compared."""
    machine = mc.machine
    candidates = profile.os or ("macos", "windows", "linux")
    levels = [(machine.os_support[o].confidence if o in machine.os_support else None) or machine.confidence
              for o in candidates]
    chosen = primary_os(mc, profile)
    entry = machine.os_support.get(chosen)  # type: ignore[call-overload]
    return Sourced[str](value=chosen, source=(entry.source if entry and entry.source else machine.source) or "catalog",
                        confidence=weakest(*levels), note="the best-supported of " + ", ".join(candidates))


# ------------------------------------------------------------------ CPU speed
def _measured_single_speed(c: Calc, mc: MachineConfig) -> float:
    """A measured machine's core speed: the reference core's CPU seconds per kloc over its own."""
    assert mc.measured_cpu_s_per_kloc is not None
    return c.coef("go.build.cpu_seconds_per_kloc") / c.hw("measured.cpu_seconds_per_kloc", mc.measured_cpu_s_per_kloc)


def _cores_worth(c: Calc, mc: MachineConfig) -> float:
    """All-core throughput in single cores' worth, from the model (core counts, clocks, IPC of each core type)."""
    single, allcore = _core_speeds(c, mc)
    return allcore / single


def _core_speeds(c: Calc, mc: MachineConfig) -> tuple[float, float]:
    """(single-core speed, all-core throughput) relative to the reference core."""
    cpu = mc.cpu
    p_cores = c.hw("cpu.performance_cores", cpu.performance_cores)
    e_cores = c.hw("cpu.efficiency_cores", cpu.efficiency_cores)
    threads = c.hw("cpu.threads", cpu.threads)
    boost = c.hw("cpu.boost_clock_ghz", cpu.boost_clock_ghz)
    ipc_p = c.coef("cpu.ipc", cpu.core_families.performance)
    reference = c.coef("go.build.reference_core_speed")
    single = ipc_p * boost
    # the CPU's own all-core figure where the database has one, else the typical ratio to its boost clock
    allcore_ghz = (c.hw("cpu.all_core_clock_ghz", cpu.all_core_clock_ghz) if cpu.all_core_clock_ghz is not None
                   else boost * c.coef("cpu.allcore_clock_ratio"))
    allcore = p_cores * ipc_p * allcore_ghz
    smt_threads = max(0, threads - p_cores - e_cores)
    p_smt, e_smt = min(smt_threads, p_cores), max(0, smt_threads - p_cores)  # Zen 5c compact cores have SMT too
    if p_smt:
        allcore += p_smt * ipc_p * allcore_ghz * c.coef("cpu.smt_yield")
    if e_cores:
        family = cpu.core_families.efficiency or cpu.core_families.performance
        e_speed = c.coef("cpu.ipc", family) * boost * c.coef("cpu.efficiency_core_clock_ratio")
        allcore += e_cores * e_speed + e_smt * e_speed * c.coef("cpu.smt_yield")
    return single / reference, allcore / reference


def backend_threads(processes: int, maxprocs: int, most: float) -> float:
    """Backend threads per compile, as cmd/go's gcBackendConcurrency picks them: GOMAXPROCS when go build
    runs one compile at a time (-p 1), else min(4, GOMAXPROCS)."""
    return float(maxprocs) if processes == 1 else min(most, maxprocs)


def backend_speedup(threads: float, parallel_share: float) -> float:
    """How much faster one compile runs on `threads` backend threads: its frontend stays serial."""
    return 1 / ((1 - parallel_share) + parallel_share / threads)


def schedule_s(work_s: float, span_s: float, cores: float, processes: float, speedup: float,
               overlap: float) -> float:
    """Wall time of a build of `work_s` seconds of compiles whose longest chain takes `span_s`.

    No schedule beats max(span, work / cores); Graham's greedy bound span + (work - span) / cores caps
    any schedule that never idles a core while a compile is ready. A build pays `overlap` of the gap
    (fitted on the Go 1.9 p x c grid). Cores a build can use: at most `processes` compiles at once, each
    on up to `speedup` cores' worth of backend threads.
    """
    usable = max(1.0, min(cores, processes * speedup))
    lower = max(span_s, work_s / usable)
    upper = span_s + (work_s - span_s) / usable
    return lower + overlap * (upper - lower)


def _amdahl_seconds(work_cpu_s: float, serial: float, single: float, throughput: float) -> float:
    return work_cpu_s * (serial / single + (1 - serial) / max(throughput, single))


def _total_kloc(c: Calc, profile: Profile) -> float:
    own = c.given("profile.own_lines", profile.own_lines, "lines")
    deps = c.given("profile.dependency_lines", profile.dependency_lines, "lines")
    # a scanned profile knows its standard-library closure; a preset uses the typical one
    std = (c.given("profile.std_lines", profile.std_lines, "lines") if profile.std_lines is not None
           else c.coef("go.build.std_lines_typical"))
    return (own + deps + std) / 1000


def _packages(c: Calc, profile: Profile) -> float:
    return (c.given("profile.own_packages", profile.own_packages) +
            c.given("profile.dependency_packages", profile.dependency_packages) +
            (c.given("profile.std_packages", profile.std_packages) if profile.std_packages is not None
             else c.coef("go.build.std_packages_typical")))


def _changed_packages(c: Calc, profile: Profile) -> float:
    changed = c.given("profile.changed_packages_per_edit", profile.changed_packages_per_edit)
    packages = (c.given("profile.own_packages", profile.own_packages) +
                c.given("profile.dependency_packages", profile.dependency_packages))
    return min(changed * c.coef("go.edit.rebuilt_per_changed_package"), packages)


def _own_kloc_per_package(c: Calc, profile: Profile) -> float:
    return c.given("profile.own_lines", profile.own_lines, "lines") / c.given("profile.own_packages",
                                                                          profile.own_packages) / 1000


# ------------------------------------------------------------------ Build environment
def file_overhead_factor(c: Calc, profile: Profile, os_name: Sourced[str]) -> float:
    """How much slower the go command's file work (stat, hash, cache lookups) runs on this OS and environment
    than on Linux with a local file system; the compile itself is CPU-bound and not scaled."""
    factor = 1.0
    if os_name.value == "macos":
        c.hw("os.primary", os_name)
        factor *= c.coef("env.macos_file_overhead_factor")
    if profile.environment.container_bind_mount and os_name.value in ("macos", "windows"):
        c.given("profile.environment.container_bind_mount", True)
        c.hw("os.primary", os_name)
        factor *= c.coef("env.bind_mount_file_overhead_factor")
    return factor


def environment_factor(c: Calc, profile: Profile, os_name: Sourced[str]) -> float:
    """Whole-build slowdown of the environment: Windows Defender scanning every file the toolchain writes."""
    if profile.environment.windows_defender == "realtime" and os_name.value == "windows":
        c.given("profile.environment.windows_defender", "realtime")
        c.hw("os.primary", os_name)
        return c.coef("env.defender_realtime_factor")
    return 1.0


# ------------------------------------------------------------------ Thermals
def cpu_allcore_power_w(c: Calc, mc: MachineConfig) -> float:
    """Package power the chip draws holding its all-core clock under its own limits: Intel's maximum turbo
    power (PL2), else a review's measured package power, else the top of the configurable TDP range (AMD),
    else a per-architecture default."""
    cpu = mc.cpu
    if cpu.max_turbo_power_w is not None:
        return c.hw("cpu.max_turbo_power_w", cpu.max_turbo_power_w)
    if cpu.package_power_measured_w is not None:
        return c.hw("cpu.package_power_measured_w", cpu.package_power_measured_w)
    if cpu.configurable_tdp_max_w is not None:
        return c.hw("cpu.configurable_tdp_max_w", cpu.configurable_tdp_max_w)
    return c.coef("thermal.default_cpu_power_w", cpu.arch)


def chassis_sustained_power_w(c: Calc, mc: MachineConfig) -> float:
    """Package power the chassis holds in a long load: a review's measurement, else the cooling class's
    typical value, raised for fan-cooled designs to the chip's base power (the point the OEM designs for)."""
    cooling = mc.machine.cooling
    if cooling.sustained_power_w is not None:
        return c.hw("cooling.sustained_power_w", cooling.sustained_power_w)
    design = c.hw("cooling.design", cooling.design)
    typical = c.coef("thermal.sustained_power_w", design)
    if design != "fanless" and mc.cpu.base_power_w is not None:
        return max(typical, c.hw("cpu.base_power_w", mc.cpu.base_power_w))
    return typical


def clock_ratio(sustained_w: float, allcore_w: float, busy_share: float, exponent: float) -> float:
    """Share of the clock a chip keeps when `busy_share` of its cores are loaded: power grows with the busy
    cores, so fewer busy cores stay within the chassis' sustained power at a higher clock."""
    demand_w = allcore_w * min(1.0, max(busy_share, 1e-6))
    return min(1.0, (sustained_w / demand_w) ** (1 / exponent))


def _core_equivalents(c: Calc, q: dict[str, Quantity]) -> float:
    """The machine's all-core throughput in single-core equivalents."""
    return c.uses(q["allcore_throughput"]) / c.uses(q["single_core_speed"])


def wide_share(work_s: float, wall_s: float, cores: float, chain_cores: float) -> float:
    """Share of a run's wall time with every core busy, the rest running only the chain on `chain_cores`:
    the two-level profile whose busy core-seconds equal the work."""
    if cores <= chain_cores:
        return 1.0
    wide_s = (work_s - chain_cores * wall_s) / (cores - chain_cores)
    return min(1.0, max(0.0, wide_s / wall_s))


def _throttled(c: Calc, mc: MachineConfig, q: dict[str, Quantity], unthrottled_s: float, work_s: float,
               chain_cores: float) -> float:
    """Long loads run at full clock for the boost window, then each phase at the clock its busy cores sustain:
    the wide phase with every core loaded, the chain with `chain_cores` of them."""
    # the window is the cooling design's, so every long-load time rests on the design, even one inside it
    window = c.coef("thermal.boost_window_s", c.hw("cooling.design", mc.machine.cooling.design))
    if unthrottled_s <= window:
        return unthrottled_s
    cores = _core_equivalents(c, q)
    sustained, allcore = c.uses(q["chassis_sustained_power_w"]), c.uses(q["cpu_allcore_power_w"])
    exponent, elasticity = c.coef("thermal.power_frequency_exponent"), c.coef("cpu.frequency_elasticity")
    wide = wide_share(work_s, unthrottled_s, cores, chain_cores)
    stretch = (wide * clock_ratio(sustained, allcore, 1.0, exponent) ** -elasticity +
               (1 - wide) * clock_ratio(sustained, allcore, chain_cores / cores, exponent) ** -elasticity)
    return window + (unthrottled_s - window) * stretch


# ------------------------------------------------------------------ Predictions
def predict(mc: MachineConfig, profile: Profile, knowledge: Knowledge, accepted: frozenset[str]) -> Metrics:
    """Every prediction for one configuration and profile."""
    os_name = primary_os_sourced(mc, profile)
    q: dict[str, Quantity] = {}

    def add(name: str, unit: str, formula: str, compute: Callable[[Calc], float]) -> None:
        q[name] = _quantity(name, unit, formula, knowledge, accepted, compute, profile.provenance)

    if mc.measured_cpu_s_per_kloc is None:
        add("single_core_speed", "x reference core", "ipc[P family] x boost GHz / reference core speed",
            lambda c: _core_speeds(c, mc)[0])
        add("allcore_throughput", "x reference core",
            "sum over cores of ipc x clock (all-core ratio for P, SMT yield, E-core clock ratio) / reference",
            lambda c: _core_speeds(c, mc)[1])
    else:  # a bench record of this machine measured its compile speed: it takes precedence over the IPC estimate
        add("single_core_speed", "x reference core",
            "reference CPU s/kloc / this machine's measured CPU s/kloc (a go-advisor bench record)",
            lambda c: _measured_single_speed(c, mc))
        add("allcore_throughput", "x reference core",
            "measured single-core speed x the estimated cores' worth (all-core sum over single core, from ipc and "
            "clocks)", lambda c: _measured_single_speed(c, mc) * _cores_worth(c, mc))
    add("cpu_allcore_power_w", "W",
        "maximum turbo power (PL2), else measured package power, else top of the configurable TDP, else default",
        lambda c: cpu_allcore_power_w(c, mc))
    add("chassis_sustained_power_w", "W",
        "review's sustained package power, else max(cooling class typical, CPU base power) with fans, else typical",
        lambda c: chassis_sustained_power_w(c, mc))
    add("sustained_clock_ratio", "ratio", "min(1, (sustained W / all-core W)^(1/exponent)) with every core busy",
        lambda c: clock_ratio(c.uses(q["chassis_sustained_power_w"]), c.uses(q["cpu_allcore_power_w"]), 1.0,
                              c.coef("thermal.power_frequency_exponent")))

    def cold_work(c: Calc) -> float:
        return _total_kloc(c, profile) * c.coef("go.build.cpu_seconds_per_kloc") / c.uses(q["single_core_speed"])

    def cold_speedup(c: Calc) -> float:
        threads = c.hw("cpu.threads", mc.cpu.threads)
        # go build's -p defaults to GOMAXPROCS, which defaults to the logical CPUs
        most = backend_threads(threads, threads, c.coef("go.build.backend_concurrency_max"))
        return backend_speedup(most, c.coef("go.build.backend_parallel_share"))

    def cold_span(c: Calc) -> float:
        share = (c.given("profile.critical_path_share", profile.critical_path_share)
                 if profile.critical_path_share is not None else c.coef("go.build.critical_path_share_typical"))
        return share * c.uses(q["cold_build_work_s"]) / cold_speedup(c)

    def cold_unthrottled(c: Calc) -> float:
        threads = c.hw("cpu.threads", mc.cpu.threads)
        build = schedule_s(c.uses(q["cold_build_work_s"]), c.uses(q["cold_build_span_s"]), _core_equivalents(c, q),
                           threads, cold_speedup(c), c.coef("go.build.schedule_overlap"))
        return build + c.uses(q["go_command_overhead_s"])

    def cold_build(c: Calc) -> float:
        throttled = _throttled(c, mc, q, c.uses(q["cold_build_unthrottled_s"]), c.uses(q["cold_build_work_s"]),
                               cold_speedup(c))
        return throttled * environment_factor(c, profile, os_name)

    add("go_command_overhead_s", "s",
        "packages x go command s/package (hash, stat, cache lookups) / single-core speed x file-system factor "
        "of the OS and environment", lambda c: _packages(c, profile) * c.coef("go.build.overhead_s_per_package") /
        c.uses(q["single_core_speed"]) * file_overhead_factor(c, profile, os_name))
    add("cold_build_work_s", "s", "compiled kloc x CPU s/kloc / single-core speed: the whole build on one core",
        cold_work)
    add("cold_build_span_s", "s",
        "critical-path share x work / backend speed-up (min(4, threads) threads when go build runs compiles in "
        "parallel): the longest chain of compiles, which no number of cores shortens", cold_span)
    add("cold_build_unthrottled_s", "s",
        "max(span, work/cores) + overlap x (Graham bound span + (work-span)/cores - that), cores = all-core "
        "throughput / single-core speed; + go command overhead", cold_unthrottled)
    add("cold_build_s", "s",
        "(boost window + (unthrottled - window) x (wide x ratio(1)^-e + (1 - wide) x ratio(chain/cores)^-e)) x "
        "environment factor; wide = share of the time every core is busy (work = cores x wide + chain x rest), "
        "ratio(busy) = min(1, (sustained W / (all-core W x busy))^(1/exponent)), chain = backend speed-up",
        cold_build)
    add("thermal_slowdown_pct", "%", "(throttled cold build / unthrottled cold build - 1) x 100",
        lambda c: (c.uses(q["cold_build_s"]) / environment_factor(c, profile, os_name) /
                   c.uses(q["cold_build_unthrottled_s"]) - 1) * 100)

    def edit_compile(c: Calc) -> float:
        rebuilt = _changed_packages(c, profile)
        kloc_per_package = _own_kloc_per_package(c, profile)
        work = rebuilt * kloc_per_package * c.coef("go.build.cpu_seconds_per_kloc")
        single, throughput = c.uses(q["single_core_speed"]), c.uses(q["allcore_throughput"])
        # A few packages cannot use more than backend_concurrency_max threads each.
        usable = min(throughput, single * rebuilt * c.coef("go.build.backend_concurrency_max"))
        return _amdahl_seconds(work, c.coef("go.build.serial_fraction"), single, usable)

    add("edit_compile_s", "s",
        "rebuilt packages x kloc/package x CPU s/kloc, Amdahl over min(throughput, 4 threads/package)", edit_compile)
    add("link_s", "s", "linked kloc x link CPU s/kloc / single-core speed",
        lambda c: _total_kloc(c, profile) * c.coef("go.link.cpu_seconds_per_kloc") / c.uses(q["single_core_speed"]))
    add("edit_loop_s", "s", "(edit compile + link + go command overhead) x environment factor",
        lambda c: (c.uses(q["edit_compile_s"]) + c.uses(q["link_s"]) + c.uses(q["go_command_overhead_s"])) *
        environment_factor(c, profile, os_name))

    def test_binaries(c: Calc) -> float:
        """Test binaries one run after an edit builds and runs: the packages the edit rebuilt that have tests."""
        with_tests = c.given("profile.test_packages", profile.test_packages)
        return max(1.0, min(with_tests, _changed_packages(c, profile)))

    def test_seconds(c: Calc, race: bool) -> float:
        single = c.uses(q["single_core_speed"])
        binaries = test_binaries(c)
        # each test binary recompiles its package with the _test.go files, then links its own closure
        variant_s = (_own_kloc_per_package(c, profile) * (1 + c.coef("go.test.test_lines_per_line")) *
                     c.coef("go.build.cpu_seconds_per_kloc") / single)
        # go test links with -s -w: about half a default link of the same closure
        link_s = (c.coef("go.test.binary_link_share") * _total_kloc(c, profile) *
                  c.coef("go.link.cpu_seconds_per_kloc") * c.coef("go.test.link_cost_ratio") / single)
        vet_s = c.coef("go.test.vet_share") * variant_s
        run_s = c.given("profile.test_cpu_seconds", profile.test_cpu_seconds, "CPU s") / single
        if race:
            run_s *= c.coef("go.race.time_factor")
        work = binaries * (variant_s + vet_s + link_s) + run_s
        # binaries build and run in parallel under -p; within a binary tests run one at a time (no t.Parallel)
        largest = max(1 / binaries, c.given("profile.largest_test_package_share", profile.largest_test_package_share)
                      if profile.largest_test_package_share is not None
                      else c.coef("go.test.largest_package_share"))
        span = variant_s + vet_s + link_s + largest * run_s
        threads = c.hw("cpu.threads", mc.cpu.threads)
        unthrottled = schedule_s(work, span, _core_equivalents(c, q), threads, 1.0, c.coef("go.build.schedule_overlap"))
        tests = _throttled(c, mc, q, unthrottled, work, 1.0)
        return (c.uses(q["edit_compile_s"]) + c.uses(q["go_command_overhead_s"]) + tests) * \
            environment_factor(c, profile, os_name)

    test_formula = ("(edit compile + go command overhead + schedule of min(test packages, rebuilt) test binaries: "
                    "each recompiles its package with its tests (x (1 + test lines/line)), vets it, links a share "
                    "of the program (-s -w), runs its share of the test CPU s{race}; largest binary's share sets "
                    "the chain) x environment factor")
    add("test_s", "s", test_formula.format(race=""), lambda c: test_seconds(c, race=False))
    add("test_race_s", "s", test_formula.format(race=" x race time factor"), lambda c: test_seconds(c, race=True))

    def daily_wait(c: Calc) -> float:
        race_share = c.given("profile.race_share", profile.race_fraction)
        tests = (1 - race_share) * c.uses(q["test_s"]) + (race_share * c.uses(q["test_race_s"]) if race_share else 0)
        return (c.given("profile.edit_builds_per_day", profile.edit_builds_per_day) * c.uses(q["edit_loop_s"]) +
                c.given("profile.full_rebuilds_per_day", profile.full_rebuilds_per_day) * c.uses(q["cold_build_s"]) +
                c.given("profile.test_runs_per_day", profile.test_runs_per_day) * tests) / 60

    add("daily_wait_min", "min/day", "(edits x edit loop + full rebuilds x cold build + test runs x test time) / 60",
        daily_wait)

    _memory(q, add, mc, profile, os_name)
    _storage(q, add, mc, profile, os_name)

    def emulated(c: Calc) -> float:
        c.given("profile.containers", len(profile.containers), "services")
        arch = c.record("cpu.arch", mc.cpu.arch, mc.cpu)
        return float(sum(1 for container in profile.containers if arch not in container.image_arches))

    add("emulated_images", "images", "containers whose images lack the machine's architecture", emulated)
    if profile.budget is not None:
        add("budget_ratio", "ratio", "price (converted to the budget's currency when needed) / budget",
            lambda c: budget_ratio(c, mc, profile))
    return Metrics(machine_config=mc.id, quantities=q)


# The one prediction that names its configuration (advisor/twins.py renames it for identical twins).
NO_PRICE = "no {market} price is recorded for {config}"


def budget_ratio(c: Calc, mc: MachineConfig, profile: Profile) -> float:
    """Price in the buyer's market over the budget; converted with an estimated rate when the budget is in
    another currency."""
    assert profile.budget is not None
    budget = c.given("profile.budget", profile.budget.amount, profile.budget.currency)
    market = c.given("profile.market", profile.buyer_market)
    price = mc.config.market_price(market)
    if price is None:
        raise NotAccepted(NO_PRICE.format(market=market, config=mc.id))
    amount = c.hw("price.recorded", Sourced[float](value=price.amount, source=price.source, confidence=price.confidence,
                                                   note=f"{price.currency}, {price.kind} price seen {price.seen}"))
    if price.currency != profile.budget.currency:
        amount = amount * c.coef("currency.usd_per_unit", price.currency) / c.coef("currency.usd_per_unit",
                                                                                   profile.budget.currency)
    return amount / budget


def _memory(q: dict[str, Quantity], add: Callable, mc: MachineConfig, profile: Profile, os_name: Sourced[str]) -> None:
    def build_peak(c: Calc) -> float:
        threads = c.hw("cpu.threads", mc.cpu.threads)
        compiles = max(1.0, threads * c.coef("memory.concurrent_compile_share"))
        compile_gb = compiles * c.coef("memory.compile_process_peak_mb") / 1000
        link_gb = _total_kloc(c, profile) * c.coef("memory.link_mb_per_kloc") / 1000
        return max(compile_gb, link_gb)

    def test_peak(c: Calc) -> float:
        # go test ./... keeps up to -p actions alive at once: compiles of test variants, links of test binaries
        # and test binaries running; each slot holds the largest of the three.
        threads = c.hw("cpu.threads", mc.cpu.threads)
        packages = max(c.given("profile.test_packages", profile.test_packages), 1)
        slots = max(1.0, min(threads, packages) * c.coef("memory.concurrent_compile_share"))
        run_gb = c.coef("memory.test_process_mb") / 1000
        if c.given("profile.race", profile.race):
            run_gb *= c.coef("go.race.memory_factor")
        link_gb = (c.coef("go.test.binary_link_share") * _total_kloc(c, profile) *
                   c.coef("memory.test_link_mb_per_kloc") / 1000)
        compile_gb = c.coef("memory.compile_process_peak_mb") / 1000
        return slots * max(run_gb, link_gb, compile_gb)

    def containers(c: Calc) -> float:
        c.given("profile.containers", len(profile.containers), "services")
        total = sum(container.memory_gb if container.memory_gb else c.coef("memory.container_gb", container.kind)
                    for container in profile.containers)
        if profile.containers:
            total += c.coef("memory.container_vm_gb", c.hw("os.primary", os_name))
        return total

    def gopls(c: Calc) -> float:
        if not c.given("profile.gopls", profile.gopls):
            return 0.0
        workspace_kloc = (c.given("profile.own_lines", profile.own_lines, "lines") +
                          c.given("profile.dependency_lines", profile.dependency_lines, "lines")) / 1000
        return workspace_kloc * c.coef("memory.gopls_mb_per_kloc") / 1000

    add("build_peak_memory_gb", "GB", "max(concurrent compiles x compile peak, linked kloc x link MB/kloc)", build_peak)
    add("test_peak_memory_gb", "GB", "concurrent slots (min(threads, test packages) x concurrent share) x the "
        "largest of: test RSS (x race memory factor with -race), test binary link, compile", test_peak)
    add("containers_memory_gb", "GB", "sum of container RSS + container VM on macOS/Windows", containers)
    add("gopls_memory_gb", "GB", "workspace kloc x gopls MB/kloc", gopls)
    add("peak_memory_gb", "GB", "desktop+editor + gopls + max(build, test) + containers",
        lambda c: (c.coef("memory.desktop_and_editor_gb", c.hw("os.primary", os_name)) + c.uses(q["gopls_memory_gb"]) +
                   max(c.uses(q["build_peak_memory_gb"]), c.uses(q["test_peak_memory_gb"])) +
                   c.uses(q["containers_memory_gb"])))
    add("memory_headroom_gb", "GB", "RAM - peak memory",
        lambda c: c.given("ram.gb", mc.config.ram_gb, "GB") - c.uses(q["peak_memory_gb"]))
    # What stays free between builds, for the page cache that keeps GOCACHE, the module cache and the sources
    # warm: the build's and tests' own processes are transient, so they are not subtracted here.
    add("idle_memory_free_gb", "GB", "RAM - (desktop+editor + gopls + containers)",
        lambda c: c.given("ram.gb", mc.config.ram_gb, "GB") - (
            c.coef("memory.desktop_and_editor_gb", c.hw("os.primary", os_name)) + c.uses(q["gopls_memory_gb"]) +
            c.uses(q["containers_memory_gb"])))


def _storage(q: dict[str, Quantity], add: Callable, mc: MachineConfig, profile: Profile, os_name: Sourced[str]) -> None:
    def cold_cache_mb(c: Calc) -> float:
        return _total_kloc(c, profile) * c.coef("storage.gocache_mb_per_kloc")

    def binary_mb(c: Calc) -> float:
        return c.coef("storage.binary_floor_mb") + _total_kloc(c, profile) * c.coef("storage.binary_mb_per_kloc")

    def edit_cache_mb(c: Calc) -> float:
        return _changed_packages(c, profile) * _own_kloc_per_package(c, profile) * \
            c.coef("storage.gocache_mb_per_kloc")

    def gocache_per_day(c: Calc) -> float:
        race = 1 + c.given("profile.race_share", profile.race_fraction) * c.coef("storage.race_cache_factor")
        full = c.given("profile.full_rebuilds_per_day", profile.full_rebuilds_per_day)
        edits = c.given("profile.edit_builds_per_day", profile.edit_builds_per_day)
        return (full * cold_cache_mb(c) * race + edits * edit_cache_mb(c)) / 1000

    def temp_per_day(c: Calc) -> float:
        extra = c.coef("storage.cold_build_write_factor") - 1
        full = c.given("profile.full_rebuilds_per_day", profile.full_rebuilds_per_day)
        edits = c.given("profile.edit_builds_per_day", profile.edit_builds_per_day)
        tests = c.given("profile.test_runs_per_day", profile.test_runs_per_day)
        affected = max(1.0, min(_changed_packages(c, profile), max(c.given("profile.test_packages",
                                                                            profile.test_packages), 1)))
        per_binary = binary_mb(c)
        return (full * cold_cache_mb(c) * extra + edits * (edit_cache_mb(c) * extra + per_binary) +
                tests * affected * per_binary) / 1000

    def host_per_day(c: Calc) -> float:
        go_writes = c.uses(q["gocache_gb_per_day"]) + c.uses(q["temp_writes_gb_per_day"])
        amplification = c.optional_coef("storage.write_amplification.article", mc.ssd.nand.value)
        if amplification is not None:  # a seed claim, used only when --evidence seed-claim admits it
            c.hw("ssd.nand", mc.ssd.nand, confidence=mc.drive.confidence)
            go_writes *= amplification
        workdays = c.coef("storage.workdays_per_year")
        baseline = c.coef("storage.baseline_host_writes_gb_per_day")
        return go_writes * workdays / 365 + baseline

    def endurance(c: Calc) -> float:
        capacity = mc.ssd.capacity(mc.config.storage_gb)
        if capacity is None or capacity.tbw is None:
            raise NotAccepted(f"{mc.ssd.id} has no rated TBW for {mc.config.storage_gb} GB")
        # which drive a configuration ships is itself evidence: the TBW is never surer than that
        c.hw("ssd.id", mc.drive.as_sourced())
        tbw = c.hw("ssd.tbw", capacity.tbw, confidence=mc.drive.confidence)
        return tbw * 1000 / (c.uses(q["host_writes_gb_per_day"]) * 365)

    def footprint(c: Calc) -> float:
        race = c.coef("storage.race_cache_factor") if c.given("profile.race", profile.race) else 0
        variants = 1 + race + c.given("profile.cross_compile_targets", len(profile.cross_compile_targets), "targets")
        cache_gb = cold_cache_mb(c) * variants / 1000
        modules_gb = (c.given("profile.dependency_lines", profile.dependency_lines, "lines") *
                      c.coef("storage.module_cache_bytes_per_line") / 1e9)
        c.given("profile.containers", len(profile.containers), "services")
        images_gb = sum(c.coef("storage.container_images_gb", container.kind) for container in profile.containers)
        gopls_cache_gb = c.coef("storage.gopls_cache_gb") if c.given("profile.gopls", profile.gopls) else 0.0
        return cache_gb + modules_gb + images_gb + gopls_cache_gb

    add("gocache_gb_per_day", "GB/day", "full rebuilds x cold cache (x race variants) + edits x rebuilt cache",
        gocache_per_day)
    add("temp_writes_gb_per_day", "GB/day",
        "full rebuilds x cold cache x (write factor-1) + edits x (temp copies + binary) + test runs x test binaries",
        temp_per_day)
    add("host_writes_gb_per_day", "GB/day", "Go writes x workdays/365 + baseline host writes", host_per_day)
    add("endurance_years", "years", "rated TBW x 1000 / (host writes GB/day x 365)", endurance)
    add("dev_footprint_gb", "GB", "build cache variants + module cache + container images + gopls cache", footprint)
    add("free_storage_gb", "GB", "storage - OS and apps - development footprint",
        lambda c: c.given("storage.gb", mc.config.storage_gb, "GB") -
        c.coef("storage.os_and_apps_gb", c.hw("os.primary", os_name)) - c.uses(q["dev_footprint_gb"]))
