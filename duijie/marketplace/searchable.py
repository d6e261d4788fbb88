"""The marketplace's searchable records: opportunities (projects and technology); a draft is found only by
those who may edit it."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from duijie.core.auth import Actor
from duijie.core.i18n import mark as _l
from duijie.core.searchable import Extract, Searchable, SearchFilters, join_lines, restrict
from duijie.directory.reference import DISTRICT_EN, INDUSTRY_EN
from duijie.marketplace.models import Opportunity
from duijie.marketplace.permissions import can_see_drafts


def _extract(row: Opportunity) -> Extract:
    facets = join_lines(
        row.industry,
        INDUSTRY_EN.get(row.industry or ""),
        row.district,
        DISTRICT_EN.get(row.district or ""),
    ).replace("\n", " ")
    text = join_lines(row.title_zh, row.title_en, row.summary_zh, row.summary_en, row.licensing_terms, facets)
    return Extract("opportunity", row.id, row.event_id, row.title_zh, row.title_en or row.title_zh, text)


def _visible(
    db: Session, actor: Actor | None, f: SearchFilters, event_id: int | None, among: Collection[int] | None
) -> set[int]:
    """The opportunities among the candidates passing every filter; a draft only for those who may see drafts
    of it (the rule needs the row: the candidates' status, district and owner are read, drafts judged here)."""
    stmt = restrict(select(Opportunity.id), Opportunity.id, among)
    if f.category:
        stmt = stmt.where(Opportunity.category == f.category)
    if f.industry:
        stmt = stmt.where(Opportunity.industry == f.industry)
    if f.district:
        stmt = stmt.where(Opportunity.district == f.district)
    if f.status:
        stmt = stmt.where(Opportunity.status == f.status)
    if f.amount_min is not None:
        stmt = stmt.where(Opportunity.amount >= f.amount_min)
    if f.amount_max is not None:
        stmt = stmt.where(Opportunity.amount <= f.amount_max)
    if event_id is not None:
        stmt = stmt.where(Opportunity.event_id == event_id)
    if actor is None or not actor.grants:  # drafts are seen through a grant only: ids alone, by SQL
        return set(db.scalars(stmt.where(Opportunity.status != "draft")))
    # One statement: the few drafts among the candidates come with all that `can_see_drafts` reads (the event
    # too: an organiser of one event sees that event's drafts).
    columns = (
        Opportunity.id,
        Opportunity.status,
        Opportunity.district,
        Opportunity.owner_org_id,
        Opportunity.event_id,
    )
    rows = db.execute(stmt.with_only_columns(*columns)).all()
    found = {r[0] for r in rows if r[1] != "draft"}
    found.update(r.id for r in rows if r[1] == "draft" and can_see_drafts(actor, r))
    return found


def _urls(db: Session, ids: Sequence[int]) -> dict[int, str]:
    return {rid: f"/projects/{rid}" for rid in ids}


SEARCHABLE = (
    Searchable(
        kind="opportunity",
        label=_l("Projects and technology"),
        order=10,
        model=Opportunity,
        extract=_extract,
        visible=_visible,
        urls=_urls,
        filters=frozenset(
            {"category", "industry", "district", "status", "amount_min", "amount_max", "event"}
        ),
    ),
)
