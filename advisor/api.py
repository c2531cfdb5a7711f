"""The public Python API: the same calls the CLI makes, for scripts, notebooks and spreadsheets."""
from __future__ import annotations

import functools
from os import environ
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Hashable, Iterable, Iterator, Mapping

from pydantic import ValidationError

from advisor import engine
from advisor.catalog import load_catalog
from advisor.errors import InputError
from advisor.facts import assemble
from advisor.knowledge import load_knowledge, load_profile_file
from advisor.paths import data_dir
from advisor.predict import predict, primary_os
from advisor.render.templating import Templates
from advisor.scoring import best_per_machine, effective_weights, rank, rank_key, relative_facts
from advisor.scoring import score_config as _score_machine_config
from advisor.twins import metrics_as, score_as, twin_key
from advisor.types import (
    DEFAULT_EVIDENCE,
    EVIDENCE_CHOICES,
    Catalog,
    Input,
    Knowledge,
    MachineConfig,
    Metrics,
    Profile,
    Recommendation,
    Score,
    accepted_levels,
)
from advisor.types.hardware import MARKET_CURRENCY, weakest_drive
from advisor.types.results import Upgrade, UpgradeRow
from advisor.weights import parse_weights

if TYPE_CHECKING:
    from advisor.sheets.score import ScoredSheet
from advisor.verdict import verdict

# Predictions kept per profile and evidence level: every configuration of a database of ordinary size, a
# bounded share of a very large one (its scores then predict again rather than hold every prediction).
PREDICTIONS_KEPT = 16384


class Data:
    """Everything one run works with: knowledge base, hardware catalog, templates and the rules backend to use.

    The catalog may be given as a loader: it is then read on first use, so listings of the knowledge base
    never parse the hardware database.
    """

    def __init__(self, knowledge: Knowledge, catalog: Catalog | None = None, templates: Templates | None = None,
                 rules_backend: str = "auto", *, catalog_loader: Callable[[], Catalog] | None = None):
        if catalog is None and catalog_loader is None:
            raise TypeError("Data needs a catalog or a catalog_loader")
        self.knowledge = knowledge
        self._catalog = catalog
        self._catalog_loader = catalog_loader
        self.templates = templates if templates is not None else Templates()  # the built-in ones
        self.rules_backend = rules_backend
        # evidence level -> the rules engine compiled for the rules it admits; built on first use, per Data
        self._engines: dict[str, engine.Backend] = {}
        # (profile, evidence) -> the database's best value of each relatively scored fact
        self._best: dict[tuple[str, str], dict[str, Input]] = {}
        # (profile, evidence) -> twin key -> predictions: the best values and the scores share them
        self._predictions: dict[tuple[str, str], dict[Hashable, Metrics]] = {}
        self._configs: list[MachineConfig] | None = None

    @property
    def catalog(self) -> Catalog:
        """The hardware catalog, loaded on first use when it was given as a loader."""
        if self._catalog is None:
            assert self._catalog_loader is not None
            self._catalog = self._catalog_loader()
        return self._catalog

    def machine_configs(self) -> list[MachineConfig]:
        """Every configuration of the catalog, resolved once per Data: Catalog.machine_configs() without
        validating each MachineConfig, whose records are validated already. Validation would re-run each
        record's own checks, and a machine's duplicate-id check over its configurations: quadratic in them."""
        if self._configs is None:
            catalog = self.catalog
            configs = []
            for machine in catalog.machines.values():
                for config in machine.configurations:
                    drive = weakest_drive(config, catalog.ssds)
                    fields: dict[str, Any] = {"machine": machine, "config": config, "cpu": catalog.cpus[config.cpu],
                                              "ssd": catalog.ssds[drive.ssd], "drive": drive}
                    measured = catalog.measured_for(machine, config)
                    if measured is not None:  # set only when a record measured it, as the catalog resolves it
                        fields["measured_cpu_s_per_kloc"] = measured
                    configs.append(MachineConfig.model_construct(**fields))
            self._configs = sorted(configs, key=lambda mc: mc.id)
        return self._configs

    def predictions(self, mc: MachineConfig, profile: Profile, evidence: str, profile_key: str | None = None
                    ) -> Metrics:
        """predict() of one configuration, kept per Data for up to PREDICTIONS_KEPT distinct configurations
        of each profile and evidence level (twins share one)."""
        key = twin_key(mc, profile)
        if key is None:
            return predict(mc, profile, self.knowledge, evidence_levels(evidence))
        kept = self._predictions.setdefault((profile_key or profile.model_dump_json(), evidence), {})
        metrics = kept.get(key)
        if metrics is None:
            metrics = predict(mc, profile, self.knowledge, evidence_levels(evidence))
            if len(kept) < PREDICTIONS_KEPT:
                kept[key] = metrics
        return metrics_as(metrics, mc)

    def best_values(self, profile: Profile, evidence: str) -> dict[str, Input]:
        """For each fact a criterion scores against the database (per_doubling curves): its best (smallest)
        assessed value over every configuration in the database for this profile, and which one has it."""
        key = (profile.model_dump_json(), evidence)
        if key not in self._best:
            best: dict[str, Input] = {}
            names = relative_facts(self.knowledge.scoring)
            for mc in self.machine_configs():
                metrics = self.predictions(mc, profile, evidence, key[0])
                for name in names:
                    quantity = metrics.quantities.get(name)
                    if quantity is None or quantity.value is None or quantity.value <= 0:
                        continue
                    if name not in best or quantity.value < best[name].value:
                        best[name] = Input(name=f"best {name} in the database", value=quantity.value,
                                           unit=quantity.unit, source="model", confidence=quantity.confidence,
                                           note=mc.id)
            self._best[key] = best
        return self._best[key]

    def rules_engine(self, evidence: str) -> engine.Backend:
        """The compiled rules engine for the rules `evidence` admits (compiled once per Data and level)."""
        if evidence not in self._engines:
            accepted = evidence_levels(evidence)
            rules = [rule for rule in self.knowledge.rules if rule.confidence in accepted]
            self._engines[evidence] = engine.make_backend(rules, self.rules_backend)
        return self._engines[evidence]


