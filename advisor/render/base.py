"""The renderer interface and the plain-data view every format starts from."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol, Sequence

from advisor.types import Finding, Input, Quantity, Recommendation, Score

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


def criteria_columns(scores: Sequence[Score]) -> list[tuple[str, str]]:
    """(criterion, short header) in scoring.yaml's order, from the scores themselves."""
    return [(c.criterion, c.short or c.criterion) for c in scores[0].criteria] if scores else []


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
        "disqualified": score.disqualified,
        "disqualified_by": list(score.disqualified_by),
        "price": None if score.price is None else {"amount": score.price.amount, "currency": score.price.currency,
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
        "ranked": [score_dict(s, i + 1) for i, s in enumerate(ranked)],
        "disqualified": [score_dict(s, detail=False) for s in rec.disqualified],
        "sources": {sid: source.model_dump(mode="json", exclude_none=True) for sid, source in rec.sources.items()},
    }


def fmt(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "n/a"
    return f"{value:,.{digits}f}"
