"""Load, validate and cross-reference hardware_db/ into a Catalog."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from pydantic import BaseModel, ValidationError

from advisor.errors import InputError, Problem
from advisor.types import ADVISOR_ESTIMATE, Catalog, Cpu, Machine, Sourced, Ssd
from advisor.yamlcache import load_yaml
from advisor.yamlio import LineDict, describe_validation_error, line_of

KINDS: dict[str, type[Cpu] | type[Ssd] | type[Machine]] = {"cpus": Cpu, "ssds": Ssd, "machines": Machine}


@dataclass(frozen=True)
class Located:
    """Where a record was read from, for error messages."""

    path: Path
    line: int
    data: Any


_LONG_FORM_KEYS = {"value", "source", "confidence", "note"}


def _is_long_form(value: Any) -> bool:
    return isinstance(value, dict) and "value" in value and set(value) <= _LONG_FORM_KEYS and len(value) > 1


def _sourced_paths(model: type[BaseModel], prefix: str = "") -> set[str]:
    """Dotted paths of the fields that carry provenance themselves (Sourced), list items unindexed."""
    paths: set[str] = set()
    for name, info in model.model_fields.items():
        text = repr(info.annotation)
        if "Sourced" in text:
            paths.add(prefix + name)
        for nested in _nested_models(info.annotation):
            paths |= _sourced_paths(nested, f"{prefix}{name}.")
    return paths


def _nested_models(annotation: Any) -> list[type[BaseModel]]:
    found = []
    for arg in getattr(annotation, "__args__", ()) or ():
        found.extend(_nested_models(arg))
    if isinstance(annotation, type) and issubclass(annotation, BaseModel) and not issubclass(annotation, Sourced):
        found.append(annotation)
    return found


_SOURCED = {kind: _sourced_paths(model) for kind, model in KINDS.items()}


# Values that are neither long forms nor containers: most of a record, returned as they are without a call.
_PLAIN = frozenset({str, int, float, bool, type(None)})


def unwrap_descriptive(item: Any, sourced: set[str], path: str = "", notes: dict | None = None) -> tuple[Any, dict]:
    """Long-form values on descriptive fields become plain values; their provenance goes to field_provenance."""
    notes = {} if notes is None else notes
    if item.__class__ in _PLAIN:
        return item, notes
    if _is_long_form(item) and path.rstrip(".") not in sourced:
        notes[path.rstrip(".")] = {k: item[k] for k in ("source", "confidence", "note") if k in item}
        return item["value"], notes
    if isinstance(item, LineDict):
        result = LineDict()
        result.line, result.key_lines = item.line, item.key_lines
        for key, value in item.items():
            result[key] = value if value.__class__ in _PLAIN else \
                unwrap_descriptive(value, sourced, f"{path}{key}.", notes)[0]
        return result, notes
    if isinstance(item, list) and not isinstance(item, str):
        unwrapped = type(item)(unwrap_descriptive(v, sourced, path, notes)[0] for v in item)
        for attribute in ("line", "item_lines"):
            if hasattr(item, attribute):
                setattr(unwrapped, attribute, getattr(item, attribute))
        return unwrapped, notes
    return item, notes


def _record_files(db_dir: Path, kind: str) -> list[Path]:
    folder = db_dir / kind
    return sorted(folder.glob("*.yaml")) + sorted(folder.glob("*.yml")) if folder.is_dir() else []


def read_records(db_dir: Path) -> tuple[dict[str, dict[str, Any]], dict[tuple[str, str], Located], list[Problem]]:
    """Parse and validate every record; return valid records, their locations and all problems."""
    if not db_dir.is_dir():
        raise InputError(f"{db_dir}: hardware database folder not found")
    records: dict[str, dict[str, Any]] = {kind: {} for kind in KINDS}
    locations: dict[tuple[str, str], Located] = {}
    problems: list[Problem] = []
    for kind, model in KINDS.items():
        for path in _record_files(db_dir, kind):
            try:
                document = load_yaml(path)
            except InputError as error:
                problems.append(_problem_from_text(path, str(error)))
                continue
            if not isinstance(document, LineDict) or set(document) != {kind}:
                line = getattr(document, "line", 1)
                problems.append(Problem(path, line, "(file)",
                                        f"expected a mapping with one key '{kind}:' holding a list"))
                continue
            items = document[kind] or []
            if not isinstance(items, list):
                problems.append(Problem(path, document.key_lines[kind], kind, "expected a list of records"))
                continue
            for index, item in enumerate(items):
                line = item.line if hasattr(item, "line") else document.key_lines[kind]
                if not isinstance(item, dict):
                    problems.append(Problem(path, line, f"{kind}[{index}]", "expected a mapping"))
                    continue
                record_id = item.get("id", f"[{index}]")
                context = {"source": item.get("source"), "confidence": item.get("confidence"),
                           "note": item.get("notes")}
                unwrapped, notes = unwrap_descriptive(item, _SOURCED[kind])
                if "field_provenance" in item:
                    problems.append(Problem(path, line, f"{record_id}.field_provenance",
                                            "is set by the loader, not written"))
                    continue
                if notes:
                    unwrapped["field_provenance"] = notes
                try:
                    record = model.model_validate(unwrapped, context=context)
                except ValidationError as error:
                    problems.append(_problem_from_text(
                        path, describe_validation_error(error, item, path, (record_id,))))
                    continue
                if record.id in records[kind]:
                    first = locations[(kind, record.id)]
                    problems.append(Problem(path, line, f"{record.id}.id",
                                            f"duplicate {kind[:-1]} id (first at {first.path}:{first.line})"))
                    continue
                records[kind][record.id] = record
                locations[(kind, record.id)] = Located(path, line, item)
    return records, locations, problems


def _problem_from_text(path: Path, text: str) -> Problem:
    # "file:line: field: message" or "file:line: message"
    rest = text[len(str(path)):].removeprefix(":") if text.startswith(str(path)) else text
    line_text, _, remainder = rest.partition(": ")
    line = int(line_text) if line_text.isdigit() else 0
    if not line:  # "file: message", no line number
        remainder = rest.strip()
    field_name, sep, message = remainder.partition(": ")
    if not sep:
        field_name, message = "(file)", remainder or rest
    return Problem(path, line, field_name, message)


def reference_problems(records: dict[str, dict[str, Any]], locations: dict[tuple[str, str], Located],
                       source_ids: set[str]) -> list[Problem]:
    """Dangling CPU, SSD and source references."""
    problems: list[Problem] = []
    cpus, ssds = records["cpus"], records["ssds"]
    for kind, by_id in records.items():
        for record_id in sorted(by_id):
            record = by_id[record_id]
            where = locations[(kind, record_id)]
            for field_path, source in sorted(set(_source_refs(record))):
                if source not in source_ids and source != ADVISOR_ESTIMATE:
                    problems.append(Problem(where.path, field_line(where, field_path), f"{record_id}.{field_path}",
                                            f"source {source!r} is not in knowledge/sources.yaml"))
    for machine_id in sorted(records["machines"]):
        machine: Machine = records["machines"][machine_id]
        where = locations[("machines", machine_id)]
        for cpu_id in machine.cpu_options:
            if cpu_id not in cpus:
                problems.append(Problem(where.path, field_line(where, "cpu_options"), f"{machine_id}.cpu_options",
                                        f"unknown CPU {cpu_id!r}"))
        for index, config in enumerate(machine.configurations):
            for number, drive in enumerate(config.drives):
                if drive.ssd not in ssds:
                    problems.append(Problem(where.path, field_line(where, f"configurations.{index}.drives.{number}"),
                                            f"{machine_id}.configurations.{config.id}.drives",
                                            f"unknown SSD {drive.ssd!r}"))
    return problems


def _source_refs(value: Any, prefix: str = "") -> Iterator[tuple[str, str]]:
    """(field path, source id) for every source a record cites, at any depth."""
    if isinstance(value, Sourced):
        yield prefix.rstrip("."), value.source
        return
    if isinstance(value, BaseModel):
        for name in type(value).model_fields:
            item = getattr(value, name)
            if name == "source" and isinstance(item, str):
                yield (prefix + "source").rstrip("."), item
            else:
                yield from _source_refs(item, f"{prefix}{name}.")
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            yield from _source_refs(item, f"{prefix}{index}.")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _source_refs(item, f"{prefix}{key}.")


def field_line(where: Located, field_path: str) -> int:
    parts = [int(p) if p.isdigit() else p for p in field_path.split(".") if p]
    return line_of(where.data, parts) or where.line


def load_catalog(db_dir: Path, source_ids: set[str]) -> Catalog:
    """The validated catalog; the first problem found is raised as an InputError."""
    records, locations, problems = read_records(db_dir)
    problems += reference_problems(records, locations, source_ids)
    if problems:
        raise InputError(str(problems[0]) + (f" (and {len(problems) - 1} more problems: run `go-advisor db check`)"
                                              if len(problems) > 1 else ""))
    from advisor.measured import measured_speeds  # noqa: PLC0415  (only catalogs read bench records)

    return Catalog(cpus=records["cpus"], ssds=records["ssds"], machines=records["machines"], locations=locations,
                   measured=measured_speeds(db_dir, records["machines"]))