@functools.lru_cache(maxsize=8)
def _load_knowledge(knowledge_dir: Path) -> Knowledge:
    return load_knowledge(knowledge_dir)


@functools.lru_cache(maxsize=8)
def _load_catalog(db_dir: Path, knowledge_dir: Path) -> Catalog:
    return load_catalog(db_dir, set(_load_knowledge(knowledge_dir).sources))


def load(db: str | Path | None = None, knowledge: str | Path | None = None, *, templates: str | Path | None = None,
         rules_backend: str = "auto") -> Data:
    """Load the built-in data, or the user's own copies of hardware_db/ and knowledge/.

    templates: a folder whose templates override the built-in ones (it must exist); rules_backend: auto
    (durable_rules where it imports, else the built-in evaluator), durable or builtin.
    """
    if rules_backend not in RULES_BACKENDS:
        raise InputError(f"rules backend {rules_backend!r}: not one of {', '.join(RULES_BACKENDS)}")
    db_dir = Path(db).resolve() if db else data_dir("hardware_db")
    knowledge_dir = Path(knowledge).resolve() if knowledge else data_dir("knowledge")
    return Data(knowledge=_load_knowledge(knowledge_dir), templates=Templates(templates), rules_backend=rules_backend,
                catalog_loader=functools.partial(_load_catalog, db_dir, knowledge_dir))


def resolve_profile(profile: str | Path | Profile, data: Data) -> Profile:
    """A Profile from a preset name, a YAML file path, or a Profile."""
    if isinstance(profile, Profile):
        return profile
    text = str(profile)
    if text in data.knowledge.presets:
        return data.knowledge.presets[text]
    path = Path(text)
    if path.suffix in (".yaml", ".yml") or path.exists():
        return load_profile_file(path)
    raise InputError(f"profile {text!r}: not a preset ({', '.join(sorted(data.knowledge.presets))}) nor a YAML file")


