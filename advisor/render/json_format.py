"""JSON: the full recommendation with metrics, findings and sources; sorted keys for byte-stable output."""
from __future__ import annotations

import json

from advisor.render.base import recommendation_dict, score_dict
from advisor.types import Recommendation, Score


def dumps(data: object) -> str:
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


class JsonRenderer:
    name = "json"

    def recommendation(self, rec: Recommendation, top: int | None = None) -> str:
        return dumps(recommendation_dict(rec, top))

    def scores(self, scores: list[Score], title: str) -> str:
        return dumps({"title": title, "scores": [score_dict(s) for s in scores]})
