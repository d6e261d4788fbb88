"""Contest entries: lookups and the one transition function of an entry's state."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from duijie.contest.enums import ENTRY_TRANSITIONS, EntryState
from duijie.contest.models import ContestEntry
from duijie.contest.permissions import require_organiser
from duijie.core import audit, transitions
from duijie.core.auth import Actor
from duijie.core.errors import NotFound
from duijie.core.i18n import gettext as _
from duijie.events.models import Event


def get_entry(db: Session, *, event: Event, id: int) -> ContestEntry:
    """An entry of this edition with its entrant, field and region, or NotFound."""
    entry = db.get(
        ContestEntry,
        id,
        options=[
            joinedload(ContestEntry.organisation),
            joinedload(ContestEntry.field),
            joinedload(ContestEntry.region),
        ],
    )
    if entry is None or entry.event_id != event.id:
        raise NotFound(_("No such entry: %(id)s") % {"id": id})
    return entry


def entry_by_code(db: Session, *, event: Event, code: str) -> ContestEntry | None:
    """The edition's entry with this number (FC7-0001), if any."""
    return db.scalar(select(ContestEntry).where(ContestEntry.event_id == event.id, ContestEntry.code == code))


def set_entry_state(
    db: Session, *, actor: Actor, entry: ContestEntry, to: str, note: str | None = None
) -> ContestEntry:
    """The one place an entry's state changes (organiser only).

    Side effects, all in the caller's unit of work: checks `ENTRY_TRANSITIONS` (InvalidTransition, naming both
    states in the request's language, when the move is not allowed), writes `entry.state`, and records one audit
    entry (`contest_entry`/`state`, before and after, with `note`). It sends no notification. Callers: the
    assignment (→ in review), closing a round (→ advanced or eliminated) and awards (→ awarded).
    """
    require_organiser(actor, entry.event_id)
    target = EntryState(to)
    current = entry.state
    transitions.check(
        ENTRY_TRANSITIONS,
        current,
        target.value,
        states=EntryState,
        message=_("An entry cannot go from %(a)s to %(b)s."),
        field="state",
    )
    entry.state = target.value
    audit.record(
        db,
        actor=actor,
        entity_type="contest_entry",
        entity_id=entry.id,
        action="state",
        before={"state": current},
        after={"state": target.value},
        event_id=entry.event_id,
        note=note,
    )
    return entry
