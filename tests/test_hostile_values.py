"""Hostile numbers and keys: NaN and infinities are refused everywhere with the field named, and a bad
scoring.yaml is one line naming the file and the key, never an internal error."""
from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest
from test_hostile_cli import cli

from advisor.errors import InputError
from advisor.knowledge import load_knowledge, load_profile_file, load_scoring
from advisor.output import OutputError, json_text

ROOT = Path(__file__).resolve().parent.parent


def _profile(tmp_path: Path, capsys, field: str, value: str) -> Path:
    text = cli(capsys, "profile", "show", "microservice").out
    text, count = re.subn(rf"(?m)^{field}: .*$", f"{field}: {value}", text)
    assert count == 1
    path = tmp_path / "p.yaml"
    path.write_text(text)
    return path


@pytest.mark.parametrize("field, value", [("test_cpu_seconds", ".nan"), ("test_cpu_seconds", ".inf"),
                                          ("full_rebuilds_per_day", "-.inf"), ("changed_packages_per_edit", ".NaN")])
def test_a_profile_with_nan_or_inf_names_the_field(tmp_path, capsys, field, value):
    path = _profile(tmp_path, capsys, field, value)
    with pytest.raises(InputError, match=rf"p\.yaml:\d+: {field}: (nan|inf|-inf) is not a finite number"):
        load_profile_file(path)
    run = cli(capsys, "recommend", "--profile", str(path), "--format", "json")
    assert run.code == 2 and field in run.error_line and run.out == ""


@pytest.mark.parametrize("extra, named", [("budget: {amount: .inf, currency: USD}", "budget.amount"),
                                          ("weights: {build: .nan}", "weights.build")])
def test_a_nan_budget_or_weight_in_a_profile_is_refused(tmp_path, capsys, extra, named):
    text = "\n".join(line for line in cli(capsys, "profile", "show", "microservice").out.splitlines()
                     if not line.startswith(("budget:", "weights:", "  amount:", "  currency:")))
    path = tmp_path / "p.yaml"
    path.write_text(text + "\n" + extra + "\n")
    with pytest.raises(InputError, match=rf"{re.escape(named)}.*finite"):
        load_profile_file(path)


def test_a_nan_in_the_database_is_refused_and_db_check_reports_it(db_copy, capsys):
    path = db_copy / "machines" / "apple.yaml"
    text = path.read_text()
    start = text.index("battery_wh:")
    value = text.index("value:", start)
    path.write_text(text[:value] + "value: .nan" + text[text.index("\n", value):])
    run = cli(capsys, "--db", str(db_copy), "recommend", "--format", "json")
    assert run.code == 2 and "battery_wh" in run.error_line and "finite" in run.error_line
    checked = cli(capsys, "--db", str(db_copy), "db", "check")
    assert checked.code == 2 and re.search(r"apple\.yaml:\d+: .*battery_wh.*finite number", checked.out)


@pytest.mark.parametrize("setting", ["test_cpu_seconds=nan", "test_cpu_seconds=inf", "budget.amount=nan",
                                     "budget.amount=-inf", "test_cpu_seconds=1e999"])
def test_set_with_nan_or_inf_names_the_field(tmp_path, capsys, setting):
    root = tmp_path / "m"
    root.mkdir()
    (root / "go.mod").write_text("module example.com/m\n\ngo 1.22\n")
    (root / "main.go").write_text("package main\n\nfunc main() {}\n")
    run = cli(capsys, "profile", "scan", str(root), "-q", "--set", setting)
    assert run.code == 2 and setting.split("=")[0] in run.error_line and "finite" in run.error_line


def test_the_json_writer_refuses_nan_naming_where():
    with pytest.raises(OutputError, match=r"ranked\[0\]\.total"):
        json_text({"ranked": [{"total": math.nan}]})
    assert json.loads(json_text({"x": 1.5})) == {"x": 1.5}


def _scoring(tmp_path: Path, old: str, new: str) -> Path:
    text = (ROOT / "knowledge" / "scoring.yaml").read_text()
    assert old in text
    path = tmp_path / "scoring.yaml"
    path.write_text(text.replace(old, new, 1))
    return path


@pytest.mark.parametrize("old, new, named", [
    ("sources: [advisor-policy]\n", "sources: [advisor-policy]\nbogus: 1\n", "bogus: unknown field"),
    ("        label: free at peak\n", "        lable: free at peak\n", "criteria.memory.terms.0.lable: unknown field"),
    ("curve: {per_doubling: 30}", "curve: [1, 2]", "criteria.build.terms.0.curve"),
    ("curve: {per_doubling: 30}", "curve: {per_doubling: .nan}", "criteria.build.terms.0.curve.per_doubling"),
    ("      - fact: daily_wait_min\n", "      - fact: daily_wait_mni\n", "unknown fact 'daily_wait_mni'"),
    ("  memory:\n    short: mem\n", "  memroy:\n    short: mem\n", "memory"),
    ("    short: build\n", "    short: [1]\n", "criteria.build.short"),
])
def test_a_bad_scoring_key_is_one_line_naming_file_and_key(tmp_path, capsys, knowledge_copy, old, new, named):
    path = _scoring(tmp_path, old, new)
    with pytest.raises(InputError) as raised:
        load_scoring(path)
    message = str(raised.value)
    assert message.startswith(f"{path}:") and named in message and "\n" not in message
    (knowledge_copy / "scoring.yaml").write_text(path.read_text())
    run = cli(capsys, "--knowledge", str(knowledge_copy), "recommend")
    assert run.code == 2 and "internal error" not in run.err
    assert run.error_line


def test_a_nan_rule_threshold_is_refused(knowledge_copy):
    path = knowledge_copy / "rules" / "budget.yaml"
    text = path.read_text()
    old = "when: {all: [{fact: budget_ratio, gt: 1}]}"
    assert old in text
    path.write_text(text.replace(old, "when: {all: [{fact: budget_ratio, gt: .nan}]}", 1))
    with pytest.raises(InputError, match=r"budget\.yaml:\d+: budget\.over\.when.*gt: nan is not a finite number"):
        load_knowledge(knowledge_copy)


@pytest.mark.parametrize("constraint, message", [
    ({"budget": -5}, "--budget: budget.amount -5: Input should be greater than 0"),
    ({"budget": float("nan")}, "--budget: budget.amount nan: Input should be a finite number"),
    ({"os": ["plan9"]}, "--os: os.0 'plan9': Input should be 'linux', 'macos' or 'windows'"),
    ({"arch": ["x86_64"]}, "--arch: arch.0 'x86_64': Input should be 'amd64' or 'arm64'"),
])
def test_a_library_callers_bad_constraint_is_one_input_error_line(constraint, message):
    from advisor import api

    with pytest.raises(api.InputError) as error:
        api.recommend("learning", **constraint)
    assert str(error.value) == message
