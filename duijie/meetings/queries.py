"""Reads behind the meeting pages: a participant's requests and agenda, the organiser's grid, what is left
unscheduled and why, the check-in desk of one slot. Each loads its rows in a fixed number of queries."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from duijie.core.i18n import bilingual
from duijie.core.models import Notification
from duijie.directory.models import Organisation, Person
from duijie.events.models import Event
from duijie.marketplace.models import Opportunity
from duijie.meetings.models import (
    Availability,
    Meeting,
    MeetingParticipant,
    MeetingRequest,
    MeetingSeat,
    MeetingSlot,
    MeetingTable,
)
from duijie.meetings.service import ACTIVE, local, slots_of, tables_of

AREA_EN = {"投资咨询洽谈区": "Investment consultation area", "项目对接区": "Project matchmaking area"}
SESSION_EN = {"am": "morning", "pm": "afternoon"}
SESSION_ZH = {"am": "上午", "pm": "下午"}


@dataclass(frozen=True)
class Who:
    """A participant as pages show them: person, title and organisation; contacts only where allowed."""

    id: int
    name_zh: str
    name_en: str | None
    title: str | None
    org_zh: str | None
    org_en: str | None
    org_slug: str | None
    kind: str | None
    email: str | None
    phone: str | None
    synthetic: bool

    @property
    def name(self) -> str:
        """The person's name in the current language."""
        return bilingual(self.name_zh, self.name_en)

    @property
    def org(self) -> str:
        """The organisation's name in the current language."""
        return bilingual(self.org_zh, self.org_en)

    @property
    def short(self) -> str:
        """A short label for grid cells: the organisation, or the person when there is none."""
        label = self.org or self.name
        return label.replace("（示例）", "").replace(" (sample)", "")


def people(db: Session, ids: Iterable[int]) -> dict[int, Who]:
    """The participants with these ids, in one query."""
    wanted = set(ids)
    if not wanted:
        return {}
    rows = db.execute(
        select(MeetingParticipant, Person, Organisation)
        .join(Person, Person.id == MeetingParticipant.person_id)
        .outerjoin(Organisation, Organisation.id == MeetingParticipant.organisation_id)
        .where(MeetingParticipant.id.in_(wanted))
    )
    result = {}
    for p, person, org in rows:
        result[p.id] = Who(
            id=p.id,
            name_zh=person.name_zh,
            name_en=person.name_en,
            title=person.title,
            org_zh=org.name_zh if org else None,
            org_en=org.name_en if org else None,
            org_slug=org.slug if org else None,
            kind=org.kind if org else None,
            email=person.email,
            phone=person.phone,
            synthetic=p.provenance == "synthetic",
        )
    return result


def session_label(session: str, zh: bool) -> str:
    """ "2024-04-25 am" as "2024-04-25 上午" or "2024-04-25 morning"."""
    day, _, code = session.rpartition(" ")
    names = SESSION_ZH if zh else SESSION_EN
    return f"{day} {names.get(code, code)}".strip() if day else names.get(code, code)


def area_label(area: str | None, zh: bool) -> str:
    """A table area's name in the current language."""
    if not area:
        return ""
    return area if zh else AREA_EN.get(area, area)


@dataclass
class SlotView:
    slot: MeetingSlot
    start: str
    end: str
    free: bool = False


@dataclass
class SessionView:
    session: str
    slots: list[SlotView] = field(default_factory=list)


def sessions_of(slots: list[MeetingSlot], free: set[int] | None = None) -> list[SessionView]:
    """The slot grid grouped by session, with each slot's local times and whether it is marked free."""
    out: list[SessionView] = []
    for s in slots:
        if not out or out[-1].session != s.session:
            out.append(SessionView(s.session))
        out[-1].slots.append(
            SlotView(
                s, f"{local(s.starts_at):%H:%M}", f"{local(s.ends_at):%H:%M}", free is None or s.id in free
            )
        )
    return out


@dataclass
class RequestRow:
    """One request as its sides see it: the other side, the linked project, the meeting once scheduled."""

    request: MeetingRequest
    other: Who
    incoming: bool
    opportunity: Opportunity | None
    meeting: Meeting | None
    slot: MeetingSlot | None
    table: MeetingTable | None
    # The two participants already meet through another request (e.g. the reverse one).
    pair_meets: bool = False

    @property
    def show_contact(self) -> bool:
        """Contacts are shared once the meeting is agreed."""
        return self.request.state == "accepted"


