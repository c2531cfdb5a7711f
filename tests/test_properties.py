"""Properties of the model and scoring: monotone, bounded, order-independent, deterministic."""
from __future__ import annotations

import json
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from advisor import api
from advisor.predict import predict
from advisor.render import RENDERERS
from advisor.types import (
    Catalog,
    Configuration,
    MachineConfig,
    Profile,
    Sourced,
    accepted_levels,
)

DATA = api.load()
CONFIGS = DATA.catalog.machine_configs()
ACCEPTED = accepted_levels("estimate")
PRESETS = sorted(DATA.knowledge.presets)

profiles = st.builds(
    lambda base, own_lines, deps, edits, tests, race, containers: Profile.model_validate({
        **DATA.knowledge.presets[base].model_dump(), "own_lines": own_lines, "dependency_lines": deps,
        "edit_builds_per_day": edits, "test_runs_per_day": tests, "race": race,
        "race_share": None,
        "containers": DATA.knowledge.presets["platform"].model_dump()["containers"] if containers else []}),
    st.sampled_from(PRESETS), st.integers(500, 3_000_000), st.integers(0, 5_000_000), st.integers(0, 300),
    st.integers(0, 100), st.booleans(), st.booleans())
configs = st.sampled_from(CONFIGS)


def _with_ram(mc: MachineConfig, ram_gb: int) -> MachineConfig:
    config = Configuration.model_validate({**mc.config.model_dump(), "ram_gb": ram_gb})
    return MachineConfig(machine=mc.machine, config=config, cpu=mc.cpu, ssd=mc.ssd, drive=mc.drive)


def _with_boost(mc: MachineConfig, factor: float) -> MachineConfig:
    boost = mc.cpu.boost_clock_ghz
    faster = Sourced[float](value=boost.value * factor, source=boost.source, confidence=boost.confidence,
                            note="scaled by the test")
    cpu = mc.cpu.model_copy(update={"boost_clock_ghz": faster})
    # a hypothetical faster chip may exceed the schema's 7 GHz sanity bound: skip validation
    return MachineConfig.model_construct(machine=mc.machine, config=mc.config, cpu=cpu, ssd=mc.ssd, drive=mc.drive)


def _scores(mc: MachineConfig, profile: Profile) -> dict[str, float | None]:
    score = api.score_configs([mc], profile, DATA)[0]
    return {c.criterion: c.score for c in score.criteria}


@settings(max_examples=60, deadline=None)
@given(mc=configs, profile=profiles, extra=st.sampled_from([4, 8, 16, 32, 64]))
def test_more_ram_never_lowers_the_memory_score(mc, profile, extra):
    smaller = _scores(mc, profile)["memory"]
    larger = _scores(_with_ram(mc, mc.config.ram_gb + extra), profile)["memory"]
    assert larger >= smaller


@settings(max_examples=60, deadline=None)
@given(mc=configs, profile=profiles, factor=st.floats(1.01, 1.3))
def test_a_faster_cpu_never_lowers_the_build_score(mc, profile, factor):
    assert _scores(_with_boost(mc, factor), profile)["build"] >= _scores(mc, profile)["build"]


@settings(max_examples=60, deadline=None)
@given(mc=configs, profile=profiles, factor=st.floats(1.01, 1.3))
def test_a_faster_cpu_never_lengthens_predicted_build_times(mc, profile, factor):
    slow = predict(mc, profile, DATA.knowledge, ACCEPTED)
    fast = predict(_with_boost(mc, factor), profile, DATA.knowledge, ACCEPTED)
    for name in ("cold_build_s", "edit_loop_s", "test_s", "test_race_s", "daily_wait_min"):
        assert fast.value(name) <= slow.value(name) + 1e-9, name


@settings(max_examples=80, deadline=None)
@given(mc=configs, profile=profiles)
def test_scores_stay_within_0_and_100(mc, profile):
    score = api.score_configs([mc], profile, DATA)[0]
    assert 0 <= score.total <= 100
    for criterion in score.criteria:
        assert criterion.score is None or 0 <= criterion.score <= 100


@settings(max_examples=200, deadline=None)
@given(ram=st.floats(1, 256), peak=st.floats(0.5, 256), more=st.floats(0, 128))
def test_memory_score_is_monotone_in_ram(ram, peak, more):
    curve = DATA.knowledge.scoring.criteria["memory"].terms[0].curve
    assert curve.score(ram + more - peak) >= curve.score(ram - peak)


@settings(max_examples=60, deadline=None)
@given(mc=configs, profile=profiles)
def test_race_tests_never_run_faster_than_plain_tests(mc, profile):
    metrics = predict(mc, profile, DATA.knowledge, ACCEPTED)
    assert metrics.value("test_race_s") >= metrics.value("test_s")


