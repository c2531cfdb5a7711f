"""Renderers: one module per output format behind one small interface; the CLI picks one by name."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from advisor.render.base import Renderer

    RENDERERS: dict[str, Renderer]


def _renderers() -> dict[str, Renderer]:
    from advisor.render import csv_format, json_format, markdown_format, table_format  # noqa: PLC0415

    return {
        "table": table_format.TableRenderer(),
        "markdown": markdown_format.MarkdownRenderer(),
        "json": json_format.JsonRenderer(),
        "csv": csv_format.CsvRenderer(),
    }


def __getattr__(name: str) -> Any:
    # Built on first use: the CLI imports advisor.render.formats for --help, which must not import the
    # renderers (and through them every data type and rich).
    if name == "RENDERERS":
        globals()["RENDERERS"] = renderers = _renderers()
        return renderers
    raise AttributeError(f"module 'advisor.render' has no attribute {name!r}")


def get_renderer(name: str) -> Renderer:
    return __getattr__("RENDERERS")[name]