@dataclass
class AgendaItem:
    """One meeting of a participant's day."""

    meeting: Meeting
    slot: MeetingSlot
    table: MeetingTable
    other: Who
    request: MeetingRequest
    opportunity: Opportunity | None
    checked_in: bool

    @property
    def start(self) -> str:
        return f"{local(self.slot.starts_at):%H:%M}"

    @property
    def end(self) -> str:
        return f"{local(self.slot.ends_at):%H:%M}"

    @property
    def day(self) -> str:
        return f"{local(self.slot.starts_at):%Y-%m-%d}"


def _pair_meetings(db: Session, event: Event) -> dict[frozenset[int], Meeting]:
    """The meeting of each pair of participants, keyed by the pair, whichever request it hangs on."""
    rows = db.execute(
        select(Meeting, MeetingRequest.requester_id, MeetingRequest.recipient_id)
        .join(MeetingRequest, MeetingRequest.id == Meeting.request_id)
        .where(Meeting.event_id == event.id)
    )
    return {frozenset((a, b)): m for m, a, b in rows}


def requests_of(db: Session, *, event: Event, participant: MeetingParticipant) -> list[RequestRow]:
    """The participant's requests in and out, newest first, with the other side and any meeting."""
    requests = list(
        db.scalars(
            select(MeetingRequest)
            .where(
                MeetingRequest.event_id == event.id,
                (MeetingRequest.requester_id == participant.id)
                | (MeetingRequest.recipient_id == participant.id),
            )
            .order_by(MeetingRequest.created_at.desc(), MeetingRequest.id.desc())
        )
    )
    others = people(
        db, [r.recipient_id if r.requester_id == participant.id else r.requester_id for r in requests]
    )
    opportunities = _opportunities(db, [r.opportunity_id for r in requests if r.opportunity_id])
    meetings = _pair_meetings(db, event)
    slots = {s.id: s for s in slots_of(db, event=event)}
    tables = {t.id: t for t in tables_of(db, event=event)}
    rows = []
    for r in requests:
        incoming = r.recipient_id == participant.id
        meeting = meetings.get(frozenset((r.requester_id, r.recipient_id))) if r.state == "accepted" else None
        rows.append(
            RequestRow(
                request=r,
                other=others[r.requester_id if incoming else r.recipient_id],
                incoming=incoming,
                opportunity=opportunities.get(r.opportunity_id) if r.opportunity_id else None,
                meeting=meeting,
                slot=slots.get(meeting.slot_id) if meeting else None,
                table=tables.get(meeting.table_id) if meeting else None,
                pair_meets=frozenset((r.requester_id, r.recipient_id)) in meetings,
            )
        )
    return rows


def _opportunities(db: Session, ids: Iterable[int]) -> dict[int, Opportunity]:
    wanted = set(ids)
    if not wanted:
        return {}
    return {o.id: o for o in db.scalars(select(Opportunity).where(Opportunity.id.in_(wanted)))}


def agenda(db: Session, *, event: Event, participant: MeetingParticipant) -> list[AgendaItem]:
    """The participant's meetings in time order (planned, confirmed, held and no-show)."""
    rows = db.execute(
        select(MeetingSeat, Meeting, MeetingSlot, MeetingTable, MeetingRequest)
        .join(Meeting, Meeting.id == MeetingSeat.meeting_id)
        .join(MeetingSlot, MeetingSlot.id == Meeting.slot_id)
        .join(MeetingTable, MeetingTable.id == Meeting.table_id)
        .join(MeetingRequest, MeetingRequest.id == Meeting.request_id)
        .where(MeetingSeat.participant_id == participant.id, Meeting.event_id == event.id)
        .order_by(MeetingSlot.starts_at)
    ).all()
    others = people(
        db,
        [r.recipient_id if r.requester_id == participant.id else r.requester_id for *_x, r in rows],
    )
    opportunities = _opportunities(db, [r.opportunity_id for *_x, r in rows if r.opportunity_id])
    return [
        AgendaItem(
            meeting=m,
            slot=slot,
            table=table,
            other=others[r.recipient_id if r.requester_id == participant.id else r.requester_id],
            request=r,
            opportunity=opportunities.get(r.opportunity_id) if r.opportunity_id else None,
            checked_in=seat.checked_in_at is not None,
        )
        for seat, m, slot, table, r in rows
    ]


def candidates(db: Session, *, event: Event, exclude: int | None) -> list[Who]:
    """Everyone one can ask for a meeting, investors first, then governments, then enterprises."""
    ids = list(db.scalars(select(MeetingParticipant.id).where(MeetingParticipant.event_id == event.id)))
    order = {"investor": 0, "government": 1, "park": 1, "enterprise": 2}
    found = [w for pid, w in people(db, ids).items() if pid != exclude]
    return sorted(found, key=lambda w: (order.get(w.kind or "", 3), w.org_zh or "", w.name_zh))


