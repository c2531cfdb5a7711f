"""The rules engines against a plain-Python evaluation of the same compiled conditions, on real fact sets.

The fact sets are every configuration of the database under every preset (770 of them); each backend is
asked for the fired rules of every set, in turn, several rounds, and the median of each round's ratio to the
plain-Python reference is printed. The reference compiles each rule's conditions to nested Python closures
with the built-in evaluator's semantics, and rounds the facts they read as both backends do.

Run: python benchmarks/bench_rules.py [--rounds N] [--evidence LEVEL]
(with PYTHONPATH=<another checkout> it measures that checkout's backends against the same reference)
"""
from __future__ import annotations

import argparse
import statistics
import time
from typing import Any, Callable

from advisor import api, engine
from advisor.facts import assemble
from advisor.types import Condition, When

Check = Callable[[dict[str, Any]], bool]


def _condition(condition: Condition) -> Check:
    name, op, wanted = condition.fact, condition.op, condition.value
    if op == "exists":
        return lambda facts: name in facts
    if op == "absent":
        return lambda facts: name not in facts

    def equal(value: Any, target: Any) -> bool:
        return value == target and type(value) is not bool or value is target

    if op == "eq":
        return lambda facts: name in facts and equal(facts[name], wanted)
    if op == "ne":
        return lambda facts: name in facts and not equal(facts[name], wanted)
    if op == "in":
        return lambda facts: name in facts and any(equal(facts[name], target) for target in wanted)
    compare: Callable[[Any], bool] = {"lt": lambda v: v < wanted, "le": lambda v: v <= wanted,
                                      "gt": lambda v: v > wanted, "ge": lambda v: v >= wanted}[op]
    return lambda facts: name in facts and compare(facts[name])


def compile_python(when: When) -> Check:
    """A rule's conditions as one closure: every `all` part holds and, if there are `any` parts, one does."""
    every = [compile_python(p) if isinstance(p, When) else _condition(p) for p in when.all]
    some = [compile_python(p) if isinstance(p, When) else _condition(p) for p in when.any]
    return lambda facts: all(c(facts) for c in every) and (not some or any(c(facts) for c in some))


class PythonReference:
    name = "python"

    def __init__(self, rules: list) -> None:
        self._checks = [(rule.id, compile_python(rule.when)) for rule in rules]
        self._names = {condition.fact for rule in rules for condition in rule.when.conditions()}

    def fired(self, facts: dict[str, Any]) -> list[str]:
        # the facts the conditions read, rounded as the backends round them
        normal = engine.normalize_facts({name: facts[name] for name in self._names if name in facts})
        return [rule_id for rule_id, check in self._checks if check(normal)]


def fact_sets(data: api.Data, evidence: str) -> list[dict[str, Any]]:
    from advisor.predict import predict  # noqa: PLC0415

    sets = []
    for profile in data.knowledge.presets.values():
        for mc in data.catalog.machine_configs():  # the public calls: this script also runs on older trees
            metrics = predict(mc, profile, data.knowledge, api.evidence_levels(evidence))
            sets.append(assemble(mc, profile, metrics, data.knowledge).plain())
    return sets


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--evidence", default="estimate")
    args = parser.parse_args()
    data = api.load()
    rules = [r for r in data.knowledge.rules if r.confidence in api.evidence_levels(args.evidence)]
    sets = fact_sets(data, args.evidence)
    backends: list[Any] = [PythonReference(rules), engine.BuiltinBackend(rules)]
    if engine.durable_available():
        backends.append(engine.DurableBackend(rules))
    expected = [backends[0].fired(facts) for facts in sets]
    for backend in backends[1:]:  # the same answers, or the timing means nothing
        assert [backend.fired(facts) for facts in sets] == expected, backend.name
    firings = sum(map(len, expected))
    seconds: dict[str, list[float]] = {b.name: [] for b in backends}
    for _ in range(args.rounds):
        for backend in backends:
            start = time.perf_counter()
            for facts in sets:
                backend.fired(facts)
            seconds[backend.name].append(time.perf_counter() - start)
    reference = seconds["python"]
    per_set = statistics.median(reference) * 1e6 / len(sets)
    print(f"{len(sets)} fact sets x {len(rules)} rules, {firings / len(sets):.1f} firings a set, "
          f"{args.rounds} rounds; python reference median {per_set:.0f} us a set")
    for backend in backends[1:]:
        ratios = [mine / base for mine, base in zip(seconds[backend.name], reference, strict=True)]
        print(f"{backend.name:14} {statistics.median(ratios):5.2f}x the python reference "
              f"(min {min(ratios):.2f}, max {max(ratios):.2f}); "
              f"{statistics.median(seconds[backend.name]) * 1e6 / len(sets):.0f} us a set")


if __name__ == "__main__":
    main()
