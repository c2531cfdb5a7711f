"""What the pipeline produces: quantities with their inputs, metrics, findings, scores, recommendations."""
from __future__ import annotations

from typing import Any

from advisor.types.hardware import Price
from advisor.types.knowledge import Criterion, Effect, Source
from advisor.types.profile import Profile
from advisor.types.provenance import Confidence, Frozen


class Input(Frozen):
    """One input of a derived quantity: a coefficient, a hardware field or a profile field."""

    name: str
    value: Any
    unit: str = ""
    source: str | None = None
    confidence: Confidence = "documented"
    note: str | None = None


class Quantity(Frozen):
    """A predicted number with its unit, formula, inputs and weakest confidence."""

    name: str
    value: float | None
    unit: str
    formula: str
    confidence: Confidence
    inputs: tuple[Input, ...] = ()
    not_assessed: str | None = None


class Metrics(Frozen):
    machine_config: str
    quantities: dict[str, Quantity]
    facts: dict[str, Any]

    def value(self, name: str) -> float | None:
        quantity = self.quantities.get(name)
        return None if quantity is None else quantity.value


class Finding(Frozen):
    rule_id: str
    criterion: Criterion
    effect: Effect
    severity: str
    confidence: Confidence
    message: str
    sources: tuple[str, ...]
    uses: tuple[str, ...] = ()


class CriterionScore(Frozen):
    criterion: Criterion
    base: float | None
    adjustment: float
    score: float | None
    weight: float
    basis: str


class Score(Frozen):
    machine_config: str
    machine_id: str
    label: str
    total: float
    criteria: tuple[CriterionScore, ...]
    disqualified: bool
    disqualified_by: tuple[str, ...] = ()
    findings: tuple[Finding, ...] = ()
    metrics: Metrics
    price: Price | None = None


class Recommendation(Frozen):
    profile: Profile
    evidence: str
    weights: dict[str, float]
    ranked: tuple[Score, ...]
    disqualified: tuple[Score, ...]
    rules_backend: str
    sources: dict[str, Source]
