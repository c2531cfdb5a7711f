"""Labels mean what they say: loading a knowledge folder (the built-in one or a user's --knowledge copy)
rejects a documented or measured label its sources' kinds cannot carry, and a threshold label that
contradicts the confidence."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import edit_first

from advisor import api
from advisor.errors import InputError
from advisor.types.knowledge import STRONG_LEVELS_BY_KIND, kinds_supporting


def _load_error(knowledge: Path) -> str:
    with pytest.raises(InputError) as caught:
        api.load_knowledge_only(knowledge)
    return str(caught.value)


def _line_of(path: Path, pattern: str) -> int:
    """1-based line of the first match of pattern in path (the pattern may span lines)."""
    text = path.read_text()
    match = re.search(pattern, text)
    assert match, pattern
    return text.count("\n", 0, match.end()) + 1


def _relabel(path: Path, record_id: str, key: str, old: str, new: str) -> int:
    """Change one record's `key: old` to `key: new`; the line of the changed key."""
    block = rf"id: {re.escape(record_id)}\n(?:    .*\n)*?    {key}: "
    edit_first(path, rf"({block}){old}", rf"\g<1>{new}")
    return _line_of(path, block + new)


def test_the_kind_mapping_is_declared_once_for_every_kind():
    assert kinds_supporting("documented") == ("vendor-spec", "datasheet", "go-source", "go-doc", "docs", "commit")
    # A review is evidence of what it measured, not a statement of fact.
    assert kinds_supporting("measured") == ("measurement", "review")
    for weak in ("estimate", "seed-claim", "refuted"):
        assert kinds_supporting(weak) == ()
    for note in ("policy", "derivation", "article", "news", "aggregator", "secondary", "blog", "forum"):
        assert STRONG_LEVELS_BY_KIND[note] == frozenset()


def test_a_policy_rule_labelled_documented_is_rejected_with_file_and_line(knowledge_copy):
    path = knowledge_copy / "rules" / "budget.yaml"
    line = _relabel(path, "budget.over", "confidence", "estimate", "documented")
    assert _load_error(knowledge_copy) == (
        f"{path}:{line}: budget.over.confidence: documented but its sources (advisor-policy) are only policy "
        f"notes; documented needs a source of kind vendor-spec, datasheet, go-source, go-doc, docs or commit")


def test_a_rule_citing_estimates_labelled_measured_is_rejected(knowledge_copy):
    path = knowledge_copy / "rules" / "storage.yaml"
    edit_first(path, r"(id: storage.qlc-nand\n(?:    .*\n)*?    confidence: )estimate", r"\1measured")
    assert re.fullmatch(r".*storage\.yaml:\d+: storage\.qlc-nand\.confidence: measured but its sources "
                        r"\(advisor-estimates\) are only derivation notes; measured needs a source of kind "
                        r"measurement or review", _load_error(knowledge_copy))


def test_an_estimated_coefficient_labelled_documented_is_rejected(knowledge_copy):
    path = knowledge_copy / "coefficients.yaml"
    line = _relabel(path, "cpu.allcore_clock_ratio", "confidence", "estimate", "documented")
    assert _load_error(knowledge_copy) == (
        f"{path}:{line}: cpu.allcore_clock_ratio.confidence: documented but its sources (advisor-estimates) are "
        f"only derivation notes; documented needs a source of kind vendor-spec, datasheet, go-source, go-doc, "
        f"docs or commit")


def test_documentation_alone_does_not_make_a_coefficient_measured(knowledge_copy):
    edit_first(knowledge_copy / "coefficients.yaml",
               r"(id: go.edit.rebuilt_per_changed_package\n(?:    .*\n)*?    confidence: )estimate", r"\1measured")
    assert "go.edit.rebuilt_per_changed_package.confidence: measured but its sources (go-cache-source) are only " \
           "go-source sources; measured needs a source of kind measurement or review" in _load_error(knowledge_copy)


def _cite_a_review(knowledge: Path, confidence: str) -> None:
    """A coefficient that cites only a (made-up) review, at the given confidence."""
    edit_first(knowledge / "sources.yaml", r"\nsources:\n",
               "\nsources:\n  - id: test-review\n    title: A review that measured it\n"
               "    url: https://example.org/review\n    kind: review\n")
    edit_first(knowledge / "coefficients.yaml",
               r"(id: cpu.smt_yield\n(?:    .*\n)*?)    confidence: estimate\n    sources: \[advisor-estimates\]",
               rf"\1    confidence: {confidence}\n    sources: [test-review]")


def test_a_review_supports_measured(knowledge_copy):
    _cite_a_review(knowledge_copy, "measured")
    assert api.load_knowledge_only(knowledge_copy).coefficients["cpu.smt_yield"].confidence == "measured"


def test_a_review_does_not_support_documented(knowledge_copy):
    _cite_a_review(knowledge_copy, "documented")
    assert "cpu.smt_yield.confidence: documented but its sources (test-review) are only review sources" \
        in _load_error(knowledge_copy)


def test_a_judgement_threshold_cannot_be_documented(knowledge_copy):
    # memory.race-tests-heavy cites Go documentation, but its 4 GB cut-off is judgement.
    path = knowledge_copy / "rules" / "memory.yaml"
    edit_first(path, r"(id: memory.race-tests-heavy\n(?:    .*\n)*?    confidence: )estimate", r"\1documented")
    assert re.fullmatch(r".*memory\.yaml:\d+: memory\.race-tests-heavy\.confidence: documented but its threshold "
                        r"is judgement: .*label it estimate", _load_error(knowledge_copy))


def test_a_documented_limit_needs_a_primary_source(knowledge_copy):
    path = knowledge_copy / "rules" / "portability.yaml"
    line = _relabel(path, "portability.heavy-for-travel", "threshold", "policy", "documented-limit")
    assert _load_error(knowledge_copy) == (
        f"{path}:{line}: portability.heavy-for-travel.threshold: documented-limit, but its sources (advisor-policy) "
        f"are only policy notes; documented needs a source of kind vendor-spec, datasheet, go-source, go-doc, "
        f"docs or commit")


def test_every_rule_says_what_its_threshold_rests_on(knowledge_copy):
    edit_first(knowledge_copy / "rules" / "thermals.yaml", r"    threshold: judgement\n", "")
    assert re.fullmatch(r".*thermals\.yaml:\d+: thermals\.fanless-long-builds\.threshold: Field required",
                        _load_error(knowledge_copy))


def test_policy_rules_stay_in_the_default_evidence_level(data):
    # A policy choice is not a fact: estimate, which the default --evidence accepts.
    policy = [rule for rule in data.knowledge.rules if rule.threshold == "policy"]
    assert {rule.id for rule in policy} >= {"budget.over", "budget.near-limit", "portability.heavy-for-travel",
                                            "portability.small-battery"}
    assert all(rule.confidence == "estimate" for rule in policy)
