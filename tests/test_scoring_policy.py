"""The scoring policy's numbers, pinned at their break points, and scoring.yaml's strict loading."""
from __future__ import annotations

import math

import pytest
from conftest import edit_first
from hypothesis import given, settings
from hypothesis import strategies as st

from advisor import api
from advisor.errors import InputError
from advisor.facts import Facts, FactValue
from advisor.knowledge import load_knowledge
from advisor.scoring import criterion_score
from advisor.types import Input, Metrics, accepted_levels

DATA = api.load()
POLICY = DATA.knowledge.scoring
ACCEPTED = accepted_levels("estimate")


def score_of(criterion: str, **values: object) -> float | None:
    """The criterion's score when its facts hold these values (documented), with no findings."""
    facts = Facts(values={name.replace("__", "."): FactValue(value, "documented", "test")
                          for name, value in values.items()})
    # the database's best daily wait for the profile, which the build curve is relative to
    best = {"daily_wait_min": Input(name="best daily_wait_min in the database", value=10.0, unit="min/day",
                                    source="model", confidence="documented", note="the test's fastest machine")}
    result = criterion_score(criterion, POLICY.criteria[criterion], facts, Metrics(machine_config="x", quantities={}),
                             (), (), 1.0, ACCEPTED, best)
    return result.score


@pytest.mark.parametrize("wait_min, score", [(0, 100), (5, 100), (10, 100), (20, 70), (40, 40), (80, 10),
                                             (160, 0)])
def test_build_score_loses_30_points_for_each_doubling_of_the_databases_best_wait(wait_min, score):
    assert score_of("build", daily_wait_min=wait_min) == pytest.approx(score, abs=0.05)


def test_without_the_databases_best_the_build_is_not_assessed():
    facts = Facts(values={"daily_wait_min": FactValue(12.0, "documented", "test")})
    result = criterion_score("build", POLICY.criteria["build"], facts, Metrics(machine_config="x", quantities={}),
                             (), (), 1.0, ACCEPTED)
    assert result.score is None and "no configuration in the database" in result.basis


@pytest.mark.parametrize("headroom_gb, score", [(-10, 0), (-8, 0), (-4, 20), (0, 40), (1, 70), (2, 100), (40, 100)])
def test_the_peak_must_fit_40_when_it_just_fits_100_with_2_gb_to_spare(headroom_gb, score):
    assert score_of("memory", memory_headroom_gb=headroom_gb, idle_memory_free_gb=100) == pytest.approx(score)


@pytest.mark.parametrize("idle_gb, score", [(0, 0), (1, 20), (2, 40), (6, 70), (8, 77.5), (10, 85), (14, 92.5),
                                            (18, 100), (64, 100)])
def test_memory_free_between_builds_keeps_paying_up_to_18_gb(idle_gb, score):
    assert score_of("memory", memory_headroom_gb=10, idle_memory_free_gb=idle_gb) == pytest.approx(score)


def test_the_memory_score_is_the_weaker_of_fitting_the_peak_and_caching():
    assert score_of("memory", memory_headroom_gb=0, idle_memory_free_gb=18) == 40
    assert score_of("memory", memory_headroom_gb=2, idle_memory_free_gb=2) == 40


def test_with_a_profile_filling_12_gb_32_gb_beats_24_gb():
    resident = 12
    assert (score_of("memory", memory_headroom_gb=32 - resident - 3, idle_memory_free_gb=32 - resident) >
            score_of("memory", memory_headroom_gb=24 - resident - 3, idle_memory_free_gb=24 - resident))


@pytest.mark.parametrize("free_gb, years, score", [(400, 10, 100), (100, 10, 50), (400, 5, 50), (50, 2, 20),
                                                   (250, 30, 75), (900, 30, 100)])
def test_storage_score_is_the_weaker_of_free_space_and_endurance(free_gb, years, score):
    assert score_of("storage", free_storage_gb=free_gb, endurance_years=years) == pytest.approx(score)


