"""go-advisor bench, calibrate, validate and results: records made here load, fits recover what made the data."""
from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advisor.bench.calibrate import Coefs, Inputs, fit, inputs_of, predicted_wall, rms_by_group, speed
from advisor.bench.protocol import PROTOCOL_VERSION, ladder
from advisor.bench.record import (
    SCHEMA,
    MachineInfo,
    Record,
    Sample,
    Software,
    Step,
    load_record,
    measured_quantities,
    record_files,
    summarise,
)
from advisor.errors import InputError

ROOT = Path(__file__).resolve().parent.parent
MEASUREMENTS = ROOT / "hardware_db" / "measurements"
HAVE_GO = subprocess.run(["sh", "-c", "command -v go"], capture_output=True).returncode == 0


def cli(*args: str, cwd: Path, path: str | None = None) -> subprocess.CompletedProcess:
    """The CLI of this tree in a subprocess (PATH replaced when given, to hide Go)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200"}
    if path is not None:
        env["PATH"] = path
    return subprocess.run([sys.executable, "-c", "from advisor.cli import main; main()", *args], cwd=cwd,
                          capture_output=True, text=True, env=env, timeout=240)


# ---------------------------------------------------------------- bench
@pytest.fixture(scope="module")
def quick_record(tmp_path_factory) -> Path:
    if not HAVE_GO:
        pytest.skip("Go is not installed")
    folder = tmp_path_factory.mktemp("bench")
    result = cli("bench", "--quick", "--record", "quick.yaml", "--format", "text", cwd=folder)
    assert result.returncode == 0, result.stderr
    assert "cold_build [GOMAXPROCS=1]" in result.stdout
    return folder / "quick.yaml"


@pytest.mark.slow
def test_bench_quick_makes_a_record_that_loads(quick_record):
    record = load_record(quick_record)
    assert record.protocol == "quick" and record.protocol_version == PROTOCOL_VERSION
    assert record.command.startswith("go-advisor bench --quick")
    assert record.software.go and record.software.go.startswith("go version")
    assert record.machine.nproc == os.cpu_count()
    cold = record.step("cold_build")
    assert {s.variant for s in cold.ok()} == {f"GOMAXPROCS={g}" for g in {1, os.cpu_count()}}
    serial = cold.ok("GOMAXPROCS=1")[0]
    assert serial.wall_s and serial.cpu_s and serial.max_rss_kib
    assert 0 < serial.values["critical_path_share"] <= 1 and serial.values["cache_bytes"] > 0
    assert record.step("lines").samples[0].values["lines"] > 1000
    assert record.step("rebuild").ok() and record.step("empty_main").ok("warm cache")
    assert record.step("race_test").skipped  # not in the quick protocol
    io = record.step("cache_io")
    assert io.ok("fsync") and io.ok("no fsync") and "GOCACHE" in io.params["sizes"]
    assert len(record.step("sustained_cpu").ok("second")) >= 4
    assert record.step("cold_build").summary["GOMAXPROCS=1"]["n"] == 1
    # the loaded record feeds validate, calibrate and results
    quantities = measured_quantities(record)
    assert quantities["target"] == "fmt" and quantities["values"]["cold_build_s"] > 0


@pytest.mark.slow
def test_bench_without_go_skips_the_go_steps_and_runs_the_rest(tmp_path):
    result = cli("bench", "--quick", "--record", "nogo.json", cwd=tmp_path, path=str(tmp_path))
    printed = cli("bench", "--quick", "--only", "cache_io", "--format", "json", cwd=tmp_path, path=str(tmp_path))
    assert json.loads(printed.stdout)["steps"]["cache_io"]["samples"]
    assert result.returncode == 0, result.stderr
    record = load_record(tmp_path / "nogo.json")
    assert record.software.go is None
    assert any("Go not found" in note for note in record.notes)
    for name in ("lines", "empty_main", "cold_build", "rebuild", "race_test"):
        assert record.step(name).skipped == "Go not found on PATH"
    assert record.step("cache_io").ok("fsync") and record.step("cache_io").note
    assert record.step("sustained_cpu").ok()
    assert "cold_build: skipped (Go not found on PATH)" in result.stdout


def test_bench_refuses_an_unknown_step(tmp_path):
    result = cli("bench", "--only", "linking", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "go-advisor: error: --only: unknown step 'linking'; steps are lines, empty_main, cold_build, rebuild, "
        "race_test, cache_io, sustained_cpu"]


def test_the_gomaxprocs_ladder_ends_at_the_cpu_count():
    assert ladder(1) == (1,) and ladder(2) == (1, 2) and ladder(6) == (1, 2, 4, 6) and ladder(8) == (1, 2, 4, 8)


# ---------------------------------------------------------------- records
def synthetic_record(coefs: Coefs, cpus: int, clock_mhz: float, lines: int, packages: int, share: float,
                     noise: float, rng: random.Random, target: str = "std") -> Record:
    """A record whose every number is the record model's prediction times (1 + noise in +-noise)."""
    def jitter(value: float) -> float:
        return value * (1 + rng.uniform(-noise, noise))

    inputs = Inputs(name="synthetic", lines=lines, packages=packages, cpus=cpus, clock_ghz=clock_mhz / 1000,
                    core_family="zen3", target=target, share=share)
    s = speed(inputs, coefs)
    assert s is not None
    work = lines / 1000 * coefs.cpu_s_per_kloc / s
    samples = []
    variants = [f"GOMAXPROCS={g}" for g in ladder(cpus)] + [f"{v} GOMAXPROCS={cpus}" for v in ("-p 1", "-c=1")]
    for variant in variants:
        for rep in (1, 2):
            values = {"cache_bytes": 1e8, "write_factor": jitter(coefs.write_factor)}
            if variant == "GOMAXPROCS=1":
                values = {"critical_path_share": jitter(share)}
            cpu = jitter(work)
            samples.append(Sample(variant=variant, rep=rep, wall_s=jitter(predicted_wall(inputs, coefs, variant,
                                                                                          work, s)),
                                  user_s=cpu * 0.85, sys_s=cpu * 0.15, max_rss_kib=200_000, values=values))
    cold = Step(params={"target": target, "gomaxprocs": list(ladder(cpus))}, samples=samples)
    rebuild = Step(samples=[Sample(variant=f"GOMAXPROCS={cpus}", rep=r, wall_s=jitter(
        packages * coefs.overhead_s_per_package / s)) for r in (1, 2, 3)])
    lines_step = Step(params={"target": target}, samples=[
        Sample(variant=target, rep=1, values={"lines": float(lines), "packages": float(packages)})])
    sustained = Step(values={"clock_mhz_loaded": clock_mhz},
                     samples=[Sample(variant="second", rep=i, wall_s=1, values={"compiles": 100.0})
                              for i in range(1, 9)])
    steps = {"lines": lines_step, "cold_build": cold, "rebuild": rebuild, "sustained_cpu": sustained}
    steps = {name: step.model_copy(update={"summary": summarise(step)}) for name, step in steps.items()}
    return Record.model_validate({
        "schema": SCHEMA, "protocol_version": PROTOCOL_VERSION, "protocol": "full", "created": "2026-12-01T00:00:00",
        "command": "synthetic", "machine": MachineInfo(id=f"synthetic-{cpus}", nproc=cpus, core_family="zen3"),
        "software": Software(python="3", advisor="test"), "steps": steps})


