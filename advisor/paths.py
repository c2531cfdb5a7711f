"""Where the built-in data lives: inside the installed wheel, or beside the package in a checkout."""
from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """hardware_db, knowledge or templates: the wheel's copy first, then the source checkout's."""
    for candidate in (_PACKAGE / "_data" / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"built-in data folder {name!r} not found "
                            f"(looked in {_PACKAGE / '_data'} and {_PACKAGE.parent})")
