"""Shared fixtures: the built-in data, and copies of it that a test may break."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from advisor import api

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def data() -> api.Data:
    return api.load(ROOT / "hardware_db", ROOT / "knowledge")


@pytest.fixture()
def db_copy(tmp_path: Path) -> Path:
    """A private copy of hardware_db to break."""
    target = tmp_path / "hardware_db"
    shutil.copytree(ROOT / "hardware_db", target)
    return target


@pytest.fixture()
def knowledge_copy(tmp_path: Path) -> Path:
    target = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", target)
    return target


def edit_first(path: Path, pattern: str, replacement: str) -> None:
    """Replace the first match of a regular expression in a fixture copy; the pattern must match."""
    text = path.read_text()
    changed, count = re.subn(pattern, replacement, text, count=1)
    assert count == 1, f"{pattern!r} not found in {path}"
    path.write_text(changed)
