"""Batch matching of an event: stored pairs with explained parts, incremental re-runs, event scoping, jobs."""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from duijie.config import Settings
from duijie.core.cli_support import cli_actor
from duijie.core.db import make_engine, make_sessionmaker, unit_of_work, utcnow
from duijie.core.errors import InvalidTransition
from duijie.core.jobs import claim, reap, run_queued
from duijie.core.models import Job
from duijie.core.worker import TableWorker
from duijie.events.models import Event, EventSetting
from duijie.marketplace.models import Opportunity
from duijie.matching import settings
from duijie.matching.affinity import AffinityEngine
from duijie.matching.demo import demo_texts, recompute_demo_event, shipped_cache
from duijie.matching.jobs import job_status, recompute_event, start_job
from duijie.matching.models import MatchScore
from duijie.matching.profiles import GROUPS, group_profiles
from duijie.matching.settings import PER_LEFT


def _event(db: Session, slug: str) -> Event:
    return db.scalars(select(Event).where(Event.slug == slug)).one()


def _rows(db: Session, event: Event, left_kind: str, right_kind: str) -> list[MatchScore]:
    return list(
        db.scalars(
            select(MatchScore).where(
                MatchScore.event_id == event.id,
                MatchScore.left_kind == left_kind,
                MatchScore.right_kind == right_kind,
            )
        )
    )


def test_demo_stores_every_investor_a_full_list(db: Session) -> None:
    event = _event(db, "invest-beijing-2024")
    left, _ = group_profiles(db, event, "investor_project")
    per_investor = dict(
        db.execute(
            select(MatchScore.left_id, func.count())
            .where(MatchScore.event_id == event.id, MatchScore.right_kind == "project")
            .group_by(MatchScore.left_id)
        ).all()
    )
    assert len(left) == 16
    assert sorted(per_investor) == sorted(int(p.id) for p in left)
    assert min(per_investor.values()) >= PER_LEFT


def test_rerun_with_unchanged_inputs_scores_nothing(db: Session) -> None:
    event = _event(db, "invest-beijing-2024")
    result = recompute_demo_event(db, event)
    assert [g.skipped for g in result.groups] == [True] * len(GROUPS)
    assert sum(g.written for g in result.groups) == 0


def test_changed_project_rewrites_only_pairs_whose_inputs_changed(db: Session) -> None:
    event = _event(db, "invest-beijing-2024")
    before = {
        (r.left_id, r.right_id): (r.input_hash, r.computed_at)
        for r in _rows(db, event, "investor", "project")
    }
    project = db.get(Opportunity, next(iter(before))[1])
    assert project is not None
    project.amount = (project.amount or Decimal(0)) + Decimal(1_000_000)
    db.flush()
    result = recompute_demo_event(db, event)
    group = result.groups[0]
    assert (group.group, group.skipped) == ("investor_project", False)
    assert [g.skipped for g in result.groups[1:]] == [True] * (len(GROUPS) - 1)
    after = {
        (r.left_id, r.right_id): (r.input_hash, r.computed_at)
        for r in _rows(db, event, "investor", "project")
    }
    for key, (digest, at) in after.items():
        if key in before and key[1] != project.id:
            assert (digest, at) == before[key]
        if key in before and key[1] == project.id:
            assert digest != before[key][0]
    rewritten = {k for k in after if k not in before or after[k] != before[k]}
    assert group.written == len(rewritten)
    assert group.unchanged == len(after) - len(rewritten)
    assert group.removed == len(set(before) - set(after))


def test_stored_parts_are_the_engine_explanation_of_the_pair(db: Session) -> None:
    event = _event(db, "invest-beijing-2024")
    left, right = group_profiles(db, event, "investor_project")
    cache = shipped_cache(demo_texts(db))
    assert cache is not None, "the shipped demo vectors must cover the demo's texts"
    engine = AffinityEngine("investor_project", embedding_cache=cache).fit(left, right)
    row = max(_rows(db, event, "investor", "project"), key=lambda r: (r.score, -r.id))
    lp = next(p for p in left if p.id == str(row.left_id))
    rp = next(p for p in right if p.id == str(row.right_id))
    affinity = engine.score_pair(lp, rp)
    assert row.score == pytest.approx(affinity.score, abs=1e-6)
    assert [(p["name"], p["zh"], p["en"]) for p in row.parts] == [
        (p.name, p.reason_zh, p.reason_en) for p in affinity.parts
    ]
    assert sum(p["contribution"] for p in row.parts) == pytest.approx(row.score, abs=1e-3)


def test_amounts_are_explained_in_yi_yuan(db: Session) -> None:
    event = _event(db, "invest-beijing-2024")
    texts = [
        p["zh"] for r in _rows(db, event, "investor", "project") for p in r.parts if p["name"] == "amount"
    ]
    assert "金额在1-10亿元区间内" in texts


def _snapshot(db: Session, event: Event) -> list[tuple[str, int, str, int, float, str]]:
    rows = db.scalars(select(MatchScore).where(MatchScore.event_id == event.id).order_by(MatchScore.id))
    return [(r.left_kind, r.left_id, r.right_kind, r.right_id, r.score, r.input_hash) for r in rows]


