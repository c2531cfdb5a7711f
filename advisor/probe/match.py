"""`probe --match`: the database CPU and machine closest to what the probe read, with how sure the match is.

difflib is enough: the names are short and the decisive part is the model number, which must match exactly.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

from advisor.types.hardware import Catalog, Cpu, Machine

# Noise vendors put into CPU names: trademarks, "CPU", the clock, the integrated GPU, the generation prefix.
_NOISE = [r"\(r\)", r"\(tm\)", "®", "™", r"\bcpu\b", r"\bprocessor\b", r"@.*$", r"\bw/.*$", r"\bwith .*graphics.*$",
          r"\b\d+(st|nd|rd|th) gen\b", r"\bmobile\b", r"\d+-core\b"]
# Below this similarity a name is not taken for a match even when its model numbers are all there.
MIN_CPU_SIMILARITY = 0.6
MIN_MACHINE_SIMILARITY = 0.45


def normalize(name: str) -> str:
    """Lowercase, noise removed, one space between words: `intel core i7-1260p`."""
    text = name.lower()
    text = re.sub(r"\s*\([^)]*core[^)]*\)", "", text)  # the database's "(12-core CPU)" qualifier
    for pattern in _NOISE:
        text = re.sub(pattern, " ", text)
    return " ".join(re.sub(r"[^a-z0-9+\-. ]", " ", text).split())


def _model_tokens(text: str) -> set[str]:
    """Words holding a digit, hyphens dropped (`i71260p`, `7840u`, `m2`, `x1e78100`, as Windows writes
    Qualcomm's): a CPU match needs all of a candidate's."""
    return {word.replace("-", "") for word in text.split() if any(ch.isdigit() for ch in word)}


@dataclass(frozen=True)
class Match:
    """A database record taken for the probed one, or none, and why."""

    id: str | None
    name: str | None
    score: float  # CPU: name similarity 0-1; machine: similarity plus 0.1 per shared model number
    how: str


def match_cpu(name: str | None, catalog: Catalog, cores: int | None = None) -> Match:
    """The database CPU whose name has every model number of the probed one, most similar first; cores break
    ties (Apple's M2 Pro comes as 10 and 12 cores)."""
    if not name:
        return Match(None, None, 0.0, "no CPU name to match")
    probed = normalize(name)
    words = _model_tokens(probed)
    scored: list[tuple[float, int, str, Cpu]] = []
    for cpu in catalog.cpus.values():
        candidate = normalize(cpu.name)
        if not _model_tokens(candidate) or not _model_tokens(candidate) <= words:
            continue
        similarity = SequenceMatcher(None, probed, candidate).ratio()
        total = cpu.performance_cores.value + cpu.efficiency_cores.value
        scored.append((similarity, -abs(total - cores) if cores else 0, cpu.id, cpu))
    if not scored:
        return Match(None, None, 0.0, f"no database CPU has the model number of {name!r} ({probed!r})")
    similarity, _, _, best = max(scored, key=lambda s: (s[0], s[1], s[2]))
    if similarity < MIN_CPU_SIMILARITY:
        return Match(None, None, similarity, f"closest, {best.id}, only {similarity:.2f} alike (below "
                                             f"{MIN_CPU_SIMILARITY})")
    tied = [s for s in scored if s[0] == similarity]
    how = f"normalized {probed!r} ~ {normalize(best.name)!r} ({similarity:.2f})"
    if len(tied) > 1:
        how += (f"; {len(tied)} alike, {best.performance_cores.value + best.efficiency_cores.value} cores "
                f"closest to the {cores} probed" if cores else f"; {len(tied)} alike, no core count to choose by")
    return Match(best.id, best.name, round(similarity, 3), how)


def match_machine(vendor: str | None, product: str | None, cpu_id: str | None, catalog: Catalog) -> Match:
    """The machine whose name is most like `vendor product` (DMI, or system_profiler's machine_name), among
    those offering the matched CPU when one was matched."""
    if not product:
        return Match(None, None, 0.0, "no product name to match (DMI or system_profiler unreadable)")
    probed = normalize(re.sub(r"\(.*?\)", " ", f"{vendor or ''} {product}"))
    probed = " ".join(dict.fromkeys(probed.split()))  # "Dell Inc. Dell XPS ..." reads once
    words = _model_tokens(probed)
    scored: list[tuple[float, str, Machine]] = []
    for machine in catalog.machines.values():
        if cpu_id is not None and cpu_id not in machine.cpu_options:
            continue
        candidate = normalize(re.sub(r"\(.*?\)", "", machine.name))
        similarity = SequenceMatcher(None, probed, candidate).ratio()
        # each model number shared (9320, x1, 14) counts beyond the spelling: "XPS 13 9320" is not "XPS 13 9310"
        scored.append((similarity + 0.1 * len(_model_tokens(candidate) & words), machine.id, machine))
    if not scored:
        scope = f" offering {cpu_id}" if cpu_id else ""
        return Match(None, None, 0.0, f"no database machine{scope} is named like {probed!r}")
    score, _, best = max(scored, key=lambda s: (s[0], s[1]))
    if score < MIN_MACHINE_SIMILARITY:
        return Match(None, None, round(score, 3), f"closest, {best.id}, only {score:.2f} alike")
    scope = f" among machines offering {cpu_id}" if cpu_id else ""
    return Match(best.id, best.name, round(score, 3), f"{probed!r} ~ {best.name!r} ({score:.2f}){scope}")
