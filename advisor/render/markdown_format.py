"""Markdown: the ranked matrix and per-machine findings, from templates/recommendation.md.j2.

Templates receive data already escaped for Markdown (advisor.render.escape), so no template has to remember to."""
from __future__ import annotations

from advisor.render.base import criteria_columns, recommendation_dict, score_dict, upgrade_dict
from advisor.render.escape import markdown, markdown_data
from advisor.render.templating import Templates
from advisor.types import Recommendation, Score
from advisor.types.results import Upgrade


class MarkdownRenderer:
    name = "markdown"

    def recommendation(self, rec: Recommendation, top: int | None = None, templates: Templates | None = None) -> str:
        return (templates or Templates()).render("recommendation.md.j2",
                                                 rec=markdown_data(recommendation_dict(rec, top)),
                                                 criteria=[name for name, _ in criteria_columns(rec.ranked)] or
                                                 list(rec.weights))

    def upgrade(self, upgrade: Upgrade, title: str, templates: Templates | None = None) -> str:
        return (templates or Templates()).render("upgrade.md.j2", title=markdown(title),
                                                 up=markdown_data(upgrade_dict(upgrade)))

    def scores(self, scores: list[Score], title: str, templates: Templates | None = None) -> str:
        return (templates or Templates()).render("compare.md.j2", title=markdown(title),
                                                 scores=markdown_data([score_dict(s) for s in scores]),
                                                 criteria=[name for name, _ in criteria_columns(scores)])
