"""Identical configurations are evaluated once and reported each under its own id, with the same numbers."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from advisor import api

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
from synthetic_db import synthetic_catalog  # noqa: E402

DATA = api.load(ROOT / "hardware_db", ROOT / "knowledge")
BASE = len(DATA.catalog.machine_configs())


def _without_id(score) -> str:
    """The score as JSON with its configuration's id blanked where the score names itself (a best value in
    the database names the configuration that has it, which may be a twin: that stays)."""
    text = score.model_dump_json()
    for own in ('"machine_config":"{}"', "is recorded for {}"):
        text = text.replace(own.format(score.machine_config), own.format("<id>"))
    return text


def test_an_unpriced_twin_names_itself():
    profile = api.apply_constraints(api.resolve_profile("learning", DATA), budget=1200.0, market="jp")
    fleet = api.Data(knowledge=DATA.knowledge, catalog=synthetic_catalog(DATA.catalog, 2 * BASE, copies=2))
    scores = api.score_configs(fleet.machine_configs(), profile, fleet)
    unpriced = [s for s in scores if s.metrics.quantities["budget_ratio"].not_assessed]
    assert unpriced
    for score in unpriced:
        assert score.metrics.quantities["budget_ratio"].not_assessed.endswith(score.machine_config)


@pytest.fixture(scope="module")
def fleet() -> api.Data:
    # every real configuration once as it is and twice more under other ids
    return api.Data(knowledge=DATA.knowledge, catalog=synthetic_catalog(DATA.catalog, 3 * BASE, copies=3))


@pytest.mark.parametrize("preset, options", [("microservice", {}), ("learning", {"budget": 1200.0})])
def test_twins_are_predicted_once_and_score_alike(fleet: api.Data, monkeypatch: pytest.MonkeyPatch, preset, options):
    calls: list[str] = []
    real = api.predict
    monkeypatch.setattr(api, "predict", lambda mc, *rest: calls.append(mc.id) or real(mc, *rest))
    profile = api.apply_constraints(api.resolve_profile(preset, fleet), **options)
    configs = fleet.machine_configs()
    scores = api.score_configs(configs, profile, fleet)
    assert [s.machine_config for s in scores] == [mc.id for mc in configs]  # each reported under its own id
    assert [s.metrics.machine_config for s in scores] == [mc.id for mc in configs]
    groups: dict[str, list] = {}
    for score in scores:
        groups.setdefault(score.machine_config.rsplit("-c", 1)[0], []).append(score)
    assert len(groups) == BASE and all(len(twins) == 3 for twins in groups.values())
    for twins in groups.values():  # once for the best values and the scores together
        assert sum(calls.count(twin.machine_config) for twin in twins) == 1
    for twins in groups.values():
        first = _without_id(twins[0])
        assert all(_without_id(twin) == first for twin in twins[1:])


@pytest.mark.parametrize("preset, options", [("platform", {}), ("learning", {"budget": 1200.0, "market": "eu"})])
def test_a_twin_scored_on_its_own_scores_as_in_its_group(fleet: api.Data, preset, options):
    profile = api.apply_constraints(api.resolve_profile(preset, fleet), **options)
    configs = fleet.machine_configs()
    together = {s.machine_config: s for s in api.score_configs(configs, profile, fleet)}
    for mc in configs[1::37]:  # a sample, each the copy of another
        alone = api.score_configs([mc], profile, fleet)[0]
        assert alone.model_dump() == together[mc.id].model_dump()


def test_recommend_over_twins_shows_what_it_shows_without_them(fleet: api.Data):
    # the twins rank right behind their original (equal totals, then id), so each machine's best is the original
    plain = api.recommend("microservice", data=DATA)
    doubled = api.recommend("microservice", data=fleet)
    assert ([s.machine_config.rsplit("-v0-c", 1)[0] for s in doubled.ranked] ==
            [s.machine_config for s in plain.ranked])
    assert [s.total for s in doubled.ranked] == [s.total for s in plain.ranked]
    assert [s.label for s in doubled.ranked] == [s.label for s in plain.ranked]
    assert [p.label for p in doubled.verdict] == [p.label for p in plain.verdict]


def test_kept_predictions_follow_the_records_not_their_ids():
    # a configuration rebuilt with another CPU object or RAM under the same id is predicted afresh
    from advisor.types import MachineConfig

    profile = api.resolve_profile("microservice", DATA)
    mc = next(mc for mc in DATA.machine_configs() if mc.config.market_price(profile.buyer_market) is not None)
    first = api.score_configs([mc], profile, DATA)[0]
    faster = mc.cpu.model_copy(update={"boost_clock_ghz": mc.cpu.boost_clock_ghz.model_copy(
        update={"value": mc.cpu.boost_clock_ghz.value * 2})})
    rebuilt = MachineConfig.model_construct(machine=mc.machine, config=mc.config, cpu=faster, ssd=mc.ssd,
                                            drive=mc.drive)
    again = api.score_configs([rebuilt], profile, DATA)[0]
    assert again.metrics.value("single_core_speed") == 2 * first.metrics.value("single_core_speed")


def test_configurations_resolve_as_the_catalog_resolves_them():
    # Data.machine_configs skips re-validating records the loader validated: the same objects, the same order
    mine, catalogs = DATA.machine_configs(), DATA.catalog.machine_configs()
    assert [mc.id for mc in mine] == [mc.id for mc in catalogs]
    assert all(a == b and a.model_fields_set == b.model_fields_set for a, b in zip(mine, catalogs, strict=True))