@pytest.fixture(scope="module")
def built_in(data) -> Coefs:
    return Coefs.of(data.knowledge)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(per_kloc=st.floats(0.05, 0.4), parallel=st.floats(0.3, 0.8), overlap=st.floats(0.2, 0.9),
       share=st.floats(0.2, 0.45), overhead=st.floats(0.0005, 0.005), factor=st.floats(1.5, 3.0),
       seed=st.integers(0, 10_000))
def test_calibration_recovers_the_coefficients_that_made_the_records(data, built_in, per_kloc, parallel, overlap,
                                                                     share, overhead, factor, seed):
    from dataclasses import replace

    truth = replace(built_in, cpu_s_per_kloc=per_kloc, backend_parallel_share=parallel, schedule_overlap=overlap,
                    critical_path_share=share, overhead_s_per_package=overhead, write_factor=factor)
    rng = random.Random(seed)
    records = [(Path(f"m{cpus}.yaml"), synthetic_record(truth, cpus, clock, 436_000, 240, share, 0.01, rng))
               for cpus, clock in ((2, 2300.0), (4, 3100.0), (8, 3500.0), (16, 2800.0))]
    result = fit(records, data.knowledge)
    after = result.after
    assert after.cpu_s_per_kloc == pytest.approx(per_kloc, rel=0.02)
    assert after.overhead_s_per_package == pytest.approx(overhead, rel=0.02)
    assert after.write_factor == pytest.approx(factor, rel=0.02)
    assert after.critical_path_share == pytest.approx(share, rel=0.02)
    assert abs(after.backend_parallel_share - parallel) <= 0.1
    assert abs(after.schedule_overlap - overlap) <= 0.15
    # the fit explains the records better than the built-in coefficients (or as well, when they were the truth)
    before, fitted = rms_by_group(result.errors_before()), rms_by_group(result.errors_after())
    assert all(fitted[group] <= before[group] + 0.01 for group in before)
    assert all(error < 0.06 for error in fitted.values())


