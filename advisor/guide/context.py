"""The template context of a guide in one language, and its charts, from the language-neutral GuideData.

Every number placed here is read from the recommendation (totals, criterion scores, predictions, prices, the
verdict's reasons) or from the tiers and flips computed over it; every source cited is collected once for the
evidence appendix. Strings are raw here; the Markdown renderer escapes them (advisor.render.escape).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from advisor.guide import charts
from advisor.guide.build import GuideData, ProfileGuide
from advisor.guide.flips import Flips
from advisor.guide.i18n import Catalog
from advisor.guide.tiers import GAP_POINTS, Difference, Tier
from advisor.types import Finding, Knowledge, Score
from advisor.types.hardware import Price
from advisor.types.knowledge import STRONG_LEVELS_BY_KIND
from advisor.types.provenance import CONFIDENCE_ORDER

MATRIX_ROWS = 8  # policy: the comparison matrix shows the top eight machines of each profile
CHART_PICKS = 4  # machines in the per-criterion chart: the verdict's, best first
UNCONFIRMED = ("seed-claim", "refuted")  # never stated as facts: labelled wherever they appear


@dataclass(frozen=True)
class Caveat:
    """A caveat the guide states once: its key (anchor), heading, and the rules whose findings it stands for."""

    key: str
    title: str
    body: str
    rules: tuple[str, ...]


# The three caveats of issue 14, each a summary of what its rules' messages say (knowledge/rules/), citing the
# rules' own sources; the per-machine findings of these rules are not repeated under each machine.
CAVEATS = (
    Caveat("fsync", "fsync-heavy local services",
           "Local services that fsync on every commit (etcd in kind, PostgreSQL, MySQL) wait for the drive to flush "
           "its volatile write cache; without power-loss protection each flush costs milliseconds. For tests, run "
           "them on tmpfs or with fsync off. go build is not affected: its cache never fsyncs.",
           ("storage.fsync-services-no-plp",)),
    Caveat("images", "arm64 laptops and amd64 images",
           "On an arm64 machine, container images published only for amd64 run under emulation, several times "
           "slower and sometimes not at all. Pure-Go cross builds to amd64 are fast, but cgo needs a C cross-compiler "
           "for amd64, and architecture-specific bugs only show in CI or an amd64 VM.",
           ("platform.amd64-images-on-arm64", "platform.cgo-cross-to-amd64", "platform.arm64-deploys-amd64")),
    Caveat("race", "-race on windows/arm64",
           "The race detector does not support windows/arm64: on a Windows laptop with an arm64 CPU, run go test "
           "-race in WSL2 (linux/arm64 is supported) or in CI, and expect C toolchains and Docker images for it to "
           "lag behind.",
           ("platform.no-race-here", "platform.windows-arm64-toolchains")),
)
CAVEAT_RULES = frozenset(rule for caveat in CAVEATS for rule in caveat.rules)


class Citations:
    """The sources a guide cites and, for each, the confidence of the values it is cited for."""

    def __init__(self, knowledge: Knowledge) -> None:
        self.knowledge = knowledge
        self.cited: dict[str, set[str]] = {}

    def cite(self, source: str | None, confidence: str | None) -> str | None:
        """The id when the bibliography has it (recorded for the appendix), else None."""
        if source is None or source not in self.knowledge.sources:
            return None
        self.cited.setdefault(source, set())
        if confidence:
            self.cited[source].add(confidence)
        return source

    def cite_all(self, sources: tuple[str, ...], confidence: str | None) -> list[str]:
        return [s for s in (self.cite(source, confidence) for source in sources) if s is not None]

    def appendix(self) -> list[dict[str, Any]]:
        """One entry per cited source, by id: title, where it is, kind, what it can establish, its dates."""
        entries = []
        for sid in sorted(self.cited):
            src = self.knowledge.sources[sid]
            levels = sorted(self.cited[sid], key=lambda level: (CONFIDENCE_ORDER + ("unsourced",)).index(level))
            entries.append({"id": sid, "title": src.title, "url": src.url, "repo": src.repo, "path": src.path,
                            "publisher": src.publisher, "kind": src.kind,
                            "supports": sorted(STRONG_LEVELS_BY_KIND[src.kind]), "cited_as": levels,
                            "unconfirmed": any(level in UNCONFIRMED for level in levels),
                            "date": src.date, "accessed": src.accessed})
        return entries


def _price(price: Price | None, citations: Citations) -> dict[str, Any] | None:
    if price is None:
        return None
    return {"amount": price.amount, "currency": price.currency, "kind": price.kind, "seen": price.seen,
            "confidence": price.confidence, "source": citations.cite(price.source, price.confidence),
            "source_id": price.source, "unconfirmed": price.confidence in UNCONFIRMED}


def _finding(finding: Finding, citations: Citations, catalog: Catalog) -> dict[str, Any]:
    return {"rule": finding.rule_id, "criterion": finding.criterion, "effect": finding.effect.label,
            "message": catalog.sentence(finding.message), "confidence": finding.confidence,
            "threshold": finding.threshold,
            "sources": citations.cite_all(finding.sources, finding.confidence),
            "unconfirmed": finding.confidence in UNCONFIRMED}


def _prediction(score: Score, name: str) -> dict[str, Any] | None:
    quantity = score.metrics.quantities.get(name)
    if quantity is None or quantity.value is None:
        return None
    return {"value": quantity.value, "unit": quantity.unit, "confidence": quantity.confidence,
            "unconfirmed": quantity.confidence in UNCONFIRMED}


def _machine(score: Score, rank: int | None, words: Callable[[float], str], citations: Citations) -> dict[str, Any]:
    """One scored machine as the guide shows it."""
    return {"id": score.machine_config, "machine": score.machine_id, "label": score.label, "rank": rank,
            "total": score.total, "rating": score.rating,
            "criteria": {c.criterion: {"score": c.score, "word": None if c.score is None else words(c.score),
                                       "applicable": c.applicable, "confidence": c.confidence}
                         for c in score.criteria},
            "wait": _prediction(score, "daily_wait_min"), "headroom": _prediction(score, "memory_headroom_gb"),
            "price": _price(score.price, citations)}


def _difference(item: Difference) -> dict[str, Any]:
    return {"criterion": item.criterion, "mine": item.mine, "theirs": item.theirs}


def _tier(tier: Tier, above: Tier | None, words: Callable[[float], str], citations: Citations) -> dict[str, Any]:
    return {"low": tier.low, "high": tier.high, "machines": tier.machines,
            "best": _machine(tier.best, None, words, citations),
            "next": None if above is None else {"label": above.best.label, "id": above.best.machine_config},
            "gives_up": [_difference(d) for d in tier.gives_up], "keeps": [_difference(d) for d in tier.keeps],
            "saves": tier.saves}


def _flips(flips: Flips, section: ProfileGuide) -> dict[str, Any]:
    smallest = flips.smallest_weight
    budget = flips.budget
    return {"weights": [{"criterion": f.criterion, "old": f.old, "new": f.new, "label": f.label, "id": f.machine_config,
                         "total": f.total, "smallest": f is smallest} for f in flips.weights],
            "unflipped": list(flips.unflipped), "grid": list(flips.weight_grid),
            "budget": None if budget is None else {"old": budget.old, "amount": budget.amount,
                                                    "currency": budget.currency, "label": budget.label,
                                                    "id": budget.machine_config, "total": budget.total},
            "budgets_tried": len(flips.budgets_tried), "currency": section.currency}


def _chart_files(section: ProfileGuide, catalog: Catalog, criteria: list[tuple[str, str]]
                 ) -> tuple[list[dict[str, str]], dict[str, str]]:
    """The section's three charts: (what the template embeds, file name -> SVG text)."""
    t = catalog.text
    rec, pid = section.rec, section.rec.profile.id
    points = [charts.PricePoint(s.machine_config, s.label, s.price.amount, wait)
              for s in rec.ranked if s.price is not None and s.price.currency == section.currency
              and (wait := s.metrics.value("daily_wait_min")) is not None]
    picked: list[Score] = []
    by_id = {s.machine_config: s for s in rec.ranked}
    for pick in rec.verdict:
        score = by_id.get(pick.machine_config)
        if score is not None and score not in picked and len(picked) < CHART_PICKS:
            picked.append(score)
    bars = [(s.label, {c.criterion: c.score for c in s.criteria}) for s in picked]
    waits = [(s.label, wait) for s in rec.ranked if (wait := s.metrics.value("daily_wait_min")) is not None]
    shown = [
        (f"{pid}-price-vs-wait.svg", t("Price against predicted minutes a day waiting on builds and tests"),
         charts.price_vs_wait(points, {
             "title": t("Price against predicted minutes a day waiting on builds and tests"),
             "x": t("price ({currency})", currency=section.currency), "y": t("minutes a day waiting (predicted)"),
             "front": t("Pareto front: nothing cheaper waits less"), "currency": section.currency,
             "minutes": t("min a day")})),
        (f"{pid}-criteria.svg", t("Per-criterion scores of the verdict's machines"),
         charts.criterion_bars(bars, [(c, t(c)) for c, _ in criteria], {
             "title": t("Per-criterion scores of the verdict's machines"), "y": t("score (0-100)")})),
        (f"{pid}-wait.svg", t("Predicted minutes a day waiting, per machine"),
         charts.wait_bars(waits, {"title": t("Predicted minutes a day waiting, per machine"),
                                  "x": t("minutes a day waiting (predicted)")})),
    ]
    return ([{"file": name, "title": title} for name, title, _ in shown], {name: svg for name, _, svg in shown})


