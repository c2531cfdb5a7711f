"""Per-criterion scores 0-100 from the facts each criterion declares, findings, weights and totals.

A criterion reads only facts (advisor/facts.py), so every number it rests on carries its evidence:
a required fact weaker than the accepted evidence makes the criterion "not assessed", an optional
one is left out and the basis says so. Findings weaker than the accepted evidence are withheld.
"""
from __future__ import annotations

import math
import statistics
from typing import Any, Callable, Iterable, Mapping

from advisor.errors import InputError
from advisor.facts import FACTS, Facts, FactValue, did_you_mean
from advisor.types import (
    CriterionPolicy,
    CriterionScore,
    Finding,
    Input,
    MachineConfig,
    Metrics,
    Profile,
    Score,
    Scoring,
    Term,
    weakest,
)


def _clamp(value: float, low: float = 0.0, high: float = 100.0) -> float:
    return max(low, min(high, value))


def _reading(term: Term, value: object, unit: str) -> str:
    """A term's reading in words: 87 % of the clock sustained..., 12.3 min/day waiting..."""
    if isinstance(value, str):
        return f"{value} ({term.label})" if term.label else value
    number = float(value)  # type: ignore[arg-type]
    if unit == "ratio":
        text = f"{number * 100:.0f} %"
    else:
        digits = 0 if abs(number) >= 100 else 1 if abs(number) >= 10 else 2
        text = f"{number:,.{digits}f} {unit}"
    return f"{text} {term.label}".strip()


def _missing_reason(name: str, metrics: Metrics) -> str:
    quantity = metrics.quantities.get(name)
    if quantity is not None and quantity.not_assessed:
        return quantity.not_assessed
    return f"{name} is not in the database"


_COMBINE: dict[str, Callable[[list[float]], float]] = {"min": min, "max": max, "mean": statistics.fmean}


def _read_term(term: Term, facts: Facts, metrics: Metrics,
               accepted: frozenset[str]) -> tuple[FactValue | None, str | None]:
    """The term's fact if it exists and is evidenced well enough, else why not."""
    fact = facts.get(term.fact)
    if fact is None:
        return None, _missing_reason(term.fact, metrics)
    if fact.confidence is not None and fact.confidence not in accepted:
        return None, f"{term.fact} is {fact.confidence}"
    return fact, None


def relative_facts(scoring: Scoring) -> tuple[str, ...]:
    """Facts some criterion scores against the database's best value (per_doubling curves)."""
    return tuple(sorted({t.fact for c in scoring.criteria.values() for t in c.terms if t.curve.per_doubling}))


def criterion_score(name: str, policy: CriterionPolicy, facts: Facts, metrics: Metrics,
                    findings: Iterable[Finding], withheld: Iterable[Finding], weight: float,
                    accepted: frozenset[str], best: Mapping[str, Input] | None = None) -> CriterionScore:
    """One criterion: its base from the declared terms, then the findings' effects."""
    own = [f for f in findings if f.criterion == name]
    held = tuple(f.rule_id for f in withheld if f.criterion == name)

    def result(**fields: Any) -> CriterionScore:
        return CriterionScore(criterion=name, short=policy.short, weight=weight, **fields)

    def unscored(basis: str, **fields: Any) -> CriterionScore:
        return result(base=None, adjustment=0.0, score=None, basis=basis, withheld=held, **fields)

    if policy.applies_when is not None:
        applies = facts.get(policy.applies_when)
        if applies is None or applies.value is not True:
            return unscored(f"not applicable ({policy.applies_when} is false)", applicable=False)
    inputs: list[Input] = []
    parts: list[float] = []
    readings: list[str] = []  # what each term read, in words
    notes: list[str] = []  # what was left out, and why
    base: float | None
    if policy.base is not None:
        base, readings = policy.base, [policy.description]
    else:
        reason = None
        for term in policy.terms:
            if term.when is not None:
                applies = facts.get(term.when)
                if applies is None or applies.value is not True:
                    continue
            fact, problem = _read_term(term, facts, metrics, accepted)
            if fact is None:
                if term.optional:
                    notes.append(f"{term.label or term.fact} not assessed: {problem}")
                else:
                    reason = reason or problem
                continue
            unit = FACTS[term.fact].unit
            inputs.append(Input(name=term.fact, value=fact.value, unit=unit, source=fact.source,
                                confidence=fact.confidence, note=fact.note))
            reference = (best or {}).get(term.fact) if term.curve.per_doubling else None
            if term.curve.per_doubling and reference is None:
                reason = reason or f"no configuration in the database has {term.fact} assessed"
                continue
            if reference is not None:
                inputs.append(reference)
            parts.append(term.curve.score(fact.value, reference.value if reference is not None else None))
            readings.append(_reading(term, fact.value, unit) + (
                f", best in the database {reference.value:.3g} {unit} ({reference.note})" if reference else ""))
        if reason is not None:
            fallback = policy.fallback
            flag = facts.get(fallback.when_false) if fallback else None
            if fallback is not None and flag is not None and flag.value is False:
                base, readings, inputs = fallback.score, [fallback.basis], []
            else:
                return unscored(f"not assessed: {reason}", inputs=tuple(inputs))
        else:
            if not parts:  # every alternative of a `max` left out
                return unscored("not assessed: " + "; ".join(notes))
            base = _COMBINE[policy.combine](parts)
    adjustment = sum((f.effect.bonus or 0) - (f.effect.penalty or 0) for f in own)
    levels = [i.confidence for i in inputs] + [f.confidence for f in own]
    confidence = weakest(*levels) if any(level is not None for level in levels) else None
    if held:
        notes.append(f"{len(held)} finding(s) withheld: weaker than the accepted evidence")
    return result(base=round(base, 1), adjustment=adjustment, score=round(_clamp(base + adjustment), 1),
                  basis="; ".join(readings + notes), confidence=confidence, inputs=tuple(inputs), withheld=held)


