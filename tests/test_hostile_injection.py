"""Hostile text in records and knowledge: escaped for every format (CSV formulas, Markdown tables and HTML,
links, terminal control sequences) by advisor/render/escape.py, the one place each format's escaping lives."""
from __future__ import annotations

import csv
import io
import json

import pytest
from test_hostile_cli import cli

from advisor.errors import InputError
from advisor.knowledge import load_sources
from advisor.render import escape
from advisor.render.explain import explain_markdown
from advisor.render.templating import Templates

EVIL = "=HYPERLINK(\"http://x\")|<script>alert(1)</script><img src=x onerror=alert(1)>\r\n# Owned\x1b[2J\x07"
MACHINE = "framework-laptop-13-amd-7040"


@pytest.fixture()
def evil_db(db_copy):
    path = db_copy / "machines" / "framework.yaml"
    text = path.read_text()
    old = "  name: Framework Laptop 13 (AMD Ryzen 7040 Series)\n"
    assert old in text
    path.write_text(text.replace(old, f"  name: {json.dumps(EVIL)}\n", 1))
    return db_copy


def _evil_row(rows: list[list[str]]) -> list[str]:
    return next(row for row in rows if row and row[2] == MACHINE)


def test_csv_cells_never_start_a_formula(evil_db, capsys):
    run = cli(capsys, "--db", str(evil_db), "recommend", "--format", "csv")
    assert run.code == 0, run.err
    rows = list(csv.reader(io.StringIO(run.out)))
    assert _evil_row(rows)[3].startswith("'=HYPERLINK")
    for row in rows:
        for cell in row:
            try:
                float(cell)  # a number (-1.5) is written as a number, which a spreadsheet does not evaluate
            except ValueError:
                assert not cell.startswith(escape.FORMULA_PREFIXES), cell


@pytest.mark.parametrize("cell, shown", [("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@SUM(A1)", "'@SUM(A1)"),
                                         ("\tx", "'\tx"), ("\rx", "'\rx"), ("a=1", "a=1"), (-1.5, -1.5)])
def test_csv_cell(cell, shown):
    assert escape.csv_cell(cell) == shown


def test_markdown_table_rows_headings_and_html_stay_inert(evil_db, capsys):
    run = cli(capsys, "--db", str(evil_db), "recommend", "--format", "markdown")
    assert run.code == 0, run.err
    text = run.out
    assert "<script>" not in text and "<img" not in text and "\x1b" not in text and "\r" not in text
    assert "&lt;script&gt;" in text
    assert not any(line.startswith("# Owned") for line in text.splitlines())
    header = next(line for line in text.splitlines() if line.startswith("| # |"))
    row = next(line for line in text.splitlines() if "HYPERLINK" in line and line.startswith("|"))
    unescaped = lambda line: len(line.replace("\\|", "")) - len(line.replace("\\|", "").replace("|", ""))  # noqa: E731
    assert unescaped(row) == unescaped(header)


def test_terminal_table_has_no_control_characters(evil_db, capsys):
    run = cli(capsys, "--db", str(evil_db), "recommend", "--format", "table")
    assert run.code == 0, run.err
    assert "\x1b" not in run.out and "\x07" not in run.out and "\r" not in run.out
    assert all(ch in "\n\t" or ch >= " " for ch in run.out if ord(ch) < 0xA0 and not 0x20 <= ord(ch) < 0x7F)


def test_an_error_message_is_one_line_without_control_characters(tmp_path, capsys):
    profile = tmp_path / "p.yaml"
    profile.write_text('id: "x"\nname: "a\\x1b[2J"\nbogus\x1b: 1\n')
    run = cli(capsys, "recommend", "--profile", str(profile))
    assert run.code == 2 and "\x1b" not in run.err and len(run.err.strip().splitlines()) == 1


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,<b>", "file:///etc/passwd",
                                 "https://x.org/<script>", "https://x.org/a b", "vbscript:x"])
def test_only_http_links_are_loaded_or_rendered(tmp_path, url):
    assert escape.link(url) is None
    sources = tmp_path / "sources.yaml"
    sources.write_text(f"sources:\n- id: evil\n  title: Evil\n  kind: article\n  url: {json.dumps(url)}\n")
    with pytest.raises(InputError, match=r"sources\.yaml:\d+: .*url"):
        load_sources(sources)


def test_explain_never_prints_a_script_link(data):
    from advisor import api

    explained = api.explain(MACHINE, data=data)
    cited = explained["cited"][0]
    explained["sources"][cited] = {**explained["sources"][cited], "url": "javascript:alert(1)",
                                   "title": "[click](javascript:alert(2)) <b>x</b>"}
    text = explain_markdown(explained, Templates())
    assert "javascript:alert(1)" not in text and "<b>" not in text
    assert "[click\\](javascript:alert(2))" in text and "](javascript:" not in text.replace("\\](", "")
    assert escape.link("https://example.org/a?b=1&c=2") == "https://example.org/a?b=1&c=2"


def test_markdown_escaping():
    assert escape.markdown("a|b\r\nc") == "a\\|b c"
    assert escape.markdown("<b>&") == "&lt;b&gt;&amp;"
    assert escape.markdown("`a > b` c > d") == "`a > b` c &gt; d"  # code spans show their text as is
    assert escape.markdown("lone ` tick") == "lone \\` tick"
    assert escape.markdown("[x](javascript:y)") == "[x\\](javascript:y)"
    assert escape.markdown_cell(escape.markdown("a|b")) == "a\\|b"  # escaping twice adds nothing


def test_terminal_escaping():
    assert escape.terminal("a\x1b[31mb\rc\x07d\x85e\tf\n") == "a[31mbcde\tf\n"
    assert escape.terminal_line("a\nb\u2028c") == "a b c"
