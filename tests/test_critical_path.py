"""The critical path of an import graph: a real chain, the heaviest one, never more than all the work."""
from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from advisor.scan.critical_path import critical_path


def test_a_chain_outweighs_a_wide_fan_of_light_packages():
    lines = {"main": 10, "http": 50, "tls": 40, "runtime": 60, "a": 30, "b": 30, "c": 30}
    imports = {"main": {"http", "a", "b", "c"}, "http": {"tls"}, "tls": {"runtime"}, "a": {"runtime"}}
    path = critical_path(lines, imports)
    assert path.chain == ("runtime", "tls", "http", "main")
    assert path.lines == 160 and path.total_lines == 250 and path.share == 160 / 250


def test_one_huge_generated_package_sets_the_path():
    lines = {"main": 100, "api": 200, "ent": 50_000, "db": 300}
    path = critical_path(lines, {"main": {"api", "ent"}, "api": {"db"}, "ent": {"db"}})
    assert path.chain == ("db", "ent", "main")


def test_an_empty_graph_has_no_path():
    assert critical_path({}, {}).share == 0.0


graphs = st.integers(1, 7).flatmap(lambda n: st.tuples(
    st.lists(st.integers(0, 1000), min_size=n, max_size=n),
    st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=3 * n)))


def _dag(weights: list[int], pairs: list[tuple[int, int]]) -> tuple[dict[str, int], dict[str, set[str]]]:
    lines = {f"p{i}": w for i, w in enumerate(weights)}
    imports: dict[str, set[str]] = {name: set() for name in lines}
    for a, b in pairs:
        if a > b:  # only higher imports lower: acyclic, as Go requires
            imports[f"p{a}"].add(f"p{b}")
    return lines, imports


def _brute_force(lines: dict[str, int], imports: dict[str, set[str]]) -> int:
    best = 0
    names = sorted(lines)
    for size in range(1, len(names) + 1):
        for chain in itertools.permutations(names, size):
            if all(chain[i] in imports[chain[i + 1]] for i in range(len(chain) - 1)):
                best = max(best, sum(lines[p] for p in chain))
    return best


@settings(max_examples=150, deadline=None)
@given(graph=graphs)
def test_the_path_is_a_real_chain_the_heaviest_one_and_never_more_than_all_the_work(graph):
    lines, imports = _dag(*graph)
    path = critical_path(lines, imports)
    assert all(path.chain[i] in imports[path.chain[i + 1]] for i in range(len(path.chain) - 1))
    assert path.lines == sum(lines[p] for p in path.chain) == _brute_force(lines, imports)
    assert 0 <= path.lines <= path.total_lines
