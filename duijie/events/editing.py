"""Setting up events: create and edit forums, the summits, trading days and contest editions inside them,
publish and unpublish them, delete a draft. The web pages, the API and the command line all call these, so a
rule is written once and refuses in the same words everywhere.

Input arrives as text (a form, a command's options) or as typed values (the API's models); `clean_event`
turns either into column values and collects every problem with the field it concerns, in the request's
language, so a form comes back with each message beside its field. Every write is audited.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from duijie.core import audit
from duijie.core.auth import Actor
from duijie.core.db import Base
from duijie.core.errors import DomainError, ErrorDetail, PermissionDenied
from duijie.core.i18n import bilingual, get_locale
from duijie.core.i18n import gettext as _
from duijie.core.i18n import mark as _l
from duijie.core.transitions import check
from duijie.core.validation import TEXT_MAX, date_problem, is_slug, text_problem
from duijie.events.enums import EVENT_STATE_TRANSITIONS, EventKind, EventState
from duijie.events.models import DEFAULT_TIMEZONE, Event
from duijie.events.permissions import can_create_event, organises_everything, scoped_event_ids
from duijie.events.service import get_event

# The fields an organiser sets, in the order forms and commands show them; `parent` is the forum's slug.
FIELDS: tuple[str, ...] = (
    "slug",
    "kind",
    "parent",
    "name_zh",
    "name_en",
    "theme_zh",
    "theme_en",
    "starts_on",
    "ends_on",
    "city",
    "venue",
    "timezone",
    "format",
    "description_zh",
    "description_en",
)
REQUIRED: frozenset[str] = frozenset({"slug", "kind", "name_zh", "name_en", "starts_on", "ends_on"})
# One-line text fields and the length of their column.
LINES: Mapping[str, int] = MappingProxyType({
    "name_zh": 200,
    "name_en": 200,
    "theme_zh": 200,
    "theme_en": 200,
    "city": 40,
    "venue": 200,
    "format": 300,
})
MULTILINE: frozenset[str] = frozenset({"description_zh", "description_en"})
DEFAULT_CITY = "北京"
# Only a forum holds other events (its summit, trading days, contest edition); forums stand on their own.
CONTAINER_KIND = EventKind.FORUM.value


class EventInUse(DomainError):
    """The event cannot be removed: other records hold it (the message says which)."""

    status_code = 409


def _invalid(errors: list[ErrorDetail]) -> DomainError:
    return DomainError("；".join(e.message for e in errors) if len(errors) > 1 else errors[0].message, details=errors)


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _date(value: object, field: str, errors: list[ErrorDetail]) -> dt.date | None:
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        text = str(value).strip()
        try:
            value = dt.date.fromisoformat(text)
        except ValueError:
            errors.append(ErrorDetail(_("%(v)s is not a date (write 2024-04-25)") % {"v": text[:40]}, field=field))
            return None
    problem = date_problem(value)
    if problem:
        errors.append(ErrorDetail(problem, field=field))
        return None
    return value


def check_timezone(name: str) -> str | None:
    """Why `name` is not an IANA time zone (such as Asia/Shanghai), or None."""
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return _("%(v)s is not a time zone; write its IANA name, such as Asia/Shanghai or Europe/Berlin.") % {
            "v": name[:64]
        }
    return None


def clean_event(raw: Mapping[str, object], *, creating: bool) -> dict[str, Any]:
    """The given fields of `raw` as column values (`parent` stays a slug, or None for a top-level event).

    On creation every required field must be given and the optional ones get their defaults; on an edit only
    the fields present change. Raises one DomainError listing every problem with its field."""
    values, errors = _clean(raw, creating=creating)
    if errors:
        raise _invalid(errors)
    return values


def _clean(raw: Mapping[str, object], *, creating: bool) -> tuple[dict[str, Any], list[ErrorDetail]]:
    """`clean_event`'s work: the values that are right and the problems with the others."""
    errors: list[ErrorDetail] = []
    values: dict[str, Any] = {}
    for name in FIELDS:
        if name not in raw:
            if creating and name in REQUIRED:
                errors.append(ErrorDetail(_("Fill in this field."), field=name))
            continue
        value = raw[name]
        if _blank(value):
            if name in REQUIRED:
                errors.append(ErrorDetail(_("Fill in this field."), field=name))
            elif name == "city":
                values[name] = DEFAULT_CITY
            elif name == "timezone":
                values[name] = DEFAULT_TIMEZONE
            else:
                values[name] = None
            continue
        if name in ("starts_on", "ends_on"):
            day = _date(value, name, errors)
            if day is not None:
                values[name] = day
            continue
        text = str(value).strip()
        if name == "slug":
            if not is_slug(text):
                errors.append(
                    ErrorDetail(
                        _("Use lower-case letters, digits and hyphens (such as invest-beijing-2025), at most 80."),
                        field=name,
                    )
                )
                continue
        elif name == "kind":
            if text not in {k.value for k in EventKind}:
                allowed = ", ".join(f"{k.value} ({k.label(get_locale())})" for k in EventKind)
                errors.append(ErrorDetail(_("Choose one of: %(allowed)s.") % {"allowed": allowed}, field=name))
                continue
        elif name == "parent":
            if not is_slug(text):
                errors.append(ErrorDetail(_("There is no event “%(slug)s”.") % {"slug": text[:80]}, field=name))
                continue
        elif name == "timezone":
            problem = check_timezone(text)
            if problem:
                errors.append(ErrorDetail(problem, field=name))
                continue
        else:
            limit = LINES.get(name, TEXT_MAX)
            if len(text) > limit:
                errors.append(
                    ErrorDetail(
                        _("The text is too long: %(n)s characters, at most %(max)s.") % {"n": len(text), "max": limit},
                        field=name,
                    )
                )
                continue
            problem = text_problem(text, multiline=name in MULTILINE)
            if problem:
                errors.append(ErrorDetail(problem, field=name))
                continue
            if name == "name_zh" and len(text) < 2:
                errors.append(ErrorDetail(_("Write at least two characters."), field=name))
                continue
        values[name] = text
    if creating:
        values.setdefault("city", DEFAULT_CITY)
        values.setdefault("timezone", DEFAULT_TIMEZONE)
        values.setdefault("parent", None)
    return values, errors


