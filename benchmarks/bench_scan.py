"""Time `profile scan` (walk, read, measure, import closure) on real trees and on a synthetic 1-million-line module.

Run: python benchmarks/bench_scan.py [extra tree ...]. Real trees are skipped when absent.
"""
from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from advisor.scan.measure import Measurements, scan

REAL_TREES = [Path("/usr/lib/go/src"), Path("/usr/lib/go/src/cmd"), Path("/usr/share/gocode/src/golang.org/x/tools")]
PACKAGES, FILES_PER_PACKAGE, LINES_PER_FILE = 500, 20, 100  # 1,000,000 lines


def synthetic(root: Path) -> Path:
    """A module of 500 packages x 20 files x 100 lines, each package importing the previous one and fmt."""
    (root / "go.mod").write_text("module example.com/big\n\ngo 1.22\n")
    filler = "".join(f"var v{i} = {i}\n" for i in range(LINES_PER_FILE - 6))
    for p in range(PACKAGES):
        folder = root / f"pkg{p:03d}"
        folder.mkdir()
        previous = f'\t_ "example.com/big/pkg{p - 1:03d}"\n' if p else ""
        for f in range(FILES_PER_PACKAGE):
            imports = f'import (\n\t"fmt"\n{previous})\n' if f == 0 else ""
            use = "var _ = fmt.Sprint\n" if f == 0 else ""
            text = f"package pkg{p:03d}\n\n{imports}{use}{filler}"
            lines = text.count("\n")
            (folder / f"f{f:02d}.go").write_text(text + "\n" * (LINES_PER_FILE - lines))
    return root


def timed(path: Path, runs: int = 3) -> tuple[float, Measurements]:
    times: list[float] = []
    for _ in range(runs):
        start = time.perf_counter()
        result = scan(path)
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main(extra: list[str]) -> None:
    with tempfile.TemporaryDirectory() as temp:
        seconds, m = timed(synthetic(Path(temp)))
        print(f"synthetic: {m.tree.files_read:,} files, {m.tree.lines_read:,} lines, "
              f"{len(m.own_packages)} packages: {seconds:.2f} s")
    for path in [*REAL_TREES, *map(Path, extra)]:
        if path.is_dir():
            seconds, m = timed(path)
            print(f"{path}: {m.tree.files_read:,} files, {m.tree.lines_read:,} lines, {len(m.own_packages)} packages, "
                  f"closure {m.closure.packages}: {seconds:.2f} s")


if __name__ == "__main__":
    main(sys.argv[1:])
