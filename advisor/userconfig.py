"""The user's defaults: a TOML file in the platform's config folder and GO_ADVISOR_* variables.

Precedence is flag > environment > file > built-in; `defaults()` gives every setting with where it came from,
so a command (and `go-advisor config show`) applies and explains the same values. Nothing is cached: each call
reads the environment and the file again.
"""
from __future__ import annotations

import math
import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping

from advisor.errors import InputError, Problem
from advisor.reading import read_regular
from advisor.suggest import did_you_mean
from advisor.vocabulary import MARKET_CURRENCY
from advisor.weights import parse_weights

CONFIG_VARIABLE = "GO_ADVISOR_CONFIG"
APP_NAME = "go-advisor"
# A config file is a few lines; anything far bigger is not one (and must not be read whole into memory).
MAX_CONFIG_BYTES = 64 * 1024


@dataclass(frozen=True)
class Setting:
    """One default and where it came from: `built-in`, `GO_ADVISOR_X`, or `FILE:LINE`."""

    value: Any
    origin: str


@dataclass(frozen=True)
class Defaults:
    """The defaults in effect: the file consulted (whether or not it exists) and each setting."""

    path: Path
    path_origin: str  # GO_ADVISOR_CONFIG, or the platform's config folder
    file_exists: bool
    settings: dict[str, Setting]
    variables: tuple[str, ...] = ()  # the GO_ADVISOR_* variables of the settings and the file that are set

    def value(self, name: str) -> Any:
        return self.settings[name].value

    def origin(self, name: str) -> str:
        return self.settings[name].origin


def _text(value: Any, name: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"expected text, got {value!r}")
    return value.strip()


def _market(value: Any, name: str) -> str:
    text = _text(value, name).lower()
    if text not in MARKET_CURRENCY:
        raise ValueError(f"{value!r} is not one of {', '.join(MARKET_CURRENCY)}")
    return text


def _currency(value: Any, name: str) -> str:
    text = _text(value, name).upper()
    currencies = tuple(MARKET_CURRENCY.values())
    if text not in currencies:
        raise ValueError(f"{value!r} is not one of {', '.join(currencies)}")
    return text


def _budget(value: Any, name: str) -> float:
    if isinstance(value, str):
        try:
            value = float(value.replace(",", "").strip())
        except ValueError:
            raise ValueError(f"{value!r} is not a number") from None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
        raise ValueError(f"{value!r} is not a positive number")
    return float(value)


def _weights(value: Any, name: str) -> str:
    """Weights as the --weight text (`build=3,memory=2`); a TOML table is accepted too. Names are checked by
    scoring, as for --weight."""
    if isinstance(value, Mapping):
        parts = []
        for key, weight in value.items():
            if isinstance(weight, bool) or not isinstance(weight, (int, float)):
                raise ValueError(f"weights.{key}: {weight!r} is not a number")
            parts.append(f"{key}={weight:g}")
        return ",".join(parts)
    text = _text(value, name)
    try:
        parse_weights(text)  # the --weight syntax, checked by its one reader
    except InputError as error:
        raise ValueError(str(error).removeprefix("--weight: ")) from None
    return text


# Each setting: its parser and its built-in default (None: the command's own, e.g. the profile's market).
SETTINGS: dict[str, tuple[Callable[[Any, str], Any], Any]] = {
    "profile": (_text, "microservice"),
    "market": (_market, None),
    "currency": (_currency, None),
    "budget": (_budget, None),
    "weights": (_weights, None),
}


# What a command uses when a setting has no default of its own (shown by `config show`).
UNSET_MEANS = {"market": "the profile's or its budget currency's",
               "currency": "the profile budget's", "budget": "the profile's",
               "weights": "the profile's, over scoring.yaml's"}


def variable(name: str) -> str:
    """The environment variable of a setting: GO_ADVISOR_MARKET for market."""
    return f"GO_ADVISOR_{name.upper()}"


def config_path(environ: Mapping[str, str] | None = None) -> tuple[Path, str]:
    """The config file and why that one: GO_ADVISOR_CONFIG (from environ), else config.toml in the platform's
    config folder (platformdirs, which reads the process's own XDG_CONFIG_HOME: else ~/.config on Linux,
    ~/Library/Application Support on macOS, %APPDATA% on Windows)."""
    env = os.environ if environ is None else environ
    given = env.get(CONFIG_VARIABLE, "").strip()
    if given:
        return Path(given).expanduser(), CONFIG_VARIABLE
    import platformdirs  # noqa: PLC0415  (only when a command reads its defaults)

    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False, roaming=True)) / "config.toml", \
        "the platform's config folder"


