"""The figures an office publishes, computed as sums of the records (never stored totals).

Released projects are the investment projects an event published (any state after draft, not withdrawn);
signed projects are the event's deals at the signed or landed stage, summed by signed amount.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from duijie.core.errors import NotFound
from duijie.core.i18n import yi_str
from duijie.deals.enums import SIGNED_STAGES
from duijie.deals.models import Deal
from duijie.events.models import Event, PublishedFigure
from duijie.marketplace.enums import RELEASED_STATES
from duijie.marketplace.models import Opportunity


@dataclass
class Figure:
    count: int
    amount: Decimal

    @property
    def amount_yi(self) -> str:
        return yi_str(self.amount)

    def as_dict(self) -> dict[str, object]:
        return {"count": self.count, "amount_yi": self.amount_yi}


@dataclass
class EventStats:
    event_slug: str
    released: Figure
    negotiating: Figure
    signed: Figure
    landed: Figure
    by_category: dict[str, Figure] = field(default_factory=dict)
    by_industry: dict[str, Figure] = field(default_factory=dict)
    by_district: dict[str, Figure] = field(default_factory=dict)

    def headline(self) -> dict[str, object]:
        return {"released": self.released.as_dict(), "signed": self.signed.as_dict()}


def _figure(row: tuple[int | None, Decimal | None] | None) -> Figure:
    count, amount = row or (0, None)
    return Figure(count=int(count or 0), amount=Decimal(amount or 0))


def resolve_event(db: Session, slug_or_id: str | int) -> Event:
    if isinstance(slug_or_id, int) or str(slug_or_id).isdigit():
        event = db.get(Event, int(slug_or_id))
    else:
        event = db.scalar(select(Event).where(Event.slug == slug_or_id))
    if event is None:
        raise NotFound(f"no event {slug_or_id!r}", field="event")
    return event


def event_stats(db: Session, event: Event) -> EventStats:
    released_where = (
        Opportunity.event_id == event.id,
        Opportunity.kind == "investment_project",
        Opportunity.status.in_(RELEASED_STATES),
    )
    released = _figure(
        db.execute(select(func.count(), func.sum(Opportunity.amount)).where(*released_where)).one()
    )
    negotiating = _figure(
        db.execute(
            select(func.count(), func.sum(Opportunity.amount)).where(
                *released_where[:2], Opportunity.status == "negotiating"
            )
        ).one()
    )
    signed = _figure(
        db.execute(
            select(func.count(), func.sum(Deal.signed_amount)).where(
                Deal.event_id == event.id, Deal.stage.in_(SIGNED_STAGES)
            )
        ).one()
    )
    landed = _figure(
        db.execute(
            select(func.count(), func.sum(Deal.signed_amount)).where(
                Deal.event_id == event.id, Deal.stage == "landed"
            )
        ).one()
    )
    stats = EventStats(event.slug, released, negotiating, signed, landed)
    for attr, target in (
        ("category", stats.by_category),
        ("industry", stats.by_industry),
        ("district", stats.by_district),
    ):
        column = getattr(Opportunity, attr)
        rows = db.execute(
            select(column, func.count(), func.sum(Opportunity.amount))
            .where(*released_where)
            .group_by(column)
            .order_by(func.sum(Opportunity.amount).desc())
        ).all()
        for key, count, amount in rows:
            target[key or "—"] = _figure((count, amount))
    return stats


def published_figures(db: Session, event: Event) -> dict[str, PublishedFigure]:
    return {f.key: f for f in db.scalars(select(PublishedFigure).where(PublishedFigure.event_id == event.id))}