def _section(section: ProfileGuide, catalog: Catalog, citations: Citations, words: Callable[[float], str]
             ) -> tuple[dict[str, Any], dict[str, str]]:
    rec = section.rec
    by_id = {s.machine_config: s for s in rec.ranked}
    labels = {s.machine_config: s.label for s in rec.ranked}
    criteria = [(c.criterion, c.short or c.criterion) for c in rec.ranked[0].criteria if c.applicable] \
        if rec.ranked else []
    verdict = []
    for pick in rec.verdict:
        score = by_id[pick.machine_config]
        decided = [_finding(f, citations, catalog) for f in score.findings
                   if f.rule_id not in CAVEAT_RULES and (f.effect.penalty or f.effect.bonus or f.effect.disqualify)]
        verdict.append({"role": pick.role, "id": pick.machine_config, "label": pick.label, "total": pick.total,
                        "rating": score.rating, "price": _price(score.price, citations),
                        "reasons": [catalog.sentence(reason) for reason in pick.reasons],
                        "against": labels.get(pick.against or "", pick.against), "findings": decided})
    ranked_tiers = list(section.tiers)
    figures, files = _chart_files(section, catalog, criteria)
    profile = rec.profile
    return ({
        "id": profile.id, "name": profile.name, "description": profile.description, "market": rec.market,
        "currency": section.currency, "evidence": rec.evidence, "rules_backend": rec.rules_backend,
        "budget": None if profile.budget is None else {"amount": profile.budget.amount,
                                                       "currency": profile.budget.currency},
        "weights": {name: rec.weights[name] for name, _ in criteria},
        "criteria": [{"name": name, "short": short} for name, short in criteria],
        "ranked_count": len(rec.ranked), "disqualified_count": len(rec.disqualified),
        "unpriced_count": len(rec.unpriced), "not_offered_count": len(rec.not_offered),
        "verdict": verdict,
        "tiers": [_tier(tier, ranked_tiers[i + 1] if i + 1 < len(ranked_tiers) else None, words, citations)
                  for i, tier in enumerate(ranked_tiers)],
        "matrix": [_machine(s, i + 1, words, citations) for i, s in enumerate(rec.ranked[:MATRIX_ROWS])],
        "wait_confidence": sorted({q.confidence for s in rec.ranked[:MATRIX_ROWS]
                                   if (q := s.metrics.quantities.get("daily_wait_min")) is not None and q.confidence},
                                  key=(*CONFIDENCE_ORDER, "unsourced").index),
        "flips": _flips(section.flips, section),
        "charts": figures,
        "caveats": _caveat_hits(rec.ranked),
    }, files)


