"""Publishing an event's programme: a numbered release with a snapshot of every session as readers see it, the
exact changes since the previous release, and a word to exactly those they concern.

The snapshot keeps per session what a reader sees: its titles, start and end (UTC), room, people (ids, in
order) and whether it is cancelled. Comparing it with the previous release's gives, per session, `added`,
`changed` (with the fields: time, room, title, people), `cancelled`, `restored` or `removed` (gone from the
database since, which only happens to a session no reader saw as published, but is told all the same).

Whom we tell: for every changed, cancelled, restored or removed session, the people on it (before and after
the change: someone taken off a panel hears of it too), the accounts that starred it, and everyone the
`hooks.PROGRAMME_AUDIENCE` contributions name (the registration package adds those registered for it). Each
recipient gets one in-app notification (accounts) and one e-mail (when there is an address and they did not
turn the topic off) listing all their changed sessions, in their language. Sessions that were only added tell
nobody: nobody had planned around them, and so the first publication, where every session is new, is silent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from duijie.agenda.editing import require_organiser
from duijie.agenda.hooks import PROGRAMME_AUDIENCE, Listener
from duijie.agenda.mails import PROGRAMME
from duijie.agenda.models import AgendaSession, ProgrammeRelease, Room, SessionStar
from duijie.agenda.service import event_zone
from duijie.core import audit, mail
from duijie.core.auth import Actor
from duijie.core.i18n import bilingual
from duijie.directory.models import Account, Person
from duijie.events.models import Event

SNAPSHOT_FIELDS: tuple[str, ...] = ("title_zh", "title_en", "starts_at", "ends_at", "room_id", "people", "cancelled")
# The snapshot fields behind each change a reader is told about.
CHANGE_FIELDS: Mapping[str, tuple[str, ...]] = {
    "time": ("starts_at", "ends_at"),
    "room": ("room_id",),
    "title": ("title_zh", "title_en"),
    "people": ("people",),
}
NOTIFICATION_KIND = "programme_changed"


@dataclass(frozen=True)
class Change:
    """One session's change between two releases: `kind` added | changed | cancelled | restored | removed,
    `fields` the changes a reader sees (time, room, title, people)."""

    session_id: int
    kind: str
    fields: tuple[str, ...] = ()
    title_zh: str = ""
    title_en: str | None = None


@dataclass
class Publication:
    """What `publish_programme` did: the release, the changes since the previous one, and how many people were
    told (`notified`, each counted once however many sessions concern them; `mailed` of them by e-mail)."""

    release: ProgrammeRelease
    changes: list[Change] = field(default_factory=list)
    notified: int = 0
    mailed: int = 0

    @property
    def first(self) -> bool:
        return self.release.number == 1

    def as_dict(self) -> dict[str, Any]:
        return {
            "release": self.release.number,
            "published_at": self.release.published_at.isoformat(),
            "changes": [asdict(c) for c in self.changes],
            "notified": self.notified,
            "mailed": self.mailed,
        }


def snapshot_of(session: AgendaSession) -> dict[str, Any]:
    """What a reader sees of a session, as the release keeps it (JSON)."""
    return {
        "title_zh": session.title_zh,
        "title_en": session.title_en,
        "starts_at": session.starts_at.isoformat() if session.starts_at else None,
        "ends_at": session.ends_at.isoformat() if session.ends_at else None,
        "room_id": session.room_id,
        "people": [s.person_id for s in session.speakers],
        "cancelled": session.cancelled_at is not None,
    }


def latest_release(db: Session, event: Event) -> ProgrammeRelease | None:
    return db.scalar(
        select(ProgrammeRelease).where(ProgrammeRelease.event_id == event.id)
        .order_by(ProgrammeRelease.number.desc()).limit(1)
    )


def compare(old: Mapping[str, Any] | None, new: Mapping[str, Any]) -> list[Change]:
    """The changes from snapshot `old` (None: nothing published yet) to `new`, by session id."""
    changes: list[Change] = []
    before = old or {}
    for key in sorted(set(before) | set(new), key=lambda k: int(k)):
        was, now = before.get(key), new.get(key)
        ident = int(key)
        if was is None and now is not None:
            if not now.get("cancelled"):
                changes.append(Change(ident, "added", (), now["title_zh"], now.get("title_en")))
            continue
        if now is None:
            if was is not None and not was.get("cancelled"):
                changes.append(Change(ident, "removed", (), was["title_zh"], was.get("title_en")))
            continue
        assert was is not None
        fields = tuple(name for name, keys in CHANGE_FIELDS.items() if any(was.get(k) != now.get(k) for k in keys))
        if now.get("cancelled") and not was.get("cancelled"):
            changes.append(Change(ident, "cancelled", (), now["title_zh"], now.get("title_en")))
        elif was.get("cancelled") and not now.get("cancelled"):
            changes.append(Change(ident, "restored", fields, now["title_zh"], now.get("title_en")))
        elif fields and not now.get("cancelled"):
            changes.append(Change(ident, "changed", fields, now["title_zh"], now.get("title_en")))
    return changes


@dataclass
class _Recipient:
    account_id: int | None
    email: str | None
    locale: str | None
    sessions: set[int] = field(default_factory=set)


def audience(
    db: Session, changes: Sequence[Change], old: Mapping[str, Any] | None, new: Mapping[str, Any]
) -> list[_Recipient]:
    """Everyone to tell about `changes` (see the module docstring), each once with their sessions."""
    told = [c for c in changes if c.kind != "added"]
    ids = [c.session_id for c in told]
    if not ids:
        return []
    listeners: list[Listener] = []
    person_sessions: dict[int, set[int]] = {}
    for change in told:
        key = str(change.session_id)
        for snap in ((old or {}).get(key), new.get(key)):
            for person_id in (snap or {}).get("people") or []:
                person_sessions.setdefault(int(person_id), set()).add(change.session_id)
    if person_sessions:
        accounts = db.execute(
            select(Account.id, Account.person_id, Account.locale)
            .where(Account.person_id.in_(list(person_sessions)), Account.is_active.is_(True))
        ).all()
        with_account = set()
        for account_id, person_id, locale in accounts:
            if person_id is None:
                continue
            with_account.add(person_id)
            listeners += [Listener(s, account_id=account_id, locale=locale) for s in person_sessions[person_id]]
        # A speaker without an account is still told, by e-mail, in the site's language.
        for person_id, email in db.execute(
            select(Person.id, Person.email).where(Person.id.in_(list(set(person_sessions) - with_account)))
        ):
            if email:
                listeners += [Listener(s, email=email) for s in person_sessions[person_id]]
    for account_id, session_id in db.execute(
        select(SessionStar.account_id, SessionStar.session_id).where(SessionStar.session_id.in_(ids))
    ):
        listeners.append(Listener(session_id, account_id=account_id))
    for contribution in PROGRAMME_AUDIENCE:
        listeners += list(contribution(db, ids))
    return _merge(db, listeners)


def _merge(db: Session, listeners: Iterable[Listener]) -> list[_Recipient]:
    """One recipient per account (with its person's address and its language), then one per address not
    already reached through an account."""
    by_account: dict[int, _Recipient] = {}
    by_email: dict[str, _Recipient] = {}
    pending: list[Listener] = []
    for item in listeners:
        if item.account_id is not None:
            by_account.setdefault(item.account_id, _Recipient(item.account_id, None, item.locale)).sessions.add(
                item.session_id)
        elif item.email and item.email.strip():
            pending.append(item)
    if by_account:
        for account_id, email, locale, active in db.execute(
            select(Account.id, Person.email, Account.locale, Account.is_active)
            .outerjoin(Person, Person.id == Account.person_id).where(Account.id.in_(list(by_account)))
        ):
            if not active:
                del by_account[account_id]
                continue
            recipient = by_account[account_id]
            recipient.email = email or None
            recipient.locale = locale or recipient.locale
    reached = {r.email.strip().lower(): r for r in by_account.values() if r.email}
    for item in pending:
        address = (item.email or "").strip()
        target = reached.get(address.lower()) or by_email.setdefault(
            address.lower(), _Recipient(None, address, item.locale))
        target.sessions.add(item.session_id)
    return [*by_account.values(), *by_email.values()]


def _when(event: Event, snap: Mapping[str, Any]) -> str:
    if not snap.get("starts_at") or not snap.get("ends_at"):
        return ""
    zone = event_zone(event)
    start = dt.datetime.fromisoformat(snap["starts_at"]).astimezone(zone)
    end = dt.datetime.fromisoformat(snap["ends_at"]).astimezone(zone)
    same_day = start.date() == end.date()
    return f"{start:%Y-%m-%d %H:%M}–{end:%H:%M}" if same_day else f"{start:%Y-%m-%d %H:%M} – {end:%Y-%m-%d %H:%M}"


def _tell(db: Session, event: Event, release: ProgrammeRelease, recipients: Sequence[_Recipient],
          changes: Mapping[int, Change], new: Mapping[str, Any]) -> int:
    """Notifications and mails; returns how many mails were queued."""
    room_ids = {snap.get("room_id") for snap in new.values() if snap.get("room_id")}
    room_names = {r.id: (r.name_zh, r.name_en) for r in db.scalars(select(Room).where(Room.id.in_(room_ids)))} \
        if room_ids else {}
    mailed = 0
    for recipient in recipients:
        ordered = sorted(recipient.sessions, key=lambda s: ((new.get(str(s)) or {}).get("starts_at") or "", s))
        entries = [changes[s] for s in ordered if s in changes]
        if recipient.account_id is not None:
            audit.notify(db, account_id=recipient.account_id, kind=NOTIFICATION_KIND, event_id=event.id, payload={
                "release": release.number,
                "sessions": [{"id": c.session_id, "change": c.kind, "fields": list(c.fields),
                              "title_zh": c.title_zh, "title_en": c.title_en} for c in entries],
            })
        if not recipient.email:
            continue
        locale = recipient.locale
        shown = []
        for change in entries:
            snap = new.get(str(change.session_id)) or {}
            room = room_names.get(snap.get("room_id"))  # type: ignore[arg-type]
            shown.append({
                "title": bilingual(change.title_zh, change.title_en, locale),
                "change": change.kind,
                "fields": list(change.fields),
                "when": _when(event, snap),
                "room": bilingual(*room, locale) if room else "",
                "path": f"/events/{event.slug}/sessions/{change.session_id}",
            })
        who = f"a{recipient.account_id}" if recipient.account_id is not None else f"e{recipient.email}"
        row = mail.queue_mail(
            db, to=recipient.email, template="programme_changed", locale=locale, account_id=recipient.account_id,
            topic=PROGRAMME.name, key=f"agenda.release:{release.id}:{who}"[:200],
            context={
                "event_name": bilingual(event.name_zh, event.name_en, locale),
                "zone": event_zone(event).key,
                "sessions": shown,
                "agenda_path": f"/events/{event.slug}/agenda",
            },
        )
        mailed += row is not None
    return mailed


def publish_programme(db: Session, actor: Actor, event: Event) -> Publication:
    """Publish the event's programme as it stands: a new release numbered after the previous one.

    Side effects: the `ProgrammeRelease` row with its snapshot; an audit entry "publish" (entity
    programme_release) recording the changes and how many were told; a `programme_changed` notification per
    account told and one queued e-mail per recipient with an address (sent after the commit). The caller
    commits."""
    require_organiser(actor, event)
    sessions = db.scalars(
        select(AgendaSession).where(AgendaSession.event_id == event.id)
        .options(selectinload(AgendaSession.speakers))
    )
    new = {str(s.id): snapshot_of(s) for s in sessions}
    previous = latest_release(db, event)
    old = previous.snapshot if previous is not None else None
    changes = compare(old, new)
    number = (db.scalar(select(func.max(ProgrammeRelease.number)).where(ProgrammeRelease.event_id == event.id))
              or 0) + 1
    release = ProgrammeRelease(event_id=event.id, number=number, published_by_id=actor.account_id, snapshot=new)
    db.add(release)
    db.flush()
    recipients = audience(db, changes, old, new) if previous is not None else []
    mailed = _tell(db, event, release, recipients, {c.session_id: c for c in changes}, new)
    publication = Publication(release, changes, len(recipients), mailed)
    audit.record(db, actor=actor, entity_type="programme_release", entity_id=release.id, action="publish",
                 after={"number": number, "changes": [asdict(c) for c in changes], "notified": len(recipients),
                        "mailed": mailed}, event_id=event.id)
    return publication