def apply_constraints(profile: Profile, budget: float | None = None, currency: str | None = None,
                      os: Iterable[str] = (), arch: Iterable[str] = (), market: str | None = None) -> Profile:
    """The profile with command-line constraints laid over it; the market, when not given, is the user's
    default (GO_ADVISOR_MARKET) or the budget currency's."""
    update: dict = {}
    market = market or (os_environ_market() if profile.market is None else None)
    if market is not None:
        if market not in MARKET_CURRENCY:
            raise InputError(f"--market: {market!r} is not one of {', '.join(MARKET_CURRENCY)}")
        update["market"] = market
    if budget is not None:
        update["budget"] = {"amount": budget,
                            "currency": currency or (profile.budget.currency if profile.budget else "USD")}
    elif currency is not None and profile.budget is not None:
        update["budget"] = {"amount": profile.budget.amount, "currency": currency}
    if tuple(os):
        update["os"] = tuple(os)
    if tuple(arch):
        update["arch"] = tuple(arch)
    if not update:
        return profile
    try:
        return Profile.model_validate({**profile.model_dump(), **update})
    except ValidationError as error:  # a library caller's bad constraint: one line, as the CLI gives it
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"])
        option = {"budget": "--budget", "os": "--os", "arch": "--arch", "market": "--market"}.get(
            str(first["loc"][0]), field)
        raise InputError(f"{option}: {field} {first['input']!r}: {first['msg']}") from None


def os_environ_market() -> str | None:
    """The user's default market, from the GO_ADVISOR_MARKET environment variable."""
    value = environ.get("GO_ADVISOR_MARKET", "").strip().lower()
    return value or None


def evidence_levels(evidence: str) -> frozenset[str]:
    """The confidence levels `evidence` accepts; an unknown level is an InputError."""
    if evidence not in EVIDENCE_CHOICES:
        raise InputError(f"--evidence: {evidence!r} is not one of {', '.join(EVIDENCE_CHOICES)}")
    return accepted_levels(evidence)


def iter_scores(configs: Iterable[MachineConfig], profile: Profile, data: Data, evidence: str = DEFAULT_EVIDENCE,
                weights: Mapping[str, float] | None = None) -> Iterator[Score]:
    """score_configs, one score at a time and grouped by twins (configurations that differ only in their id,
    evaluated once), so a caller that keeps only some scores holds only those."""
    accepted = evidence_levels(evidence)
    knowledge = data.knowledge
    backend = data.rules_engine(evidence)
    all_weights = effective_weights(knowledge.scoring, profile, dict(weights or {}))
    best = data.best_values(profile, evidence)
    profile_key = profile.model_dump_json()
    groups: dict[Hashable, list[MachineConfig]] = {}
    for index, mc in enumerate(configs):
        groups.setdefault(twin_key(mc, profile) or ("alone", index), []).append(mc)
    for twins in groups.values():
        mc = twins[0]
        metrics = data.predictions(mc, profile, evidence, profile_key)
        facts = assemble(mc, profile, metrics, knowledge)
        applied, withheld = engine.evaluate(backend, knowledge, facts, accepted)
        first = _score_machine_config(mc, profile, metrics, facts, applied, withheld, knowledge.scoring, all_weights,
                             accepted, best)
        for twin in twins:
            yield score_as(first, twin)


def score_configs(configs: Iterable[MachineConfig], profile: Profile, data: Data, evidence: str = DEFAULT_EVIDENCE,
                  weights: Mapping[str, float] | None = None) -> list[Score]:
    """Predict, assemble facts, evaluate rules and score each configuration for the profile, in the order given."""
    configs = list(configs)
    by_id = {score.machine_config: score for score in iter_scores(configs, profile, data, evidence, weights)}
    return [by_id[mc.id] for mc in configs]


def _admissible(mc: MachineConfig, profile: Profile) -> bool:
    """Offered to this buyer: still sold, in their market, with an architecture they accept."""
    return (not mc.machine.baseline_only and profile.buyer_market in mc.machine.markets.value
            and (not profile.arch or mc.cpu.arch in profile.arch))


def _priced_if_budgeted(score: Score, profile: Profile) -> bool:
    return profile.budget is None or score.price is not None


def pick(scores: Iterable[Score], profile: Profile) -> Score:
    """The configuration shown for a machine everywhere (recommend, compare, explain, score): the best ranked
    of those not disqualified and, under a budget, priced in the buyer's market; else the best of all."""
    ranked = rank(scores)
    eligible = [s for s in ranked if not s.disqualified and _priced_if_budgeted(s, profile)]
    return (eligible or ranked)[0]