def _line_of(text: str, key: str) -> int:
    """The line that sets key (top level), 0 when it cannot be told."""
    pattern = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*[=.]|^\s*\[\s*{re.escape(key)}\s*\]")
    for number, line in enumerate(text.splitlines(), 1):
        if pattern.match(line):
            return number
    return 0


def read_file(path: Path) -> dict[str, Setting]:
    """The settings a config file makes, each with its line; one InputError naming file, line and key."""
    if not os.path.lexists(path):
        return {}
    # the reader every input goes through: a FIFO or a device named as the config is refused, never waited on
    raw = read_regular(path, MAX_CONFIG_BYTES)
    try:
        text = raw.decode("utf-8")
        document = tomllib.loads(text)
    except UnicodeDecodeError:
        raise InputError(Problem(path, 0, "", "not UTF-8 text")) from None
    except tomllib.TOMLDecodeError as error:
        found = re.search(r"\(at line (\d+), column \d+\)", str(error))
        line = int(found.group(1)) if found else (len(text.splitlines()) if "end of document" in str(error) else 0)
        message = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", str(error)) or "invalid TOML"
        raise InputError(Problem(path, line, "", f"not valid TOML: {message}")) from None
    settings: dict[str, Setting] = {}
    for key, value in document.items():
        line = _line_of(text, key)
        if key not in SETTINGS:
            raise InputError(Problem(path, line, key, "not a setting" + did_you_mean(key, SETTINGS)
                                     + f" (settings: {', '.join(SETTINGS)})"))
        parse, _ = SETTINGS[key]
        try:
            settings[key] = Setting(parse(value, key), f"{path}:{line}" if line else str(path))
        except ValueError as error:
            raise InputError(Problem(path, line, key, str(error))) from None
    return settings


def defaults(environ: Mapping[str, str] | None = None) -> Defaults:
    """Every setting in effect, environment over file over built-in, each with its origin.

    The one function commands call for their defaults (a flag given on the command line wins over all of it)."""
    env = os.environ if environ is None else environ
    path, path_origin = config_path(env)
    from_file = read_file(path)
    settings: dict[str, Setting] = {}
    for name, (parse, built_in) in SETTINGS.items():
        raw = env.get(variable(name), "").strip()
        if raw:
            try:
                settings[name] = Setting(parse(raw, name), variable(name))
            except ValueError as error:
                raise InputError(f"{variable(name)}: {error}") from None
        elif name in from_file:
            settings[name] = from_file[name]
        else:
            settings[name] = Setting(built_in, "built-in")
    variables = tuple(sorted(v for v in (CONFIG_VARIABLE, *map(variable, SETTINGS)) if env.get(v, "").strip()))
    return Defaults(path=path, path_origin=path_origin, file_exists=path.is_file(), settings=settings,
                    variables=variables)


def show_data(found: Defaults) -> dict[str, Any]:
    """`config show` as plain data."""
    return {"file": str(found.path), "file_from": found.path_origin, "file_exists": found.file_exists,
            "variables": list(found.variables),
            "settings": {name: {"value": s.value, "from": s.origin} for name, s in found.settings.items()}}


def show_text(found: Defaults) -> str:
    """`config show` for people: the file, the variables set, each setting and where it came from."""
    data = show_data(found)
    lines = [f"config file: {data['file']} ({'found' if found.file_exists else 'not present'}; "
             f"from {data['file_from']})",
             "variables set: " + (", ".join(data["variables"]) or "none"), ""]
    width = max(map(len, SETTINGS))
    values = {name: f"(unset: {UNSET_MEANS[name]})" if entry["value"] is None else str(entry["value"])
              for name, entry in data["settings"].items()}
    value_width = max(map(len, values.values()))
    for name, entry in data["settings"].items():
        lines.append(f"{name:{width}}  {values[name]:{value_width}}  [{entry['from']}]")
    lines += ["", "Precedence: a flag, then GO_ADVISOR_* variables, then the file, then the",
              "built-in default. The file is TOML, e.g.:",
              '  market = "eu"', "  budget = 2000", '  weights = "build=3,memory=2"']
    return "\n".join(lines) + "\n"
