"""Reading the audit log and the sign-in log: the filters, the actor's reach, one page of readable rows.

Every read goes through `scoped`, which keeps an event-scoped organiser to the entries of its events; the
filters only narrow that further. Rows come out readable (names, records in words, changes labelled) with a
constant number of statements per page, whatever its length.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import Session

from duijie.audit import labels
from duijie.audit.entities import Described, describe, event_url
from duijie.core.errors import DomainError, ErrorDetail
from duijie.core.i18n import bilingual
from duijie.core.i18n import gettext as _
from duijie.core.models import AuditEntry
from duijie.core.schemas import paginate_params
from duijie.directory.models import Account, LoginAttempt, Person
from duijie.events.models import Event

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
# An export holds at most this many entries; narrow the filters for more.
EXPORT_LIMIT = 100_000
EXPORT_CHUNK = 500
SYSTEM = "system"  # the `who` filter's value for entries written by the command line or the demo run


@dataclass(frozen=True)
class AuditFilters:
    """The filters of the log, as given in the query string (`from` and `to` are dates in the city's time)."""

    event: str | None = None
    kind: str | None = None
    action: str | None = None
    who: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    q: str | None = None

    def params(self) -> dict[str, str]:
        """The query string that gives these filters again (for the pager and the export links)."""
        out = {
            "event": self.event,
            "kind": self.kind,
            "action": self.action,
            "who": self.who,
            "from": self.since.isoformat() if self.since else None,
            "to": self.until.isoformat() if self.until else None,
            "q": self.q,
        }
        return {k: v for k, v in out.items() if v}


def _date(raw: str, *, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise DomainError(_("Write a date as 2026-04-25."), field=field) from None


def parse_filters(params: Mapping[str, str]) -> tuple[AuditFilters, dict[str, str], dict[str, str]]:
    """The filters, the values as typed (to give the form back) and the messages by field for what is wrong."""
    raw = {k: (params.get(k) or "").strip() for k in ("event", "kind", "action", "who", "from", "to", "q")}
    errors: dict[str, str] = {}
    dates: dict[str, dt.date | None] = {"from": None, "to": None}
    for name in ("from", "to"):
        if raw[name]:
            try:
                dates[name] = _date(raw[name], field=name)
            except DomainError as exc:
                errors[name] = exc.message
    since, until = dates["from"], dates["to"]
    if since and until and until < since:
        errors["to"] = _("The end date is before the start date.")
    who = raw["who"]
    if who and who != SYSTEM and not (who.isascii() and who.isdigit() and len(who) < 10):
        errors["who"] = _("Choose a person from the list.")
    for name in ("kind", "action"):
        if len(raw[name]) > 40:
            errors[name] = _("Choose a value from the list.")
    filters = AuditFilters(
        event=raw["event"] or None,
        kind=raw["kind"] or None,
        action=raw["action"] or None,
        who=who or None,
        since=since,
        until=until,
        q=raw["q"][:200] or None,
    )
    return filters, raw, errors


def check_filters(params: Mapping[str, str]) -> AuditFilters:
    """The filters, or one DomainError naming every field that is wrong (the API's and the exports' 422)."""
    filters, _raw, errors = parse_filters(params)
    if errors:
        first = next(iter(errors.items()))
        raise DomainError(
            first[1], field=first[0], details=[ErrorDetail(message=m, field=f) for f, m in errors.items()]
        )
    return filters


def _start_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=labels.CITY_TZ).astimezone(dt.UTC)


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def scoped(scope: frozenset[int] | None) -> list[ColumnElement[bool]]:
    """The conditions that keep a reader to its reach: nothing for the city-wide organiser, its events else."""
    if scope is None:
        return []
    return [AuditEntry.event_id.in_(sorted(scope))]


def _conditions(db: Session, *, scope: frozenset[int] | None, filters: AuditFilters) -> list[ColumnElement[bool]]:
    where = scoped(scope)
    if filters.event:
        event_id = db.scalar(select(Event.id).where(Event.slug == filters.event))
        if event_id is None or (scope is not None and event_id not in scope):
            raise DomainError(_("Choose an event from the list."), field="event")
        where.append(AuditEntry.event_id == event_id)
    if filters.kind:
        where.append(AuditEntry.entity_type == filters.kind)
    if filters.action:
        where.append(AuditEntry.action == filters.action)
    if filters.who == SYSTEM:
        where.append(AuditEntry.actor_id.is_(None))
    elif filters.who:
        where.append(AuditEntry.actor_id == int(filters.who))
    if filters.since:
        where.append(AuditEntry.at >= _start_of(filters.since))
    if filters.until:
        where.append(AuditEntry.at < _start_of(filters.until + dt.timedelta(days=1)))
    if filters.q:
        where.append(AuditEntry.note.ilike(_like(filters.q), escape="\\"))
    return where


def entries_query(db: Session, *, scope: frozenset[int] | None, filters: AuditFilters) -> Select[AuditEntry]:
    """The reader's entries that pass the filters, newest first."""
    where = _conditions(db, scope=scope, filters=filters)
    return select(AuditEntry).where(*where).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())


