"""Terminal table (rich): readable in 100 columns; details go to `explain`."""
from __future__ import annotations

import io

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from advisor.render.base import criteria_columns, fmt
from advisor.render.templating import Templates
from advisor.types import Recommendation, Score


def _console(width: int = 100) -> tuple[Console, io.StringIO]:
    buffer = io.StringIO()
    return Console(file=buffer, width=width, color_system=None, force_terminal=False, legacy_windows=False), buffer


def _score_table(scores: list[Score], ranked: bool) -> Table:
    table = Table(show_lines=False, pad_edge=False, box=None, header_style="bold")
    if ranked:
        table.add_column("#", justify="right")
    table.add_column("machine · configuration", overflow="fold", min_width=30, max_width=40)
    table.add_column("total", justify="right")
    columns = criteria_columns(scores)
    for _, short in columns:
        table.add_column(short, justify="right")
    table.add_column("price", justify="right")
    for index, score in enumerate(scores):
        criteria = {c.criterion: c.score for c in score.criteria}
        price = f"{score.price.amount:,.0f} {score.price.currency}" if score.price else "n/a"
        row = [score.label, fmt(score.total), *[fmt(criteria[c], 0) for c, _ in columns],
               price]
        table.add_row(*([str(index + 1)] if ranked else []), *row)
    return table


class TableRenderer:
    name = "table"

    def recommendation(self, rec: Recommendation, top: int | None = None, templates: Templates | None = None) -> str:
        console, buffer = _console()
        ranked = list(rec.ranked[:top] if top else rec.ranked)
        console.print(escape(f"Profile: {rec.profile.name} ({rec.profile.id}) · evidence ≤ {rec.evidence} · "
                             f"rules: {rec.rules_backend}"))
        console.print(_score_table(ranked, ranked=True))
        if any(c.score is None and c.criterion != "budget" for s in ranked for c in s.criteria):
            console.print(escape(f"n/a: not assessed, because its inputs are weaker than --evidence {rec.evidence}; "
                                 "the total uses only the assessed criteria."))
        if ranked:
            best = ranked[0]
            console.print(f"\nWhy #1 ({best.machine_config}):")
            for finding in best.findings:
                console.print(escape(f"  [{finding.effect.label}] {finding.message} ({finding.confidence}; "
                                     f"{', '.join(finding.sources)})"))
        if rec.disqualified:
            console.print(f"\nDisqualified ({len(rec.disqualified)}): " + "; ".join(
                f"{s.machine_id} ({', '.join(s.disqualified_by)})" for s in rec.disqualified))
        console.print("\nScores 0-100 per criterion; `go-advisor explain MACHINE` shows every number's source.")
        return buffer.getvalue()

    def scores(self, scores: list[Score], title: str, templates: Templates | None = None) -> str:
        console, buffer = _console()
        console.print(title)
        console.print(_score_table(scores, ranked=False))
        for score in scores:
            console.print(f"\n{score.machine_config}: " + ("DISQUALIFIED by " + ", ".join(score.disqualified_by)
                                                          if score.disqualified else f"total {score.total}"))
            for finding in score.findings:
                console.print(escape(f"  [{finding.effect.label}] {finding.rule_id}: {finding.message}"))
        return buffer.getvalue()
