"""Identical configurations: a machine's configurations that differ only in their id score alike, once.

A fleet sheet or a large database lists the same configuration many times. Everything the model, the
facts, the rules and the scores read is the machine, the CPU, RAM, storage, drives and prices; only
the id differs, and the results carry it in two places (the score's and the metrics' machine_config).
"""
from __future__ import annotations

from typing import Hashable

from advisor.types import MachineConfig, Metrics, Profile, Score


def twin_key(mc: MachineConfig, profile: Profile) -> Hashable:
    """What the configuration's results depend on besides its id; configurations with one key are twins."""
    config = mc.config
    if profile.budget is not None and config.market_price(profile.buyer_market) is None:
        return ("alone", mc.id)  # its budget ratio says "no price is recorded for <this id>"
    # the Machine object itself: two machines are never twins (machine.id is a fact the rules may read)
    key = (id(mc.machine), config.cpu, config.ram_gb, config.storage_gb, config.drives, config.prices,
           config.no_public_price)
    try:
        hash(key)
    except TypeError:  # a record holding an unhashable value: score it on its own
        return ("alone", mc.id)
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