@dataclass(frozen=True)
class AuditRow:
    """One entry as a reader sees it."""

    id: int
    at: dt.datetime
    actor_id: int | None
    actor: str
    actor_username: str | None
    event: str | None
    event_url: str | None
    kind: str
    kind_label: str
    entity_id: int
    entity: str
    entity_url: str | None
    action: str
    action_label: str
    changes: list[labels.Change]
    note: str | None

    @property
    def when(self) -> str:
        return self.at.strftime("%Y-%m-%d %H:%M")

    @property
    def shown_changes(self) -> list[labels.Change]:
        return [c for c in self.changes if c.labelled]

    @property
    def more_changes(self) -> list[labels.Change]:
        return [c for c in self.changes if not c.labelled]


def _accounts(db: Session, which: ColumnElement[bool]) -> dict[int, tuple[str, str]]:
    """Account id → (the person's name in the page's language, else the user name; the user name)."""
    rows = db.execute(
        select(Account.id, Account.username, Person.name_zh, Person.name_en)
        .outerjoin(Person, Person.id == Account.person_id)
        .where(which)
    )
    return {i: (bilingual(zh, en) or username, username) for i, username, zh, en in rows}


def _events(db: Session, ids: set[int]) -> dict[int, Described]:
    if not ids:
        return {}
    rows = db.execute(select(Event.id, Event.slug, Event.kind, Event.name_zh, Event.name_en).where(Event.id.in_(ids)))
    return {i: Described(bilingual(zh, en), event_url(slug, kind)) for i, slug, kind, zh, en in rows}


def readable(db: Session, entries: list[AuditEntry]) -> list[AuditRow]:
    """The entries in words: three statements (accounts, events, nothing more) plus one per kind of record."""
    actor_ids = {e.actor_id for e in entries if e.actor_id is not None}
    accounts = _accounts(db, Account.id.in_(actor_ids)) if actor_ids else {}
    events = _events(db, {e.event_id for e in entries if e.event_id is not None})
    records = describe(db, {(e.entity_type, e.entity_id) for e in entries})
    rows: list[AuditRow] = []
    for e in entries:
        name, username = accounts.get(e.actor_id, (None, None)) if e.actor_id is not None else (None, None)
        event = events.get(e.event_id) if e.event_id is not None else None
        kind_label = labels.kind_label(e.entity_type)
        record = records.get((e.entity_type, e.entity_id))
        if record is None:
            record = Described(f"{kind_label} #{e.entity_id}" if e.entity_id else kind_label)
        rows.append(
            AuditRow(
                id=e.id,
                at=e.at.astimezone(labels.CITY_TZ),
                actor_id=e.actor_id,
                actor=name or (_("System") if e.actor_id is None else f"#{e.actor_id}"),
                actor_username=username,
                event=event.text if event else None,
                event_url=event.url if event else None,
                kind=e.entity_type,
                kind_label=kind_label,
                entity_id=e.entity_id,
                entity=record.text,
                entity_url=record.url,
                action=e.action,
                action_label=labels.action_label(e.entity_type, e.action),
                changes=labels.changes(e.entity_type, e.before, e.after),
                note=e.note,
            )
        )
    return rows


@dataclass
class AuditPage:
    rows: list[AuditRow]
    total: int
    page: int
    pages: int
    page_size: int


def list_entries(
    db: Session, *, scope: frozenset[int] | None, filters: AuditFilters, page: int = 1, page_size: int = PAGE_SIZE
) -> AuditPage:
    """One page of the reader's entries, newest first, readable."""
    stmt = entries_query(db, scope=scope, filters=filters)
    total = db.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    page, offset, pages = paginate_params(page, page_size, total)
    entries = list(db.scalars(stmt.offset(offset).limit(page_size)))
    return AuditPage(rows=readable(db, entries), total=total, page=page, pages=pages, page_size=page_size)


