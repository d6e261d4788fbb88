"""The judge assignment as a background job: queued by the organiser, run outside the request, written only if
the round did not change meanwhile, one at a time per edition; followed on the round page and in the API."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from duijie.contest.domain import affinities
from duijie.contest.domain.reviews import Solution
from duijie.contest.jobs import job_status, run_job, start_job
from duijie.contest.models import ContestEntry, ContestRound, ReviewAssignment
from duijie.core.auth import Actor
from duijie.core.errors import DomainError, InvalidTransition
from duijie.core.jobs import run_queued
from duijie.core.models import Job
from duijie.directory.accounts import actor_for_account
from duijie.events.models import Event
from tests import factories
from tests.conftest import csrf_of, in_english, login
from tests.contest import factories as cf


@pytest.fixture(autouse=True)
def _terms_and_fields_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """These rounds' texts have no stored vector; scoring them by terms and fields keeps the model unloaded."""
    monkeypatch.setattr(affinities, "SEMANTIC_EMBED_LIMIT", 0)


def _round(db: Session) -> tuple[Event, ContestRound, list[ContestEntry], Actor]:
    event = cf.contest(db)
    field = cf.contest_field(db, event=event)
    rnd = cf.contest_round(db, event=event, field=field)
    entries = [cf.entry(db, event=event, field=field) for _ in range(3)]
    for _ in range(3):
        cf.judge(db, event=event)
    organiser = actor_for_account(factories.account(db, role="organiser"))
    db.commit()
    return event, rnd, entries, organiser


def _queued(db: Session) -> int:
    db.expire_all()
    return db.scalar(select(func.count(Job.id)).where(Job.state == "queued")) or 0


def _reviews(db: Session, rnd: ContestRound) -> int:
    db.expire_all()
    return db.scalar(select(func.count(ReviewAssignment.id)).where(ReviewAssignment.round_id == rnd.id)) or 0


def test_a_queued_job_runs_and_writes_the_reviews(
    db: Session, session_factory: sessionmaker[Session]
) -> None:
    event, rnd, entries, organiser = _round(db)
    job = start_job(db, event=event, round_id=rnd.id, actor=organiser)
    assert (job["state"], job["round_id"], job["progress"]) == ("queued", rnd.id, 0)
    assert _reviews(db, rnd) == 0
    db.commit()
    assert run_queued(session_factory) == [job["id"]]
    status = job_status(db, event=event)
    assert status is not None
    assert (status["state"], status["running"], status["progress"], status["error"]) == (
        "done",
        False,
        4,
        None,
    )
    assert status["summary"]["pairs"] == 6 and status["summary"]["entries"] == 3
    assert _reviews(db, rnd) == 6
    assert {db.get(ContestEntry, e.id).state for e in entries} == {"in_review"}  # type: ignore[union-attr]


def test_a_second_start_while_one_runs_is_refused(
    db: Session, session_factory: sessionmaker[Session]
) -> None:
    event, rnd, _entries, organiser = _round(db)
    start_job(db, event=event, round_id=rnd.id, actor=organiser)
    db.commit()
    with pytest.raises(InvalidTransition) as queued:
        start_job(db, event=event, round_id=rnd.id, actor=organiser)
    assert queued.value.status_code == 409
    seen: list[str] = []

    def while_running(solution: Solution) -> None:
        with session_factory() as other:
            status = job_status(other, event=event)
            assert status is not None and status["running"] and status["state"] == "running"
            seen.append(status["step"])
            with pytest.raises(InvalidTransition):
                start_job(other, event=event, round_id=rnd.id, actor=organiser)

    done = run_job(session_factory, event.id, between=while_running)
    assert done["state"] == "done" and len(seen) == 1 and seen[0]
    assert _reviews(db, rnd) == 6


def test_a_round_changed_while_solving_is_not_written(
    db: Session, session_factory: sessionmaker[Session]
) -> None:
    event, rnd, entries, organiser = _round(db)
    start_job(db, event=event, round_id=rnd.id, actor=organiser)
    db.commit()

    def change_an_entry(solution: Solution) -> None:
        with session_factory() as other:
            row = other.get(ContestEntry, entries[0].id)
            assert row is not None
            row.title_zh = "改过的项目名称"
            other.commit()

    failed = run_job(session_factory, event.id, between=change_an_entry)
    assert failed["state"] == "failed"
    assert "nothing was written" in failed["error"] or "未写入" in failed["error"]
    assert _reviews(db, rnd) == 0


def test_a_round_that_cannot_start_is_refused_before_anything_is_queued(
    db: Session, session_factory: sessionmaker[Session]
) -> None:
    event = cf.contest(db)
    rnd = cf.contest_round(db, event=event, field=cf.contest_field(db, event=event))
    organiser = actor_for_account(factories.account(db, role="organiser"))
    with pytest.raises(DomainError):
        start_job(db, event=event, round_id=rnd.id, actor=organiser)
    assert job_status(db, event=event) is None


def test_the_round_page_queues_the_job_and_shows_its_state(
    client: TestClient, db: Session, session_factory: sessionmaker[Session]
) -> None:
    event, rnd, _entries, _organiser = _round(db)
    account = factories.account(db, role="organiser")
    db.commit()
    login(client, account.username, factories.PASSWORD)
    url = f"/contests/{event.slug}/rounds/{rnd.id}"
    token = csrf_of(client, url)
    response = client.post(f"{url}/assign", data={"csrf": token, "objective": "fair"}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == f"{url}?done=assign"
    assert _queued(db) == 1
    queued = client.get(response.headers["location"]).text
    assert '<meta http-equiv="refresh" content="2">' in queued
    assert 'data-testid="job-state">已排队<' in queued and 'data-testid="assign-done"' not in queued
    with in_english(client):
        again = client.post(f"{url}/assign", data={"csrf": token})
    assert again.status_code == 409 and "A judge assignment is already running for this contest" in again.text
    run_queued(session_factory)
    done = client.get(response.headers["location"]).text
    assert 'http-equiv="refresh"' not in done
    assert 'data-testid="job-state">完成<' in done and 'data-testid="assign-done"' in done
    assert 'data-testid="certificate"' in done


def test_api_queues_the_assignment_refuses_a_second_and_reports_the_job(
    client: TestClient, db: Session, session_factory: sessionmaker[Session]
) -> None:
    event, rnd, _entries, _organiser = _round(db)
    judge_login = cf.judge(db, event=event)[1]
    account = factories.account(db, role="organiser")
    db.commit()
    api = f"/api/v1/contests/{event.slug}"
    assert client.post(f"{api}/rounds/{rnd.id}/assignment", json={}).status_code == 401
    login(client, judge_login.username, factories.PASSWORD)
    assert client.post(f"{api}/rounds/{rnd.id}/assignment", json={}).status_code == 403
    assert client.get(f"{api}/assignment/job").status_code == 403
    client.post("/logout", data={"csrf": csrf_of(client, f"/contests/{event.slug}")})
    login(client, account.username, factories.PASSWORD)
    assert client.get(f"{api}/assignment/job").json()["state"] is None
    queued = client.post(f"{api}/rounds/{rnd.id}/assignment", json={"objective": "total"})
    assert queued.status_code == 202
    assert (queued.json()["state"], queued.json()["round_id"], queued.json()["running"]) == (
        "queued",
        rnd.id,
        True,
    )
    second = client.post(f"{api}/rounds/{rnd.id}/assignment", json={"objective": "total"})
    assert second.status_code == 409
    run_queued(session_factory)
    job = client.get(f"{api}/assignment/job").json()
    assert (job["state"], job["running"], job["summary"]["pairs"]) == ("done", False, 6)
