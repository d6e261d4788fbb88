"""`/api/v1/stats`: the same figures the event pages and `duijie stats` show."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from duijie.core.schemas import ErrorBody
from duijie.core.web import get_db
from duijie.events.schemas import FigureRead, StatsRead
from duijie.insight.queries import event_stats, published_figures, resolve_event

router = APIRouter(prefix="/api/v1", tags=["statistics"], responses={404: {"model": ErrorBody}})


@router.get("/stats", response_model=StatsRead)
def stats(
    event: str = Query(..., description="event id, e.g. invest-beijing-2023"), db: Session = Depends(get_db)
) -> StatsRead:
    ev = resolve_event(db, event)
    s = event_stats(db, ev)

    def fig(f: object) -> FigureRead:
        return FigureRead(**f.as_dict())  # type: ignore[attr-defined]

    return StatsRead(
        event=ev.slug,
        released=fig(s.released),
        negotiating=fig(s.negotiating),
        signed=fig(s.signed),
        landed=fig(s.landed),
        by_category={k: fig(v) for k, v in s.by_category.items()},
        by_industry={k: fig(v) for k, v in s.by_industry.items()},
        by_district={k: fig(v) for k, v in s.by_district.items()},
        published={k: f.value for k, f in published_figures(db, ev).items()},
    )