def test_storage_without_an_endurance_figure_scores_free_space_alone_and_says_so():
    facts = Facts(values={"free_storage_gb": FactValue(100.0, "documented", "test")})
    result = criterion_score("storage", POLICY.criteria["storage"], facts, Metrics(machine_config="x", quantities={}),
                             (), (), 1.0, ACCEPTED)
    assert result.score == 50
    assert "of rated endurance not assessed" in result.basis


@pytest.mark.parametrize("ratio, score", [(0.4, 0), (0.5, 0), (0.75, 50), (0.9, 80), (1.0, 100)])
def test_thermals_score_runs_from_half_the_clock_to_no_throttling(ratio, score):
    assert score_of("thermals", sustained_clock_ratio=ratio) == pytest.approx(score)


@pytest.mark.parametrize("ratio, score", [(0.3, 100), (0.6, 100), (0.8, 80), (1.0, 60), (1.5, 40), (2.0, 30)])
def test_budget_score_is_full_to_60_percent_60_at_the_budget_and_falls_beyond(ratio, score):
    assert score_of("budget", profile__has_budget=True, price__known=True, budget_ratio=ratio) == pytest.approx(score)


def test_budget_does_not_apply_without_a_budget_and_is_neutral_without_a_price():
    assert score_of("budget", profile__has_budget=False, budget_ratio=0.5) is None
    assert score_of("budget", profile__has_budget=True, price__known=False) == 50


@pytest.mark.parametrize("weight_kg, battery_wh, score", [(1.2, 70, 100), (1.9, 55, 50), (2.6, 40, 0), (1.2, 40, 50),
                                                          (2.6, None, 0), (1.55, None, 75)])
def test_portability_is_the_mean_of_weight_and_battery(weight_kg, battery_wh, score):
    values = {"weight_kg": weight_kg} | ({"battery_wh": battery_wh} if battery_wh is not None else {})
    assert score_of("portability", **values) == pytest.approx(score)


@pytest.mark.parametrize("levels, score", [
    ({"os__linux": "works", "os__windows": "certified", "os__macos": "none"}, 100),
    ({"os__linux": "partial", "os__windows": "poor", "os__macos": "none"}, 50),
])
def test_os_score_is_the_best_supported_of_the_oses_the_profile_names(levels, score):
    wants = {"profile__names_os": True, "profile__wants_linux": True, "profile__wants_windows": True,
             "profile__wants_macos": True}
    assert score_of("os", **levels, **wants) == score


def test_os_score_reads_only_the_oses_the_profile_needs():
    assert score_of("os", os__linux="partial", os__windows="certified", os__macos="none", profile__names_os=True,
                    profile__wants_linux=True, profile__wants_windows=False, profile__wants_macos=False) == 50


def test_os_is_not_applied_when_the_profile_names_no_os():
    facts = Facts(values={"profile.names_os": FactValue(False, None, "profile"),
                          "os.linux": FactValue("works", "documented", "test")})
    result = criterion_score("os", POLICY.criteria["os"], facts, Metrics(machine_config="x", quantities={}),
                             (), (), 2.0, ACCEPTED)
    assert result.score is None and not result.applicable


def test_a_required_fact_weaker_than_the_evidence_makes_the_criterion_not_assessed():
    facts = Facts(values={"daily_wait_min": FactValue(12.0, "estimate", "model")})
    result = criterion_score("build", POLICY.criteria["build"], facts, Metrics(machine_config="x", quantities={}),
                             (), (), 3.0, accepted_levels("documented"))
    assert result.score is None and result.basis == "not assessed: daily_wait_min is estimate"