def effective_weights(scoring: Scoring, profile: Profile, overrides: Mapping[str, float]) -> dict[str, float]:
    """Default weights, then the profile's, then the command line's; names must be declared criteria."""
    weights = dict(scoring.default_weights)
    for origin, layer in (("the profile's weights", profile.weights), ("--weight", overrides)):
        for criterion, weight in layer.items():
            if criterion not in scoring.criteria:
                raise InputError(f"{origin}: {criterion!r} is not a criterion"
                                 f"{did_you_mean(criterion, scoring.criteria)}; "
                                 f"criteria: {', '.join(scoring.names)}")
            if not isinstance(weight, (int, float)) or not math.isfinite(weight) or weight < 0:
                raise InputError(f"{origin}: {criterion}={weight} must be a finite number, not negative")
            weights[criterion] = float(weight)
    if not any(weight > 0 for weight in weights.values()):
        raise InputError("weights: at least one criterion needs a positive weight")
    return weights


def score_config(mc: MachineConfig, profile: Profile, metrics: Metrics, facts: Facts, findings: Iterable[Finding],
                 withheld: Iterable[Finding], scoring: Scoring, weights: Mapping[str, float],
                 accepted: frozenset[str], best: Mapping[str, Input] | None = None) -> Score:
    """Every criterion's score and the weighted total of the assessed ones; `best` holds the database's best
    value of each relative fact for this profile."""
    findings, withheld = tuple(findings), tuple(withheld)
    criteria = tuple(criterion_score(name, policy, facts, metrics, findings, withheld, weights[name], accepted,
                                     best)
                     for name, policy in scoring.criteria.items())
    counted = [c for c in criteria if c.score is not None and c.weight > 0]
    weight_sum = sum(c.weight for c in counted)
    total = round(sum((c.score or 0.0) * c.weight for c in counted) / weight_sum, 1) if weight_sum else 0.0
    disqualifiers = tuple(f.rule_id for f in findings if f.effect.disqualify)
    price = mc.config.market_price(profile.buyer_market)
    converted = None
    ratio = metrics.quantities.get("budget_ratio")
    if (price is not None and profile.budget is not None and price.currency != profile.budget.currency
            and ratio is not None and ratio.value is not None):
        used = {i.name.removeprefix("currency.usd_per_unit[").rstrip("]"): i.value for i in ratio.inputs
                if i.name.startswith("currency.usd_per_unit[")}
        rates = ", ".join(f"{used[code]} USD per {code}" for code in (price.currency, profile.budget.currency)
                          if code in used and code != "USD")
        converted = (round(ratio.value * profile.budget.amount, 2), profile.budget.currency,
                     f"converted from {price.amount:,.0f} {price.currency} at an estimated 2024 average rate"
                     + (f" ({rates})" if rates else ""))
    return Score(machine_config=mc.id, machine_id=mc.machine.id, label=mc.label, total=total, criteria=criteria,
                 disqualified=bool(disqualifiers), disqualified_by=disqualifiers, findings=findings,
                 withheld_findings=withheld, metrics=metrics, price=price,
                 rating=scoring.rating(total), converted_price=converted)


def rank_key(score: Score) -> tuple[int, float, str]:
    """Where a score ranks: smaller first (see rank)."""
    return (-score.assessed_count, -score.total, score.machine_config)


def rank(scores: Iterable[Score]) -> list[Score]:
    """Totals resting on more assessed criteria first (a total from fewer never outranks a fuller one), then the
    highest total; ties broken by id so the order never depends on input order."""
    return sorted(scores, key=rank_key)


def best_per_machine(scores: Iterable[Score]) -> list[Score]:
    """The best-scoring configuration of each machine model."""
    best: dict[str, Score] = {}
    for score in rank(scores):
        best.setdefault(score.machine_id, score)
    return rank(best.values())
