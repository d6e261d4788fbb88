"""Reads of deals (the pipeline's writes arrive with the deals issue, through `move_deal_to_stage`)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from duijie.core.errors import NotFound
from duijie.core.i18n import gettext as _
from duijie.core.schemas import paginate_params
from duijie.deals.models import Deal, DealParty
from duijie.events.models import Event


def get(db: Session, *, id: int) -> Deal:
    deal = db.get(
        Deal,
        id,
        options=[
            selectinload(Deal.parties).selectinload(DealParty.organisation),
            selectinload(Deal.history),
            selectinload(Deal.event),
            selectinload(Deal.opportunity),
        ],
    )
    if deal is None:
        raise NotFound(_("No such deal: %(id)s") % {"id": id})
    return deal


def list_deals(
    db: Session,
    *,
    event: str | None = None,
    stage: str | None = None,
    district: str | None = None,
    page: int = 1,
    page_size: int = 20,
) -> tuple[list[Deal], int, int, int]:
    stmt = select(Deal)
    if event:
        stmt = stmt.join(Event, Deal.event_id == Event.id).where(Event.slug == event)
    if stage:
        stmt = stmt.where(Deal.stage == stage)
    if district:
        stmt = stmt.where(Deal.district == district)
    total = db.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    page, offset, pages = paginate_params(page, page_size, total)
    items = list(
        db.scalars(
            stmt.options(
                selectinload(Deal.parties).selectinload(DealParty.organisation), selectinload(Deal.event)
            )
            .order_by(Deal.signed_amount.desc().nulls_last(), Deal.id)
            .offset(offset)
            .limit(page_size)
        )
    )
    return items, total, page, pages
