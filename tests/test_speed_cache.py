"""The parsed-YAML cache: keyed on content, refused when not the user's own, never changing what is loaded."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from advisor import yamlcache, yamlio
from advisor.errors import InputError

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture()
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("GO_ADVISOR_CACHE", raising=False)
    return tmp_path / "cache" / "go-advisor" / "yaml"


def _same(a: object, b: object) -> bool:
    """Equal values and equal line numbers, all the way down."""
    if isinstance(a, yamlio.LineDict):
        return (type(b) is yamlio.LineDict and a.line == b.line and a.key_lines == b.key_lines
                and list(a) == list(b) and all(_same(a[k], b[k]) for k in a))
    if isinstance(a, yamlio.LineList):
        return (type(b) is yamlio.LineList and a.line == b.line and a.item_lines == b.item_lines
                and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True)))
    return type(a) is type(b) and (a == b or a != a and b != b)  # NaN equals itself here


@pytest.mark.parametrize("path", sorted((ROOT / "hardware_db").rglob("*.yaml"))[:5] +
                         sorted((ROOT / "knowledge").rglob("*.yaml")), ids=lambda p: p.name)
def test_a_cached_parse_is_the_parse_itself(cache: Path, path: Path):
    fresh = yamlio.load_yaml(path)
    assert _same(fresh, yamlcache.load_yaml(path))  # a miss: parsed and stored
    assert list(cache.glob("*.json"))
    assert _same(fresh, yamlcache.load_yaml(path))  # a hit: read back


def test_odd_values_round_trip(cache: Path, tmp_path: Path):
    path = tmp_path / "odd.yaml"
    path.write_text("a: 2026-11-27\nb: .nan\nc: -.inf\n1: [true, null, 0x10, -0.0, 1e400]\n"
                    "d: &x {e: 1}\nf: *x\n\"\\u2603\": snow\n")
    fresh = yamlio.load_yaml(path)
    yamlcache.load_yaml(path)
    assert len(list(cache.glob("*.json"))) == 1
    assert _same(fresh, yamlcache.load_yaml(path))


def test_a_changed_file_is_parsed_again(cache: Path, tmp_path: Path):
    path = tmp_path / "p.yaml"
    path.write_text("value: 1\n")
    assert yamlcache.load_yaml(path) == {"value": 1}
    path.write_text("value: 2\n")  # same size, same second: only the content tells them apart
    assert yamlcache.load_yaml(path) == {"value": 2}
    assert len(list(cache.glob("*.json"))) == 2


def test_errors_are_not_cached_and_keep_their_message(cache: Path, tmp_path: Path):
    path = tmp_path / "bad.yaml"
    path.write_text("a: [1,\n")
    with pytest.raises(InputError) as first:
        yamlcache.load_yaml(path)
    with pytest.raises(InputError) as again:
        yamlcache.load_yaml(path)
    assert str(first.value) == str(again.value) and str(path) in str(first.value)
    assert not list(cache.glob("*.json"))


def _entry(cache: Path) -> Path:
    (entry,) = cache.glob("*.json")
    return entry


def test_a_tampered_or_foreign_entry_is_ignored(cache: Path, tmp_path: Path):
    path = tmp_path / "p.yaml"
    path.write_text("value: 1\n")
    yamlcache.load_yaml(path)
    entry = _entry(cache)
    assert entry.stat().st_mode & 0o777 == 0o600
    entry.write_text("{not json")
    assert yamlcache.load_yaml(path) == {"value": 1}  # corrupt: parsed again and rewritten
    forged = entry.read_text().replace('["value", 1, 1]', '["value", 1, 666]')
    assert forged != entry.read_text()
    entry.write_text(forged)
    os.chmod(entry, 0o664)  # others may have written it: not trusted
    assert yamlcache.load_yaml(path) == {"value": 1}
    entry.write_text(forged)
    os.chmod(entry, 0o600)  # the user's own entry is trusted: the user could edit the YAML as well
    assert yamlcache.load_yaml(path) == {"value": 666}


def test_a_cache_folder_others_may_write_is_not_used(cache: Path, tmp_path: Path):
    path = tmp_path / "p.yaml"
    path.write_text("value: 1\n")
    yamlcache.load_yaml(path)
    os.chmod(cache, 0o777)
    assert yamlcache.cache_dir() is None
    _entry(cache).write_text('{"format": 1, "digest": "x", "data": 5}')
    assert yamlcache.load_yaml(path) == {"value": 1}


def test_the_cache_can_be_turned_off(cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("GO_ADVISOR_CACHE", "off")
    path = tmp_path / "p.yaml"
    path.write_text("value: 1\n")
    assert yamlcache.load_yaml(path) == {"value": 1}
    assert not cache.exists()


def test_a_fifo_goes_to_the_loader_unread(cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    fifo = tmp_path / "f.yaml"
    os.mkfifo(fifo)
    seen: list[Path] = []
    monkeypatch.setattr(yamlio, "load_yaml", lambda path: seen.append(path) or {"loader": "decides"})
    assert yamlcache.load_yaml(fifo) == {"loader": "decides"}  # no hang: the cache never reads it
    assert seen == [fifo]


def test_the_data_loads_the_same_through_the_cache(cache: Path, monkeypatch: pytest.MonkeyPatch):
    import dataclasses

    from advisor.catalog import load_catalog
    from advisor.knowledge import load_knowledge

    def both() -> list[object]:
        knowledge = load_knowledge(ROOT / "knowledge")
        catalog = load_catalog(ROOT / "hardware_db", set(knowledge.sources))
        # Knowledge compares by identity: compare what it holds
        return [getattr(record, f.name) for record in (knowledge, catalog) for f in dataclasses.fields(record)
                if f.compare] + [knowledge.rule_reads]

    monkeypatch.setenv("GO_ADVISOR_CACHE", "off")
    plain = both()
    monkeypatch.delenv("GO_ADVISOR_CACHE")
    assert both() == plain  # filling the cache
    assert list(cache.glob("*.json"))
    assert both() == plain  # read from it


def test_a_symlink_is_never_answered_from_the_cache(cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    real = tmp_path / "real.yaml"
    real.write_text("value: 1\n")
    yamlcache.load_yaml(real)  # cached under these bytes
    link = tmp_path / "link.yaml"
    link.symlink_to(real)
    seen: list[Path] = []
    monkeypatch.setattr(yamlio, "load_yaml", lambda path: seen.append(path) or {"loader": "decides"})
    assert yamlcache.load_yaml(link) == {"loader": "decides"}  # the loader's rules for symlinks apply
    assert seen == [link]
