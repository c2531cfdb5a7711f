"""Writing outputs: to a temporary file in the same folder, then renamed, so nothing is half-written."""
from __future__ import annotations

import json
import math
import os
import tempfile
from pathlib import Path

from advisor.errors import InputError


def write_atomic(path: Path, content: str | bytes) -> None:
    """Replace path with content in one rename; on failure the old file (if any) is untouched."""
    folder = path.resolve().parent
    if not folder.is_dir():
        raise InputError(f"{path}: folder {folder} does not exist")
    data = content.encode("utf-8") if isinstance(content, str) else content
    handle, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(handle, "wb") as temp:
            temp.write(data)
            temp.flush()
            os.fsync(temp.fileno())
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


class OutputError(InputError):
    """The output cannot be written as asked (e.g. a NaN for JSON); one line, exit status 2."""


def _jsonable(value: object) -> object:
    """Values json cannot write itself: sets as sorted lists, everything else (paths, dates) as text."""
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=str)
    return str(value)


def _non_finite(value: object, where: str = "") -> str | None:
    """Where the first NaN or infinity is (e.g. `ranked[0].total`), or None."""
    if isinstance(value, float) and not math.isfinite(value):
        return where or "(top level)"
    if isinstance(value, dict):
        children = ((f"{where}.{key}" if where else str(key), child) for key, child in value.items())
    elif isinstance(value, (list, tuple)):
        children = ((f"{where}[{index}]", child) for index, child in enumerate(value))
    else:
        return None
    for path, child in children:
        found = _non_finite(child, path)
        if found:
            return found
    return None


def json_text(data: object) -> str:
    """The one JSON writer: sorted keys, indent 2, UTF-8 text as is, a trailing newline; NaN/Infinity refused."""
    try:
        return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False, default=_jsonable) + "\n"
    except ValueError as error:
        where = _non_finite(data)
        if where is None:
            raise
        raise OutputError(f"JSON output: {where} is not a finite number (JSON has no NaN or Infinity)") from error
