"""The output interface: the format registry, the one JSON writer, and the API twins of explain and compare."""
from __future__ import annotations

import json

import pytest
import typer.main

from advisor import api
from advisor.cli import app
from advisor.errors import InputError
from advisor.output import OutputError, json_text
from advisor.render import RENDERERS
from advisor.render.formats import FORMATS
from advisor.render.scan_format import SCAN_RENDERERS


def _commands(group, prefix=()):
    for name, command in group.commands.items():
        if hasattr(command, "commands"):
            yield from _commands(command, (*prefix, name))
        else:
            yield " ".join((*prefix, name)), command


def test_every_command_takes_exactly_its_registered_formats():
    commands = dict(_commands(typer.main.get_command(app)))
    assert set(commands) == set(FORMATS)
    for name, command in commands.items():
        option = next(p for p in command.params if "--format" in getattr(p, "opts", ()))
        assert option.metavar == "<" + "|".join(FORMATS[name]) + ">", name
        assert option.default == FORMATS[name][0], name
        assert all(f in option.help for f in FORMATS[name]), name


def test_the_registry_matches_the_renderers():
    assert tuple(RENDERERS) == FORMATS["recommend"] == FORMATS["compare"]
    assert set(SCAN_RENDERERS) == set(FORMATS["profile scan"])


def test_json_writer_is_stable_and_readable():
    text = json_text({"b": "München", "a": [1, 2.5], "c": {"z": None, "y": True}})
    assert text == ('{\n  "a": [\n    1,\n    2.5\n  ],\n  "b": "München",\n'
                    '  "c": {\n    "y": true,\n    "z": null\n  }\n}\n')


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -float("inf")])
def test_json_writer_refuses_non_finite_numbers_and_says_where(value):
    with pytest.raises(OutputError, match=r"ranked\[1\]\.total is not a finite number"):
        json_text({"ranked": [{"total": 1.0}, {"total": value}]})
    assert issubclass(OutputError, InputError)  # one line, exit 2 in the CLI


def test_a_nan_weight_is_refused_before_anything_is_scored(data):
    with pytest.raises(InputError, match="build=nan must be a finite number"):
        api.recommend("microservice", data=data, weights={"build": float("nan")})


def test_the_json_writer_refuses_nan_whatever_reaches_it():
    with pytest.raises(OutputError, match="not a finite number"):
        json_text({"weights": {"build": float("nan")}})


def test_explain_is_the_data_the_command_renders(data):
    best = api.recommend("microservice", data=data).ranked[0]
    explained = api.explain(best.machine_id, "microservice", data=data)
    assert set(explained) == {"score", "hardware", "quantities", "evidence", "profile", "cited", "sources"}
    assert explained["score"]["id"] == best.machine_config and explained["evidence"] == "estimate"
    assert set(explained["sources"]) == set(explained["cited"]) and explained["cited"]
    json.loads(json_text(explained))


def test_compare_scores_in_the_order_given(data):
    ranked = api.recommend("microservice", data=data).ranked
    names = [ranked[2].machine_config, ranked[0].machine_config]
    scores = api.compare(names, "microservice", data=data, weights="build=2")
    assert [s.machine_config for s in scores] == names
    with pytest.raises(InputError, match="at least two"):
        api.compare([names[0]], data=data)
    with pytest.raises(InputError, match="at least two"):
        api.compare(names[0], data=data)


def test_rules_backend_is_an_argument(data):
    assert api.load().rules_backend == "auto"
    assert api.load(rules_backend="builtin").rules_backend == "builtin"
    builtin = api.Data(knowledge=data.knowledge, catalog=data.catalog, rules_backend="builtin")
    assert builtin.rules_engine("estimate").name == "builtin"
    with pytest.raises(InputError, match="rules backend 'fastest'"):
        api.load(rules_backend="fastest")


def test_public_api_exports():
    import advisor

    assert {"recommend", "score", "explain", "compare", "load", "scan_profile"} <= set(advisor.__all__)
