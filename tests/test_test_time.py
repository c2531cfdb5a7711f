"""go test as Go runs it: test variants compiled, vetted and linked per package, binaries run in parallel under
-p with the largest package on the chain, -race multiplying run time and memory by the measured factors."""
from __future__ import annotations

import pytest

from advisor import api
from advisor.predict import predict
from advisor.types import MachineConfig, accepted_levels

DATA = api.load()
ACCEPTED = accepted_levels("estimate")
BASE = DATA.knowledge.presets["microservice"]
COEF = {c: DATA.knowledge.coefficient(c).value for c in (
    "go.race.time_factor", "go.race.memory_factor", "go.test.largest_package_share", "memory.test_process_mb")}


def config(config_id: str) -> MachineConfig:
    return next(mc for mc in DATA.catalog.machine_configs() if mc.id == config_id)


MACHINE = config("framework-laptop-16-7040/r9-7940hs-32-1tb")


def value(name: str, mc: MachineConfig = MACHINE, **fields: object) -> float:
    result = predict(mc, BASE.model_copy(update=fields), DATA.knowledge, ACCEPTED).value(name)
    assert result is not None
    return result


def test_more_test_cpu_seconds_take_longer_and_race_multiplies_only_the_run():
    light, heavy = value("test_s", test_cpu_seconds=10), value("test_s", test_cpu_seconds=200)
    assert heavy > light
    plain = value("test_s", test_cpu_seconds=200, race=True)
    raced = value("test_race_s", test_cpu_seconds=200, race=True)
    assert plain < raced <= plain * COEF["go.race.time_factor"] * 1.2  # a longer run also throttles more
    # the run, not the compile, vet and link, is what -race multiplies: with no test CPU they are equal
    assert value("test_race_s", test_cpu_seconds=0, race=True) == value("test_s", test_cpu_seconds=0, race=True)


def test_the_largest_package_bounds_a_long_run_whatever_the_cores():
    # a run dominated by its test CPU: at least the largest package's share of it, on one core
    run_cpu = 2000.0
    single = value("single_core_speed")
    assert value("test_s", test_cpu_seconds=run_cpu) >= COEF["go.test.largest_package_share"] * run_cpu / single


def test_a_run_of_one_test_package_is_not_parallel():
    # one affected binary: its whole run is the chain
    single = value("single_core_speed")
    one = value("test_s", test_packages=1, changed_packages_per_edit=1, test_cpu_seconds=500)
    assert one >= 500 / single


def test_race_test_memory_uses_the_measured_factor_per_slot():
    plain = value("test_peak_memory_gb", race=False)
    raced = value("test_peak_memory_gb", race=True)
    assert raced >= plain
    threads = MACHINE.cpu.threads.value
    share = DATA.knowledge.coefficient("memory.concurrent_compile_share").value
    slots = max(1.0, min(threads, BASE.test_packages) * share)
    assert raced >= slots * COEF["memory.test_process_mb"] * COEF["go.race.memory_factor"] / 1000 - 1e-9


def test_32_gb_beats_24_gb_when_the_peak_is_near_16_gb():
    machine = next(mc for mc in DATA.catalog.machine_configs() if mc.config.ram_gb == 32)
    heavy = BASE.model_copy(update={"race": True, "race_share": 1.0, "containers": DATA.knowledge.presets[
        "platform"].containers})
    scores = {}
    for ram in (24, 32):
        config = machine.config.model_copy(update={"ram_gb": ram})
        mc = MachineConfig.model_construct(machine=machine.machine, config=config, cpu=machine.cpu, ssd=machine.ssd,
                                           drive=machine.drive)
        peak = predict(mc, heavy, DATA.knowledge, ACCEPTED).value("peak_memory_gb")
        assert 12 <= peak <= 20, peak
        scores[ram] = next(c.score for c in api.score_configs([mc], heavy, DATA)[0].criteria
                           if c.criterion == "memory")
    assert scores[32] > scores[24]


@pytest.mark.parametrize("preset", sorted(DATA.knowledge.presets))
def test_explain_shows_the_test_terms_with_their_inputs(preset):
    explained = api.explain(MACHINE.id, preset, data=DATA)
    test = next(q for q in explained["quantities"] if q["name"] == "test_s")
    names = {i["name"] for i in test["inputs"]}
    for needed in ("go.test.test_lines_per_line", "go.test.binary_link_share", "go.test.link_cost_ratio",
                   "go.test.vet_share", "go.test.largest_package_share", "profile.test_cpu_seconds"):
        assert needed in names, needed


def test_a_profile_that_knows_its_largest_test_package_uses_it():
    even = value("test_s", test_cpu_seconds=600, largest_test_package_share=0.1)
    dominated = value("test_s", test_cpu_seconds=600, largest_test_package_share=0.9)
    assert dominated > even
    explained = predict(MACHINE, BASE.model_copy(update={"largest_test_package_share": 0.9}), DATA.knowledge,
                        ACCEPTED).quantities["test_s"]
    names = {i.name for i in explained.inputs}
    assert "profile.largest_test_package_share" in names and "go.test.largest_package_share" not in names
