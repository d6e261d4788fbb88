"""Stars and the personal agenda: a signed-in reader stars the sessions they mean to attend; `/me/agenda` lists
them with their other appointments at the forum (1:1 meetings, contributed by `meetings` through
`hooks_public.PERSONAL_AGENDA_ITEMS`) in one chronological list, and the agenda's calendar feed carries the
starred sessions.

Starring is idempotent (a second star, or an unstar of what is not starred, changes nothing), so a form sent
twice by a double click or a back button leaves the same state. Writes flush; the request commits.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from duijie.agenda.hooks_public import PERSONAL_AGENDA_ITEMS, AgendaItem
from duijie.agenda.models import AgendaSession, SessionStar
from duijie.agenda.queries import starred_sessions
from duijie.core.auth import Actor
from duijie.core.i18n import bilingual
from duijie.directory.models import Account
from duijie.events.models import Event


def set_star(db: Session, *, account_id: int, session: AgendaSession, starred: bool) -> bool:
    """Star or unstar `session` for the account; returns whether it is starred now. Side effects: a
    `session_star` row written or removed (no audit entry: a reader's bookmark, not a record of the forum)."""
    existing = db.scalar(
        select(SessionStar).where(SessionStar.account_id == account_id, SessionStar.session_id == session.id)
    )
    if starred and existing is None:
        db.add(SessionStar(account_id=account_id, session_id=session.id))
        db.flush()
    elif not starred and existing is not None:
        db.execute(delete(SessionStar).where(SessionStar.id == existing.id))
        db.flush()
    return starred


@dataclass(frozen=True)
class Entry:
    """One line of the personal agenda: a starred session (`session` set) or another appointment."""

    starts_at: dt.datetime | None
    ends_at: dt.datetime | None
    title: str
    url: str
    kind: str  # "session" or the contributing kind ("meeting")
    cancelled: bool
    session: AgendaSession | None = None
    event: Event | None = None


def personal_agenda(db: Session, *, account: Account, actor: Actor) -> list[Entry]:
    """The account's starred sessions of every event it may see, and the appointments other packages add, in
    time order (sessions without a time yet last)."""
    sessions = starred_sessions(db, account.id, actor)
    event_ids = {s.event_id for s in sessions}
    events = {e.id: e for e in db.scalars(select(Event).where(Event.id.in_(event_ids)))} if event_ids else {}
    entries = [
        Entry(
            starts_at=s.starts_at,
            ends_at=s.ends_at,
            title=bilingual(s.title_zh, s.title_en),
            url=f"/events/{events[s.event_id].slug}/sessions/{s.id}",
            kind="session",
            cancelled=s.cancelled_at is not None,
            session=s,
            event=events[s.event_id],
        )
        for s in sessions
    ]
    for contribute in PERSONAL_AGENDA_ITEMS:
        items: list[AgendaItem] = contribute(db, account)
        entries += [
            Entry(i.starts_at, i.ends_at, i.title, i.url, i.kind, i.cancelled) for i in items
        ]
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    return sorted(entries, key=lambda e: (e.starts_at or far, e.kind, e.title))
