"""Per-criterion scores 0-100 from predictions and findings; weights, totals and a stable ranking."""
from __future__ import annotations

from typing import Iterable

from advisor.types import (
    CRITERIA,
    CriterionScore,
    Finding,
    MachineConfig,
    Metrics,
    Profile,
    Score,
    Scoring,
)


def _clamp(value: float, low: float = 0.0, high: float = 100.0) -> float:
    return max(low, min(high, value))


def _linear(value: float, zero_at: float, full_at: float) -> float:
    """0 at zero_at, 100 at full_at, linear between, clamped."""
    return _clamp(100 * (value - zero_at) / (full_at - zero_at))


def build_score(daily_wait_min: float, scales: dict[str, float]) -> float:
    """100 for no waiting, 50 at the half-score wait, falling towards 0."""
    return 100 / (1 + daily_wait_min / scales["build_half_score_wait_min"])


def memory_score(ram_gb: float, peak_gb: float, target_headroom_gb: float) -> float:
    """40 when the peak just fits, 100 with the target headroom, lower when the peak exceeds RAM."""
    headroom = ram_gb - peak_gb
    if headroom < 0:
        return _clamp(40 * ram_gb / peak_gb)
    return 40 + 60 * min(1.0, headroom / target_headroom_gb)


def storage_score(endurance_years: float | None, free_gb: float, scales: dict[str, float]) -> float:
    capacity = _linear(free_gb, 0, scales["storage_full_score_free_gb"])
    if endurance_years is None:
        return capacity
    endurance = _linear(endurance_years, 0, scales["storage_full_score_years"])
    return min(capacity, endurance)


def thermals_score(sustained_clock_ratio: float, scales: dict[str, float]) -> float:
    return _linear(sustained_clock_ratio, scales["thermals_zero_score_ratio"], 1.0)


def portability_score(weight_kg: float, battery_wh: float | None, scales: dict[str, float]) -> float:
    weight = _linear(weight_kg, scales["portability_heavy_kg"], scales["portability_light_kg"])
    if battery_wh is None:
        return weight
    battery = _linear(battery_wh, scales["portability_poor_battery_wh"], scales["portability_full_battery_wh"])
    return (weight + battery) / 2


def budget_score(budget_ratio: float, scales: dict[str, float]) -> float:
    """100 up to the full-score share of the budget, 60 at the budget, falling beyond."""
    full = scales["budget_full_score_share"]
    if budget_ratio <= full:
        return 100.0
    if budget_ratio <= 1:
        return 100 - 40 * (budget_ratio - full) / (1 - full)
    return 60 / budget_ratio


def os_score(mc: MachineConfig, profile: Profile, level_scores: dict[str, float]) -> float:
    """How well the machine supports the OS the profile needs (its best OS when the profile says none)."""
    wanted = profile.os or tuple(mc.machine.os_support)
    levels = [mc.machine.os_support[os_name].level if os_name in mc.machine.os_support else "none" for os_name in wanted]
    return max(level_scores[level] for level in levels)


