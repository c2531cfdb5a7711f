"""`db check`: every error in the hardware database, and how well its scoring fields are evidenced."""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from pydantic import BaseModel

from advisor.catalog import Located, field_line, read_records, reference_problems
from advisor.errors import InputError, Problem
from advisor.facts import FACTS, HARDWARE_ORIGINS, FactContext, facts_read_by_scores, record_key
from advisor.output import json_text
from advisor.paths import data_dir
from advisor.types import CONFIDENCE_ORDER, Cpu, Knowledge, Machine, Metrics, Profile, Sourced, Ssd
from advisor.types.hardware import DriveSighting, Price, resolve
from advisor.types.knowledge import kinds_supporting

# The share of knowable scored fields that should be documented or measured (issue 11).
KNOWABLE_TARGET = 0.80
# Source kinds that neither publish a vendor figure nor reference it as a spec site does (`secondary` does):
# a hardware value resting on one is documented only when the source says which vendor document it restates.
RESTATING_KINDS = frozenset({"aggregator", "article", "news", "news-leak", "blog", "forum"})
# A measured value needs a source kind that measures (declared once, in types/knowledge.py).
MEASURING_KINDS = frozenset(kinds_supporting("measured"))

# Peak bandwidth may differ from bus x rate by rounding or a vendor's rounder figure.
BANDWIDTH_TOLERANCE = 0.05


@dataclass
class Report:
    errors: list[Problem] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    coverage: dict[str, Counter] = field(default_factory=dict)  # vendor -> confidence -> fields
    weakest: list[tuple[str, float, int]] = field(default_factory=list)  # record, strong share, fields
    lacking: dict[str, list[str]] = field(default_factory=dict)  # record -> what it still lacks
    scoring: Counter = field(default_factory=Counter)  # confidence -> knowable fields the model or a rule reads
    unknowable: dict[str, str] = field(default_factory=dict)  # "record field" -> why no public source settles it


def scoring_fields(records: dict[str, dict[str, Any]], knowledge: Knowledge) -> dict[tuple, tuple[str, str | None]]:
    """(record, field) -> confidence for every hardware fact a configuration's score reads, each counted once.

    The list comes from the fact registry (advisor/facts.py): what the model, the rules and the criteria
    read; given facts (ids, the configuration's own RAM and storage) are the question, not evidence.
    """
    specs = [FACTS[name] for name in facts_read_by_scores(knowledge) if FACTS[name].origin in HARDWARE_ORIGINS]
    cpus, ssds = records["cpus"], records["ssds"]
    used: dict[tuple, tuple[str, str | None]] = {}
    for machine in records["machines"].values():
        for config in machine.configurations:
            if config.cpu not in cpus or any(d.ssd not in ssds for d in config.drives):
                continue
            mc = resolve(machine, config, cpus, ssds)
            ctx = FactContext(mc=mc, profile=_NEUTRAL_PROFILE, metrics=Metrics(machine_config=mc.id, quantities={}),
                              knowledge=knowledge)
            for spec in specs:
                fact = spec.read(ctx)
                if fact is not None and fact.confidence is not None:
                    used[record_key(spec, mc)] = (fact.confidence, fact.unknowable)
    return used


# Hardware facts do not depend on the profile, except the price's currency (USD here).
_NEUTRAL_PROFILE = Profile(id="db-check", name="db check", description="reads hardware facts only", own_packages=1,
                           own_lines=1, dependency_packages=0, dependency_lines=0, edit_builds_per_day=0,
                           full_rebuilds_per_day=0, test_runs_per_day=0)


def _sourced_fields(value: Any) -> Iterator[tuple[str, Sourced]]:
    """(field path, value) for every sourced field of a record (prices and drive sightings left out)."""
    return ((path, item) for path, item in _evidenced(value) if isinstance(item, Sourced))


