"""The rules engine: compiles Rule records for durable_rules and evaluates facts into findings.

This is the only module that imports durable_rules. Where it cannot be imported (Python 3.13+),
or when GO_ADVISOR_RULES_BACKEND=builtin, the same rules run on a small evaluator with the same
semantics (every matching rule fires; a missing fact never matches, not even `ne`).
"""
from __future__ import annotations

import itertools
import json
import os
import threading
import weakref
from typing import Any, Iterable, Protocol

from jinja2 import meta
from jinja2.sandbox import SandboxedEnvironment

from advisor.facts import Facts, render_message
from advisor.types import Condition, Finding, Knowledge, Rule, When, weakest

# Only real facts carry this marker; durable re-asserts its own session state as a fact and
# a rule without a positive guard could match that state (DURABLE_RULES.md).
_MARKER = "advisor__fact"
_SENTINEL = "advisor__seen"
_DURABLE_OPS = {"lt": "$lt", "le": "$lte", "gt": "$gt", "ge": "$gte", "ne": "$neq"}


def _key(fact: str) -> str:
    # durable reads dots as nested objects; our fact names are flat.
    return fact.replace(".", "__")


# ------------------------------------------------------------------ compile to durable JSON
def compile_condition(condition: Condition) -> dict[str, Any]:
    """One condition in durable_rules' JSON ruleset language."""
    key = _key(condition.fact)
    if condition.op == "eq":
        return {key: condition.value}
    if condition.op == "in":
        return {"$or": [{key: value} for value in condition.value]}
    if condition.op == "exists":
        return {"$ex": {key: 1}}
    if condition.op == "absent":
        return {"$nex": {key: 1}}
    if condition.op == "ne":
        # durable's $neq also matches a missing field; require presence to keep "missing never matches".
        return {"$and": [{"$ex": {key: 1}}, {"$neq": {key: condition.value}}]}
    return {_DURABLE_OPS[condition.op]: {key: condition.value}}


def compile_when(when: When) -> dict[str, Any]:
    parts: list[dict[str, Any]] = []
    if when.all:
        parts.append({"$and": [_compile_part(p) for p in when.all]})
    if when.any:
        parts.append({"$or": [_compile_part(p) for p in when.any]})
    return parts[0] if len(parts) == 1 else {"$and": parts}


def _compile_part(part: Condition | When) -> dict[str, Any]:
    return compile_when(part) if isinstance(part, When) else compile_condition(part)


def compile_rule(rule: Rule) -> dict[str, Any]:
    """The durable definition of one rule, guarded by the fact marker."""
    return {"all": [{"m": {"$and": [{_MARKER: 1}, compile_when(rule.when)]}}]}


# ------------------------------------------------------------------ built-in evaluator
def _holds(condition: Condition, facts: dict[str, Any]) -> bool:
    present = condition.fact in facts
    if condition.op == "exists":
        return present
    if condition.op == "absent":
        return not present
    if not present:
        return False
    value = facts[condition.fact]
    if condition.op == "eq":
        return value == condition.value and type(value) is not bool or value is condition.value
    if condition.op == "ne":
        return not (value == condition.value and (type(value) is not bool or value is condition.value))
    if condition.op == "in":
        return any(_holds(Condition(fact=condition.fact, op="eq", value=v), facts) for v in condition.value)
    return {"lt": value < condition.value, "le": value <= condition.value,
            "gt": value > condition.value, "ge": value >= condition.value}[condition.op]


def when_holds(when: When, facts: dict[str, Any]) -> bool:
    def part(p: Condition | When) -> bool:
        return when_holds(p, facts) if isinstance(p, When) else _holds(p, facts)
    return all(part(p) for p in when.all) and (not when.any or any(part(p) for p in when.any))


def normalize_facts(facts: dict[str, Any]) -> dict[str, Any]:
    """Numbers as both backends can compare them: durable's JSON parser rejects exponents (1e-05)."""
    normal: dict[str, Any] = {}
    for name, value in facts.items():
        if isinstance(value, float):
            # Python writes floats below 1e-4 with an exponent; 4 decimals keep every value exponent-free.
            value = max(-1e12, min(1e12, round(value, 4)))
        normal[name] = value
    return normal


