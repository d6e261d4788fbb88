"""The 1:1 meeting scheduling problem as plain data: instances, schedules, validation, checking and gaps.

An instance is the event's slot grid (slots in time order, grouped in sessions), the tables per slot, the
participants with their availability and optional maximum number of meetings, and the accepted requests
with their weight, allowed sessions and optional pinned slot. Both schedulers (the first-come baseline in
`greedy.py` and the optimising solver in `solver.py`) read it through `index_instance`, which turns it
into numpy arrays, and return a `Schedule` that `verify` checks independently.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from duijie.core.errors import DomainError

STATUS_OPTIMAL = "optimal"
STATUS_FEASIBLE = "feasible"


class InstanceError(DomainError):
    """Raised for an instance that cannot be scheduled as given; the message names the item at fault."""


@dataclass(frozen=True)
class Slot:
    """One time slot of the event's grid; slots of one session form one stretch of an agenda."""

    id: str
    session: str = ""


@dataclass(frozen=True)
class Participant:
    """Someone who holds meetings; `available` is None when free in every slot."""

    id: str
    available: tuple[str, ...] | None = None
    max_meetings: int | None = None


@dataclass(frozen=True)
class Request:
    """An accepted request for a meeting between `a` and `b`, held at most once."""

    id: str
    a: str
    b: str
    weight: float = 1.0
    sessions: tuple[str, ...] | None = None
    pinned_slot: str | None = None


@dataclass(frozen=True)
class Instance:
    """A whole scheduling problem; `tables` maps each slot id to the number of tables in that slot."""

    slots: tuple[Slot, ...]
    tables: Mapping[str, int]
    participants: tuple[Participant, ...]
    requests: tuple[Request, ...]


@dataclass(frozen=True)
class ScheduledMeeting:
    """A request placed in a slot at a table (tables are numbered 1..n in each slot)."""

    request: str
    slot: str
    table: int


@dataclass(frozen=True)
class Unscheduled:
    """A request left out of the schedule, with the reason in words for the organiser."""

    request: str
    reason: str


@dataclass(frozen=True)
class Schedule:
    """A scheduler's answer: the meetings, their total weight, a proven upper bound and the idle gaps left.

    `idle_gaps_bound`, when known, is a proven lower bound on the idle gaps of every schedule that holds at
    least this weight (and keeps the pinned and confirmed meetings), so `idle_gaps - idle_gaps_bound` is how
    far the agendas can be from the most compact ones.
    """

    meetings: tuple[ScheduledMeeting, ...]
    objective: float
    upper_bound: float
    idle_gaps: int
    status: str
    unscheduled: tuple[Unscheduled, ...] = ()
    moved: tuple[str, ...] = field(default=())
    idle_gaps_bound: int | None = None

    @property
    def gap(self) -> float:
        """Relative distance to the bound, so that runs of different sizes compare."""
        if self.upper_bound <= 0:
            return 0.0
        return max(0.0, (self.upper_bound - self.objective) / self.upper_bound)


@dataclass(frozen=True)
class IndexedInstance:
    """The instance as arrays indexed by position, the form the algorithms work on."""

    instance: Instance
    slot_ids: tuple[str, ...]
    participant_ids: tuple[str, ...]
    request_ids: tuple[str, ...]
    slot_index: dict[str, int]
    participant_index: dict[str, int]
    request_index: dict[str, int]
    session_of_slot: np.ndarray  # int, per slot: index of its session
    tables: np.ndarray  # int, per slot
    available: np.ndarray  # bool, participant x slot
    max_meetings: np.ndarray  # int, per participant (number of slots when unlimited)
    a: np.ndarray  # int, per request
    b: np.ndarray  # int, per request
    weight: np.ndarray  # float, per request
    allowed: np.ndarray  # bool, request x slot: session allowed and both sides available
    pinned: np.ndarray  # int, per request: pinned slot index or -1
    pair: np.ndarray  # int, per request: index of its unordered pair of participants

    @property
    def n_slots(self) -> int:
        """Number of slots."""
        return len(self.slot_ids)

    @property
    def n_participants(self) -> int:
        """Number of participants."""
        return len(self.participant_ids)

    @property
    def n_requests(self) -> int:
        """Number of requests."""
        return len(self.request_ids)


def _text(value: Any, where: str) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int) or str(value) == "":
        raise InstanceError(f"{where}: expected a non-empty text id, got {value!r}")
    return str(value)