def consistency_problems(records: dict[str, dict[str, Any]],
                         locations: dict[tuple[str, str], Located]) -> list[Problem]:
    """Cross-record checks that a single record's schema cannot see."""
    problems: list[Problem] = []
    cpus: dict[str, Cpu] = records["cpus"]
    ssds: dict[str, Ssd] = records["ssds"]

    def at(kind: str, record_id: str) -> Located:
        return locations[(kind, record_id)]

    for cpu_id, cpu in sorted(cpus.items()):
        where = at("cpus", cpu_id)
        expected = cpu.memory_bus_width_bits.value * cpu.max_memory_transfer_mts.value / 8000
        stated = cpu.memory_bandwidth_gbs.value
        if abs(stated - expected) > BANDWIDTH_TOLERANCE * expected:
            problems.append(Problem(where.path, where.line, f"{cpu_id}.memory_bandwidth_gbs",
                                    f"{stated} GB/s does not match {cpu.memory_bus_width_bits.value}-bit x "
                                    f"{cpu.max_memory_transfer_mts.value} MT/s = {expected:.1f} GB/s"))
    seen_models: dict[tuple[str, str], str] = {}
    for machine_id, machine in sorted(records["machines"].items()):
        where = at("machines", machine_id)
        key = (machine.vendor.lower(), " ".join(machine.name.lower().split()))
        if key in seen_models:
            problems.append(Problem(where.path, where.line, f"{machine_id}.name",
                                    f"duplicate model {machine.name!r} (also {seen_models[key]})"))
        seen_models[key] = machine_id
        archs = {cpus[c].arch for c in machine.cpu_options if c in cpus}
        if len(archs) > 1:
            problems.append(Problem(where.path, where.line, f"{machine_id}.cpu_options",
                                    f"mixes architectures {sorted(archs)}; arm64 and x86 boards are separate models"))
        cpu_limits = [limit.value for c in machine.cpu_options
                      if c in cpus and (limit := cpus[c].max_memory_gb) is not None]
        if cpu_limits and len(cpu_limits) == len(machine.cpu_options) and machine.ram.max_gb.value > max(cpu_limits):
            problems.append(Problem(where.path, where.line, f"{machine_id}.ram.max_gb",
                                    f"{machine.ram.max_gb.value} GB exceeds what any of its CPUs supports "
                                    f"({max(cpu_limits)} GB)"))
        for config in machine.configurations:
            chosen = cpus.get(config.cpu)
            if chosen is not None and chosen.max_memory_gb is not None and config.ram_gb > chosen.max_memory_gb.value:
                problems.append(Problem(where.path, where.line, f"{machine_id}.configurations.{config.id}.ram_gb",
                                        f"{config.ram_gb} GB exceeds {chosen.id}'s maximum "
                                        f"{chosen.max_memory_gb.value} GB"))
            for drive in config.drives:
                ssd = ssds.get(drive.ssd)
                if ssd is not None and ssd.capacity(config.storage_gb) is None:
                    problems.append(Problem(where.path, where.line,
                                            f"{machine_id}.configurations.{config.id}.storage_gb",
                                            f"{ssd.id} is not rated at {config.storage_gb} GB"))
            priced = {p.market for p in config.prices} | {n.market for n in config.no_public_price}
            for market in ([] if machine.baseline_only else machine.markets.value):
                if market not in priced:
                    problems.append(Problem(where.path, where.line, f"{machine_id}.configurations.{config.id}.prices",
                                            f"offered in {market} but has neither a {market} price nor a "
                                            f"no_public_price entry saying why"))
            for price in config.prices:
                if price.market not in machine.markets.value:
                    problems.append(Problem(where.path, where.line, f"{machine_id}.configurations.{config.id}.prices",
                                            f"a {price.market} price, but {price.market} is not among the machine's "
                                            f"markets {list(machine.markets.value)}"))
            if config.storage_gb not in machine.storage.options_gb:
                problems.append(Problem(where.path, where.line, f"{machine_id}.configurations.{config.id}.storage_gb",
                                        f"{config.storage_gb} GB is not in storage.options_gb"))
            if config.ram_gb not in machine.ram.options_gb:
                problems.append(Problem(where.path, where.line, f"{machine_id}.configurations.{config.id}.ram_gb",
                                        f"{config.ram_gb} GB is not in ram.options_gb"))
        for os_name, entry in machine.os_support.items():
            if os_name == "macos" and machine.vendor != "Apple" and entry.level != "none":
                problems.append(Problem(where.path, where.line, f"{machine_id}.os_support.macos",
                                        "only Apple machines run macOS"))
    for ssd_id, ssd in sorted(ssds.items()):
        where = at("ssds", ssd_id)
        for capacity in ssd.capacities:
            if capacity.tbw is None:
                problems.append(Problem(where.path, where.line, f"{ssd_id}.capacities.{capacity.capacity_gb}.tbw",
                                        "a capacity without rated TBW (write an estimate with its derivation)"))
    return problems


