"""Each rule's inline examples hold on both rule backends; the loader rejects examples that name unknown
facts or leave a threshold untested; durable_rules and the built-in evaluator agree on random facts."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import ROOT, edit_first
from hypothesis import given, settings
from hypothesis import strategies as st

from advisor import api, engine, ruletest
from advisor.errors import InputError
from advisor.facts import FACT_TYPES, assemble, render_message
from advisor.predict import predict
from advisor.types import Condition, When, accepted_levels

BACKENDS = ["builtin"] + (["durable"] if engine.durable_available() else [])
RULES = api.load_knowledge_only(ROOT / "knowledge").rules
EXAMPLES = [(rule, number, example) for rule in RULES for number, example in enumerate(rule.examples, 1)]
_BACKEND_CACHE: dict[str, engine.Backend] = {}


def _backend(name: str) -> engine.Backend:
    if name not in _BACKEND_CACHE:
        _BACKEND_CACHE[name] = engine.make_backend(RULES, prefer=name)
    return _BACKEND_CACHE[name]


@pytest.mark.parametrize("name", BACKENDS)
@pytest.mark.parametrize(("rule", "number", "example"), EXAMPLES,
                         ids=[f"{rule.id}#{number}" for rule, number, _ in EXAMPLES])
def test_rule_example(rule, number, example, name):
    fired = rule.id in _backend(name).fired(dict(example.facts))
    assert fired == example.fires, f"{rule.file}:{example.line}: case {number}"


def test_run_cases_passes_on_the_built_in_knowledge(data):
    report = ruletest.run_cases(data.knowledge)
    assert report.ok, ruletest.format_case_report(report)
    assert report.cases == len(EXAMPLES) and report.backends == tuple(BACKENDS)
    assert ruletest.format_case_report(report).startswith(f"{len(EXAMPLES)} of {len(EXAMPLES)} rule examples pass on "
                                                          f"{', '.join(BACKENDS)}")


def _line_of(path: Path, pattern: str) -> int:
    """1-based line where the first match of pattern (which may span lines) ends."""
    text = path.read_text()
    match = re.search(pattern, text)
    assert match, pattern
    return text.count("\n", 0, match.end()) + 1


def test_run_cases_reports_exactly_the_wrong_example_with_its_file_and_line(knowledge_copy):
    path = knowledge_copy / "rules" / "memory.yaml"
    # memory.soldered-small's first example now describes slotted memory, which never fires the rule.
    wrong = r"- \{fires: true, facts: \{ram.soldered: true, ram.gb: 8\}\}"
    edit_first(path, wrong, "- {fires: true, facts: {ram.soldered: false, ram.gb: 8}}")
    line = _line_of(path, r"- \{fires: true, facts: \{ram.soldered: false, ram.gb: 8\}\}")
    report = ruletest.run_cases(api.load_knowledge_only(knowledge_copy))
    assert [(f.rule_id, f.case, f.backend, f.line) for f in report.failures] == \
        [("memory.soldered-small", 1, name, line) for name in BACKENDS]
    # shown relative to the working directory when inside it, so compare the tail
    assert ruletest.format_case_report(report).splitlines()[0].endswith(
        f"rules/memory.yaml:{line}: memory.soldered-small: case 1: expected fires, was silent")
    assert not report.ok


def test_run_cases_reports_a_rule_that_fires_where_it_should_be_silent(knowledge_copy):
    path = knowledge_copy / "rules" / "storage.yaml"
    edit_first(path, r"- \{fires: false, facts: \{ssd.nand: TLC\}\}", "- {fires: false, facts: {ssd.nand: QLC}}")
    report = ruletest.run_cases(api.load_knowledge_only(knowledge_copy), backends=("builtin",))
    assert [(f.rule_id, f.case) for f in report.failures] == [("storage.qlc-nand", 2)]
    assert ruletest.format_case_report(report).splitlines()[0].endswith(
        "storage.qlc-nand: case 2: expected silent, was fired")


def test_run_cases_skips_durable_where_it_cannot_import(data, monkeypatch):
    monkeypatch.setattr(engine, "durable_available", lambda: False)
    report = ruletest.run_cases(data.knowledge)
    assert report.backends == ("builtin",) and report.skipped == ("durable",) and report.ok
    assert "durable not available on this Python, skipped" in ruletest.format_case_report(report)


# ------------------------------------------------------------------ what the loader checks in examples
def _load_error(knowledge: Path) -> str:
    with pytest.raises(InputError) as caught:
        api.load_knowledge_only(knowledge)
    return str(caught.value)


def test_an_unknown_fact_in_an_example_is_an_error_with_a_suggestion(knowledge_copy):
    path = knowledge_copy / "rules" / "memory.yaml"
    edit_first(path, r"facts: \{ram.soldered: true, ram.gb: 16\}", "facts: {ram.soldred: true, ram.gb: 16}")
    line = _line_of(path, r"ram.soldred")
    assert _load_error(knowledge_copy) == (f"{path}:{line}: memory.soldered-small.examples: case 2: facts.ram.soldred: "
                                           f"unknown fact 'ram.soldred' (did you mean 'ram.soldered'?)")


def test_an_unknown_fact_in_a_condition_gets_a_suggestion_too(knowledge_copy):
    edit_first(knowledge_copy / "rules" / "cpu.yaml", r"\{fact: edit_loop_s, gt: 5\}", "{fact: edit_loops, gt: 5}")
    assert _load_error(knowledge_copy).endswith("cpu.slow-edit-loop.when: unknown fact 'edit_loops' "
                                                "(did you mean 'edit_loop_s'?)")


@pytest.mark.parametrize(("value", "problem"), [
    ("'8'", "'8' is not a number like ram.gb"),
    ("true", "True is not a number like ram.gb"),
    ("null", "null: leave the fact out instead (a missing fact never matches)"),
    (".nan", "nan: a fact is a finite number"),
])
def test_an_example_value_of_the_wrong_type_is_an_error(knowledge_copy, value, problem):
    edit_first(knowledge_copy / "rules" / "memory.yaml", r"facts: \{ram.soldered: true, ram.gb: 16\}",
               f"facts: {{ram.soldered: true, ram.gb: {value}}}")
    assert _load_error(knowledge_copy).endswith(f"memory.soldered-small.examples: case 2: facts.ram.gb: {problem}")


def test_a_rule_without_a_silent_example_is_an_error(knowledge_copy):
    path = knowledge_copy / "rules" / "storage.yaml"
    edit_first(path, r"      - \{fires: false, facts: \{ssd.segment: client-oem\}\}\n", "")
    line = _line_of(path, r"id: storage.data-centre-drive\n(?:    .*\n)*?    examples:")
    assert _load_error(knowledge_copy) == (
        f"{path}:{line}: storage.data-centre-drive.examples: no example where the rule stays silent; each rule "
        f"needs at least one `{{fires: true, facts: {{...}}}}` and one `{{fires: false, facts: {{...}}}}`")


def test_a_rule_without_examples_is_an_error(knowledge_copy):
    edit_first(knowledge_copy / "rules" / "thermals.yaml",
               r"(id: thermals.heavy-throttle\n(?:    .*\n)*?)    examples:\n(      - .*\n)+", r"\1")
    assert "thermals.heavy-throttle.examples: no example where the rule fires" in _load_error(knowledge_copy)


def test_a_threshold_without_a_silent_example_beyond_it_is_an_error(knowledge_copy):
    # The silent example moved to the firing side of edit_loop_s > 5: the threshold is untested.
    edit_first(knowledge_copy / "rules" / "cpu.yaml", r"\{fires: false, facts: \{edit_loop_s: 5\}\}",
               "{fires: false, facts: {edit_loop_s: 6}}")
    assert _load_error(knowledge_copy).endswith(
        "cpu.slow-edit-loop.examples: no silent example puts edit_loop_s on the other side of edit_loop_s > 5 "
        "(the boundary itself, edit_loop_s: 5, is the best one)")


def test_a_threshold_without_a_firing_example_inside_it_is_an_error(knowledge_copy):
    edit_first(knowledge_copy / "rules" / "cpu.yaml", r"\{fires: true, facts: \{edit_loop_s: 0.6\}\}",
               "{fires: true, facts: {edit_loop_s: 1.6}}")
    assert _load_error(knowledge_copy).endswith("cpu.fast-edit-loop.examples: no firing example has edit_loop_s < 1")


def test_a_silent_example_missing_the_fact_does_not_test_the_threshold(knowledge_copy):
    # A missing fact never matches, so it says nothing about which side of 60 GB is silent.
    edit_first(knowledge_copy / "rules" / "storage.yaml", r"\{fires: false, facts: \{free_storage_gb: 60\}\}",
               "{fires: false, facts: {}}")
    assert "storage.capacity-tight.examples: no silent example puts free_storage_gb on the other side" \
        in _load_error(knowledge_copy)


# ------------------------------------------------------------------ the shipped examples are near misses
def _flat(when: When) -> list[Condition] | None:
    return list(when.all) if not when.any and all(isinstance(p, Condition) for p in when.all) else None


@pytest.mark.parametrize("rule", [r for r in RULES if _flat(r.when)], ids=lambda r: r.id)
def test_each_condition_has_a_silent_example_failing_only_it(rule):
    """Stronger than the loader: for every condition, a silent example where it alone is false, so each
    condition is shown to matter (and a numeric one is tested on the far side of its threshold)."""
    conditions = _flat(rule.when)
    for condition in conditions:
        others = [c for c in conditions if c is not condition]
        assert any(not example.fires and not engine.when_holds(When(all=(condition,)), example.facts)
                   and engine.when_holds(When(all=tuple(others)), example.facts)
                   for example in rule.examples), f"{rule.id}: no silent example fails only on {condition}"


# ------------------------------------------------------------------ engine behaviour on a real configuration
@pytest.fixture(scope="module")
def base_facts(data):
    """Facts of a real configuration and profile."""
    mc = data.catalog.find_configs("dell-xps-13-plus-9320")[0]
    profile = data.knowledge.presets["microservice"]
    metrics = predict(mc, profile, data.knowledge, accepted_levels("estimate"))
    return assemble(mc, profile, metrics, data.knowledge).plain()


def _overlay(base: dict, overrides: dict) -> dict:
    assert set(overrides) <= set(FACT_TYPES)
    return {**base, **overrides}


@pytest.fixture(scope="module", params=BACKENDS)
def backend(request, data):
    return engine.make_backend(data.knowledge.rules, prefer=request.param)


def test_at_least_twenty_rules_across_criteria(data):
    assert len(data.knowledge.rules) >= 20
    assert {r.criterion for r in data.knowledge.rules} >= {"memory", "build", "thermals", "storage", "platform",
                                                            "os", "budget", "portability"}


def test_messages_render_with_real_facts(data, base_facts):
    # Laid over a real configuration's facts, so a message may name facts its rule does not test.
    for rule in data.knowledge.rules:
        firing = next(example for example in rule.examples if example.fires)
        text = render_message(data.knowledge.messages[rule.id], _overlay(base_facts, firing.facts))
        assert text and "{{" not in text


def test_refuted_rules_never_fire_by_default(data):
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
    assert _backend("durable").fired(facts) == _backend("builtin").fired(facts)


def test_derivation_notes_cite_only_known_sources(data):
    folder = ROOT / "knowledge" / "derivations"
    for note in folder.glob("*.md"):
        for row in re.findall(r"^\|.*\|$", note.read_text(), re.M)[2:]:
            cited = [c.strip() for c in row.strip("|").split("|")[-1].split(",")]
            for source in cited:
                if re.fullmatch(r"[a-z0-9][a-z0-9.+-]*-[a-z0-9.+-]+", source):
                    assert source in data.knowledge.sources, f"{note.name} cites unknown source {source}"