def _sorted_scores(offered: list[MachineConfig], chosen: Profile, data: Data, evidence: str,
                   weights: Mapping[str, float], keep_all: bool
                   ) -> tuple[list[Score], list[Score], list[Score], set[str]]:
    """(eligible, unpriced, disqualified) scores and every source their findings cite. Unless keep_all, only
    the best-ranked score of each machine in each list is kept: all recommend shows of the others."""
    kept: tuple[list[Score], list[Score], list[Score]] = ([], [], [])
    best: dict[tuple[int, str], Score] = {}
    cited: set[str] = set()
    for score in iter_scores(offered, chosen, data, evidence, weights):
        cited.update(source for finding in score.findings for source in finding.sources)
        group = 2 if score.disqualified else 0 if _priced_if_budgeted(score, chosen) else 1
        if keep_all:
            kept[group].append(score)
            continue
        slot = (group, score.machine_id)
        if slot not in best or rank_key(score) < rank_key(best[slot]):
            best[slot] = score
    for (group, _), score in best.items():
        kept[group].append(score)
    return kept[0], kept[1], kept[2], cited


def recommend(profile: str | Path | Profile = "microservice", *, db: str | Path | None = None,
              knowledge: str | Path | None = None, budget: float | None = None, currency: str | None = None,
              os: Iterable[str] = (), arch: Iterable[str] = (), market: str | None = None,
              weights: Mapping[str, float] | str | None = None, evidence: str = DEFAULT_EVIDENCE,
              all_configs: bool = False, data: Data | None = None) -> Recommendation:
    """Rank every machine sold in the buyer's market (its best configuration, or every configuration) for a
    profile; under a budget, configurations without a price there are listed apart, unranked."""
    data = data or load(db, knowledge)
    chosen = apply_constraints(resolve_profile(profile, data), budget, currency, os, arch, market)
    weight_map = parse_weights(weights) if isinstance(weights, str) else dict(weights or {})
    evidence_levels(evidence)  # validate early
    offered = [mc for mc in data.machine_configs() if _admissible(mc, chosen)]
    eligible, unpriced, excluded, cited = _sorted_scores(offered, chosen, data, evidence, weight_map, all_configs)
    ranked = rank(eligible) if all_configs else best_per_machine(eligible)
    shown = {r.machine_id for r in ranked}
    unpriced = rank(unpriced) if all_configs else [s for s in best_per_machine(unpriced) if s.machine_id not in shown]
    shown |= {s.machine_id for s in unpriced}
    disqualified = rank(excluded) if all_configs else [s for s in best_per_machine(excluded)
                                                        if s.machine_id not in shown]
    not_offered = sorted({mc.machine.id for mc in data.machine_configs()} - {mc.machine.id for mc in offered})
    os_of = {mc.id: primary_os(mc, chosen) for mc in offered}
    picks = verdict(ranked, os_of, os_fixed=bool(chosen.os))
    return Recommendation(profile=chosen, evidence=evidence,
                          weights=effective_weights(data.knowledge.scoring, chosen, weight_map),
                          ranked=tuple(ranked), disqualified=tuple(disqualified), unpriced=tuple(unpriced),
                          market=chosen.buyer_market, not_offered=tuple(not_offered), verdict=picks,
                          rules_backend=data.rules_engine(evidence).name,
                          sources={s: data.knowledge.sources[s] for s in sorted(cited) if s in data.knowledge.sources})


def score(machine: str, profile: str | Path | Profile = "microservice", *, evidence: str = DEFAULT_EVIDENCE,
          weights: Mapping[str, float] | str | None = None, data: Data | None = None,
          db: str | Path | None = None, knowledge: str | Path | None = None) -> Score:
    """The score of one machine (its best configuration) or one `machine/config` for a profile."""
    data = data or load(db, knowledge)
    chosen = resolve_profile(profile, data)
    configs = data.catalog.find_configs(machine)
    if not configs:
        raise InputError(f"machine {machine!r}: not in the hardware database (try `go-advisor db list`)")
    weight_map = parse_weights(weights) if isinstance(weights, str) else dict(weights or {})
    return pick(score_configs(configs, chosen, data, evidence, weight_map), chosen)


