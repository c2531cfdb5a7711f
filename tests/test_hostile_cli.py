"""Hostile command lines: every bad option value exits 2 with one line; choices are case-insensitive and listed.

Also the in-process runner the other test_hostile_* files share (a subprocess costs two seconds a run)."""
from __future__ import annotations

import json
import sys
from dataclasses import dataclass

import pytest

from advisor.cli import main


@dataclass
class Run:
    code: int
    out: str
    err: str

    @property
    def error_line(self) -> str:
        """The one stderr line of a failed run (asserted to be exactly one, with no traceback)."""
        lines = self.err.strip().splitlines()
        assert len(lines) == 1, self.err
        assert "Traceback" not in self.err
        return lines[0]


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> Run:
    """Run `go-advisor ARGS` in this process, as main() does for the installed command."""
    saved = sys.argv
    sys.argv = ["go-advisor", *args]
    try:
        main()
        code = 0
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
    finally:
        sys.argv = saved
    captured = capsys.readouterr()
    return Run(code, captured.out, captured.err)


@pytest.mark.parametrize("args, named", [
    (("--budget=-5",), "--budget"),
    (("--budget", "inf"), "--budget"),
    (("--budget", "nan"), "--budget"),
    (("--budget", "0"), "--budget"),
    (("--currency", "XYZ"), "--currency"),
    (("--os", "plan9"), "--os"),
    (("--arch", "x86_64"), "--arch"),
    (("--weight", "build=nan"), "build"),
    (("--weight", "build=inf"), "build"),
    (("--weight", "build=-1"), "build"),
    (("--weight", "build=x"), "build"),
    (("--weight", "bulid=2"), "bulid"),
    (("--market", "mars"), "--market"),
    (("--evidence", "hearsay"), "--evidence"),
])
def test_a_bad_recommend_option_is_one_line_and_exit_2(capsys, args, named):
    run = cli(capsys, "recommend", *args)
    assert run.code == 2 and run.out == ""
    assert named in run.error_line


def test_all_zero_weights_are_refused(capsys):
    run = cli(capsys, "recommend", "--weight", "build=0,memory=0,storage=0,thermals=0,platform=0,os=0,budget=0,"
              "portability=0")
    assert run.code == 2 and "positive weight" in run.error_line


def test_choices_are_listed_in_the_error_and_in_help(capsys):
    assert "amd64, arm64" in cli(capsys, "recommend", "--arch", "x86_64").error_line
    assert "linux, macos, windows" in cli(capsys, "recommend", "--os", "plan9").error_line
    assert "USD" in cli(capsys, "recommend", "--currency", "XYZ").error_line
    shown = cli(capsys, "recommend", "--help")
    assert shown.code == 0
    for listed in ("linux|macos|windows", "amd64|arm64", "USD|EUR"):
        assert listed in shown.out


def test_choices_are_case_insensitive(capsys):
    run = cli(capsys, "recommend", "--os", "Linux", "--arch", "AMD64", "--currency", "eur", "--budget", "4000",
              "--format", "JSON", "--top", "1")
    assert run.code == 0, run.err
    document = json.loads(run.out)
    assert document["profile"]["os"] == ["linux"] and document["profile"]["arch"] == ["amd64"]
    assert document["profile"]["budget"] == {"amount": 4000.0, "currency": "EUR"}


@pytest.mark.parametrize("args", [("compare", "--baseline", "dell-xps-13-9380", "--hourly-cost", "nan"),
                                  ("compare", "--baseline", "dell-xps-13-9380", "--hourly-cost", "-3"),
                                  ("db", "list", "--max-price", "inf")])
def test_other_amounts_must_be_positive_and_finite(capsys, args):
    run = cli(capsys, *args)
    assert run.code == 2 and "positive finite number" in run.error_line
