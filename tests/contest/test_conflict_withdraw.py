"""Withdrawing a declared conflict of interest: the judge their own until a submitted score locks the entry's
assignment, the organiser any; refused for a detected conflict and for another judge's; audited; the next
assignment run may pair them again. On the pages, the API and the command line."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from duijie.contest.assignment_types import AssignmentInfeasible
from duijie.contest.cli import contest as contest_cli
from duijie.contest.domain import reviews
from duijie.contest.domain.conflicts import declare_conflict, withdraw_conflict
from duijie.contest.models import Conflict, ContestEntry, ContestRound, Judge, ReviewAssignment
from duijie.core.auth import Actor
from duijie.core.db import make_engine, make_sessionmaker
from duijie.core.errors import DomainError, PermissionDenied
from duijie.core.i18n import reset_locale, set_locale
from duijie.core.migrate import upgrade
from duijie.core.models import AuditEntry
from duijie.directory.accounts import actor_for_account
from duijie.directory.models import Account
from duijie.events.models import Event
from tests import factories
from tests.conftest import csrf_of, in_english, login
from tests.contest import factories as cf


def _contest(db: Session) -> tuple[Event, ContestRound, ContestEntry, Judge, Judge]:
    """An edition with one entry in a field's round of one judge per entry, and two judges."""
    edition = cf.contest(db)
    field = cf.contest_field(db, event=edition)
    rnd = cf.contest_round(db, event=edition, field=field, judges_per_entry=1)
    entry = cf.entry(db, event=edition, field=field)
    first, _ = cf.judge(db, event=edition)
    second, _ = cf.judge(db, event=edition)
    return edition, rnd, entry, first, second


def _as_judge(db: Session, judge: Judge) -> tuple[Actor, Account]:
    account = db.scalars(select(Account).where(Account.person_id == judge.person_id)).one()
    return actor_for_account(account), account


def test_a_withdrawn_conflict_is_gone_audited_and_the_next_run_may_assign_the_pair(db: Session) -> None:
    edition = cf.contest(db)
    field = cf.contest_field(db, event=edition)
    rnd = cf.contest_round(db, event=edition, field=field, judges_per_entry=1)
    entry = cf.entry(db, event=edition, field=field)
    judge, login_row = cf.judge(db, event=edition)
    me = actor_for_account(login_row)
    organiser = factories.actor(db, role="organiser", event=edition)
    conflict = declare_conflict(db, actor=me, event=edition, judge=judge, entry=entry, reason="曾任顾问")
    with pytest.raises(AssignmentInfeasible):  # the only judge is conflicted with the only entry
        reviews.run_assignment(db, actor=organiser, rnd=rnd)
    conflict_id = conflict.id
    withdraw_conflict(db, actor=me, event=edition, conflict=conflict)
    assert db.get(Conflict, conflict_id) is None
    entry_row = db.scalars(
        select(AuditEntry).where(AuditEntry.entity_type == "conflict", AuditEntry.entity_id == conflict_id,
                                 AuditEntry.action == "withdraw")
    ).one()  # fmt: skip
    assert entry_row.before == {"judge_id": judge.id, "entry_id": entry.id, "reason": "declared: 曾任顾问"}
    reviews.run_assignment(db, actor=organiser, rnd=rnd)
    pairs = db.execute(select(ReviewAssignment.judge_id, ReviewAssignment.entry_id).where(ReviewAssignment.round_id == rnd.id))
    assert [tuple(p) for p in pairs] == [(judge.id, entry.id)]


def test_a_submitted_score_locks_the_judges_withdrawal_but_not_the_organisers(db: Session) -> None:
    edition, rnd, entry, first, second = _contest(db)
    me, _ = _as_judge(db, first)
    conflict = declare_conflict(db, actor=me, event=edition, judge=first, entry=entry, reason="亲属任职")
    cf.score(db, row=cf.review(db, rnd=rnd, judge=second, entry=entry), marks={"tech": 80, "team": 70})
    with pytest.raises(DomainError) as zh:
        withdraw_conflict(db, actor=me, event=edition, conflict=conflict)
    assert zh.value.message == "该项目已有评审提交评分，分配已锁定；请联系主办方撤回此回避声明。"
    token = set_locale("en")
    try:
        with pytest.raises(DomainError) as en:
            withdraw_conflict(db, actor=me, event=edition, conflict=conflict)
    finally:
        reset_locale(token)
    assert en.value.message.startswith("Scores are already submitted for this entry, so its assignment is locked")
    withdraw_conflict(db, actor=factories.actor(db, role="organiser", event=edition), event=edition, conflict=conflict)
    assert db.scalars(select(Conflict).where(Conflict.entry_id == entry.id)).all() == []


def test_a_detected_conflict_and_another_judges_declaration_are_not_withdrawn(db: Session) -> None:
    edition, _rnd, entry, first, second = _contest(db)
    me, _ = _as_judge(db, first)
    others = declare_conflict(db, actor=me, event=edition, judge=first, entry=entry, reason="曾任顾问")
    detected = Conflict(judge_id=second.id, entry_id=entry.id, reason="same organisation", source="detected")
    db.add(detected)
    db.flush()
    second_actor, _ = _as_judge(db, second)
    with pytest.raises(PermissionDenied):
        withdraw_conflict(db, actor=second_actor, event=edition, conflict=others)
    with pytest.raises(DomainError) as refused:
        withdraw_conflict(db, actor=factories.actor(db, role="organiser"), event=edition, conflict=detected)
    assert refused.value.message == "只能撤回自行声明的回避；系统识别的回避在下次识别时会再次出现。"
    assert {c.id for c in db.scalars(select(Conflict).where(Conflict.entry_id == entry.id))} == {others.id, detected.id}


