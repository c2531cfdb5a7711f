"""Quote rows matched to database machines and configurations: accepted only when clearly the one meant.

A match needs a similarity above THRESHOLD and a MARGIN over the runner-up; anything else goes to the
"needs mapping" report with its closest candidates, since a naive matcher put 4 of 20 quotes on the wrong
machine. difflib is enough (names are short; the model numbers decide), as in `probe --match`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Any, Mapping

from advisor.probe.match import _model_tokens, match_cpu
from advisor.sheets import units
from advisor.sheets.read import QuoteRow
from advisor.types import MachineConfig
from advisor.types.hardware import Catalog, Machine

THRESHOLD = 0.75
MARGIN = 0.06
CANDIDATES_SHOWN = 3
# Fields that say what is bought: a row with one of them unreadable or implausible is reported, not scored.
DECIDING = ("ram_gb", "storage_gb", "price", "currency")
# Drive capacities are sold as 500/512 and 1000/1024 GB: a quote's "1 TB" is either.
STORAGE_TOLERANCE = 0.05


@dataclass(frozen=True)
class Candidate:
    """A database machine or configuration and how alike the quote it is (0-1)."""

    id: str
    name: str
    score: float


@dataclass
class RowMatch:
    """What one quote row resolved to: configurations to score (one machine's), or why it needs mapping."""

    row: int
    configs: list[MachineConfig] = field(default_factory=list)
    cpu_id: str | None = None
    how: str = ""
    candidates: list[Candidate] = field(default_factory=list)

    @property
    def matched(self) -> bool:
        return bool(self.configs)


# Words that say nothing about which machine is meant ("13.5-inch" and "13.5" are the same screen).
_FILLER = {"inch", "in", "laptop", "notebook", "series"}
# Vendor names as Chinese buyers write them, and shorthand buyers use.
_VENDOR_NAMES = {"联想": "lenovo", "华为": "huawei", "小米": "xiaomi", "红米": "redmi", "荣耀": "honor", "戴尔": "dell",
                 "惠普": "hp", "华硕": "asus", "微软": "microsoft", "苹果": "apple", "宏碁": "acer"}
_SHORTHAND = {"mbp": ("macbook", "pro"), "mba": ("macbook", "air")}
# Name words a quote may leave out at no cost beyond the vendor's: the CPU maker a name adds in brackets.
_CPU_MAKERS = {"intel", "amd", "qualcomm"}


def _words(name: str) -> list[str]:
    """A model name as words: lowercase, vendor names in Latin letters, ordinals as numbers ("9th" is 9),
    Apple's chip tiers as one word ("m3pro": another machine than the M3's), memory and storage written into
    the name ("18/512", "16GB") and screen-size marks dropped; hyphenated codes ("darp11-b") kept whole."""
    text = name.casefold()
    for chinese, latin in _VENDOR_NAMES.items():
        text = text.replace(chinese, f" {latin} ")
    text = re.sub(r"(\d)\s*(?:-?inch\b|-?in\b|[\"”″])", r"\1 ", text)
    text = re.sub(r"\b\d+\s*(?:gb)?\s*/\s*\d+\s*(?:gb|tb)?\b|\b\d+\s*(?:gb|tb)\b", " ", text)
    text = re.sub(r"\b(\d+)(?:st|nd|rd|th)\b", r"\1", text)
    text = re.sub(r"\b(m\d)\s+(pro|max|ultra)\b", r"\1\2", text)
    words: list[str] = []
    for word in re.split(r"[^a-z0-9.+\-]+", text):
        word = word.strip(".-+")
        words.extend(_SHORTHAND.get(word, (word,)) if word and word not in _FILLER else ())
    return words


def _unglue(words: list[str], other: list[str]) -> list[str]:
    """Words written together ("xps13", "gen4") split as the other name writes them ("xps 13")."""
    pairs = set(zip(other, other[1:], strict=False))
    result: list[str] = []
    for word in words:
        glued = re.fullmatch(r"([a-z]+)([0-9]+)", word)
        result.extend(glued.groups() if glued and glued.groups() in pairs else (word,))
    return result


def _variants_named(words: list[str], names: set[str]) -> list[str]:
    """A quote's "ux3405ma" read as the name's "ux3405": up to three letters after a model code of four or more
    characters with a digit name a variant of the same machine (its colour, panel or region)."""
    result = []
    for word in words:
        codes = [word[:-k] for k in (1, 2, 3) if word not in names and word[-k:].isalpha() and word[:-k] in names
                 and len(word) - k >= 4 and any(ch.isdigit() for ch in word[:-k])]
        result.append(codes[0] if codes else word)
    return result


def similarity(quoted: str, machine: Machine, cpu_words: frozenset[str] = frozenset()) -> float:
    """How alike a quoted model name and a machine's name are, 0-1.

    A quote whose words are all in the machine's name scores 1 less 0.08 per word the name has beyond them
    (a quote drops the year, while "M4 Pro/M4 Max" names another machine than "M4"; the vendor and the CPU
    maker cost nothing); else the spelling similarity. Each model number of the quote (9310, m3, 2024) the
    name lacks costs 0.25. `cpu_words` are the words of the row's own CPU, which a model cell often repeats
    ("Surface Laptop 7 Snapdragon X Elite"): the name is also compared without them and the better taken."""
    plain = _similarity(_words(quoted), machine)
    mine = [w for w in _words(quoted) if w not in cpu_words]
    return max(plain, _similarity(mine, machine)) if cpu_words and mine else plain


def _similarity(quote_words: list[str], machine: Machine) -> float:
    theirs = _words(machine.name)
    mine = _unglue(quote_words, theirs)
    theirs = _unglue(theirs, mine)
    names = set(theirs)
    mine = _variants_named(mine, names)
    words = set(mine)
    if words and words <= names:
        free = _CPU_MAKERS | set(_words(machine.vendor))
        score = 1.0 - 0.08 * len(names - words - free)
    else:
        score = SequenceMatcher(None, " ".join(mine), " ".join(theirs)).ratio()
    missing = _model_tokens(" ".join(mine)) - _model_tokens(" ".join(theirs))
    return round(max(0.0, score - 0.25 * len(missing)), 3)


def _ranked(quoted: str, catalog: Catalog, cpu_id: str | None) -> list[Candidate]:
    cpu_words = frozenset(_words(catalog.cpus[cpu_id].name)) if cpu_id in catalog.cpus else frozenset()
    scored = []
    for machine in catalog.machines.values():
        score = similarity(quoted, machine, cpu_words if cpu_id in machine.cpu_options else frozenset())
        if cpu_id is not None and cpu_id not in machine.cpu_options:
            score *= 0.8  # the quote's CPU is not offered in this machine: it is probably not the one meant
        scored.append(Candidate(machine.id, machine.name, round(score, 3)))
    return sorted(scored, key=lambda c: (-c.score, c.id))


def _storage_fits(quoted: int, listed: int) -> bool:
    return abs(quoted - listed) <= STORAGE_TOLERANCE * max(quoted, listed)


def narrow(configs: list[MachineConfig], fields: Mapping[str, Any], cpu_id: str | None) -> list[MachineConfig]:
    """The machine's configurations that agree with the quote's CPU, RAM and storage (those given)."""
    return [mc for mc in configs
            if (cpu_id is None or mc.cpu.id == cpu_id)
            and ("ram_gb" not in fields or mc.config.ram_gb == fields["ram_gb"])
            and ("storage_gb" not in fields or _storage_fits(fields["storage_gb"], mc.config.storage_gb))]


def match_row(quote: QuoteRow, catalog: Catalog, configs_of: Mapping[str, list[MachineConfig]]) -> RowMatch:
    """Resolve one quote: its CPU against the CPU table, its model name against the machines, then its spec
    columns to the configurations of the machine matched."""
    fields = quote.fields
    result = RowMatch(quote.row)
    unread = [note for name, note in quote.unreadable.items() if name in DECIDING]
    if unread:  # scored without it, the quote would be scored as something it does not say
        result.how = "not scored: " + "; ".join(f"column {n.column!r}: {n.message}" for n in unread) + \
            " (fix the cell)"
        return result
    cpu_note = ""
    if fields.get("cpu"):
        cpu = match_cpu(fields["cpu"], catalog)
        result.cpu_id = cpu.id
        cpu_note = f"CPU {cpu.id}" if cpu.id else f"CPU {fields['cpu']!r} not in the CPU table ({cpu.how})"
    model = fields.get("model")
    if not model:
        if not fields.get("cpu"):
            result.how = "no model name or CPU"
            return result
        result.how = (f"spec-only row ({cpu_note}): not scored, the sheet gives no chassis (cooling, drive, "
                      "OS support) and none is guessed; add the model name")
        if result.cpu_id is not None:
            offered = [mc for group in configs_of.values() for mc in narrow(group, fields, result.cpu_id)]
            result.candidates = [Candidate(mc.id, mc.label, 0.0) for mc in offered[:CANDIDATES_SHOWN]]
            if not offered:
                result.how += "; no database configuration has this CPU, memory and storage"
        return result
    ranked = _ranked(model, catalog, result.cpu_id)
    result.candidates = ranked[:CANDIDATES_SHOWN]
    best = ranked[0]
    runner_up = ranked[1].score if len(ranked) > 1 else 0.0
    if best.score < THRESHOLD:
        result.how = f"no machine named like {model!r} (closest {best.score:.2f}, needs {THRESHOLD})"
        result.candidates = [c for c in result.candidates if c.score > 0]  # nothing alike is no candidate
        return result
    if best.score - runner_up < MARGIN:
        result.how = (f"{model!r} is ambiguous: {best.id} ({best.score:.2f}) and {ranked[1].id} "
                      f"({runner_up:.2f}) are within {MARGIN}")
        return result
    offered = configs_of.get(best.id, [])
    fields = {**spec_in_name(model), **fields}  # the sheet's columns first
    fitting = narrow(offered, fields, result.cpu_id)
    if not fitting:
        spec = ", ".join(f"{k} {fields[k]}" for k in ("ram_gb", "storage_gb") if k in fields)
        result.how = (f"{best.id} ({best.score:.2f}) has no configuration with "
                      f"{', '.join(filter(None, [cpu_note, spec]))}")
        result.candidates = [Candidate(mc.id, f"{mc.cpu.name} · {mc.config.ram_gb} GB/{mc.config.storage_gb} GB", 0.0)
                             for mc in offered[:CANDIDATES_SHOWN]]
        return result
    result.configs = fitting
    result.candidates = []
    several = f"; {len(fitting)} configurations fit, the best-scored is taken" if len(fitting) > 1 else ""
    result.how = f"{model!r} ~ {best.name!r} ({best.score:.2f}, runner-up {runner_up:.2f}){several}"
    return result


def spec_in_name(model: str) -> dict[str, int]:
    """Memory and storage a model name states as "18/512" or "16GB/1TB", when both read as a laptop's."""
    found = re.search(r"\b(\d+)\s*(?:gb)?\s*/\s*(\d+\s*(?:gb|tb)?)\b", model, re.IGNORECASE)
    if not found:
        return {}
    try:
        return {"ram_gb": units.memory_gb(found.group(1)), "storage_gb": units.storage_gb(found.group(2))}
    except units.UnitError:
        return {}


def configs_by_machine(configs: list[MachineConfig]) -> dict[str, list[MachineConfig]]:
    """machine id -> its configurations, in the order given."""
    grouped: dict[str, list[MachineConfig]] = {}
    for mc in configs:
        grouped.setdefault(mc.machine.id, []).append(mc)
    return grouped


def needs_mapping_line(match: RowMatch) -> str:
    """One line of the needs-mapping report: the row, why, and the closest candidates."""
    closest = "; ".join(f"{c.id} ({c.score:.2f})" if c.score else c.id for c in match.candidates)
    return f"row {match.row}: {match.how}" + (f" — closest: {closest}" if closest else "")


