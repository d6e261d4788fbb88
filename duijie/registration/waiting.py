"""The waiting list, written once for every pool of places: an event category's registrations and a session's.

A pool is a set of rows (registrations of one category, or session places of one session) with a capacity.
Places are held by `confirmed` rows and by `offered` rows until their claim deadline, so

    free places = capacity − (confirmed + offered)

and a new row is confirmed while a place is free, otherwise it waits. Whenever a place frees (a cancellation,
an expired offer, a larger capacity) `fill` offers it to the earliest waiting row — exactly one row per free
place — with a deadline of `claim_hours`; claiming in time confirms, an expired offer passes to the next.

Every decision happens with the pool's row locked (`lock`: the category or the session row, `FOR NO KEY
UPDATE` on PostgreSQL — it excludes the other deciders as `FOR UPDATE` does, without holding back unrelated
inserts that merely reference the row; on SQLite the writing unit of work began with BEGIN IMMEDIATE and holds
the database's write lock already). Counting and inserting under the lock makes the decisions one after the
other, so ids follow the order of decision and the waiting list is simply the `waiting` rows by id.

The state changes themselves go through the entity's own transition function (`Pool.move`), which checks the
table below, writes, audits and mails; this module only decides which row moves where.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Generic, TypeVar, cast

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from duijie.core.db import utcnow
from duijie.core.enums import LabelledEnum
from duijie.registration.models import Registration, SessionRegistration


class State(LabelledEnum):
    """The states of a registration and of a session place (the same for both)."""

    PENDING = ("pending", "待审核", "Pending approval")
    CONFIRMED = ("confirmed", "已确认", "Confirmed")
    WAITING = ("waiting", "候补中", "On the waiting list")
    OFFERED = ("offered", "候补递补待确认", "Place offered")
    CANCELLED = ("cancelled", "已取消", "Cancelled")
    DECLINED = ("declined", "未通过", "Declined")
    EXPIRED = ("expired", "递补已过期", "Offer expired")


# Rows in these states take part: one per person, and the waiting list and the places are among them.
ACTIVE: frozenset[str] = frozenset({State.PENDING, State.CONFIRMED, State.WAITING, State.OFFERED})
# Rows in these states hold a place.
HOLDING: frozenset[str] = frozenset({State.CONFIRMED, State.OFFERED})

TRANSITIONS: Mapping[str, frozenset[str]] = MappingProxyType({
    State.PENDING: frozenset({State.CONFIRMED, State.WAITING, State.DECLINED, State.CANCELLED}),
    State.WAITING: frozenset({State.OFFERED, State.DECLINED, State.CANCELLED}),
    State.OFFERED: frozenset({State.CONFIRMED, State.EXPIRED, State.CANCELLED}),
    State.CONFIRMED: frozenset({State.CANCELLED}),
})


# The two kinds of row a pool holds: an event registration, a session place.
Row = Registration | SessionRegistration
R = TypeVar("R", Registration, SessionRegistration)

# The entity's transition function, as the pool calls it: (db, row, to, offered_until) -> row.
Move = Callable[[Session, R, State, "dt.datetime | None"], R]


@dataclass(frozen=True)
class Pool(Generic[R]):
    """One pool of places: which rows, how many places, how long an offer lasts, how to lock it and move a row.

    `model` is the row class; `member` the condition that selects this pool's rows; `lock_row` the row (class
    and id) whose lock serializes the pool's decisions.
    """

    model: type[R]
    member: ColumnElement[bool]
    capacity: int | None
    claim_hours: int
    lock_model: type[Any]
    lock_id: int
    move: Move[R]

    @property
    def _id(self) -> Any:
        return cast(Any, self.model).id

    @property
    def _state(self) -> Any:
        return cast(Any, self.model).state

    @property
    def _until(self) -> Any:
        return cast(Any, self.model).offered_until


def lock(db: Session, pool: Pool[Any]) -> None:
    """Take the pool's lock until the transaction ends: every decision about its places waits for this one."""
    db.execute(
        select(pool.lock_model.id).where(pool.lock_model.id == pool.lock_id).with_for_update(key_share=True)
    )


