"""A bench record naming a database machine sets that machine's core speed in recommend and explain: the
measured figure takes precedence over the IPC estimate, and says where it came from."""
from __future__ import annotations

import pytest
from conftest import edit_first
from test_cli import run

from advisor import api

RECORD = "dev-vm-xeon-kvm-2vcpu-go1.19.yaml"
MACHINE = "framework-laptop-13-amd-7040"


@pytest.fixture
def measured_db(db_copy):
    """A database copy whose full bench record names MACHINE (as if it had been measured on it)."""
    (db_copy / "measurements" / "dev-vm-xeon-kvm-2vcpu-build-scaling.yaml").unlink()
    edit_first(db_copy / "measurements" / RECORD, r"(?m)^  id: dev-vm-xeon-kvm-2vcpu$",
               f"  id: dev-vm-xeon-kvm-2vcpu\n  db_machine: {MACHINE}")
    return db_copy


def test_a_record_naming_a_machine_sets_its_core_speed_from_the_measurement(measured_db):
    data, plain = api.load(measured_db), api.load()
    measured = data.catalog.measured[MACHINE]
    assert measured.confidence == "measured" and measured.source == f"bench-record:{RECORD}"
    # the record: 59.3305 CPU s for a cold single-core build of std's 436,140 lines
    assert measured.value == pytest.approx(59.3305 / 436.140, abs=1e-5)
    score, before = api.score(MACHINE, "microservice", data=data), api.score(MACHINE, "microservice", data=plain)
    speed = score.metrics.quantities["single_core_speed"]
    reference = data.knowledge.coefficient("go.build.cpu_seconds_per_kloc").value
    assert speed.value == pytest.approx(reference / measured.value)
    assert speed.confidence == "measured" and "bench record" in speed.formula
    assert {i.name for i in speed.inputs} == {"go.build.cpu_seconds_per_kloc", "measured.cpu_seconds_per_kloc"}
    # the cores' worth stays the model's: throughput scales with the measured core
    ratio = speed.value / before.metrics.quantities["single_core_speed"].value
    assert score.metrics.value("allcore_throughput") == pytest.approx(
        before.metrics.value("allcore_throughput") * ratio)
    assert score.metrics.value("cold_build_work_s") == pytest.approx(before.metrics.value("cold_build_work_s") / ratio)
    # other machines are untouched
    other = "apple-macbook-air-13-m2-2022"
    assert api.score(other, "microservice", data=data).total == api.score(other, "microservice", data=plain).total


def test_explain_names_the_record_a_measured_speed_came_from(measured_db):
    result = run("--db", str(measured_db), "explain", MACHINE, cwd=measured_db.parent)
    assert result.returncode == 0, result.stderr
    assert f"measured.cpu_seconds_per_kloc = **0.13604** — measured, source `bench-record:{RECORD}`" in result.stdout


def test_a_record_naming_an_unknown_machine_is_one_line_and_exit_2(measured_db):
    edit_first(measured_db / "measurements" / RECORD, f"db_machine: {MACHINE}", "db_machine: no-such-laptop")
    for args in (("recommend",), ("db", "check")):
        result = run("--db", str(measured_db), *args, cwd=measured_db.parent)
        assert result.returncode == 2 if args == ("recommend",) else result.returncode != 0
        assert "machine.db_machine: 'no-such-laptop' is not a machine" in result.stdout + result.stderr


def test_the_built_in_records_name_no_database_machine():
    assert api.load().catalog.measured == {}
