"""Identical configurations: a machine's configurations that differ only in their id score alike, once.

A fleet sheet or a large database lists the same configuration many times. Everything the model, the
facts, the rules and the scores read is the machine, the CPU, RAM, storage, drives and prices; only
the id differs, and the results carry it in two places (the score's and the metrics' machine_config).
"""
from __future__ import annotations

from typing import Hashable

from advisor.types import MachineConfig, Metrics, Profile, Score


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
    if profile.budget is not None and config.market_price(profile.buyer_market) is None:
        return None  # its budget ratio says "no price is recorded for <this id>"
    # the records themselves (a machine's id is a fact the rules may read; a CPU is its values, not its id)
    records = (_Same(mc.machine), _Same(mc.cpu), _Same(mc.ssd), _Same(mc.drive))
    key = records + tuple(getattr(config, name) for name in type(config).model_fields if name != "id")
    try:
        hash(key)
    except TypeError:  # a field holding an unhashable value: evaluate it on its own
        return None
    return key


def metrics_as(metrics: Metrics, mc: MachineConfig) -> Metrics:
    """A twin's metrics: the same predictions under this configuration's id."""
    if metrics.machine_config == mc.id:
        return metrics
    return metrics.model_copy(update={"machine_config": mc.id})


def score_as(score: Score, mc: MachineConfig) -> Score:
    """A twin's score: the same numbers, findings and evidence under this configuration's id."""
    if score.machine_config == mc.id:
        return score
    return score.model_copy(update={"machine_config": mc.id, "metrics": metrics_as(score.metrics, mc)})