def scan_profile(path: str | Path, *, overrides: Mapping[str, object] | None = None, use_go: bool = False,
                 data: Data | None = None) -> Profile:
    """The Profile a Go module or workspace implies (see `go-advisor profile scan`); provenance says where each
    value came from."""
    from advisor.scan.measure import scan  # noqa: PLC0415
    from advisor.scan.profile import build_profile  # noqa: PLC0415

    data = data or load()
    return build_profile(scan(Path(path), use_go=use_go), data.knowledge, dict(overrides or {}))


def load_knowledge_only(knowledge: str | Path | None = None) -> Knowledge:
    """The knowledge base alone (db check validates the catalog itself)."""
    return load_knowledge(Path(knowledge).resolve() if knowledge else data_dir("knowledge"))


def explain(machine: str, profile: str | Path | Profile = "microservice", *, evidence: str = DEFAULT_EVIDENCE,
            weights: Mapping[str, float] | str | None = None, data: Data | None = None) -> dict[str, Any]:
    """Everything behind one machine's score (`go-advisor explain`): scores, hardware fields, predictions with
    their inputs, findings, and the sources cited; plain data, as `explain --format json` writes it."""
    from advisor.render.explain import explain_data  # noqa: PLC0415

    data = data or load()
    chosen = resolve_profile(profile, data)
    result = score(machine, chosen, evidence=evidence, weights=weights, data=data)
    config = data.catalog.find_configs(result.machine_config)[0]
    return explain_data(result, config, chosen, data.knowledge, evidence)


def compare(machines: Iterable[str], profile: str | Path | Profile = "microservice", *,
            evidence: str = DEFAULT_EVIDENCE, weights: Mapping[str, float] | str | None = None,
            data: Data | None = None) -> list[Score]:
    """The scores of two or more machines (or machine/config ids) for one profile, in the order given."""
    names = [machines] if isinstance(machines, str) else list(machines)
    if len(names) < 2:
        raise InputError("compare: name at least two machines")
    data = data or load()
    chosen = resolve_profile(profile, data)
    weight_map = parse_weights(weights) if isinstance(weights, str) else dict(weights or {})
    return [score(name, chosen, evidence=evidence, weights=weight_map, data=data) for name in names]


RULES_BACKENDS = ("auto", "durable", "builtin")  # load(rules_backend=...); the CLI reads GO_ADVISOR_RULES_BACKEND


def run_rule_examples(knowledge: str | Path | None = None, *, backends: Iterable[str] = ("builtin", "durable")):
    """Run every rule's inline examples (see `go-advisor knowledge test`); a ruletest.CaseReport."""
    from advisor.ruletest import run_cases  # noqa: PLC0415

    return run_cases(load_knowledge_only(knowledge), backends)


def upgrade(baseline: str, candidates: Iterable[str] = (), profile: str | Path | Profile = "microservice", *,
            hourly_cost: float | None = None, market: str | None = None, evidence: str = DEFAULT_EVIDENCE,
            weights: Mapping[str, float] | str | None = None, top: int = 5, data: Data | None = None) -> Upgrade:
    """Minutes a day each candidate saves against the laptop the user has now, and how many working days its
    price takes to pay back at an hourly cost; without candidates, the top recommended machines."""
    data = data or load()
    chosen = apply_constraints(resolve_profile(profile, data), market=market)
    now = score(baseline, chosen, evidence=evidence, weights=weights, data=data)
    names = list(candidates)
    others = ([score(name, chosen, evidence=evidence, weights=weights, data=data) for name in names] if names else
              list(recommend(chosen, evidence=evidence, weights=weights, data=data).ranked[:top]))
    currency = MARKET_CURRENCY[chosen.buyer_market]
    if hourly_cost is None:
        rates, policy = (data.knowledge.coefficient(c).value for c in ("currency.usd_per_unit",
                                                                         "upgrade.hourly_cost_usd"))
        assert isinstance(rates, dict) and not isinstance(policy, dict)
        usd = float(policy)
        hourly_cost = usd / float(rates[currency])
        note = (f"{hourly_cost:,.0f} {currency}/h: upgrade.hourly_cost_usd ({usd:.0f} USD, policy)" +
                ("" if currency == "USD" else " converted at the estimated currency.usd_per_unit rate") +
                "; set yours with --hourly-cost")
    else:
        if not hourly_cost > 0:
            raise InputError(f"--hourly-cost: {hourly_cost} must be positive")
        note = f"{hourly_cost:,.0f} {currency}/h (--hourly-cost)"
    rows = [upgrade_row(now, other, hourly_cost) for other in others]
    return Upgrade(baseline=now, rows=tuple(rows), hourly_cost=hourly_cost, currency=currency,
                   hourly_cost_note=note)


