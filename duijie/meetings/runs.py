"""The event-wide scheduling run on the database: the event as a solver instance, the schedule written back
to the grid (drop, move and add meetings), and the run's report.

The pure scheduler (`solver.py`, `greedy.py`) never sees a row: `build_instance` turns the event into an
`Instance` with text ids and the way back to the rows, and `record_run` writes a schedule computed for exactly
that instance. The web runs the same steps as a background job (`jobs.py`) that solves outside a transaction.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from duijie.core import audit
from duijie.core.auth import Actor
from duijie.core.db import utcnow
from duijie.core.errors import DomainError
from duijie.core.i18n import gettext as _
from duijie.core.permissions import require
from duijie.events.models import Event
from duijie.events.settings import setting
from duijie.meetings import feed_changes, service
from duijie.meetings.greedy import greedy
from duijie.meetings.instance import Instance, Participant, Request, Schedule, Slot
from duijie.meetings.models import (
    Availability,
    Meeting,
    MeetingParticipant,
    MeetingRequest,
    MeetingSlot,
    MeetingTable,
)
from duijie.meetings.permissions import can_run_grid
from duijie.meetings.placement import new_meeting
from duijie.meetings.schemas import TIME_LIMIT_MAX, RunReport
from duijie.meetings.solver import solve

# A meeting both sides asked for counts this much more than a one-sided one.
MUTUAL_BONUS = 1.5
# The report of the event's last scheduling run (RunReport as JSON); empty until the first run.
LAST_RUN = setting("meetings.last_run", dict, {})


@dataclass
class InstanceBuild:
    """The solver's instance for an event, with the way back from its text ids to the rows."""

    instance: Instance
    fixed: dict[str, tuple[str, int]]
    slots: dict[str, MeetingSlot]
    tables: list[MeetingTable]
    requests: dict[str, MeetingRequest]
    meetings: dict[str, Meeting]
    folded: dict[int, int] = field(
        default_factory=dict
    )  # request id -> the request of its pair scheduled instead


def _sid(slot_id: int) -> str:
    return f"s{slot_id}"


def _pid(participant_id: int) -> str:
    return f"p{participant_id}"


def _rid(request_id: int) -> str:
    return f"r{request_id}"


def request_weight(priority: int, mutual: bool) -> float:
    """The value of holding a meeting: the organiser's priority, raised when both sides asked for it."""
    return float(priority) * (MUTUAL_BONUS if mutual else 1.0)


def build_instance(db: Session, *, event: Event) -> InstanceBuild:
    """The event as a scheduling instance: slots, tables, availability, accepted requests (one per pair) and
    the meetings that must stay (pinned, held or no-show as pinned; confirmed as fixed)."""
    slots = service.slots_of(db, event=event)
    tables = service.tables_of(db, event=event)
    participants = list(
        db.scalars(
            select(MeetingParticipant)
            .where(MeetingParticipant.event_id == event.id)
            .order_by(MeetingParticipant.id)
        )
    )
    free: dict[int, set[int]] = defaultdict(set)
    for pid, slot_id in db.execute(
        select(Availability.participant_id, Availability.slot_id)
        .join(MeetingParticipant, MeetingParticipant.id == Availability.participant_id)
        .where(MeetingParticipant.event_id == event.id)
    ):
        free[pid].add(slot_id)
    all_requests = list(
        db.scalars(
            select(MeetingRequest).where(MeetingRequest.event_id == event.id).order_by(MeetingRequest.id)
        )
    )
    meetings_by_request = {
        m.request_id: m for m in db.scalars(select(Meeting).where(Meeting.event_id == event.id))
    }
    # First come, first served is the baseline's order: requests in the order they were accepted.
    accepted = sorted(
        (r for r in all_requests if r.state == "accepted"),
        key=lambda r: (r.answered_at or r.created_at, r.id),
    )
    active_pairs: dict[frozenset[int], list[MeetingRequest]] = defaultdict(list)
    for r in all_requests:
        if r.state in service.ACTIVE:
            active_pairs[frozenset((r.requester_id, r.recipient_id))].append(r)
    session_names = {s.session for s in slots}
    slot_by_sid = {_sid(s.id): s for s in slots}
    table_number_of = {t.id: k + 1 for k, t in enumerate(tables)}
    requests: list[Request] = []
    by_rid: dict[str, MeetingRequest] = {}
    meetings: dict[str, Meeting] = {}
    fixed: dict[str, tuple[str, int]] = {}
    folded: dict[int, int] = {}
    chosen: dict[frozenset[int], MeetingRequest] = {}
    for r in accepted:
        pair = frozenset((r.requester_id, r.recipient_id))
        if pair in chosen:
            continue
        group = [x for x in active_pairs[pair] if x.state == "accepted"]
        primary = next((x for x in group if x.id in meetings_by_request), r)
        chosen[pair] = primary
        for x in group:
            if x.id != primary.id:
                folded[x.id] = primary.id
        mutual = len(active_pairs[pair]) > 1
        weight = request_weight(max(x.priority for x in group), mutual)
        sessions = [s for s in (primary.sessions or []) if s in session_names] or None
        rid = _rid(primary.id)
        pinned_slot = None
        meeting = meetings_by_request.get(primary.id)
        if meeting is not None:
            meetings[rid] = meeting
            sid = _sid(meeting.slot_id)
            if meeting.pinned or meeting.state in ("held", "no_show"):
                pinned_slot = sid
            if meeting.pinned or meeting.state in service.KEPT:
                fixed[rid] = (sid, table_number_of.get(meeting.table_id, 0))
                sessions = None
                # A participant who holds a kept meeting is free then, whatever the availability says.
                for pid in (primary.requester_id, primary.recipient_id):
                    if pid in free:
                        free[pid].add(meeting.slot_id)
        requests.append(
            Request(
                id=rid,
                a=_pid(primary.requester_id),
                b=_pid(primary.recipient_id),
                weight=weight,
                sessions=tuple(sessions) if sessions else None,
                pinned_slot=pinned_slot,
            )
        )
        by_rid[rid] = primary
    instance = Instance(
        slots=tuple(Slot(_sid(s.id), s.session) for s in slots),
        tables={_sid(s.id): min(s.table_count, len(tables)) for s in slots},
        participants=tuple(
            Participant(
                id=_pid(p.id),
                available=tuple(_sid(s) for s in sorted(free[p.id])) if p.id in free else None,
                max_meetings=p.max_meetings,
            )
            for p in participants
        ),
        requests=tuple(requests),
    )
    return InstanceBuild(
        instance=instance,
        fixed=fixed,
        slots=slot_by_sid,
        tables=tables,
        requests=by_rid,
        meetings=meetings,
        folded=folded,
    )


