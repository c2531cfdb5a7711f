"""`db check` catches each kind of inconsistent record, and passes on the built-in database."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import edit_first as _edit

from advisor import api
from advisor.dbcheck import check, strong_share

ROOT = Path(__file__).resolve().parent.parent
KNOWLEDGE = api.load_knowledge_only(ROOT / "knowledge")


def _errors(db: Path) -> list[str]:
    return [str(problem) for problem in check(db, KNOWLEDGE).errors]


def test_builtin_database_has_no_errors():
    report = check(ROOT / "hardware_db", KNOWLEDGE)
    assert report.errors == []
    assert report.counts["machines"] >= 12 and report.counts["cpus"] >= 40
    assert 0 < strong_share(report) <= 1


def test_bandwidth_that_does_not_match_the_memory_bus(db_copy):
    _edit(db_copy / "cpus" / "intel.yaml", r"memory_bandwidth_gbs:\n    value: [\d.]+",
          "memory_bandwidth_gbs:\n    value: 999.0")
    assert any("memory_bandwidth_gbs" in e and "does not match" in e for e in _errors(db_copy))


def test_configuration_ram_above_the_cpu_maximum(db_copy):
    # Lower the CPU's limit rather than raise a configuration's RAM: a configuration above the
    # machine's own ram.max_gb is a schema error, which would pass this test for the wrong reason.
    _edit(db_copy / "cpus" / "apple.yaml", r"(id: apple-m1\n(?:.*\n)*?  max_memory_gb:\n    value: )16",
          r"\g<1>4")
    errors = _errors(db_copy)
    assert any(".ram_gb: " in e and "exceeds apple-m1's maximum 4 GB" in e for e in errors)
    assert any(".ram.max_gb: " in e and "exceeds what any of its CPUs supports (4 GB)" in e for e in errors)


def test_capacity_without_tbw(db_copy):
    path = db_copy / "ssds" / "client-and-datacentre.yaml"
    text = path.read_text()
    text, count = re.subn(r"\n    tbw: [\d.]+\n", "\n", text, count=1)
    if count == 0:
        text, count = re.subn(r"\n    tbw:\n      value: [\d.]+\n(      [a-z]+: .*\n)*", "\n", text, count=1)
    assert count == 1
    path.write_text(text)
    assert any(e.endswith("a capacity without rated TBW (write an estimate with its derivation)")
               for e in _errors(db_copy))


def test_arm64_cpu_in_an_x86_machine(db_copy):
    _edit(db_copy / "machines" / "dell.yaml", r"  cpu_options:\n  - intel-core-i5-1135g7",
          "  cpu_options:\n  - qualcomm-snapdragon-x-elite-x1e-80-100\n  - intel-core-i5-1135g7")
    assert any("mixes architectures" in e for e in _errors(db_copy))


def test_duplicate_model_names(db_copy):
    path = db_copy / "machines" / "dell.yaml"
    text = path.read_text()
    names = re.findall(r"\n  name: (.+)\n", text)
    _edit(path, rf"\n  name: {re.escape(names[1])}\n", f"\n  name: {names[0]}\n")
    assert any("duplicate model" in e for e in _errors(db_copy))


def test_source_ids_that_do_not_resolve(db_copy):
    _edit(db_copy / "ssds" / "client-and-datacentre.yaml", r"\n  source: [a-z0-9.+-]+\n", "\n  source: nowhere-page\n")
    assert any("nowhere-page" in e and "not in knowledge/sources.yaml" in e for e in _errors(db_copy))


def test_boost_below_base_is_reported_with_file_and_line(db_copy):
    path = db_copy / "cpus" / "intel.yaml"
    _edit(path, r"base_clock_ghz:\n    value: [\d.]+", "base_clock_ghz:\n    value: 6.9")
    errors = _errors(db_copy)
    assert any(e.startswith(f"{path}:") and "below base" in e for e in errors)


@pytest.mark.parametrize("filters, check_row", [
    ({"vendor": "apple"}, lambda r: r["vendor"] == "Apple"),
    ({"arch": "arm64"}, lambda r: "arm64" in r["arch"]),
    ({"min_ram": 64}, lambda r: r["max_ram_gb"] >= 64),
    ({"max_price": 1300}, lambda r: r["from_usd"] is not None and r["from_usd"] <= 1300),
    ({"year": 2024}, lambda r: r["year"] == 2024),
    ({"os_name": "linux"}, lambda r: r["linux"] in ("certified", "works")),
])
def test_db_list_filters(data, filters, check_row):
    from advisor.dbview import list_rows

    rows = list_rows(data.catalog, "machines", **filters)
    assert rows and all(check_row(r) for r in rows)
    assert len(rows) < len(data.catalog.machines)


def test_documented_value_resting_on_an_aggregator_alone(db_copy, knowledge_copy):
    # pgrid.app is a machine-written spec aggregator: a value it alone supports may only be an estimate
    _edit(db_copy / "ssds" / "client-and-datacentre.yaml", r"(  source: pgrid-crucial-p3-1tb\n  confidence: )estimate",
          r"\g<1>documented")
    errors = [str(p) for p in check(db_copy, api.load_knowledge_only(knowledge_copy)).errors]
    expected = "crucial-p3.nand: documented on the strength of aggregator source 'pgrid-crucial-p3-1tb'"
    assert any(expected in e for e in errors)


def test_every_hardware_field_the_model_reads_is_a_registered_model_input():
    """The registry's model_input flags match what predict really reads, so db check's list cannot drift."""
    from advisor.facts import FACTS, HARDWARE_ORIGINS
    from advisor.predict import predict
    from advisor.types import Sourced, accepted_levels

    data = api.load(ROOT / "hardware_db", ROOT / "knowledge")
    read: set[str] = set()
    configs = data.catalog.machine_configs()
    # one configuration as if a bench record had measured it, so the measured-speed path is read too
    measured = Sourced[float](value=0.12, source="bench-record:test.yaml", confidence="measured", note="test")
    configs.append(configs[0].model_copy(update={"measured_cpu_s_per_kloc": measured}))
    for mc in configs:
        for preset in data.knowledge.presets.values():
            metrics = predict(mc, preset, data.knowledge, accepted_levels("seed-claim"))
            read |= {i.name for q in metrics.quantities.values() for i in q.inputs
                     if i.confidence is not None and i.source != "model" and i.name.split("[")[0] not in
                     data.knowledge.coefficients}
    flagged = {name for name, spec in FACTS.items() if spec.model_input}
    assert read == flagged
    assert all(FACTS[name].origin in HARDWARE_ORIGINS for name in read)


def test_db_check_counts_exactly_the_hardware_facts_scores_read():
    from advisor.catalog import read_records
    from advisor.dbcheck import scoring_fields
    from advisor.facts import facts_read_by_scores

    knowledge = api.load_knowledge_only(ROOT / "knowledge")
    records, _, _ = read_records(ROOT / "hardware_db")
    counted = {field for (_, _, field) in scoring_fields(records, knowledge)}
    read = set(facts_read_by_scores(knowledge))
    # given facts (ids, the configuration's RAM and storage) carry no evidence to count
    assert counted <= read
    for name in ("cpu.threads", "cpu.boost_clock_ghz", "weight_kg", "battery_wh", "ssd.tbw", "ssd.id",
                 "ram.soldered", "os.linux", "cooling.design", "price.recorded"):
        assert name in counted, name
    assert "ram.gb" not in counted and "machine.id" not in counted


def test_no_migrated_placeholder_is_left_in_the_database():
    # the issue-11 migration marked every old price "kind: street" with this comment until a curator decided it
    leftovers = [f"{path.name}:{number}" for path in sorted((ROOT / "hardware_db").rglob("*.yaml"))
                 for number, line in enumerate(path.read_text().splitlines(), 1) if "kind migrated as street" in line]
    assert not leftovers, leftovers
