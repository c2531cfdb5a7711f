"""Power figures have one meaning each, and a build throttles by how many cores it keeps busy.

hardware_db/SCHEMA.md ("How the model reads the power figures") is the contract these tests hold.
"""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from advisor import api
from advisor.predict import clock_ratio, predict, wide_share
from advisor.types import MachineConfig, Sourced, accepted_levels

DATA = api.load()
ACCEPTED = accepted_levels("estimate")
PLATFORM = DATA.knowledge.presets["platform"]


def config(config_id: str) -> MachineConfig:
    return next(mc for mc in DATA.catalog.machine_configs() if mc.id == config_id)


def value(mc: MachineConfig, name: str, profile=PLATFORM) -> float:
    result = predict(mc, profile, DATA.knowledge, ACCEPTED).value(name)
    assert result is not None, name
    return result


def with_cpu(mc: MachineConfig, **fields: object) -> MachineConfig:
    return MachineConfig.model_construct(machine=mc.machine, config=mc.config, cpu=mc.cpu.model_copy(update=fields),
                                         ssd=mc.ssd, drive=mc.drive)


def measured(watts: float) -> Sourced[float]:
    return Sourced[float](value=watts, source="advisor-estimate", confidence="estimate", note="set by the test")


XPS_15 = config("dell-xps-15-9520/i7-12700h-16-512")
X1_CARBON = config("lenovo-thinkpad-x1-carbon-gen-10/i7-1260p-16-1tb")


@pytest.mark.parametrize("old_field", ["max_power_w", "default_power_w"])
def test_a_record_with_the_old_three_meaning_power_field_is_refused(old_field):
    from pydantic import ValidationError

    from advisor.types import Cpu

    record = {**XPS_15.cpu.model_dump(exclude_none=True), old_field: 45}
    with pytest.raises(ValidationError, match=old_field):
        Cpu.model_validate(record)
    Cpu.model_validate(XPS_15.cpu.model_dump(exclude_none=True))  # the same record without it loads


def test_intel_chips_draw_their_maximum_turbo_power_under_an_all_core_load():
    assert XPS_15.cpu.max_turbo_power_w is not None and XPS_15.cpu.max_turbo_power_w.value == 115
    assert value(XPS_15, "cpu_allcore_power_w") == 115


def test_amd_chips_without_a_turbo_figure_use_the_top_of_their_configurable_tdp():
    mc = next(mc for mc in DATA.catalog.machine_configs() if mc.cpu.id == "amd-ryzen-7-7840u")
    assert mc.cpu.max_turbo_power_w is None and mc.cpu.package_power_measured_w is None
    assert mc.cpu.configurable_tdp_w is not None and tuple(mc.cpu.configurable_tdp_w.value) == (15, 30)
    assert value(mc, "cpu_allcore_power_w") == 30


def test_chips_without_a_turbo_figure_use_the_package_power_a_review_measured():
    measured_chips = [mc for mc in DATA.catalog.machine_configs() if mc.cpu.max_turbo_power_w is None
                      and mc.cpu.package_power_measured_w is not None]
    assert {mc.cpu.vendor for mc in measured_chips} == {"Apple"}
    for mc in measured_chips:
        assert value(mc, "cpu_allcore_power_w") == mc.cpu.package_power_measured_w.value


def test_a_chip_with_no_power_figure_falls_back_to_its_architectures_estimate():
    bare = with_cpu(XPS_15, max_turbo_power_w=None, package_power_measured_w=None, configurable_tdp_w=None)
    default = DATA.knowledge.coefficient("thermal.default_cpu_power_w").value["amd64"]
    assert value(bare, "cpu_allcore_power_w") == default


def test_the_turbo_figure_outranks_a_measurement_and_the_ctdp():
    both = with_cpu(XPS_15, package_power_measured_w=measured(60.0), configurable_tdp_w=Sourced[tuple](
        value=(35, 50), source="advisor-estimate", confidence="estimate", note="test"))
    assert value(both, "cpu_allcore_power_w") == 115
    no_turbo = with_cpu(both, max_turbo_power_w=None)
    assert value(no_turbo, "cpu_allcore_power_w") == 60


def test_a_fan_cooled_chassis_holds_at_least_its_chips_base_power():
    # neither laptop has a measured sustained power: the 45 W H-series chip's chassis is not held to 35 W
    assert XPS_15.machine.cooling.sustained_power_w is None
    assert value(XPS_15, "chassis_sustained_power_w") == 45
    assert value(X1_CARBON, "chassis_sustained_power_w") == DATA.knowledge.coefficient(
        "thermal.sustained_power_w").value[X1_CARBON.machine.cooling.design.value]


def test_a_measured_sustained_power_is_used_as_measured():
    mc = next(mc for mc in DATA.catalog.machine_configs() if mc.machine.cooling.sustained_power_w is not None)
    assert value(mc, "chassis_sustained_power_w") == mc.machine.cooling.sustained_power_w.value


def test_the_45_watt_xps_15_builds_faster_than_the_28_watt_x1_carbon():
    # same Alder Lake cores; the H chip has two more P-cores and a chassis built for 45 W
    for preset in ("platform", "monorepo", "microservice"):
        profile = DATA.knowledge.presets[preset]
        assert value(XPS_15, "cold_build_s", profile) < value(X1_CARBON, "cold_build_s", profile), preset


def test_the_throttle_pins():
    # sustained 45 W, all-core 115 W, exponent 3: (45/115)^(1/3) with every core busy
    assert clock_ratio(45, 115, 1.0, 3) == pytest.approx((45 / 115) ** (1 / 3))
    assert clock_ratio(45, 115, 0.5, 3) == pytest.approx((45 / 57.5) ** (1 / 3))
    assert clock_ratio(45, 115, 0.25, 3) == 1.0  # a quarter of the cores fit in 45 W at full clock
    assert value(XPS_15, "sustained_clock_ratio") == pytest.approx((45 / 115) ** (1 / 3))


def test_the_wide_phase_is_the_share_of_time_every_core_is_busy():
    # 100 core-s in 20 s on 8 cores with a chain on 2: 8w + 2(20 - w) = 100 -> w = 10 s, half the time
    assert wide_share(100, 20, 8, 2) == pytest.approx(0.5)
    assert wide_share(40, 20, 8, 2) == 0.0    # never more than the chain busy
    assert wide_share(160, 20, 8, 2) == 1.0   # every core busy throughout
    assert wide_share(10, 5, 2, 2) == 1.0     # the chain alone fills the machine


@settings(max_examples=200, deadline=None)
@given(sustained=st.floats(5, 100), allcore=st.floats(5, 200), busy=st.floats(0.01, 1), fewer=st.floats(0.01, 1))
def test_fewer_busy_cores_never_keep_a_lower_clock(sustained, allcore, busy, fewer):
    assert clock_ratio(sustained, allcore, busy * fewer, 3) >= clock_ratio(sustained, allcore, busy, 3)


def test_a_chain_bound_build_throttles_less_than_the_same_work_spread_wide():
    # a build large enough that both outlast the boost window
    big = DATA.knowledge.presets["monorepo"].model_copy(update={"own_lines": 8_000_000})
    wide, narrow = (big.model_copy(update={"critical_path_share": share}) for share in (0.02, 0.6))
    assert value(XPS_15, "thermal_slowdown_pct", narrow) < value(XPS_15, "thermal_slowdown_pct", wide)
