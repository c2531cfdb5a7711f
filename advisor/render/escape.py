"""Each output format's escaping, declared once: spreadsheets (CSV), Markdown, links and terminals.

Text from records, profiles, knowledge folders and scanned trees is data: it must not become a spreadsheet
formula, a Markdown table row or heading, raw HTML, a script link or a terminal control sequence.
"""
from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

# A spreadsheet evaluates a cell starting with these as a formula (OWASP "CSV injection").
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
LINK_SCHEMES = ("http", "https")

# C0 controls but tab and newline, DEL, and C1 controls (ESC starts colour and cursor sequences, CR
# overwrites a line, U+0085 is a newline to some terminals); also Unicode line and paragraph separators.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
_LINE_BREAK = re.compile("\r\n|[\r\n\x0b\x0c\x85\u2028\u2029]")
# `](` too: data must not write a Markdown link (`[x](javascript:...)`); only templates make links.
_MARKDOWN = {"\\": "\\\\", "|": "\\|", "&": "&amp;", "<": "&lt;", ">": "&gt;", "](": "\\](", "`": "\\`"}
_MARKDOWN_SPECIAL = re.compile(r"[\\|&<>`]|\]\(")
_CODE_SPAN = re.compile(r"(`+)(?!`).*?(?<!`)\1(?!`)")
_UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")


def terminal(text: str) -> str:
    """Text safe to print: control characters (escape sequences, CR, bell, C1) removed; newline and tab kept."""
    return _CONTROL.sub("", text)


def terminal_line(text: str) -> str:
    """One line for a terminal: line breaks become spaces, other control characters are removed."""
    return terminal(_LINE_BREAK.sub(" ", text))


def csv_cell(value: object) -> object:
    """A cell a spreadsheet shows as text: a string starting with a formula prefix gets a leading quote."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def markdown(text: str) -> str:
    """Inline Markdown text: one line (CR and LF become spaces), `|`, `\\` and `](` escaped, HTML made inert.

    Inside a code span only `|` is escaped (a table needs it there too): a code span shows its text as is,
    HTML included, so an entity there would show as `&gt;`. A backtick that closes no span is escaped, so
    it cannot open a span across the template's own text."""
    flat = terminal(_LINE_BREAK.sub(" ", text))
    parts = []
    position = 0
    for span in _CODE_SPAN.finditer(flat):
        parts.append(_text(flat[position:span.start()]))
        parts.append(span.group().replace("|", "\\|"))
        position = span.end()
    parts.append(_text(flat[position:]))
    return "".join(parts)


def _text(text: str) -> str:
    return _MARKDOWN_SPECIAL.sub(lambda match: _MARKDOWN[match.group()], text)


def markdown_cell(text: str) -> str:
    """A table cell from text markdown() may already have escaped: one line, every `|` escaped once."""
    return _UNESCAPED_PIPE.sub(r"\\|", _LINE_BREAK.sub(" ", text))


def link(url: str | None) -> str | None:
    """The URL when it is an http(s) link fit for `<...>` in Markdown; None otherwise (javascript:, data:, ...)."""
    if not url:
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in LINK_SCHEMES or not parts.netloc or re.search(r"[\s<>\"'`\\]|[^\x21-\x7e]", url):
        return None
    return url


def markdown_data(value: Any, key: str = "") -> Any:
    """A template's data with every string escaped by markdown() and every `url` field passed through link()."""
    if isinstance(value, str):
        return link(value) if key == "url" else markdown(value)
    if isinstance(value, dict):
        return {name: markdown_data(item, name if isinstance(name, str) else "") for name, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [markdown_data(item) for item in value]
    return value
