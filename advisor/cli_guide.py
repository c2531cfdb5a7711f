"""`go-advisor guide`: a buying guide per profile and market, as Markdown with SVG charts or one HTML file."""
from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, List, Optional, TypeAlias

import typer

from advisor.render.formats import FORMAT_CHOICES, format_help
from advisor.vocabulary import DEFAULT_EVIDENCE, EVIDENCE_CHOICES, GUIDE_LANGS, MARKET_CURRENCY

if TYPE_CHECKING:
    GuideFormat: TypeAlias = StrEnum
else:
    GuideFormat = FORMAT_CHOICES["guide"]
_GUIDE_FORMATS = FORMAT_CHOICES["guide"]
_FORMAT_METAVAR = "<" + "|".join(str(member.value) for member in _GUIDE_FORMATS) + ">"
_LANGS = GUIDE_LANGS


def guide(
    ctx: typer.Context,
    output: Path = typer.Option(
        ..., "-o", "--output", metavar="DIR", help="Write the guide into this folder (created if missing): guide.md "
        "and its SVG charts, or guide.html. Never over an input."),
    profiles: Optional[List[str]] = typer.Option(
        None, "--profile", "-p", help="A preset name or a profile YAML file; repeat for one section per profile "
        "(default: GO_ADVISOR_PROFILE, else the config file's, else microservice, as recommend)."),
    market: Optional[str] = typer.Option(
        None, "--market", help=f"Where you buy: {', '.join(MARKET_CURRENCY)}; prices in its currency (cn: CNY). "
        "Default: the profile's, else GO_ADVISOR_MARKET, else the config file's, else us."),
    budget: Optional[float] = typer.Option(
        None, "--budget", help="Maximum price in the market's currency (replaces the profile's budget)."),
    evidence: str = typer.Option(
        DEFAULT_EVIDENCE, "--evidence", help=f"Weakest confidence to accept: {', '.join(EVIDENCE_CHOICES)}."),
    fmt: GuideFormat = typer.Option(
        next(iter(_GUIDE_FORMATS)), "--format", "-f", case_sensitive=False, help=format_help("guide"),
        metavar=_FORMAT_METAVAR),
    lang: str = typer.Option("en", "--lang", help=f"Language of the guide: {', '.join(_LANGS)}."),
) -> None:
    """Write a buying guide per profile as Markdown with SVG charts, or one HTML file; recommend's own numbers.

    Verdict, budget tiers, comparison matrix, what would change the pick, caveats, method and a dated evidence
    appendix whose entries every citation links to.
    """
    from advisor import (
        cli,  # noqa: PLC0415  (cli is loaded: it registered this command)
        userconfig,  # noqa: PLC0415
    )
    from advisor.guide import build_guide, guide_files, write_guide  # noqa: PLC0415
    from advisor.guide.i18n import check_lang  # noqa: PLC0415
    from advisor.guide.render import check_folder  # noqa: PLC0415

    check_lang(lang)
    given = list(profiles or [userconfig.defaults().value("profile")])
    inputs = cli._inputs(ctx, *given)
    check_folder(output, inputs, ("guide.html",) if str(fmt.value) == "html" else ("guide.md",))  # before the work
    data = cli._data(ctx)
    # recommend's defaults (market, budget, currency) over each profile: flags over GO_ADVISOR_* over config.toml
    chosen = [cli._chosen_profile(data, name, market).profile for name in given]
    files = guide_files(build_guide(chosen, budget=budget, evidence=evidence, data=data),
                        str(fmt.value), lang, data.templates)
    for path in write_guide(files, output, inputs):
        typer.echo(f"wrote {path}", err=True)


def register(app: typer.Typer) -> None:
    """Add guide to the root app."""
    app.command("guide", epilog="Example: go-advisor guide -o guide --market cn --lang zh-CN --format html")(guide)