def _write_schedule(
    db: Session, *, event: Event, actor: Actor, build: InstanceBuild, schedule: Schedule
) -> tuple[int, int, int, int]:
    """Bring the grid to the schedule: drop, move and add meetings; returns (added, moved, removed, kept)."""
    target = {m.request: (m.slot, m.table) for m in schedule.meetings}
    tables = build.tables
    number_of = {t.id: k + 1 for k, t in enumerate(tables)}
    removed: list[Meeting] = []
    moved: list[tuple[Meeting, tuple[str, int]]] = []
    kept = 0
    for rid, meeting in build.meetings.items():
        where = target.get(rid)
        if where is None:
            removed.append(meeting)
        elif where != (_sid(meeting.slot_id), number_of.get(meeting.table_id, 0)):
            moved.append((meeting, where))
        else:
            kept += 1
    # Planned meetings whose request left the instance (cancelled since) go too.
    in_instance = {m.id for m in build.meetings.values()}
    for meeting in db.scalars(select(Meeting).where(Meeting.event_id == event.id)):
        if meeting.id not in in_instance and meeting.state == "planned" and not meeting.pinned:
            removed.append(meeting)
    accounts = service.accounts_of(
        db,
        sorted(
            {build.requests[m.request].requester_id for m in schedule.meetings}
            | {build.requests[m.request].recipient_id for m in schedule.meetings}
        ),
    )
    before: dict[str, tuple[int, int]] = {}
    carry: dict[str, tuple[str, bool, str | None]] = {}
    conflict = _("The grid was changed by someone else while the scheduler ran; run it again.")
    with service.guarded(db, conflict):
        for meeting in removed:
            audit.record(
                db,
                actor=actor,
                entity_type="meeting",
                entity_id=meeting.id,
                action="meeting_unplanned",
                before={"slot_id": meeting.slot_id, "table_id": meeting.table_id},
                event_id=event.id,
            )
            feed_changes.retire(db, meeting, reason="removed")
            db.delete(meeting)
        for meeting, where in moved:
            rid = _rid(meeting.request_id)
            before[rid] = (meeting.slot_id, meeting.table_id)
            carry[rid] = (meeting.state, meeting.pinned, meeting.note)
            audit.record(
                db,
                actor=actor,
                entity_type="meeting",
                entity_id=meeting.id,
                action="meeting_moved",
                before={"slot_id": meeting.slot_id, "table_id": meeting.table_id, "state": meeting.state},
                after={"slot_id": build.slots[where[0]].id, "table_id": tables[where[1] - 1].id},
                event_id=event.id,
            )
            feed_changes.retire(db, meeting, reason="moved")
            db.delete(meeting)
        db.flush()
        existing = {rid for rid in build.meetings} - {_rid(m.request_id) for m, _w in moved}
        for m in schedule.meetings:
            if m.request in existing:
                continue
            request = build.requests[m.request]
            slot = build.slots[m.slot]
            table = tables[m.table - 1]
            state, pinned, note = carry.get(m.request, ("planned", False, None))
            meeting = new_meeting(event, request, slot, table, state=state, pinned=pinned, note=note)
            feed_changes.carry(db, [meeting])
            db.add(meeting)
            was = before.get(m.request)
            kind = "meeting_moved" if was is not None else "meeting_scheduled"
            service.notify_participants(
                db,
                event_id=event.id,
                actor=actor,
                participant_ids=[request.requester_id, request.recipient_id],
                kind=kind,
                payload={
                    "request_id": request.id,
                    "slot": service.slot_label(slot),
                    "table": table.number,
                    "state": state,
                },
                accounts=accounts,
            )
    return len(schedule.meetings) - kept - len(moved), len(moved), len(removed), kept


