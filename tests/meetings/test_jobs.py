"""The scheduling run as a background job: queued after commit, solved outside a transaction, written only
from fresh inputs, solved again once when the grid changed under it, and failed with its reason otherwise."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from duijie.core.auth import Actor
from duijie.core.db import unit_of_work
from duijie.core.errors import InvalidTransition
from duijie.core.jobs import run_queued
from duijie.core.models import AuditEntry, Job
from duijie.directory.accounts import load_actor
from duijie.directory.models import Account
from duijie.events import service as event_service
from duijie.events.models import Event
from duijie.meetings import placement, queries, requests, runs, service
from duijie.meetings.instance import Schedule
from duijie.meetings.jobs import KIND, SchedulingJob, job_status, run_job, start_job
from duijie.meetings.models import Meeting, MeetingRequest, MeetingSeat

SUMMIT = "invest-beijing-2024"


def _actor(db: Session, username: str) -> Actor:
    return load_actor(db, db.scalar(select(Account.id).where(Account.username == username)))


@pytest.fixture
def summit(db: Session) -> Event:
    return event_service.get_event(db, slug=SUMMIT)


def _grid(db: Session, event: Event) -> set[tuple[int, int, int, str]]:
    """Every meeting of the event as (request, slot, table, state)."""
    db.expire_all()
    return set(
        db.execute(
            select(Meeting.request_id, Meeting.slot_id, Meeting.table_id, Meeting.state).where(
                Meeting.event_id == event.id
            )
        ).all()
    )


def _lone_pending(db: Session, event: Event) -> list[int]:
    """Requests awaiting an answer whose pair has no other request: accepting one adds a request to the run."""
    rows = db.scalars(
        select(MeetingRequest).where(MeetingRequest.event_id == event.id).order_by(MeetingRequest.id)
    ).all()
    pairs = Counter(frozenset((r.requester_id, r.recipient_id)) for r in rows)
    return [
        r.id
        for r in rows
        if r.state == "requested" and pairs[frozenset((r.requester_id, r.recipient_id))] == 1
    ]


def _accept(factory: sessionmaker[Session], event_id: int, request_id: int) -> None:
    """The organiser accepts a request in a transaction of its own, as another web request would."""
    with unit_of_work(factory) as other:
        event = other.get(Event, event_id)
        assert event is not None
        request = service.get_request(other, event=event, id=request_id)
        requests.answer(
            other,
            event=event,
            actor=_actor(other, "organiser"),
            request=request,
            participant=None,
            accept=True,
        )


def _queue(db: Session, event: Event, factory: sessionmaker[Session], time_limit: float = 2) -> None:
    start_job(db, event=event, actor=_actor(db, "organiser"), time_limit=time_limit)
    db.commit()


def test_job_starts_after_commit_and_writes_the_schedule(
    db: Session, summit: Event, session_factory: sessionmaker[Session]
) -> None:
    before = runs.last_run(db, event=summit)
    job = start_job(db, event=summit, actor=_actor(db, "organiser"), time_limit=2)
    organiser = _actor(db, "organiser")
    assert (job.state, job.time_limit, job.allow_moves) == ("queued", 2, False)
    assert (job.account_id, job.by) == (organiser.account_id, organiser.display_name)
    db.commit()
    assert run_queued(session_factory) == [job.id]
    db.expire_all()
    status = job_status(db, summit)
    assert status is not None
    assert (status.state, status.running, status.error, status.attempts) == (
        "done",
        False,
        None,
        1,
    )
    assert status.started >= status.queued and status.finished >= status.started
    assert status.step == "正在将排期结果写入总表"
    report = status.report
    assert report == runs.last_run(db, event=summit) != before
    assert report.meetings == len(_grid(db, summit)) and report.attempts == 1
    assert not [row for row in queries.unscheduled(db, event=summit) if row.reason == "not_planned"]
    entry = db.scalars(
        select(AuditEntry)
        .where(AuditEntry.event_id == summit.id, AuditEntry.action == "meetings_scheduled")
        .order_by(AuditEntry.id.desc())
    ).first()
    assert entry is not None and entry.after == report.model_dump()
    assert entry.actor_id == organiser.account_id
    other = event_service.get_event(db, slug="invest-beijing-2023")
    assert job_status(db, other) is None


def test_second_start_while_queued_is_refused(
    db: Session, summit: Event, session_factory: sessionmaker[Session]
) -> None:
    _queue(db, summit, session_factory)
    with pytest.raises(InvalidTransition) as refused:
        _queue(db, summit, session_factory)
    assert refused.value.status_code == 409
    queued = job_status(db, summit)
    assert queued is not None and queued.running is True
    assert refused.value.message == (
        f"本活动的排期正在运行（自 UTC {(queued.queued or '')[:16].replace('T', ' ')} 起），请待其完成后再试。"
    )


def test_progress_lines_of_the_solver_are_the_running_jobs_step(
    db: Session, summit: Event, session_factory: sessionmaker[Session]
) -> None:
    _queue(db, summit, session_factory)
    seen: list[SchedulingJob] = []

    def look(attempt: int, schedule: Schedule) -> None:
        with session_factory() as other:
            event = other.get(Event, summit.id)
            assert event is not None
            job = job_status(other, event)
            assert job is not None
            seen.append(job)

    run_job(session_factory, summit.id, between=look)
    assert [(s.state, s.running, s.attempts) for s in seen] == [("running", True, 1)]
    assert seen[0].step not in ("", "正在读取洽谈申请、空闲时段和已排洽谈", "正在将排期结果写入总表")
    assert isinstance(seen[0].elapsed, int) and seen[0].elapsed >= 0


def test_inputs_changed_while_solving_are_read_again_and_solved_anew(
    db: Session, summit: Event, session_factory: sessionmaker[Session]
) -> None:
    requests_before = len(runs.build_instance(db, event=summit).instance.requests)
    late = _lone_pending(db, summit)[0]
    _queue(db, summit, session_factory)
    attempts: list[int] = []

    def accept_one_meanwhile(attempt: int, schedule: Schedule) -> None:
        attempts.append(attempt)
        if attempt == 1:
            _accept(session_factory, summit.id, late)

    run_job(session_factory, summit.id, between=accept_one_meanwhile)
    db.expire_all()
    status = job_status(db, summit)
    assert status is not None
    assert (status.state, status.error, status.attempts, attempts) == ("done", None, 2, [1, 2])
    assert status.report.attempts == 2
    assert status.report.requests == requests_before + 1
    planned = {r for r, *_ in _grid(db, summit)}
    left = {row.request.id for row in queries.unscheduled(db, event=summit)}
    assert late in planned | left and late not in planned & left


def test_inputs_changing_again_fail_the_job_and_write_nothing(
    db: Session, summit: Event, session_factory: sessionmaker[Session]
) -> None:
    grid, run = _grid(db, summit), runs.last_run(db, event=summit)
    late = _lone_pending(db, summit)[:2]
    _queue(db, summit, session_factory)

    def accept_each_time(attempt: int, schedule: Schedule) -> None:
        _accept(session_factory, summit.id, late[attempt - 1])

    run_job(session_factory, summit.id, between=accept_each_time)
    db.expire_all()
    status = job_status(db, summit)
    assert status is not None
    assert (status.state, status.running, status.attempts, status.report) == (
        "failed",
        False,
        2,
        None,
    )
    assert status.error == (
        "排期运行期间总表发生变动，重新计算时再次变动（有申请被接受、谢绝或取消，空闲时段有调整，或有洽谈被安排），"
        "未写入任何结果。请重新运行排期。"
    )
    assert _grid(db, summit) == grid and runs.last_run(db, event=summit) == run


def test_a_double_booking_the_fingerprint_cannot_see_is_refused_by_the_database(
    db: Session, summit: Event, session_factory: sessionmaker[Session]
) -> None:
    grid, run = _grid(db, summit), runs.last_run(db, event=summit)
    taken = {(slot, table) for _r, slot, table, _s in grid}
    scheduled = {r for r, *_ in grid}
    _queue(db, summit, session_factory)
    intruders: list[int] = []

    def take_a_place_meanwhile(attempt: int, schedule: Schedule) -> None:
        """Someone pins a meeting of a request the run does not read, at a place the new schedule uses."""
        with unit_of_work(session_factory) as other:
            event = other.get(Event, summit.id)
            assert event is not None
            build = runs.build_instance(other, event=event)
            busy = {(p, s) for p, s in other.execute(select(MeetingSeat.participant_id, MeetingSeat.slot_id))}
            pending = other.scalars(
                select(MeetingRequest)
                .where(MeetingRequest.event_id == summit.id, MeetingRequest.state == "requested")
                .order_by(MeetingRequest.id)
            ).all()
            for m in schedule.meetings:
                slot, table = build.slots[m.slot], build.tables[m.table - 1]
                if int(m.request[1:]) in scheduled or (slot.id, table.id) in taken:
                    continue
                for r in pending:
                    if (r.requester_id, slot.id) not in busy and (r.recipient_id, slot.id) not in busy:
                        intruders.append(
                            placement.place(
                                other, event=event, request=r, slot=slot, table=table, pinned=True
                            ).id
                        )
                        return

    run_job(session_factory, summit.id, between=take_a_place_meanwhile)
    db.expire_all()
    status = job_status(db, summit)
    assert status is not None and len(intruders) == 1
    assert (status.state, status.error) == ("failed", "排期运行期间总表已被他人修改，请重新运行。")
    intruder = db.get(Meeting, intruders[0])
    assert intruder is not None
    assert _grid(db, summit) - grid == {(intruder.request_id, intruder.slot_id, intruder.table_id, "planned")}
    assert runs.last_run(db, event=summit) == run


def test_failed_job_records_the_error_and_a_new_run_may_start(
    db: Session, summit: Event, session_factory: sessionmaker[Session]
) -> None:
    grid = _grid(db, summit)
    _queue(db, summit, session_factory)
    organiser = db.scalars(select(Account).where(Account.username == "organiser")).one()
    organiser.is_active = False
    db.commit()
    outcome = run_job(session_factory, summit.id)
    assert (outcome.state, outcome.error) == ("failed", "只有主办方可以运行排期。")
    organiser.is_active = True
    db.commit()
    status = job_status(db, summit)
    assert status is not None and (status.state, status.running) == ("failed", False)
    assert status.finished >= status.started
    assert _grid(db, summit) == grid
    _queue(db, summit, session_factory)
    kept = db.scalars(select(Job.state).where(Job.event_id == summit.id, Job.kind == KIND).order_by(Job.id))
    assert list(kept) == ["failed", "queued"]
