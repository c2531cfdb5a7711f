"""What would change the pick: the smallest single-criterion weight change and the smallest budget change that
put another machine on top, found by re-running the recommendation (advisor.api) over a bounded grid.

Nothing here scores: every candidate is a full `recommend` with one weight or the budget changed, so a flip is
exactly what `go-advisor recommend --weight ...` or `--budget ...` would show.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Mapping, Sequence

from advisor.types import Recommendation

# The weights tried for each criterion, nearest to its current weight first (policy: 0 to 10, in half steps where
# the default weights lie and coarser above, since each weight tried is a whole recommendation).
WEIGHT_GRID: tuple[float, ...] = (0, 0.5, 1, 1.5, 2, 3, 4, 6, 10)
# Policy: budgets tried at most, nearest first (each is a recommendation with a new profile, predicted afresh).
MAX_BUDGETS = 8

Recommend = Callable[..., Recommendation]  # api.recommend with everything but weights/budget bound


@dataclass(frozen=True)
class WeightFlip:
    """Setting one criterion's weight from `old` to `new` puts `machine_config` (total) on top."""

    criterion: str
    old: float
    new: float
    machine_config: str
    label: str
    total: float


@dataclass(frozen=True)
class BudgetFlip:
    """A budget of `amount` (currency) puts `machine_config` on top; `old` is the budget now (None: none)."""

    old: float | None
    amount: float
    currency: str
    machine_config: str
    label: str
    total: float


@dataclass(frozen=True)
class Flips:
    """The flips found and what was searched, so the guide can say both."""

    weights: tuple[WeightFlip, ...]  # at most one per criterion: its smallest change that flips
    unflipped: tuple[str, ...]  # criteria no weight in the grid flips
    budget: BudgetFlip | None
    budgets_tried: tuple[float, ...]
    weight_grid: tuple[float, ...] = WEIGHT_GRID

    @property
    def smallest_weight(self) -> WeightFlip | None:
        """The flip with the smallest change of weight (ties: the criterion declared first)."""
        return min(self.weights, key=lambda f: abs(f.new - f.old), default=None)


def _top_machine(rec: Recommendation) -> str | None:
    return rec.ranked[0].machine_id if rec.ranked else None


def flipped(rec: Recommendation, pick: str | None) -> bool:
    """Another machine is strictly ahead of the pick (machine id) here: a tie on the rounded total, which the
    ranking breaks by id, is no flip; a pick no longer ranked (disqualified, say) is."""
    if not rec.ranked or rec.ranked[0].machine_id == pick:
        return False
    mine = next((s.total for s in rec.ranked if s.machine_id == pick), None)
    return mine is None or rec.ranked[0].total > mine


def weight_flips(recommend: Recommend, base: Recommendation, criteria: Sequence[str],
                 overrides: Mapping[str, float]) -> tuple[tuple[WeightFlip, ...], tuple[str, ...]]:
    """For each criterion, the grid weight nearest its current one that changes the top machine (if any)."""
    top = _top_machine(base)
    found: list[WeightFlip] = []
    unflipped: list[str] = []
    for criterion in criteria:
        old = base.weights[criterion]
        flip = None
        for new in sorted((w for w in WEIGHT_GRID if w != old), key=lambda w: (abs(w - old), w)):
            rec = recommend(weights={**overrides, criterion: new})
            if flipped(rec, top):
                first = rec.ranked[0]
                flip = WeightFlip(criterion=criterion, old=old, new=new, machine_config=first.machine_config,
                                  label=first.label, total=first.total)
                break
        if flip is None:
            unflipped.append(criterion)
        else:
            found.append(flip)
    return tuple(found), tuple(unflipped)


def budget_candidates(base: Recommendation, currency: str) -> tuple[float, ...]:
    """Budgets to try: the MAX_BUDGETS prices of ranked or disqualified machines in the market (where a machine
    enters or leaves the budget) nearest the current budget, or the dearest when there is none; nearest first."""
    scores = (*base.ranked, *base.disqualified)  # a higher budget can readmit a machine disqualified by price
    prices = sorted({s.price.amount for s in scores if s.price is not None and s.price.currency == currency})
    budget = base.profile.budget
    if budget is not None and budget.currency == currency:
        nearest = sorted((p for p in prices if p != budget.amount), key=lambda p: (abs(p - budget.amount), p))
        return tuple(nearest[:MAX_BUDGETS])
    return tuple(reversed(prices))[:MAX_BUDGETS]


def budget_flip(recommend: Recommend, base: Recommendation, currency: str
                ) -> tuple[BudgetFlip | None, tuple[float, ...]]:
    """The first candidate budget (budget_candidates' order) under which another machine tops the ranking."""
    top = _top_machine(base)
    old = base.profile.budget.amount if base.profile.budget is not None else None
    tried: list[float] = []
    for amount in budget_candidates(base, currency):
        tried.append(amount)
        rec = recommend(budget=amount, currency=currency)
        if flipped(rec, top):
            first = rec.ranked[0]
            return (BudgetFlip(old=old, amount=amount, currency=currency, machine_config=first.machine_config,
                               label=first.label, total=first.total), tuple(tried))
    return None, tuple(tried)
