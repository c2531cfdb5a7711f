"""Whole-process CLI timings as ratios to the import floor, interleaved, medians.

The floor is `python -c "import typer, pydantic, yaml, jinja2, durable.lang"` in the same interpreter: what
any CLI on these libraries pays before its first line. Each round runs the floor and every command once, in
turn, so a machine that drifts moves all of them alike; the ratio is taken round by round, then the median.

Run: python benchmarks/bench_cli.py [--rounds N] [--tree DIR ...]
Each --tree is a checkout of the project (this one by default; add an old one to compare side by side).
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

FLOOR = "import typer, pydantic, yaml, jinja2, durable.lang"
COMMANDS = {
    "--help": ["--help"],
    "profile list": ["profile", "list"],
    "recommend --profile microservice": ["recommend", "--profile", "microservice"],
}
ENTRY = "from advisor.cli import main; main()"


def run(argv: list[str], tree: Path | None) -> float:
    """Wall seconds of one process; its output is discarded."""
    env = dict(os.environ)
    if tree is not None:
        env["PYTHONPATH"] = str(tree)
    start = time.perf_counter()
    subprocess.run(argv, env=env, cwd=tree, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--tree", action="append", type=Path, help="a project checkout (repeatable)")
    parser.add_argument("--only", action="append", help="run only these commands (names as printed)")
    args = parser.parse_args()
    trees = args.tree or [Path(__file__).resolve().parent.parent]
    names = [name for name in COMMANDS if not args.only or name in args.only]
    ratios: dict[tuple[str, str], list[float]] = {(str(t), n): [] for t in trees for n in names}
    floors: list[float] = []
    for tree in trees:  # warm-up: fills the OS page cache and the tool's own cache
        for name in names:
            run([sys.executable, "-c", ENTRY, *COMMANDS[name]], tree)
    for _ in range(args.rounds):
        floor = run([sys.executable, "-c", FLOOR], None)
        floors.append(floor)
        for tree in trees:
            for name in names:
                ratios[(str(tree), name)].append(run([sys.executable, "-c", ENTRY, *COMMANDS[name]], tree) / floor)
    print(f"floor: median {statistics.median(floors):.3f} s over {args.rounds} rounds")
    for (tree, name), values in ratios.items():
        print(f"{tree}  {name:34} {statistics.median(values):5.2f}x the floor "
              f"(min {min(values):.2f}, max {max(values):.2f})")


if __name__ == "__main__":
    main()
