"""Time loading the data and ranking every configuration for each preset, on both rule backends."""
from __future__ import annotations

import functools
import statistics
import time
from collections.abc import Callable

from advisor import api, engine


def timed(function: Callable[[], object], repeat: int = 3) -> float:
    samples: list[float] = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    start = time.perf_counter()
    data = api.load()
    print(f"load hardware_db + knowledge: {time.perf_counter() - start:.2f} s "
          f"({len(data.catalog.machines)} machines, {len(data.catalog.machine_configs())} configurations, "
          f"{len(data.knowledge.rules)} rules)")
    backends = ["builtin"] + (["durable"] if engine.durable_available() else [])
    for backend in backends:
        # the backend is an argument of the loaded data, not process state
        with_backend = api.Data(knowledge=data.knowledge, catalog=data.catalog, rules_backend=backend)
        for preset in sorted(data.knowledge.presets):
            seconds = timed(functools.partial(api.recommend, preset, data=with_backend, all_configs=True))
            print(f"{backend:8} recommend --profile {preset:12} --all-configs: {seconds:.2f} s")


if __name__ == "__main__":
    main()
