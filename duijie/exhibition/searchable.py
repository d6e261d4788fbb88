"""The exhibition's searchable records: achievements (each on its own page) and exhibitors (on their event's
page); an exhibitor is found by its organisation's name, industries and district. Both follow their event's
visibility: a draft forum's records are found by its organisers only."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from duijie.core.auth import Actor
from duijie.core.i18n import mark as _l
from duijie.core.searchable import Extract, Follow, Searchable, SearchFilters, join_lines, restrict
from duijie.directory.models import Organisation
from duijie.events.searchable import event_page_urls, in_visible_events
from duijie.exhibition.models import Achievement, Exhibitor


def _achievement(row: Achievement) -> Extract:
    text = join_lines(
        row.title_zh, row.title_en, row.institution_zh, row.institution_en, row.field, row.description_zh,
        row.description_en,
    )  # fmt: skip
    return Extract("achievement", row.id, row.event_id, row.title_zh, row.title_en or row.title_zh, text)


def _exhibitor(row: Exhibitor) -> Extract:
    org = row.organisation
    zh, en = org.name_zh, org.name_en or org.name_zh
    text = join_lines(zh, en, row.showcase_zh, row.showcase_en, row.hall, row.booth)
    return Extract("exhibitor", row.id, row.event_id, zh, en, text)


def _achievements(
    db: Session, actor: Actor | None, f: SearchFilters, event_id: int | None, among: Collection[int] | None
) -> list[int]:
    """The achievements among the candidates whose event the reader may see (of the event asked for)."""
    stmt = restrict(select(Achievement.id), Achievement.id, among).where(
        in_visible_events(Achievement.event_id, actor)
    )
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
    stmt = restrict(stmt, Exhibitor.id, among).where(in_visible_events(Exhibitor.event_id, actor))
    if f.district:
        stmt = stmt.where(Organisation.district == f.district)
    if event_id is not None:
        stmt = stmt.where(Exhibitor.event_id == event_id)
    return [r.id for r in db.execute(stmt) if not f.industry or f.industry in (r.industries or [])]


def _achievement_urls(db: Session, ids: Sequence[int]) -> dict[int, str]:
    """An achievement is found on its own page, not on an event page that does not show it."""
    return {i: f"/achievements/{i}" for i in ids}


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
        urls=_achievement_urls,
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
