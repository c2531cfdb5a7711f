"""The renderer interface and the plain-data view every format starts from."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol, Sequence

from advisor.types import Finding, Input, Quantity, Recommendation, Score
from advisor.types.results import Upgrade, UpgradeRow

if TYPE_CHECKING:
    from advisor.render.templating import Templates

# The predictions shown in every recommendation, in display order.
HEADLINE_METRICS = ("cold_build_s", "edit_loop_s", "test_s", "test_race_s", "daily_wait_min", "peak_memory_gb",
                    "memory_headroom_gb", "gocache_gb_per_day", "temp_writes_gb_per_day", "host_writes_gb_per_day",
                    "endurance_years", "free_storage_gb", "sustained_clock_ratio", "thermal_slowdown_pct")


class Renderer(Protocol):
    """One output format. `templates` are the run's (api.Data.templates; None: the built-in ones), used by the
    formats that have templates."""

    name: str

    def recommendation(self, rec: Recommendation, top: int | None = None, templates: Templates | None = None) -> str:
        """The ranked matrix for a profile."""

    def scores(self, scores: list[Score], title: str, templates: Templates | None = None) -> str:
        """Side-by-side scores of a few configurations (compare)."""

    def upgrade(self, upgrade: Upgrade, title: str, templates: Templates | None = None) -> str:
        """Minutes a day saved and payback of candidates against the current laptop (compare --baseline)."""


def rank_labels(scores: list[Score]) -> list[str]:
    """Rank numbers with ties shown as ties: equal totals share the rank, marked "=" ("1", "=2", "=2", "4")."""
    labels = []
    for score in scores:
        first = next(i for i, other in enumerate(scores) if other.total == score.total)
        tied = sum(1 for other in scores if other.total == score.total) > 1
        labels.append(f"={first + 1}" if tied else str(first + 1))
    return labels


def upgrade_dict(upgrade: Upgrade) -> dict[str, Any]:
    """A JSON-ready view of an upgrade comparison; numbers rounded for display, None when not known."""
    def row(item: UpgradeRow) -> dict[str, Any]:
        wait = item.score.metrics.value("daily_wait_min")
        return {"id": item.score.machine_config, "label": item.score.label, "total": item.score.total,
                "daily_wait_min": None if wait is None else round(wait, 2),
                "minutes_saved_per_day": (None if item.minutes_saved_per_day is None
                                          else round(item.minutes_saved_per_day, 2)),
                "payback_workdays": None if item.payback_workdays is None else round(item.payback_workdays, 1),
                "price": None if item.score.price is None else {"amount": item.score.price.amount,
                                                                 "currency": item.score.price.currency,
                                                                 "kind": item.score.price.kind}}
    baseline = upgrade.baseline.metrics.value("daily_wait_min")
    return {"baseline": {"id": upgrade.baseline.machine_config, "label": upgrade.baseline.label,
                         "daily_wait_min": None if baseline is None else round(baseline, 2)},
            "hourly_cost": round(upgrade.hourly_cost, 2), "currency": upgrade.currency,
            "hourly_cost_note": upgrade.hourly_cost_note, "candidates": [row(r) for r in upgrade.rows]}


def quantity_dict(quantity: Quantity) -> dict[str, Any]:
    return {"value": None if quantity.value is None else round(quantity.value, 3), "unit": quantity.unit,
            "confidence": quantity.confidence, "formula": quantity.formula,
            **({"not_assessed": quantity.not_assessed} if quantity.not_assessed else {})}


def input_dict(item: Input) -> dict[str, Any]:
    """One input a number rests on; confidence None marks a given value (the profile, the configuration)."""
    return {"name": item.name, "value": item.value, "unit": item.unit, "source": item.source,
            "confidence": item.confidence, **({"note": item.note} if item.note else {})}


def finding_dict(finding: Finding) -> dict[str, Any]:
    """A finding with both what it rests on (confidence: weakest of its rule and the facts it read) and what its
    threshold rests on (policy, judgement, documented-limit)."""
    return {"rule": finding.rule_id, "criterion": finding.criterion, "effect": finding.effect.label,
            "severity": finding.severity, "confidence": finding.confidence,
            "rule_confidence": finding.rule_confidence, "threshold": finding.threshold, "reads": list(finding.reads),
            "message": finding.message, "sources": list(finding.sources)}


def criteria_columns(scores: Sequence[Score], every: bool = False) -> list[tuple[str, str]]:
    """(criterion, short header) in scoring.yaml's order, from the scores themselves; a criterion applied to none
    of them (the OS with none named, the budget without one) is left out unless `every` (a sheet's fixed columns)."""
    if not scores:
        return []
    return [(c.criterion, c.short or c.criterion) for c in scores[0].criteria
            if every or any(s.criterion_score(c.criterion).applicable for s in scores)]


def score_dict(score: Score, rank: int | None = None, detail: bool = True) -> dict[str, Any]:
    """A JSON-ready view of one scored configuration."""
    result: dict[str, Any] = {}
    if rank is not None:
        result["rank"] = rank
    result.update({
        "id": score.machine_config,
        "machine": score.machine_id,
        "label": score.label,
        "total": score.total,
        "rating": score.rating,
        "disqualified": score.disqualified,
        "disqualified_by": list(score.disqualified_by),
        "price": None if score.price is None else {"amount": score.price.amount, "currency": score.price.currency,
                                                    "market": score.price.market, "kind": score.price.kind,
                                                    "converted": None if score.converted_price is None else {
                                                        "amount": score.converted_price[0],
                                                        "currency": score.converted_price[1],
                                                        "how": score.converted_price[2]},
                                                    "seen": score.price.seen, "source": score.price.source,
                                                    "confidence": score.price.confidence},
        "assessed": {"criteria": score.assessed_count, "of": score.weighted_count},
        "criteria": {c.criterion: {"score": c.score, "base": c.base, "adjustment": c.adjustment, "weight": c.weight,
                                   "basis": c.basis, "confidence": c.confidence, "applicable": c.applicable,
                                   "inputs": [input_dict(i) for i in c.inputs], "withheld": list(c.withheld)}
                     for c in score.criteria},
        "findings": [finding_dict(f) for f in score.findings],
        "withheld_findings": [finding_dict(f) for f in score.withheld_findings],
    })
    if detail:
        result["metrics"] = {name: quantity_dict(score.metrics.quantities[name])
                             for name in HEADLINE_METRICS if name in score.metrics.quantities}
    return result


def recommendation_dict(rec: Recommendation, top: int | None = None) -> dict[str, Any]:
    ranked = rec.ranked[:top] if top else rec.ranked
    return {
        "profile": rec.profile.model_dump(mode="json", exclude_none=True),
        "evidence": rec.evidence,
        "rules_backend": rec.rules_backend,
        "weights": rec.weights,
        "ranked": [{**score_dict(s, i + 1), "rank_label": label}
                   for (i, s), label in zip(enumerate(ranked), rank_labels(list(ranked)), strict=True)],
        "disqualified": [score_dict(s, detail=False) for s in rec.disqualified],
        "market": rec.market,
        "verdict": [pick.model_dump(mode="json") for pick in rec.verdict],
        "unpriced": [score_dict(s, detail=False) for s in rec.unpriced],
        "not_offered": list(rec.not_offered),
        "sources": {sid: source.model_dump(mode="json", exclude_none=True) for sid, source in rec.sources.items()},
    }


def fmt(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "n/a"
    return f"{value:,.{digits}f}"
