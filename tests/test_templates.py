"""Templates: the sandbox, its bounds, overrides of one block, and errors that name the file and line."""
from __future__ import annotations

import time
from pathlib import Path

import pytest

from advisor import api
from advisor.errors import InputError
from advisor.render import RENDERERS
from advisor.render.templating import MAX_OUTPUT, Templates


@pytest.fixture(scope="module")
def rec(data):
    return api.recommend("microservice", data=data)


def _folder(tmp_path: Path, name: str, text: str) -> Path:
    folder = tmp_path / "templates"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text)
    return folder


def _render_error(tmp_path: Path, text: str) -> str:
    templates = Templates(_folder(tmp_path, "page.j2", text))
    with pytest.raises(InputError) as caught:
        templates.render("page.j2", title="x")
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_python_internals_are_out_of_reach(tmp_path):
    message = _render_error(tmp_path, "{{ cycler.__init__.__globals__.os.popen('id').read() }}\n")
    assert "page.j2:1: template security error" in message and "uid=" not in message


@pytest.mark.parametrize("text", [
    "{% for x in range(10**9) %}x{% endfor %}",
    "{% for a in range(10000) %}{% for b in range(10000) %}{% endfor %}{% endfor %}",
    "{{ 'x' * 10**9 }}",
    "{{ [0] * 10**8 }}",
    "{{ 2 ** 1000000 }}",
    "{{ 'x' | center(10**9) }}",
    "{{ 'x'.ljust(10**9) }}",
    "{{ '%1000000000s' | format('x') }}",
])
def test_runaway_templates_fail_fast(tmp_path, text):
    started = time.monotonic()
    message = _render_error(tmp_path, text)
    assert time.monotonic() - started < 2
    assert "template security error" in message


def test_output_is_capped(tmp_path):
    message = _render_error(tmp_path, "{% for a in range(9000) %}{{ 'x' * 900000 }}{% endfor %}")
    assert "output passed 5 MB" in message and MAX_OUTPUT == 5 * 1024 * 1024


def test_lipsum_is_gone(tmp_path):
    assert "'lipsum' is undefined" in _render_error(tmp_path, "{{ lipsum(10**6) }}")


def test_syntax_error_names_file_and_line(tmp_path):
    message = _render_error(tmp_path, "# title\n\n{% for x in %}\n")
    assert message.startswith(f"{tmp_path / 'templates' / 'page.j2'}:3: template syntax error: ")


def test_undefined_names_file_and_line(tmp_path):
    assert f"{tmp_path / 'templates' / 'page.j2'}:2: template error: 'nothere' is undefined" == \
        _render_error(tmp_path, "{{ title }}\n{{ nothere }}\n")


def test_missing_parent_and_self_inclusion_are_errors(tmp_path):
    assert "template 'default:nope.j2' not found" in _render_error(tmp_path, '{% extends "default:nope.j2" %}')
    assert "RecursionError" in _render_error(tmp_path, '{% include "page.j2" %}')


def test_missing_folder_is_an_error(tmp_path):
    with pytest.raises(InputError, match="templates folder does not exist"):
        Templates(tmp_path / "nowhere")
    with pytest.raises(InputError, match="templates folder does not exist"):
        api.load(templates=tmp_path / "nowhere")


def test_override_changes_one_block_and_keeps_the_rest(tmp_path, rec):
    builtin = RENDERERS["markdown"].recommendation(rec, 3, Templates())
    folder = _folder(tmp_path, "recommendation.md.j2",
                     '{% extends "default:recommendation.md.j2" %}\n'
                     '{% block sources %}Sources: ask me.\n{% endblock %}\n')
    changed = RENDERERS["markdown"].recommendation(rec, 3, Templates(folder))
    assert "## Sources" in builtin
    assert changed == builtin[:builtin.index("## Sources")] + "Sources: ask me.\n"


def test_override_of_the_per_machine_block_sees_the_machine(tmp_path, rec):
    folder = _folder(tmp_path, "recommendation.md.j2",
                     '{% extends "default:recommendation.md.j2" %}'
                     '{% block machine %}* {{ s.rank }} {{ s.id }}\n{% endblock %}')
    text = RENDERERS["markdown"].recommendation(rec, 2, Templates(folder))
    assert f"* 1 {rec.ranked[0].machine_config}\n* 2 {rec.ranked[1].machine_config}\n" in text
    assert text.startswith("# Laptops for") and "## Sources" in text and "## 1." not in text


def test_a_template_of_the_same_name_replaces_the_builtin(tmp_path, rec):
    folder = _folder(tmp_path, "compare.md.j2", "{{ title }}: {{ scores | length }}\n")
    assert RENDERERS["markdown"].scores(list(rec.ranked[:2]), "two", Templates(folder)) == "two: 2\n"
    assert RENDERERS["markdown"].scores(list(rec.ranked[:2]), "two", Templates()).startswith("# two\n")


def test_templates_belong_to_the_data_not_the_process(tmp_path, data):
    folder = _folder(tmp_path, "explain.md.j2", "{{ score.id }} explained\n")
    mine = api.load(templates=folder)
    machine = data.catalog.machine_configs()[0].machine.id
    explained = api.explain(machine, data=mine)
    from advisor.render.explain import explain_markdown

    assert explain_markdown(explained, mine.templates) == f"{explained['score']['id']} explained\n"
    assert explain_markdown(explained, api.load().templates).startswith("# ")  # a second load is unaffected
