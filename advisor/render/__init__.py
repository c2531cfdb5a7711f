"""Renderers: one module per output format behind one small interface; the CLI picks one by name."""
from __future__ import annotations

from advisor.render import csv_format, json_format, markdown_format, table_format
from advisor.render.base import Renderer

RENDERERS: dict[str, Renderer] = {
    "table": table_format.TableRenderer(),
    "markdown": markdown_format.MarkdownRenderer(),
    "json": json_format.JsonRenderer(),
    "csv": csv_format.CsvRenderer(),
}


def get_renderer(name: str) -> Renderer:
    return RENDERERS[name]
