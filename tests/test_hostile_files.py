"""Hostile files: FIFOs, devices, symlinks out of the tree, huge files and YAML alias bombs never hang or blow up
the scan or the loaders; `profile scan --use-go` never edits the module."""
from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest
from test_hostile_cli import cli

from advisor.errors import InputError
from advisor.knowledge import load_knowledge, load_profile_file
from advisor.reading import UnsafeFile, read_regular
from advisor.scan import tree as scan_tree
from advisor.scan.measure import scan
from advisor.yamlio import load_yaml

ROOT = Path(__file__).resolve().parent.parent


def _module(folder: Path, extra_go_mod: str = "", main: str = "package main\n\nfunc main() {}\n") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "go.mod").write_text("module example.com/m\n\ngo 1.22\n" + extra_go_mod)
    (folder / "main.go").write_text(main)
    return folder


def _timed_scan(folder: Path):
    started = time.monotonic()
    measured = scan(folder)
    assert time.monotonic() - started < 20
    return measured


IMPORTS_DEP = 'package main\n\nimport _ "example.com/dep"\n\nfunc main() {}\n'


@pytest.mark.parametrize("where", ["Makefile", ".github/workflows/ci.yml", "docker-compose.yml", "pkg/a.go"])
def test_a_fifo_in_the_tree_is_skipped_with_a_warning(tmp_path, where):
    root = _module(tmp_path / "m")
    (root / where).parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(root / where)
    measured = _timed_scan(root)
    assert any(where in w and "FIFO" in w for w in measured.tree.warnings + measured.setup.warnings)
    assert measured.own_lines == 3


def test_a_fifo_in_vendor_is_skipped(tmp_path):
    root = _module(tmp_path / "m", "require example.com/dep v1.0.0\n", IMPORTS_DEP)
    (root / "vendor/example.com/dep").mkdir(parents=True)
    (root / "vendor/modules.txt").write_text("# example.com/dep v1.0.0\n## explicit\nexample.com/dep\n")
    os.mkfifo(root / "vendor/example.com/dep/dep.go")
    measured = _timed_scan(root)
    assert any("dep.go" in w and "FIFO" in w for w in measured.tree.warnings)


def test_a_fifo_in_a_replaced_module_is_skipped(tmp_path):
    root = _module(tmp_path / "m", "require example.com/dep v1.0.0\nreplace example.com/dep => ../dep\n", IMPORTS_DEP)
    (tmp_path / "dep").mkdir()
    (tmp_path / "dep/go.mod").write_text("module example.com/dep\n")
    os.mkfifo(tmp_path / "dep/dep.go")
    (tmp_path / "dep/real.go").write_text("package dep\n\nvar X = 1\n")
    measured = _timed_scan(root)
    assert measured.closure.third_party == {"example.com/dep": 3}


def test_a_dockerfile_symlinked_to_dev_zero_is_not_read(tmp_path):
    root = _module(tmp_path / "m")
    (root / "Dockerfile").symlink_to("/dev/zero")
    measured = _timed_scan(root)
    assert any("Dockerfile" in w for w in measured.setup.warnings)


def test_a_file_symlink_leaving_the_tree_is_not_read(tmp_path):
    outside = tmp_path / "secret.go"
    outside.write_text("package main\n" + "// secret\n" * 100)
    root = _module(tmp_path / "m")
    (root / "evil.go").symlink_to(outside)
    (root / "Makefile").symlink_to(outside)
    inside = root / "sub"
    inside.mkdir()
    (inside / "real.go").write_text("package sub\n\nvar Y = 2\n")
    (root / "alias.go").symlink_to(inside / "real.go")  # inside the tree: read
    measured = _timed_scan(root)
    assert measured.own_lines == 3 + 3 + 3
    warned = " ".join(measured.tree.warnings + measured.setup.warnings)
    assert "evil.go" in warned and "Makefile" in warned and "outside the folder read" in warned
    assert outside not in measured.inputs


def test_a_go_file_over_the_size_limit_is_skipped(tmp_path, monkeypatch):
    monkeypatch.setattr(scan_tree, "GO_FILE_LIMIT", 1000)
    root = _module(tmp_path / "m")
    (root / "big.go").write_text("package main\n" + "var x = 1\n" * 200)
    measured = _timed_scan(root)
    assert measured.own_lines == 3
    assert any("big.go" in w and "limit" in w for w in measured.tree.warnings)


