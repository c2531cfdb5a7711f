"""Loaders reject each kind of bad input with one line naming file, line and field."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import edit_first

from advisor.catalog import load_catalog
from advisor.errors import InputError
from advisor.knowledge import load_knowledge

ROOT = Path(__file__).resolve().parent.parent


def _sources() -> set[str]:
    return set(load_knowledge(ROOT / "knowledge").sources)


def _error(db: Path) -> str:
    with pytest.raises(InputError) as caught:
        load_catalog(db, _sources())
    message = str(caught.value)
    assert "\n" not in message
    return message


def _replace(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text()
    assert old in text, f"fixture text {old!r} not in {path}"
    path.write_text(text.replace(old, new, count))


def _line_of(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if needle in line:
            return number
    raise AssertionError(needle)


def test_builtin_database_loads(data):
    assert len(data.catalog.machines) >= 12
    assert len(data.catalog.cpus) >= 40


def test_broken_yaml_names_file_and_line(db_copy):
    target = db_copy / "machines" / "dell.yaml"
    target.write_text(target.read_text() + "\n  - id: [unclosed\n")
    message = _error(db_copy)
    assert message.startswith(f"{target}:")
    assert "invalid YAML" in message
    assert re.match(rf"{re.escape(str(target))}:\d+:", message)


def test_unknown_field_is_rejected_with_its_line(db_copy):
    target = db_copy / "machines" / "dell.yaml"
    _replace(target, "  family: XPS\n", "  family: XPS\n  colour: silver\n")
    message = _error(db_copy)
    assert f"{target}:{_line_of(target, 'colour: silver')}:" in message
    assert "colour" in message and "unknown field" in message


def test_wrong_type_is_rejected(db_copy):
    target = db_copy / "cpus" / "intel.yaml"
    edit_first(target, r"\n  threads: \d+\n", "\n  threads: many\n")
    message = _error(db_copy)
    assert f"{target}:{_line_of(target, 'threads: many')}:" in message
    assert ".threads" in message


def test_negative_ram_is_impossible(db_copy):
    target = db_copy / "machines" / "dell.yaml"
    edit_first(target, r"\n    ram_gb: \d+\n", "\n    ram_gb: -16\n")
    message = _error(db_copy)
    assert "ram_gb" in message and f"{target}:{_line_of(target, 'ram_gb: -16')}:" in message


def test_boost_below_base_is_impossible(db_copy):
    target = db_copy / "cpus" / "test-bad.yaml"
    target.write_text("""cpus:
- id: bad-cpu
  name: Bad CPU
  vendor: Intel
  arch: amd64
  microarchitecture: Test
  core_families: {performance: golden-cove}
  launch_year: 2022
  source: advisor-estimates
  confidence: estimate
  performance_cores: 4
  efficiency_cores: 0
  threads: 8
  base_clock_ghz: 3.0
  boost_clock_ghz: 2.0
  memory_types: [DDR5-4800]
  memory_bus_width_bits: 128
  max_memory_transfer_mts: 4800
  memory_bandwidth_gbs: 76.8
""")
    message = _error(db_copy)
    assert message.startswith(f"{target}:")
    assert "boost_clock_ghz" in message and "below base" in message
    assert f":{_line_of(target, 'boost_clock_ghz')}:" in message


def test_duplicate_ids_are_rejected(db_copy):
    source = db_copy / "ssds" / "client-and-datacentre.yaml"
    text = source.read_text()
    first = text.split("\n- id: ")[1]
    (db_copy / "ssds" / "zz-duplicate.yaml").write_text("ssds:\n- id: " + first.rstrip() + "\n")
    message = _error(db_copy)
    assert "duplicate ssd id" in message and "zz-duplicate.yaml" in message


def test_dangling_cpu_reference_is_rejected(db_copy):
    target = db_copy / "machines" / "dell.yaml"
    _replace(target, "  - intel-core-i7-1280p\n", "  - intel-core-i7-9999x\n")
    message = _error(db_copy)
    assert "unknown CPU 'intel-core-i7-9999x'" in message and str(target) in message


def test_unknown_source_is_rejected(db_copy):
    target = db_copy / "machines" / "dell.yaml"
    edit_first(target, r"\n  source: [a-z0-9.+-]+\n", "\n  source: no-such-source\n")
    message = _error(db_copy)
    assert "no-such-source" in message and "not in knowledge/sources.yaml" in message


def _knowledge_error(knowledge: Path, rule_file: str, old: str, new: str) -> str:
    target = knowledge / "rules" / rule_file
    _replace(target, old, new)
    with pytest.raises(InputError) as caught:
        load_knowledge(knowledge)
    message = str(caught.value)
    assert str(target) in message and "\n" not in message
    return message


def test_unknown_fact_in_rule_is_rejected(knowledge_copy):
    message = _knowledge_error(knowledge_copy, "memory.yaml", "{fact: memory_headroom_gb, lt: 0}",
                               "{fact: memory_headroom_tb, lt: 0}")
    assert "unknown fact 'memory_headroom_tb'" in message


def test_unknown_operator_in_rule_is_rejected(knowledge_copy):
    message = _knowledge_error(knowledge_copy, "memory.yaml", "{fact: memory_headroom_gb, lt: 0}",
                               "{fact: memory_headroom_gb, below: 0}")
    assert "below" in message


def test_unknown_coefficient_in_rule_is_rejected(knowledge_copy):
    message = _knowledge_error(knowledge_copy, "storage.yaml", "uses: [storage.os_and_apps_gb,",
                               "uses: [storage.no_such_coefficient,")
    assert "unknown coefficient 'storage.no_such_coefficient'" in message


def test_cross_type_comparison_in_rule_is_rejected(knowledge_copy):
    # durable_rules coerces 8 < "9" silently; the loader refuses such a rule instead.
    message = _knowledge_error(knowledge_copy, "memory.yaml", "{fact: ram.gb, lt: 16}", "{fact: ram.gb, lt: '16'}")
    assert "ram.gb" in message


def test_loading_never_modifies_inputs(db_copy):
    before = {p: p.read_bytes() for p in db_copy.rglob("*.yaml")}
    load_catalog(db_copy, _sources())
    assert {p: p.read_bytes() for p in db_copy.rglob("*.yaml")} == before