def base_scores(mc: MachineConfig, profile: Profile, metrics: Metrics, scoring: Scoring) -> dict[str, tuple[float | None, str]]:
    """(score, basis) per criterion before findings adjust them; None when not assessed."""
    s = scoring.scales
    value = metrics.value
    result: dict[str, tuple[float | None, str]] = {}
    wait = value("daily_wait_min")
    result["build"] = (build_score(wait, s), f"{wait:.1f} min/day waiting on builds and tests") if wait is not None \
        else (None, metrics.quantities["daily_wait_min"].not_assessed or "not assessed")
    peak = value("peak_memory_gb")
    target = metrics.quantities.get("memory_headroom_gb")
    if peak is not None:
        headroom = mc.config.ram_gb - peak
        result["memory"] = (memory_score(mc.config.ram_gb, peak, s["memory_full_score_headroom_gb"]),
                            f"peak {peak:.1f} GB of {mc.config.ram_gb} GB ({headroom:+.1f} GB headroom)")
    else:
        result["memory"] = (None, target.not_assessed if target else "not assessed")
    free, years = value("free_storage_gb"), value("endurance_years")
    if free is not None:
        basis = f"{free:.0f} GB free after OS and caches" + (f", {years:.0f} years of rated endurance" if years is not None
                                                             else ", endurance not assessed")
        result["storage"] = (storage_score(years, free, s), basis)
    else:
        result["storage"] = (None, "not assessed")
    ratio = value("sustained_clock_ratio")
    result["thermals"] = ((thermals_score(ratio, s), f"sustains {ratio * 100:.0f} % of its clock in long builds")
                          if ratio is not None else (None, metrics.quantities["sustained_clock_ratio"].not_assessed or ""))
    result["platform"] = (100.0, "architecture and toolchain fit; findings subtract")
    result["os"] = (os_score(mc, profile, scoring.os_level_scores), _os_basis(mc, profile))
    ratio_budget = value("budget_ratio")
    if profile.budget is None:
        result["budget"] = (None, "no budget given")
    elif ratio_budget is None:
        result["budget"] = (s["budget_unknown_price_score"], "no price known: neutral score")
    else:
        result["budget"] = (budget_score(ratio_budget, s), f"{ratio_budget * 100:.0f} % of the budget")
    battery = mc.machine.battery_wh.value if mc.machine.battery_wh else None
    result["portability"] = (portability_score(mc.machine.weight_kg.value, battery, s),
                             f"{mc.machine.weight_kg.value:.2f} kg" + (f", {battery:.0f} Wh" if battery else ""))
    return result


def _os_basis(mc: MachineConfig, profile: Profile) -> str:
    wanted = profile.os or tuple(sorted(mc.machine.os_support))
    return ", ".join(f"{os_name}: {mc.machine.os_support[os_name].level if os_name in mc.machine.os_support else 'none'}"
                     for os_name in wanted)


def effective_weights(defaults: dict[str, float], profile: Profile, overrides: dict[str, float]) -> dict[str, float]:
    weights = {c: defaults.get(c, 1.0) for c in CRITERIA}
    weights.update(profile.weights)
    weights.update(overrides)
    return weights


def score_config(mc: MachineConfig, profile: Profile, metrics: Metrics, findings: Iterable[Finding],
                 scoring: Scoring, weights: dict[str, float]) -> Score:
    """Apply findings to the base scores and combine them with the weights."""
    findings = tuple(findings)
    bases = base_scores(mc, profile, metrics, scoring)
    criteria = []
    for criterion in CRITERIA:
        base, basis = bases[criterion]
        adjustment = sum((f.effect.bonus or 0) - (f.effect.penalty or 0) for f in findings if f.criterion == criterion)
        score = None if base is None else round(_clamp(base + adjustment), 1)
        criteria.append(CriterionScore(criterion=criterion, base=None if base is None else round(base, 1),
                                       adjustment=adjustment, score=score, weight=weights[criterion], basis=basis))
    assessed = [c for c in criteria if c.score is not None and c.weight > 0]
    weight_sum = sum(c.weight for c in assessed)
    total = round(sum(c.score * c.weight for c in assessed) / weight_sum, 1) if weight_sum else 0.0
    disqualifiers = tuple(f.rule_id for f in findings if f.effect.disqualify)
    currency = profile.budget.currency if profile.budget else "USD"
    return Score(machine_config=mc.id, machine_id=mc.machine.id, label=mc.label, total=total,
                 criteria=tuple(criteria), disqualified=bool(disqualifiers), disqualified_by=disqualifiers,
                 findings=findings, metrics=metrics, price=mc.config.price(currency) or _any_price(mc))


def _any_price(mc: MachineConfig):
    """A recorded price in another currency, USD first, for display when none is in the budget's currency."""
    prices = sorted(mc.config.prices, key=lambda p: (p.currency != "USD", p.currency, p.seen))
    return prices[0] if prices else None


def rank(scores: Iterable[Score]) -> list[Score]:
    """Highest total first; ties broken by id so the order never depends on input order."""
    return sorted(scores, key=lambda s: (-s.total, s.machine_config))


def best_per_machine(scores: Iterable[Score]) -> list[Score]:
    """The best-scoring configuration of each machine model."""
    best: dict[str, Score] = {}
    for score in rank(scores):
        best.setdefault(score.machine_id, score)
    return rank(best.values())