@settings(max_examples=200, deadline=None)
@given(criterion=st.sampled_from(sorted(POLICY.criteria)), x=st.floats(-1e6, 1e6), more=st.floats(0, 1e6))
def test_every_numeric_curve_is_bounded_and_monotone_between_its_ends(criterion, x, more):
    for term in POLICY.criteria[criterion].terms:
        curve = term.curve
        if curve.levels is not None:
            continue
        best = 1.0 if curve.per_doubling else None
        low, high = curve.score(x, best), curve.score(x + more, best)
        assert 0 <= low <= 100 and 0 <= high <= 100 and math.isfinite(low)
        points = curve.points or ((0, 100), (1, 0))
        rising = (points[-1][1] >= points[0][1] and curve.half_at is None and curve.per_doubling is None
                  and curve.beyond == "flat")
        assert (high >= low - 1e-9) if rising else (high <= low + 1e-9)


# ------------------------------------------------------------------ strict loading
@pytest.mark.parametrize("pattern, replacement, message", [
    (r"per_doubling: 30", "per_doubling: 0",
     "criteria.build.terms.0.curve.per_doubling: Input should be greater than 0"),
    (r"  budget: 2\n", "  budjet: 2\n", "default_weights.budjet: not a criterion declared under criteria"),
    (r"      - fact: daily_wait_min", "      - fact: daily_wait_mins",
     "criteria.build.terms.0.fact: unknown fact 'daily_wait_mins' (did you mean 'daily_wait_min'?)"),
    (r"    combine: mean", "    combine: average",
     "criteria.portability.combine: Input should be 'min', 'mean' or 'max'"),
    (r"\[\[-8, 0\], \[0, 40\], \[2, 100\]", "[[0, 40], [-8, 0], [2, 100]",
     "points: values must increase strictly"),
    (r"curve: \{points: \[\[0.5, 0\], \[1.0, 100\]\]\}", "curve: {points: [[0.5, 0], [1.0, 120]]}",
     "score 120.0 is outside 0-100"),
    (r"  memory: 3\n", "  memory: .nan\n", "default_weights.memory: nan is not a finite number"),
    (r"        curve: \{levels: &os_levels", "        curvee: {levels: &os_levels",
     "criteria.os.terms.0.curve: Field required"),
    (r"    applies_when: profile.has_budget", "    applies_when: budget_ratio", "'budget_ratio' is not a bool fact"),
])
def test_a_broken_scoring_policy_is_one_line_naming_file_line_and_field(knowledge_copy, pattern, replacement, message):
    edit_first(knowledge_copy / "scoring.yaml", pattern, replacement)
    with pytest.raises(InputError) as error:
        load_knowledge(knowledge_copy)
    text = str(error.value)
    assert message in text and str(knowledge_copy / "scoring.yaml") in text and "\n" not in text
    assert text.split(":")[1].isdigit(), text


def test_a_rule_naming_an_undeclared_criterion_is_rejected(knowledge_copy):
    edit_first(knowledge_copy / "rules" / "memory.yaml", r"criterion: memory", "criterion: memroy")
    with pytest.raises(InputError, match=r"memory.yaml:\d+: memory.exceeds-ram.criterion: 'memroy' is not a criterion "
                                         r"of scoring.yaml \(did you mean 'memory'\?\)"):
        load_knowledge(knowledge_copy)


def test_weights_must_name_criteria_and_leave_one_positive():
    with pytest.raises(InputError, match=r"'biuld' is not a criterion \(did you mean 'build'\?\)"):
        api.recommend("learning", weights="biuld=3", data=DATA)
    zero = ",".join(f"{name}=0" for name in POLICY.names)
    with pytest.raises(InputError, match="at least one criterion needs a positive weight"):
        api.recommend("learning", weights=zero, data=DATA)
    for bad in ("build=nan", "build=inf", "build=-1"):
        with pytest.raises(InputError, match="must be a finite number"):
            api.recommend("learning", weights=bad, data=DATA)
    with pytest.raises(InputError, match="must be a finite number"):
        api.recommend("learning", weights={"build": float("nan")}, data=DATA)