@settings(max_examples=60, deadline=None)
@given(mc=configs, profile=profiles)
def test_throttling_never_speeds_a_build_up(mc, profile):
    metrics = predict(mc, profile, DATA.knowledge, ACCEPTED)
    assert 0 < metrics.value("sustained_clock_ratio") <= 1
    assert metrics.value("cold_build_s") >= metrics.value("cold_build_unthrottled_s")


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 10_000), preset=st.sampled_from(PRESETS))
def test_ranking_does_not_depend_on_record_order(seed, preset):
    rng = random.Random(seed)

    def shuffled(mapping):
        items = list(mapping.items())
        rng.shuffle(items)
        return dict(items)

    catalog = Catalog(cpus=shuffled(DATA.catalog.cpus), ssds=shuffled(DATA.catalog.ssds),
                      machines=shuffled(DATA.catalog.machines))
    reordered = api.Data(knowledge=DATA.knowledge, catalog=catalog)
    original = api.recommend(preset, data=DATA)
    again = api.recommend(preset, data=reordered)
    assert [s.machine_config for s in again.ranked] == [s.machine_config for s in original.ranked]
    assert RENDERERS["json"].recommendation(again) == RENDERERS["json"].recommendation(original)


def test_identical_input_gives_identical_json():
    first = RENDERERS["json"].recommendation(api.recommend("platform", data=DATA))
    second = RENDERERS["json"].recommendation(api.recommend("platform", data=DATA))
    assert first == second
    assert json.loads(first)["ranked"]


@settings(max_examples=60, deadline=None)
@given(mc=configs, profile=profiles, std_lines=st.integers(0, 600_000), more=st.integers(1, 400_000))
def test_a_larger_measured_standard_library_never_shortens_a_cold_build(mc, profile, std_lines, more):
    # scanned profiles carry their measured std closure; presets fall back to the typical one
    small = Profile.model_validate({**profile.model_dump(), "std_lines": std_lines, "std_packages": 100})
    large = Profile.model_validate({**profile.model_dump(), "std_lines": std_lines + more, "std_packages": 100})
    before = predict(mc, small, DATA.knowledge, ACCEPTED).value("cold_build_s")
    after = predict(mc, large, DATA.knowledge, ACCEPTED).value("cold_build_s")
    assert after > before


def _with_more_cores(mc: MachineConfig, extra: int) -> MachineConfig:
    cpu = mc.cpu
    more = {name: Sourced[int](value=getattr(cpu, name).value + extra, source=getattr(cpu, name).source,
                               confidence=getattr(cpu, name).confidence, note="more cores, same speed (test)")
            for name in ("performance_cores", "threads")}
    return MachineConfig.model_construct(machine=mc.machine, config=mc.config, cpu=cpu.model_copy(update=more),
                                         ssd=mc.ssd, drive=mc.drive)


def _with_sustained_power(mc: MachineConfig, watts: float) -> MachineConfig:
    cooling = mc.machine.cooling.model_copy(update={"sustained_power_w": Sourced[float](
        value=watts, source="advisor-estimate", confidence="estimate", note="set by the test")})
    machine = mc.machine.model_copy(update={"cooling": cooling})
    return MachineConfig.model_construct(machine=machine, config=mc.config, cpu=mc.cpu, ssd=mc.ssd, drive=mc.drive)


@settings(max_examples=60, deadline=None)
@given(mc=configs, profile=profiles, extra=st.integers(1, 16))
def test_more_cores_at_equal_speed_and_cooling_never_slow_a_build(mc, profile, extra):
    before = predict(mc, profile, DATA.knowledge, ACCEPTED)
    after = predict(_with_more_cores(mc, extra), profile, DATA.knowledge, ACCEPTED)
    # the chip's all-core power is unchanged, so each core's share of it shrinks: throttled times too
    for name in ("cold_build_unthrottled_s", "cold_build_span_s", "cold_build_s", "edit_loop_s", "test_s",
                 "test_race_s", "daily_wait_min"):
        assert after.value(name) <= before.value(name) + 1e-9, name


@settings(max_examples=60, deadline=None)
@given(mc=configs, profile=profiles, watts=st.floats(5, 60), more=st.floats(0.5, 60))
def test_more_sustained_power_never_slows_a_build(mc, profile, watts, more):
    low = predict(_with_sustained_power(mc, watts), profile, DATA.knowledge, ACCEPTED)
    high = predict(_with_sustained_power(mc, watts + more), profile, DATA.knowledge, ACCEPTED)
    for name in ("cold_build_s", "test_s", "test_race_s", "daily_wait_min"):
        assert high.value(name) <= low.value(name) + 1e-9, name


@settings(max_examples=80, deadline=None)
@given(mc=configs, profile=profiles, share=st.floats(0, 1))
def test_the_critical_path_never_exceeds_the_whole_work(mc, profile, share):
    scanned = Profile.model_validate({**profile.model_dump(), "critical_path_share": share})
    metrics = predict(mc, scanned, DATA.knowledge, ACCEPTED)
    assert 0 <= metrics.value("cold_build_span_s") <= metrics.value("cold_build_work_s")
    assert metrics.value("cold_build_span_s") <= metrics.value("cold_build_unthrottled_s")


@settings(max_examples=60, deadline=None)
@given(mc=configs, profile=profiles, low=st.floats(0, 0.6), more=st.floats(0.01, 0.4))
def test_a_longer_critical_path_never_shortens_a_cold_build(mc, profile, low, more):
    short = Profile.model_validate({**profile.model_dump(), "critical_path_share": low})
    long = Profile.model_validate({**profile.model_dump(), "critical_path_share": low + more})
    assert (predict(mc, long, DATA.knowledge, ACCEPTED).value("cold_build_unthrottled_s") >=
            predict(mc, short, DATA.knowledge, ACCEPTED).value("cold_build_unthrottled_s") - 1e-9)
