"""Knowledge records: sources, coefficients, rules and the knowledge base that holds them."""
from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args

from pydantic import Field, StrictBool, model_validator

from advisor.types.profile import Profile
from advisor.types.provenance import Confidence, DateText, Frozen
from advisor.types.scoring import Criterion, Scoring

SourceKind = Literal["vendor-spec", "datasheet", "vendor-claim", "secondary", "aggregator", "review", "go-source",
                     "go-doc", "docs", "commit", "article", "news", "news-leak", "blog", "forum", "measurement",
                     "derivation", "policy"]

# The one declaration of what a source of each kind can establish. Every kind can back an estimate, a
# seed claim or a refutation; only a primary statement (the vendor's spec, a datasheet, the Go source,
# its documentation or a commit) makes a value documented, and only a measurement makes it measured.
# A review is documented only for what it measured, so it supports `measured`, never `documented`.
# Project notes (policy, derivation), articles, news, aggregators, secondary pages, blogs and forums
# support neither.
STRONG_LEVELS_BY_KIND: dict[str, frozenset[str]] = {
    "vendor-spec": frozenset({"documented"}),
    "datasheet": frozenset({"documented"}),
    "go-source": frozenset({"documented"}),
    "go-doc": frozenset({"documented"}),
    "docs": frozenset({"documented"}),
    "commit": frozenset({"documented"}),
    "measurement": frozenset({"measured"}),
    "review": frozenset({"measured"}),
    "vendor-claim": frozenset(),
    "secondary": frozenset(),
    "aggregator": frozenset(),
    "article": frozenset(),
    "news": frozenset(),
    "news-leak": frozenset(),
    "blog": frozenset(),
    "forum": frozenset(),
    "derivation": frozenset(),
    "policy": frozenset(),
}
assert set(STRONG_LEVELS_BY_KIND) == set(get_args(SourceKind)), "every source kind needs an entry"


def kinds_supporting(confidence: str) -> tuple[str, ...]:
    """Source kinds one of which a `documented` or `measured` value must cite (empty for weaker levels)."""
    return tuple(kind for kind, levels in STRONG_LEVELS_BY_KIND.items() if confidence in levels)


class Source(Frozen):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9.+-]*$")
    title: str
    url: str | None = None
    repo: str | None = None
    path: str | None = None
    publisher: str | None = None
    kind: SourceKind
    accessed: DateText | None = None
    date: DateText | None = None
    note: str | None = None
    reliability: str | None = None
    used_for: str | None = None
    # A secondary, news or aggregator source that copies a named vendor document verbatim (a scraped ARK
    # table, a spec sheet quoted in full) may back documented values of what it copied: name that document.
    restates: str | None = None

    @model_validator(mode="after")
    def _locatable(self) -> "Source":
        # Documents link to it: only web links, never javascript:, data: or file: ones.
        if self.url is not None and not re.match(r"^https?://[^\s<>\"'`\\]+$", self.url, re.IGNORECASE):
            raise ValueError("url: an http:// or https:// address without spaces or <>\"'`\\")
        if not (self.url or (self.repo and self.path)) and self.kind not in ("measurement", "derivation", "policy",
                                                                             "article"):
            raise ValueError("url: a source needs a url, or repo and path")
        return self


class Coefficient(Frozen):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9._+-]*$")
    value: float | dict[str, float]
    unit: str
    confidence: Confidence
    sources: tuple[str, ...] = Field(min_length=1)
    description: str
    derivation: str | None = None
    range: tuple[float, float] | None = None
    refuted_by: str | None = None

    @model_validator(mode="after")
    def _estimate_explained(self) -> "Coefficient":
        if self.confidence in ("estimate", "refuted") and not (self.derivation or self.refuted_by):
            raise ValueError("derivation: an estimate or refuted coefficient must say how it was derived "
                             "or why it is wrong")
        return self


OPERATORS = ("eq", "ne", "lt", "le", "gt", "ge", "in", "exists", "absent")


