"""`knowledge list` and `knowledge show`: coefficients, rules and sources with their evidence."""
from __future__ import annotations

from typing import Any

import yaml

from advisor.errors import InputError
from advisor.facts import REGISTRY
from advisor.output import json_text
from advisor.render.listing import csv_text
from advisor.types import DEFAULT_EVIDENCE, Knowledge, accepted_levels


def _rows(knowledge: Knowledge, kind: str) -> list[dict[str, Any]]:
    default = accepted_levels(DEFAULT_EVIDENCE)
    rows: list[dict[str, Any]] = []
    if kind in ("all", "coefficients"):
        rows += [{"kind": "coefficient", "id": c.id, "confidence": c.confidence,
                  "used_by_default": c.confidence in default, "summary": c.description.strip()}
                 for c in sorted(knowledge.coefficients.values(), key=lambda c: c.id)]
    if kind in ("all", "rules"):
        rows += [{"kind": "rule", "id": r.id, "confidence": r.confidence, "used_by_default": r.confidence in default,
                  "summary": f"{r.criterion}, {r.effect.label}, {r.severity}"}
                 for r in sorted(knowledge.rules, key=lambda r: r.id)]
    if kind in ("all", "sources"):
        rows += [{"kind": "source", "id": s.id, "confidence": s.kind, "used_by_default": True, "summary": s.title}
                 for s in sorted(knowledge.sources.values(), key=lambda s: s.id)]
    if kind not in ("all", "coefficients", "rules", "sources"):
        raise InputError(f"--kind: {kind!r} is not coefficients, rules, sources or all")
    return rows


def list_items(knowledge: Knowledge, kind: str, fmt: str, width: int | None = None) -> str:
    """The items as table, json or csv; the table's summaries are cut to fit `width` columns (None: 90
    characters each, as in a file)."""
    rows = _rows(knowledge, kind)
    if fmt == "json":
        return json_text(rows)
    if fmt == "csv":
        return csv_text(rows)
    lines = []
    for r in rows:
        head = (f"{r['kind']:11} {r['id']:48} {r['confidence']:11} "
                f"{'' if r['used_by_default'] else '(not used by default) '}")
        summary = " ".join(r["summary"].split())
        room = 90 if width is None else max(0, width - len(head))
        lines.append((head + (summary if len(summary) <= room else summary[:max(0, room - 1)] + "…")).rstrip()
                     if room else head.rstrip())
    return "\n".join(lines) + "\n"


def show_item(knowledge: Knowledge, item_id: str, fmt: str) -> str:
    data: dict[str, Any] | None = None
    if item_id in knowledge.coefficients:
        coefficient = knowledge.coefficients[item_id]
        data = {"kind": "coefficient", **coefficient.model_dump(mode="json", exclude_none=True)}
        data["used_by_default"] = coefficient.confidence in accepted_levels(DEFAULT_EVIDENCE)
        data["cited_sources"] = {s: knowledge.sources[s].model_dump(mode="json", exclude_none=True)
                                 for s in coefficient.sources if s in knowledge.sources}
        data["used_by_rules"] = sorted(r.id for r in knowledge.rules if item_id in r.uses)
    else:
        rule = next((r for r in knowledge.rules if r.id == item_id), None)
        if rule is not None:
            data = {"kind": "rule", **rule.model_dump(mode="json", exclude_none=True)}
            data["cited_sources"] = {s: knowledge.sources[s].model_dump(mode="json", exclude_none=True)
                                     for s in rule.sources if s in knowledge.sources}
        elif item_id in knowledge.sources:
            data = {"kind": "source", **knowledge.sources[item_id].model_dump(mode="json", exclude_none=True)}
            data["cited_by"] = sorted([c.id for c in knowledge.coefficients.values() if item_id in c.sources] +
                                      [r.id for r in knowledge.rules if item_id in r.sources])
    if data is None:
        raise InputError(f"{item_id!r}: no coefficient, rule or source with this id (try `go-advisor knowledge list`)")
    if fmt == "json":
        return json_text(data)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def fact_rows(knowledge: Knowledge) -> list[dict[str, Any]]:
    """The fact registry: each fact, where it is read from, and what reads it (the model, criteria, rules)."""
    criteria: dict[str, list[str]] = {}
    for name, policy in knowledge.scoring.criteria.items():
        for fact in policy.facts_read():
            criteria.setdefault(fact, []).append(name)
    rules: dict[str, list[str]] = {}
    for rule_id, names in knowledge.rule_reads.items():
        for fact in names:
            rules.setdefault(fact, []).append(rule_id)
    return [{"name": spec.name, "type": spec.type, "unit": spec.unit, "origin": spec.origin,
             "description": spec.description, "model_input": spec.model_input,
             "criteria": criteria.get(spec.name, []), "rules": sorted(rules.get(spec.name, []))}
            for spec in REGISTRY]


def list_facts(knowledge: Knowledge, fmt: str) -> str:
    """`knowledge facts`: the vocabulary rules and scoring.yaml may use."""
    rows = fact_rows(knowledge)
    if fmt == "json":
        return json_text(rows)
    if fmt == "csv":
        return csv_text(rows)
    lines = []
    for row in rows:
        readers = (["model"] if row["model_input"] else []) + row["criteria"] + (
            [f"{len(row['rules'])} rules"] if row["rules"] else [])
        unit = f" [{row['unit']}]" if row["unit"] else ""
        lines.append(f"{row['name']:32} {row['type']:6} {row['origin']:13} {row['description']}{unit}"
                     + (f"  <- {', '.join(readers)}" if readers else ""))
    return "\n".join(lines) + "\n"
