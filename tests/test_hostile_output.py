"""Hostile -o paths: only regular files are written, never an input of the run; modes, temporaries, full disks,
read-only folders and a SIGKILL in the middle of a write leave the old file as it was."""
from __future__ import annotations

import errno
import os
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from test_hostile_cli import cli

from advisor import output
from advisor.errors import InputError
from advisor.output import clean_stale_temporaries, write_atomic

ROOT = Path(__file__).resolve().parent.parent


def _module(folder: Path) -> Path:
    folder.mkdir()
    (folder / "go.mod").write_text("module example.com/m\n\ngo 1.22\n")
    (folder / "main.go").write_text("package main\n\nfunc main() {}\n")
    (folder / "Makefile").write_text("test:\n\tgo test -race ./...\n")
    return folder


@pytest.mark.parametrize("target, word", [("/dev/null", "device"), ("fifo", "FIFO"), (".", "folder"),
                                           ("link-to-fifo", "FIFO (via a symlink)")])
def test_only_regular_files_are_written(tmp_path, capsys, target, word):
    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "link-to-fifo").symlink_to(tmp_path / "fifo")
    path = target if target.startswith("/") else str(tmp_path / target)
    run = cli(capsys, "recommend", "--top", "1", "--format", "csv", "-o", path)
    assert run.code == 2 and path in run.error_line and word in run.error_line
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode) and stat.S_ISFIFO(os.stat(tmp_path / "fifo").st_mode)


def test_a_symlink_is_followed_and_its_target_replaced(tmp_path, capsys):
    (tmp_path / "real.md").write_text("old\n")
    (tmp_path / "link.md").symlink_to("real.md")
    run = cli(capsys, "recommend", "--top", "1", "--format", "markdown", "-o", str(tmp_path / "link.md"))
    assert run.code == 0, run.err
    assert (tmp_path / "link.md").is_symlink() and (tmp_path / "real.md").read_text().startswith("# Laptops")


def test_the_profile_read_is_not_overwritten(tmp_path, capsys):
    profile = tmp_path / "p.yaml"
    profile.write_text(cli(capsys, "profile", "show", "microservice").out)
    before = profile.read_bytes()
    run = cli(capsys, "recommend", "--profile", str(profile), "-o", str(profile))
    assert run.code == 2 and "input of this run" in run.error_line and str(profile) in run.error_line
    assert profile.read_bytes() == before


def test_a_database_or_knowledge_file_is_not_overwritten(db_copy, knowledge_copy, capsys):
    for target in (db_copy / "machines" / "apple.yaml", knowledge_copy / "rules" / "budget.yaml"):
        before = target.read_bytes()
        run = cli(capsys, "--db", str(db_copy), "--knowledge", str(knowledge_copy), "recommend", "-o", str(target))
        assert run.code == 2 and "input of this run" in run.error_line
        assert target.read_bytes() == before


def test_a_scanned_file_is_not_overwritten_but_a_profile_beside_it_may_be(tmp_path, capsys):
    root = _module(tmp_path / "m")
    for name in ("go.mod", "main.go", "Makefile"):
        before = (root / name).read_bytes()
        run = cli(capsys, "profile", "scan", str(root), "-q", "-o", str(root / name))
        assert run.code == 2 and "input of this run" in run.error_line, name
        assert (root / name).read_bytes() == before
        run = cli(capsys, "recommend", "--scan", str(root), "-o", str(root / name))
        assert run.code == 2 and "input of this run" in run.err.strip().splitlines()[-1]
    # the documented flow, twice: the saved profile is no input of the next scan
    for _ in range(2):
        assert cli(capsys, "profile", "scan", str(root), "-q", "-o", str(root / "profile.yaml")).code == 0


def test_a_replaced_file_keeps_its_mode_and_a_new_one_follows_the_umask(tmp_path):
    old = tmp_path / "old.md"
    old.write_text("x")
    old.chmod(0o640)
    write_atomic(old, "new")
    assert stat.S_IMODE(old.stat().st_mode) == 0o640 and old.read_text() == "new"
    previous = os.umask(0o027)
    try:
        write_atomic(tmp_path / "new.md", "new")
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "new.md").stat().st_mode) == 0o640
    previous = os.umask(0o022)
    try:
        write_atomic(tmp_path / "other.md", "new")
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "other.md").stat().st_mode) == 0o644


def test_a_missing_folder_a_read_only_folder_and_a_full_disk_are_one_line(tmp_path, capsys, monkeypatch):
    missing = tmp_path / "no" / "x.md"
    run = cli(capsys, "recommend", "--top", "1", "--format", "csv", "-o", str(missing))
    assert run.code == 2 and str(missing) in run.error_line and "does not exist" in run.error_line

    real_open = os.open

    def refuse(path, flags, mode=0o777, **kw):
        if flags & os.O_CREAT:
            raise OSError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, flags, mode, **kw)

    monkeypatch.setattr(output.os, "open", refuse)  # root ignores chmod 555, so the refusal is simulated
    target = tmp_path / "ro.md"
    run = cli(capsys, "recommend", "--top", "1", "--format", "csv", "-o", str(target))
    assert run.code == 2 and str(target) in run.error_line and "Permission denied" in run.error_line
    monkeypatch.setattr(output.os, "open", real_open)

    target.write_text("old\n")

    def full(descriptor):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(output.os, "fsync", full)
    run = cli(capsys, "recommend", "--top", "1", "--format", "csv", "-o", str(target))
    assert run.code == 2 and str(target) in run.error_line and "disk is full" in run.error_line
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["ro.md"]  # no temporary left


def test_dev_full_is_refused_as_a_device(capsys):
    run = cli(capsys, "recommend", "--top", "1", "--format", "csv", "-o", "/dev/full")
    assert run.code == 2 and "/dev/full" in run.error_line and "device" in run.error_line


KILLED_WRITER = """
import os, sys, time
from pathlib import Path
from advisor import output
def stall(descriptor):
    print("writing", flush=True)
    time.sleep(60)
output.os.fsync = stall
output.write_atomic(Path(sys.argv[1]), "new content " * 100000)
"""


def test_a_sigkill_mid_write_leaves_the_old_file_and_the_next_run_cleans_up(tmp_path):
    target = tmp_path / "guide.md"
    target.write_text("old guide\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with subprocess.Popen([sys.executable, "-c", KILLED_WRITER, str(target)], stdout=subprocess.PIPE, text=True,
                          env=env) as writer:
        try:
            assert writer.stdout is not None and writer.stdout.readline() == "writing\n"
            writer.send_signal(signal.SIGKILL)
            writer.wait(timeout=30)
        finally:
            writer.kill()
    assert writer.returncode == -signal.SIGKILL
    assert target.read_text() == "old guide\n"
    left = [p.name for p in tmp_path.iterdir() if p.name != "guide.md"]
    assert len(left) == 1 and left[0].startswith(".guide.md.go-advisor-") and left[0].endswith(".tmp")
    write_atomic(target, "next run\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["guide.md"] and target.read_text() == "next run\n"


def test_a_live_runs_temporary_is_left_alone(tmp_path):
    mine = tmp_path / f".x.md.go-advisor-{os.getppid()}-abcd.tmp"
    mine.write_text("being written by a live process")
    assert clean_stale_temporaries(tmp_path) == [] and mine.exists()


def test_write_atomic_refuses_an_input_folder(tmp_path):
    (tmp_path / "db").mkdir()
    with pytest.raises(InputError, match="input of this run"):
        write_atomic(tmp_path / "db" / "x.yaml", "x", inputs=[tmp_path / "db"])
