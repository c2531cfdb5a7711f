"""Reading an input file safely: a regular file only, optionally inside given folders, at most a size limit."""
from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import Iterable

from advisor.errors import InputError

# Bigger than any hand-written data or build file; a file past this is refused (or, in a scan, skipped).
DEFAULT_LIMIT = 32 * 1024 * 1024


class UnsafeFile(InputError):
    """A file that must not be read: not a regular file, outside the tree, or too large."""


def file_kind(mode: int) -> str:
    """What a non-regular file is, in words (for refusals: 'is a FIFO')."""
    for test, name in ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return "not a regular file"


def outside(path: Path, roots: Iterable[Path]) -> bool:
    """Whether path, symlinks resolved, lies outside every one of roots (also resolved)."""
    real = Path(os.path.realpath(path))
    return not any(real.is_relative_to(os.path.realpath(root)) for root in roots)


class Unreadable(InputError):
    """A regular file the system would not let us read (permissions, I/O error)."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: cannot read ({reason})")
        self.reason = reason


def read_regular(path: Path, limit: int = DEFAULT_LIMIT, inside: Iterable[Path] | None = None) -> bytes:
    """The bytes of path; an UnsafeFile error when it is not a regular file, leaves `inside`, or passes limit.

    The file is first opened without blocking and checked on that descriptor, so a FIFO or a device (also
    behind a symlink) is refused without a read that could hang or never end."""
    if inside is not None and outside(path, inside):
        raise UnsafeFile(f"{path}: a symlink to {os.path.realpath(path)}, outside the folder read")
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise InputError(f"{path}: file not found") from None
    except OSError as error:
        if error.errno == errno.EISDIR:
            raise UnsafeFile(f"{path}: a folder, not a file") from None
        raise Unreadable(path, error.strerror or str(error)) from None
    try:
        info = os.fstat(descriptor)
    finally:
        os.close(descriptor)
    if not stat.S_ISREG(info.st_mode):
        raise UnsafeFile(f"{path}: {file_kind(info.st_mode)}, not a regular file")
    if info.st_size > limit:
        raise UnsafeFile(f"{path}: {info.st_size:,} bytes, over the {limit:,}-byte limit for one file")
    # Read by name: the inputs are files at rest (a tree swapped for a FIFO while scanned is not defended);
    # a file that grew past the limit since the check is still refused.
    try:
        data = path.read_bytes()
    except OSError as error:
        raise Unreadable(path, error.strerror or str(error)) from None
    if len(data) > limit:
        raise UnsafeFile(f"{path}: over the {limit:,}-byte limit for one file")
    return data