def export_rows(db: Session, *, scope: frozenset[int] | None, filters: AuditFilters) -> Iterator[AuditRow]:
    """Every entry that passes the filters (up to EXPORT_LIMIT), newest first, read in chunks."""
    stmt = entries_query(db, scope=scope, filters=filters)
    for offset in range(0, EXPORT_LIMIT, EXPORT_CHUNK):
        entries = list(db.scalars(stmt.offset(offset).limit(EXPORT_CHUNK)))
        yield from readable(db, entries)
        if len(entries) < EXPORT_CHUNK:
            return


@dataclass
class FilterChoices:
    """What the filter form offers: the reader's events, the kinds and actions and people of its entries."""

    events: list[Event]
    kinds: list[tuple[str, str]]
    actions: list[tuple[str, str]]
    people: list[tuple[str, str]] = field(default_factory=list)


def filter_choices(db: Session, *, scope: frozenset[int] | None) -> FilterChoices:
    """Three statements: the events, the (kind, action) pairs, and the accounts that wrote entries."""
    where = scoped(scope)
    event_stmt = select(Event).order_by(Event.starts_on.desc(), Event.id)
    if scope is not None:
        event_stmt = event_stmt.where(Event.id.in_(sorted(scope)))
    events = list(db.scalars(event_stmt))
    pairs = db.execute(select(AuditEntry.entity_type, AuditEntry.action).where(*where).distinct()).all()
    kinds = sorted({(k, labels.kind_label(k)) for k, _a in pairs}, key=lambda p: p[1])
    actions = sorted({(a, labels.action_label(k, a)) for k, a in pairs}, key=lambda p: p[1])
    # The same action code may read differently per kind (deals name their own); one option per code.
    seen: dict[str, str] = {}
    for code, text in actions:
        seen.setdefault(code, text)
    actor_ids = select(AuditEntry.actor_id).where(*where, AuditEntry.actor_id.is_not(None)).distinct()
    people = [
        (str(i), f"{name} ({username})" if name != username else name)
        for i, (name, username) in _accounts(db, Account.id.in_(actor_ids.scalar_subquery())).items()
    ]
    people.sort(key=lambda p: p[1])
    people.insert(0, (SYSTEM, _("System")))
    return FilterChoices(events=events, kinds=kinds, actions=sorted(seen.items(), key=lambda p: p[1]), people=people)


# --- sign-ins ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignInRow:
    at: dt.datetime
    username: str
    name: str | None
    ip: str
    succeeded: bool

    @property
    def when(self) -> str:
        return self.at.strftime("%Y-%m-%d %H:%M:%S")


@dataclass
class SignInPage:
    rows: list[SignInRow]
    total: int
    page: int
    pages: int
    page_size: int


def sign_ins(
    db: Session,
    *,
    filters: AuditFilters,
    outcome: str | None = None,
    page: int = 1,
    page_size: int = PAGE_SIZE,
) -> SignInPage:
    """Recent sign-in attempts, newest first, with the account's name where the name is an account's. `q` looks
    in the user name and the address; `outcome` is "failed" or "succeeded"."""
    where: list[ColumnElement[bool]] = []
    if filters.q:
        pattern = _like(filters.q.lower())
        where.append(or_(LoginAttempt.username.like(pattern, escape="\\"), LoginAttempt.ip.like(pattern, escape="\\")))
    if outcome in ("failed", "succeeded"):
        where.append(LoginAttempt.succeeded.is_(outcome == "succeeded"))
    if filters.since:
        where.append(LoginAttempt.at >= _start_of(filters.since))
    if filters.until:
        where.append(LoginAttempt.at < _start_of(filters.until + dt.timedelta(days=1)))
    total = db.scalar(select(func.count(LoginAttempt.id)).where(*where)) or 0
    page, offset, pages = paginate_params(page, page_size, total)
    rows = db.execute(
        select(LoginAttempt, Person.name_zh, Person.name_en)
        .outerjoin(Account, func.lower(Account.username) == LoginAttempt.username)
        .outerjoin(Person, Person.id == Account.person_id)
        .where(*where)
        .order_by(LoginAttempt.at.desc(), LoginAttempt.id.desc())
        .offset(offset)
        .limit(page_size)
    )
    out = [
        SignInRow(
            at=attempt.at.astimezone(labels.CITY_TZ),
            username=attempt.username,
            name=bilingual(zh, en) or None,
            ip=attempt.ip,
            succeeded=attempt.succeeded,
        )
        for attempt, zh, en in rows
    ]
    return SignInPage(rows=out, total=total, page=page, pages=pages, page_size=page_size)