def counts(db: Session, pool: Pool[Any]) -> dict[str, int]:
    """How many rows of the pool are in each state (every state present, zero when none)."""
    found: dict[str, int] = {
        str(state): int(n)
        for state, n in db.execute(select(pool._state, func.count()).where(pool.member).group_by(pool._state)).all()
    }
    return {state.value: int(found.get(state.value, 0)) for state in State}


def held(db: Session, pool: Pool[Any]) -> int:
    """The places held: confirmed rows and offered ones (an offer keeps its place until its deadline)."""
    return int(db.scalar(select(func.count()).where(pool.member, pool._state.in_(HOLDING))) or 0)


def free(db: Session, pool: Pool[Any]) -> int | None:
    """The free places (None: the pool has no limit)."""
    if pool.capacity is None:
        return None
    return max(0, pool.capacity - held(db, pool))


def decide(db: Session, pool: Pool[Any], *, approval: bool) -> State:
    """The state a new row starts in; call with the pool locked, and insert the row before the lock is released.

    Approval first (the organiser decides later); then a free place confirms; otherwise the row waits. A
    place that is free while others wait (an offer not yet made) is never taken by a newcomer: the waiting
    list comes first."""
    if approval:
        return State.PENDING
    places = free(db, pool)
    if places is None or (places > 0 and first_waiting(db, pool) is None):
        return State.CONFIRMED
    return State.WAITING


def placed(db: Session, pool: Pool[Any]) -> State:
    """Where an approved row goes: confirmed if a place is free and nobody waits, otherwise the waiting list."""
    return decide(db, pool, approval=False)


def first_waiting(db: Session, pool: Pool[R]) -> R | None:
    """The earliest waiting row (lowest id)."""
    return db.scalar(select(pool.model).where(pool.member, pool._state == State.WAITING).order_by(pool._id).limit(1))


def waiting_list(db: Session, pool: Pool[R]) -> list[R]:
    """The waiting rows in the order they will be offered places."""
    return list(db.scalars(select(pool.model).where(pool.member, pool._state == State.WAITING).order_by(pool._id)))


def position(db: Session, pool: Pool[Any], row: Row) -> int | None:
    """A waiting row's place in the list, 1 for the next to be offered (None when it does not wait)."""
    if row.state != State.WAITING:
        return None
    ahead = db.scalar(select(func.count()).where(pool.member, pool._state == State.WAITING, pool._id < row.id))
    return int(ahead or 0) + 1


def fill(db: Session, pool: Pool[R], *, now: dt.datetime | None = None) -> list[R]:
    """Offer each free place to the earliest waiting row, one row per place; call with the pool locked.

    Returns the rows offered. With no limit every waiting row is offered (a capacity removed)."""
    moment = now or utcnow()
    until = moment + dt.timedelta(hours=pool.claim_hours)
    offered: list[R] = []
    while True:
        places = free(db, pool)
        if places is not None and places <= 0:
            return offered
        row = first_waiting(db, pool)
        if row is None:
            return offered
        offered.append(pool.move(db, row, State.OFFERED, until))


def expire(db: Session, pool: Pool[R], *, now: dt.datetime | None = None) -> list[R]:
    """Offers past their deadline expire and their places pass to the next waiting rows; call with the pool
    locked. Returns the rows that expired."""
    moment = now or utcnow()
    due = list(
        db.scalars(
            select(pool.model)
            .where(pool.member, pool._state == State.OFFERED, pool._until <= moment)
            .order_by(pool._id)
        )
    )
    for row in due:
        pool.move(db, row, State.EXPIRED, None)
    if due:
        fill(db, pool, now=moment)
    return due


def has_expired_offers(db: Session, pool: Pool[Any], *, now: dt.datetime | None = None) -> bool:
    """Whether an offer of the pool is past its deadline (read without the lock, to decide whether to sweep)."""
    moment = now or utcnow()
    return (
        db.scalar(select(pool._id).where(pool.member, pool._state == State.OFFERED, pool._until <= moment).limit(1))
        is not None
    )


def offer_open(row: Row, *, now: dt.datetime | None = None) -> bool:
    """An offered row whose deadline has not passed."""
    return row.state == State.OFFERED and row.offered_until is not None and row.offered_until > (now or utcnow())
