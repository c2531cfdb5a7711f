"""Identical configurations: a machine's configurations that differ only in their id score alike, once.

A fleet sheet or a large database lists the same configuration many times. Everything the model, the
facts, the rules and the scores read is the machine, the CPU, RAM, storage, drives and prices; only
the id differs, and the results carry it in two places (the score's and the metrics' machine_config).
"""
from __future__ import annotations

from typing import Hashable, get_args

from advisor.predict import NO_PRICE
from advisor.types import MachineConfig, Market, Metrics, Profile, Score


class _Same:
    """An object as a key by identity; holding it, so its id cannot be reused while the key lives."""

    __slots__ = ("item",)

    def __init__(self, item: object):
        self.item = item

    def __hash__(self) -> int:
        return id(self.item)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Same) and other.item is self.item


def twin_key(mc: MachineConfig, profile: Profile) -> Hashable | None:
    """What the configuration's results depend on besides its id: configurations with one key are twins.
    None: this one is evaluated on its own, and its predictions are not kept."""
    config = mc.config
    # the records themselves (a machine's id is a fact the rules may read; a CPU is its values, not its id)
    records = (_Same(mc.machine), _Same(mc.cpu), _Same(mc.ssd), _Same(mc.drive), _Same(mc.measured_cpu_s_per_kloc))
    key = records + tuple(getattr(config, name) for name in type(config).model_fields if name != "id")
    try:
        hash(key)
    except TypeError:  # a field holding an unhashable value: evaluate it on its own
        return None
    return key


def _renamed(text: str | None, old: str, new: str) -> str | None:
    """A reason naming the configuration itself (predict.NO_PRICE), under the twin's id."""
    if text is None:
        return None
    for market in get_args(Market):
        text = text.replace(NO_PRICE.format(market=market, config=old), NO_PRICE.format(market=market, config=new))
    return text


def metrics_as(metrics: Metrics, mc: MachineConfig) -> Metrics:
    """A twin's metrics: the same predictions under this configuration's id."""
    old = metrics.machine_config
    if old == mc.id:
        return metrics
    quantities = dict(metrics.quantities)
    for name, quantity in quantities.items():
        if quantity.not_assessed and old in quantity.not_assessed:
            quantities[name] = quantity.model_copy(
                update={"not_assessed": _renamed(quantity.not_assessed, old, mc.id)})
    return metrics.model_copy(update={"machine_config": mc.id, "quantities": quantities})


def score_as(score: Score, mc: MachineConfig) -> Score:
    """A twin's score: the same numbers, findings and evidence under this configuration's id."""
    old = score.machine_config
    if old == mc.id:
        return score
    criteria = tuple(c.model_copy(update={"basis": _renamed(c.basis, old, mc.id)}) if old in c.basis else c
                     for c in score.criteria)
    return score.model_copy(update={"machine_config": mc.id, "metrics": metrics_as(score.metrics, mc),
                                    "criteria": criteria})
