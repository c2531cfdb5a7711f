"""Terminal table (rich): readable in 100 columns; details go to `explain`."""
from __future__ import annotations

import io

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from advisor.render.base import criteria_columns, fmt, rank_labels, upgrade_dict
from advisor.render.escape import terminal, terminal_line
from advisor.render.templating import Templates
from advisor.types import Recommendation, Score
from advisor.types.results import Upgrade


def _console(width: int = 100) -> tuple[Console, io.StringIO]:
    buffer = io.StringIO()
    return Console(file=buffer, width=width, color_system=None, force_terminal=False, legacy_windows=False), buffer


def _score_table(scores: list[Score], ranked: bool) -> Table:
    table = Table(show_lines=False, pad_edge=False, box=None, header_style="bold")
    if ranked:
        table.add_column("#", justify="right")
    table.add_column("machine · configuration", overflow="fold", min_width=26, max_width=34)
    table.add_column("total", justify="right")
    columns = criteria_columns(scores)
    for _, short in columns:
        table.add_column(short, justify="right")
    table.add_column("price", justify="right")
    for label, score in zip(rank_labels(scores), scores, strict=True):
        criteria = {c.criterion: c.score for c in score.criteria}
        price = f"{score.price.amount:,.0f} {score.price.currency}" if score.price else "n/a"
        if score.converted_price:
            price += f"\n≈{score.converted_price[0]:,.0f} {score.converted_price[1]}*"
        # the rating under the total keeps the table narrow enough for every criterion column
        row = [escape(terminal_line(score.label)), f"{fmt(score.total)}\n{score.rating}",
               *[fmt(criteria[c], 0) for c, _ in columns], price]
        table.add_row(*([label] if ranked else []), *row)
    return table


class TableRenderer:
    name = "table"

    def recommendation(self, rec: Recommendation, top: int | None = None, templates: Templates | None = None) -> str:
        console, buffer = _console()
        ranked = list(rec.ranked[:top] if top else rec.ranked)
        console.print(escape(f"Profile: {rec.profile.name} ({rec.profile.id}) · market {rec.market} · "
                             f"evidence ≤ {rec.evidence} · rules: {rec.rules_backend}"))
        for pick in rec.verdict:
            console.print(escape(f"{pick.role}: {pick.label} ({pick.total:.1f}) — " + "; ".join(pick.reasons)))
        console.print(_score_table(ranked, ranked=True))
        if any(c.score is None and c.applicable for s in ranked for c in s.criteria):
            console.print(escape(f"n/a: not assessed, because its inputs are weaker than --evidence {rec.evidence}; "
                                 "the total uses only the assessed criteria."))
        if ranked:
            best = ranked[0]
            console.print(f"\nWhy #1 ({best.machine_config}):")
            for finding in best.findings:
                console.print(escape(terminal_line(f"  [{finding.effect.label}] {finding.message} "
                                                   f"({finding.confidence}; {', '.join(finding.sources)})")))
        if rec.unpriced:
            console.print(escape(f"\nPrice unknown in {rec.market} ({len(rec.unpriced)}, not ranked against the "
                                 "budget): " + "; ".join(s.machine_config for s in rec.unpriced)))
        if rec.disqualified:
            console.print(f"\nDisqualified ({len(rec.disqualified)}): " + "; ".join(
                f"{s.machine_id} ({', '.join(s.disqualified_by)})" for s in rec.disqualified))
        if rec.not_offered:
            console.print(escape(f"\nNot sold in {rec.market} or kept only as upgrade baselines: "
                                 f"{len(rec.not_offered)} machines (--market changes it)."))
        converted = next((s.converted_price for s in ranked if s.converted_price), None)
        if converted:
            rate = converted[2][converted[2].find("("):] if "(" in converted[2] else ""
            console.print(escape(f"* {converted[1]} prices are converted from the market's currency at an estimated "
                                 f"2024 average rate {rate} (currency.usd_per_unit, not a dated fixing); the market "
                                 "price is the one quoted."))
        console.print("\nScores 0-100 per criterion; `go-advisor explain MACHINE` shows every number's source.")
        return terminal(buffer.getvalue())

    def upgrade(self, upgrade: Upgrade, title: str, templates: Templates | None = None) -> str:
        console, buffer = _console()
        data = upgrade_dict(upgrade)
        console.print(escape(f"{title}\nNow: {data['baseline']['label']}, "
                             f"{fmt(data['baseline']['daily_wait_min'])} min a day waiting on builds and tests"))
        table = Table(box=None)
        for name, justify in (("candidate", "left"), ("total", "right"), ("min/day", "right"),
                              ("saved/day", "right"), ("price", "right"), ("payback days", "right")):
            table.add_column(name, justify=justify)  # type: ignore[arg-type]
        for c in data["candidates"]:
            price = f"{c['price']['amount']:,.0f} {c['price']['currency']}" if c["price"] else "n/a"
            payback = "never" if c["payback_workdays"] is None else f"{c['payback_workdays']:,.0f}"
            table.add_row(escape(c["label"]), fmt(c["total"]), fmt(c["daily_wait_min"]),
                          fmt(c["minutes_saved_per_day"]), price, payback)
        console.print(table)
        console.print(escape(f"Payback = price / (hours saved a day x {data['hourly_cost_note']}); never: no time "
                             "saved, or no price in this market."))
        return terminal(buffer.getvalue())

    def scores(self, scores: list[Score], title: str, templates: Templates | None = None) -> str:
        console, buffer = _console()
        console.print(title)
        console.print(_score_table(scores, ranked=False))
        for score in scores:
            console.print(f"\n{score.machine_config}: " + ("DISQUALIFIED by " + ", ".join(score.disqualified_by)
                                                          if score.disqualified else f"total {score.total}"))
            for finding in score.findings:
                console.print(escape(terminal_line(f"  [{finding.effect.label}] {finding.rule_id}: {finding.message}")))
        return terminal(buffer.getvalue())
