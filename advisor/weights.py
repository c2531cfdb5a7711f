"""Criterion weights as people write them (`build=3,memory=2`), read without the models, so that the user
config can check them at start-up as --weight is checked."""
from __future__ import annotations

from advisor.errors import InputError

__all__ = ["parse_weights"]


def parse_weights(text: str | None) -> dict[str, float]:
    """`build=3,memory=2` as a dict; a non-number is an InputError (names and ranges are checked by scoring)."""
    if not text:
        return {}
    weights: dict[str, float] = {}
    for part in text.split(","):
        name, sep, value = part.partition("=")
        name = name.strip()
        if not sep or not name:
            raise InputError(f"--weight: {part.strip()!r} is not criterion=number")
        try:
            weights[name] = float(value)
        except ValueError:
            raise InputError(f"--weight: {value.strip()!r} for {name!r} is not a number") from None
    return weights
