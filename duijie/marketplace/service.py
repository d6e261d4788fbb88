"""Reads and writes of opportunities. Services flush; the caller's unit of work commits."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import Session, joinedload

from duijie.core import audit, transitions
from duijie.core.auth import Actor
from duijie.core.db import utcnow
from duijie.core.errors import NotFound
from duijie.core.i18n import gettext as _
from duijie.core.permissions import require
from duijie.core.schemas import paginate_params
from duijie.events.service import find_visible_event
from duijie.marketplace.enums import OPPORTUNITY_TRANSITIONS, RELEASED_STATES, OpportunityStatus
from duijie.marketplace.models import Opportunity, OpportunityStateChange
from duijie.marketplace.permissions import can_edit_opportunity, can_see_drafts, organised_event_ids
from duijie.marketplace.schemas import OpportunityFilters, OpportunityUpdate

SORTS: dict[str, ColumnElement[Any]] = {
    "amount": Opportunity.amount.asc(),
    "-amount": Opportunity.amount.desc(),
    "title": Opportunity.title_zh.asc(),
    "-title": Opportunity.title_zh.desc(),
    "published": Opportunity.published_at.asc(),
    "-published": Opportunity.published_at.desc(),
    "district": Opportunity.district.asc(),
}


def get(db: Session, *, id: int, actor: Actor) -> Opportunity:
    opp = db.get(Opportunity, id, options=[joinedload(Opportunity.owner), joinedload(Opportunity.event)])
    if opp is None or (opp.status not in RELEASED_STATES and not can_see_drafts(actor, opp)):
        raise NotFound(_("No such project: %(id)s") % {"id": id})
    return opp


def _filtered(db: Session, filters: OpportunityFilters, actor: Actor) -> Select[Opportunity]:
    stmt = select(Opportunity)
    event = find_visible_event(db, slug=filters.event, actor=actor)
    if event is not None:
        stmt = stmt.where(Opportunity.event_id == event.id)
    for column, value in (
        (Opportunity.kind, filters.kind),
        (Opportunity.category, filters.category),
        (Opportunity.industry, filters.industry),
        (Opportunity.district, filters.district),
    ):
        if value:
            stmt = stmt.where(column == value)
    if filters.status:
        stmt = stmt.where(Opportunity.status == filters.status)
    organised = organised_event_ids(actor)
    if None not in organised:
        # Drafts show to those who may edit them: a district its own, a scoped organiser its events'.
        visible = [Opportunity.status.in_(RELEASED_STATES)]
        if actor.districts():
            visible.append(Opportunity.district.in_(actor.districts()))
        if organised:
            visible.append(Opportunity.event_id.in_(organised))
        stmt = stmt.where(or_(*visible))
    if filters.min_amount is not None:
        stmt = stmt.where(Opportunity.amount >= filters.min_amount)
    if filters.max_amount is not None:
        stmt = stmt.where(Opportunity.amount <= filters.max_amount)
    if filters.q:
        like = f"%{filters.q.strip()}%"
        stmt = stmt.where(
            or_(
                Opportunity.title_zh.like(like),
                Opportunity.title_en.like(like),
                Opportunity.summary_zh.like(like),
            )
        )
    return stmt


def list_opportunities(
    db: Session, *, actor: Actor, filters: OpportunityFilters, page: int = 1, page_size: int = 20
) -> tuple[list[Opportunity], int, int, int]:
    """One page of the filtered list: (items, total, page, pages)."""
    stmt = _filtered(db, filters, actor)
    total = db.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    page, offset, pages = paginate_params(page, page_size, total)
    order = SORTS.get(filters.sort, SORTS["-amount"])
    items = list(
        db.scalars(
            stmt.options(joinedload(Opportunity.owner), joinedload(Opportunity.event))
            .order_by(order, Opportunity.id)
            .offset(offset)
            .limit(page_size)
        )
    )
    return items, total, page, pages


def facet_values(db: Session, column_name: str) -> list[str]:
    """The distinct non-empty values of a column, for the filter menus."""
    column = getattr(Opportunity, column_name)
    return [v for v in db.scalars(select(column).distinct().order_by(column)) if v]


def require_edit(actor: Actor, opportunity: Opportunity) -> None:
    """Refuse anyone but the organiser and the owning district, saying who may edit."""
    require(
        can_edit_opportunity,
        actor,
        opportunity,
        message=_("Only the organiser and the district that owns this project may edit it."),
    )


def update(db: Session, *, actor: Actor, opportunity: Opportunity, data: OpportunityUpdate) -> Opportunity:
    """Apply an editor's changes; only the organiser and the owning district may edit."""
    require_edit(actor, opportunity)
    changes = data.model_dump(exclude_unset=True)
    if "category" in changes and changes["category"] is not None:
        changes["category"] = str(changes["category"])
    if "amount" in changes and changes["amount"] is not None:
        changes["amount"] = Decimal(changes["amount"]).quantize(Decimal("0.01"))
    _before, after = audit.diff(opportunity, changes)
    if "district" in after:
        # Moving a project to another district hands it over; the new owner must be someone who may edit.
        require(
            can_edit_opportunity,
            actor,
            SimpleNamespace(district=after["district"], owner_org_id=None),
            message=_("You may not move a project into a district you do not manage."),
        )
    audit.apply(
        db,
        actor=actor,
        obj=opportunity,
        changes=after,
        entity_type="opportunity",
        action="update",
        event_id=opportunity.event_id,
    )
    return opportunity


def set_opportunity_state(
    db: Session, *, actor: Actor, opportunity: Opportunity, to: str, note: str | None = None
) -> Opportunity:
    """The one place an opportunity's status changes: checks who asks and the move (refused in the request's
    language).

    Side effects: the status is written (and `published_at` the first time it is published); one
    OpportunityStateChange row and one audit entry record before and after.
    """
    require(can_edit_opportunity, actor, opportunity)
    target = OpportunityStatus(to)
    current = opportunity.status
    transitions.check(
        OPPORTUNITY_TRANSITIONS,
        current,
        target.value,
        states=OpportunityStatus,
        message=_("A project cannot go from %(a)s to %(b)s."),
        field="status",
    )
    opportunity.status = target.value
    if target is OpportunityStatus.PUBLISHED and opportunity.published_at is None:
        opportunity.published_at = utcnow()
    db.add(
        OpportunityStateChange(
            opportunity_id=opportunity.id,
            from_status=current,
            to_status=target.value,
            actor_id=actor.account_id,
            note=note,
        )
    )
    db.flush()
    audit.record(
        db,
        actor=actor,
        entity_type="opportunity",
        entity_id=opportunity.id,
        action="state",
        before={"status": current},
        after={"status": target.value},
        event_id=opportunity.event_id,
        note=note,
    )
    return opportunity
