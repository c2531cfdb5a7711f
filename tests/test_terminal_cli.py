"""The terminal experience that needs no terminal: defaults from the config file and GO_ADVISOR_*, global options
after the subcommand, --version, completion, help without type labels, "did you mean", db list --configs and
CSV listings. Each test runs the installed CLI in a subprocess (test_cli.run) with its own config folder."""
from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
from importlib import metadata
from pathlib import Path

import pytest
import typer.main
from hypothesis import given, settings
from hypothesis import strategies as st
from test_cli import ROOT, _executable, run

from advisor import suggest, userconfig
from advisor.cli import app, command, hoist_root_options
from advisor.errors import InputError
from advisor.render.explain import for_people


@pytest.fixture()
def config_home(tmp_path, monkeypatch) -> Path:
    """An XDG config folder of this test's own, found by the platform rules (no GO_ADVISOR_CONFIG)."""
    home = tmp_path / "xdg"
    (home / "go-advisor").mkdir(parents=True)
    monkeypatch.delenv("GO_ADVISOR_CONFIG", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))
    return home / "go-advisor" / "config.toml"


def _market(tmp_path, *args: str, **env: str) -> str:
    result = run("recommend", "--format", "json", "--top", "1", *args, cwd=tmp_path, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)["market"]


@pytest.mark.skipif(not Path("/etc").exists() or shutil.which("sh") is None, reason="XDG rules are for Unix")
def test_the_config_file_sets_the_default_market_recommend_honours(tmp_path, config_home):
    assert _market(tmp_path) == "us"
    config_home.write_text('# my defaults\nmarket = "eu"\n')
    assert _market(tmp_path) == "eu"
    assert _market(tmp_path, GO_ADVISOR_MARKET="uk") == "uk"  # environment over file
    assert _market(tmp_path, "--market", "cn", GO_ADVISOR_MARKET="uk") == "cn"  # flag over environment
    shown = run("config", "show", cwd=tmp_path, GO_ADVISOR_MARKET="uk")
    assert f"config file: {config_home} (found" in shown.stdout
    assert "variables set: GO_ADVISOR_MARKET" in shown.stdout
    assert re.search(r"^market +uk +\[GO_ADVISOR_MARKET\]$", shown.stdout, re.M)
    data = json.loads(run("config", "show", "-f", "json", cwd=tmp_path).stdout)
    assert data["settings"]["market"] == {"value": "eu", "from": f"{config_home}:2"}
    assert data["settings"]["profile"] == {"value": "microservice", "from": "built-in"}


