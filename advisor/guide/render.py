"""A guide's documents: Markdown from templates/guide/guide.md.j2 with its SVG charts beside it, or one
self-contained HTML file (the same Markdown rendered by markdown-it-py, the charts inline, CSS and script inline).
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Iterable

from markdown_it import MarkdownIt

from advisor.errors import InputError
from advisor.guide.build import GuideData
from advisor.guide.context import guide_context
from advisor.guide.i18n import check_lang, load_catalog
from advisor.output import check_output, write_atomic
from advisor.render.escape import markdown_data
from advisor.render.formats import FORMATS
from advisor.render.templating import Templates

GUIDE_FORMATS = FORMATS["guide"]  # declared once, with every command's formats
MARKDOWN_TEMPLATE = "guide/guide.md.j2"
HTML_TEMPLATE = "guide/guide.html.j2"
_XML_DECLARATION = re.compile(r"^<\?xml[^>]*\?>\s*")


def render_markdown(context: dict[str, Any], templates: Templates, lang: str) -> str:
    """guide.md: the template over the context with every string escaped for Markdown."""
    catalog = load_catalog(lang)
    return templates.render(MARKDOWN_TEMPLATE, g=markdown_data(context), t=catalog.text, tl=catalog.texts, lang=lang)


def markdown_to_html(markdown: str, charts: dict[str, str]) -> str:
    """The body of the HTML guide: CommonMark with tables; an image naming one of the charts becomes that
    chart's SVG inline (every other image source is dropped: the page loads nothing)."""
    md = MarkdownIt("commonmark", {"html": True}).enable("table")

    def image(renderer: Any, tokens: Any, index: int, options: Any, env: Any) -> str:
        token = tokens[index]
        source = str(token.attrGet("src") or "")
        svg = charts.get(source)
        if svg is None:
            return ""
        return f'<span class="chart">{_XML_DECLARATION.sub("", svg).strip()}</span>'

    md.add_render_rule("image", image)
    return md.render(markdown)


def render_html(markdown: str, charts: dict[str, str], templates: Templates, lang: str, title: str) -> str:
    """guide.html: one file, nothing loaded from anywhere."""
    catalog = load_catalog(lang)
    return templates.render(HTML_TEMPLATE, body=markdown_to_html(markdown, charts), t=catalog.text, lang=lang,
                            title=title)


def guide_files(guide: GuideData, fmt: str = "markdown", lang: str = "en",
                templates: Templates | None = None) -> dict[str, str]:
    """File name -> text of the guide: guide.md and its charts, or guide.html alone."""
    if fmt not in GUIDE_FORMATS:
        raise InputError(f"--format: {fmt!r} is not one of {', '.join(GUIDE_FORMATS)}")
    check_lang(lang)
    templates = templates or guide.data.templates
    context, charts = guide_context(guide, load_catalog(lang))
    markdown = render_markdown(context, templates, lang)
    if fmt == "markdown":
        return {"guide.md": markdown, **charts}
    title = load_catalog(lang).text("Buying guide: laptops for Go development")
    return {"guide.html": render_html(markdown, charts, templates, lang, title)}


def check_folder(folder: Path, inputs: Iterable[Path] = (), names: Iterable[str] = ("guide.md",)) -> None:
    """An OutputError when the guide cannot go into folder: not a folder, a missing parent, an input folder (or
    inside one), or one of the files named is an input or not a regular file. Called before the work too."""
    folder = Path(folder)
    inputs = list(inputs)
    if folder.exists() and not folder.is_dir():
        raise InputError(f"-o {folder}: not a folder (the guide is a folder of files)")
    if not folder.exists():
        if not folder.parent.is_dir():
            raise InputError(f"-o {folder}: folder {folder.parent} does not exist")
        check_output(folder, inputs)  # a new folder inside an input folder is refused as a file there would be
        return
    for name in names:
        check_output(folder / name, inputs)


def write_guide(files: dict[str, str], folder: Path, inputs: Iterable[Path] = ()) -> list[Path]:
    """Write each file into folder (created when missing; its parent must exist), each atomically; nothing is
    written when any of them would overwrite an input or a non-regular file."""
    folder = Path(folder)
    inputs = list(inputs)
    check_folder(folder, inputs, files)
    if not folder.exists():
        folder.mkdir()
    paths = [folder / name for name in sorted(files)]
    for path in paths:
        write_atomic(path, files[path.name], inputs)
    return paths