def check_run(db: Session, *, event: Event, actor: Actor, time_limit: float) -> None:
    """Refuse a scheduling run that cannot start: not the organiser, a time limit out of range, no grid."""
    require(can_run_grid, actor, event, message=_("Only the organiser can run the scheduler."))
    if not 0 < time_limit <= TIME_LIMIT_MAX:
        raise DomainError(
            _("The time limit must be between 1 and %(n)s seconds.") % {"n": int(TIME_LIMIT_MAX)},
            field="time_limit",
        )
    if not service.slots_of(db, event=event) or not service.tables_of(db, event=event):
        raise DomainError(_("This event has no time slots or tables for meetings yet."), field="grid")


def fingerprint(build: InstanceBuild) -> str:
    """A digest of everything the solver reads (the instance, the fixed meetings, the tables), so that a run
    that solved outside a transaction can tell whether the grid changed under it before writing."""
    inputs = {
        "instance": asdict(build.instance),
        "fixed": sorted(build.fixed.items()),
        "tables": [t.id for t in build.tables],
    }
    return hashlib.sha256(json.dumps(inputs, sort_keys=True, default=list).encode()).hexdigest()


def record_run(
    db: Session,
    *,
    event: Event,
    actor: Actor,
    build: InstanceBuild,
    schedule: Schedule,
    baseline: Schedule,
    seconds: float,
    time_limit: float,
    allow_moves: bool,
    attempts: int = 1,
) -> RunReport:
    """Write a computed schedule to the grid and record the run (last-run report, audit entry) as `actor`;
    `build` must be read in this transaction and be the instance the schedule was computed for."""
    added, moved, removed, kept = _write_schedule(
        db, event=event, actor=actor, build=build, schedule=schedule
    )
    bound = schedule.idle_gaps_bound
    report = RunReport(
        at=utcnow().isoformat(timespec="seconds"),
        seconds=round(seconds, 2),
        time_limit=time_limit,
        allow_moves=allow_moves,
        status=schedule.status,
        requests=len(build.instance.requests),
        meetings=len(schedule.meetings),
        objective=round(schedule.objective, 4),
        upper_bound=round(schedule.upper_bound, 4),
        gap=round(schedule.gap, 6),
        idle_gaps=schedule.idle_gaps,
        unscheduled=len(schedule.unscheduled),
        greedy_meetings=len(baseline.meetings),
        greedy_objective=round(baseline.objective, 4),
        greedy_idle_gaps=baseline.idle_gaps,
        added=added,
        moved=moved,
        removed=removed,
        kept=kept,
        idle_gaps_bound=int(bound) if bound is not None else None,
        attempts=attempts,
    )
    LAST_RUN.put(db, event_id=event.id, value=report.model_dump())
    audit.record(
        db,
        actor=actor,
        entity_type="event",
        entity_id=event.id,
        action="meetings_scheduled",
        after=report.model_dump(),
        event_id=event.id,
    )
    db.flush()
    return report


def schedule_event(
    db: Session,
    *,
    event: Event,
    actor: Actor,
    time_limit: float = 10.0,
    allow_moves: bool = False,
    progress: Callable[[str], None] | None = None,
    work_limit: float | None = None,
) -> RunReport:
    """Plan every accepted request at once, keeping pinned, confirmed and held meetings where they are (or
    moving the fewest confirmed ones when allowed), and write the result to the grid in this transaction.

    The command line, the demo and tests call this; the web runs the same steps as a background job
    (`duijie.meetings.jobs`) that solves outside any transaction. The solver uses the time given unless it
    proves its plan optimal sooner; `work_limit` (its deterministic time) makes a run repeat exactly, as the
    demo's must."""
    check_run(db, event=event, actor=actor, time_limit=time_limit)
    started = time.monotonic()
    build = build_instance(db, event=event)
    schedule = solve(
        build.instance, time_limit=time_limit, fixed=build.fixed, allow_moves=allow_moves, progress=progress,
        work_limit=work_limit,
    )
    baseline = greedy(build.instance)
    return record_run(
        db,
        event=event,
        actor=actor,
        build=build,
        schedule=schedule,
        baseline=baseline,
        seconds=time.monotonic() - started,
        time_limit=time_limit,
        allow_moves=allow_moves,
    )


def last_run(db: Session, *, event: Event) -> RunReport | None:
    """The report of the event's last scheduling run, or None before the first one."""
    stored = LAST_RUN.get(db, event_id=event.id)
    if not stored:
        return None
    try:
        return RunReport.model_validate(stored)
    except ValidationError:
        # A report written by an older version that lacks a figure: the page shows no last run, not an error.
        return None
