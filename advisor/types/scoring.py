"""Scoring policy as validated data: criteria, the facts each reads, their curves, default weights.

Everything here is the project's choice (policy), not a fact; knowledge/scoring.yaml says why for
each number. A criterion is declared once there, so adding one is mostly data.
"""
from __future__ import annotations

import math
from itertools import pairwise
from typing import Literal

from pydantic import Field, field_validator, model_validator

from advisor.types.provenance import Frozen

Criterion = str  # a name declared in scoring.yaml's `criteria:`


def _finite(value: float, what: str) -> float:
    if not math.isfinite(value):
        raise ValueError(f"{what}: {value} is not a finite number")
    return value


class Curve(Frozen):
    """How one fact's value becomes a 0-100 score; exactly one of points, half_at, levels."""

    # Piecewise linear through (value, score) points, x strictly increasing; flat beyond the ends,
    # or past the last point `inverse`: last score x last value / value (a share that keeps falling).
    points: tuple[tuple[float, float], ...] | None = None
    beyond: Literal["flat", "inverse"] = "flat"
    # 100 / (1 + value / half_at): 100 at 0, 50 at half_at, towards 0 for unbounded quantities.
    half_at: float | None = Field(default=None, gt=0)
    # A text fact's level -> score.
    levels: dict[str, float] | None = None
    # Relative to the database: 100 at the best value any configuration reaches for this profile (the
    # smallest), minus this many points for every doubling above it, floored at 0.
    per_doubling: float | None = Field(default=None, gt=0, le=100)

    @model_validator(mode="after")
    def _one_shape(self) -> "Curve":
        shapes = [self.points is not None, self.half_at is not None, self.levels is not None,
                  self.per_doubling is not None]
        if sum(shapes) != 1:
            raise ValueError("curve: give exactly one of points, half_at, levels, per_doubling")
        if self.points is not None:
            if len(self.points) < 2:
                raise ValueError("points: a curve needs at least two points")
            for x, score in self.points:
                _finite(x, "points")
                _finite(score, "points")
                if not 0 <= score <= 100:
                    raise ValueError(f"points: score {score} is outside 0-100")
            xs = [x for x, _ in self.points]
            if any(b <= a for a, b in pairwise(xs)):
                raise ValueError("points: values must increase strictly from one point to the next")
            if self.beyond == "inverse" and xs[-1] <= 0:
                raise ValueError("beyond: inverse needs a positive last value")
        if self.half_at is not None:
            _finite(self.half_at, "half_at")
        if self.levels is not None:
            for level, score in self.levels.items():
                _finite(score, f"levels.{level}")
                if not 0 <= score <= 100:
                    raise ValueError(f"levels.{level}: score {score} is outside 0-100")
        return self

    def score(self, value: float | str, best: float | None = None) -> float:
        """The 0-100 score of one value; `best` is the database's best value, for a per_doubling curve."""
        if self.per_doubling is not None:
            if best is None or best <= 0:
                raise ValueError("per_doubling: the curve needs the database's best value, a positive number")
            return max(0.0, 100 - self.per_doubling * math.log2(max(float(value), best) / best))
        if self.levels is not None:
            if value not in self.levels:
                raise ValueError(f"no score for level {value!r}")
            return self.levels[str(value)]
        x = float(value)
        if self.half_at is not None:
            return 100 / (1 + max(0.0, x) / self.half_at)
        points = self.points or ()
        if x <= points[0][0]:
            return points[0][1]
        if x >= points[-1][0]:
            last_x, last_score = points[-1]
            return last_score * last_x / x if self.beyond == "inverse" else last_score
        for (x0, s0), (x1, s1) in pairwise(points):
            if x0 <= x <= x1:
                return s0 + (s1 - s0) * (x - x0) / (x1 - x0)
        raise AssertionError("unreachable: x lies between the first and last point")


class Term(Frozen):
    """One fact a criterion reads and the curve that scores it."""

    fact: str
    curve: Curve
    # An optional term is left out (and the basis says so) when its fact is missing or not assessed.
    optional: bool = False
    # A bool fact; when it is false the term does not apply and is skipped silently.
    when: str | None = None
    label: str = ""


class Fallback(Frozen):
    """A policy score for when a bool fact says the data does not exist (not: is not accepted)."""

    when_false: str
    score: float = Field(ge=0, le=100)
    basis: str


class CriterionPolicy(Frozen):
    """One criterion: what it reads and how the readings combine; or a constant base findings adjust."""

    description: str
    short: str = Field(max_length=5, description="column header in narrow tables")
    combine: Literal["min", "mean", "max"] = "min"
    terms: tuple[Term, ...] = ()
    base: float | None = Field(default=None, ge=0, le=100)
    applies_when: str | None = None
    fallback: Fallback | None = None

    @model_validator(mode="after")
    def _terms_or_base(self) -> "CriterionPolicy":
        if bool(self.terms) == (self.base is not None):
            raise ValueError("terms: give either terms (facts and curves) or a constant base")
        if self.terms and self.combine != "max" and all(term.optional for term in self.terms):
            raise ValueError("terms: at least one term must be required (or combine: max over alternatives)")
        return self

    def facts_read(self) -> tuple[str, ...]:
        """Every fact this criterion reads, in declaration order."""
        names = [name for term in self.terms for name in (term.fact, term.when) if name]
        names += [name for name in (self.applies_when, self.fallback.when_false if self.fallback else None) if name]
        return tuple(dict.fromkeys(names))


class Scoring(Frozen):
    """The whole scoring policy: criteria in display order and their default weights."""

    sources: tuple[str, ...] = Field(min_length=1)
    criteria: dict[str, CriterionPolicy] = Field(min_length=1)
    default_weights: dict[str, float]
    # Words for totals, highest band first: (lowest total of the band, word); the last band starts at 0.
    ratings: tuple[tuple[float, str], ...] = Field(min_length=1)

    @field_validator("ratings")
    @classmethod
    def _bands_descend(cls, ratings: tuple[tuple[float, str], ...]) -> tuple[tuple[float, str], ...]:
        floors = [floor for floor, _ in ratings]
        if floors != sorted(floors, reverse=True) or len(set(floors)) != len(floors) or floors[-1] != 0:
            raise ValueError("ratings: give bands from the highest floor down to one starting at 0")
        return ratings

    def rating(self, total: float) -> str:
        """The word for a total."""
        return next(word for floor, word in self.ratings if total >= floor)

    @field_validator("default_weights")
    @classmethod
    def _weights_finite(cls, weights: dict[str, float]) -> dict[str, float]:
        for name, weight in weights.items():
            _finite(weight, name)
            if weight < 0:
                raise ValueError(f"{name}: a weight must not be negative")
        return weights

    @model_validator(mode="after")
    def _weights_name_criteria(self) -> "Scoring":
        for name in self.default_weights:
            if name not in self.criteria:
                raise ValueError(f"default_weights.{name}: not a criterion declared under criteria")
        for name in self.criteria:
            if name not in self.default_weights:
                raise ValueError(f"default_weights.{name}: every criterion needs a default weight")
        if not any(self.default_weights.values()):
            raise ValueError("default_weights: at least one weight must be positive")
        return self

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self.criteria)
