"""Golden outputs: every renderer's exact text for fixed inputs, so a changed number or format is seen.

When an output changes on purpose, regenerate with `GO_ADVISOR_UPDATE_GOLDEN=1 pytest tests/test_golden.py`
and read the diff before committing it: every changed number in it should be explained by the change.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from advisor import api
from advisor.output import json_text
from advisor.render import RENDERERS
from advisor.render.explain import explain_markdown

GOLDEN = Path(__file__).parent / "golden"
DATA = api.load(rules_backend="builtin")  # both backends give the same findings (tests/test_rules.py)


def _check(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("GO_ADVISOR_UPDATE_GOLDEN") == "1":
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no golden file {path}: run with GO_ADVISOR_UPDATE_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8"), f"{name} differs from its golden file"


CASES = [("platform", {}, "estimate"), ("learning", {"budget": 1200.0}, "estimate"),
         ("microservice", {}, "documented")]


# JSON of the budget case would repeat 21 disqualified machines' evidence: its table, Markdown and CSV pin it.
RECOMMEND = [(fmt, *case) for case in CASES for fmt in ("table", "markdown", "json", "csv")
             if not (fmt == "json" and case[0] == "learning")]


@pytest.mark.parametrize("fmt, preset, options, evidence", RECOMMEND)
def test_recommend_output_is_exactly_the_golden_file(fmt, preset, options, evidence):
    rec = api.recommend(preset, data=DATA, evidence=evidence, **options)
    extension = {"table": "txt", "markdown": "md", "json": "json", "csv": "csv"}[fmt]
    _check(f"recommend-{preset}-{evidence}.{extension}", RENDERERS[fmt].recommendation(rec, 5, DATA.templates))


@pytest.mark.parametrize("fmt", ["table", "markdown", "json", "csv"])
def test_compare_output_is_exactly_the_golden_file(fmt):
    scores = api.compare(["dell-xps-13-plus-9320", "apple-macbook-air-13-m1-2020", "lenovo-thinkpad-x13s-gen-1"],
                         "microservice", data=DATA)
    extension = {"table": "txt", "markdown": "md", "json": "json", "csv": "csv"}[fmt]
    _check(f"compare-microservice.{extension}", RENDERERS[fmt].scores(scores, "microservice", DATA.templates))


@pytest.mark.parametrize("evidence", ["estimate", "documented"])
def test_explain_output_is_exactly_the_golden_file(evidence):
    explained = api.explain("dell-xps-13-plus-9320", "platform", evidence=evidence, data=DATA)
    _check(f"explain-xps-13-plus-platform-{evidence}.md", explain_markdown(explained, DATA.templates))
    if evidence == "documented":  # the estimate-level JSON repeats what its Markdown pins, at 130 KB
        _check(f"explain-xps-13-plus-platform-{evidence}.json", json_text(explained))
