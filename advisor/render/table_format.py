"""Terminal table (rich): fits the width it is given (the terminal's, or 100 in a file); details go to `explain`.

Below 100 columns the rating under each total and the currency after each price move to the header and a
footnote, so that at 80 columns the verdict and ten rows fit one screen without a line wider than 80."""
from __future__ import annotations

import io
import textwrap

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from advisor.render.base import criteria_columns, fmt, rank_labels, upgrade_dict
from advisor.render.escape import terminal, terminal_line
from advisor.render.templating import Templates
from advisor.types import Recommendation, Score
from advisor.types.results import Upgrade

# The width of a file (-o) and of any caller that gives none; a terminal's own width is the CLI's to pass.
FILE_WIDTH = 100
# Below this width the table drops the rating line and the currency from each price (both go to the header).
ROOMY_WIDTH = 100


def _console(width: int = FILE_WIDTH) -> tuple[Console, io.StringIO]:
    buffer = io.StringIO()
    return Console(file=buffer, width=width, color_system=None, force_terminal=False, legacy_windows=False), buffer


def _score_table(scores: list[Score], ranked: bool, width: int = FILE_WIDTH) -> Table:
    roomy = width >= ROOMY_WIDTH
    currencies = {s.price.currency for s in scores if s.price}
    one_currency = next(iter(currencies)) if len(currencies) == 1 and not roomy else None
    # narrow: one space between columns instead of two, so the machine column keeps ~26 characters at 80
    table = Table(show_lines=False, pad_edge=False, box=None, header_style="bold", collapse_padding=not roomy)
    if ranked:
        table.add_column("#", justify="right")
    table.add_column("machine · configuration", overflow="fold", min_width=26 if roomy else 16,
                     max_width=34)
    table.add_column("total", justify="right")
    columns = criteria_columns(scores)
    for _, short in columns:
        table.add_column(short, justify="right")
    table.add_column(one_currency or "price", justify="right", no_wrap=True)
    for label, score in zip(rank_labels(scores), scores, strict=True):
        criteria = {c.criterion: c.score for c in score.criteria}
        if score.price is None:
            price = "n/a"
        elif one_currency:
            price = f"{score.price.amount:,.0f}"
        else:
            price = f"{score.price.amount:,.0f} {score.price.currency}"
        if score.converted_price:
            price += f"\n≈{score.converted_price[0]:,.0f} {score.converted_price[1]}*"
        # roomy: the rating under the total keeps the table narrow enough for every criterion column;
        # narrow: the rating is left out (the total says it, the verdict above names the picks)
        total = f"{fmt(score.total)}\n{score.rating}" if roomy else fmt(score.total)
        row = [escape(terminal_line(score.label)), total, *[fmt(criteria[c], 0) for c, _ in columns], price]
        table.add_row(*([label] if ranked else []), *row)
    return table


def more_line(shown: int, total: int) -> str:
    """The line under a shortened listing: how many more and how to see them."""
    return f"{total - shown} more — `--top 0` or `--all` to see them"


class TableRenderer:
    """The terminal table at a width: the terminal's (the CLI passes it) or FILE_WIDTH."""

    name = "table"

    def __init__(self, width: int = FILE_WIDTH, short: bool = False):
        self.width = width
        self.short = short  # the terminal's default view: the unranked are counted, not named

    def recommendation(self, rec: Recommendation, top: int | None = None, templates: Templates | None = None) -> str:
        console, buffer = _console(self.width)
        ranked = list(rec.ranked[:top] if top else rec.ranked)
        console.print(escape(f"Profile: {rec.profile.name} ({rec.profile.id}) · market {rec.market} · "
                             f"evidence ≤ {rec.evidence} · rules: {rec.rules_backend}"))
        for pick in rec.verdict:
            console.print(escape(f"{pick.role}: {pick.label} ({pick.total:.1f}) — " + "; ".join(pick.reasons)))
        console.print(_score_table(ranked, ranked=True, width=self.width))
        if len(ranked) < len(rec.ranked):
            console.print(escape(more_line(len(ranked), len(rec.ranked))))
        if any(c.score is None and c.applicable for s in ranked for c in s.criteria):
            console.print(escape(f"n/a: not assessed, because its inputs are weaker than --evidence {rec.evidence}; "
                                 "the total uses only the assessed criteria."))
        if ranked:
            best = ranked[0]
            console.print(f"\nWhy #1 ({best.machine_config}):")
            for finding in best.findings:
                line = terminal_line(f"[{finding.effect.label}] {finding.message} "
                                     f"({finding.confidence}; {', '.join(finding.sources)})")
                # indented as a block, so a finding that wraps stays visibly one item
                console.print(escape(textwrap.fill(line, self.width, initial_indent="  ", subsequent_indent="  ",
                                                   break_on_hyphens=False)), soft_wrap=True)
        # the short view counts the unranked instead of naming them, so that it stays about a screen
        short = self.short and len(ranked) < len(rec.ranked)
        gap = "" if short else "\n"
        if rec.unpriced and short:
            console.print(escape(f"\nPrice unknown in {rec.market}: {len(rec.unpriced)} configurations, not ranked "
                                 "against the budget (`--all` lists them)."))
        elif rec.unpriced:
            console.print(escape(f"\nPrice unknown in {rec.market} ({len(rec.unpriced)}, not ranked against the "
                                 "budget): " + "; ".join(s.machine_config for s in rec.unpriced)))
        if rec.disqualified and short:
            rules = sorted({rule for s in rec.disqualified for rule in s.disqualified_by})
            console.print(escape(f"Disqualified: {len(rec.disqualified)} ({', '.join(rules)}; `--all` lists them)."))
        elif rec.disqualified:
            console.print(f"\nDisqualified ({len(rec.disqualified)}): " + "; ".join(
                f"{s.machine_id} ({', '.join(s.disqualified_by)})" for s in rec.disqualified))
        if rec.not_offered:
            console.print(escape(f"{gap}Not sold in {rec.market} or kept only as upgrade baselines: "
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
        console, buffer = _console(self.width)
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
        console, buffer = _console(self.width)
        console.print(escape(title))
        console.print(_score_table(scores, ranked=False, width=self.width))
        for score in scores:
            console.print(f"\n{score.machine_config}: " + ("DISQUALIFIED by " + ", ".join(score.disqualified_by)
                                                          if score.disqualified else f"total {score.total}"))
            for finding in score.findings:
                console.print(escape(terminal_line(f"  [{finding.effect.label}] {finding.rule_id}: {finding.message}")))
        return terminal(buffer.getvalue())
