"""The closed sets of words the command line offers as choices, declared without pydantic.

The CLI builds its --help from these, so they live apart from advisor.types, whose models take a
quarter of a second to build at import; the types re-export them unchanged.
"""
from __future__ import annotations

from typing import Literal

Arch = Literal["amd64", "arm64"]
OsName = Literal["linux", "macos", "windows"]
# Where a machine is sold: the markets `--market` names, and the currency each one prices in.
Market = Literal["us", "eu", "uk", "cn", "in", "jp"]
MARKET_CURRENCY: dict[str, str] = {"us": "USD", "eu": "EUR", "uk": "GBP", "cn": "CNY", "in": "INR", "jp": "JPY"}
Currency = Literal["USD", "EUR", "GBP", "CNY", "INR", "JPY"]

# Strongest evidence first; `--evidence X` accepts X and everything stronger.
CONFIDENCE_ORDER: tuple[str, ...] = ("documented", "measured", "estimate", "seed-claim", "refuted")
# The levels `--evidence` may name (refuted is never accepted).
EVIDENCE_CHOICES: tuple[str, ...] = CONFIDENCE_ORDER[:4]
DEFAULT_EVIDENCE = "estimate"
# The languages `guide --lang` renders (a message catalog each in advisor/guide/locale, English built in).
GUIDE_LANGS = ("en", "zh-CN")
