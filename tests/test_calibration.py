"""The model reproduces the measurements its coefficients were fitted to, within stated tolerances.

The reference machine is the 2-vCPU AMD EPYC (Zen 3) VM of knowledge/sources.yaml
(advisor-measurements-go119-build-std, advisor-measurements-epyc-2vcpu): a cold `go build -a std`
with Go 1.19.8 used 65.3 CPU-s (55.7 user + 9.6 system) and 34.9 s wall over 240 packages and
436,140 lines, leaving 107 MB in GOCACHE; a no-change rebuild took 0.37 s.
"""
from __future__ import annotations

import statistics
import sys
from pathlib import Path

import pytest
import yaml

from advisor import api
from advisor.predict import predict, schedule_s
from advisor.types import BuildEnvironment, MachineConfig, Profile, Sourced, accepted_levels

ROOT = Path(__file__).resolve().parent.parent
DATA = api.load()
ACCEPTED = accepted_levels("estimate")
STD_LINES, STD_PACKAGES = 436_140, 240


def reference_machine(cores: int) -> MachineConfig:
    """The measured VM: Zen 3 cores at the reference core speed, no SMT, never throttled."""
    base = DATA.catalog.find_configs("framework-laptop-13-amd-7040")[0]
    speed = DATA.knowledge.coefficient("go.build.reference_core_speed").value
    ipc = DATA.knowledge.coefficient("cpu.ipc").value["zen3"]

    def measured(value: float | int) -> Sourced:
        return Sourced(value=value, source="advisor-measurements-go119-build-std", confidence="measured")

    cpu = base.cpu.model_copy(update={
        "core_families": base.cpu.core_families.model_copy(update={"performance": "zen3", "efficiency": None}),
        "performance_cores": measured(cores), "efficiency_cores": measured(0), "threads": measured(cores),
        # the reference speed is defined at the VM's clock under load on every core: all-core = boost
        "base_clock_ghz": None, "boost_clock_ghz": measured(speed / ipc), "all_core_clock_ghz": measured(speed / ipc),
        "base_power_w": None, "configurable_tdp_w": None, "package_power_measured_w": None,
        "max_turbo_power_w": measured(15.0)})
    cooling = base.machine.cooling.model_copy(update={"sustained_power_w": measured(1000.0)})
    return MachineConfig(machine=base.machine.model_copy(update={"cooling": cooling}), config=base.config,
                         cpu=cpu, ssd=base.ssd, drive=base.drive)


def std_only(**fields: object) -> Profile:
    """`go build -a std` and nothing else, once a day."""
    return Profile.model_validate({
        "id": "std", "name": "go build -a std", "description": "the standard library, cold", "own_packages": 1,
        "own_lines": 1, "dependency_packages": 0, "dependency_lines": 0, "std_lines": STD_LINES,
        "std_packages": STD_PACKAGES, "edit_builds_per_day": 0, "full_rebuilds_per_day": 1, "test_runs_per_day": 0,
        "gopls": False, **fields})


def test_the_reference_machine_runs_at_the_reference_core_speed():
    metrics = predict(reference_machine(1), std_only(), DATA.knowledge, ACCEPTED)
    assert metrics.value("single_core_speed") == pytest.approx(1.0, rel=1e-9)


def test_one_reference_core_spends_the_measured_cpu_seconds_on_a_cold_std_build():
    # On one core wall time is CPU time: 65.3 CPU-s measured (user + system); within 3 %.
    metrics = predict(reference_machine(1), std_only(), DATA.knowledge, ACCEPTED)
    assert metrics.value("cold_build_unthrottled_s") == pytest.approx(65.3, rel=0.03)


def test_one_versus_two_reference_cores_scales_as_measured():
    # GOMAXPROCS=1 vs the default on the 2-vCPU EPYC VM (advisor-measurements-epyc-2vcpu): 1.71x; within 10 %.
    one = predict(reference_machine(1), std_only(), DATA.knowledge, ACCEPTED).value("cold_build_unthrottled_s")
    two = predict(reference_machine(2), std_only(), DATA.knowledge, ACCEPTED).value("cold_build_unthrottled_s")
    assert one / two == pytest.approx(1.71, rel=0.10)


def test_two_reference_cores_build_std_near_the_measured_wall_time():
    # 34.9 s measured. go.build.cpu_seconds_per_kloc was measured at 2 threads, so it carries the cost of
    # running concurrently and overstates one-thread work: the model lands 10 % high; within 15 %.
    metrics = predict(reference_machine(2), std_only(), DATA.knowledge, ACCEPTED)
    assert metrics.value("cold_build_unthrottled_s") == pytest.approx(34.9, rel=0.15)


def _fit():
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import fit_build_schedule
    finally:
        sys.path.pop(0)
    grid = yaml.safe_load(fit_build_schedule.GRID_FILE.read_text())
    return fit_build_schedule, grid, fit_build_schedule.fit(grid)


