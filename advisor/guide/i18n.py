"""The guide's languages: English text is the message id, other languages come from a catalog beside this module.

Templates look every string up through `t(...)`, so a language is a catalog, not a second copy of the templates
or the logic. Placeholders are `{name}`, filled from keyword arguments only (no attribute or index lookups).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import yaml

from advisor.errors import InputError
from advisor.vocabulary import GUIDE_LANGS

LANGS = GUIDE_LANGS
LOCALE_DIR = Path(__file__).parent / "locale"
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


@dataclass(frozen=True)
class Catalog:
    """One language's messages (English id -> text) and its patterns for sentences the guide quotes from the API
    and the knowledge base (verdict reasons, rule messages), which carry numbers and so cannot be message ids."""

    lang: str
    messages: dict[str, str] = field(default_factory=dict)
    # (compiled English pattern, replacement with \1-style groups), tried in order
    patterns: tuple[tuple[re.Pattern[str], str], ...] = ()

    def text(self, message: str, /, **values: object) -> str:
        """The message in this language with its `{name}` placeholders filled."""
        template = self.messages.get(message, message)
        return _PLACEHOLDER.sub(lambda m: str(values[m.group(1)]) if m.group(1) in values else m.group(0), template)

    def texts(self, messages: object) -> list[str]:
        """Each message of a list in this language (the templates' `tl()`)."""
        return [self.text(str(message)) for message in messages] if isinstance(messages, (list, tuple)) else []

    def sentence(self, sentence: str) -> str:
        """A verdict reason or rule message as the API words it (English), translated by the first pattern that
        matches it whole; unchanged when none does."""
        for pattern, replacement in self.patterns:
            if pattern.fullmatch(sentence):
                return pattern.sub(replacement, sentence)
        return sentence


def check_lang(lang: str) -> str:
    """The language, or an InputError listing the choices."""
    if lang not in LANGS:
        raise InputError(f"--lang: {lang!r} is not one of {', '.join(LANGS)}")
    return lang


def load_catalog(lang: str) -> Catalog:
    """The catalog of a language (English needs none: its ids are its text)."""
    check_lang(lang)
    if lang == "en":
        return Catalog(lang="en")
    raw = yaml.safe_load((LOCALE_DIR / f"{lang}.yaml").read_text(encoding="utf-8"))
    messages = {str(key): str(value) for key, value in raw["messages"].items()}
    patterns = tuple((re.compile(item["match"]), str(item["say"])) for item in raw.get("sentences", ()))
    return Catalog(lang=lang, messages=messages, patterns=patterns)


def translator(catalog: Catalog) -> Callable[..., str]:
    """The `t()` global of the templates."""
    return catalog.text