def projects(db: Session, *, event: Event) -> list[Opportunity]:
    """The event's published projects a request can refer to."""
    return list(
        db.scalars(
            select(Opportunity)
            .where(Opportunity.event_id == event.id, Opportunity.status != "draft")
            .order_by(Opportunity.title_zh)
        )
    )


def notifications(db: Session, *, event: Event, account_id: int | None, limit: int = 8) -> list[Notification]:
    """The account's latest meeting notifications for this event."""
    if account_id is None:
        return []
    return list(
        db.scalars(
            select(Notification)
            .where(
                Notification.account_id == account_id,
                Notification.event_id == event.id,
                Notification.kind.like("meeting%"),
            )
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .limit(limit)
        )
    )


@dataclass
class Cell:
    meeting: Meeting
    a: Who
    b: Who


@dataclass
class GridView:
    """The slot x table grid: sessions of slots as columns, tables (by area) as rows."""

    sessions: list[SessionView]
    tables: list[MeetingTable]
    cells: dict[tuple[int, int], Cell]
    used: dict[int, int]


def grid(db: Session, *, event: Event) -> GridView:
    """Every meeting of the event at its (slot, table), with both sides' names."""
    slots = slots_of(db, event=event)
    tables = tables_of(db, event=event)
    rows = db.execute(
        select(Meeting, MeetingRequest.requester_id, MeetingRequest.recipient_id)
        .join(MeetingRequest, MeetingRequest.id == Meeting.request_id)
        .where(Meeting.event_id == event.id)
    ).all()
    who = people(db, [pid for _m, a, b in rows for pid in (a, b)])
    cells = {(m.slot_id, m.table_id): Cell(m, who[a], who[b]) for m, a, b in rows}
    used: dict[int, int] = defaultdict(int)
    for m, _a, _b in rows:
        used[m.slot_id] += 1
    return GridView(sessions_of(slots), tables, cells, dict(used))


@dataclass
class Left:
    """An accepted request the grid does not hold, and why."""

    request: MeetingRequest
    a: Who
    b: Who
    reason: str
    detail: dict[str, Any]


REASONS = ("no_common_slot", "participant_full", "no_table", "participants_busy", "not_planned")


def unscheduled(db: Session, *, event: Event) -> list[Left]:
    """Accepted requests without a meeting, each with the reason: no common free slot, a participant full, no
    table left when both are free, both busy with other meetings whenever free together, or not planned yet."""
    slots = slots_of(db, event=event)
    n_tables = len(tables_of(db, event=event))
    participants = {
        p.id: p for p in db.scalars(select(MeetingParticipant).where(MeetingParticipant.event_id == event.id))
    }
    free: dict[int, set[int]] = defaultdict(set)
    for pid, sid in db.execute(
        select(Availability.participant_id, Availability.slot_id).where(
            Availability.participant_id.in_(list(participants))
        )
    ):
        free[pid].add(sid)
    busy: dict[int, set[int]] = defaultdict(set)
    for pid, sid in db.execute(
        select(MeetingSeat.participant_id, MeetingSeat.slot_id)
        .join(Meeting, Meeting.id == MeetingSeat.meeting_id)
        .where(Meeting.event_id == event.id)
    ):
        busy[pid].add(sid)
    used: dict[int, int] = defaultdict(int)
    for (sid,) in db.execute(select(Meeting.slot_id).where(Meeting.event_id == event.id)):
        used[sid] += 1
    meetings = _pair_meetings(db, event)
    requests = list(
        db.scalars(
            select(MeetingRequest)
            .where(MeetingRequest.event_id == event.id, MeetingRequest.state.in_(ACTIVE))
            .order_by(MeetingRequest.id)
        )
    )
    seen: set[frozenset[int]] = set()
    pending: list[MeetingRequest] = []
    for r in requests:
        pair = frozenset((r.requester_id, r.recipient_id))
        if r.state != "accepted" or pair in meetings or pair in seen:
            continue
        seen.add(pair)
        pending.append(r)
    who = people(db, [pid for r in pending for pid in (r.requester_id, r.recipient_id)])
    out = []
    for r in pending:
        a, b = r.requester_id, r.recipient_id
        allowed = [s for s in slots if not r.sessions or s.session in r.sessions]
        common = [
            s for s in allowed if (a not in free or s.id in free[a]) and (b not in free or s.id in free[b])
        ]
        full = [
            pid
            for pid in (a, b)
            if (cap := participants[pid].max_meetings) is not None and len(busy[pid]) >= cap
        ]
        open_ = [s for s in common if s.id not in busy[a] and s.id not in busy[b]]
        detail: dict[str, Any] = {}
        if not common:
            reason = "no_common_slot"
        elif full:
            reason = "participant_full"
            detail["who"] = [who[pid] for pid in full]
        elif not open_:
            reason = "participants_busy"
        elif all(used.get(s.id, 0) >= min(s.table_count, n_tables) for s in open_):
            reason = "no_table"
        else:
            reason = "not_planned"
        detail["common"] = len(common)
        out.append(Left(r, who[a], who[b], reason, detail))
    return out


