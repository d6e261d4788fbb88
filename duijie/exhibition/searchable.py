"""The exhibition's searchable records: achievements and exhibitors, each shown on its event's page; an
exhibitor is found by its organisation's name, industries and district."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from duijie.core.auth import Actor
from duijie.core.i18n import mark as _l
from duijie.core.searchable import Extract, Follow, Searchable, SearchFilters, join_lines, restrict
from duijie.directory.models import Organisation
from duijie.events.searchable import event_page_urls
from duijie.exhibition.models import Achievement, Exhibitor


def _achievement(row: Achievement) -> Extract:
    text = join_lines(row.title_zh, row.title_en, row.field, row.description_zh, row.description_en)
    return Extract("achievement", row.id, row.event_id, row.title_zh, row.title_en or row.title_zh, text)


def _exhibitor(row: Exhibitor) -> Extract:
    org = row.organisation
    zh, en = org.name_zh, org.name_en or org.name_zh
    text = join_lines(zh, en, row.showcase_zh, row.showcase_en, row.hall, row.booth)
    return Extract("exhibitor", row.id, row.event_id, zh, en, text)


def _achievements(
    db: Session, actor: Actor | None, f: SearchFilters, event_id: int | None, among: Collection[int] | None
) -> list[int]:
    """Every achievement among the candidates (of the event asked for): the exhibition is public."""
    stmt = restrict(select(Achievement.id), Achievement.id, among)
    if event_id is not None:
        stmt = stmt.where(Achievement.event_id == event_id)
    return list(db.scalars(stmt))


def _exhibitors(
    db: Session, actor: Actor | None, f: SearchFilters, event_id: int | None, among: Collection[int] | None
) -> list[int]:
    """The exhibitors among the candidates whose organisation is in the district and industry asked for."""
    stmt = select(Exhibitor.id, Organisation.industries).join(
        Organisation, Exhibitor.organisation_id == Organisation.id
    )
    stmt = restrict(stmt, Exhibitor.id, among)
    if f.district:
        stmt = stmt.where(Organisation.district == f.district)
    if event_id is not None:
        stmt = stmt.where(Exhibitor.event_id == event_id)
    return [r.id for r in db.execute(stmt) if not f.industry or f.industry in (r.industries or [])]


def _exhibitors_of(db: Session, organisation: Organisation) -> list[int]:
    """An organisation's new name is its exhibitors' new title."""
    return list(db.scalars(select(Exhibitor.id).where(Exhibitor.organisation_id == organisation.id)))


SEARCHABLE = (
    Searchable(
        kind="achievement",
        label=_l("Achievements"),
        order=50,
        model=Achievement,
        extract=_achievement,
        visible=_achievements,
        urls=event_page_urls(Achievement),
        filters=frozenset({"event"}),
    ),
    Searchable(
        kind="exhibitor",
        label=_l("Exhibitors"),
        order=60,
        model=Exhibitor,
        extract=_exhibitor,
        visible=_exhibitors,
        urls=event_page_urls(Exhibitor),
        filters=frozenset({"industry", "district", "event"}),
        load=(selectinload(Exhibitor.organisation),),
        follows=(Follow(Organisation, _exhibitors_of),),
    ),
)
