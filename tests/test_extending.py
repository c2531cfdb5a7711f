"""Extending the product is mostly data: a criterion is declared in scoring.yaml alone, users prove their
own rules with `knowledge test`, and `knowledge facts` lists the vocabulary both may use."""
from __future__ import annotations

from pathlib import Path

from conftest import edit_first
from test_cli import run

from advisor import api
from advisor.render import RENDERERS

CONNECTIVITY = '''  connectivity:
    short: conn
    description: Thunderbolt or USB4 ports for docks and fast external drives.
    terms:
      - fact: machine.thunderbolt_usb4_ports
        label: Thunderbolt/USB4 ports
        curve: {points: [[0, 0], [2, 100]]}
'''


def _with_connectivity(knowledge: Path) -> None:
    edit_first(knowledge / "scoring.yaml", r"\ndefault_weights:\n", "\n" + CONNECTIVITY + "\ndefault_weights:\n")
    edit_first(knowledge / "scoring.yaml", r"  portability: 1\n", "  portability: 1\n  connectivity: 2\n")


def test_a_criterion_declared_in_scoring_yaml_alone_is_scored_and_shown_everywhere(knowledge_copy):
    _with_connectivity(knowledge_copy)
    data = api.load(knowledge=knowledge_copy)
    rec = api.recommend("microservice", data=data)
    best = rec.ranked[0]
    connectivity = next(c for c in best.criteria if c.criterion == "connectivity")
    assert connectivity.weight == 2 and connectivity.score is not None
    assert connectivity.inputs[0].name == "machine.thunderbolt_usb4_ports"
    assert " conn " in RENDERERS["table"].recommendation(rec, 3)
    assert "connectivity" in RENDERERS["csv"].recommendation(rec, 3).splitlines()[0]
    assert "| connectivity |" in RENDERERS["markdown"].recommendation(rec, 3)
    assert '"connectivity"' in RENDERERS["json"].recommendation(rec, 3)
    assert api.recommend("microservice", data=data, weights={"connectivity": 5}).weights["connectivity"] == 5


def test_a_rule_may_adjust_a_new_criterion(knowledge_copy):
    _with_connectivity(knowledge_copy)
    edit_first(knowledge_copy / "rules" / "portability.yaml", r"criterion: portability", "criterion: connectivity")
    assert any(rule.criterion == "connectivity" for rule in api.load(knowledge=knowledge_copy).knowledge.rules)


def test_knowledge_test_passes_on_the_built_in_rules_and_names_a_wrong_example(knowledge_copy, tmp_path):
    ok = run("knowledge", "test", cwd=tmp_path)
    assert ok.returncode == 0 and "rule examples pass" in ok.stdout
    # memory.soldered-small fires on soldered memory under 16 GB: an added example claims 32 GB fires too
    edit_first(knowledge_copy / "rules" / "memory.yaml",
               r"      - \{fires: false, facts: \{ram.soldered: false, ram.gb: 8\}\}\n",
               "      - {fires: false, facts: {ram.soldered: false, ram.gb: 8}}\n"
               "      - {fires: true, facts: {ram.soldered: true, ram.gb: 32}}\n")
    failed = run("--knowledge", str(knowledge_copy), "knowledge", "test", cwd=tmp_path)
    assert failed.returncode == 1
    assert "memory.yaml:" in failed.stdout and "memory.soldered-small: case 4" in failed.stdout
    assert "expected fires, was silent" in failed.stdout


def test_knowledge_facts_lists_the_registry_with_what_reads_each_fact(tmp_path):
    listed = run("knowledge", "facts", cwd=tmp_path)
    assert listed.returncode == 0
    line = next(line for line in listed.stdout.splitlines() if line.startswith("daily_wait_min "))
    assert "prediction" in line and "build" in line and "[min/day]" in line


def test_db_check_exits_2_when_the_database_has_errors(db_copy, tmp_path):
    edit_first(db_copy / "cpus" / "apple.yaml", r"\n  boost_clock_ghz:\n    value: 3.2\n",
               "\n  boost_clock_ghz:\n    value: 9.2\n")
    result = run("--db", str(db_copy), "db", "check", cwd=tmp_path)
    assert result.returncode == 2 and "error(s)" in result.stdout
