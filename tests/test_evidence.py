"""The evidence path: under a strict --evidence nothing weaker reaches any criterion, finding or total.

Two proofs. The audit reads what every score says it rests on. The perturbation test does not trust
that bookkeeping: it changes every value weaker than the accepted evidence (hardware fields, prices,
OS support levels, coefficients) and requires every score, finding and total to stay the same.
"""
from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from advisor import api
from advisor.types import MachineConfig, OsSupportEntry, Price, Score, Sourced, accepted_levels

DATA = api.load()
CONFIGS = DATA.catalog.machine_configs()
PRESETS = sorted(DATA.knowledge.presets)
STRICT_LEVELS = ("documented", "measured")


def _audit(score: Score, accepted: frozenset[str]) -> None:
    for criterion in score.criteria:
        if criterion.score is None:
            assert not criterion.inputs or criterion.basis.startswith("not assessed"), criterion
            continue
        for item in criterion.inputs:
            assert item.confidence is None or item.confidence in accepted, (criterion.criterion, item)
        assert criterion.confidence is None or criterion.confidence in accepted, criterion
    for finding in score.findings:
        assert finding.confidence in accepted, finding.rule_id
    for finding in score.withheld_findings:
        assert finding.confidence not in accepted, finding.rule_id
    counted = [c for c in score.criteria if c.score is not None and c.weight > 0]
    expected = round(sum(c.score * c.weight for c in counted) / sum(c.weight for c in counted), 1) if counted else 0.0
    assert score.total == expected
    assert score.assessed_count == len(counted)


@pytest.mark.parametrize("evidence", STRICT_LEVELS)
@pytest.mark.parametrize("preset", PRESETS)
def test_every_score_rests_only_on_accepted_evidence(preset, evidence):
    accepted = accepted_levels(evidence)
    for score in api.score_configs(CONFIGS, DATA.knowledge.presets[preset], DATA, evidence=evidence):
        _audit(score, accepted)


def test_strict_evidence_leaves_criteria_visibly_not_assessed():
    scores = api.score_configs(CONFIGS, DATA.knowledge.presets["microservice"], DATA, evidence="documented")
    not_assessed = [c for s in scores for c in s.criteria if c.score is None and c.applicable]
    assert not_assessed, "every configuration fully documented? then this test proves nothing"
    assert all(c.basis.startswith("not assessed: ") and "not assessed: not assessed" not in c.basis
               for c in not_assessed)
    assert any(s.assessed_count < s.weighted_count for s in scores)


# ------------------------------------------------------------------ perturbation
_ROTATE = {"fanless": "two-fans", "one-fan": "fanless", "two-fans": "one-fan", "vapor-chamber": "fanless",
           "SLC": "QLC", "MLC": "QLC", "TLC": "QLC", "QLC": "TLC",
           "certified": "poor", "works": "none", "partial": "certified", "poor": "works", "none": "certified"}


def _bump(value: Any) -> Any:
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value * 2 + 1
    if isinstance(value, float):
        return value * 1.37 + 0.5
    if isinstance(value, str):
        return _ROTATE.get(value, value)
    return value


def _perturb(obj: Any, accepted: frozenset[str], record_confidence: str | None = None) -> Any:
    """Every value weaker than `accepted` changed; stronger ones kept."""
    if isinstance(obj, Sourced):
        return obj if obj.confidence in accepted else obj.model_copy(update={"value": _bump(obj.value)})
    if isinstance(obj, Price):
        return obj if obj.confidence in accepted else obj.model_copy(update={"amount": obj.amount * 3.1})
    if isinstance(obj, OsSupportEntry):
        level = obj.confidence or record_confidence
        return obj if level in accepted else obj.model_copy(update={"level": _ROTATE[obj.level]})
    if isinstance(obj, BaseModel):
        own = getattr(obj, "confidence", None) if "field_provenance" in type(obj).model_fields else record_confidence
        return obj.model_copy(update={name: _perturb(getattr(obj, name), accepted, own)
                                      for name in type(obj).model_fields})
    if isinstance(obj, tuple):
        return tuple(_perturb(item, accepted, record_confidence) for item in obj)
    if isinstance(obj, dict):
        return {key: _perturb(item, accepted, record_confidence) for key, item in obj.items()}
    return obj


