"""A minimal deterministic SVG writer: elements as text, every attribute and text node XML-escaped.

No plotting library: the charts need a few shapes and labels, and byte-identical output for identical input,
which is easiest when every number is formatted here with a fixed number of decimals.
"""
from __future__ import annotations

import re
from xml.sax.saxutils import escape as _escape
from xml.sax.saxutils import quoteattr as _quoteattr

FONT = "DejaVu Sans, Noto Sans CJK SC, sans-serif"  # installed fonts only: no web fonts are loaded
# Characters XML 1.0 cannot hold at all, escaped or not (C0 controls but tab/LF/CR, lone surrogates, U+FFFE/F).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def escape(content: str) -> str:
    """Text for an SVG text node: markup characters escaped, characters XML cannot hold dropped."""
    return _escape(_NOT_XML.sub("", content))


def quoteattr(content: str) -> str:
    """A quoted attribute value, as escape() for text."""
    return _quoteattr(_NOT_XML.sub("", content))


def number(value: float) -> str:
    """A coordinate with two decimals at most and no trailing zeros (`12.5`, `3`), never `-0`."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _attributes(attributes: dict[str, object]) -> str:
    parts = []
    for name, value in attributes.items():
        if value is None:
            continue
        shown = number(value) if isinstance(value, float) else str(value)
        parts.append(f" {name.rstrip('_').replace('_', '-')}={quoteattr(shown)}")
    return "".join(parts)


def element(tag: str, children: str = "", **attributes: object) -> str:
    """`<tag a="...">children</tag>`; children must already be SVG (from element() or text())."""
    return f"<{tag}{_attributes(attributes)}>{children}</{tag}>" if children else f"<{tag}{_attributes(attributes)}/>"


def text(content: str, x: float, y: float, **attributes: object) -> str:
    """A text node; the content is escaped, so a name holding `<script>` stays text."""
    return f"<text{_attributes({'x': x, 'y': y, **attributes})}>{escape(content)}</text>"


def title(content: str) -> str:
    """A tooltip (the element's accessible name)."""
    return f"<title>{escape(content)}</title>"


def document(width: float, height: float, body: list[str], label: str) -> str:
    """A standalone SVG file: XML declaration, viewBox, the label as the document's title, a trailing newline."""
    head = (f'<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" '
            f'width="{number(width)}" height="{number(height)}" viewBox="0 0 {number(width)} {number(height)}" '
            f'role="img" font-family={quoteattr(FONT)} font-size="12">')
    return head + "\n" + title(label) + "\n" + "\n".join(body) + "\n</svg>\n"