# -- web pages ----------------------------------------------------------------------------------------------------


def test_a_judge_withdraws_on_the_review_page_and_the_organiser_on_the_judges_page(
    client: TestClient, db: Session
) -> None:
    edition, rnd, entry, first, second = _contest(db)
    me, judge_login = _as_judge(db, first)
    mine = declare_conflict(db, actor=me, event=edition, judge=first, entry=entry, reason="曾任顾问")
    theirs = declare_conflict(db, actor=me, event=edition, judge=first, entry=cf.entry(db, event=edition), reason="持股")
    organiser = factories.account(db, role="organiser", event=edition)
    _, second_login = _as_judge(db, second)
    mine_id, theirs_id, theirs_entry = mine.id, theirs.id, theirs.entry_id
    db.commit()
    login(client, judge_login.username, factories.PASSWORD)
    review = f"/contests/{edition.slug}/review"
    page = client.get(review)
    assert f'action="{review}/conflicts/{mine.id}/withdraw"' in page.text
    done = client.post(f"{review}/conflicts/{mine.id}/withdraw", data={"csrf": csrf_of(client, review)},
                       follow_redirects=False)  # fmt: skip
    assert done.status_code == 303 and done.headers["location"].endswith("done=withdrawn#conflicts")
    db.expire_all()
    assert db.get(Conflict, mine_id) is None
    cf.score(db, row=cf.review(db, rnd=rnd, judge=second, entry=db.get(ContestEntry, theirs_entry)),
             marks={"tech": 80, "team": 70})  # fmt: skip
    db.commit()
    with in_english(client):
        locked = client.post(f"{review}/conflicts/{theirs.id}/withdraw", data={"csrf": csrf_of(client, review)})
    assert locked.status_code == 422 and "so its assignment is locked" in locked.text
    login(client, second_login.username, factories.PASSWORD)
    assert client.post(f"{review}/conflicts/{theirs.id}/withdraw", data={"csrf": csrf_of(client, review)}).status_code == 404
    login(client, organiser.username, factories.PASSWORD)
    judges = f"/contests/{edition.slug}/judges"
    action = f"{judges}/{first.id}/conflicts/{theirs.id}/withdraw"
    assert f'action="{action}"' in client.get(judges).text
    withdrawn = client.post(action, data={"csrf": csrf_of(client, judges)}, follow_redirects=False)
    assert withdrawn.status_code == 303 and "done=withdrawn" in withdrawn.headers["location"]
    assert "回避声明已撤回" in client.get(withdrawn.headers["location"]).text
    db.expire_all()
    assert db.get(Conflict, theirs_id) is None


# -- API and command line -----------------------------------------------------------------------------------------


def test_api_declares_and_withdraws_conflicts(client: TestClient, db: Session) -> None:
    edition, _rnd, entry, first, second = _contest(db)
    organiser = factories.account(db, role="organiser", event=edition)
    _, judge_login = _as_judge(db, first)
    _, other_login = _as_judge(db, second)
    db.commit()
    login(client, organiser.username, factories.PASSWORD)
    base = f"/api/v1/contests/{edition.slug}/judges/{first.id}/conflicts"
    made = client.post(base, json={"entry": entry.code, "reason": "曾任顾问"})
    assert made.status_code == 201, made.text
    conflict_id = made.json()["id"]
    assert client.post(base, json={"entry": "X-1", "reason": "x"}).status_code == 404
    login(client, other_login.username, factories.PASSWORD)
    assert client.delete(f"{base}/{conflict_id}").status_code == 403
    login(client, judge_login.username, factories.PASSWORD)
    assert client.delete(f"{base}/{conflict_id}").status_code == 204
    assert client.delete(f"{base}/{conflict_id}").status_code == 404
    db.expire_all()
    assert db.scalars(select(Conflict).where(Conflict.entry_id == entry.id)).all() == []


def test_cli_lists_and_withdraws_a_declared_conflict(tmp_path: Path) -> None:
    path = tmp_path / "conflicts.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with make_sessionmaker(engine)() as own:
        edition, _rnd, entry, first, _second = _contest(own)
        declare_conflict(own, actor=factories.actor(own, role="organiser"), event=edition, judge=first, entry=entry,
                         reason="曾任顾问")  # fmt: skip
        slug, judge_id, code = edition.slug, first.id, entry.code
        own.commit()
    engine.dispose()
    runner = CliRunner()
    listed = runner.invoke(contest_cli, ["conflicts", "list", "--db", str(path), "--event", slug])
    assert listed.exit_code == 0 and f",{judge_id},{code},declared,declared: 曾任顾问" in listed.output
    args = ["conflicts", "withdraw", "--db", str(path), "--event", slug, "--judge", str(judge_id), "--entry", code]
    assert runner.invoke(contest_cli, args).output == f"withdrawn: judge {judge_id} · {code}\n"
    again = runner.invoke(contest_cli, [*args, "--lang", "en"])
    assert again.exit_code == 1 and f"Judge {judge_id} has no conflict with entry {code}." in again.output
