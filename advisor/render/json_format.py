"""JSON: the full recommendation with metrics, findings and sources; sorted keys for byte-stable output."""
from __future__ import annotations

from advisor.output import json_text
from advisor.render.base import recommendation_dict, score_dict, upgrade_dict
from advisor.render.templating import Templates
from advisor.types import Recommendation, Score
from advisor.types.results import Upgrade


class JsonRenderer:
    name = "json"

    def recommendation(self, rec: Recommendation, top: int | None = None, templates: Templates | None = None) -> str:
        return json_text(recommendation_dict(rec, top))

    def scores(self, scores: list[Score], title: str, templates: Templates | None = None) -> str:
        return json_text({"title": title, "scores": [score_dict(s) for s in scores]})

    def upgrade(self, upgrade: Upgrade, title: str, templates: Templates | None = None) -> str:
        return json_text({"title": title, **upgrade_dict(upgrade)})
