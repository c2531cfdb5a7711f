"""YAML reading that remembers line numbers, and errors that name file, line and field."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Iterable

import yaml
from pydantic import ValidationError

from advisor.errors import InputError


class LineDict(dict):
    """A dict that knows the line of each key (1-based) and its own line."""

    line: int = 0
    key_lines: dict


class LineList(list):
    """A list that knows the line of each item (1-based) and its own line."""

    line: int = 0
    item_lines: list


# libyaml's parser when PyYAML was built with it: the pure-Python one is ~10x slower.
_SafeBase = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _LineLoader(_SafeBase):  # type: ignore[misc, valid-type]
    """safe_load, but mappings and sequences carry their line numbers."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in result:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark)
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode) -> LineList:
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def load_yaml(path: Path) -> Any:
    """Parse one YAML file with line numbers; any failure is an InputError naming the file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{path}: file not found") from None
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"{path}: cannot read: {error}") from None
    try:
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = f":{mark.line + 1}" if mark else ""
        problem = error.problem or error.context or "invalid YAML"
        raise InputError(f"{path}{line}: invalid YAML: {problem}") from None
    except yaml.YAMLError as error:
        raise InputError(f"{path}: invalid YAML: {error}") from None


def line_of(data: Any, loc: Iterable[Any]) -> int:
    """The deepest line number known along a pydantic error location."""
    line = getattr(data, "line", 0)
    node = data
    for part in loc:
        if isinstance(node, LineDict) and part in node:
            line = node.key_lines.get(part, line)
            node = node[part]
        elif isinstance(node, LineList) and isinstance(part, int) and 0 <= part < len(node):
            line = node.item_lines[part]
            node = node[part]
        else:
            break
    return line


def describe_validation_error(error: ValidationError, data: Any, path: Path, prefix: tuple = ()) -> str:
    """One line: file, line, field path and the first problem pydantic found."""
    first = error.errors()[0]
    loc = tuple(part for part in first["loc"] if not _is_type_label(part))
    message = first["msg"]
    if message.startswith("Value error, "):
        message = message[len("Value error, "):]
    if first["type"] == "extra_forbidden":
        message = "unknown field"
    # Cross-field checks raise "field.sub: problem"; point at that field's line.
    named = re.match(r"^([a-z_][a-z0-9_.]*): (.*)$", message)
    if named:
        loc = loc + tuple(int(p) if p.isdigit() else p for p in named.group(1).split("."))
        message = named.group(2)
    field = ".".join(str(p) for p in prefix + loc) or "(record)"
    line = line_of(data, loc)
    return f"{path}:{line}: {field}: {message}"


def _is_type_label(part: Any) -> bool:
    # pydantic puts type names into the locations of unions and generics; they are not fields.
    return isinstance(part, str) and (part[:1].isupper() or "[" in part or part.startswith("function-")
                                      or part in {"int", "float", "str", "bool", "list", "dict", "none"})
