"""A configuration the database does not list (other RAM or storage, a negotiated price), validated first.

The machine's own options bound it: RAM it is sold with (or, when socketed, up to its maximum), storage it is
sold with (or any size when it has an M.2 slot), a CPU it is offered with. Anything else is one InputError line.
"""
from __future__ import annotations

from typing import Any

from advisor.errors import InputError
from advisor.types import MachineConfig
from advisor.types.hardware import Configuration

# An M.2 slot takes a drive of any size sold; outside these bounds a number is a typing slip (3 for 3 TB).
MIN_GB, MAX_GB = 128, 8192


def _choose_base(configs: list[MachineConfig], cpu: str | None, ram_gb: int | None, storage_gb: int | None
                 ) -> MachineConfig:
    """The listed configuration closest to the one asked for: same CPU, then nearest RAM, then storage."""
    pool = [mc for mc in configs if cpu is None or mc.cpu.id == cpu]
    return min(pool, key=lambda mc: (abs(mc.config.ram_gb - (ram_gb or mc.config.ram_gb)),
                                     abs(mc.config.storage_gb - (storage_gb or mc.config.storage_gb)), mc.id))


def _whole(name: str, value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value) or value <= 0:
        raise InputError(f"{name}={value!r}: a positive whole number of GB")
    return int(value)


def adhoc_config(configs: list[MachineConfig], *, cpu: str | None = None, ram_gb: object = None,
                 storage_gb: object = None) -> MachineConfig:
    """One machine's configuration with this CPU, RAM and storage: a listed one when it exists, else a
    validated variant of the closest listed one (its drive and prices kept; prices only when the size is)."""
    machine = configs[0].machine
    ram, storage = _whole("ram_gb", ram_gb), _whole("storage_gb", storage_gb)
    if cpu is not None and cpu not in machine.cpu_options:
        raise InputError(f"cpu={cpu!r}: {machine.id} is offered with {', '.join(machine.cpu_options)}")
    if ram is not None and ram not in machine.ram.options_gb:
        socketed = not machine.ram.soldered.value
        if not socketed or ram > machine.ram.max_gb.value:
            sizes = ", ".join(str(gb) for gb in machine.ram.options_gb)
            grow = f", socketed up to {machine.ram.max_gb.value} GB" if socketed else " (soldered)"
            raise InputError(f"ram_gb={ram}: {machine.id} takes {sizes} GB{grow}")
    if storage is not None and storage not in machine.storage.options_gb and machine.storage.m2_slots == 0:
        sizes = ", ".join(str(gb) for gb in machine.storage.options_gb)
        raise InputError(f"storage_gb={storage}: {machine.id} is sold with {sizes} GB (soldered storage)")
    if storage is not None and storage not in machine.storage.options_gb and not MIN_GB <= storage <= MAX_GB:
        raise InputError(f"storage_gb={storage}: an M.2 drive of {MIN_GB} to {MAX_GB} GB")
    listed = [mc for mc in configs if (cpu is None or mc.cpu.id == cpu)
              and (ram is None or mc.config.ram_gb == ram) and (storage is None or mc.config.storage_gb == storage)]
    if listed:
        return listed[0]
    base = _choose_base(configs, cpu, ram, storage)
    fields: dict[str, Any] = base.config.model_dump()
    fields.update(id=f"{base.config.id}-as-{ram or base.config.ram_gb}-{storage or base.config.storage_gb}",
                  ram_gb=ram or base.config.ram_gb, storage_gb=storage or base.config.storage_gb,
                  prices=(), no_public_price=())  # a listed price is of another configuration
    config = Configuration.model_validate(fields)
    return base.model_copy(update={"config": config})
