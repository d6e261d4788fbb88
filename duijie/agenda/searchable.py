"""The agenda's searchable records: sessions, each shown on its event's page."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.orm import Session

from duijie.agenda.models import AgendaSession
from duijie.core.auth import Actor
from duijie.core.i18n import mark as _l
from duijie.core.searchable import Extract, Searchable, SearchFilters, join_lines, restrict
from duijie.events.searchable import event_page_urls


def _extract(row: AgendaSession) -> Extract:
    text = join_lines(row.title_zh, row.title_en, row.description_zh, row.description_en)
    return Extract("session", row.id, row.event_id, row.title_zh, row.title_en or row.title_zh, text)


def _visible(
    db: Session, actor: Actor | None, f: SearchFilters, event_id: int | None, among: Collection[int] | None
) -> list[int]:
    """Every session among the candidates (of the event asked for): a programme is public."""
    stmt = restrict(select(AgendaSession.id), AgendaSession.id, among)
    if event_id is not None:
        stmt = stmt.where(AgendaSession.event_id == event_id)
    return list(db.scalars(stmt))


SEARCHABLE = (
    Searchable(
        kind="session",
        label=_l("Sessions"),
        order=70,
        model=AgendaSession,
        extract=_extract,
        visible=_visible,
        urls=event_page_urls(AgendaSession),
        filters=frozenset({"event"}),
    ),
)
