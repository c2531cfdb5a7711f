"""Hostile templates and rule messages: rendered in jinja2's sandbox, bounded, every problem one line naming
the file; nothing they say can run code or hang the tool."""
from __future__ import annotations

import time

import pytest
from test_hostile_cli import cli

from advisor.errors import InputError
from advisor.knowledge import load_knowledge
from advisor.render.templating import Templates

EXEC = "{{ cycler.__init__.__globals__.os.popen('id').read() }}"
HANG = "{% for x in range(10**9) %}x{% endfor %}"
ESCAPES = [EXEC, "{{ ''.__class__.__mro__[1].__subclasses__() }}", "{{ lipsum.__globals__ }}",
           "{{ self.__init__.__globals__ }}", "{{ joiner.__init__.__globals__ }}"]
HANGS = [HANG, "{{ 'x' * 10**9 }}", "{{ 2 ** 1000000 }}", "{{ 'x' | center(10**9) }}",
         "{% for a in range(9999) %}{% for b in range(9999) %}{% endfor %}{% endfor %}",
         "{{ '%999999999s' | format('x') }}"]


def _message_rule(knowledge_copy, message: str):
    path = knowledge_copy / "rules" / "budget.yaml"
    text = path.read_text()
    old = "message: Uses {{ (budget_ratio * 100) | round | int }}"
    assert old in text
    path.write_text(text.replace(old, "message: >-\n      " + message + " {{ (budget_ratio * 100) | round | int }}", 1))
    return path


@pytest.mark.parametrize("message", ESCAPES + HANGS)
def test_a_rule_message_cannot_run_code_or_hang(knowledge_copy, message):
    path = _message_rule(knowledge_copy, message)
    started = time.monotonic()
    with pytest.raises(InputError) as raised:
        load_knowledge(knowledge_copy)
    assert time.monotonic() - started < 10
    assert str(raised.value).startswith(f"{path}:") and "budget.near-limit.message" in str(raised.value)
    assert "uid=" not in str(raised.value)


@pytest.mark.parametrize("body", ESCAPES + HANGS)
def test_a_user_template_cannot_run_code_or_hang(tmp_path, body):
    (tmp_path / "recommendation.md.j2").write_text(body)
    started = time.monotonic()
    with pytest.raises(InputError) as raised:
        Templates(tmp_path).render("recommendation.md.j2")
    assert time.monotonic() - started < 10
    assert str(raised.value).startswith(str(tmp_path / "recommendation.md.j2"))
    assert "uid=" not in str(raised.value)


def test_template_output_is_bounded(tmp_path):
    (tmp_path / "recommendation.md.j2").write_text("{% for a in range(5000) %}" + "x" * 2000 + "{% endfor %}")
    with pytest.raises(InputError, match="template output passed"):
        Templates(tmp_path).render("recommendation.md.j2")


def test_a_missing_templates_folder_is_one_line(tmp_path, capsys):
    missing = tmp_path / "nope"
    run = cli(capsys, "--templates", str(missing), "recommend", "--format", "markdown")
    assert run.code == 2 and "nope" in run.error_line and "does not exist" in run.error_line
    with pytest.raises(InputError, match="templates folder does not exist"):
        Templates(missing)


def test_a_template_syntax_error_names_the_file_and_line(tmp_path, capsys):
    template = tmp_path / "recommendation.md.j2"
    template.write_text("fine\n{% for x in %}\n")
    run = cli(capsys, "--templates", str(tmp_path), "recommend", "--format", "markdown", "--top", "1")
    assert run.code == 2 and f"{template}:2: template syntax error" in run.error_line
