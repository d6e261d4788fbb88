"""Event pages: what the event is and its headline figures, published and as computed from the records."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from duijie.core.web import get_db, render
from duijie.events.models import Event
from duijie.insight.queries import event_stats, published_figures, resolve_event

router = APIRouter(include_in_schema=False)


@router.get("/events/{slug}")
def event_page(slug: str, request: Request, db: Session = Depends(get_db)) -> Response:
    event = resolve_event(db, slug)
    stats = event_stats(db, event)
    figures = published_figures(db, event)
    children = list(db.scalars(select(Event).where(Event.parent_id == event.id).order_by(Event.starts_on)))
    checks = []
    for key, computed in (
        ("released_count", stats.released.count),
        ("released_amount", stats.released.amount_yi),
        ("signed_count", stats.signed.count),
        ("signed_amount", stats.signed.amount_yi),
    ):
        fig = figures.get(key)
        if fig is not None:
            published = f"{fig.value.normalize():f}"
            checks.append(
                {
                    "figure": fig,
                    "published": published,
                    "computed": str(computed),
                    "ok": published == str(computed),
                }
            )
    other = [f for k, f in figures.items() if not k.startswith(("released_", "signed_"))]
    return render(
        request,
        "event.html",
        {"event": event, "stats": stats, "checks": checks, "other_figures": other, "children": children},
    )