@dataclass
class DeskRow:
    """One meeting at the check-in desk of a slot."""

    meeting: Meeting
    table: MeetingTable
    a: Who
    b: Who
    a_in: bool
    b_in: bool
    a_id: int
    b_id: int


def desk(db: Session, *, event: Event, slot: MeetingSlot) -> list[DeskRow]:
    """The meetings of one slot by table, with who has checked in."""
    rows = db.execute(
        select(Meeting, MeetingTable, MeetingRequest.requester_id, MeetingRequest.recipient_id)
        .join(MeetingTable, MeetingTable.id == Meeting.table_id)
        .join(MeetingRequest, MeetingRequest.id == Meeting.request_id)
        .where(Meeting.event_id == event.id, Meeting.slot_id == slot.id)
        .order_by(MeetingTable.number)
    ).all()
    checked = {
        (mid, pid): at is not None
        for mid, pid, at in db.execute(
            select(MeetingSeat.meeting_id, MeetingSeat.participant_id, MeetingSeat.checked_in_at).where(
                MeetingSeat.slot_id == slot.id
            )
        )
    }
    who = people(db, [pid for *_x, a, b in rows for pid in (a, b)])
    return [
        DeskRow(m, t, who[a], who[b], checked.get((m.id, a), False), checked.get((m.id, b), False), a, b)
        for m, t, a, b in rows
    ]


@dataclass
class PlaceChoice:
    """A slot a meeting could move to: the tables free then (by number), and who of the two did not mark that
    time free (empty: both are available)."""

    slot: MeetingSlot
    tables: list[int]
    unavailable: list[Who]


@dataclass
class MoveView:
    """A placed meeting and where it could go: the slots where both are free first, then the slots outside
    someone's free time (the organiser may still choose them, after confirming)."""

    meeting: Meeting
    a: Who
    b: Who
    slot: MeetingSlot
    table: MeetingTable
    both_free: list[PlaceChoice]
    outside: list[PlaceChoice]


def move_choices(db: Session, *, event: Event, meeting: Meeting) -> MoveView:
    """Where a placed meeting can move: every slot where neither side meets anyone else, with the tables no
    other meeting takes then (the meeting's own place left out), split by whether both sides are free then
    (a participant who never marked any slot is free throughout). Five queries."""
    request = db.get(MeetingRequest, meeting.request_id)
    assert request is not None
    a, b = request.requester_id, request.recipient_id
    slots = slots_of(db, event=event)
    tables = tables_of(db, event=event)
    taken: dict[int, set[int]] = defaultdict(set)
    for sid, tid in db.execute(
        select(Meeting.slot_id, Meeting.table_id).where(Meeting.event_id == event.id, Meeting.id != meeting.id)
    ):
        taken[sid].add(tid)
    busy = set(
        db.scalars(
            select(MeetingSeat.slot_id)
            .join(Meeting, Meeting.id == MeetingSeat.meeting_id)
            .where(
                Meeting.event_id == event.id,
                Meeting.id != meeting.id,
                MeetingSeat.participant_id.in_([a, b]),
            )
        )
    )
    marked: dict[int, set[int]] = defaultdict(set)
    for pid, sid in db.execute(
        select(Availability.participant_id, Availability.slot_id).where(Availability.participant_id.in_([a, b]))
    ):
        marked[pid].add(sid)
    who = people(db, [a, b])
    both_free: list[PlaceChoice] = []
    outside: list[PlaceChoice] = []
    for s in slots:
        if s.id in busy:
            continue
        free_tables = [
            t.number
            for t in tables
            if t.number <= s.table_count
            and t.id not in taken[s.id]
            and (s.id, t.id) != (meeting.slot_id, meeting.table_id)
        ]
        if not free_tables:
            continue
        away = [who[pid] for pid in (a, b) if marked[pid] and s.id not in marked[pid]]
        (outside if away else both_free).append(PlaceChoice(s, free_tables, away))
    slot = next(s for s in slots if s.id == meeting.slot_id)
    table = next(t for t in tables if t.id == meeting.table_id)
    return MoveView(meeting, who[a], who[b], slot, table, both_free, outside)
