"""The verdict a ranking opens with: best pick, runner-up, best value and best per OS, each with reasons
computed as differences from the alternative it is weighed against."""
from __future__ import annotations

from typing import Mapping, Sequence

from advisor.types import Score
from advisor.types.results import VerdictPick

# Policy: a machine within this many points of the best pick's total counts as "about as good".
VALUE_WINDOW_POINTS = 5.0
OS_LABELS = {"macos": "macOS", "windows": "Windows", "linux": "Linux"}


def _value(score: Score, name: str) -> float | None:
    return score.metrics.value(name) if name in score.metrics.quantities else None


def _criterion(score: Score, name: str) -> float | None:
    return score.criterion_score(name).score


def _minutes(value: float) -> str:
    """Two significant figures at least, so a 1.1x difference never reads '0.6 vs 0.6'."""
    return f"{value:.2f}" if value < 1 else f"{value:.1f}" if value < 10 else f"{value:.0f}"


def reasons(pick: Score, other: Score) -> tuple[str, ...]:
    """Two or three reasons, each a number of the pick against the other's: build wait, memory headroom,
    the largest remaining criterion gap, and the price difference."""
    found: list[str] = []
    mine, theirs = _value(pick, "daily_wait_min"), _value(other, "daily_wait_min")
    if mine and theirs and abs(theirs / mine - 1) >= 0.05:
        ratio, both = theirs / mine, f"{_minutes(mine)} vs {_minutes(theirs)} min a day"
        found.append(f"waits {ratio:.1f}x less on builds and tests ({both})" if ratio > 1
                     else f"waits {1 / ratio:.1f}x longer on builds and tests ({both})")
    mine, theirs = _value(pick, "memory_headroom_gb"), _value(other, "memory_headroom_gb")
    if mine is not None and theirs is not None and abs(mine - theirs) >= 1:
        found.append(f"{abs(mine - theirs):.0f} GB {'more' if mine > theirs else 'less'} memory headroom at the "
                     f"predicted peak ({mine:.0f} vs {theirs:.0f} GB)")
    gaps = [(abs((_criterion(pick, c.criterion) or 0) - (_criterion(other, c.criterion) or 0)), c)
            for c in pick.criteria if c.criterion not in ("build", "memory", "budget")
            and c.score is not None and _criterion(other, c.criterion) is not None]
    if gaps:
        gap, criterion = max(gaps, key=lambda g: (g[0], g[1].criterion))
        if gap >= 10:
            theirs_score = _criterion(other, criterion.criterion) or 0
            found.append(f"{criterion.criterion} {criterion.score:.0f} vs {theirs_score:.0f}")
    if pick.price and other.price and pick.price.currency == other.price.currency:
        difference = pick.price.amount - other.price.amount
        if abs(difference) >= 1:
            found.append(f"for {abs(difference):,.0f} {pick.price.currency} {'more' if difference > 0 else 'less'}")
    if pick.assessed_count != other.assessed_count:  # totals on different bases: say so before anything else
        found.insert(0, f"its total rests on {pick.assessed_count} of {pick.weighted_count} criteria, the other's on "
                        f"{other.assessed_count} of {other.weighted_count}")
    return tuple(found[:3]) or (f"total {pick.total:.1f} vs {other.total:.1f}",)


def verdict(ranked: Sequence[Score], primary_os: Mapping[str, str], os_fixed: bool) -> tuple[VerdictPick, ...]:
    """Best pick and runner-up (each against the other), best value (the cheapest within VALUE_WINDOW_POINTS of
    the best, its total resting on as many criteria), and the best per OS when the user fixed none."""
    if not ranked:
        return ()
    best = ranked[0]
    picks: list[VerdictPick] = []
    runner = ranked[1] if len(ranked) > 1 else None
    picks.append(VerdictPick(role="best pick", machine_config=best.machine_config, label=best.label,
                             total=best.total, reasons=reasons(best, runner) if runner else ("the only candidate",),
                             against=runner.machine_config if runner else None))
    if runner:
        picks.append(VerdictPick(role="runner-up", machine_config=runner.machine_config, label=runner.label,
                                 total=runner.total, reasons=reasons(runner, best), against=best.machine_config))
    # only totals resting on as many criteria as the best pick's are comparable within the window
    close = [s for s in ranked[1:] if s.price and best.price and s.price.currency == best.price.currency
             and s.assessed_count == best.assessed_count
             and s.price.amount < best.price.amount and best.total - s.total <= VALUE_WINDOW_POINTS]
    if close:
        value = min(close, key=lambda s: (s.price.amount if s.price else 0, -s.total, s.machine_config))
        picks.append(VerdictPick(role="best value", machine_config=value.machine_config, label=value.label,
                                 total=value.total, reasons=reasons(value, best), against=best.machine_config))
    if not os_fixed:
        for os_name in ("macos", "windows", "linux"):
            first = next((s for s in ranked if primary_os.get(s.machine_config) == os_name), None)
            if first is not None and first is not best:
                picks.append(VerdictPick(role=f"best on {OS_LABELS[os_name]}", machine_config=first.machine_config,
                                         label=first.label, total=first.total, reasons=reasons(first, best),
                                         against=best.machine_config))
    return tuple(picks)
