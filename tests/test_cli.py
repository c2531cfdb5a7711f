"""The installed CLI, run in a subprocess from another directory, as a user would."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from advisor.clidoc import reference

ROOT = Path(__file__).resolve().parent.parent


def _executable() -> list[str]:
    installed = Path(sys.executable).parent / "go-advisor"
    if installed.exists():
        return [str(installed)]
    found = shutil.which("go-advisor")
    return [found] if found else [sys.executable, "-m", "advisor.cli"]


def run(*args: str, cwd: Path, **extra_env: str) -> subprocess.CompletedProcess:
    # PYTHONPATH: the code of this tree, not whichever checkout the editable install points at.
    env = {**os.environ, "COLUMNS": "100", "PYTHONPATH": str(ROOT), **extra_env}
    return subprocess.run([*_executable(), *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=300)


def test_recommend_json_is_byte_identical_and_complete(tmp_path):
    first = run("recommend", "--profile", "microservice", "--format", "json", cwd=tmp_path)
    second = run("recommend", "--profile", "microservice", "--format", "json", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout
    document = json.loads(first.stdout)
    assert len(document["ranked"]) >= 12
    for entry in document["ranked"]:
        assert 0 <= entry["total"] <= 100
        assert set(entry["criteria"]) >= {"build", "memory", "storage", "thermals", "platform", "os", "budget"}
        assert entry["metrics"]["cold_build_s"]["value"] > 0
        assert entry["metrics"]["cold_build_s"]["confidence"] in ("documented", "measured", "estimate")
        for finding in entry["findings"]:
            assert finding["sources"] and finding["confidence"]
    totals = [entry["total"] for entry in document["ranked"]]
    assert totals == sorted(totals, reverse=True)
    cited = {s for entry in document["ranked"] for f in entry["findings"] for s in f["sources"]}
    assert cited <= set(document["sources"])


def test_explain_top_machine_shows_where_numbers_come_from(tmp_path):
    ranked = json.loads(run("recommend", "--format", "json", "--top", "1", cwd=tmp_path).stdout)["ranked"]
    result = run("explain", ranked[0]["id"], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert "## Predictions" in text and "go.build.cpu_seconds_per_kloc" in text
    assert "advisor-measurements-go119-build-std" in text
    assert re.search(r"cpu\.boost_clock_ghz = \*\*[\d.]+\*\* — (documented|estimate|measured), source `", text)


def test_broken_database_gives_exit_2_and_one_line(tmp_path):
    db = tmp_path / "db"
    shutil.copytree(ROOT / "hardware_db", db)
    broken = db / "machines" / "apple.yaml"
    broken.write_text(broken.read_text().replace("machines:", "machines: [", 1))
    result = run("--db", str(db), "recommend", cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and str(broken) in lines[0]
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_debug_shows_the_traceback(tmp_path):
    db = tmp_path / "db"
    shutil.copytree(ROOT / "hardware_db", db)
    (db / "machines" / "apple.yaml").write_text("machines: [\n")
    result = run("--debug", "--db", str(db), "recommend", cwd=tmp_path)
    assert result.returncode != 0 and "Traceback" in result.stderr


@pytest.mark.parametrize("args, needle", [
    (("recommend", "--weight", "speed=3"), "--weight"),
    (("recommend", "--evidence", "rumour"), "--evidence"),
    (("recommend", "--profile", "no-such-preset"), "no-such-preset"),
    (("explain", "no-such-machine"), "no-such-machine"),
    (("recommend", "--format", "pdf"), "--format"),
])
def test_bad_input_is_one_clear_line_with_exit_2(tmp_path, args, needle):
    result = run(*args, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert needle in result.stderr and result.stderr.count("\n") == 1


def test_output_file_is_written_whole(tmp_path):
    target = tmp_path / "rec.csv"
    result = run("recommend", "--format", "csv", "-o", str(target), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert target.read_text().startswith("rank,id,machine")
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_output_into_missing_folder_fails_cleanly(tmp_path):
    result = run("recommend", "-o", str(tmp_path / "missing" / "x.json"), cwd=tmp_path)
    assert result.returncode == 2 and "does not exist" in result.stderr


def test_table_fits_100_columns(tmp_path):
    result = run("recommend", "--top", "5", cwd=tmp_path)
    assert result.returncode == 0
    assert max(len(line) for line in result.stdout.splitlines()) <= 100


def test_db_check_passes_on_builtin_data(tmp_path):
    result = run("db", "check", cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-2000:]
    assert "no errors" in result.stdout


def test_listings_take_json(tmp_path):
    for args in (("db", "list"), ("profile", "list"), ("knowledge", "list")):
        result = run(*args, "--format", "json", cwd=tmp_path)
        assert result.returncode == 0 and json.loads(result.stdout), args
    shown = json.loads(run("knowledge", "show", "go.race.time_factor", "--format", "json", cwd=tmp_path).stdout)
    assert shown["confidence"] == "measured" and "go-race-detector-doc" in shown["cited_sources"]
    assert "advisor-measurements-xeon-2vcpu-go119-test" in shown["cited_sources"]


def test_readme_command_reference_matches_the_cli():
    readme = (ROOT / "README.md").read_text()
    block = readme.split("<!-- commands:start -->\n", 1)[1].split("<!-- commands:end -->", 1)[0]
    assert block == reference(), "README command reference is stale: run python -m advisor.clidoc"


@pytest.mark.parametrize("args, needle", [
    (("recommend", "--os", "plan9"), "'plan9' is not one of linux, macos, windows"),
    (("recommend", "--arch", "x86"), "'x86' is not one of amd64, arm64"),
    (("recommend", "--currency", "XYZ"), "'XYZ' is not one of USD, EUR, GBP, CNY, INR, JPY"),
    (("explain", "any-machine", "--format", "csv"), "'csv' is not one of markdown, json"),
    (("db", "list", "--kind", "disks"), "'disks' is not one of machines, cpus, ssds"),
    (("knowledge", "list", "--kind", "laws"), "'laws' is not one of all, coefficients, rules, sources"),
    (("--templates", "no-such-folder", "recommend"), "no-such-folder"),
])
def test_a_bad_choice_is_refused_before_anything_runs(tmp_path, args, needle):
    result = run(*args, cwd=tmp_path)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and needle in result.stderr, result.stderr


def test_choices_are_case_insensitive_and_listed_in_help(tmp_path):
    result = run("recommend", "--os", "LINUX", "--arch", "Arm64", "--currency", "eur", "--format", "JSON",
                 "--evidence", "Measured", "--top", "1", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["profile"]["os"] == ["linux"] and document["profile"]["arch"] == ["arm64"]
    assert document["evidence"] == "measured"
    shown = run("recommend", "--help", cwd=tmp_path, COLUMNS="200").stdout
    for metavar in ("<table|markdown|json|csv>", "<linux|macos|windows>", "<amd64|arm64>",
                    "<USD|EUR|GBP|CNY|INR|JPY>", "<us|eu|uk|cn|in|jp>",
                    "<documented|measured|estimate|seed-claim>"):
        assert metavar in shown


def test_a_bad_rules_backend_variable_exits_2(tmp_path):
    result = run("profile", "list", cwd=tmp_path, GO_ADVISOR_RULES_BACKEND="fastest")
    assert result.returncode == 2 and result.stderr.count("\n") == 1
    assert "GO_ADVISOR_RULES_BACKEND: 'fastest' is not one of auto, durable, builtin" in result.stderr


def _templates(tmp_path: Path, text: str) -> Path:
    folder = tmp_path / "mytemplates"
    folder.mkdir()
    (folder / "recommendation.md.j2").write_text(text)
    return folder


def test_a_template_cannot_run_commands(tmp_path):
    folder = _templates(tmp_path, "{{ cycler.__init__.__globals__.os.popen('id').read() }}\n")
    result = run("--templates", str(folder), "recommend", "--format", "markdown", cwd=tmp_path)
    assert result.returncode == 2 and result.stdout == "" and "uid=" not in result.stderr
    assert result.stderr.count("\n") == 1 and "recommendation.md.j2:1: template security error" in result.stderr


def test_a_runaway_template_loop_fails_fast(tmp_path):
    folder = _templates(tmp_path, "{% for x in range(10**9) %}{{ x }}{% endfor %}")
    result = run("--templates", str(folder), "recommend", "--format", "markdown", cwd=tmp_path)
    assert result.returncode == 2 and "at most 10,000" in result.stderr and result.stdout == ""


def test_an_override_extends_the_builtin_template(tmp_path):
    folder = _templates(tmp_path, '{% extends "default:recommendation.md.j2" %}'
                                  '{% block header %}# My shortlist\n\n{% endblock %}')
    mine = run("--templates", str(folder), "recommend", "--format", "markdown", "--top", "2", cwd=tmp_path)
    builtin = run("recommend", "--format", "markdown", "--top", "2", cwd=tmp_path)
    assert mine.returncode == 0, mine.stderr
    assert mine.stdout.startswith("# My shortlist\n\n## Verdict\n")
    assert mine.stdout[mine.stdout.index("| # |"):] == builtin.stdout[builtin.stdout.index("| # |"):]


RECORD = "hardware_db/measurements/dev-vm-xeon-kvm-2vcpu-go1.19.yaml"


@pytest.mark.parametrize("command", [["results", "--help"], ["score-sheet", "--help"], ["guide", "--help"],
                                     ["--db", "hardware_db", "results", RECORD]])
def test_python_dash_m_runs_the_commands_other_modules_register(command):
    """`python -m advisor.cli` ran a __main__ twin whose root options the bench commands could not find
    ("no root options in the click context")."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "advisor.cli", *command], cwd=ROOT, capture_output=True, text=True,
                          env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "internal error" not in done.stderr
