"""The guide's numbers, language-neutral: one recommendation per profile (advisor.api), its tiers and flips.

This is the expensive part (the flips re-run the recommendation over a grid); advisor.guide.context turns it into
a template context for any language without recomputing.
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from advisor import api
from advisor.errors import InputError
from advisor.guide.flips import Flips, budget_flip, weight_flips
from advisor.guide.tiers import Tier, tiers
from advisor.types import DEFAULT_EVIDENCE, Profile, Recommendation
from advisor.types.hardware import MARKET_CURRENCY

DEFAULT_PROFILES = ("microservice",)  # as `recommend`: one guide section per --profile given


@dataclass(frozen=True)
class ProfileGuide:
    """Everything one profile's section shows: the recommendation itself and what is derived from it."""

    rec: Recommendation
    currency: str
    tiers: tuple[Tier, ...]
    flips: Flips


@dataclass(frozen=True)
class GuideData:
    """The language-neutral guide: a section per profile and the data they were computed from."""

    sections: tuple[ProfileGuide, ...]
    data: api.Data
    evidence: str


def _criteria_weighed(rec: Recommendation) -> list[str]:
    """Criteria whose weight changes a total here: applicable to the top machine (the OS criterion without named
    OSes and the budget one without a budget weigh nothing)."""
    if not rec.ranked:
        return []
    return [c.criterion for c in rec.ranked[0].criteria if c.applicable]


def profile_guide(profile: Profile, data: api.Data, evidence: str) -> ProfileGuide:
    """One profile's recommendation (exactly `recommend`'s), its budget tiers and what would flip its pick."""
    rec = api.recommend(profile, data=data, evidence=evidence)
    currency = MARKET_CURRENCY[rec.market]
    again = functools.partial(api.recommend, rec.profile, data=data, evidence=evidence)
    found, unflipped = weight_flips(again, rec, _criteria_weighed(rec), {})
    flip, tried = budget_flip(again, rec, currency)
    return ProfileGuide(rec=rec, currency=currency, tiers=tiers(rec.ranked, currency),
                        flips=Flips(weights=found, unflipped=unflipped, budget=flip, budgets_tried=tried))


def build_guide(profiles: Iterable[str | Path | Profile] = DEFAULT_PROFILES, *, market: str | None = None,
                budget: float | None = None, evidence: str = DEFAULT_EVIDENCE, data: api.Data | None = None,
                db: str | Path | None = None, knowledge: str | Path | None = None) -> GuideData:
    """The numbers of a buying guide for one or more profiles in one market (`go-advisor guide`'s API twin,
    with advisor.guide.render for the documents). A budget is in the market's currency."""
    data = data or api.load(db, knowledge)
    api.evidence_levels(evidence)
    if budget is not None and not (math.isfinite(budget) and budget > 0):
        raise InputError(f"--budget: {budget} is not a positive finite number")
    sections: list[ProfileGuide] = []
    seen: set[str] = set()
    for given in profiles:
        chosen = api.resolve_profile(given, data)
        chosen = api.apply_constraints(chosen, market=market)
        if budget is not None:
            chosen = api.apply_constraints(chosen, budget=budget, currency=MARKET_CURRENCY[chosen.buyer_market])
        if chosen.id in seen:
            continue
        seen.add(chosen.id)
        sections.append(profile_guide(chosen, data, evidence))
    if not sections:
        raise InputError("--profile: name at least one profile")
    return GuideData(sections=tuple(sections), data=data, evidence=evidence)
