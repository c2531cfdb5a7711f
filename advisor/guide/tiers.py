"""Budget tiers in the manner of Logical Increments: price bands cut from the ranked machines' own prices, the
best machine of each band, and what stepping down from the next band up gives up, criterion by criterion."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

from advisor.types import Score

# Policy: how many bands a guide shows at most, and the smallest criterion gap worth a line (points of 0-100).
MAX_BANDS = 4
GAP_POINTS = 5.0


@dataclass(frozen=True)
class Difference:
    """One criterion where two machines differ: this one's score against the other's."""

    criterion: str
    mine: float
    theirs: float


@dataclass(frozen=True)
class Tier:
    """One price band (low, high] in the market's currency and its best machine, in the ranking's order."""

    low: float
    high: float
    best: Score
    machines: int  # ranked machines priced in the band
    # against the next band up's best: criteria it scores GAP_POINTS or more higher (what this band gives up),
    # and those where this band's best is as far ahead (what it keeps)
    gives_up: tuple[Difference, ...] = ()
    keeps: tuple[Difference, ...] = ()
    saves: float | None = None  # the next band's best's price minus this one's


def round_up(price: float) -> float:
    """A band edge: the price rounded up to two significant figures (1,049 -> 1,100; 4,689 -> 4,700)."""
    if price <= 0:
        return 0.0
    step = 10 ** max(0, math.floor(math.log10(price)) - 1)
    return math.ceil(price / step) * step


def _differences(mine: Score, other: Score) -> tuple[tuple[Difference, ...], tuple[Difference, ...]]:
    lower, higher = [], []
    for c in mine.criteria:
        theirs = other.criterion_score(c.criterion)
        if c.score is None or theirs.score is None or not c.applicable or c.weight <= 0:
            continue
        gap = theirs.score - c.score
        if gap >= GAP_POINTS:
            lower.append(Difference(c.criterion, c.score, theirs.score))
        elif -gap >= GAP_POINTS:
            higher.append(Difference(c.criterion, c.score, theirs.score))
    return tuple(lower), tuple(higher)


def tiers(ranked: Sequence[Score], currency: str, bands: int = MAX_BANDS) -> tuple[Tier, ...]:
    """Up to `bands` price bands holding about as many ranked machines each (the machines priced in `currency`),
    each band's best being the first of its machines in the ranking; cheapest band first."""
    priced = [s for s in ranked if s.price is not None and s.price.currency == currency]
    if not priced:
        return ()
    prices = sorted(s.price.amount for s in priced if s.price is not None)
    count = min(bands, len(prices))
    edges: list[float] = []
    for index in range(1, count + 1):
        edge = round_up(prices[math.ceil(index * len(prices) / count) - 1])
        if not edges or edge > edges[-1]:
            edges.append(edge)
    found: list[Tier] = []
    low = 0.0
    for high in edges:
        inside = [s for s in priced if s.price is not None and low < s.price.amount <= high]
        if inside:
            found.append(Tier(low=low, high=high, best=inside[0], machines=len(inside)))
        low = high
    result = []
    for tier, above in zip(found, [*found[1:], None], strict=True):
        if above is None:
            result.append(tier)
            continue
        gives_up, keeps = _differences(tier.best, above.best)
        saves = (above.best.price.amount - tier.best.price.amount
                 if above.best.price is not None and tier.best.price is not None else None)
        result.append(Tier(low=tier.low, high=tier.high, best=tier.best, machines=tier.machines, gives_up=gives_up,
                           keeps=keeps, saves=saves))
    return tuple(result)
