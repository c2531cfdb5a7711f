"""Fuzzing every loader and parser with hypothesis: hardware and knowledge YAML, profiles, go.mod, go.work,
go.sum, build files, Go files, --weight and --set. Every failure is an InputError (one line, naming the file),
which main() turns into exit status 2; nothing else may escape."""
from __future__ import annotations

import copy
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_hostile_cli import cli

from advisor import api
from advisor.catalog import load_catalog
from advisor.errors import InputError
from advisor.knowledge import load_coefficients, load_profile_file, load_rules, load_sources
from advisor.scan.buildfiles import read_build_setup
from advisor.scan.gofile import read_go_file
from advisor.scan.gomod import go_sum_modules, parse_go_mod, parse_go_work
from advisor.scan.measure import scan
from advisor.scan.profile import build_profile, parse_set
from advisor.scoring import effective_weights
from advisor.yamlio import load_yaml

ROOT = Path(__file__).resolve().parent.parent
FUZZ = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                         HealthCheck.too_slow])

scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**12, 10**12), st.floats(allow_nan=True),
                    st.text(max_size=12), st.sampled_from(["", "documented", "estimate", "apple-m1", "QLC", "us",
                                                           "1e999", ".nan", "USD", "arm64", "linux"]))
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                      st.dictionaries(st.text(max_size=8), inner, max_size=3)),
                      max_leaves=8)


def _paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    """Every path into a nested YAML value (mapping keys and list indexes)."""
    found = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            found += _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += _paths(child, (*prefix, index))
    return found


mutations = st.tuples(st.integers(0, 10**6), st.sampled_from(["replace", "remove", "add"]),
                      st.text(min_size=1, max_size=10), values)


def _mutate(document: Any, mutation: tuple) -> Any:
    """The document with one value replaced, or one key removed or added, at the place the mutation picks."""
    index, action, key, value = mutation
    mutated = copy.deepcopy(document)
    places = _paths(mutated)[1:]
    path = places[index % len(places)]
    parent = mutated
    for part in path[:-1]:
        parent = parent[part]
    if action == "remove" and isinstance(parent, dict):
        del parent[path[-1]]
    elif action == "add" and isinstance(parent, dict):
        parent[key] = value
    else:
        parent[path[-1]] = value
    return mutated


