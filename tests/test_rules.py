"""Each rule fires where it should and stays silent where it should, on both rule backends;
the rule base lints clean; durable_rules and the built-in evaluator agree on random facts."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from advisor import engine
from advisor.facts import FACT_TYPES, render_message
from advisor.facts import assemble
from advisor.predict import predict
from advisor.types import accepted_levels

CASES = yaml.safe_load((Path(__file__).parent / "fixtures" / "rule_cases.yaml").read_text())
BACKENDS = ["builtin"] + (["durable"] if engine.durable_available() else [])


@pytest.fixture(scope="module")
def base_facts(data):
    """Facts of a real configuration and profile, the ground the fixtures are laid on."""
    mc = data.catalog.find_configs("dell-xps-13-plus-9320")[0]
    profile = data.knowledge.presets["microservice"]
    metrics = predict(mc, profile, data.knowledge, accepted_levels("estimate"))
    return assemble(mc, profile, metrics, data.knowledge).plain()


def _overlay(base: dict, overrides: dict) -> dict:
    facts = dict(base)
    for name, value in overrides.items():
        assert name in FACT_TYPES, f"fixture names unknown fact {name}"
        if value is None:
            facts.pop(name, None)
        else:
            facts[name] = value
    return facts


@pytest.fixture(scope="module", params=BACKENDS)
def backend(request, data):
    return engine.make_backend(data.knowledge.rules, prefer=request.param)


def test_every_rule_has_fixtures(data):
    assert sorted(CASES) == sorted(rule.id for rule in data.knowledge.rules)


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_rule_fires_on_its_fixture(rule_id, backend, base_facts):
    assert rule_id in backend.fired(_overlay(base_facts, CASES[rule_id]["fires"]))


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_rule_stays_silent_on_its_fixture(rule_id, backend, base_facts):
    assert rule_id not in backend.fired(_overlay(base_facts, CASES[rule_id]["silent"]))


def test_at_least_twenty_rules_across_criteria(data):
    assert len(data.knowledge.rules) >= 20
    assert {r.criterion for r in data.knowledge.rules} >= {"memory", "build", "thermals", "storage", "platform",
                                                            "os", "budget", "portability"}


def test_rule_ids_unique_and_sourced(data):
    ids = [r.id for r in data.knowledge.rules]
    assert len(ids) == len(set(ids))
    for rule in data.knowledge.rules:
        assert rule.sources and all(s in data.knowledge.sources for s in rule.sources), rule.id


def test_every_coefficient_has_a_known_source(data):
    for coefficient in data.knowledge.coefficients.values():
        assert coefficient.sources and all(s in data.knowledge.sources for s in coefficient.sources), coefficient.id


def test_messages_render_with_real_facts(data, base_facts):
    for rule in data.knowledge.rules:
        text = render_message(data.knowledge.messages[rule.id], _overlay(base_facts, CASES[rule.id]["fires"]))
        assert text and "{{" not in text


def test_refuted_rules_never_fire_by_default(data):
    from advisor import api

    rec = api.recommend("microservice", data=data)
    fired = {f.rule_id for s in rec.ranked for f in s.findings}
    refuted = {r.id for r in data.knowledge.rules if r.confidence == "refuted"}
    assert refuted and not fired & refuted


def test_every_matching_rule_fires_not_only_the_first(backend, base_facts):
    facts = _overlay(base_facts, {"memory_headroom_gb": -2.0, "ram.soldered": True, "ram.gb": 8,
                                  "profile.kind_cluster": True, "ssd.nand": "QLC"})
    fired = backend.fired(facts)
    assert {"memory.exceeds-ram", "memory.soldered-small", "memory.kind-on-8gb", "storage.qlc-nand"} <= set(fired)


def test_or_branches_fire_once(backend, base_facts):
    # `in` compiles to an OR of equalities; durable fires once per true branch unless de-duplicated.
    fired = backend.fired(_overlay(base_facts, {"profile.requires_linux": True, "os.linux": "none"}))
    assert fired.count("os.linux-required-unsupported") == 1


def _fact_value(kind: str):
    if kind == "number":
        return st.one_of(st.integers(-5, 5000), st.floats(-10, 5000, allow_nan=False, allow_infinity=False))
    if kind == "bool":
        return st.booleans()
    return st.sampled_from(["QLC", "TLC", "arm64", "amd64", "fanless", "windows", "linux", "macos", "poor",
                            "none", "partial", "certified", "data-centre", "client-oem", "x"])


FACTS = st.fixed_dictionaries({}, optional={name: _fact_value(kind) for name, kind in FACT_TYPES.items()})


@pytest.mark.skipif(not engine.durable_available(), reason="durable_rules cannot be imported on this Python")
@settings(max_examples=300, deadline=None)
@given(facts=FACTS)
def test_durable_and_builtin_give_identical_findings(facts):
    durable, builtin = _backends()
    assert durable.fired(facts) == builtin.fired(facts)


_BACKENDS: list = []


def _backends():
    if not _BACKENDS:
        from advisor import api

        rules = api.load().knowledge.rules
        _BACKENDS.extend([engine.make_backend(rules, prefer="durable"), engine.BuiltinBackend(rules)])
    return _BACKENDS


def test_derivation_notes_cite_only_known_sources(data):
    import re

    folder = Path(__file__).resolve().parent.parent / "knowledge" / "derivations"
    for note in folder.glob("*.md"):
        for row in re.findall(r"^\|.*\|$", note.read_text(), re.M)[2:]:
            cited = [c.strip() for c in row.strip("|").split("|")[-1].split(",")]
            for source in cited:
                if re.fullmatch(r"[a-z0-9][a-z0-9.+-]*-[a-z0-9.+-]+", source):
                    assert source in data.knowledge.sources, f"{note.name} cites unknown source {source}"
