"""Parsed YAML kept per user, keyed on each file's bytes, so an unchanged file is not parsed again.

Only successful parses are kept, as JSON of plain values (never pickle: reading a cache runs no code),
in $XDG_CACHE_HOME/go-advisor (else ~/.cache/go-advisor), a folder of mode 0700 that must belong to the
user. Anything odd about the folder, an entry or the file read (not a regular file, a symlink, too big, too
many nodes) bypasses the cache: the file then goes through advisor.yamlio as it always did.
An alias is stored expanded: the value read back is equal, its repeated parts are no longer one object.
GO_ADVISOR_CACHE=off turns the cache off.
"""
from __future__ import annotations

import datetime
import hashlib
import json
import os
import stat
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

from advisor import reading, yamlio
from advisor.yamlio import LineDict, LineList

_FORMAT = 1
# Larger files are left to the loader, which knows its own limits; this bounds what is read here.
_MAX_BYTES = 16 * 1024 * 1024
_MAX_NODES = 2_000_000


def _parser_identity() -> bytes:
    """What the cached parse depends on besides the bytes: this format, PyYAML, and the code that reads,
    parses and bounds a file (a change to any of it makes every entry stale)."""
    code = [hashlib.sha256(Path(module.__file__ or "").read_bytes()).hexdigest() for module in (yamlio, reading, _SELF)]
    return "\0".join((str(_FORMAT), yaml.__version__, *code)).encode()


_SELF = sys.modules[__name__]
_IDENTITY: bytes | None = None


def cache_dir() -> Path | None:
    """The user's own cache folder (created 0700), or None when it is off or not safely ours."""
    if os.environ.get("GO_ADVISOR_CACHE", "").strip().lower() in ("off", "0", "no", "false"):
        return None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    if not os.path.isabs(base):
        return None  # the XDG spec says relative paths are invalid
    folder = Path(base) / "go-advisor" / "yaml"
    try:
        Path(base).mkdir(parents=True, exist_ok=True)
        for part in (folder.parent, folder):
            part.mkdir(mode=0o700, exist_ok=True)
            info = os.lstat(part)
            # a folder someone else owns or may write could hand us another file's parse
            if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
                return None
    except OSError:
        return None
    return folder


class _Uncacheable(Exception):
    """A parsed value this cache does not store (unusual YAML types, too many nodes)."""


def _encode(value: Any, budget: list[int]) -> Any:
    """Plain JSON: every mapping and sequence becomes a tagged object carrying its line numbers."""
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    # an alias is written out again where it is used: count every use, so an alias bomb is never expanded
    budget[0] -= 1
    if budget[0] < 0:
        raise _Uncacheable("too many nodes")
    if type(value) is LineDict:
        return {"m": value.line, "k": [[_encode(key, budget), value.key_lines[key], _encode(item, budget)]
                                       for key, item in value.items()]}
    if type(value) is LineList:
        return {"l": value.line, "i": list(value.item_lines), "v": [_encode(item, budget) for item in value]}
    if type(value) is datetime.date:
        return {"date": value.isoformat()}
    raise _Uncacheable(type(value).__name__)


def _decode(node: dict[str, Any]) -> Any:
    # json calls this for every object, innermost first: the values inside are decoded already.
    if "k" in node:
        mapping = LineDict()
        mapping.line = node["m"]
        mapping.key_lines = {}
        for key, line, item in node["k"]:
            mapping[key] = item
            mapping.key_lines[key] = line
        return mapping
    if "v" in node:
        sequence = LineList(node["v"])
        sequence.line, sequence.item_lines = node["l"], node["i"]
        return sequence
    if "date" in node:
        return datetime.date.fromisoformat(node["date"])
    return node  # the envelope


def _read_bounded(path: Path) -> bytes | None:
    """The file's bytes if it is a regular file of sane size and not a symlink, else None: the loader then
    reads it itself and decides (a FIFO is never waited on here, a symlink never answered from the cache)."""
    try:
        with open(path, "rb", opener=lambda name, flags: os.open(name, flags | os.O_NONBLOCK | os.O_NOFOLLOW)
                  ) as handle:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode) or info.st_size > _MAX_BYTES:
                return None
            data = handle.read(_MAX_BYTES + 1)
    except OSError:
        return None
    return data if len(data) <= _MAX_BYTES else None


def _digest(data: bytes) -> str:
    global _IDENTITY
    if _IDENTITY is None:
        _IDENTITY = _parser_identity()
    return hashlib.sha256(_IDENTITY + b"\0" + data).hexdigest()


def _read_entry(folder: Path, digest: str) -> tuple[bool, Any]:
    """(found, value) of a cache entry that is ours and intact."""
    try:
        fd = os.open(folder / f"{digest}.json", os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return False, None
    try:
        with os.fdopen(fd, "rb") as handle:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
                return False, None
            envelope = json.loads(handle.read(), object_hook=_decode)
    except (OSError, ValueError, TypeError, KeyError):
        return False, None
    if not isinstance(envelope, dict) or envelope.get("format") != _FORMAT or envelope.get("digest") != digest:
        return False, None
    return True, envelope["data"]


def _write_entry(folder: Path, digest: str, value: Any) -> None:
    try:
        text = json.dumps({"format": _FORMAT, "digest": digest, "data": _encode(value, [_MAX_NODES])})
    except (_Uncacheable, RecursionError, ValueError):
        return
    try:
        handle, temp = tempfile.mkstemp(prefix=".go-advisor-cache.", suffix=".tmp", dir=folder)  # mode 0600
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(text)
            os.replace(temp, folder / f"{digest}.json")
        except BaseException:
            os.unlink(temp)
            raise
    except OSError:
        return  # a cache that cannot be written only costs time


def load_yaml(path: Path) -> Any:
    """advisor.yamlio.load_yaml's result, from the cache when this file's bytes were parsed before."""
    folder = cache_dir()
    data = _read_bounded(path) if folder is not None else None
    if folder is None or data is None:
        return yamlio.load_yaml(path)
    digest = _digest(data)
    found, value = _read_entry(folder, digest)
    if found:
        return value
    value = yamlio.load_yaml(path)  # errors propagate: only good parses are kept
    if _read_bounded(path) == data:  # the file did not change while it was parsed
        _write_entry(folder, digest, value)
    return value