def _real_records() -> list[Path]:
    found = record_files(MEASUREMENTS)
    assert found, "hardware_db/measurements holds this project's measured machines"
    return found


def test_calibration_lowers_the_error_on_a_real_record(data):
    for path in _real_records():
        result = fit([(path, load_record(path))], data.knowledge)
        before, after = rms_by_group(result.errors_before()), rms_by_group(result.errors_after())
        for group in ("cold_build_work_s", "go_command_overhead_s", "write_factor", "critical_path_share"):
            if group in before:
                assert after[group] <= before[group], (path.name, group)
        assert sum(e * e for e in after.values()) < sum(e * e for e in before.values()), path.name


def test_calibrate_writes_a_knowledge_folder_the_cli_accepts(tmp_path):
    record = _real_records()[0]
    result = cli("calibrate", str(record), "--output", "fitted", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "RMS relative error per metric, before -> after:" in result.stdout
    assert "go.build.cpu_seconds_per_kloc:" in result.stdout
    data = json.loads(cli("calibrate", str(record), "--format", "json", cwd=tmp_path).stdout)
    assert data["coefficients"]["go.build.cpu_seconds_per_kloc"]["fitted"] and data["rms_error"]["after"]
    shown = cli("--knowledge", "fitted", "knowledge", "show", "go.build.cpu_seconds_per_kloc", "--format", "json",
                cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    coefficient = json.loads(shown.stdout)
    assert coefficient["confidence"] == "measured"
    assert coefficient["sources"][0].startswith("bench-") and record.stem in coefficient["sources"][0]
    again = cli("calibrate", str(record), "--output", "fitted", cwd=tmp_path)
    assert again.returncode == 2 and "already exists" in again.stderr


def test_validate_prints_an_error_per_metric_for_every_built_in_record(tmp_path):
    result = cli("validate", "--format", "json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert {row["record"] for row in rows} == {p.stem for p in _real_records()}
    metrics = {row["metric"].split("[")[0] for row in rows if row["error"] is not None}
    assert {"cold_build_work_s", "cold_build_s", "go_command_overhead_s", "write_factor"} <= metrics
    table = cli("validate", cwd=tmp_path)
    assert table.returncode == 0 and "cold_build_s[GOMAXPROCS=1]" in table.stdout


def test_results_shows_the_table(tmp_path):
    result = cli("results", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    header, *rows = result.stdout.splitlines()
    assert header.split()[:3] == ["record", "machine", "CPU"] and "sustained" in header
    assert len(rows) == len(_real_records())
    markdown = cli("results", "--format", "markdown", cwd=tmp_path).stdout
    assert markdown.startswith("| record | machine | CPU |")


def test_measured_quantities_by_prediction_name():
    benched = [r for r in map(load_record, _real_records()) if r.protocol != "converted"]
    assert benched, "a record `go-advisor bench` made of a machine this project runs on"
    record = benched[0]
    named = record.model_copy(update={"machine": record.machine.model_copy(update={"db_machine": "some-laptop"})})
    quantities = measured_quantities(named)
    assert quantities["machine"] == "some-laptop"
    assert quantities["target"] and quantities["lines"] > 100_000
    values = quantities["values"]
    assert {"cold_build_s", "cold_build_work_s", "go_command_overhead_s"} <= set(values)
    assert values["cold_build_s"] == pytest.approx(
        summarise(record.step("cold_build"))[f"GOMAXPROCS={record.machine.nproc}"]["wall_s_median"], rel=1e-3)
    assert measured_quantities(record)["machine"] is None


def test_a_malformed_record_is_refused_in_one_line(tmp_path):
    record = yaml.safe_load(_real_records()[0].read_text())
    record["steps"]["cold_build"]["samples"][0]["wall_s"] = "fast"
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(record, sort_keys=False))
    with pytest.raises(InputError) as caught:
        load_record(bad)
    message = str(caught.value)
    assert "\n" not in message and message.startswith(f"{bad}:") and "wall_s" in message
    result = cli("results", str(bad), cwd=tmp_path)
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1 and "wall_s" in result.stderr
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text("schema: something else\n")
    assert "schema" in cli("validate", str(wrong), cwd=tmp_path).stderr


def test_inputs_of_a_record_without_go_measure_nothing_of_the_build_model():
    record = Record.model_validate({
        "schema": SCHEMA, "protocol_version": PROTOCOL_VERSION, "protocol": "quick", "created": "2026-12-01",
        "command": "x", "machine": {"id": "m", "nproc": 2}, "software": {"python": "3", "advisor": "0"},
        "steps": {"cold_build": {"skipped": "Go not found on PATH"}}})
    inputs = inputs_of("m", record)
    assert inputs.walls == {} and inputs.work_cpu_s is None and inputs.lines == 0


def test_db_check_reads_the_measurements_folder(db_copy, data):
    from advisor.dbcheck import check

    assert not [p for p in check(db_copy, data.knowledge).errors if "measurements" in str(p.path)]
    (db_copy / "measurements" / "broken.yaml").write_text("schema: go-laptop-advisor measured record\n")
    errors = [str(p) for p in check(db_copy, data.knowledge).errors]
    assert len(errors) == 1 and errors[0].startswith(str(db_copy / "measurements" / "broken.yaml"))


def test_bench_refuses_a_machine_the_database_does_not_have(tmp_path):
    result = cli("bench", "--quick", "--db-machine", "no-such-laptop", cwd=tmp_path)
    assert result.returncode == 2
    assert "--db-machine 'no-such-laptop': no such machine" in result.stderr


def test_results_and_validate_never_write_over_a_record_they_read(tmp_path):
    record = tmp_path / "mine.yaml"
    record.write_bytes((ROOT / "hardware_db" / "measurements" / "dev-vm-xeon-kvm-2vcpu-go1.19.yaml").read_bytes())
    before = record.read_bytes()
    for command in ("results", "validate"):
        done = cli(command, str(record), "-o", str(record), cwd=tmp_path)
        assert done.returncode == 2 and "is an input of this run" in done.stderr, done.stderr
        assert len(done.stderr.strip().splitlines()) == 1
    assert record.read_bytes() == before
