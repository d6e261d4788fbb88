"""`/api/v1/stats`: the same figures the dashboard, the event pages and `duijie stats` show."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from duijie.core.auth import Actor
from duijie.core.schemas import ErrorBody
from duijie.core.web import get_actor, get_db
from duijie.insight.cache import cached
from duijie.insight.queries import make_scope
from duijie.insight.report import stats_report
from duijie.insight.schemas import StatsReportRead

router = APIRouter(
    prefix="/api/v1", tags=["statistics"], responses={404: {"model": ErrorBody}, 422: {"model": ErrorBody}}
)


@router.get("/stats", response_model=StatsReportRead)
def stats(
    event: str | None = Query(None, description="event id, e.g. invest-beijing-2023; all events if absent"),
    period: str | None = Query(None, description="events held in 2024, 2024-05 or 2024-01-01..2024-06-30"),
    district: str | None = Query(None, description="e.g. 海淀区"),
    industry: str | None = Query(None, description="e.g. 人工智能"),
    db: Session = Depends(get_db),
    actor: Actor = Depends(get_actor),
) -> StatsReportRead:
    """Released, negotiating, signed and landed figures, breakdowns, the funnel and the comparison."""
    scope = make_scope(db, event=event, period=period, district=district, industry=industry, actor=actor)
    key = ("report", tuple(sorted(scope.as_dict().items())))
    return cached(db, key, lambda: StatsReportRead.model_validate(stats_report(db, scope)))
