"""Score a read quote sheet: each matched row at its quoted price, every other row reported by number."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Callable, Mapping

from advisor.errors import InputError
from advisor.predict import primary_os
from advisor.sheets.match import RowMatch, configs_by_machine, match_row
from advisor.sheets.read import QuoteRow, QuoteSheet
from advisor.types import MachineConfig, Profile, Score
from advisor.types.hardware import MARKET_CURRENCY, Price

if TYPE_CHECKING:
    from advisor.api import Data


@dataclass
class ScoredRow:
    """One quote row with what it matched, its score (None when it needs mapping) and how its price was read."""

    quote: QuoteRow
    match: RowMatch
    score: Score | None = None
    price_note: str = ""
    rank: int | None = None
    config: MachineConfig | None = None  # the configuration scored, at the quoted price


@dataclass
class ScoredSheet:
    """The scored rows in sheet order, the weights used and the rates quoted prices were converted with."""

    sheet: QuoteSheet
    rows: list[ScoredRow]
    weights: dict[str, float]
    market: str
    currency: str
    rates_note: str
    sources: dict[str, object] = field(default_factory=dict)
    # configuration id -> the OS it would run for the profile (the verdict's best per OS); empty when the
    # profile names its OSes, as recommend's verdict then names none per OS
    primary_os: dict[str, str] = field(default_factory=dict)

    @property
    def needs_mapping(self) -> list[ScoredRow]:
        return [r for r in self.rows if r.score is None]


def usd_rates(data: Data) -> dict[str, float]:
    """USD per unit of each currency: the coefficient recommend converts budgets and prices with."""
    rates = data.knowledge.coefficient("currency.usd_per_unit").value
    assert isinstance(rates, dict)
    return {str(code): float(value) for code, value in rates.items()}


def quoted(mc: MachineConfig, amount: float, currency: str, market: str, rates: Mapping[str, float]
           ) -> tuple[MachineConfig, str]:
    """The configuration with the quote as its only price in the buyer's market (converted to that market's
    currency at the tool's rates), and a note saying how."""
    target = MARKET_CURRENCY[market]
    if currency not in rates or target not in rates:
        raise InputError(f"currency {currency!r}: no conversion rate (known: {', '.join(sorted(rates))})")
    value = round(amount * rates[currency] / rates[target], 2)
    note = f"quoted {amount:,.2f} {currency}" + (
        "" if currency == target else f" = {value:,.2f} {target} at {rates[currency]} USD per {currency}"
        + ("" if target == "USD" else f" and {rates[target]} USD per {target}") + " (currency.usd_per_unit)")
    # the buyer's own quote is documented; converted, it rests on the estimated rates as well
    price = Price(amount=value, currency=target, market=market, kind="street", seen=date.today().isoformat(),
                  source="quote", confidence="documented" if currency == target else "estimate", note=note)
    config = mc.config.model_copy(update={"prices": (price,), "no_public_price": ()})
    return mc.model_copy(update={"config": config}), note


def _score_row(quote: QuoteRow, profile: Profile, data: Data, evidence: str, weights: Mapping[str, float],
               grouped: Mapping[str, list[MachineConfig]], rates: Mapping[str, float]) -> ScoredRow:
    """One quote matched and, when it matched, scored at its quoted price (else the database's)."""
    from advisor.api import iter_scores, pick  # noqa: PLC0415  (the API imports this package lazily too)

    market = profile.buyer_market
    target = MARKET_CURRENCY[market]
    match = match_row(quote, data.catalog, grouped)
    row = ScoredRow(quote, match)
    if not match.matched:
        return row
    configs = match.configs
    if "price" in quote.fields:
        currency = quote.fields.get("currency") or target
        priced = [quoted(mc, quote.fields["price"], currency, market, rates) for mc in configs]
        configs = [mc for mc, _ in priced]
        row.price_note = priced[0][1]
    else:
        price = configs[0].config.market_price(market)
        row.price_note = (f"database price {price.amount:,.2f} {price.currency} ({price.source})" if price
                          else f"no price quoted or known in {market}")
    scores = [score for mc in configs for score in iter_scores([mc], profile, data, evidence, weights)]
    row.score = pick(scores, profile)
    row.config = next(mc for mc in configs if mc.id == row.score.machine_config)
    return row


def score_sheet(sheet: QuoteSheet, profile: Profile, data: Data, evidence: str,
                weights: Mapping[str, float], progress: Callable[[], None] | None = None) -> ScoredSheet:
    """Match every row, score the matched ones (a quoted price replacing the database's) and rank them;
    `progress` is called once per row done."""
    from advisor.scoring import effective_weights  # noqa: PLC0415

    market = profile.buyer_market
    target = MARKET_CURRENCY[market]
    rates = usd_rates(data)
    grouped = configs_by_machine(data.machine_configs())
    rows: list[ScoredRow] = []
    by_number: dict[int, ScoredRow] = {}
    for quote in sheet.rows:
        first = by_number.get(quote.duplicate_of or 0)
        if first is not None:  # an exact duplicate is scored once: it shares its first row's match and score
            row = ScoredRow(quote, first.match, first.score, first.price_note, config=first.config)
        else:
            row = _score_row(quote, profile, data, evidence, weights, grouped, rates)
        rows.append(row)
        by_number[quote.row] = row
        if progress is not None:
            progress()
    # Ranked as the sheet's RANK-like formula ranks: 1 + how many eligible rows total more, so equal totals
    # (a quote listed twice) share a rank and a recalculating spreadsheet agrees with the tool.
    totals = [r.score.total for r in rows if r.score is not None and not r.score.disqualified]
    for r in rows:
        if r.score is not None and not r.score.disqualified:
            r.rank = 1 + sum(1 for total in totals if total > r.score.total)
    used = sorted({c for r in rows for c in [r.quote.fields.get("currency") or target, target]})
    rates_note = "; ".join(f"1 {c} = {rates[c]} USD" for c in used if c in rates and c != "USD")
    cited = sorted({s for r in rows if r.score for f in r.score.findings for s in f.sources})
    os_of = {} if profile.os else {r.config.id: primary_os(r.config, profile) for r in rows if r.config is not None}
    return ScoredSheet(sheet, rows, effective_weights(data.knowledge.scoring, profile, dict(weights)), market,
                       target, rates_note or "all prices in USD",
                       {s: data.knowledge.sources[s] for s in cited if s in data.knowledge.sources}, os_of)