def _evidenced(value: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """(field path, item) for everything that carries its own source and confidence: sourced values, prices
    and drive sightings."""
    if isinstance(value, (Sourced, Price, DriveSighting)):
        yield prefix.rstrip("."), value
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from _evidenced(getattr(value, name), f"{prefix}{name}.")
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            yield from _evidenced(item, f"{prefix}{index}.")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _evidenced(item, f"{prefix}{key}.")


def weak_source_problems(records: dict[str, dict[str, Any]], locations: dict[tuple[str, str], Located],
                         knowledge: Knowledge) -> list[Problem]:
    """A documented value must rest on a source that states it (or restates a named vendor document); a
    measured value on a measurement."""
    problems: list[Problem] = []
    for kind, by_id in records.items():
        for record_id in sorted(by_id):
            where = locations[(kind, record_id)]
            for field_path, item in _evidenced(by_id[record_id]):
                source = knowledge.sources.get(item.source)
                if source is None:
                    continue
                reason = None
                if item.confidence == "documented" and source.kind in RESTATING_KINDS and not source.restates:
                    reason = (f"documented on the strength of {source.kind} source {source.id!r}, which is not marked "
                              "as restating a named vendor document (restates:); cite the vendor or mark it estimate")
                elif item.confidence == "measured" and source.kind not in MEASURING_KINDS:
                    reason = (f"measured, but {source.id!r} is a {source.kind} source; a measured value cites a "
                              "review or measurement (kind: review) or is an estimate")
                if reason:
                    problems.append(Problem(where.path, field_line(where, field_path), f"{record_id}.{field_path}",
                                            reason))
    return problems


def _lacking(record: Any) -> list[str]:
    """What an outside contributor's record still lacks for a trustworthy score."""
    missing = []
    if isinstance(record, Machine):
        if record.cooling.sustained_power_w is None:
            missing.append("cooling.sustained_power_w (a review's measured sustained CPU power)")
        if record.battery_wh is None:
            missing.append("battery_wh")
        if not any(c.prices for c in record.configurations):
            missing.append("a price on any configuration")
        if "linux" not in record.os_support:
            missing.append("os_support.linux")
    if isinstance(record, Cpu):
        for name in ("base_clock_ghz", "l2_mb", "max_memory_gb"):
            if getattr(record, name) is None:
                missing.append(name)
        if all(getattr(record, name) is None for name in ("max_turbo_power_w", "package_power_measured_w",
                                                            "configurable_tdp_w")):
            missing.append("a power figure (max_turbo_power_w, package_power_measured_w or configurable_tdp_w)")
    return missing


def measurement_problems(db_dir: Path, machines: dict[str, Any]) -> list[Problem]:
    """Measured records in hardware_db/measurements/ that do not load or name no database machine."""
    from advisor.bench.record import load_record, record_files  # noqa: PLC0415
    from advisor.catalog import _problem_from_text  # noqa: PLC0415
    from advisor.measured import check_target  # noqa: PLC0415

    problems = []
    for path in record_files(db_dir / "measurements"):
        try:
            record = load_record(path)
            if record.machine.db_machine is not None:
                check_target(path, record.machine.db_machine, machines)
        except InputError as error:
            problems.append(_problem_from_text(path, str(error)))
    return problems


def check(db_dir: Path | None, knowledge: Knowledge) -> Report:
    """Every problem in the database plus its evidence coverage."""
    db_dir = db_dir or data_dir("hardware_db")
    records, locations, problems = read_records(db_dir)
    problems += reference_problems(records, locations, set(knowledge.sources))
    problems += consistency_problems(records, locations)
    problems += weak_source_problems(records, locations, knowledge)
    problems += measurement_problems(db_dir, records["machines"])
    report = Report(errors=problems, counts={kind: len(items) for kind, items in records.items()})
    per_vendor: dict[str, Counter] = defaultdict(Counter)
    weakest = []
    for kind, items in records.items():
        for record_id, record in items.items():
            fields = list(_sourced_fields(record))
            for _, sourced in fields:
                per_vendor[record.vendor][sourced.confidence] += 1
            strong = sum(1 for _, s in fields if s.confidence in ("documented", "measured"))
            if fields:
                weakest.append((f"{kind[:-1]} {record_id}", strong / len(fields), len(fields)))
            missing = _lacking(record)
            if missing:
                report.lacking[f"{kind[:-1]} {record_id}"] = missing
    report.coverage = dict(sorted(per_vendor.items()))
    fields_read = scoring_fields(records, knowledge)
    report.scoring = Counter(confidence for confidence, unknowable in fields_read.values() if unknowable is None)
    report.unknowable = {" ".join(key): unknowable for key, (_, unknowable) in sorted(fields_read.items())
                         if unknowable is not None}
    report.weakest = sorted(weakest, key=lambda w: (w[1], w[0]))[:15]
    return report


def _share(counter: Counter) -> float:
    count = sum(counter.values())
    return (counter["documented"] + counter["measured"]) / count if count else 0.0


def strong_share(report: Report) -> float:
    return _share(sum(report.coverage.values(), Counter()))


def format_report(report: Report, fmt: str) -> str:
    total = sum(report.coverage.values(), Counter())
    if fmt == "json":
        return json_text({
            "errors": [str(p) for p in report.errors], "counts": report.counts,
            "coverage": {v: dict(c) for v, c in report.coverage.items()}, "overall": dict(total),
            "documented_or_measured_share": round(strong_share(report), 4),
            "scoring_fields": dict(report.scoring),
            "scoring_documented_or_measured_share": round(_share(report.scoring), 4),
            "scoring_unknowable": report.unknowable,
            "weakest": [{"record": r, "documented_or_measured": round(s, 3), "fields": n}
                        for r, s, n in report.weakest],
            "lacking": report.lacking,
        })
    lines = [f"hardware_db: {report.counts.get('machines', 0)} machines, {report.counts.get('cpus', 0)} CPUs, "
             f"{report.counts.get('ssds', 0)} SSDs"]
    if report.errors:
        lines.append(f"\n{len(report.errors)} error(s):")
        lines += [f"  {p}" for p in report.errors]
    else:
        lines.append("no errors")
    count = sum(total.values())
    lines.append(f"\nEvidence of every sourced field ({count}): " + ", ".join(
        f"{level} {total[level]} ({100 * total[level] / count:.0f} %)" for level in CONFIDENCE_ORDER if total[level]))
    lines.append(f"documented or measured: {100 * strong_share(report):.0f} %")
    used = sum(report.scoring.values())
    lines.append(f"Fields a configuration's score reads whose truth is publicly knowable ({used}): " + ", ".join(
        f"{level} {report.scoring[level]}" for level in CONFIDENCE_ORDER if report.scoring[level]) +
        f"; documented or measured: {100 * _share(report.scoring):.0f} % (target {100 * KNOWABLE_TARGET:.0f} %)")
    reasons = Counter(report.unknowable.values())
    lines.append(f"Fields no public source can settle: {len(report.unknowable)}" +
                 "".join(f"\n  {count} x {reason}" for reason, count in reasons.most_common()))
    lines.append("\nPer vendor (documented / measured / estimate):")
    for vendor, counter in report.coverage.items():
        n = sum(counter.values())
        lines.append(f"  {vendor[:28]:28} {counter['documented']:4} / {counter['measured']:3} / {counter['estimate']:4}"
                     f"   {100 * (counter['documented'] + counter['measured']) / n:3.0f} % strong")
    lines.append("\nWeakest evidence (share of documented or measured fields):")
    lines += [f"  {record:58} {100 * share:3.0f} % of {n}" for record, share, n in report.weakest]
    if report.lacking:
        lines.append(f"\nStill lacking ({len(report.lacking)} records; see CONTRIBUTING in the README):")
        for record, missing in sorted(report.lacking.items())[:40]:
            lines.append(f"  {record}: {', '.join(missing)}")
        if len(report.lacking) > 40:
            lines.append(f"  ... and {len(report.lacking) - 40} more (use --format json)")
    return "\n".join(lines) + "\n"