def test_read_regular_refuses_devices_fifos_folders_and_big_files(tmp_path):
    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "big").write_bytes(b"x" * 101)
    for path, word in ((Path("/dev/zero"), "device"), (tmp_path / "fifo", "FIFO"), (tmp_path, "folder"),
                       (tmp_path / "big", "limit")):
        with pytest.raises(UnsafeFile, match=word):
            read_regular(path, limit=100)
    assert read_regular(tmp_path / "big", limit=101) == b"x" * 101


def test_scan_go_mod_symlinked_to_a_device_is_one_line(tmp_path, capsys):
    root = tmp_path / "m"
    root.mkdir()
    (root / "go.work").symlink_to("/dev/zero")
    run = cli(capsys, "profile", "scan", str(root), "-q")
    assert run.code == 2 and "go.work" in run.error_line


BOMB = """
  - &a ["x","x","x","x","x","x","x","x","x"]
  - &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
  - &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
  - &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
  - &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
  - &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
  - &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
  - &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
  - &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]"""


def test_an_alias_bomb_in_a_hardware_record_is_refused_before_expanding(db_copy, capsys):
    path = db_copy / "machines" / "apple.yaml"
    text = path.read_text()
    path.write_text(text.replace("  family: MacBook Air\n", "  family: MacBook Air\n  extra:" + BOMB + "\n", 1))
    started = time.monotonic()
    run = cli(capsys, "--db", str(db_copy), "recommend")
    assert time.monotonic() - started < 20
    assert run.code == 2 and str(path) in run.error_line and "alias" in run.error_line
    checked = cli(capsys, "--db", str(db_copy), "db", "check")
    assert checked.code == 2 and "alias bomb" in checked.out


def test_an_alias_bomb_in_a_profile_or_knowledge_is_refused(tmp_path, knowledge_copy):
    profile = tmp_path / "p.yaml"
    profile.write_text("weights:" + BOMB + "\n")
    with pytest.raises(InputError, match=r"p\.yaml:\d+: invalid YAML: aliases expand"):
        load_profile_file(profile)
    rules = knowledge_copy / "rules" / "budget.yaml"
    rules.write_text("bomb:" + BOMB + "\n" + rules.read_text())
    with pytest.raises(InputError, match=r"budget\.yaml:\d+: invalid YAML: aliases expand"):
        load_knowledge(knowledge_copy)


def test_a_recursive_alias_and_few_aliases(tmp_path):
    looped = tmp_path / "loop.yaml"
    looped.write_text("a: &a [1, *a]\n")
    with pytest.raises(InputError, match="recursive alias"):
        load_yaml(looped)
    shared = tmp_path / "shared.yaml"
    shared.write_text("a: &a {x: 1, y: [1, 2]}\nb: *a\nc: {<<: *a, z: 3}\n")
    assert load_yaml(shared) == {"a": {"x": 1, "y": [1, 2]}, "b": {"x": 1, "y": [1, 2]}, "c": {"x": 1, "y": [1, 2],
                                                                                                  "z": 3}}


def test_a_database_yaml_symlinked_to_dev_zero_is_one_line(db_copy, capsys):
    (db_copy / "machines" / "zero.yaml").symlink_to("/dev/zero")
    run = cli(capsys, "--db", str(db_copy), "recommend")
    assert run.code == 2 and "zero.yaml" in run.error_line and "not a regular file" in run.error_line
    checked = cli(capsys, "--db", str(db_copy), "db", "check")
    assert checked.code == 2 and "zero.yaml" in checked.out


def test_a_fifo_profile_is_one_line(tmp_path, capsys):
    os.mkfifo(tmp_path / "p.yaml")
    run = cli(capsys, "recommend", "--profile", str(tmp_path / "p.yaml"))
    assert run.code == 2 and "FIFO" in run.error_line


@pytest.mark.skipif(shutil.which("go") is None, reason="needs the go command")
def test_use_go_never_edits_go_mod(tmp_path, capsys):
    root = tmp_path / "m"
    root.mkdir()
    (root / "go.mod").write_text("module example.com/m\n")  # no go line: -mod=mod would add one
    (root / "main.go").write_text("package main\n\nfunc main() {}\n")
    before = {p.name: p.read_bytes() for p in root.iterdir()}
    run = cli(capsys, "profile", "scan", str(root), "--use-go", "-q", "--format", "json")
    assert run.code == 0, run.err
    assert {p.name: p.read_bytes() for p in root.iterdir()} == before
