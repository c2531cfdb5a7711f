"""CSV: one row per ranked configuration, criteria and headline metrics as columns."""
from __future__ import annotations

import csv
import io

from advisor.render.base import HEADLINE_METRICS, criteria_columns, upgrade_dict
from advisor.render.escape import csv_cell
from advisor.render.templating import Templates
from advisor.types import Recommendation, Score
from advisor.types.results import Upgrade


def _rows(scores: list[Score], ranked: bool) -> list[list[object]]:
    names = [name for name, _ in criteria_columns(scores, every=True)]
    header: list[object] = ["rank", "id", "machine", "label", "total", "criteria_assessed", "disqualified_by",
                            "price", "currency", *names, *HEADLINE_METRICS]
    rows: list[list[object]] = [header]
    for index, score in enumerate(scores):
        criteria = {c.criterion: c.score for c in score.criteria}
        values = [score.metrics.value(m) for m in HEADLINE_METRICS]
        metrics = [None if value is None else round(value, 3) for value in values]
        rows.append([index + 1 if ranked else "", score.machine_config, score.machine_id, score.label, score.total,
                     f"{score.assessed_count} of {score.weighted_count}", " ".join(score.disqualified_by),
                     score.price.amount if score.price else "",
                     score.price.currency if score.price else "",
                     *["" if criteria[c] is None else criteria[c] for c in names],
                     *["" if m is None else m for m in metrics]])
    return rows


def write_rows(rows: list[list[object]]) -> str:
    """CSV text; every text cell a spreadsheet would take for a formula is written as text."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([csv_cell(cell) for cell in row] for row in rows)
    return buffer.getvalue()


class CsvRenderer:
    name = "csv"

    def recommendation(self, rec: Recommendation, top: int | None = None, templates: Templates | None = None) -> str:
        ranked = list(rec.ranked[:top] if top else rec.ranked)
        rows = _rows(ranked, ranked=True)
        # the verdict as two more columns: the roles a configuration holds and their reasons
        roles: dict[str, list[str]] = {}
        reasons: dict[str, list[str]] = {}
        for pick in rec.verdict:
            roles.setdefault(pick.machine_config, []).append(pick.role)
            reasons.setdefault(pick.machine_config, []).append(f"{pick.role}: " + "; ".join(pick.reasons))
        rows[0] += ["verdict", "verdict_reasons"]
        for row in rows[1:]:
            row += [" | ".join(roles.get(str(row[1]), [])), " | ".join(reasons.get(str(row[1]), []))]
        return write_rows(rows)

    def scores(self, scores: list[Score], title: str, templates: Templates | None = None) -> str:
        return write_rows(_rows(scores, ranked=False))

    def upgrade(self, upgrade: Upgrade, title: str, templates: Templates | None = None) -> str:
        data = upgrade_dict(upgrade)
        rows: list[list[object]] = [["baseline", "id", "label", "total", "daily_wait_min", "minutes_saved_per_day",
                                     "price", "currency", "payback_workdays"]]
        for c in data["candidates"]:
            rows.append([data["baseline"]["id"], c["id"], c["label"], c["total"], c["daily_wait_min"],
                         c["minutes_saved_per_day"], c["price"]["amount"] if c["price"] else "",
                         c["price"]["currency"] if c["price"] else "", "" if c["payback_workdays"] is None
                         else c["payback_workdays"]])
        return write_rows(rows)