def _caveat_hits(ranked: tuple[Score, ...]) -> dict[str, list[str]]:
    """Caveat key -> labels of the ranked machines any of its rules fired for, in rank order."""
    hits: dict[str, list[str]] = {}
    for caveat in CAVEATS:
        hits[caveat.key] = [s.label for s in ranked if any(f.rule_id in caveat.rules for f in s.findings)]
    return hits


def guide_context(guide: GuideData, catalog: Catalog) -> tuple[dict[str, Any], dict[str, str]]:
    """(template context, chart file name -> SVG) of the guide in the catalog's language."""
    knowledge = guide.data.knowledge
    citations = Citations(knowledge)
    scoring = knowledge.scoring
    sections, files = [], {}
    for section in guide.sections:
        built, svgs = _section(section, catalog, citations, scoring.rating)
        sections.append(built)
        files.update(svgs)
    caveats = []
    for caveat in CAVEATS:
        rules = [knowledge.rules_by_id[r] for r in caveat.rules if r in knowledge.rules_by_id]
        if not rules:
            continue  # a knowledge folder without these rules: nothing to cite, so nothing is said
        caveats.append({"key": caveat.key, "title": caveat.title, "body": caveat.body,
                        "rules": [{"id": rule.id, "confidence": rule.confidence, "threshold": rule.threshold,
                                   "unconfirmed": rule.confidence in UNCONFIRMED,
                                   "sources": citations.cite_all(rule.sources, rule.confidence)} for rule in rules],
                        "hits": {s["id"]: s["caveats"][caveat.key] for s in sections}})
    policy = citations.cite_all(scoring.sources, None)
    method = {"criteria": [{"name": name, "description": policy_.description, "weight": scoring.default_weights[name]}
                           for name, policy_ in scoring.criteria.items()],
              "ratings": [{"floor": floor, "word": word} for floor, word in scoring.ratings],
              "sources": policy, "evidence": guide.evidence,
              "rules_backend": guide.sections[0].rec.rules_backend}
    context = {"lang": catalog.lang, "sections": sections, "caveats": caveats, "method": method,
               "sources": citations.appendix(), "matrix_rows": MATRIX_ROWS,
               "tier_gap": GAP_POINTS}
    return context, files
