"""Findings' messages render over only the facts their templates name, with the same text as over all facts."""
from __future__ import annotations

from pathlib import Path

import pytest

from advisor import api, engine
from advisor.facts import assemble, render_message

ROOT = Path(__file__).resolve().parent.parent
DATA = api.load(ROOT / "hardware_db", ROOT / "knowledge")


@pytest.mark.parametrize("preset", sorted(DATA.knowledge.presets))
def test_a_message_over_its_own_facts_reads_as_over_all(preset):
    profile = DATA.knowledge.presets[preset]
    roots = engine._message_roots(DATA.knowledge)
    for mc in DATA.machine_configs()[::9]:
        plain = assemble(mc, profile, DATA.predictions(mc, profile, "seed-claim"), DATA.knowledge).plain()
        for rule in DATA.knowledge.rules:  # every rule, fired or not: each template renders over any facts
            template = DATA.knowledge.messages[rule.id]
            try:
                whole = render_message(template, plain)
            except Exception as error:  # noqa: BLE001 - then the narrowed facts must fail alike
                with pytest.raises(type(error)):
                    render_message(template, engine._visible(plain, roots[rule.id], {}))
                continue
            assert render_message(template, engine._visible(plain, roots[rule.id], {})) == whole, rule.id


def test_roots_are_the_top_level_names():
    roots = engine._message_roots(DATA.knowledge)
    assert all(root and "." not in root for names in roots.values() for root in names)
