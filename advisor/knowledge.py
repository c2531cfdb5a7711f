"""Load coefficients, rules, sources, presets and scoring policy into a Knowledge value."""
from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

from pydantic import ValidationError

from advisor.engine import normalize_facts, when_holds
from advisor.errors import InputError
from advisor.facts import (
    FACT_TYPES,
    FACTS,
    check_condition_against_registry,
    compile_message,
    did_you_mean,
    message_environment,
    rule_reads,
    type_of,
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
from advisor.types.knowledge import kinds_supporting
from advisor.yamlcache import load_yaml
from advisor.yamlio import LineDict, describe_validation_error, line_of


def _list_section(document: Any, key: str, path: Path) -> list:
    if not isinstance(document, LineDict) or key not in document:
        raise InputError(f"{path}:1: (file): expected a mapping with a '{key}:' list")
    items = document[key]
    if not isinstance(items, list):
        raise InputError(f"{path}:{document.key_lines[key]}: {key}: expected a list")
    return items


Item = TypeVar("Item", Source, Coefficient)


def _validate_items(model: type[Item], items: list, path: Path, seen: dict[str, str]) -> list[Item]:
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


_NOTE_KINDS = ("policy", "derivation")


def _kind(source_id: str, sources: Mapping[str, Source]) -> str:
    # The reserved advisor-estimate id is the project's own estimate: a derivation note.
    source = sources.get(source_id)
    return source.kind if isinstance(source, Source) else "derivation"


def evidence_problem(confidence: str, cited: tuple[str, ...], sources: Mapping[str, Source]) -> str | None:
    """Why sources of these kinds cannot carry this confidence (documented, measured), or None."""
    needed = kinds_supporting(confidence)
    if not needed:
        return None
    kinds = [_kind(source, sources) for source in cited]
    if any(kind in needed for kind in kinds):
        return None
    noun = "notes" if all(kind in _NOTE_KINDS for kind in kinds) else "sources"
    return (f"{confidence} but its sources ({', '.join(cited)}) are only {'/'.join(dict.fromkeys(kinds))} {noun}; "
            f"{confidence} needs a source of kind {_either(needed)}")


def _either(words: tuple[str, ...]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"


def _key_line(item: Any, key: str) -> int:
    return item.key_lines.get(key, item.line) if isinstance(item, LineDict) else getattr(item, "line", 0)


def load_coefficients(path: Path, sources: Mapping[str, Source]) -> dict[str, Coefficient]:
    """Every coefficient; unknown sources, and a confidence its sources' kinds cannot carry, are errors."""
    seen: dict[str, str] = {}
    items = _list_section(load_yaml(path), "coefficients", path)
    coefficients = _validate_items(Coefficient, items, path, seen)
    for coefficient, item in zip(coefficients, items, strict=True):  # one record per item, or an error
        for source in coefficient.sources:
            if source not in sources:
                raise InputError(f"{path}:{_key_line(item, 'sources')}: {coefficient.id}.sources: "
                                 f"unknown source {source!r}")
        problem = evidence_problem(coefficient.confidence, coefficient.sources, sources)
        if problem:
            raise InputError(f"{path}:{_key_line(item, 'confidence')}: {coefficient.id}.confidence: {problem}")
    return {c.id: c for c in coefficients}


def _label_problems(rule: Rule, item: Any, path: Path, sources: Mapping[str, Source]) -> None:
    """A confidence or threshold label its sources (or its cut-off) cannot carry is an error."""
    problem = evidence_problem(rule.confidence, rule.sources, sources)
    if problem is None and rule.confidence in ("documented", "measured") and rule.threshold in ("policy", "judgement"):
        problem = (f"{rule.confidence} but its threshold is {rule.threshold}: a finding is no surer than where it "
                   f"starts, so label it estimate")
    if problem:
        raise InputError(f"{path}:{_key_line(item, 'confidence')}: {rule.id}.confidence: {problem}")
    if rule.threshold == "documented-limit":
        problem = evidence_problem("documented", rule.sources, sources)
        if problem:
            raise InputError(f"{path}:{_key_line(item, 'threshold')}: {rule.id}.threshold: documented-limit, "
                             f"but {problem.partition(' but ')[2]}")


def _fact_problem(name: str, value: Any) -> str | None:
    """Why an example cannot give this fact this value, or None."""
    kind = FACT_TYPES.get(name)
    if kind is None:
        return f"unknown fact {name!r}{did_you_mean(name, FACT_TYPES)}"
    if value is None:
        return "null: leave the fact out instead (a missing fact never matches)"
    given = type_of(value)
    if given != kind:
        return f"{value!r} is not a {kind} like {name}"
    if kind == "number" and not math.isfinite(value):
        return f"{value!r}: a fact is a finite number"
    return None


_NUMERIC = {"lt": "<", "le": "<=", "gt": ">", "ge": ">="}


def _holds(condition: Condition, facts: dict[str, Any]) -> bool:
    # As the backends see it: they round numbers to 4 decimals first.
    return when_holds(When(all=(condition,)), normalize_facts(facts))


def _enrich_examples(item: Any) -> Any:
    """The rule's examples, each with its line, for validation."""
    examples = item.get("examples")
    if not isinstance(examples, list):
        return examples
    return [dict(example, line=getattr(example, "line", 0)) if isinstance(example, dict) else example
            for example in examples]


def _check_examples(rule: Rule, item: Any, path: Path) -> None:
    """Example facts are real facts of the right type; a rule has a firing and a silent example, and every
    numeric condition is seen true in a firing example and false in a silent one."""
    raw = item.get("examples") or []
    for number, (example, node) in enumerate(zip(rule.examples, raw, strict=True), 1):  # validated from raw
        facts = node.get("facts")
        for name, value in example.facts.items():
            problem = _fact_problem(name, value)
            if problem:
                line = _key_line(facts, name) if isinstance(facts, LineDict) else example.line
                shown = name if name.isprintable() else repr(name)  # a key may hold a line break: one line
                raise InputError(f"{path}:{line}: {rule.id}.examples: case {number}: facts.{shown}: {problem}")
    where = f"{path}:{_key_line(item, 'examples')}: {rule.id}.examples"
    firing = [example for example in rule.examples if example.fires]
    silent = [example for example in rule.examples if not example.fires]
    if not firing or not silent:
        missing = "fires" if not firing else "stays silent"
        raise InputError(f"{where}: no example where the rule {missing}; each rule needs at least one "
                         f"`{{fires: true, facts: {{...}}}}` and one `{{fires: false, facts: {{...}}}}`")
    for condition in rule.when.conditions():
        if condition.op not in _NUMERIC:
            continue
        text = f"{condition.fact} {_NUMERIC[condition.op]} {condition.value}"
        if not any(_holds(condition, example.facts) for example in firing):
            raise InputError(f"{where}: no firing example has {text}")
        if not any(condition.fact in example.facts and not _holds(condition, example.facts) for example in silent):
            best = (f"the boundary itself, {condition.fact}: {condition.value}, is the best one"
                    if condition.op in ("lt", "gt") else
                    f"a value just {'above' if condition.op == 'le' else 'below'} {condition.value} is the best one")
            raise InputError(f"{where}: no silent example puts {condition.fact} on the other side of {text} "
                             f"({best})")


def load_rules(folder: Path, sources: Mapping[str, Source], coefficient_ids: set[str]) -> tuple[Rule, ...]:
    """Every rule file in folder; unknown facts, operators, coefficients and sources, and labels their
    sources cannot carry, are errors."""
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
                if "examples" in item:
                    enriched["examples"] = _enrich_examples(item)
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
            for condition in rule.when.conditions():
                problem = check_condition_against_registry(condition)
                if problem:
                    raise InputError(f"{where}: {rule.id}.when: {problem}")
            if not rule.when.all and not rule.when.any:
                raise InputError(f"{where}: {rule.id}.when: a rule needs at least one condition")
            for coefficient in rule.uses:
                if coefficient not in coefficient_ids:
                    raise InputError(f"{where}: {rule.id}.uses: unknown coefficient {coefficient!r}")
            for source in rule.sources:
                if source not in sources and source != ADVISOR_ESTIMATE:
                    raise InputError(f"{where}: {rule.id}.sources: unknown source {source!r}")
            _label_problems(rule, item, path, sources)
            _check_examples(rule, item, path)
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
    coefficients = load_coefficients(root / "coefficients.yaml", sources)
    rules = load_rules(root / "rules", sources, set(coefficients))
    presets = load_presets(root / "profiles")
    scoring = load_scoring(root / "scoring.yaml")
    for rule in rules:
        if rule.criterion not in scoring.criteria:
            raise InputError(f"{root / 'rules' / rule.file}:{rule.line}: {rule.id}.criterion: "
                             f"{rule.criterion!r} is not a criterion of scoring.yaml"
                             f"{did_you_mean(rule.criterion, scoring.criteria)}")
    for preset in presets.values():
        for criterion in preset.weights:
            if criterion not in scoring.criteria:
                raise InputError(f"{root / 'profiles' / (preset.id + '.yaml')}:1: weights.{criterion}: not a criterion "
                                 f"of scoring.yaml{did_you_mean(criterion, scoring.criteria)}")
    return Knowledge(sources=sources, coefficients=coefficients, rules=rules, presets=presets,
                     scoring=scoring, root=root, messages=compile_messages(rules, root / "rules"),
                     rule_reads={rule.id: rule_reads(rule) for rule in rules})