def _perturbed_knowledge(accepted: frozenset[str]):
    coefficients = {}
    for cid, coefficient in DATA.knowledge.coefficients.items():
        if coefficient.confidence in accepted or not isinstance(coefficient.value, (int, float, dict)):
            coefficients[cid] = coefficient
            continue
        value = ({k: _bump(float(v)) for k, v in coefficient.value.items()} if isinstance(coefficient.value, dict)
                 else _bump(float(coefficient.value)))
        coefficients[cid] = coefficient.model_copy(update={"value": value})
    return dataclasses.replace(DATA.knowledge, coefficients=coefficients)


# Built once per level: every Knowledge compiles its own durable_rules ruleset, which is never freed.
PERTURBED = {evidence: api.Data(knowledge=_perturbed_knowledge(accepted_levels(evidence)), catalog=DATA.catalog)
             for evidence in STRICT_LEVELS}


def _visible(score: Score) -> tuple:
    return (score.total, score.disqualified_by,
            tuple((c.criterion, c.score, c.base, c.adjustment) for c in score.criteria),
            tuple((f.rule_id, f.message) for f in score.findings))


@settings(max_examples=40, deadline=None)
@given(index=st.integers(0, len(CONFIGS) - 1), preset=st.sampled_from(PRESETS), evidence=st.sampled_from(STRICT_LEVELS))
def test_changing_weaker_evidence_changes_no_strict_score(index, preset, evidence):
    accepted = accepted_levels(evidence)
    mc = CONFIGS[index]
    changed = MachineConfig.model_construct(machine=_perturb(mc.machine, accepted),
                                            config=_perturb(mc.config, accepted, mc.machine.confidence),
                                            cpu=_perturb(mc.cpu, accepted), ssd=_perturb(mc.ssd, accepted),
                                            drive=_perturb(mc.drive, accepted))
    profile = DATA.knowledge.presets[preset]
    before = api.score_configs([mc], profile, DATA, evidence=evidence)[0]
    after = api.score_configs([changed], profile, PERTURBED[evidence], evidence=evidence)[0]
    assert _visible(after) == _visible(before)


def test_the_perturbation_does_change_scores_under_the_default_evidence():
    """The perturbation is strong enough to matter: without the filter it moves scores."""
    accepted = accepted_levels("documented")
    profile = DATA.knowledge.presets["microservice"]
    moved = 0
    for mc in CONFIGS[::9]:
        changed = MachineConfig.model_construct(machine=_perturb(mc.machine, accepted),
                                config=_perturb(mc.config, accepted, mc.machine.confidence),
                                cpu=_perturb(mc.cpu, accepted), ssd=_perturb(mc.ssd, accepted),
                                            drive=_perturb(mc.drive, accepted))
        before = api.score_configs([mc], profile, DATA)[0]
        after = api.score_configs([changed], profile, PERTURBED["documented"])[0]
        moved += _visible(after) != _visible(before)
    assert moved >= len(CONFIGS[::9]) // 2


def test_a_finding_is_no_surer_than_the_coefficients_its_rule_uses():
    # platform.amd64-images-on-arm64 cites Docker's documentation, but "several times slower" is the
    # estimated platform.emulation_slowdown it uses.
    mc = DATA.catalog.find_configs("apple-macbook-air-13-m1-2020")[0]
    score = api.score_configs([mc], DATA.knowledge.presets["platform"], DATA)[0]
    finding = next(f for f in score.findings if f.rule_id == "platform.amd64-images-on-arm64")
    assert finding.rule_confidence == "documented"
    assert DATA.knowledge.coefficient("platform.emulation_slowdown").confidence == "estimate"
    assert finding.confidence == "estimate"


@pytest.mark.parametrize("name", ["cold_build_s", "test_s"])
def test_a_long_load_time_names_the_cooling_design_it_rests_on(name):
    """The boost window is the cooling design's, so the design is an input even of a build inside it (an
    estimated design once decided a short build's time without appearing in its evidence)."""
    profile = DATA.knowledge.presets["learning"]  # short builds: most end inside the boost window
    for mc in CONFIGS[::5]:
        quantity = DATA.predictions(mc, profile, api.DEFAULT_EVIDENCE).quantities[name]
        design = [i for i in quantity.inputs if i.name == "cooling.design"]
        assert design and design[0].value == mc.machine.cooling.design.value, (mc.id, name)
        assert design[0].confidence == mc.machine.cooling.design.confidence
