"""Confidence levels, sourced values and the frozen base every record type shares."""
from __future__ import annotations

import datetime
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    model_validator,
)

# The order of confidence levels and the --evidence choices: declared where --help reads them without pydantic.
from advisor.vocabulary import CONFIDENCE_ORDER, DEFAULT_EVIDENCE, EVIDENCE_CHOICES  # noqa: F401

Confidence = Literal["documented", "measured", "estimate", "seed-claim", "refuted"]

# A computed result's level: a data confidence, or "unsourced" when nothing it rests on carries
# evidence. Absence of evidence is the weakest level, below refuted, and no --evidence accepts it.
EvidenceLevel = Literal["documented", "measured", "estimate", "seed-claim", "refuted", "unsourced"]
EVIDENCE_ORDER: tuple[str, ...] = (*CONFIDENCE_ORDER, "unsourced")

# Reserved source id: the project's own estimate, explained in the value's note.
ADVISOR_ESTIMATE = "advisor-estimate"

T = TypeVar("T")


def confidence_rank(confidence: str) -> int:
    """Position of a confidence level, 0 being the strongest, "unsourced" the weakest."""
    return EVIDENCE_ORDER.index(confidence)


def weakest(*confidences: str | None) -> str:
    """The weakest of several levels; None (a given value: the question, not evidence) is skipped.

    With no evidence at all the result is "unsourced": absence of evidence never reads as documented.
    """
    levels = [c for c in confidences if c is not None]
    if not levels:
        return "unsourced"
    return max(levels, key=confidence_rank)


def accepted_levels(evidence: str) -> frozenset[str]:
    """Confidence levels admitted by `--evidence evidence` (refuted never is)."""
    if evidence not in EVIDENCE_CHOICES:
        raise ValueError(f"unknown evidence level {evidence!r}; choose from {', '.join(EVIDENCE_CHOICES)}")
    return frozenset(CONFIDENCE_ORDER[: confidence_rank(evidence) + 1])


class Sourced(BaseModel, Generic[T]):
    """A value with the source id that states it and how sure we are."""

    # NaN and infinities are no measurement: a NaN battery would compare as neither small nor large
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    value: T
    source: str
    confidence: Confidence
    note: str | None = None
    # Why no public source can settle this value (it stays an estimate): db check counts it apart.
    unknowable: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _short_form(cls, data: Any, info: ValidationInfo) -> Any:
        # A plain value inherits the record's default source and confidence,
        # which the loader passes in the validation context.
        if isinstance(data, dict) and "value" in data:
            context = info.context or {}
            merged = dict(data)
            merged.setdefault("source", context.get("source"))
            merged.setdefault("confidence", context.get("confidence"))
            return merged
        if isinstance(data, Sourced):
            return data
        context = info.context or {}
        short = {"value": data, "source": context.get("source"), "confidence": context.get("confidence")}
        if context.get("source") == ADVISOR_ESTIMATE and context.get("note"):
            short["note"] = context["note"]  # the record's notes explain its own estimates
        return short

    @model_validator(mode="after")
    def _estimate_needs_note(self) -> "Sourced[T]":
        if self.confidence == "estimate" and not self.note and self.source == ADVISOR_ESTIMATE:
            raise ValueError("an advisor-estimate value needs a note saying how it was derived")
        if self.unknowable is not None and self.confidence in ("documented", "measured"):
            raise ValueError("unknowable: a documented or measured value is settled; unknowable is for estimates")
        return self


def _date_text(value: Any) -> Any:
    # YAML reads an unquoted 2026-11-27 as a date; dates are kept as ISO text.
    return value.isoformat() if isinstance(value, datetime.date) else value


DateText = Annotated[str, BeforeValidator(_date_text)]


class Frozen(BaseModel):
    """Base: immutable, strict about unknown fields and about numbers (no NaN or infinity anywhere)."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


class FieldNote(Frozen):
    """Provenance written on a descriptive (non-scoring) field in long form."""

    source: str | None = None
    confidence: Confidence | None = None
    note: str | None = None


class Record(Frozen):
    """A hardware record: an id, a name and default provenance for its fields."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9.+-]*$")
    name: str
    vendor: str
    source: str | None = None
    confidence: Confidence | None = None
    notes: str | None = None
    # Filled by the loader from long-form descriptive fields; not written in YAML.
    field_provenance: dict[str, FieldNote] = Field(default_factory=dict)


