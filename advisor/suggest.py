"""Ids a person typed, resolved: exact, else the only id it begins, else "did you mean" the closest (difflib).

One InputError line when an id cannot be resolved; the caller says on stderr which id a prefix was taken for.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Iterable

from advisor.errors import InputError

# difflib's ratio below which a candidate is no suggestion (0.6 is its documented default).
CUTOFF = 0.6
MOST = 3


def similar(word: str, candidates: Iterable[str], most: int = MOST) -> list[str]:
    """difflib's closest candidates, best first (the one similarity rule of every "did you mean")."""
    return difflib.get_close_matches(word, sorted(set(candidates)), n=most, cutoff=CUTOFF)


def closest(word: str, candidates: Iterable[str], most: int = MOST) -> list[str]:
    """The candidates nearest to word, best first: those it begins (shortest first), then the similar ones."""
    pool = sorted(set(candidates))
    begun = sorted((c for c in pool if c.startswith(word) and c != word), key=lambda c: (len(c), c))
    near = similar(word, pool, most)
    ordered = list(dict.fromkeys([*begun, *near]))
    return ordered[:most]


def spoken_choice(names: list[str]) -> str:
    quoted = [f"`{name}`" for name in names]
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} or {quoted[-1]}"


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """`; did you mean `x` or `y`?` for a message, or "" when nothing is close."""
    found = closest(word, candidates)
    return f"; did you mean {spoken_choice(found)}?" if found else ""


@dataclass(frozen=True)
class Resolved:
    """An id as resolved: `taken_for` is what the user typed when a prefix was expanded (else None)."""

    id: str
    taken_for: str | None = None

    def note(self, what: str) -> str | None:
        """The stderr line saying which id a prefix was taken for, or None."""
        return None if self.taken_for is None else f"{what} {self.taken_for!r}: taking {self.id}"


def resolve(word: str, candidates: Iterable[str], what: str, hint: str = "") -> Resolved:
    """word itself when it is a candidate; the one candidate it begins; else one InputError line naming the
    candidates it begins (when several) or the closest ones."""
    pool = sorted(set(candidates))
    if word in pool:
        return Resolved(word)
    begun = [c for c in pool if c.startswith(word)] if word else []
    if len(begun) == 1:
        return Resolved(begun[0], taken_for=word)
    tail = f" ({hint})" if hint else ""
    if begun:
        shown = sorted(begun, key=lambda c: (len(c), c))
        more = f" and {len(shown) - MOST} more" if len(shown) > MOST else ""
        raise InputError(f"{what} {word!r}: no such id; {len(shown)} begin so, did you mean "
                         f"{spoken_choice(shown[:MOST])}{more}?{tail}")
    raise InputError(f"{what} {word!r}: no such id{did_you_mean(word, pool)}{tail}")