# ------------------------------------------------------------------ backends
class Backend(Protocol):
    name: str

    def fired(self, facts: dict[str, Any]) -> list[str]:
        """Ids of every rule whose conditions hold, in rule order."""


class BuiltinBackend:
    name = "builtin"

    def __init__(self, rules: Iterable[Rule]):
        self._rules = tuple(rules)
        self._names = _read_names(self._rules)

    def fired(self, facts: dict[str, Any]) -> list[str]:
        facts = normalize_facts({name: value for name, value in facts.items() if name in self._names})
        return [rule.id for rule in self._rules if when_holds(rule.when, facts)]


def _read_names(rules: tuple[Rule, ...]) -> frozenset[str]:
    """The facts some condition reads: the others change no answer, so neither backend rounds or sends them."""
    return frozenset(condition.fact for rule in rules for condition in rule.when.conditions())


_RULESET_COUNTER = itertools.count()
_DURABLE_LOCK = threading.Lock()


class DurableBackend:
    """durable_rules' C engine, driven directly: one session per fact, its state deleted after.

    The Python host around the engine parses and re-serialises the session state for every firing and
    re-asserts it (DURABLE_RULES.md): twice the time, and nothing the findings need. Here each firing costs
    one call into the engine and the parse of its small message; the host is used only to build the ruleset.
    """

    name = "durable_rules"

    def __init__(self, rules: Iterable[Rule]):
        import durable.engine as durable_engine  # noqa: PLC0415 - optional dependency
        import durable_rules_engine  # type: ignore[import-not-found]  # noqa: PLC0415 - durable's C extension

        class _SyncHost(durable_engine.Host):
            def _run(self) -> None:  # no timer threads: nothing runs outside fired()
                return None

        self._c = durable_rules_engine
        self._rules = tuple(rules)
        self._order = {rule.id: index for index, rule in enumerate(self._rules)}
        self._host = _SyncHost()
        # Ruleset names are process-global and cannot be unloaded: give each compilation its own.
        self._ruleset = f"go_advisor_{os.getpid()}_{next(_RULESET_COUNTER)}"
        definition = {}
        for rule in self._rules:
            compiled = compile_rule(rule)
            compiled["run"] = _never_run  # firings are read from the engine's queue, never dispatched
            definition[rule.id] = compiled
        # durable 2.0.28 segfaults in delete_state after a fact that matched no rule
        # (MessageNotHandledException; tests/test_rules_backends.py reproduces it), so a sentinel
        # matches every real fact: the not-handled path is never taken and every session has state.
        definition[_SENTINEL] = {"all": [{"m": {_MARKER: 1}}], "run": _never_run}
        self._host.set_rulesets({self._ruleset: definition})
        self._handle = self._host.get_ruleset(self._ruleset)._handle
        self._session = itertools.count()
        self._names = _read_names(self._rules)

    def fired(self, facts: dict[str, Any]) -> list[str]:
        with _DURABLE_LOCK:
            session = str(next(self._session))
            read = normalize_facts({name: value for name, value in facts.items() if name in self._names})
            fact = {_key(name): value for name, value in read.items()}
            fact.update({_MARKER: 1, "sid": session, "id": session})
            code, state = self._c.assert_fact(self._handle, json.dumps(fact, ensure_ascii=False))
            if code in (1, 2):  # not handled / already observed: the sentinel and fresh sessions prevent both
                raise RuntimeError(f"durable_rules refused a fact (code {code})")
            fired: set[str] = set()
            started = self._c.start_action_for_state(self._handle, state)
            message = started[1] if started else None
            while message:
                # {"<rule id>": {...the fact...}}: one firing; the next comes when this one completes.
                # Rule ids never hold a quote (Rule.id's pattern), so the name ends at the next one; anything
                # else is parsed in full.
                name = message[2:message.find('"', 2)] if message.startswith('{"') else ""
                fired.update((name,) if name in self._order or name == _SENTINEL else json.loads(message))
                message = self._c.complete_and_start_action(self._handle, state)
            self._c.delete_state(self._handle, session)
            # An OR fires once per true branch: de-duplicate, then report in rule order.
            return sorted(fired - {_SENTINEL}, key=self._order.__getitem__)


