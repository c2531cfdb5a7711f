"""`explain`: every score, hardware field and prediction of one configuration with its inputs and sources."""
from __future__ import annotations

import math
from typing import Any

from advisor.facts import assemble, hardware_facts
from advisor.render.base import quantity_dict, score_dict
from advisor.render.escape import markdown_data
from advisor.render.templating import Templates
from advisor.types import Knowledge, MachineConfig, Profile, Score


def hardware_fields(mc: MachineConfig, profile: Profile, score: Score, knowledge: Knowledge) -> list[dict[str, Any]]:
    """Every hardware fact of the registry this configuration has, with its source and confidence."""
    facts = assemble(mc, profile, score.metrics, knowledge)
    rows = []
    for spec in hardware_facts():
        fact = facts.get(spec.name)
        if fact is not None and fact.confidence is not None:
            rows.append({"name": spec.name, "value": fact.value, "unit": spec.unit, "source": fact.source,
                         "confidence": fact.confidence, "note": fact.note})
    return rows


def explain_data(score: Score, mc: MachineConfig, profile: Profile, knowledge: Knowledge,
                 evidence: str) -> dict[str, Any]:
    quantities = []
    for name, quantity in score.metrics.quantities.items():
        quantities.append({**quantity.model_dump(mode="json"), **quantity_dict(quantity), "name": name})
    hardware = hardware_fields(mc, profile, score, knowledge)
    cited: set[str] = set()
    for q in quantities:
        for i in q["inputs"]:
            cited.update(s for s in (i["source"] or "").split(",") if s in knowledge.sources)
    cited.update(h["source"] for h in hardware if h["source"] in knowledge.sources)
    for finding in (*score.findings, *score.withheld_findings):
        cited.update(s for s in finding.sources if s in knowledge.sources)
    for criterion in score.criteria:
        cited.update(i.source for i in criterion.inputs if i.source in knowledge.sources)
    return {"score": score_dict(score), "hardware": hardware, "quantities": quantities, "evidence": evidence,
            "profile": profile.model_dump(mode="json", exclude_none=True), "cited": sorted(cited),
            "sources": {sid: knowledge.sources[sid].model_dump(mode="json", exclude_none=True)
                        for sid in sorted(cited)}}


# Significant digits a person reads in explain's text (JSON keeps every digit the model computed), and the
# decimals always kept (the template shows predictions with two). A value with at most RECORDED_DIGITS
# significant digits is shown as recorded (a measured 0.13604 stays); more is a computation's float tail.
PEOPLE_DIGITS = 4
PEOPLE_DECIMALS = 2
RECORDED_DIGITS = 6


def for_people(value: Any) -> Any:
    """Every computed float rounded to PEOPLE_DIGITS significant digits but at least PEOPLE_DECIMALS decimals
    (1.8992248062015504 -> 1.899, 0.07241344537815125 -> 0.07241, 426.1234 -> 426.12); a value as recorded
    (0.13604, 0.0015) and everything else as it is."""
    if isinstance(value, float):
        if not math.isfinite(value) or value == 0 or _significant_digits(value) <= RECORDED_DIGITS:
            return value
        digits = max(PEOPLE_DECIMALS, PEOPLE_DIGITS - 1 - math.floor(math.log10(abs(value))))
        return round(value, digits)
    if isinstance(value, dict):
        return {key: for_people(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [for_people(item) for item in value]
    return value


def _significant_digits(value: float) -> int:
    mantissa = repr(abs(value)).lower().split("e")[0].replace(".", "").lstrip("0")
    return len(mantissa.rstrip("0")) or 1


def explain_markdown(explained: dict[str, Any], templates: Templates) -> str:
    """explain.md.j2 over explain_data's result (what `advisor.api.explain` returns), numbers rounded for people."""
    return templates.render("explain.md.j2", **markdown_data(for_people(explained)))
