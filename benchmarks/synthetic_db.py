"""A synthetic hardware catalog of any size, built from the real one: a fleet sheet's shape.

Every (machine, configuration) of the real catalog is repeated in turn. Each repetition is a variant whose
prices are a few units higher (so variants are distinct configurations), and each variant is listed
`copies` times under different ids (identical configurations, as a fleet sheet repeats a model).
"""
from __future__ import annotations

from advisor.types import Catalog, Configuration


def synthetic_catalog(base: Catalog, configurations: int, copies: int = 5) -> Catalog:
    """A catalog of `configurations` configurations, configurations // copies of them distinct."""
    pairs = [(machine_id, config) for machine_id in sorted(base.machines)
             for config in base.machines[machine_id].configurations]
    made: dict[str, list[Configuration]] = {machine_id: [] for machine_id in base.machines}
    for index in range(configurations):
        distinct, copy = divmod(index, copies)
        variant, position = divmod(distinct, len(pairs))
        machine_id, config = pairs[position]
        prices = tuple(price.model_copy(update={"amount": price.amount + variant}) for price in config.prices)
        made[machine_id].append(config.model_copy(update={"id": f"{config.id}-v{variant}-c{copy}",
                                                           "prices": prices}))
    machines = {machine_id: machine.model_copy(update={"configurations": tuple(made[machine_id])})
                for machine_id, machine in base.machines.items() if made[machine_id]}
    return Catalog(cpus=base.cpus, ssds=base.ssds, machines=machines)
