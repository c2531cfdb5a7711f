"""The longest chain of package compiles in an import graph, weighted by lines: the build's critical path.

`go build` compiles a package only after everything it imports, so however many cores there are, a cold
build takes at least as long as its longest chain of compiles. Lines stand in for each compile's CPU time
(the measured CPU share of std's chain is the check: tests/test_scan_real.py).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping


@dataclass(frozen=True)
class CriticalPath:
    """The chain (first compiled first) and its share of all compiled lines."""

    chain: tuple[str, ...]
    lines: int
    total_lines: int

    @property
    def share(self) -> float:
        return self.lines / self.total_lines if self.total_lines else 0.0


def critical_path(lines: Mapping[str, int], imports: Mapping[str, set[str]]) -> CriticalPath:
    """The heaviest chain through the import graph; packages without a line count weigh nothing."""
    longest: dict[str, tuple[int, str | None]] = {}  # package -> (lines of its heaviest chain, next below it)
    for start in sorted(lines):
        stack: list[tuple[str, bool]] = [(start, False)]
        visiting: set[str] = set()
        while stack:
            package, expanded = stack.pop()
            if package in longest:
                continue
            below = sorted(i for i in imports.get(package, ()) if i in lines)
            if not expanded:
                visiting.add(package)
                stack.append((package, True))
                # an import cycle is impossible in Go; a malformed graph simply cuts the cycle here
                stack.extend((i, False) for i in below if i not in longest and i not in visiting)
                continue
            visiting.discard(package)
            best = max(((longest[i][0], i) for i in below if i in longest), default=(0, None))
            longest[package] = (lines[package] + best[0], best[1])
    if not longest:
        return CriticalPath(chain=(), lines=0, total_lines=0)
    top = max(sorted(longest), key=lambda package: longest[package][0])
    chain: list[str] = []
    node: str | None = top
    while node is not None:
        chain.append(node)
        node = longest[node][1]
    return CriticalPath(chain=tuple(reversed(chain)), lines=longest[top][0], total_lines=sum(lines.values()))
