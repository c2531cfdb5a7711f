"""durable_rules stays alive on every ruleset the evidence levels build, and agrees with the built-in evaluator."""
from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from advisor import engine

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(not engine.durable_available(), reason="durable_rules does not import here")


@pytest.mark.parametrize("evidence", ["documented", "measured", "estimate", "seed-claim"])
def test_durable_survives_a_fact_set_that_no_rule_matches(evidence):
    # durable 2.0.28 segfaults in delete_state after a fact that matched no rule; the backend's sentinel
    # rule keeps that path closed. A child process, so a regression is a failure, not a crashed run.
    script = textwrap.dedent(f"""
        from advisor import api, engine
        from advisor.facts import FACT_TYPES
        from advisor.types import accepted_levels
        data = api.load({str(ROOT / "hardware_db")!r}, {str(ROOT / "knowledge")!r})
        rules = [r for r in data.knowledge.rules if r.confidence in accepted_levels({evidence!r})]
        durable = engine.make_backend(rules, prefer="durable")
        builtin = engine.make_backend(rules, prefer="builtin")
        values = {{"number": 123456.0, "bool": False, "str": "no-such-value"}}
        facts = {{name: values[kind] for name, kind in FACT_TYPES.items()}}
        for _ in range(50):
            assert durable.fired(facts) == builtin.fired(facts)
        print("alive")
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and result.stdout.strip() == "alive", result.stderr[-2000:]


def test_durable_itself_still_crashes_without_the_sentinel():
    """The upstream bug the sentinel works around; when a durable release fixes it, drop the sentinel."""
    script = textwrap.dedent("""
        import durable.engine as de
        class Host(de.Host):
            def _run(self):
                return None
        host = Host()
        host.set_rulesets({"rs": {"r": {"all": [{"m": {"$and": [{"marker": 1}, {"x": True}]}}],
                                        "run": lambda c: None}}})
        try:
            host.assert_fact("rs", {"marker": 1, "x": False, "sid": "0", "id": "0"})
        except de.MessageNotHandledException:
            pass
        host.delete_state("rs", "0")
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