def _list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise InstanceError(f"{where}: expected a list, got {type(value).__name__}")
    return value


def _obj(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InstanceError(f"{where}: expected an object, got {type(value).__name__}")
    return value


def _count(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
        raise InstanceError(f"{where}: expected a whole number, got {value!r}")
    if value < 0:
        raise InstanceError(f"{where}: must not be negative, got {value!r}")
    return int(value)


def _unknown_keys(item: dict[str, Any], known: set[str], where: str) -> None:
    extra = sorted(set(item) - known)
    if extra:
        expected = ", ".join(sorted(known))
        raise InstanceError(f"{where}: unknown field {extra[0]!r} (expected one of {expected})")


def load_instance(data: Mapping[str, Any]) -> Instance:
    """Build an instance from the JSON form, refusing anything the schedulers could misread."""
    data = _obj(data, "instance")
    _unknown_keys(data, {"slots", "tables", "participants", "requests"}, "instance")
    for key in ("slots", "participants", "requests"):
        if key not in data:
            raise InstanceError(f"instance: missing {key!r}")

    slots: list[Slot] = []
    slot_ids: set[str] = set()
    for i, raw in enumerate(_list(data["slots"], "slots")):
        item = _obj(raw, f"slots[{i}]")
        _unknown_keys(item, {"id", "session"}, f"slots[{i}]")
        sid = _text(item.get("id"), f"slots[{i}].id")
        if sid in slot_ids:
            raise InstanceError(f"slot {sid}: duplicate slot id")
        session = item.get("session")
        session = "" if session is None else _text(session, f"slot {sid}: session")
        slot_ids.add(sid)
        slots.append(Slot(sid, session))
    sessions = {s.session for s in slots}

    tables: dict[str, int] = {}
    raw_tables = data.get("tables")
    if raw_tables is None:
        tables = {s.id: 10**9 for s in slots}
    else:
        raw_tables = _obj(raw_tables, "tables")
        for sid, n in raw_tables.items():
            if sid not in slot_ids:
                raise InstanceError(f"tables: {sid!r} is not a slot")
            tables[sid] = _count(n, f"tables of slot {sid}")
        for s in slots:
            if s.id not in tables:
                raise InstanceError(f"tables: slot {s.id} has no table count")

    participants: list[Participant] = []
    participant_ids: set[str] = set()
    for i, raw in enumerate(_list(data["participants"], "participants")):
        item = _obj(raw, f"participants[{i}]")
        _unknown_keys(item, {"id", "available", "max_meetings"}, f"participants[{i}]")
        pid = _text(item.get("id"), f"participants[{i}].id")
        if pid in participant_ids:
            raise InstanceError(f"participant {pid}: duplicate participant id")
        available: tuple[str, ...] | None = None
        if item.get("available") is not None:
            avail: list[str] = []
            for sid in _list(item["available"], f"participant {pid}: available"):
                sid = _text(sid, f"participant {pid}: available")
                if sid not in slot_ids:
                    raise InstanceError(f"participant {pid}: available slot {sid!r} is not a slot")
                if sid not in avail:
                    avail.append(sid)
            available = tuple(avail)
        max_meetings = item.get("max_meetings")
        if max_meetings is not None:
            max_meetings = _count(max_meetings, f"participant {pid}: max_meetings")
        participant_ids.add(pid)
        participants.append(Participant(pid, available, max_meetings))

    requests: list[Request] = []
    request_ids: set[str] = set()
    for i, raw in enumerate(_list(data["requests"], "requests")):
        item = _obj(raw, f"requests[{i}]")
        _unknown_keys(item, {"id", "a", "b", "weight", "sessions", "pinned_slot"}, f"requests[{i}]")
        rid = _text(item.get("id"), f"requests[{i}].id")
        if rid in request_ids:
            raise InstanceError(f"request {rid}: duplicate request id")
        a = _text(item.get("a"), f"request {rid}: a")
        b = _text(item.get("b"), f"request {rid}: b")
        for side, pid in (("a", a), ("b", b)):
            if pid not in participant_ids:
                raise InstanceError(f"request {rid}: {side} {pid!r} is not a participant")
        if a == b:
            raise InstanceError(f"request {rid}: a meeting of {a} with itself")
        weight = item.get("weight", 1.0)
        weight = 1.0 if weight is None else weight
        if isinstance(weight, bool) or not isinstance(weight, int | float) or not math.isfinite(weight):
            raise InstanceError(f"request {rid}: weight must be a number, got {weight!r}")
        if weight < 0:
            raise InstanceError(f"request {rid}: weight must not be negative, got {weight!r}")
        req_sessions: tuple[str, ...] | None = None
        if item.get("sessions") is not None:
            names: list[str] = []
            for name in _list(item["sessions"], f"request {rid}: sessions"):
                name = _text(name, f"request {rid}: sessions")
                if name not in sessions:
                    raise InstanceError(f"request {rid}: session {name!r} is not a session of any slot")
                if name not in names:
                    names.append(name)
            req_sessions = tuple(names)
        pinned = item.get("pinned_slot")
        if pinned is not None:
            pinned = _text(pinned, f"request {rid}: pinned_slot")
            if pinned not in slot_ids:
                raise InstanceError(f"request {rid}: pinned_slot {pinned!r} is not a slot")
        request_ids.add(rid)
        requests.append(Request(rid, a, b, float(weight), req_sessions, pinned))

    instance = Instance(tuple(slots), tables, tuple(participants), tuple(requests))
    index_instance(instance)
    return instance


def index_instance(instance: Instance) -> IndexedInstance:
    """Turn an instance into arrays, checking that its pinned meetings can all be held together."""
    slot_ids = tuple(s.id for s in instance.slots)
    participant_ids = tuple(p.id for p in instance.participants)
    request_ids = tuple(r.id for r in instance.requests)
    slot_index = {sid: i for i, sid in enumerate(slot_ids)}
    participant_index = {pid: i for i, pid in enumerate(participant_ids)}
    request_index = {rid: i for i, rid in enumerate(request_ids)}
    if len(slot_index) != len(slot_ids):
        raise InstanceError("slots: duplicate slot id")
    if len(participant_index) != len(participant_ids):
        raise InstanceError("participants: duplicate participant id")
    if len(request_index) != len(request_ids):
        raise InstanceError("requests: duplicate request id")
    n_s, n_p, n_r = len(slot_ids), len(participant_ids), len(request_ids)

    session_names: dict[str, int] = {}
    session_of_slot = np.array(
        [session_names.setdefault(s.session, len(session_names)) for s in instance.slots], dtype=np.int64
    ).reshape(n_s)
    tables = np.array([instance.tables.get(sid, 0) for sid in slot_ids], dtype=np.int64).reshape(n_s)

    available = np.zeros((n_p, n_s), dtype=bool)
    max_meetings = np.full(n_p, n_s, dtype=np.int64)
    for i, p in enumerate(instance.participants):
        if p.available is None:
            available[i, :] = True
        else:
            for sid in p.available:
                available[i, slot_index[sid]] = True
        if p.max_meetings is not None:
            max_meetings[i] = min(p.max_meetings, n_s)

    a = np.zeros(n_r, dtype=np.int64)
    b = np.zeros(n_r, dtype=np.int64)
    weight = np.zeros(n_r, dtype=np.float64)
    session_ok = np.zeros((n_r, n_s), dtype=bool)
    pinned = np.full(n_r, -1, dtype=np.int64)
    pair = np.zeros(n_r, dtype=np.int64)
    pairs: dict[tuple[int, int], int] = {}
    for i, r in enumerate(instance.requests):
        a[i], b[i] = participant_index[r.a], participant_index[r.b]
        weight[i] = r.weight
        if r.sessions is None:
            session_ok[i, :] = True
        else:
            wanted = {session_names[name] for name in r.sessions if name in session_names}
            session_ok[i, :] = np.isin(session_of_slot, list(wanted))
        key = (min(a[i], b[i]), max(a[i], b[i]))
        pair[i] = pairs.setdefault((int(key[0]), int(key[1])), len(pairs))
        if r.pinned_slot is not None:
            s_id = r.pinned_slot
            s = slot_index[s_id]
            pinned[i] = s
            if not session_ok[i, s]:
                raise InstanceError(f"request {r.id}: pinned_slot {r.pinned_slot} is not in its sessions")
            for pid in (r.a, r.b):
                if not available[participant_index[pid], s]:
                    raise InstanceError(f"request {r.id}: {pid} is not available in its pinned_slot {s_id}")
    allowed = session_ok & available[a] & available[b] if n_r else np.zeros((0, n_s), dtype=bool)

    _check_pinned(instance, pinned, a, b, pair, tables, max_meetings, n_p, n_s)
    return IndexedInstance(
        instance=instance,
        slot_ids=slot_ids,
        participant_ids=participant_ids,
        request_ids=request_ids,
        slot_index=slot_index,
        participant_index=participant_index,
        request_index=request_index,
        session_of_slot=session_of_slot,
        tables=tables,
        available=available,
        max_meetings=max_meetings,
        a=a,
        b=b,
        weight=weight,
        allowed=allowed,
        pinned=pinned,
        pair=pair,
    )


def _check_pinned(
    instance: Instance,
    pinned: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    pair: np.ndarray,
    tables: np.ndarray,
    max_meetings: np.ndarray,
    n_p: int,
    n_s: int,
) -> None:
    """Refuse pinned meetings that collide, since no schedule could then keep them all."""
    busy: dict[tuple[int, int], int] = {}
    used = np.zeros(n_s, dtype=np.int64)
    count = np.zeros(n_p, dtype=np.int64)
    pair_seen: dict[int, int] = {}
    for r in np.flatnonzero(pinned >= 0):
        req = instance.requests[r]
        s = int(pinned[r])
        for p in (int(a[r]), int(b[r])):
            other = busy.get((p, s))
            if other is not None:
                who = instance.participants[p].id
                raise InstanceError(
                    f"request {req.id}: pinned in {req.pinned_slot}, where {who} already has pinned "
                    f"request {instance.requests[other].id}"
                )
            busy[(p, s)] = int(r)
            count[p] += 1
            if count[p] > max_meetings[p]:
                who = instance.participants[p].id
                raise InstanceError(f"request {req.id}: pinned meetings exceed max_meetings of {who}")
        used[s] += 1
        if used[s] > tables[s]:
            raise InstanceError(f"request {req.id}: more meetings pinned in {req.pinned_slot} than tables")
        if int(pair[r]) in pair_seen:
            other_id = instance.requests[pair_seen[int(pair[r])]].id
            raise InstanceError(f"request {req.id}: pinned, as is request {other_id} of the same two people")
        pair_seen[int(pair[r])] = int(r)


def idle_gaps_of(occupied: np.ndarray, session_of_slot: np.ndarray) -> np.ndarray:
    """Count, per row of a participant x slot busy matrix, free slots between two busy ones of a session."""
    occupied = np.asarray(occupied, dtype=bool)
    total = np.zeros(occupied.shape[0], dtype=np.int64)
    for session in np.unique(session_of_slot):
        cols = occupied[:, session_of_slot == session]
        if cols.shape[1] < 3:
            continue
        before = np.logical_or.accumulate(cols, axis=1)
        after = np.logical_or.accumulate(cols[:, ::-1], axis=1)[:, ::-1]
        total += (before & after & ~cols).sum(axis=1)
    return total


def count_idle_gaps(instance: Instance, meetings: Sequence[ScheduledMeeting]) -> int:
    """Total free slots that sit between two meetings of the same participant in the same session."""
    participants = {p.id: i for i, p in enumerate(instance.participants)}
    slots = {s.id: i for i, s in enumerate(instance.slots)}
    requests = {r.id: r for r in instance.requests}
    names: dict[str, int] = {}
    session_of_slot = np.array([names.setdefault(s.session, len(names)) for s in instance.slots], dtype=int)
    occupied = np.zeros((len(participants), len(slots)), dtype=bool)
    for m in meetings:
        r = requests[m.request]
        occupied[participants[r.a], slots[m.slot]] = True
        occupied[participants[r.b], slots[m.slot]] = True
    return int(idle_gaps_of(occupied, session_of_slot).sum())


def verify(instance: Instance, schedule: Schedule) -> list[str]:
    """List every way a schedule breaks the instance's rules (empty when it is feasible and consistent)."""
    problems: list[str] = []
    slots = {s.id: s for s in instance.slots}
    people = {p.id: p for p in instance.participants}
    requests = {r.id: r for r in instance.requests}
    seen: set[str] = set()
    person_slot: dict[tuple[str, str], str] = {}
    table_slot: dict[tuple[str, int], str] = {}
    per_person: dict[str, int] = {}
    pairs: dict[frozenset[str], str] = {}
    total = 0.0
    for m in schedule.meetings:
        r = requests.get(m.request)
        if r is None:
            problems.append(f"meeting {m.request}: no such request")
            continue
        if m.request in seen:
            problems.append(f"meeting {m.request}: scheduled twice")
            continue
        seen.add(m.request)
        slot = slots.get(m.slot)
        if slot is None:
            problems.append(f"meeting {m.request}: no such slot {m.slot}")
            continue
        total += r.weight
        if r.sessions is not None and slot.session not in r.sessions:
            problems.append(f"meeting {m.request}: slot {m.slot} is outside its sessions")
        if r.pinned_slot is not None and r.pinned_slot != m.slot:
            problems.append(f"meeting {m.request}: pinned to {r.pinned_slot} but held in {m.slot}")
        if not 1 <= m.table <= instance.tables.get(m.slot, 0):
            problems.append(f"meeting {m.request}: table {m.table} does not exist in {m.slot}")
        holder = table_slot.setdefault((m.slot, m.table), m.request)
        if holder != m.request:
            problems.append(f"meeting {m.request}: table {m.table} in {m.slot} already holds {holder}")
        pair = frozenset((r.a, r.b))
        other = pairs.setdefault(pair, m.request)
        if other != m.request:
            problems.append(f"meeting {m.request}: {r.a} and {r.b} already meet in {other}")
        for pid in (r.a, r.b):
            p = people[pid]
            if p.available is not None and m.slot not in p.available:
                problems.append(f"meeting {m.request}: {pid} is not available in {m.slot}")
            clash = person_slot.setdefault((pid, m.slot), m.request)
            if clash != m.request:
                problems.append(f"meeting {m.request}: {pid} already meets in {m.slot} ({clash})")
            per_person[pid] = per_person.get(pid, 0) + 1
    for pid, n in sorted(per_person.items()):
        cap = people[pid].max_meetings
        if cap is not None and n > cap:
            problems.append(f"participant {pid}: {n} meetings, more than max_meetings {cap}")
    for r in instance.requests:
        if r.pinned_slot is not None and r.id not in seen:
            problems.append(f"request {r.id}: pinned but not scheduled")
    left = {u.request for u in schedule.unscheduled}
    missing = sorted(set(requests) - seen - left)
    if missing:
        problems.append(f"requests neither scheduled nor listed as unscheduled: {', '.join(missing[:5])}")
    both = sorted(seen & left)
    if both:
        problems.append(f"requests both scheduled and unscheduled: {', '.join(both[:5])}")
    if not math.isclose(total, schedule.objective, rel_tol=1e-9, abs_tol=1e-6):
        problems.append(f"objective {schedule.objective} differs from the weight held {total}")
    if schedule.objective > schedule.upper_bound + 1e-6 * max(1.0, schedule.upper_bound):
        problems.append(f"objective {schedule.objective} exceeds the upper bound {schedule.upper_bound}")
    gaps = count_idle_gaps(instance, schedule.meetings)
    if gaps != schedule.idle_gaps:
        problems.append(f"idle_gaps {schedule.idle_gaps} differs from the gaps counted {gaps}")
    if schedule.idle_gaps_bound is not None and not 0 <= schedule.idle_gaps_bound <= gaps:
        problems.append(f"idle_gaps_bound {schedule.idle_gaps_bound} is not between 0 and the gaps {gaps}")
    return problems


def schedule_to_dict(schedule: Schedule) -> dict[str, Any]:
    """The JSON form of a schedule, as `duijie meetings solve` writes it (`idle_gaps_bound` only when known)."""
    data: dict[str, Any] = {
        "meetings": [{"request": m.request, "slot": m.slot, "table": m.table} for m in schedule.meetings],
        "objective": schedule.objective,
        "upper_bound": schedule.upper_bound,
        "idle_gaps": schedule.idle_gaps,
        "status": schedule.status,
        "unscheduled": [{"request": u.request, "reason": u.reason} for u in schedule.unscheduled],
    }
    if schedule.idle_gaps_bound is not None:
        data["idle_gaps_bound"] = schedule.idle_gaps_bound
    return data


def _names(ix: IndexedInstance, slots: Sequence[int] | np.ndarray) -> str:
    return ", ".join(ix.slot_ids[int(s)] for s in slots)


def _reasons(ix: IndexedInstance, slot_of: np.ndarray, occupied: np.ndarray) -> dict[int, str]:
    """Say in words why each dropped request is left out (occupied: participant x slot -> request)."""
    held = slot_of >= 0
    counts = np.bincount(np.concatenate([ix.a[held], ix.b[held]]), minlength=ix.n_participants)
    used = np.bincount(slot_of[held], minlength=ix.n_slots)
    pair_held = dict(zip(ix.pair[held].tolist(), np.flatnonzero(held).tolist(), strict=True))
    reasons: dict[int, str] = {}
    for r in np.flatnonzero(~held).tolist():
        a, b = int(ix.a[r]), int(ix.b[r])
        name_a, name_b = ix.participant_ids[a], ix.participant_ids[b]
        slots = np.flatnonzero(ix.allowed[r]).tolist()
        full = [
            ix.participant_ids[p]
            for p in (a, b)
            if ix.instance.participants[p].max_meetings is not None and counts[p] >= ix.max_meetings[p]
        ]
        both_free = [s for s in slots if occupied[a, s] < 0 and occupied[b, s] < 0]
        if int(ix.pair[r]) in pair_held:
            other = ix.request_ids[pair_held[int(ix.pair[r])]]
            reasons[r] = f"already meeting: {name_a} and {name_b} meet in request {other}"
        elif not slots:
            reasons[r] = f"no common free slot: {name_a} and {name_b} are never free together in its sessions"
        elif full:
            reasons[r] = f"participant full: {' and '.join(full)} reached max_meetings"
        elif both_free:
            reasons[r] = f"no table left: every table is taken in {_names(ix, both_free)}"
        else:
            rivals = {int(occupied[p, s]) for s in slots for p in (a, b) if occupied[p, s] >= 0}
            lighter = all(ix.weight[m] >= ix.weight[r] for m in rivals)
            what = "lower weight than competing meetings" if lighter else "participant busy"
            free_tables = [s for s in slots if used[s] < ix.tables[s]]
            reasons[r] = (
                f"{what}: {name_a} or {name_b} already meets someone else in every common free slot "
                f"({_names(ix, free_tables or slots)})"
            )
    return reasons


def assemble(
    ix: IndexedInstance,
    slot_of: np.ndarray,
    *,
    upper_bound: float,
    fixed_tables: Mapping[int, int] | None = None,
    moved: Sequence[int] = (),
    idle_gaps_bound: int | None = None,
) -> Schedule:
    """Turn a slot per request (-1 when dropped) into a schedule: tables, objective, gaps, reasons, status."""
    slot_of = np.asarray(slot_of, dtype=np.int64)
    fixed_tables = dict(fixed_tables or {})
    held = np.flatnonzero(slot_of >= 0)
    occupied = np.full((ix.n_participants, ix.n_slots), -1, dtype=np.int64)
    occupied[ix.a[held], slot_of[held]] = held
    occupied[ix.b[held], slot_of[held]] = held
    taken: dict[int, set[int]] = {s: set() for s in range(ix.n_slots)}
    for fixed, t in fixed_tables.items():
        if slot_of[fixed] >= 0:
            taken[int(slot_of[fixed])].add(t)
    next_free = dict.fromkeys(range(ix.n_slots), 1)
    meetings: list[ScheduledMeeting] = []
    for r in held:
        s = int(slot_of[r])
        table = fixed_tables.get(int(r))
        if table is None:
            table = next_free[s]
            while table in taken[s]:
                table += 1
            next_free[s] = table + 1
        meetings.append(ScheduledMeeting(ix.request_ids[r], ix.slot_ids[s], int(table)))
    objective = float(ix.weight[held].sum())
    bound = float(upper_bound)
    if bound < objective <= bound + 1e-7 * max(1.0, bound):
        bound = objective
    reasons = _reasons(ix, slot_of, occupied)
    unscheduled = tuple(Unscheduled(ix.request_ids[r], reasons[r]) for r in sorted(reasons))
    busy = occupied >= 0
    gaps = int(idle_gaps_of(busy, ix.session_of_slot).sum())
    optimal = objective >= bound - 1e-9 * max(1.0, bound)
    return Schedule(
        meetings=tuple(meetings),
        objective=objective,
        upper_bound=bound,
        idle_gaps=gaps,
        status=STATUS_OPTIMAL if optimal else STATUS_FEASIBLE,
        unscheduled=unscheduled,
        moved=tuple(ix.request_ids[r] for r in moved),
        idle_gaps_bound=idle_gaps_bound,
    )
