"""Two organisers write conflicting meetings to the grid at the same moment, on PostgreSQL (real concurrent
transactions, which SQLite's single writer cannot show): the database's unique constraints let exactly one win,
and the other gets a DomainError it can show. The test exists only where the PostgreSQL backend runs."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from duijie.core.errors import DomainError
from duijie.directory.models import Person
from duijie.events import service as event_service
from duijie.meetings import placement
from duijie.meetings.models import (
    Meeting,
    MeetingParticipant,
    MeetingRequest,
    MeetingSeat,
    MeetingSlot,
    MeetingTable,
)
from tests.conftest import BACKENDS

HOLD_SECONDS = 0.6


def _setup(factory: sessionmaker[Session]) -> dict[str, int]:
    """Five fresh participants, three accepted requests, one slot and two free tables, committed."""
    with factory() as db:
        event = event_service.get_event(db, slug="invest-beijing-2024")
        slot = db.scalar(
            select(MeetingSlot).where(MeetingSlot.event_id == event.id).order_by(MeetingSlot.starts_at.desc())
        )
        assert slot is not None
        used = select(Meeting.table_id).where(Meeting.slot_id == slot.id)
        free = list(
            db.scalars(
                select(MeetingTable)
                .where(MeetingTable.event_id == event.id, ~MeetingTable.id.in_(used))
                .order_by(MeetingTable.number)
            )
        )[:2]
        assert len(free) == 2
        people = []
        for k in range(5):
            person = Person(name_zh=f"并发测试{k}", provenance="test-concurrency")
            db.add(person)
            db.flush()
            participant = MeetingParticipant(
                event_id=event.id, person_id=person.id, provenance="test-concurrency"
            )
            db.add(participant)
            people.append(participant)
        db.flush()
        pairs = {"r1": (0, 1), "r2": (0, 2), "r3": (3, 4)}
        ids: dict[str, int] = {"event": event.id, "slot": slot.id, "t1": free[0].id, "t2": free[1].id}
        for name, (a, b) in pairs.items():
            r = MeetingRequest(
                event_id=event.id,
                requester_id=people[a].id,
                recipient_id=people[b].id,
                state="accepted",
                provenance="test-concurrency",
            )
            db.add(r)
            db.flush()
            ids[name] = r.id
        ids["shared"] = people[0].id
        db.commit()
        return ids


def _cleanup(factory: sessionmaker[Session]) -> None:
    with factory() as db:
        requests = select(MeetingRequest.id).where(MeetingRequest.provenance == "test-concurrency")
        db.execute(delete(Meeting).where(Meeting.request_id.in_(requests)))
        db.execute(delete(MeetingRequest).where(MeetingRequest.provenance == "test-concurrency"))
        db.execute(delete(MeetingParticipant).where(MeetingParticipant.provenance == "test-concurrency"))
        db.execute(delete(Person).where(Person.provenance == "test-concurrency"))
        db.commit()


def _race(
    factory: sessionmaker[Session], ids: dict[str, int], first: tuple[str, str], second: tuple[str, str]
) -> list[object]:
    """Writer A places `first` and holds its transaction open while writer B tries `second`; then A commits."""
    outcome: list[object] = [None, None]
    a_flushed = threading.Event()

    def place(index: int, request_key: str, table_key: str) -> None:
        with factory() as db:
            event = event_service.get_event(db, slug="invest-beijing-2024")
            try:
                if index == 1:
                    a_flushed.wait(10)
                placement.place(
                    db,
                    event=event,
                    request=db.get(MeetingRequest, ids[request_key]),  # type: ignore[arg-type]
                    slot=db.get(MeetingSlot, ids["slot"]),  # type: ignore[arg-type]
                    table=db.get(MeetingTable, ids[table_key]),  # type: ignore[arg-type]
                )
                if index == 0:
                    a_flushed.set()
                    time.sleep(HOLD_SECONDS)  # B is now blocked on our uncommitted row
                db.commit()
                outcome[index] = "committed"
            except DomainError as exc:
                db.rollback()
                outcome[index] = exc

    threads = [
        threading.Thread(target=place, args=(0, *first)),
        threading.Thread(target=place, args=(1, *second)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return outcome


if "postgresql" in BACKENDS:

    @pytest.mark.parametrize("engine", ["postgresql"], indirect=True)
    @pytest.mark.parametrize(
        ("conflict", "second"),
        [("participant", ("r2", "t2")), ("table", ("r3", "t1"))],
    )
    def test_two_writers_of_one_participant_or_table_in_a_slot_one_wins_the_other_is_told(
        engine: Engine, conflict: str, second: tuple[str, str]
    ) -> None:
        assert engine.dialect.name == "postgresql"
        factory = sessionmaker(bind=engine, expire_on_commit=False)
        _cleanup(factory)
        ids = _setup(factory)
        try:
            started = time.monotonic()
            outcome = _race(factory, ids, ("r1", "t1"), second)
            waited = time.monotonic() - started
            assert outcome[0] == "committed"
            assert isinstance(outcome[1], DomainError), outcome
            assert outcome[1].field == "grid"
            assert "reload the grid" in outcome[1].message or "刷新总表" in outcome[1].message
            assert waited >= HOLD_SECONDS  # B really waited for A's transaction
            with factory() as db:
                held = db.scalar(
                    select(func.count()).where(Meeting.request_id.in_([ids["r1"], ids["r2"], ids["r3"]]))
                )
                seats = db.scalar(
                    select(func.count()).where(
                        MeetingSeat.participant_id == ids["shared"], MeetingSeat.slot_id == ids["slot"]
                    )
                )
                at_table = db.scalar(
                    select(func.count()).where(Meeting.slot_id == ids["slot"], Meeting.table_id == ids["t1"])
                )
            assert (held, seats, at_table) == (1, 1, 1), conflict
        finally:
            _cleanup(factory)
