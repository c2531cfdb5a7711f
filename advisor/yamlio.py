"""YAML reading that remembers line numbers, and errors that name file, line and field."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Iterable

import yaml
from pydantic import ValidationError

from advisor.errors import InputError
from advisor.reading import read_regular

# Aliases may add at most this many nodes beyond those written: enough for shared curves and lists, far
# below what a "billion laughs" file asks for, and checked on the composed nodes before anything expands.
MAX_ALIAS_NODES = 50_000
# Largest YAML file read: the biggest hand-curated file is about 0.1 MB.
MAX_YAML_BYTES = 16 * 1024 * 1024


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


class AliasBomb(yaml.constructor.ConstructorError):
    """Aliases that would expand a document past MAX_ALIAS_NODES, or refer to themselves."""

    def __init__(self, message: str, mark: Any) -> None:
        super().__init__(None, None, message, mark)


def check_aliases(root: yaml.Node | None, limit: int = MAX_ALIAS_NODES) -> None:
    """Refuse a composed document whose aliases expand it by more than limit nodes, or loop.

    An alias is the same node object met again; its expanded size is memoised, so this walks each
    written node once however many times it is aliased."""
    sizes: dict[int, int] = {}
    added = 0
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, int]] = [] if root is None else [(root, 0)]
    pending: list[list[int]] = []  # sizes of the children of each node on the path, being summed
    while stack:
        node, state = stack.pop()
        key = id(node)
        if state == 1:  # all children done: this node's expanded size is known
            on_path.discard(key)
            sizes[key] = 1 + sum(pending.pop())
            if pending:
                pending[-1].append(sizes[key])
            continue
        if key in on_path:
            raise AliasBomb("an alias refers to a node that contains it (recursive alias)", node.start_mark)
        if key in sizes:  # met again: an alias use
            added += sizes[key]
            if added > limit:
                raise AliasBomb(f"aliases expand this document by more than {limit:,} nodes; refused "
                                "(an alias bomb?)", node.start_mark)
            if pending:
                pending[-1].append(sizes[key])
            continue
        on_path.add(key)
        pending.append([])
        stack.append((node, 1))
        if isinstance(node, yaml.MappingNode):
            children = [part for pair in node.value for part in pair]
        elif isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        else:
            children = []
        stack.extend((child, 0) for child in reversed(children))


def parse_yaml(text: str, loader: type = _LineLoader) -> Any:
    """One YAML document (None when empty), its aliases bounded before anything is constructed."""
    parser = loader(text)
    try:
        node = parser.get_single_node()
        if node is None:
            return None
        check_aliases(node)
        return parser.construct_document(node)
    finally:
        parser.dispose()


def parse_yaml_all(text: str) -> list[Any]:
    """Every document of a YAML stream (safe types, no line numbers), aliases bounded per document."""
    parser = yaml.SafeLoader(text)
    try:
        documents = []
        while parser.check_node():
            node = parser.get_node()
            check_aliases(node)
            documents.append(parser.construct_document(node))
        return documents
    finally:
        parser.dispose()


def load_yaml(path: Path) -> Any:
    """Parse one YAML file with line numbers; any failure is an InputError naming the file."""
    try:
        text = read_regular(path, MAX_YAML_BYTES).decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputError(f"{path}: cannot read: not UTF-8 text (byte {error.start})") from None
    try:
        return parse_yaml(text)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = f":{mark.line + 1}" if mark else ""
        problem = error.problem or error.context or "invalid YAML"
        raise InputError(f"{path}{line}: invalid YAML: {_one_line(problem)}") from None
    except yaml.YAMLError as error:
        raise InputError(f"{path}: invalid YAML: {_one_line(str(error))}") from None
    except RecursionError:
        raise InputError(f"{path}: invalid YAML: nested too deeply") from None


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


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
    elif first["type"] == "finite_number":
        message = f"{first.get('input')} is not a finite number"
    # Cross-field checks raise "field.sub: problem"; point at that field's line.
    named = re.match(r"^([a-z_][a-z0-9_.]*): (.*)$", message)
    if named:
        loc = loc + tuple(int(p) if p.isdigit() else p for p in named.group(1).split("."))
        message = named.group(2)
    field = ".".join(_field_part(p) for p in prefix + loc) or "(record)"
    line = line_of(data, loc)
    return f"{path}:{line}: {field}: {_one_line(message)}"


def _field_part(part: Any) -> str:
    # A key from the file may hold anything (a newline, a colon): shown quoted unless it reads as a name.
    text = str(part)
    return text if re.fullmatch(r"[\w.+\-\[\]]+", text) else repr(text)


def _is_type_label(part: Any) -> bool:
    # pydantic puts type names into the locations of unions and generics; they are not fields.
    return isinstance(part, str) and (part[:1].isupper() or "[" in part or part.startswith("function-")
                                      or part in {"int", "float", "str", "bool", "list", "dict", "none"})