def test_another_event_is_computed_apart(db: Session) -> None:
    old, new = _event(db, "invest-beijing-2023"), _event(db, "invest-beijing-2024")
    new_rows = _snapshot(db, new)
    new_inputs = settings.INPUTS.get(db, event_id=new.id)
    new_run = settings.LAST_RUN.get(db, event_id=new.id)
    assert _rows(db, old, "investor", "project") == []
    recompute_event(db, old)
    old_projects = set(db.scalars(select(Opportunity.id).where(Opportunity.event_id == old.id)))
    stored = _rows(db, old, "investor", "project")
    assert stored and {r.right_id for r in stored} <= old_projects
    assert _snapshot(db, new) == new_rows
    assert settings.INPUTS.get(db, event_id=new.id) == new_inputs
    assert settings.LAST_RUN.get(db, event_id=new.id) == new_run
    assert [g["group"] for g in settings.LAST_RUN.get(db, event_id=old.id)["groups"]] == list(GROUPS)
    assert set(settings.INPUTS.get(db, event_id=old.id)) == set(GROUPS)


def test_one_events_weights_and_job_leave_the_other_alone(
    db: Session, session_factory: sessionmaker[Session]
) -> None:
    old, new = _event(db, "invest-beijing-2023"), _event(db, "invest-beijing-2024")
    new_rows = _snapshot(db, new)
    settings.set_weights(db, event=old, actor=cli_actor(), data={"investor_project": {"district": 0.4}})
    start_job(db, old)
    assert settings.overrides(db, new) == {}
    assert settings.stale(db, new) is False
    assert job_status(db, new) is None
    rerun = recompute_demo_event(db, new)
    assert [g.skipped for g in rerun.groups] == [True] * len(GROUPS)
    assert _snapshot(db, new) == new_rows


def _forget_matches(db: Session, event: Event) -> None:
    """Drop the event's stored pairs and input hashes, so that the next run computes everything."""
    db.execute(delete(MatchScore).where(MatchScore.event_id == event.id))
    db.execute(
        delete(EventSetting).where(EventSetting.event_id == event.id, EventSetting.key == "matching.inputs")
    )


def _count(db: Session, event: Event) -> int:
    return db.scalar(select(func.count()).select_from(MatchScore).where(MatchScore.event_id == event.id)) or 0


def test_job_starts_after_commit_and_stores_scores(
    db: Session, session_factory: sessionmaker[Session]
) -> None:
    event = _event(db, "invest-beijing-2024")
    _forget_matches(db, event)
    job = start_job(db, event)
    assert job["state"] == "queued"
    db.commit()
    assert run_queued(session_factory) == [job["id"]]
    db.expire_all()
    status = job_status(db, event)
    assert status is not None
    assert (status["state"], status["running"], status["error"]) == ("done", False, None)
    assert status["started"] is not None and status["finished"] >= status["started"]
    assert status["kept"] == status["written"] == _count(db, event) > 0
    assert status["step"] == "participant_participant: scoring" and status["done"] == status["total"] > 0


def test_second_start_while_running_is_refused(db: Session, session_factory: sessionmaker[Session]) -> None:
    event = _event(db, "invest-beijing-2024")
    job = start_job(db, event)
    with pytest.raises(InvalidTransition) as refused:
        start_job(db, event)
    assert refused.value.status_code == 409
    assert job["queued"][:16].replace("T", " ") in refused.value.message


def test_a_job_left_running_by_a_dead_worker_is_run_again(
    db: Session, session_factory: sessionmaker[Session]
) -> None:
    event = _event(db, "invest-beijing-2024")
    job = start_job(db, event)
    db.commit()
    assert claim(session_factory, job["id"], "dead:1:0")
    db.execute(update(Job).where(Job.id == job["id"]).values(heartbeat_at=utcnow() - dt.timedelta(hours=2)))
    db.commit()
    assert job_status(db, event)["running"] is True  # type: ignore[index]
    assert reap(session_factory, stall_after=30) == [job["id"]]
    assert run_queued(session_factory) == [job["id"]]
    db.expire_all()
    status = job_status(db, event)
    assert status is not None and (status["state"], status["attempts"]) == ("done", 2)
    assert start_job(db, event)["state"] == "queued"


def test_failed_job_records_its_message_and_keeps_the_old_scores(
    db: Session, session_factory: sessionmaker[Session]
) -> None:
    event = _event(db, "invest-beijing-2024")
    before = _count(db, event)
    db.add(EventSetting(event_id=event.id, key="matching.weights", value={"investor_project": {"charm": 1.0}}))
    start_job(db, event)
    db.commit()
    run_queued(session_factory)
    db.expire_all()
    status = job_status(db, event)
    assert status is not None
    assert (status["state"], status["running"]) == ("failed", False)
    assert status["error"].startswith("weight 'charm': unknown part")
    assert _count(db, event) == before


def test_a_worker_thread_runs_the_job_while_the_page_refuses_a_second(demo_file: Path) -> None:
    url = f"sqlite:///{demo_file}"
    engine = make_engine(url)
    factory = make_sessionmaker(engine)
    worker = TableWorker(factory, Settings(database_url=url, job_heartbeat=0.5, job_poll=0.1))
    threads = worker.threads()
    try:
        with unit_of_work(factory) as session:
            _forget_matches(session, _event(session, "invest-beijing-2024"))
        started = time.perf_counter()
        with unit_of_work(factory) as session:
            start_job(session, _event(session, "invest-beijing-2024"))
        assert time.perf_counter() - started < 1.0
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 120
        while True:
            with factory() as session:
                event = _event(session, "invest-beijing-2024")
                status = job_status(session, event)
                assert status is not None
                if not status["running"] or time.monotonic() > deadline:
                    break
                with pytest.raises(InvalidTransition):
                    start_job(session, event)
            time.sleep(0.1)
        with factory() as session:
            event = _event(session, "invest-beijing-2024")
            status = job_status(session, event)
            assert status is not None and status["state"] == "done", status
            assert status["attempts"] == 1 and status["kept"] == _count(session, event) > 0
    finally:
        worker.stop.set()
        for thread in threads:
            if thread.is_alive():
                thread.join(timeout=30)
        engine.dispose()