def _name(event: Event) -> str:
    return bilingual(event.name_zh, event.name_en)


def _fits(kind: str, start: dt.date, end: dt.date, outer_start: dt.date, outer_end: dt.date) -> bool:
    """Held inside the forum (`outer_start` to `outer_end`): a summit or trading day within its dates; a contest
    runs for months before and holds its final (its last day) during the forum."""
    if kind == EventKind.CONTEST.value:
        return outer_start <= end <= outer_end
    return outer_start <= start and end <= outer_end


def _outside(kind: str, start: dt.date, parent: Event) -> str:
    """The field to name when an event does not fit its forum's dates."""
    if kind != EventKind.CONTEST.value and start < parent.starts_on:
        return "starts_on"
    return "ends_on"


def _fit_message(kind: str, parent: Event) -> str:
    span = {"parent": _name(parent), "start": parent.starts_on.isoformat(), "end": parent.ends_on.isoformat()}
    if kind == EventKind.CONTEST.value:
        return _("A contest holds its final during “%(parent)s”: its end date must lie from %(start)s to %(end)s.") % span
    return _("The event is held during “%(parent)s”: its dates must lie from %(start)s to %(end)s.") % span


def _children(db: Session, event: Event) -> list[Event]:
    if event.id is None:
        return []
    return list(db.scalars(select(Event).where(Event.parent_id == event.id).order_by(Event.starts_on, Event.id)))


def _changed(event: Event | None, values: dict[str, Any]) -> set[str]:
    """The fields whose given value differs from the event's (all of them for a new event)."""
    if event is None:
        return set(values)
    current = {name: getattr(event, name) for name in FIELDS if name != "parent"}
    current["parent"] = event.parent.slug if event.parent is not None else None
    return {name for name, value in values.items() if current.get(name) != value}


