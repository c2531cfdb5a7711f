"""The build environment: each effect applies only where it exists, cites its source and shows in explain."""
from __future__ import annotations

import pytest

from advisor import api
from advisor.predict import predict
from advisor.types import BuildEnvironment, MachineConfig, Profile, accepted_levels

DATA = api.load()
ESTIMATE = accepted_levels("estimate")
BASE = DATA.knowledge.presets["microservice"]
COEF = {c: DATA.knowledge.coefficient(c).value for c in (
    "env.bind_mount_file_overhead_factor", "env.defender_realtime_factor", "env.macos_file_overhead_factor")}


def config(config_id: str) -> MachineConfig:
    return next(mc for mc in DATA.catalog.machine_configs() if mc.id == config_id)


MAC = config("apple-macbook-air-13-m1-2020/m1-7gpu-8gb-256gb")
PC = config("dell-xps-15-9520/i7-12700h-16-512")


def profile(os: tuple[str, ...], **environment: object) -> Profile:
    return BASE.model_copy(update={"os": os, "environment": BuildEnvironment(**environment)})


def metrics(mc: MachineConfig, p: Profile, accepted=ESTIMATE):
    return predict(mc, p, DATA.knowledge, accepted)


def inputs(m, name: str) -> set[str]:
    return {i.name for i in m.quantities[name].inputs}


def test_an_environment_that_states_nothing_changes_nothing():
    for mc in (MAC, PC):
        plain = metrics(mc, BASE)
        stated = metrics(mc, BASE.model_copy(update={"environment": BuildEnvironment()}))
        assert plain.quantities == stated.quantities
        assert not any(name.startswith("env.") and "macos" not in name
                       for q in plain.quantities.values() for name in (i.name for i in q.inputs))


def test_macos_pays_the_cited_factor_on_the_go_commands_file_work_only():
    on_macos, on_linux = metrics(MAC, profile(("macos",))), metrics(MAC, profile(("linux",)))
    assert "env.macos_file_overhead_factor" in inputs(on_macos, "go_command_overhead_s")
    assert "env.macos_file_overhead_factor" not in inputs(on_linux, "go_command_overhead_s")
    assert on_macos.value("go_command_overhead_s") == pytest.approx(
        on_linux.value("go_command_overhead_s") * COEF["env.macos_file_overhead_factor"])
    # compiles are CPU-bound: the work and the chain do not change with the OS
    assert on_macos.value("cold_build_work_s") == on_linux.value("cold_build_work_s")
    assert on_macos.value("cold_build_s") - on_linux.value("cold_build_s") == pytest.approx(
        on_macos.value("go_command_overhead_s") - on_linux.value("go_command_overhead_s"))


def test_a_bind_mount_slows_the_file_work_on_macos_and_windows_hosts_but_not_on_linux():
    for mc, host in ((MAC, "macos"), (PC, "windows")):
        mounted, local = metrics(mc, profile((host,), container_bind_mount=True)), metrics(mc, profile((host,)))
        assert mounted.value("go_command_overhead_s") == pytest.approx(
            local.value("go_command_overhead_s") * COEF["env.bind_mount_file_overhead_factor"]), host
        assert mounted.value("edit_loop_s") > local.value("edit_loop_s")
    on_linux = metrics(PC, profile(("linux",), container_bind_mount=True))
    assert on_linux.quantities == metrics(PC, profile(("linux",))).quantities


def test_defender_realtime_scanning_multiplies_windows_builds_and_an_exclusion_removes_it():
    scanned = metrics(PC, profile(("windows",), windows_defender="realtime"))
    excluded = metrics(PC, profile(("windows",), windows_defender="excluded"))
    factor = COEF["env.defender_realtime_factor"]
    for name in ("cold_build_s", "edit_loop_s", "test_s", "test_race_s"):
        assert scanned.value(name) == pytest.approx(excluded.value(name) * factor), name
        assert "env.defender_realtime_factor" in inputs(scanned, name)
    assert excluded.quantities == metrics(PC, profile(("windows",))).quantities
    # Defender is a Windows matter: the same profile on Linux is unaffected
    assert metrics(PC, profile(("linux",), windows_defender="realtime")).quantities == \
        metrics(PC, profile(("linux",))).quantities


def test_every_environment_effect_is_a_cited_estimate_with_a_range():
    for coefficient_id in COEF:
        coefficient = DATA.knowledge.coefficient(coefficient_id)
        assert coefficient.confidence == "estimate"
        assert coefficient.sources and coefficient.derivation and coefficient.range
        assert coefficient.range[0] <= coefficient.value <= coefficient.range[1]


def test_explain_shows_the_effect_with_its_source():
    explained = api.explain(PC.id, profile(("windows",), windows_defender="realtime"), data=DATA)
    cold = next(q for q in explained["quantities"] if q["name"] == "cold_build_s")
    effect = next(i for i in cold["inputs"] if i["name"] == "env.defender_realtime_factor")
    assert effect["value"] == COEF["env.defender_realtime_factor"] and effect["confidence"] == "estimate"
    assert effect["source"] == "wails-2545-defender-go-process-exclusion,golang-go-26055-defender-builder"
    assert "wails-2545-defender-go-process-exclusion" in explained["cited"]
    assert any(i["name"] == "profile.environment.windows_defender" for i in cold["inputs"])


def test_a_profile_file_states_the_environment():
    loaded = Profile.model_validate({**BASE.model_dump(), "environment": {"container_bind_mount": True,
                                                                          "windows_defender": "excluded"}})
    assert loaded.environment == BuildEnvironment(container_bind_mount=True, windows_defender="excluded")
    with pytest.raises(ValueError, match="windows_defender"):
        Profile.model_validate({**BASE.model_dump(), "environment": {"windows_defender": "sometimes"}})
