"""Immutable value types by domain (no I/O): provenance, hardware, knowledge, profile, results."""
from advisor.types.hardware import (
    OS_LEVEL_ORDER,
    Arch,
    Catalog,
    Configuration,
    Cooling,
    CoolingDesign,
    CoreFamilies,
    Cpu,
    Machine,
    MachineConfig,
    Nand,
    OsLevel,
    OsName,
    OsSupportEntry,
    Price,
    Ram,
    Ssd,
    SsdCapacity,
    Storage,
)
from advisor.types.knowledge import (
    CRITERIA,
    OPERATORS,
    Coefficient,
    Condition,
    Criterion,
    Effect,
    Knowledge,
    Rule,
    Scoring,
    Source,
    When,
)
from advisor.types.profile import Budget, Container, Profile
from advisor.types.provenance import (
    ADVISOR_ESTIMATE,
    CONFIDENCE_ORDER,
    DEFAULT_EVIDENCE,
    Confidence,
    DateText,
    FieldNote,
    Frozen,
    Record,
    Sourced,
    accepted_levels,
    confidence_rank,
    weakest,
)
from advisor.types.results import (
    CriterionScore,
    Finding,
    Input,
    Metrics,
    Quantity,
    Recommendation,
    Score,
)

__all__ = ['ADVISOR_ESTIMATE', 'Arch', 'Budget', 'CONFIDENCE_ORDER', 'CRITERIA', 'Catalog', 'Coefficient', 'Condition', 'Confidence', 'Configuration', 'Container', 'Cooling', 'CoolingDesign', 'CoreFamilies', 'Cpu', 'Criterion', 'CriterionScore', 'DEFAULT_EVIDENCE', 'DateText', 'Effect', 'FieldNote', 'Finding', 'Frozen', 'Input', 'Knowledge', 'Machine', 'MachineConfig', 'Metrics', 'Nand', 'OPERATORS', 'OS_LEVEL_ORDER', 'OsLevel', 'OsName', 'OsSupportEntry', 'Price', 'Profile', 'Quantity', 'Ram', 'Recommendation', 'Record', 'Rule', 'Score', 'Scoring', 'Source', 'Sourced', 'Ssd', 'SsdCapacity', 'Storage', 'When', 'accepted_levels', 'confidence_rank', 'weakest']