def _check_rules(
    db: Session, *, actor: Actor, event: Event | None, values: dict[str, Any], errors: list[ErrorDetail]
) -> Event | None:
    """The rules across fields and records, added to the problems `errors` already holds (all raised together);
    returns the parent event the values name (None: top level)."""
    kind = values.get("kind", event.kind if event else None)
    start = values.get("starts_on", event.starts_on if event else None)
    end = values.get("ends_on", event.ends_on if event else None)
    if "parent" in values:
        parent_slug = values["parent"]
        parent = None
        if parent_slug:
            found = db.scalar(select(Event).where(Event.slug == parent_slug))
            if found is None:
                errors.append(ErrorDetail(_("There is no event “%(slug)s”.") % {"slug": parent_slug}, field="parent"))
            else:
                parent = found
    else:
        parent = event.parent if event else None
    # The rules about where an event sits are checked when its place changes (kind, forum or dates), so that an
    # edit of its venue never trips over how older records were arranged.
    changed = _changed(event, values)
    placed = bool({"kind", "parent", "starts_on", "ends_on"} & changed)
    if not placed:
        pass
    elif start is not None and end is not None and end < start:
        errors.append(
            ErrorDetail(
                _("The event cannot end (%(end)s) before it starts (%(start)s).")
                % {"end": end.isoformat(), "start": start.isoformat()},
                field="ends_on",
            )
        )
    elif parent is not None and kind is not None:
        if event is not None and parent.id == event.id:
            errors.append(ErrorDetail(_("An event cannot sit inside itself."), field="parent"))
        elif kind == CONTAINER_KIND:
            errors.append(ErrorDetail(_("A forum stands on its own: it cannot sit inside another event."), field="parent"))
        elif parent.kind != CONTAINER_KIND:
            errors.append(
                ErrorDetail(
                    _("“%(name)s” is not a forum: events are held inside a forum.") % {"name": _name(parent)},
                    field="parent",
                )
            )
        elif start is not None and end is not None and not _fits(kind, start, end, parent.starts_on, parent.ends_on):
            errors.append(ErrorDetail(_fit_message(kind, parent), field=_outside(kind, start, parent)))
    if event is not None:
        children = _children(db, event) if placed else []
        if children and "kind" in changed and kind != CONTAINER_KIND:
            names = "、".join(_name(c) for c in children[:5])
            errors.append(
                ErrorDetail(
                    _("This event holds other events (%(names)s); only a forum can hold events.") % {"names": names},
                    field="kind",
                )
            )
        elif children and {"starts_on", "ends_on"} & changed and start is not None and end is not None and end >= start:
            for child in children:
                if not _fits(child.kind, child.starts_on, child.ends_on, start, end):
                    field = "starts_on" if child.kind != EventKind.CONTEST.value and child.starts_on < start else "ends_on"
                    errors.append(
                        ErrorDetail(
                            _("“%(child)s” (%(start)s to %(end)s) is held inside this event and would fall outside "
                              "its dates; change that event first.")
                            % {
                                "child": _name(child),
                                "start": child.starts_on.isoformat(),
                                "end": child.ends_on.isoformat(),
                            },
                            field=field,
                        )
                    )
                    break
        if "slug" in values and values["slug"] != event.slug and event.is_published:
            errors.append(
                ErrorDetail(_("A published event keeps its address; unpublish it to change the slug."), field="slug")
            )
    renamed = "slug" in values and (event is None or values["slug"] != event.slug)
    if renamed and db.scalar(select(Event.id).where(Event.slug == values["slug"])) is not None:
        errors.append(
            ErrorDetail(_("The slug “%(slug)s” is taken by another event.") % {"slug": values["slug"]}, field="slug")
        )
    if errors:
        raise _invalid(errors)
    if "parent" in values and (event is None or parent is not event.parent) and not can_create_event(actor, parent):
        if parent is None:
            raise PermissionDenied(_("Only an organiser of the whole programme creates top-level events."))
        raise PermissionDenied(_("You do not organise “%(name)s”.") % {"name": _name(parent)})
    return parent


