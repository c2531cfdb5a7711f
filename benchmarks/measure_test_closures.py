"""Count what go test compiles and links per test binary: test lines per package line, and each test binary's
closure as a share of the module's whole program.

The test-time model's go.test.test_lines_per_line and go.test.binary_link_share come from this script (stdlib
only; needs `go` and the sources). Run:

  python benchmarks/measure_test_closures.py /usr/lib/go-1.19/src            # std: test lines only
  GO111MODULE=off GOPATH=/usr/share/gocode \
    python benchmarks/measure_test_closures.py /usr/share/gocode/src/golang.org/x/tools

Lines are physical lines of the GoFiles (+CgoFiles) of each package; test lines those of TestGoFiles and
XTestGoFiles. A test binary is a `go list -deps -test` entry whose import path ends in ".test"; its closure is
its Deps; the module's program is the union of its own packages and their Deps.
"""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys


def go_list(directory: str, *args: str) -> list[dict]:
    out = subprocess.run(["go", "list", "-e", "-json", *args, "./..."], cwd=directory, capture_output=True,
                         text=True, check=False).stdout
    decoder, packages, i = json.JSONDecoder(), [], 0
    while i < len(out):
        while i < len(out) and out[i].isspace():
            i += 1
        if i < len(out):
            obj, i = decoder.raw_decode(out, i)
            packages.append(obj)
    return packages


def lines(directory: str, files: list[str]) -> int:
    total = 0
    for name in files:
        with open(os.path.join(directory, name), errors="ignore") as handle:
            total += sum(1 for _ in handle)
    return total


def main(directory: str) -> None:
    directory = os.path.abspath(directory)
    own = go_list(directory)
    code = sum(lines(p["Dir"], p.get("GoFiles", []) + p.get("CgoFiles", [])) for p in own if "Dir" in p)
    tests = sum(lines(p["Dir"], p.get("TestGoFiles", []) + p.get("XTestGoFiles", [])) for p in own if "Dir" in p)
    print(f"{directory}: {len(own)} packages, {code} lines, {tests} test lines, ratio {tests / code:.3f}")
    everything = {p["ImportPath"]: p for p in go_list(directory, "-deps", "-test")}
    size = {k: lines(p["Dir"], p.get("GoFiles", []) + p.get("CgoFiles", [])) for k, p in everything.items()
            if "Dir" in p and " [" not in k}
    program = set()
    for p in own:
        program.add(p["ImportPath"])
        program.update(p.get("Deps", []))
    program_lines = sum(size.get(k, 0) for k in program)
    binaries = [p for k, p in everything.items() if k.endswith(".test")]
    if not binaries or not program_lines:
        print("no test binaries (std in GOROOT: the program share is not defined)")
        return
    shares = [sum(size.get(k.split(" [")[0], 0) for k in set(b.get("Deps", []))) / program_lines for b in binaries]
    print(f"{len(binaries)} test binaries; program {program_lines} lines; closure share mean "
          f"{statistics.mean(shares):.3f}, median {statistics.median(shares):.3f}, "
          f"min {min(shares):.3f}, max {max(shares):.3f}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".")