def _never_run(_closure: Any) -> None:
    raise AssertionError("DurableBackend reads firings from the engine; no action is ever dispatched")


def durable_available() -> bool:
    try:
        import durable.engine  # noqa: F401, PLC0415
    except Exception:  # ImportError, or the undefined-symbol error on 3.13
        return False
    return True


def make_backend(rules: Iterable[Rule], prefer: str = "auto") -> Backend:
    """prefer auto: durable_rules where it imports, else the built-in evaluator; durable or builtin force one."""
    choice = prefer or "auto"
    if choice not in ("auto", "durable", "builtin"):
        raise ValueError(f"rules backend must be auto, durable or builtin, not {choice!r}")
    if choice == "builtin" or (choice == "auto" and not durable_available()):
        return BuiltinBackend(rules)
    return DurableBackend(rules)


def evaluate(backend: Backend, knowledge: Knowledge, facts: Facts,
             accepted: frozenset[str]) -> tuple[tuple[Finding, ...], tuple[Finding, ...]]:
    """(applied, withheld) findings for one fact set; effects are applied later by scoring.

    A finding is as sure as the weakest of its rule, every fact it read and every coefficient it uses;
    one weaker than the accepted evidence is withheld (shown by explain, never applied).
    """
    plain = facts.plain()
    roots = _message_roots(knowledge)
    by_root: dict[str, dict[str, Any]] = {}  # the facts under each top-level name, filled on the first finding
    rules = knowledge.rules_by_id
    applied: list[Finding] = []
    withheld: list[Finding] = []
    for rule_id in backend.fired(plain):
        rule = rules[rule_id]
        reads = knowledge.rule_reads[rule_id]
        # as sure as the weakest of the rule, the facts it read and the coefficients it uses
        confidence = weakest(rule.confidence, *(facts.confidence(name) for name in reads),
                             *(knowledge.coefficients[cid].confidence for cid in rule.uses))
        finding = Finding(rule_id=rule.id, criterion=rule.criterion, effect=rule.effect, severity=rule.severity,
                          confidence=confidence, rule_confidence=rule.confidence,
                          threshold=rule.threshold, reads=reads,
                          message=render_message(knowledge.messages[rule_id], _visible(plain, roots[rule_id], by_root)),
                          sources=rule.sources,
                          uses=rule.uses)
        (applied if confidence in accepted else withheld).append(finding)
    return tuple(applied), tuple(withheld)


# knowledge base -> rule id -> the top-level names its message template reads
_ROOTS: weakref.WeakKeyDictionary[Knowledge, dict[str, frozenset[str]]] = weakref.WeakKeyDictionary()


def _message_roots(knowledge: Knowledge) -> dict[str, frozenset[str]]:
    """Each rule message's top-level variables (`ssd` of ssd.nand), found once per knowledge base by parsing
    the template (parsing runs nothing)."""
    roots = _ROOTS.get(knowledge)
    if roots is None:
        environment = SandboxedEnvironment()
        roots = _ROOTS[knowledge] = {rule.id: frozenset(meta.find_undeclared_variables(environment.parse(rule.message)))
                                     for rule in knowledge.rules}
    return roots


def _visible(plain: dict[str, Any], roots: frozenset[str], by_root: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The facts under a message's top-level names. A template reaches only the names it spells out, so it
    renders the same text over these, and ~150 facts are not nested and rounded again for every finding."""
    if not by_root:
        for name, value in plain.items():
            by_root.setdefault(name.partition(".")[0], {})[name] = value
    visible: dict[str, Any] = {}
    for root in roots:
        visible.update(by_root.get(root, {}))
    return visible
