"""What the pipeline produces: quantities with their inputs, metrics, findings, scores, recommendations."""
from __future__ import annotations

from typing import Any

from advisor.types.hardware import Price
from advisor.types.knowledge import Criterion, Effect, Source
from advisor.types.profile import Profile
from advisor.types.provenance import EvidenceLevel, Frozen


class Input(Frozen):
    """One input of a derived quantity: a coefficient, a hardware field, a model quantity or a given value.

    `confidence` is None only for given values (profile fields and the configuration asked about):
    they are the question, not evidence, and `note` says where they came from.
    """

    name: str
    value: Any
    unit: str = ""
    source: str | None = None
    confidence: EvidenceLevel | None
    note: str | None = None


class Quantity(Frozen):
    """A predicted number with its unit, formula, inputs and the weakest confidence among them."""

    name: str
    value: float | None
    unit: str
    formula: str
    # weakest evidence among the inputs; None when every input is given (the question alone decides)
    confidence: EvidenceLevel | None
    inputs: tuple[Input, ...] = ()
    # Why the value is missing: the first input weaker than the accepted evidence, or missing data.
    not_assessed: str | None = None


class Metrics(Frozen):
    """Every prediction for one configuration and profile."""

    machine_config: str
    quantities: dict[str, Quantity]

    def value(self, name: str) -> float | None:
        quantity = self.quantities.get(name)
        return None if quantity is None else quantity.value


class Finding(Frozen):
    """A fired rule: its effect on a criterion and the message, with the evidence it rests on."""

    rule_id: str
    criterion: Criterion
    effect: Effect
    severity: str
    # weakest of the rule's own confidence and of every fact it read
    confidence: EvidenceLevel
    rule_confidence: EvidenceLevel
    # what the rule's threshold rests on: policy, judgement, documented-limit or none
    threshold: str = "none"
    message: str
    sources: tuple[str, ...]
    uses: tuple[str, ...] = ()
    reads: tuple[str, ...] = ()


class CriterionScore(Frozen):
    """One criterion's 0-100 score: base from its declared inputs, adjusted by findings."""

    criterion: Criterion
    short: str = ""  # column header in narrow tables, from scoring.yaml
    base: float | None
    adjustment: float
    score: float | None
    weight: float
    basis: str
    # weakest evidence among the inputs the score read; None when it read none (a policy base)
    confidence: EvidenceLevel | None = None
    inputs: tuple[Input, ...] = ()
    # findings that fired for this criterion but rest on evidence weaker than accepted
    withheld: tuple[str, ...] = ()
    # False when the criterion does not apply to this profile (budget without a budget)
    applicable: bool = True

    @property
    def assessed(self) -> bool:
        return self.score is not None


class Score(Frozen):
    machine_config: str
    machine_id: str
    label: str
    total: float
    criteria: tuple[CriterionScore, ...]
    disqualified: bool
    disqualified_by: tuple[str, ...] = ()
    findings: tuple[Finding, ...] = ()
    # fired, but weaker than the accepted evidence: shown by explain, never applied
    withheld_findings: tuple[Finding, ...] = ()
    metrics: Metrics
    price: Price | None = None
    rating: str = ""  # the total in words (scoring.yaml ratings)
    # the market price in the budget's currency when they differ: (amount, currency, how it was converted)
    converted_price: tuple[float, str, str] | None = None

    @property
    def assessed_count(self) -> int:
        """How many weighted criteria the total rests on."""
        return sum(1 for c in self.criteria if c.assessed and c.weight > 0)

    def criterion_score(self, name: str) -> CriterionScore:
        """The score of one criterion by name."""
        return next(c for c in self.criteria if c.criterion == name)

    @property
    def weighted_count(self) -> int:
        """How many applicable criteria carry weight, assessed or not."""
        return sum(1 for c in self.criteria if c.weight > 0 and c.applicable)


class VerdictPick(Frozen):
    """One line of the verdict: a role (best pick, runner-up, best value, best on an OS), the configuration, and
    reasons stated as differences from the configuration it is weighed against."""

    role: str
    machine_config: str
    label: str
    total: float
    reasons: tuple[str, ...]
    against: str | None = None


class UpgradeRow(Frozen):
    """One candidate against the laptop the user has now."""

    score: Score
    minutes_saved_per_day: float | None  # baseline's daily wait minus the candidate's; negative: slower
    payback_workdays: float | None  # price / (hours saved a day x hourly cost); None when nothing is saved


class Upgrade(Frozen):
    """Is replacing the current laptop worth it: minutes a day saved and payback per candidate."""

    baseline: Score
    rows: tuple[UpgradeRow, ...]
    hourly_cost: float
    currency: str
    hourly_cost_note: str


class Recommendation(Frozen):
    profile: Profile
    evidence: str
    weights: dict[str, float]
    ranked: tuple[Score, ...]
    disqualified: tuple[Score, ...]
    rules_backend: str
    # under a budget, configurations with no price in the buyer's market: listed apart, never ranked
    unpriced: tuple[Score, ...] = ()
    market: str = "us"
    not_offered: tuple[str, ...] = ()  # machines not sold in the market (or kept only as baselines)
    verdict: tuple[VerdictPick, ...] = ()
    sources: dict[str, Source]