def test_a_profile_market_beats_the_default_market_but_not_the_flag(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text('market = "eu"\nprofile = "platform"\nbudget = 2500\nweights = "build=3,memory=2"\n')
    profile = tmp_path / "mine.yaml"
    shown = run("profile", "show", "microservice", cwd=tmp_path).stdout
    profile.write_text(shown.replace("id: microservice", "id: mine") + "market: jp\n")
    result = run("recommend", "--format", "json", "--top", "1", cwd=tmp_path, GO_ADVISOR_CONFIG=str(config))
    document = json.loads(result.stdout)
    assert document["market"] == "eu" and document["profile"]["id"] == "platform"
    assert document["profile"]["budget"] == {"amount": 2500.0, "currency": "USD"}
    assert document["weights"]["build"] == 3 and document["weights"]["memory"] == 2
    assert _market(tmp_path, "--profile", str(profile), GO_ADVISOR_CONFIG=str(config)) == "jp"
    assert _market(tmp_path, "--profile", str(profile), "--market", "uk", GO_ADVISOR_CONFIG=str(config)) == "uk"


def test_explain_and_compare_take_the_same_defaults(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text('market = "eu"\nprofile = "platform"\n')
    explained = json.loads(run("explain", "framework-laptop-13-amd-7040", "-f", "json", cwd=tmp_path,
                               GO_ADVISOR_CONFIG=str(config)).stdout)
    assert explained["profile"]["id"] == "platform" and explained["profile"]["market"] == "eu"
    compared = run("compare", "framework-laptop-13-amd-7040", "dell-xps-13-9310", "-f", "json", cwd=tmp_path,
                   GO_ADVISOR_CONFIG=str(config), GO_ADVISOR_PROFILE="learning")
    assert compared.returncode == 0, compared.stderr
    document = json.loads(compared.stdout)
    assert document["title"].startswith("Learning Go: ")  # GO_ADVISOR_PROFILE over the file's profile
    priced = run("compare", "framework-laptop-13-amd-7040", "dell-xps-13-9310", "-f", "json", cwd=tmp_path).stdout
    assert all(entry["price"] is None for entry in document["scores"])  # neither is priced in eu
    assert all(entry["price"]["market"] == "us" for entry in json.loads(priced)["scores"])


@pytest.mark.parametrize("text, where", [
    ('market = "mars"\n', r"config\.toml:1: market: 'mars' is not one of us, eu, uk, cn, in, jp"),
    ('\n\nbudget = -3\n', r"config\.toml:3: budget: -3 is not a positive number"),
    ('markt = "eu"\n', r"config\.toml:1: markt: not a setting; did you mean `market`\?"),
    ('market = "eu"\nbudget = [1\n', r"config\.toml:2: not valid TOML"),
    ('[weights]\nbuild = "lots"\n', r"config\.toml:1: weights: weights\.build: 'lots' is not a number"),
])
def test_a_bad_config_file_is_one_line_naming_file_line_and_key(tmp_path, text, where):
    config = tmp_path / "config.toml"
    config.write_text(text)
    result = run("recommend", cwd=tmp_path, GO_ADVISOR_CONFIG=str(config))
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and re.search(where, result.stderr), result.stderr


def test_a_bad_variable_is_one_line_naming_it(tmp_path):
    result = run("recommend", cwd=tmp_path, GO_ADVISOR_BUDGET="lots")
    assert result.returncode == 2 and result.stderr.count("\n") == 1
    assert "GO_ADVISOR_BUDGET: 'lots' is not a number" in result.stderr


def test_defaults_are_flag_environment_file_builtin(tmp_path, monkeypatch):
    config = tmp_path / "c.toml"
    config.write_text('currency = "eur"\n[weights]\nbuild = 3\nmemory = 1.5\n')
    found = userconfig.defaults({"GO_ADVISOR_CONFIG": str(config), "GO_ADVISOR_PROFILE": "platform"})
    assert found.settings["profile"] == userconfig.Setting("platform", "GO_ADVISOR_PROFILE")
    assert found.settings["currency"] == userconfig.Setting("EUR", f"{config}:1")
    assert found.settings["weights"] == userconfig.Setting("build=3,memory=1.5", f"{config}:2")
    assert found.settings["market"] == userconfig.Setting(None, "built-in")
    assert found.variables == ("GO_ADVISOR_CONFIG", "GO_ADVISOR_PROFILE")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    xdg = userconfig.config_path({})
    if Path("/etc").exists():  # platformdirs reads XDG_CONFIG_HOME on Linux and the BSDs
        assert xdg == (tmp_path / "go-advisor" / "config.toml", "the platform's config folder")


def test_global_options_are_accepted_after_the_subcommand(tmp_path, db_copy, knowledge_copy):
    (db_copy / "machines" / "apple.yaml").unlink()
    after = run("recommend", "--db", str(db_copy), "--format", "json", cwd=tmp_path)
    before = run("--db", str(db_copy), "recommend", "--format", "json", cwd=tmp_path)
    assert after.returncode == 0, after.stderr
    assert after.stdout == before.stdout
    assert not any(entry["machine"].startswith("apple-") for entry in json.loads(after.stdout)["ranked"])
    listed = run("db", "list", "--db", str(db_copy), "-f", "json", cwd=tmp_path)
    assert listed.returncode == 0
    assert listed.stdout == run("--db", str(db_copy), "db", "list", "-f", "json", cwd=tmp_path).stdout
    assert len(json.loads(listed.stdout)) < len(json.loads(run("db", "list", "-f", "json", cwd=tmp_path).stdout))
    rules = run("knowledge", "list", "--kind", "rules", "--knowledge=" + str(knowledge_copy), "-f", "json",
                cwd=tmp_path)
    assert rules.returncode == 0 and json.loads(rules.stdout)
    broken = run("db", "check", "--debug", "--db", str(tmp_path / "missing"), cwd=tmp_path)
    assert broken.returncode != 0 and "Traceback" in broken.stderr  # --debug after the command counts too


ROOT_OPTIONS = [["--db", "D"], ["--knowledge", "K"], ["--templates", "T"], ["--debug"], ["--no-pager"],
                ["--db=E"]]
COMMAND_ARGS = [["--top", "3"], ["--profile", "platform"], ["-f", "json"], ["--all"], ["--", "--db"]]


def _hoisted_by_hand(pieces: list[list[str]]) -> list[str]:
    moved: list[str] = []
    kept: list[str] = []
    after_double_dash = False
    for piece in pieces:
        after_double_dash = after_double_dash or piece[0] == "--"
        (moved if piece in ROOT_OPTIONS and not after_double_dash else kept).extend(piece)
    return [*moved, "recommend", *kept]


@settings(max_examples=80, deadline=None)
@given(st.lists(st.sampled_from(ROOT_OPTIONS + COMMAND_ARGS), max_size=6))
def test_hoisting_moves_root_options_before_the_command_and_keeps_the_rest_in_order(pieces):
    """Root options anywhere after `recommend` end up before it, in their order; the command's own options
    keep their values and order; nothing after `--` moves."""
    args = ["recommend", *[token for piece in pieces for token in piece]]
    assert hoist_root_options(args, typer.main.get_command(app)) == _hoisted_by_hand(pieces)


def test_version_is_the_installed_packages(tmp_path):
    result = run("--version", cwd=tmp_path)
    assert result.returncode == 0
    try:
        expected = metadata.version("go-laptop-advisor")
    except metadata.PackageNotFoundError:
        from advisor import __version__ as expected
    assert result.stdout == f"go-advisor {expected}\n"
    assert run("recommend", "--version", cwd=tmp_path).stdout == result.stdout


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash not installed")
def test_bash_completion_completes_commands_choices_and_machine_ids(tmp_path):
    executable = _executable()
    if len(executable) != 1:
        pytest.skip("go-advisor is not installed as a command (the completion script runs it by name)")
    path = f"{Path(executable[0]).parent}:{os.environ['PATH']}"
    env = {**os.environ, "PATH": path, "PYTHONPATH": str(ROOT)}
    # typer detects the shell it runs under (shellingham), so ask from bash, as a user would (`; true` keeps
    # bash from exec-ing the command in its place, which would leave pytest as its parent)
    script = subprocess.run(["bash", "--norc", "-c", "go-advisor --show-completion; true"], capture_output=True,
                            text=True, timeout=120, env=env, cwd=tmp_path)
    assert script.returncode == 0 and "_GO_ADVISOR_COMPLETE=complete_bash" in script.stdout, script.stderr
    (tmp_path / "completion.bash").write_text(script.stdout)

    def complete(line: str) -> list[str]:
        """What bash offers after `line` and Tab, through the script typer wrote (the real client)."""
        words = line.split(" ")
        program = (f"source {tmp_path / 'completion.bash'}\n"
                   f"COMP_WORDS=({' '.join(repr(w) for w in words)}); COMP_CWORD={len(words) - 1}\n"
                   "_go_advisor_completion go-advisor\n"
                   'printf "%s\\n" "${COMPREPLY[@]}"\n')
        done = subprocess.run(["bash", "--norc", "-c", program], capture_output=True, text=True, timeout=120,
                              env=env, cwd=tmp_path)
        return done.stdout.split()

    assert complete("go-advisor reco") == ["recommend"]
    assert complete("go-advisor recommend --market ") == ["us", "eu", "uk", "cn", "in", "jp"]
    assert complete("go-advisor explain apple-macbook-pro-14-m4") == [
        "apple-macbook-pro-14-m4-2024", "apple-macbook-pro-14-m4-pro-max-2024"]


def _every_command(group, prefix=()):
    for name, sub in group.commands.items():
        if hasattr(sub, "commands"):
            yield from _every_command(sub, (*prefix, name))
        else:
            yield " ".join((*prefix, name)), sub


@pytest.mark.parametrize("name", sorted(name for name, _ in _every_command(command())))
def test_every_command_has_an_example_and_no_type_labels(tmp_path, name):
    shown = run(*name.split(), "--help", cwd=tmp_path, COLUMNS="120")
    assert shown.returncode == 0, shown.stderr
    assert re.search(r"Example: (\w+=\S+ )*go-advisor ", shown.stdout), name
    labels = re.findall(r"<[^<>]*>", shown.stdout)
    assert all("|" in label for label in labels), (name, labels)  # only choice lists, no <str> or <bool>


def test_every_enumerated_option_lists_its_choices():
    for name, sub in _every_command(command()):
        for param in sub.params:
            choices = getattr(getattr(param, "type", None), "choices", None)
            if choices:
                assert param.metavar and all(str(c) in param.metavar for c in choices), (name, param.name)


@pytest.mark.parametrize("args, needle", [
    (("explain", "apple-macbook-pro-14-m4"),
     "did you mean `apple-macbook-pro-14-m4-2024` or `apple-macbook-pro-14-m4-pro-max-2024`?"),
    (("explain", "framework-laptop-13-amd-7041"), "did you mean `framework-laptop-13-amd-7040`"),
    (("explain", "framework-laptop-13-amd-7040/r5-7640u-16-999"),
     "configuration of framework-laptop-13-amd-7040: 'r5-7640u-16-999': no such id; did you mean `r5-7640u-16-512`"),
    (("explain", "dell-xps-13-9310/i7-1185g7-16-999"), "did you mean `i7-1185g7-16-512`"),
    (("recommend", "--profile", "platfrom"), "did you mean `platform`?"),
    (("knowledge", "show", "go.race.time_fctor"), "did you mean `go.race.time_factor`"),
    (("db", "show", "dell-xps-13-9311"), "record 'dell-xps-13-9311': no such id; did you mean `dell-xps-13-9310`"),
    (("recommend", "--scan", str(ROOT / "tests" / "fixtures" / "scan" / "plain"), "--set",
      "edit_bulds_per_day=3"), "--set edit_bulds_per_day: not a profile field; did you mean `edit_builds_per_day`"),
])
def test_a_mistyped_id_gets_one_line_with_the_closest_ids(tmp_path, args, needle):
    result = run(*args, cwd=tmp_path)
    assert result.returncode == 2 and result.stdout == "", result.stderr
    lines = [line for line in result.stderr.splitlines() if not line.startswith("scanned ")]
    assert len(lines) == 1 and needle in lines[0], result.stderr


def test_a_unique_prefix_is_taken_and_said(tmp_path):
    result = run("explain", "apple-macbook-pro-14-m4-20", "-f", "json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr == "go-advisor: machine 'apple-macbook-pro-14-m4-20': taking apple-macbook-pro-14-m4-2024\n"
    assert json.loads(result.stdout)["score"]["machine"] == "apple-macbook-pro-14-m4-2024"


def test_resolve_prefers_exact_then_unique_prefix_then_suggestions():
    ids = ["abc-1", "abc-12", "abd", "xyz"]
    assert suggest.resolve("abc-1", ids, "id") == suggest.Resolved("abc-1")
    assert suggest.resolve("abd", ids, "id").taken_for is None
    assert suggest.resolve("x", ids, "id") == suggest.Resolved("xyz", taken_for="x")
    with pytest.raises(InputError, match=r"3 begin so, did you mean `abd`, `abc-1` or `abc-12`\?"):
        suggest.resolve("ab", ids, "id")
    with pytest.raises(InputError, match=r"no such id$"):
        suggest.resolve("qqqq", ids, "id")


def test_db_list_configs_names_every_configuration_with_its_prices(tmp_path, data):
    result = run("db", "list", "--configs", "-f", "csv", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert sorted(r["id"] for r in rows) == sorted(mc.id for mc in data.machine_configs())
    framework = next(r for r in rows if r["id"] == "framework-laptop-13-amd-7040/r5-7640u-16-512")
    assert framework["us_usd"] == "1049.0" and "us" in framework["markets"].split()
    assert set(rows[0]) >= {"id", "cpu", "ram_gb", "storage_gb", "us_usd", "eu_eur", "cn_cny", "markets"}
    shown = run("db", "list", "--configs", "--vendor", "framework", cwd=tmp_path, COLUMNS="80")
    lines = shown.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert "framework-laptop-13-amd-7040/r5-7640u-16-512" in shown.stdout  # ids whole, never cut
    assert re.search(r"^\(\d+ configurations\)", shown.stdout, re.M)


@pytest.mark.parametrize("args", [("db", "list"), ("db", "list", "--kind", "cpus"), ("profile", "list"),
                                  ("knowledge", "list"), ("knowledge", "facts"), ("results",)])
def test_every_listing_takes_csv_and_json_with_the_same_rows(tmp_path, args):
    as_csv = run(*args, "-f", "csv", cwd=tmp_path)
    as_json = json.loads(run(*args, "-f", "json", cwd=tmp_path).stdout)
    assert as_csv.returncode == 0, as_csv.stderr
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    expected = len(as_json) if isinstance(as_json, list) else len(as_json)
    assert len(rows) == expected > 0


def test_the_listing_table_fits_the_terminal_and_names_what_it_left_out(tmp_path):
    wide = run("db", "list", cwd=tmp_path, COLUMNS="250")
    narrow = run("db", "list", cwd=tmp_path, COLUMNS="80")
    assert max(len(line) for line in narrow.stdout.splitlines()) <= 80
    assert re.search(r"^\(\d+ records\) left out at 80 columns: ", narrow.stdout, re.M)
    assert "left out" not in wide.stdout
    assert "framework-laptop-13-intel-core-ultra-1" in narrow.stdout  # a whole id, not cut at 40 characters


@pytest.mark.parametrize("value, shown", [(1.7364341085271315, 1.736), (0.07241344537815125, 0.07241),
                                          (426.1234, 426.12), (299.0454545454545, 299.05), (0.0015, 0.0015),
                                          (12345.678, 12345.68), (3, 3), ("1.23456789", "1.23456789"),
                                          (0.13604, 0.13604), (2.58, 2.58), (1e-09, 1e-09)])
def test_numbers_for_people_keep_four_significant_digits_of_a_computation_and_a_record_as_recorded(value, shown):
    assert for_people(value) == shown


def test_recommend_top_zero_and_all_show_everything(tmp_path):
    every = run("recommend", "--top", "0", cwd=tmp_path, COLUMNS="80").stdout
    also = run("recommend", "--all", cwd=tmp_path, COLUMNS="80").stdout
    three = run("recommend", "--top", "3", cwd=tmp_path, COLUMNS="80").stdout
    assert every == also and "more — " not in every
    assert re.search(r"^\d+ more — `--top 0` or `--all` to see them$", three, re.M)
    assert max(len(line) for line in every.splitlines()) <= 80


def test_a_file_gets_the_fixed_width_whatever_the_terminal(tmp_path):
    target = tmp_path / "table.txt"
    run("recommend", "-o", str(target), cwd=tmp_path, COLUMNS="60")
    lines = target.read_text().splitlines()
    assert 90 < max(len(line) for line in lines) <= 100


def test_profile_scan_and_knowledge_list_take_the_terminal_width(tmp_path):
    service = str(ROOT / "tests" / "fixtures" / "scan" / "service")
    narrow = run("profile", "scan", service, "--quiet", cwd=tmp_path, COLUMNS="80").stdout.splitlines()
    wide = run("profile", "scan", service, "--quiet", cwd=tmp_path, COLUMNS="160").stdout.splitlines()
    assert max(map(len, narrow)) <= 80 < max(map(len, wide)) <= 160
    listed = run("knowledge", "list", "--kind", "rules", cwd=tmp_path, COLUMNS="100").stdout.splitlines()
    assert listed and max(map(len, listed)) <= 100


def test_a_default_budget_replaces_the_profiles_and_a_budget_flag_is_in_the_default_currency(tmp_path):
    def budget(*args: str, **env: str) -> dict:
        result = run("recommend", "--format", "json", "--top", "1", *args, cwd=tmp_path, **env)
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)["profile"]["budget"]

    assert budget("--budget", "1800", GO_ADVISOR_CURRENCY="EUR") == {"amount": 1800.0, "currency": "EUR"}
    assert budget("--budget", "1800", "--currency", "GBP", GO_ADVISOR_CURRENCY="EUR")["currency"] == "GBP"
    assert budget(GO_ADVISOR_BUDGET="2100", GO_ADVISOR_CURRENCY="JPY") == {"amount": 2100.0, "currency": "JPY"}
    # every preset has a budget (learning: 1200 USD); the user's default replaces it, a flag beats both
    assert budget("--profile", "learning") == {"amount": 1200.0, "currency": "USD"}
    assert budget("--profile", "learning", GO_ADVISOR_BUDGET="1500") == {"amount": 1500.0, "currency": "USD"}
    assert budget("--profile", "learning", "--budget", "900", GO_ADVISOR_BUDGET="1500")["amount"] == 900.0
    # a default currency alone does not relabel the profile's amount
    assert budget("--profile", "learning", GO_ADVISOR_CURRENCY="EUR") == {"amount": 1200.0, "currency": "USD"}


def test_a_global_option_after_the_command_without_its_value_is_one_line(tmp_path):
    result = run("recommend", "--db", cwd=tmp_path)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == "go-advisor: error: --db: needs a value, e.g. --db DIR\n"


@pytest.mark.parametrize("where, env", [("config", {}), ("GO_ADVISOR_WEIGHTS", {"GO_ADVISOR_WEIGHTS": "bulid=3"})])
def test_a_bad_default_weight_is_reported_where_it_was_set(tmp_path, where, env):
    config = tmp_path / "config.toml"
    config.write_text('market = "eu"\nweights = "bulid=3"\n')
    result = run("recommend", cwd=tmp_path, GO_ADVISOR_CONFIG=str(config), **env)
    origin = f"{config}:2" if where == "config" else "GO_ADVISOR_WEIGHTS"
    assert result.returncode == 2 and result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"go-advisor: error: {origin}: weights: 'bulid' is not a criterion "
                                    "(did you mean 'build'?)"), result.stderr
    assert run("recommend", "--weight", "build=2", "--top", "1", cwd=tmp_path, GO_ADVISOR_CONFIG=str(config),
               **env).returncode == 0  # a flag replaces the bad default


def test_score_sheet_and_guide_take_the_same_defaults(tmp_path):
    """The config file's market and profile reach the procurement and publishing commands too, not only
    recommend: the sheet's prices come out in EUR, the guide's section is the configured profile's, in eu."""
    config = tmp_path / "config.toml"
    config.write_text('market = "eu"\nprofile = "learning"\n')
    quotes = tmp_path / "quotes.csv"
    quotes.write_text("Model,Price,Currency\nDell XPS 13 9310,999,EUR\n")
    sheet = run("score-sheet", str(quotes), cwd=tmp_path, GO_ADVISOR_CONFIG=str(config))
    assert sheet.returncode == 0, sheet.stderr
    assert "price (EUR)" in sheet.stdout.splitlines()[0]
    guide = run("guide", "-o", str(tmp_path / "guide"), cwd=tmp_path, GO_ADVISOR_CONFIG=str(config))
    assert guide.returncode == 0, guide.stderr
    text = (tmp_path / "guide" / "guide.md").read_text()
    assert "Market **eu**, prices in EUR" in text and 'id="p-learning"' in text
    usual = run("score-sheet", str(quotes), cwd=tmp_path, GO_ADVISOR_CONFIG=str(tmp_path / "absent.toml"))
    assert "price (USD)" in usual.stdout.splitlines()[0]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_a_fifo_named_as_the_config_is_refused_not_waited_on(tmp_path):
    """The config file goes through the reader every input does: `config show` once blocked forever opening a
    FIFO given as GO_ADVISOR_CONFIG."""
    fifo = tmp_path / "config.toml"
    os.mkfifo(fifo)
    result = run("config", "show", cwd=tmp_path, GO_ADVISOR_CONFIG=str(fifo))
    assert result.returncode == 2
    assert result.stderr.strip() == f"go-advisor: error: {fifo}: a FIFO, not a regular file"
