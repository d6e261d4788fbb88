"""Keeping calendar feeds in step with the grid: the SEQUENCE and stamp of each meeting, and the tombstone a
deleted meeting row leaves. The meeting writes call these (`service.set_meeting_state`, `placement`, `runs`);
`feeds.py` reads what they keep. See `feeds.py` for why each exists."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from duijie.core.db import utcnow
from duijie.meetings.models import Meeting, MeetingRequest, MeetingSlot, MeetingTable, MeetingTombstone

# The states of a meeting on the published schedule; `planned` is the organiser's draft.
VISIBLE = ("confirmed", "held", "no_show")
# How long a cancelled or removed meeting stays in feeds as CANCELLED: long enough for any client to poll.
KEEP_CANCELLED = dt.timedelta(days=60)


def touch(meeting: Meeting) -> None:
    """The meeting's time, table or state changed: raise its SEQUENCE and stamp it."""
    meeting.sequence = (meeting.sequence or 0) + 1
    meeting.updated_at = utcnow()


def retire(db: Session, meeting: Meeting, *, reason: str, was: str | None = None) -> MeetingTombstone:
    """Keep what feeds must still say of a meeting whose row is about to be deleted (`reason`: cancelled,
    removed by a run, or moved, when a new row follows): its time and place, its sequence raised by one, and
    whether it was ever published (`was`: the state it had, when the caller already changed it). One tombstone
    per request, updated in place; those older than `KEEP_CANCELLED` are pruned here."""
    slot = db.get(MeetingSlot, meeting.slot_id)
    table = db.get(MeetingTable, meeting.table_id)
    request = db.get(MeetingRequest, meeting.request_id)
    assert slot is not None and table is not None and request is not None
    now = utcnow()
    tomb = db.scalar(select(MeetingTombstone).where(MeetingTombstone.request_id == meeting.request_id))
    if tomb is None:
        tomb = MeetingTombstone(event_id=meeting.event_id, request_id=meeting.request_id, published=False)
        db.add(tomb)
    tomb.requester_id = request.requester_id
    tomb.recipient_id = request.recipient_id
    tomb.sequence = max(tomb.sequence or 0, meeting.sequence or 0) + 1
    tomb.starts_at, tomb.ends_at = slot.starts_at, slot.ends_at
    tomb.table_number, tomb.area = table.number, table.area
    tomb.reason = reason
    tomb.published = bool(tomb.published) or (was or meeting.state) in VISIBLE
    tomb.removed_at = now
    db.execute(
        delete(MeetingTombstone).where(
            MeetingTombstone.event_id == meeting.event_id,
            MeetingTombstone.removed_at < now - KEEP_CANCELLED,
            MeetingTombstone.request_id != meeting.request_id,
        )
    )
    db.flush()
    return tomb


def carry(db: Session, meetings: Sequence[Meeting]) -> None:
    """New meeting rows continue the sequence their request reached before (a move, or a meeting placed again
    after it was removed), so calendars take the new version over the one they hold. Call before adding them."""
    if not meetings:
        return
    with db.no_autoflush:
        reached = dict(
            db.execute(
                select(MeetingTombstone.request_id, MeetingTombstone.sequence).where(
                    MeetingTombstone.request_id.in_({m.request_id for m in meetings})
                )
            ).all()
        )
    now = utcnow()
    for meeting in meetings:
        meeting.sequence = max(meeting.sequence or 0, reached.get(meeting.request_id, 0))
        meeting.updated_at = now


def touch_tables(db: Session, *, table_ids: Sequence[int]) -> int:
    """The place of these tables changed (an area renamed): the meetings at them get a new SEQUENCE, so
    calendars show the new location. Returns how many meetings changed."""
    if not table_ids:
        return 0
    result = db.execute(
        update(Meeting)
        .where(Meeting.table_id.in_(set(table_ids)))
        .values(sequence=Meeting.sequence + 1, updated_at=utcnow())
        .execution_options(synchronize_session="fetch")
    )
    return int(getattr(result, "rowcount", 0) or 0)