def test_the_schedule_coefficients_are_the_fit_to_the_go_1_9_grid():
    _, _, (parallel, overlap, _, _, rms) = _fit()
    assert DATA.knowledge.coefficient("go.build.backend_parallel_share").value == parallel
    assert DATA.knowledge.coefficient("go.build.schedule_overlap").value == overlap
    assert rms < 0.10


def test_the_schedule_reproduces_the_go_1_9_grid_within_20_percent():
    fitting, grid, (parallel, overlap, share, cores, _) = _fit()
    residuals = {(name, p, c): model / seconds - 1
                 for name, p, c, seconds, model in fitting.predictions(grid, parallel, overlap, share, cores)}
    assert len(residuals) >= 45 and max(abs(r) for r in residuals.values()) <= 0.20
    # the Pi's fitted throughput stays below its four cores and above the grid's own p=4 c=1 gain (1.98x)
    assert 1.98 < cores < 4


def test_on_one_thread_the_schedule_is_the_whole_work():
    assert schedule_s(65.0, 20.0, 8.0, 1, 1.0, 0.76) == pytest.approx(65.0)
    assert schedule_s(65.0, 20.0, 1.0, 8, 1.5, 0.76) == pytest.approx(65.0)


def test_a_cold_std_build_leaves_the_measured_gocache():
    # 107 MB after a cold build of 436 kloc; within 3 %.
    metrics = predict(reference_machine(2), std_only(), DATA.knowledge, ACCEPTED)
    assert metrics.value("gocache_gb_per_day") * 1000 == pytest.approx(107, rel=0.03)


def test_a_cold_build_writes_the_measured_multiple_of_its_cache_growth():
    # ~307 MB written for 146 MB of cache growth (Go 1.23.5 std): every package also goes to $WORK.
    metrics = predict(reference_machine(2), std_only(), DATA.knowledge, ACCEPTED)
    written = metrics.value("gocache_gb_per_day") + metrics.value("temp_writes_gb_per_day")
    assert written / metrics.value("gocache_gb_per_day") == pytest.approx(307 / 146, rel=0.02)


def test_a_race_build_adds_the_measured_cache():
    # `go build -race std` added 159 MB to a 146 MB cache.
    plain = predict(reference_machine(2), std_only(), DATA.knowledge, ACCEPTED).value("gocache_gb_per_day")
    race = predict(reference_machine(2), std_only(race=True), DATA.knowledge, ACCEPTED).value("gocache_gb_per_day")
    assert race / plain == pytest.approx((146 + 159) / 146, rel=0.02)


def test_a_no_change_rebuild_costs_the_measured_go_command_overhead():
    # 0.37 s for a warm no-change rebuild of std's 240 packages: what an edit loop spends beyond compiling
    # and linking; within 10 %.
    metrics = predict(reference_machine(1), std_only(edit_builds_per_day=1), DATA.knowledge, ACCEPTED)
    overhead = metrics.value("edit_loop_s") - metrics.value("edit_compile_s") - metrics.value("link_s")
    assert overhead == pytest.approx(0.37, rel=0.10)


def test_the_cold_build_pays_the_per_package_overhead_too():
    # The cold build is the CPU work plus the same go command overhead per package.
    metrics = predict(reference_machine(1), std_only(), DATA.knowledge, ACCEPTED)
    work = (STD_LINES + 1) / 1000 * DATA.knowledge.coefficient("go.build.cpu_seconds_per_kloc").value
    overhead = (STD_PACKAGES + 1) * DATA.knowledge.coefficient("go.build.overhead_s_per_package").value
    assert metrics.value("cold_build_unthrottled_s") == pytest.approx(work + overhead, rel=1e-6)


def test_two_compiles_at_the_measured_peak_fit_the_build_memory():
    # `go build -a std` peaked at 232-268 MiB per compile process; with 2 threads at most 2 run at once.
    metrics = predict(reference_machine(2), std_only(), DATA.knowledge, ACCEPTED)
    assert 0.232 * 1.048 <= metrics.value("build_peak_memory_gb") <= 2 * 0.268 * 1.048 + 1e-9


def test_every_profile_field_a_prediction_reads_is_among_its_inputs(monkeypatch):
    """explain shows a quantity's inputs: a profile field read without being recorded would be invisible."""
    import advisor.predict as model

    class Spy:
        def __init__(self, profile: Profile):
            self._profile, self.read = profile, set()

        def __getattr__(self, name: str) -> object:
            self.read.add(name)
            return getattr(self._profile, name)

    missing: set[tuple[str, str]] = set()
    original = model._quantity

    def checked(name, unit, formula, knowledge, accepted, compute, provenance=None):
        def compute_and_check(c):
            spy.read.clear()
            try:
                return compute(c)
            finally:
                recorded = {i.name.removeprefix("profile.") for i in c.inputs}
                recorded |= {"race_fraction"} if "race_share" in recorded else set()
                recorded |= {"buyer_market"} if "market" in recorded else set()
                recorded |= {"os"} if "os.primary" in recorded else set()
                recorded |= {"environment"} if any(n.startswith("environment.") for n in recorded) else set()
                # an unset field (std_lines on a preset) is read only to fall back to a recorded coefficient;
                # an environment that states nothing has no effect
                unset = {field for field in spy.read
                         if getattr(spy._profile, field) in (None, BuildEnvironment())}
                missing.update((name, field) for field in spy.read - recorded - unset)
        return original(name, unit, formula, knowledge, accepted, compute_and_check, provenance)

    monkeypatch.setattr(model, "_quantity", checked)
    for preset in DATA.knowledge.presets.values():
        for mc in DATA.catalog.machine_configs()[::13]:
            spy = Spy(preset)
            model.predict(mc, spy, DATA.knowledge, accepted_levels("seed-claim"))  # type: ignore[arg-type]
    assert not missing, sorted(missing)