def snapshot(event: Event) -> dict[str, Any]:
    """The event's set-up as the history keeps it."""
    columns = [f for f in FIELDS if f != "parent"] + ["parent_id", "is_published"]
    return {name: getattr(event, name) for name in columns}


def create_event(
    db: Session, *, actor: Actor, data: Mapping[str, object], publish: bool = False
) -> Event:
    """A new event, a draft unless `publish` (then published in the same unit of work, by `set_event_state`).

    Side effects: the event row; an audit entry "create" (and "publish"). The caller commits."""
    values, errors = _clean(data, creating=True)
    parent = _check_rules(db, actor=actor, event=None, values=values, errors=errors)
    values.pop("parent", None)
    event = Event(**values, parent=parent, is_published=False, provenance="manual")
    db.add(event)
    db.flush()
    audit.record(
        db, actor=actor, entity_type="event", entity_id=event.id, action="create", after=snapshot(event),
        event_id=event.id,
    )  # fmt: skip
    if publish:
        set_event_state(db, actor=actor, event=event, to=EventState.PUBLISHED)
    return event


def update_event(db: Session, *, actor: Actor, event: Event, data: Mapping[str, object]) -> Event:
    """The event with the given fields changed (the others as they were).

    Side effects: the changed columns; an audit entry "update" with before and after, none when nothing
    changed. The caller commits."""
    values, errors = _clean(data, creating=False)
    parent = _check_rules(db, actor=actor, event=event, values=values, errors=errors)
    changes = {k: v for k, v in values.items() if k != "parent"}
    if "parent" in values:
        changes["parent_id"] = parent.id if parent is not None else None
    audit.apply(db, actor=actor, obj=event, changes=changes, entity_type="event", action="update", event_id=event.id)
    db.refresh(event, ["parent"])
    return event


def set_event_state(db: Session, *, actor: Actor, event: Event, to: EventState) -> Event:
    """Publish a draft or take a published event back to draft: the one place an event's state changes.

    An event inside a draft forum cannot be published (its page would link to a page nobody sees), and a forum
    cannot go back to draft while events inside it are published. Side effects: `is_published`; an audit entry
    "publish" or "unpublish". Drafts disappear at once from every public list, page, API answer and search."""
    current = EventState.PUBLISHED if event.is_published else EventState.DRAFT
    check(
        EVENT_STATE_TRANSITIONS,
        current.value,
        to.value,
        states=EventState,
        message=_("The event cannot go from %(a)s to %(b)s."),
        field="state",
    )
    if to is EventState.PUBLISHED and event.parent is not None and not event.parent.is_published:
        raise EventInUse(
            _("Publish “%(parent)s” first: an event inside a draft cannot be published.")
            % {"parent": _name(event.parent)},
            field="state",
        )
    if to is EventState.DRAFT:
        shown = [c for c in _children(db, event) if c.is_published]
        if shown:
            raise EventInUse(
                _("Events inside this one are published (%(names)s); take them back to draft first.")
                % {"names": "、".join(_name(c) for c in shown[:5])},
                field="state",
            )
    action = "publish" if to is EventState.PUBLISHED else "unpublish"
    audit.apply(
        db, actor=actor, obj=event, changes={"is_published": to is EventState.PUBLISHED}, entity_type="event",
        action=action, event_id=event.id,
    )  # fmt: skip
    return event