class Condition(Frozen):
    """One comparison of a fact against a constant; see engine for the operators."""

    fact: str
    op: Literal["eq", "ne", "lt", "le", "gt", "ge", "in", "exists", "absent"]
    value: Any = None

    @model_validator(mode="before")
    @classmethod
    def _short_form(cls, data: Any) -> Any:
        # Rules are written `{fact: ssd.nand, eq: QLC}` or `{fact: battery_wh, absent: true}`.
        if isinstance(data, dict) and "op" not in data:
            ops = [key for key in data if key not in ("fact", "value")]
            if len(ops) == 1 and ops[0] in OPERATORS:
                op = ops[0]
                value = data[op]
                if op in ("exists", "absent"):
                    if value is not True:
                        raise ValueError(f"{op}: write `{op}: true`")
                    value = None
                return {"fact": data.get("fact"), "op": op, "value": value}
            if len(ops) != 1:
                raise ValueError(f"a condition needs exactly one operator of {', '.join(OPERATORS)}")
            raise ValueError(f"unknown operator {ops[0]!r}; use one of {', '.join(OPERATORS)}")
        return data

    @model_validator(mode="after")
    def _finite(self) -> "Condition":
        # `value` is Any, which allow_inf_nan does not reach: a NaN threshold would never (or always) hold.
        values = self.value if isinstance(self.value, (list, tuple)) else [self.value]
        if any(isinstance(v, float) and not math.isfinite(v) for v in values):
            raise ValueError(f"{self.op}: {self.value!r} is not a finite number")
        return self


class When(Frozen):
    all: tuple["Condition | When", ...] = ()
    any: tuple["Condition | When", ...] = ()

    def conditions(self) -> list[Condition]:
        """Every condition at any depth, in the order written."""
        found: list[Condition] = []
        for part in (*self.all, *self.any):
            found.extend(part.conditions() if isinstance(part, When) else [part])
        return found


class Effect(Frozen):
    penalty: float | None = Field(default=None, ge=0, le=100)
    bonus: float | None = Field(default=None, ge=0, le=100)
    disqualify: bool = False
    warn: bool = False

    @model_validator(mode="after")
    def _exactly_one(self) -> "Effect":
        chosen = [self.penalty is not None, self.bonus is not None, self.disqualify, self.warn]
        if sum(chosen) != 1:
            raise ValueError("effect: give exactly one of penalty, bonus, disqualify, warn")
        return self

    @property
    def label(self) -> str:
        if self.penalty is not None:
            return f"-{self.penalty:g}"
        if self.bonus is not None:
            return f"+{self.bonus:g}"
        return "disqualify" if self.disqualify else "warn"


# What a rule's cut-off (or trigger) rests on, separate from how sure its claim is (confidence):
#   policy            a preference the project chose (what counts as heavy, near the budget); no fact can
#                     make it right or wrong
#   judgement         where the project judges a technical effect to begin (a 5 s edit loop, 2 GB
#                     headroom); neither documented nor measured
#   documented-limit  a limit a cited primary source states (the race detector's platform list, cgo off
#                     when cross-compiling, no native amd64 on arm64)
#   none              nothing was chosen: the trigger is a category, a flag, presence, or the zero point of a
#                     quantity (more memory than installed, any free slot)
Threshold = Literal["policy", "judgement", "documented-limit", "none"]
THRESHOLDS: tuple[str, ...] = get_args(Threshold)


class Example(Frozen):
    """One self-contained case of a rule: `facts` is the whole fact set (a fact left out is missing,
    and a missing fact never matches), `fires` whether the rule must fire on it."""

    fires: StrictBool
    facts: dict[str, Any]
    line: int = Field(default=0, exclude=True)  # set by the loader


class Rule(Frozen):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]*$")
    criterion: Criterion
    when: When
    effect: Effect
    severity: Literal["info", "low", "medium", "high", "critical"]
    confidence: Confidence
    threshold: Threshold
    uses: tuple[str, ...] = ()
    sources: tuple[str, ...] = Field(min_length=1)
    message: str
    examples: tuple[Example, ...] = ()
    file: str = ""
    line: int = 0


@dataclass(frozen=True, eq=False)
class Knowledge:
    sources: dict[str, Source]
    coefficients: dict[str, Coefficient]
    rules: tuple[Rule, ...]
    presets: dict[str, Profile]
    scoring: Scoring
    root: Path
    # rule id -> its message template, compiled once in the sandbox at load time
    messages: dict[str, Any] = field(default_factory=dict, compare=False)
    # rule id -> every fact it reads (conditions and message), for the findings' evidence
    rule_reads: dict[str, tuple[str, ...]] = field(default_factory=dict, compare=False)

    @functools.cached_property
    def rules_by_id(self) -> dict[str, Rule]:
        return {rule.id: rule for rule in self.rules}

    def coefficient(self, coefficient_id: str) -> Coefficient:
        return self.coefficients[coefficient_id]