XEON = yaml.safe_load((ROOT / "knowledge" / "derivations" / "measurements" / "xeon-2vcpu-go1.19.yaml").read_text())


def _median_wall(group: str, *variants: str) -> float:
    walls = sorted(r["wall_s"] for r in XEON["runs"] if r["group"] == group and r["variant"] in variants)
    assert walls, (group, variants)
    return statistics.median(walls)


def test_this_vms_scaling_from_one_to_two_cpus_is_predicted_within_10_percent():
    # Judged, not fitted: the 2-vCPU Xeon VM (advisor-measurements-xeon-2vcpu-go119) measured a cold
    # `go build -a std` on one CPU two ways: GOMAXPROCS=1 (medians 1.86x the default) and taskset -c 0
    # (1.58x). For the Go runtime they are the same configuration (GOMAXPROCS follows the affinity mask),
    # and their reps overlap (40.8-51.0 s and 41.5-54.9 s), so the judge is the median of all six.
    one = predict(reference_machine(1), std_only(), DATA.knowledge, ACCEPTED).value("cold_build_unthrottled_s")
    two = predict(reference_machine(2), std_only(), DATA.knowledge, ACCEPTED).value("cold_build_unthrottled_s")
    measured = _median_wall("std", "GOMAXPROCS=1", "taskset -c 0") / _median_wall("std", "default")
    assert one / two == pytest.approx(measured, rel=0.10)
    # and it lies within what either variant measured
    assert _median_wall("std", "taskset -c 0") / _median_wall("std", "default") * 0.9 <= one / two
    assert one / two <= _median_wall("std", "GOMAXPROCS=1") / _median_wall("std", "default") * 1.1


def test_the_measured_critical_paths_bracket_the_typical_share():
    # each action graph of std and std cmd, at the default -p and at GOMAXPROCS=1
    shares = [r["actiongraph"]["critical_path_cpu_share"] for r in XEON["runs"] if "actiongraph" in r]
    typical = DATA.knowledge.coefficient("go.build.critical_path_share_typical").value
    assert len(shares) >= 6 and all(abs(share - typical) <= 0.05 for share in shares), shares


def test_no_prediction_lists_the_same_input_twice():
    for preset in DATA.knowledge.presets.values():
        for mc in DATA.catalog.machine_configs()[::11]:
            for name, quantity in predict(mc, preset, DATA.knowledge, accepted_levels("seed-claim")).quantities.items():
                listed = [(i.name, repr(i.value)) for i in quantity.inputs]
                assert len(listed) == len(set(listed)), (name, listed)


@pytest.mark.parametrize("largest_share, measured_ratio", [
    (0.26, 1.64),   # 20 std packages: largest package 0.23-0.29 of the run, -p 1 / default run phase 1.64
    (0.90, 0.99),   # 20 prometheus packages: one package 0.88-0.93, -p 1 barely matters (0.97-0.99)
])
def test_the_test_run_schedule_predicts_the_measured_effect_of_p1_within_10_percent(largest_share, measured_ratio):
    """Judged, not fitted: the schedule with the go test run's measured largest-package share (Xeon, 2 vCPUs,
    advisor-measurements-xeon-2vcpu-go119-test) against the measured -p 1 / default run-phase wall."""
    overlap = DATA.knowledge.coefficient("go.build.schedule_overlap").value
    work = 100.0
    parallel = schedule_s(work, largest_share * work, 2, 2, 1.0, overlap)
    serial = schedule_s(work, largest_share * work, 1, 1, 1.0, overlap)
    assert serial / parallel == pytest.approx(measured_ratio, rel=0.10)


def test_the_test_coefficients_are_the_measured_ones():
    coefficient = DATA.knowledge.coefficient
    race = coefficient("go.race.time_factor")
    assert race.value == 5.4 and race.confidence == "measured"
    assert coefficient("go.race.memory_factor").value == 3.5
    assert coefficient("go.test.link_cost_ratio").value == 0.5
    assert coefficient("go.test.vet_share").value == 0.1
    assert coefficient("memory.test_link_mb_per_kloc").value == 0.36
    assert coefficient("go.link.cpu_seconds_per_kloc").value == 0.0025
    assert "go.test.serial_fraction" not in DATA.knowledge.coefficients
