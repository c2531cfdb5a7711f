"""`knowledge test`: run every rule's inline examples on each rules backend.

Each rule in knowledge/rules/*.yaml carries `examples:`, self-contained fact sets with whether the rule
must fire on them (the loader has already checked their facts and coverage). An example passes on a
backend when `rule.id in backend.fired(facts) == example.fires`.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from advisor import engine
from advisor.output import json_text
from advisor.types import Knowledge

BACKENDS: tuple[str, ...] = ("builtin", "durable")


@dataclass(frozen=True)
class CaseResult:
    """One example of one rule on one backend."""

    rule_id: str
    case: int  # 1-based position in the rule's examples
    backend: str  # "builtin" or "durable"
    path: str  # the rule file, as it should be shown
    line: int  # the example's line
    expected: bool  # fires
    fired: bool

    @property
    def passed(self) -> bool:
        return self.expected == self.fired

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"

    def describe(self) -> str:
        expected = "fires" if self.expected else "silent"
        was = "fired" if self.fired else "silent"
        return f"{self.where}: {self.rule_id}: case {self.case}: expected {expected}, was {was}"


@dataclass(frozen=True)
class CaseReport:
    results: tuple[CaseResult, ...]
    backends: tuple[str, ...]  # the backends that ran
    skipped: tuple[str, ...]  # asked for but not importable here (durable_rules on Python 3.13)

    @property
    def failures(self) -> tuple[CaseResult, ...]:
        return tuple(result for result in self.results if not result.passed)

    @property
    def ok(self) -> bool:
        return not self.failures

    @property
    def cases(self) -> int:
        """Examples run (each counted once, whatever the number of backends)."""
        return len({(result.rule_id, result.case) for result in self.results})


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def run_cases(knowledge: Knowledge, backends: Iterable[str] = BACKENDS) -> CaseReport:
    """Every example of every rule on each available backend (durable_rules is skipped where it cannot import)."""
    ran: list[str] = []
    skipped: list[str] = []
    results: list[CaseResult] = []
    for name in backends:
        if name not in BACKENDS:
            raise ValueError(f"unknown rules backend {name!r}; use {' or '.join(BACKENDS)}")
        if name == "durable" and not engine.durable_available():
            skipped.append(name)
            continue
        ran.append(name)
        backend = engine.make_backend(knowledge.rules, prefer=name)
        for rule in knowledge.rules:
            path = _shown(knowledge.root / "rules" / rule.file) if rule.file else "(rules)"
            for number, example in enumerate(rule.examples, 1):
                fired = rule.id in backend.fired(dict(example.facts))
                results.append(CaseResult(rule_id=rule.id, case=number, backend=name, path=path,
                                          line=example.line, expected=example.fires, fired=fired))
    return CaseReport(results=tuple(results), backends=tuple(ran), skipped=tuple(skipped))


def format_case_report(report: CaseReport, fmt: str = "text") -> str:
    """One line per failing example (noting the backend when not all of them fail it), then a summary; or JSON."""
    if fmt == "json":
        return json_text({"ok": report.ok, "cases": report.cases, "backends": list(report.backends),
                          "skipped": list(report.skipped),
                          "failures": [{"rule": r.rule_id, "case": r.case, "backend": r.backend, "file": r.path,
                                        "line": r.line, "expected_fires": r.expected, "fired": r.fired}
                                       for r in report.failures]})
    lines: list[str] = []
    failing: dict[tuple[str, int], list[CaseResult]] = {}
    for result in report.failures:
        failing.setdefault((result.rule_id, result.case), []).append(result)
    for results in failing.values():
        only = "" if len(results) == len(report.backends) else f" (on {', '.join(r.backend for r in results)} only)"
        lines.append(results[0].describe() + only)
    passed = report.cases - len(failing)
    summary = f"{passed} of {report.cases} rule examples pass on {', '.join(report.backends) or 'no backend'}"
    if report.skipped:
        summary += f" ({', '.join(report.skipped)} not available on this Python, skipped)"
    lines.append(summary)
    return "\n".join(lines) + "\n"
