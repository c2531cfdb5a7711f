"""Load coefficients, rules, sources, presets and scoring policy into a Knowledge value."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from advisor.errors import InputError
from advisor.engine import rule_reads
from advisor.facts import (
    FACT_TYPES,
    FACTS,
    check_condition_against_registry,
    compile_message,
    did_you_mean,
    message_environment,
)
from advisor.types import (
    ADVISOR_ESTIMATE,
    Coefficient,
    Condition,
    Knowledge,
    Profile,
    Rule,
    Scoring,
    Source,
    When,
)
from advisor.yamlio import LineDict, describe_validation_error, line_of, load_yaml


def _list_section(document: Any, key: str, path: Path) -> list:
    if not isinstance(document, LineDict) or key not in document:
        raise InputError(f"{path}:1: (file): expected a mapping with a '{key}:' list")
    items = document[key]
    if not isinstance(items, list):
        raise InputError(f"{path}:{document.key_lines[key]}: {key}: expected a list")
    return items


def _validate_items(model: type, items: list, path: Path, seen: dict[str, str]) -> list:
    records = []
    for index, item in enumerate(items):
        label = item.get("id", f"[{index}]") if isinstance(item, dict) else f"[{index}]"
        try:
            record = model.model_validate(item)
        except ValidationError as error:
            raise InputError(describe_validation_error(error, item, path, (label,))) from None
        line = getattr(item, "line", 0)
        if record.id in seen:
            raise InputError(f"{path}:{line}: {record.id}.id: duplicate id (first at {seen[record.id]})")
        seen[record.id] = f"{path}:{line}"
        records.append(record)
    return records


def load_sources(path: Path) -> dict[str, Source]:
    seen: dict[str, str] = {}
    sources = _validate_items(Source, _list_section(load_yaml(path), "sources", path), path, seen)
    return {source.id: source for source in sources}


def load_coefficients(path: Path, source_ids: set[str]) -> dict[str, Coefficient]:
    seen: dict[str, str] = {}
    items = _list_section(load_yaml(path), "coefficients", path)
    coefficients = _validate_items(Coefficient, items, path, seen)
    for coefficient, item in zip(coefficients, items):
        for source in coefficient.sources:
            if source not in source_ids:
                raise InputError(f"{path}:{item.key_lines.get('sources', item.line)}: {coefficient.id}.sources: "
                                 f"unknown source {source!r}")
    return {c.id: c for c in coefficients}


def _conditions(when: When) -> list[Condition]:
    found: list[Condition] = []
    for part in (*when.all, *when.any):
        found.extend(_conditions(part) if isinstance(part, When) else [part])
    return found


def load_rules(folder: Path, source_ids: set[str], coefficient_ids: set[str]) -> tuple[Rule, ...]:
    """Every rule file in folder; unknown facts, operators, coefficients and sources are errors."""
    if not folder.is_dir():
        raise InputError(f"{folder}: rules folder not found")
    seen: dict[str, str] = {}
    rules: list[Rule] = []
    for path in sorted(folder.glob("*.yaml")):
        items = _list_section(load_yaml(path), "rules", path)
        for index, item in enumerate(items):
            if isinstance(item, dict):
                enriched = dict(item)
                enriched.update(file=str(path.name), line=getattr(item, "line", 0))
            else:
                enriched = item
            label = item.get("id", f"[{index}]") if isinstance(item, dict) else f"[{index}]"
            try:
                rule = Rule.model_validate(enriched)
            except ValidationError as error:
                raise InputError(describe_validation_error(error, item, path, (label,))) from None
            where = f"{path}:{rule.line}"
            if rule.id in seen:
                raise InputError(f"{where}: {rule.id}.id: duplicate rule id (first at {seen[rule.id]})")
            seen[rule.id] = where
            for condition in _conditions(rule.when):
                problem = check_condition_against_registry(condition)
                if problem:
                    raise InputError(f"{where}: {rule.id}.when: {problem}")
            if not rule.when.all and not rule.when.any:
                raise InputError(f"{where}: {rule.id}.when: a rule needs at least one condition")
            for coefficient in rule.uses:
                if coefficient not in coefficient_ids:
                    raise InputError(f"{where}: {rule.id}.uses: unknown coefficient {coefficient!r}")
            for source in rule.sources:
                if source not in source_ids and source != ADVISOR_ESTIMATE:
                    raise InputError(f"{where}: {rule.id}.sources: unknown source {source!r}")
            rules.append(rule)
    return tuple(rules)


def load_profile_file(path: Path) -> Profile:
    """One profile YAML file (a preset or the user's own)."""
    data = load_yaml(path)
    if not isinstance(data, dict):
        raise InputError(f"{path}:1: (file): a profile is a mapping of fields")
    try:
        return Profile.model_validate(data)
    except ValidationError as error:
        raise InputError(describe_validation_error(error, data, path)) from None


def load_presets(folder: Path) -> dict[str, Profile]:
    presets: dict[str, Profile] = {}
    for path in sorted(folder.glob("*.yaml")):
        profile = load_profile_file(path)
        if profile.id != path.stem:
            raise InputError(f"{path}:1: id: preset id {profile.id!r} must match its file name {path.stem!r}")
        presets[profile.id] = profile
    return presets


def load_scoring(path: Path) -> Scoring:
    """scoring.yaml through its strict model; every term must name a registered fact of the right type."""
    data = load_yaml(path)
    if not isinstance(data, dict):
        raise InputError(f"{path}:1: (file): the scoring policy is a mapping (sources, criteria, default_weights)")
    try:
        scoring = Scoring.model_validate(data)
    except ValidationError as error:
        raise InputError(describe_validation_error(error, data, path)) from None
    for name, policy in scoring.criteria.items():
        for index, term in enumerate(policy.terms):
            line = line_of(data, ("criteria", name, "terms", index))
            spec = FACTS.get(term.fact)
            if spec is None:
                raise InputError(f"{path}:{line}: criteria.{name}.terms.{index}.fact: unknown fact {term.fact!r}"
                                 f"{did_you_mean(term.fact, FACTS)}")
            wanted = "str" if term.curve.levels is not None else "number"
            if spec.type != wanted:
                raise InputError(f"{path}:{line}: criteria.{name}.terms.{index}.curve: {term.fact} is a {spec.type} "
                                 f"fact; this curve needs a {wanted} one")
        flags = [policy.applies_when, policy.fallback.when_false if policy.fallback else None,
                 *(term.when for term in policy.terms)]
        for flag in flags:
            if flag is not None and FACT_TYPES.get(flag) != "bool":
                raise InputError(f"{path}:{line_of(data, ('criteria', name))}: criteria.{name}: {flag!r} is not a "
                                 f"bool fact{did_you_mean(flag, FACTS)}")
    return scoring


def compile_messages(rules: tuple[Rule, ...], folder: Path) -> dict[str, Any]:
    """Each rule's message compiled once in the sandbox and proven to render; errors name file and line."""
    environment = message_environment()
    compiled: dict[str, Any] = {}
    for rule in rules:
        try:
            compiled[rule.id] = compile_message(environment, rule.message)
        except ValueError as error:
            raise InputError(f"{folder / rule.file}:{rule.line}: {rule.id}.message: {error}") from None
    return compiled


def load_knowledge(root: Path) -> Knowledge:
    """The whole knowledge base under root; the first problem is an InputError."""
    if not root.is_dir():
        raise InputError(f"{root}: knowledge folder not found")
    sources = load_sources(root / "sources.yaml")
    coefficients = load_coefficients(root / "coefficients.yaml", set(sources))
    rules = load_rules(root / "rules", set(sources), set(coefficients))
    presets = load_presets(root / "profiles")
    scoring = load_scoring(root / "scoring.yaml")
    for rule in rules:
        if rule.criterion not in scoring.criteria:
            raise InputError(f"{root / 'rules' / rule.file}:{rule.line}: {rule.id}.criterion: {rule.criterion!r} is not "
                             f"a criterion of scoring.yaml{did_you_mean(rule.criterion, scoring.criteria)}")
    for preset in presets.values():
        for criterion in preset.weights:
            if criterion not in scoring.criteria:
                raise InputError(f"{root / 'profiles' / (preset.id + '.yaml')}:1: weights.{criterion}: not a criterion "
                                 f"of scoring.yaml{did_you_mean(criterion, scoring.criteria)}")
    return Knowledge(sources=sources, coefficients=coefficients, rules=rules, presets=presets,
                     scoring=scoring, root=root, messages=compile_messages(rules, root / "rules"),
                     rule_reads={rule.id: rule_reads(rule) for rule in rules})
