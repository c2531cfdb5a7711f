"""Writing outputs: to a temporary file in the same folder, then renamed, so nothing is half-written.

Only regular files are written. A symlink is followed: the file it points to is replaced (atomically, in
that file's folder) and the link stays, as editors do; a device, FIFO, socket or folder is refused, and so
is any file the run reads (profile, database, knowledge, templates, scanned tree). A replaced file keeps its
mode, a new one gets the umask's. Temporary files are named `.NAME.go-advisor-PID.tmp`; one left by a
killed run is removed by the next write to that folder.
"""
from __future__ import annotations

import errno
import json
import math
import os
import re
import secrets
import stat
from pathlib import Path
from typing import Iterable

from advisor.errors import InputError
from advisor.reading import file_kind

TEMP_MARK = ".go-advisor-"
_TEMP_NAME = re.compile(r"^\.(?P<name>.+)\.go-advisor-(?P<pid>\d+)-[0-9a-f]+\.tmp$")


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


def _refuse(path: Path, why: str) -> OutputError:
    return OutputError(f"-o {path}: {why}")


def _target(path: Path) -> Path:
    """The file a write to path replaces: path itself, or the end of its symlink chain."""
    return Path(os.path.realpath(path)) if os.path.islink(path) else Path(os.path.abspath(path))


def _is_input(target: Path, inputs: Iterable[Path]) -> Path | None:
    """The input (a file, or a folder all of whose files are read) that target is or lies in, if any."""
    for item in inputs:
        real = Path(os.path.realpath(item))
        if target == real or (real.is_dir() and target.is_relative_to(real)):
            return Path(item)
    return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # someone else's process: leave its file alone
    return True


def clean_stale_temporaries(folder: Path) -> list[Path]:
    """Remove the temporary files of runs that died mid-write (their process is gone); the paths removed."""
    removed: list[Path] = []
    try:
        names = os.listdir(folder)
    except OSError:
        return removed
    for name in names:
        match = _TEMP_NAME.match(name)
        if match and int(match["pid"]) != os.getpid() and not _alive(int(match["pid"])):
            try:
                os.unlink(folder / name)
                removed.append(folder / name)
            except OSError:
                pass
    return removed


def check_output(path: Path, inputs: Iterable[Path] = ()) -> Path:
    """The regular file a write to path replaces or creates; an OutputError when path must not be written."""
    target = _target(path)
    try:
        info = os.stat(target)
    except FileNotFoundError:
        info = None
    except OSError as error:
        raise _refuse(path, f"cannot be checked ({error.strerror or error})") from None
    if info is not None and not stat.S_ISREG(info.st_mode):
        kind = file_kind(info.st_mode)
        raise _refuse(path, f"is {kind}{' (via a symlink)' if target != Path(os.path.abspath(path)) else ''}; "
                            "only regular files are written")
    source = _is_input(target, inputs)
    if source is not None:
        raise _refuse(path, f"is an input of this run ({source}); it would be destroyed: choose another file")
    if not target.parent.is_dir():
        raise _refuse(path, f"folder {target.parent} does not exist")
    return target


def write_atomic(path: Path, content: str | bytes, inputs: Iterable[Path] = ()) -> None:
    """Replace path with content in one rename; on failure the old file (if any) is untouched.

    inputs: files and folders this run reads, which the output must not be."""
    target = check_output(Path(path), inputs)
    folder = target.parent
    clean_stale_temporaries(folder)
    data = content.encode("utf-8") if isinstance(content, str) else content
    temp = folder / f".{target.name}{TEMP_MARK}{os.getpid()}-{secrets.token_hex(4)}.tmp"
    try:
        # 0o666 and the umask, as any new file; a replaced file's mode is copied below.
        descriptor = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o666)
    except OSError as error:
        raise _refuse(path, f"cannot write in {folder} ({error.strerror or error})") from None
    try:
        with os.fdopen(descriptor, "wb") as handle:
            try:
                old = os.stat(target)
                os.fchmod(handle.fileno(), stat.S_IMODE(old.st_mode))
            except FileNotFoundError:
                pass
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, target)
    except OSError as error:
        temp.unlink(missing_ok=True)
        reason = "the disk is full" if error.errno == errno.ENOSPC else (error.strerror or str(error))
        raise _refuse(path, f"cannot be written ({reason}); the old file, if any, is unchanged") from None
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