# What holds an event, by table: the records whose loss a deletion would cause, named for the organiser. The
# event's own set-up (settings, published figures), its history and what is derived from it (search index, job
# runs, notifications) do not hold it.
HOLDERS: Mapping[str, str] = MappingProxyType({
    "opportunity": _l("projects"),
    "deal": _l("deals"),
    "registration": _l("registrations"),
    "registration_category": _l("registration categories"),
    "check_in": _l("check-ins"),
    "role_assignment": _l("account roles"),
    "invitation": _l("invitations"),
    "meeting_slot": _l("meeting time slots"),
    "meeting_table": _l("meeting tables"),
    "meeting_participant": _l("meeting participants"),
    "meeting_request": _l("meeting requests"),
    "meeting": _l("meetings"),
    "match_score": _l("matchmaking results"),
    "agenda_session": _l("agenda sessions"),
    "room": _l("rooms"),
    "track": _l("programme tracks"),
    "speaker_profile": _l("speaker profiles"),
    "exhibitor": _l("exhibitors"),
    "achievement": _l("achievement releases"),
    "policy_package": _l("policy packages"),
    "contest_field": _l("contest fields"),
    "contest_region": _l("contest regions"),
    "contest_round": _l("contest rounds"),
    "contest_entry": _l("contest entries"),
    "judge": _l("judges"),
    "award": _l("awards"),
})
NOT_HOLDING: frozenset[str] = frozenset(
    {
        "event", "event_setting", "published_figure", "audit_entry", "search_document", "job", "notification",
        "programme_release", "badge_key",
    }
)


def holdings(db: Session, event: Event) -> list[tuple[str, int]]:
    """What holds the event: (label in the request's language, number of records), events inside it first.

    Read from the schema itself (every table with a foreign key to `event`), so a module added later holds its
    events without this file knowing it; its table is named as written until it gets a label here."""
    found: list[tuple[str, int]] = []
    children = len(_children(db, event))
    if children:
        found.append((_("events inside it"), children))
    for table in Base.metadata.sorted_tables:
        if table.name in NOT_HOLDING:
            continue
        for fk in table.foreign_keys:
            if fk.column.table.name != "event":
                continue
            count = db.scalar(select(func.count()).select_from(table).where(fk.parent == event.id)) or 0
            if count:
                label = HOLDERS.get(table.name)
                found.append((_(label) if label else table.name, count))
    return found


def delete_event(db: Session, *, actor: Actor, event: Event) -> None:
    """Remove a draft that nothing holds; a published event, or one with records, is refused saying why.

    Side effects: the event row and its own set-up (settings, figures) and history go; an audit entry "delete"
    keeping the event's last set-up is written under the forum it sat in (or none). The caller commits."""
    if event.is_published:
        raise EventInUse(_("Only a draft can be deleted: take the event back to draft first."), field="state")
    held = holdings(db, event)
    if held:
        listed = "、".join(f"{label} {count}" for label, count in held)
        raise EventInUse(
            _("The event cannot be deleted: it holds %(records)s. Remove those first, or keep it as a draft.")
            % {"records": listed},
            field="state",
        )
    before = snapshot(event)
    event_id, parent_id = event.id, event.parent_id
    db.delete(event)
    db.flush()
    audit.record(
        db, actor=actor, entity_type="event", entity_id=event_id, action="delete", before=before,
        event_id=parent_id,
    )  # fmt: skip


def manageable_events(db: Session, actor: Actor) -> list[Event]:
    """The events `actor` may edit, drafts included, each forum followed by the events held in it (a forum's
    events first by date); the list of the set-up page and of `duijie events list`."""
    stmt = select(Event)
    if not organises_everything(actor):
        ids = sorted(scoped_event_ids(actor))
        if not ids:
            return []
        stmt = stmt.where(or_(Event.id.in_(ids), Event.parent_id.in_(ids)))
    events = list(db.scalars(stmt.order_by(Event.starts_on.desc(), Event.id)))
    shown = {e.id for e in events}
    ordered: list[Event] = []
    for event in events:
        if event.parent_id is not None and event.parent_id in shown:
            continue
        ordered.append(event)
        ordered += sorted((c for c in events if c.parent_id == event.id), key=lambda c: (c.starts_on, c.id))
    return ordered


def children_of(db: Session, event: Event) -> list[Event]:
    """The events held inside `event`, by date."""
    return _children(db, event)


def event_by_slug(db: Session, slug: str) -> Event:
    """The event to set up (drafts included): commands and set-up pages name events by slug."""
    return get_event(db, slug=slug)
