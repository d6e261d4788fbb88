"""The statistics report as plain data: one dictionary for the API, the command line and the exports."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from duijie.insight.queries import StatsScope, comparison, compute_stats, cycle_report, published_figures

FIGURE_GROUPS = (
    "by_category",
    "by_industry",
    "by_district",
    "signed_by_category",
    "signed_by_industry",
    "signed_by_district",
    "signed_by_country",
    "pipeline",
)


def stats_report(db: Session, scope: StatsScope) -> dict[str, Any]:
    """Every figure of the scope, JSON-ready (amounts as exact 亿元 strings)."""
    s = compute_stats(db, scope)
    report: dict[str, Any] = {
        "event": s.event_slug,
        "scope": scope.as_dict(),
        "released": s.released.as_dict(),
        "negotiating": s.negotiating.as_dict(),
        "signed": s.signed.as_dict(),
        "landed": s.landed.as_dict(),
    }
    for name in FIGURE_GROUPS:
        report[name] = {k: v.as_dict() for k, v in getattr(s, name).items()}
    report["funnel"] = [step.as_dict() for step in s.funnel]
    report["comparison"] = [row.as_dict() for row in comparison(db, scope)]
    report["cycle_times"] = cycle_report(db, scope)
    report["published"] = (
        {k: f.value for k, f in published_figures(db, scope.event).items()} if scope.event else {}
    )
    return report
