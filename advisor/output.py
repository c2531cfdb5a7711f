"""Writing outputs: to a temporary file in the same folder, then renamed, so nothing is half-written."""
from __future__ import annotations

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
