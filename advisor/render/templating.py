"""The jinja2 environment: built-in templates, overridable with --templates DIR."""
from __future__ import annotations

import functools
from pathlib import Path

import jinja2

from advisor.paths import data_dir


@functools.lru_cache(maxsize=4)
def environment(override: str | None = None) -> jinja2.Environment:
    folders = ([override] if override else []) + [str(data_dir("templates"))]
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(folders), undefined=jinja2.StrictUndefined,
                             autoescape=False, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["num"] = lambda value, digits=1: "n/a" if value is None else f"{value:,.{digits}f}"
    env.filters["mdcell"] = lambda text: str(text).replace("|", "\\|").replace("\n", " ")
    return env


_override: str | None = None


def set_template_dir(folder: str | Path | None) -> None:
    """Use the user's templates first (datasette-style overrides)."""
    global _override
    _override = str(folder) if folder else None


def render(template: str, **context: object) -> str:
    return environment(_override).get_template(template).render(**context)