def _plain(value: Any) -> Any:
    """A loaded document as plain dicts and lists (safe_dump does not know the loader's line-aware types)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _dump(document: Any) -> str:
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True)


@pytest.fixture(scope="module")
def fuzz_db(tmp_path_factory) -> Path:
    """A small database: one machine file (its first record), all CPUs and SSDs."""
    target = tmp_path_factory.mktemp("fuzzdb") / "hardware_db"
    shutil.copytree(ROOT / "hardware_db", target)
    machines = _plain(load_yaml(target / "machines" / "apple.yaml"))
    record = machines["machines"][0]
    named = _dump(record)
    for path in (target / "machines").glob("*.yaml"):
        path.unlink()
    (target / "machines" / "apple.yaml").write_text(_dump({"machines": [record]}))
    for kind in ("cpus", "ssds"):  # only the records the machine names: each example loads the whole database
        kept = []
        for path in sorted((target / kind).glob("*.yaml")):
            kept += [item for item in _plain(load_yaml(path))[kind] if f" {item['id']}\n" in named]
            path.unlink()
        (target / kind / "kept.yaml").write_text(_dump({kind: kept}))
    load_catalog(target, set(api.load().knowledge.sources))  # the unmutated copy loads
    return target


@FUZZ
@given(mutation=mutations)
def test_fuzz_hardware_records(fuzz_db, mutation):
    path = fuzz_db / "machines" / "apple.yaml"
    original = _plain(load_yaml(path))
    try:
        path.write_text(_dump(_mutate(original, mutation)))
        try:
            load_catalog(fuzz_db, set(api.load().knowledge.sources))
        except InputError as error:
            assert "\n" not in str(error) and str(error)
    finally:
        path.write_text(_dump(original))


@FUZZ
@given(text=st.text(max_size=300))
def test_fuzz_yaml_text(tmp_path, text):
    path = tmp_path / "x.yaml"
    path.write_text(text)
    try:
        load_yaml(path)
    except InputError as error:
        assert str(error).startswith(str(path)) and "\n" not in str(error)


@pytest.fixture(scope="module")
def knowledge_files():
    knowledge = api.load().knowledge
    rules = _plain(load_yaml(ROOT / "knowledge" / "rules" / "storage.yaml"))
    coefficients = _plain(load_yaml(ROOT / "knowledge" / "coefficients.yaml"))
    sources = _plain(load_yaml(ROOT / "knowledge" / "sources.yaml"))
    return _Quiet((knowledge, rules, coefficients, sources))


@FUZZ
@given(mutation=mutations, which=st.sampled_from(["rules", "coefficients", "sources"]))
def test_fuzz_knowledge(tmp_path, knowledge_files, mutation, which):
    knowledge, rules, coefficients, sources = knowledge_files.value
    folder = tmp_path / "rules"
    folder.mkdir(exist_ok=True)
    try:
        if which == "rules":
            (folder / "fuzz.yaml").write_text(_dump(_mutate({"rules": rules["rules"][:2]}, mutation)))
            load_rules(folder, knowledge.sources, set(knowledge.coefficients))
        elif which == "coefficients":
            document = _mutate({"coefficients": coefficients["coefficients"][:3]}, mutation)
            (tmp_path / "c.yaml").write_text(_dump(document))
            load_coefficients(tmp_path / "c.yaml", knowledge.sources)
        else:
            (tmp_path / "s.yaml").write_text(_dump(_mutate({"sources": sources["sources"][:3]}, mutation)))
            load_sources(tmp_path / "s.yaml")
    except InputError as error:
        assert "\n" not in str(error) and str(tmp_path) in str(error)


@pytest.fixture(scope="module")
def preset() -> dict:
    return _plain(load_yaml(ROOT / "knowledge" / "profiles" / "microservice.yaml"))


@FUZZ
@given(mutation=mutations)
def test_fuzz_profiles(tmp_path, preset, mutation):
    path = tmp_path / "p.yaml"
    path.write_text(_dump(_mutate(preset, mutation)))
    try:
        load_profile_file(path)
    except InputError as error:
        assert str(error).startswith(str(path)) and "\n" not in str(error)


mod_words = st.sampled_from(["module", "go", "toolchain", "require", "replace", "exclude", "retract", "use",
                             "godebug", "(", ")", "=>", "//", "// indirect", "\"", "`", "example.com/m", "v1.2.3",
                             "1.22", "1.21rc2", "../x", "./y", "\n", "\t", " ", "h1:abc=", "/go.mod", "\x00", "é"])
mod_text = st.lists(st.one_of(mod_words, st.text(max_size=5)), max_size=40).map(" ".join)


@FUZZ
@given(text=mod_text, raw=st.binary(max_size=40), which=st.sampled_from(["go.mod", "go.work", "go.sum"]))
def test_fuzz_go_mod_work_sum(tmp_path, text, raw, which):
    path = tmp_path / which
    parse = {"go.mod": parse_go_mod, "go.work": parse_go_work, "go.sum": go_sum_modules}[which]
    for content in (text.encode("utf-8"), raw):
        path.write_bytes(content)
        try:
            parse(path)
        except InputError as error:
            assert str(error).startswith(str(path)) and "\n" not in str(error)


build_words = st.sampled_from(["go test", "-race", "./...", "GOOS=linux", "GOARCH=arm64", "FROM", "--platform=",
                               "AS", "image:", "services:", "postgres:16", "kind create cluster", "mem_limit:",
                               "dependencies:", "- name:", "builds:", "goos:", "goarch:", "&a", "*a", "[", "]", "{",
                               "}", ":", "\n", "  ", "#", "\"", "'"])
build_text = st.lists(st.one_of(build_words, st.text(max_size=6)), max_size=40).map(" ".join)


@FUZZ
@given(text=build_text, name=st.sampled_from(["Makefile", "Dockerfile", "docker-compose.yml", "Chart.yaml",
                                              ".goreleaser.yaml", ".github/workflows/ci.yml", "kind.yaml",
                                              "Taskfile.yml", "build.sh"]))
def test_fuzz_build_files(tmp_path, text, name):
    (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / name).write_text(text)
    setup = read_build_setup(tmp_path, [Path(name)])  # never raises: a file it cannot read is a warning
    assert all("\n" not in warning for warning in setup.warnings)


go_words = st.sampled_from(["package", "main", "import", "(", ")", "\"fmt\"", "_", ".", "//go:build", "linux",
                            "&&", "||", "!", "// +build", "/*", "*/", "`", "\n", "func", "{", "}", "import \"C\"",
                            "//go:generate", "\x00", "\ufeff"])


@FUZZ
@given(parts=st.lists(st.one_of(go_words, st.text(max_size=6)), max_size=40), raw=st.binary(max_size=60))
def test_fuzz_go_files(parts, raw):
    for name, data in (("a.go", " ".join(parts).encode("utf-8")), ("b_test.go", raw)):
        facts = read_go_file(name, data)
        assert facts.lines >= 0


weight_text = st.lists(st.one_of(st.sampled_from(["build", "memory", "=", ",", "nan", "inf", "-1", "0", "1e999",
                                                  "3", " ", "bulid", "1_0", "0x1"]), st.text(max_size=4)),
                       max_size=12).map("".join)


@FUZZ
@given(text=weight_text)
def test_fuzz_weights(text):
    data = api.load()
    profile = data.knowledge.presets["microservice"]
    try:
        weights = effective_weights(data.knowledge.scoring, profile, api.parse_weights(text))
    except InputError as error:
        assert "\n" not in str(error) and str(error).startswith(("--weight", "weights"))
    else:
        assert all(w >= 0 for w in weights.values()) and any(w > 0 for w in weights.values())


class _Quiet:
    """A fixture's value with a short repr, for hypothesis's failure reports."""

    def __init__(self, value) -> None:
        self.value = value

    def __repr__(self) -> str:
        return f"<{type(self.value).__name__}>"


@pytest.fixture(scope="module")
def measured(tmp_path_factory):
    root = tmp_path_factory.mktemp("mod")
    (root / "go.mod").write_text("module example.com/m\n\ngo 1.22\n")
    (root / "main.go").write_text("package main\n\nfunc main() {}\n")
    return _Quiet(scan(root))


set_text = st.tuples(st.sampled_from(["edit_builds_per_day", "budget", "budget.amount", "budget.currency",
                                      "weights.build", "weights", "race", "race_share", "os", "containers",
                                      "provenance", "id", "bogus", "", "budget.amount.x"]),
                     st.sampled_from(["=", "", "=="]),
                     st.one_of(st.sampled_from(["nan", "inf", "-1", "40", "[linux]", "{a: 1}", "&a [*a]", "true",
                                                "USD", "", "[", "1e999", "0"]), st.text(max_size=6))
                     ).map("".join)


@FUZZ
@given(settings_given=st.lists(set_text, min_size=1, max_size=3))
def test_fuzz_set(measured, settings_given):
    knowledge = api.load().knowledge
    try:
        build_profile(measured.value, knowledge, parse_set(settings_given))
    except InputError as error:
        assert "\n" not in str(error)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(weight=weight_text)
def test_fuzz_weight_through_the_cli(capsys, weight):
    run = cli(capsys, "explain", "apple-macbook-air-13-m1-2020", "--format", "json", "--weight", weight)
    assert run.code in (0, 2), run.err
    if run.code == 2:
        assert run.error_line.startswith("go-advisor: error: ")
