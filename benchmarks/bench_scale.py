"""Scoring a large synthetic database: time per configuration, growth with size, and peak memory.

Each measurement is its own process (so its peak resident memory is its own): it loads the real data,
builds a synthetic catalog of N configurations (benchmarks/synthetic_db.py: N/copies distinct, each
listed --copies times, 5 by default), then times one `recommend --profile microservice` over it. The
process's peak RSS includes the
interpreter, the libraries and the synthetic catalog itself.

Run: python benchmarks/bench_scale.py [--sizes 5000,50000] [--copies 5] [--tree DIR] [--rounds N]
--tree runs the same measurement on another checkout (e.g. an old release: `git worktree add /tmp/old <commit>`);
sizes and trees are interleaved round by round, and medians are printed.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

CHILD = """
import json, resource, sys, time
sys.path.insert(0, {benchmarks!r})
from synthetic_db import synthetic_catalog
from advisor import api
base = api.load()
data = api.Data(knowledge=base.knowledge, catalog=synthetic_catalog(base.catalog, {size}, copies={copies}))
start = time.perf_counter()
rec = api.recommend("microservice", data=data)
seconds = time.perf_counter() - start
print(json.dumps({{"seconds": seconds, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                   "ranked": len(rec.ranked)}}))
"""


def measure(tree: Path, size: int, copies: int) -> dict:
    env = dict(os.environ, PYTHONPATH=str(tree))
    script = CHILD.format(benchmarks=str(HERE), size=size, copies=copies)
    out = subprocess.run([sys.executable, "-c", script], env=env, cwd=tree, capture_output=True, text=True,
                         check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="5000,50000")
    parser.add_argument("--tree", type=Path, action="append", help="a checkout to measure (default: this one)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--copies", type=int, default=5, help="how often each distinct configuration is listed")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    trees = args.tree or [HERE.parent]
    results: dict[tuple[str, int], list[dict]] = {(str(t), n): [] for t in trees for n in sizes}
    for _ in range(args.rounds):
        for size in sizes:
            for tree in trees:
                results[(str(tree), size)].append(measure(tree, size, args.copies))
    for (tree, size), runs in results.items():
        seconds = statistics.median(r["seconds"] for r in runs)
        peak = statistics.median(r["peak_mb"] for r in runs)
        print(f"{tree}  {size:>7,} configurations: {seconds:7.2f} s ({seconds / size * 1e3:.3f} ms each), "
              f"peak {peak:,.0f} MB")
    for tree in trees:
        times = [statistics.median(r["seconds"] for r in results[(str(tree), n)]) for n in sizes]
        for index in range(1, len(sizes)):
            print(f"{tree}  {sizes[index] / sizes[index - 1]:g}x the configurations: "
                  f"{times[index] / times[index - 1]:.2f}x the time")


if __name__ == "__main__":
    main()