def upgrade_row(now: Score, candidate: Score, hourly_cost: float) -> UpgradeRow:
    """The minutes a day saved and the payback of one candidate (pure)."""
    before, after = now.metrics.value("daily_wait_min"), candidate.metrics.value("daily_wait_min")
    saved = None if before is None or after is None else before - after
    payback = None
    if saved is not None and saved > 0 and candidate.price is not None:
        payback = candidate.price.amount / (saved / 60 * hourly_cost)
    return UpgradeRow(score=candidate, minutes_saved_per_day=saved, payback_workdays=payback)


def score_rows(rows: Iterable[Mapping[str, object]], profile: str | Path | Profile = "microservice", *,
               market: str | None = None, weights: Mapping[str, float] | str | None = None,
               evidence: str = DEFAULT_EVIDENCE, mapping: Mapping[str, str] | None = None,
               data: Data | None = None, db: str | Path | None = None, knowledge: str | Path | None = None
               ) -> ScoredSheet:
    """Score quote rows (dicts whose keys are a sheet's headers) as `score-sheet` scores a sheet.

    >>> sheet = score_rows([{"Model": "Dell XPS 13 9310", "RAM": "16 GB", "Price": "999 EUR"}], market="eu")
    >>> [(r.quote.row, r.score.total if r.score else r.match.how) for r in sheet.rows]  # doctest: +SKIP
    """
    from advisor.sheets.read import rows_from_dicts  # noqa: PLC0415
    from advisor.sheets.score import score_sheet  # noqa: PLC0415

    data = data or load(db, knowledge)
    chosen = apply_constraints(resolve_profile(profile, data), market=market)
    weight_map = parse_weights(weights) if isinstance(weights, str) else dict(weights or {})
    evidence_levels(evidence)
    return score_sheet(rows_from_dicts(rows, mapping), chosen, data, evidence, weight_map)


def score_config(machine: str, *, cpu: str | None = None, ram_gb: object = None, storage_gb: object = None,
                 price: float | None = None, currency: str | None = None,
                 profile: str | Path | Profile = "microservice", market: str | None = None,
                 weights: Mapping[str, float] | str | None = None, evidence: str = DEFAULT_EVIDENCE,
                 data: Data | None = None, db: str | Path | None = None, knowledge: str | Path | None = None
                 ) -> Score:
    """The score of one machine in a configuration of your choosing, at your price; every value is checked
    against the machine's options (`ram_gb=999` is one InputError line)."""
    from advisor.sheets.adhoc import adhoc_config  # noqa: PLC0415
    from advisor.sheets.score import quoted, usd_rates  # noqa: PLC0415

    data = data or load(db, knowledge)
    chosen = apply_constraints(resolve_profile(profile, data), market=market)
    configs = [mc for mc in data.machine_configs() if mc.machine.id == machine]
    if not configs:
        raise InputError(f"machine {machine!r}: not in the hardware database (try `go-advisor db list`)")
    mc = adhoc_config(configs, cpu=cpu, ram_gb=ram_gb, storage_gb=storage_gb)
    if price is not None:
        if isinstance(price, bool) or not isinstance(price, (int, float)) or not price > 0 or price == float("inf"):
            raise InputError(f"price={price!r}: a positive number")
        target = MARKET_CURRENCY[chosen.buyer_market]
        mc, _ = quoted(mc, float(price), (currency or target).upper(), chosen.buyer_market, usd_rates(data))
    elif currency is not None:
        raise InputError("currency: only with price")
    weight_map = parse_weights(weights) if isinstance(weights, str) else dict(weights or {})
    return next(iter_scores([mc], chosen, data, evidence, weight_map))
