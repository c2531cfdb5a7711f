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


# The user's defaults (advisor.userconfig) a developer's shell or config file may hold: no test reads them.
_USER_VARIABLES = ("GO_ADVISOR_CONFIG", "GO_ADVISOR_PROFILE", "GO_ADVISOR_MARKET", "GO_ADVISOR_CURRENCY",
                   "GO_ADVISOR_BUDGET", "GO_ADVISOR_WEIGHTS", "GO_ADVISOR_PAGER")


@pytest.fixture(autouse=True)
def _no_user_config(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test (and every CLI it starts) sees an empty config folder and none of the user's variables."""
    for name in _USER_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("xdg-config")))
    # platformdirs ignores XDG_CONFIG_HOME on macOS and Windows: point at a file that does not exist there too
    monkeypatch.setenv("GO_ADVISOR_CONFIG", str(tmp_path_factory.getbasetemp() / "no-user-config.toml"))
