"""An edition's judges set up by its organiser: invited by e-mail from the Judges page (the mail arrives at a
real SMTP server and its link makes the account that the judge record then belongs to), expertise, affiliation,
ties and declared conflicts edited with the refusal beside its field, a judge who scored kept, the same through
the API and the command line."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from duijie.contest.cli import contest as contest_cli
from duijie.contest.models import Conflict, Judge
from duijie.core.db import make_engine, make_sessionmaker
from duijie.core.jobs import run_queued
from duijie.core.migrate import upgrade
from duijie.core.models import AuditEntry
from duijie.directory.models import Account, Invitation, Person
from tests import factories
from tests.conftest import csrf_of, in_english, login
from tests.contest import factories as cf
from tests.directory.test_invitations import accept, link_path, received
from tests.fixtures import smtp
from tests.fixtures.smtp import SmtpServer

mail_to, smtp_server = smtp.mail_to, smtp.smtp_server  # the fixtures of a real SMTP server on loopback


def _organiser_of(db: Session, event: object) -> Account:
    return factories.account(db, role="organiser", event=event)  # type: ignore[arg-type]


def test_organiser_invites_a_judge_who_accepts_and_owns_the_judge_record(
    client: TestClient, db: Session, session_factory: sessionmaker[Session], mail_to: SmtpServer
) -> None:
    edition = cf.contest(db)
    org = factories.organisation(db, kind="investor", name_zh="评委资本", name_en="Judge Capital")
    boss = _organiser_of(db, edition)
    db.commit()
    login(client, boss.username, factories.PASSWORD)
    base = f"/contests/{edition.slug}/judges"
    sent = client.post(
        base,
        data={"csrf": csrf_of(client, base), "email": "grace@example.org", "name": "Grace", "organisation": org.slug,
              "expertise": "储能; solid-state batteries", "ties": "investment | 某某电池 | 2023-01-01 |",
              "locale": "en"},
        follow_redirects=False,
    )  # fmt: skip
    assert sent.status_code == 303, sent.text
    page = client.get(sent.headers["location"])
    assert "grace@example.org" in page.text and "储能; solid-state batteries" in page.text
    assert "某某电池" in page.text and "已邀请" in page.text
    judge = db.scalars(select(Judge).where(Judge.event_id == edition.id)).one()
    assert judge.organisation_id == org.id and judge.ties[0]["organisation"] == "某某电池"
    assert db.scalar(select(AuditEntry).where(AuditEntry.entity_type == "judge", AuditEntry.action == "invite"))

    run_queued(session_factory)
    [mail] = received(mail_to, "grace@example.org")
    path = link_path(mail.text)
    client.cookies.clear()
    done = accept(client, path, "grace.judge")
    assert done.status_code == 303
    db.expire_all()
    account = db.scalars(select(Account).where(Account.username == "grace.judge")).one()
    assert account.person_id == judge.person_id  # the judge record belongs to the new account
    assert db.get(Person, judge.person_id).name_zh == "新同事"  # type: ignore[union-attr]
    assert client.get(f"/contests/{edition.slug}/review").status_code == 200
    login(client, boss.username, factories.PASSWORD)
    assert "Account active" in client.get(base).text  # the accepted invitation chose English


def test_bad_fields_come_back_beside_the_field_in_the_pages_language(client: TestClient, db: Session) -> None:
    edition = cf.contest(db)
    boss = _organiser_of(db, edition)
    db.commit()
    login(client, boss.username, factories.PASSWORD)
    base = f"/contests/{edition.slug}/judges"
    bad = client.post(
        base,
        data={"csrf": csrf_of(client, base), "email": "not-an-address", "name": "某人", "expertise": "人工智能",
              "ties": "", "organisation": "", "locale": ""},
    )  # fmt: skip
    assert bad.status_code == 422
    assert "请输入" in bad.text or "电子邮件" in bad.text
    assert 'value="not-an-address"' in bad.text and "人工智能" in bad.text  # the form comes back filled
    with in_english(client):
        ties = client.post(
            base,
            data={"csrf": csrf_of(client, base), "email": "ok@example.org", "name": "", "expertise": "",
                  "ties": "friendship | X | 2020-01-01 |", "organisation": "", "locale": ""},
        )  # fmt: skip
    assert ties.status_code == 422 and "Tie 1: the kind must be employment or investment." in ties.text
    assert db.scalar(select(Judge.id).where(Judge.event_id == edition.id)) is None
    assert db.scalar(select(Invitation.id).where(Invitation.event_id == edition.id)) is None


def test_organiser_edits_declares_a_conflict_and_cannot_remove_a_judge_who_scored(
    client: TestClient, db: Session
) -> None:
    edition = cf.contest(db)
    field = cf.contest_field(db, event=edition)
    rnd = cf.contest_round(db, event=edition, field=field)
    entry = cf.entry(db, event=edition, field=field)
    other = cf.entry(db, event=edition, field=field)
    judge, _login = cf.judge(db, event=edition)
    idle, _idle_login = cf.judge(db, event=edition)
    review = cf.review(db, rnd=rnd, judge=judge, entry=other)
    cf.score(db, row=review, marks={"tech": 8.0, "team": 7.0})
    boss = _organiser_of(db, edition)
    db.commit()
    login(client, boss.username, factories.PASSWORD)
    base = f"/contests/{edition.slug}/judges"
    saved = client.post(
        f"{base}/{judge.id}",
        data={"csrf": csrf_of(client, base), "expertise": "量子计算", "organisation": "",
              "ties": "employment | 量子所 | 2021-01-01 | 2024-06-30", "active": "1"},
        follow_redirects=False,
    )  # fmt: skip
    assert saved.status_code == 303
    db.expire_all()
    assert judge.expertise == "量子计算" and judge.ties[0]["end"] == "2024-06-30"

    bad = client.post(
        f"{base}/{judge.id}/conflicts", data={"csrf": csrf_of(client, base), "entry": "NOPE-1", "reason": "同事"}
    )
    assert bad.status_code == 422 and "NOPE-1" in bad.text and 'value="同事"' in bad.text
    ok = client.post(
        f"{base}/{judge.id}/conflicts",
        data={"csrf": csrf_of(client, base), "entry": entry.code, "reason": "曾任顾问"},
        follow_redirects=False,
    )
    assert ok.status_code == 303
    assert db.scalars(select(Conflict).where(Conflict.judge_id == judge.id)).one().source == "declared"
    assert "曾任顾问" in client.get(base).text

    refused = client.post(f"{base}/{judge.id}/remove", data={"csrf": csrf_of(client, base)})
    assert refused.status_code == 422 and "1" in refused.text and "不能删除" in refused.text
    assert db.get(Judge, judge.id) is not None
    idle_id = idle.id
    gone = client.post(f"{base}/{idle_id}/remove", data={"csrf": csrf_of(client, base)}, follow_redirects=False)
    assert gone.status_code == 303
    db.expire_all()
    assert db.get(Judge, idle_id) is None


def test_a_judge_or_another_editions_organiser_cannot_open_the_page(client: TestClient, db: Session) -> None:
    edition = cf.contest(db)
    other = cf.contest(db)
    _judge, judge_login = cf.judge(db, event=edition)
    stranger = _organiser_of(db, other)
    db.commit()
    base = f"/contests/{edition.slug}/judges"
    assert client.get(base, follow_redirects=False).status_code == 303
    login(client, judge_login.username, factories.PASSWORD)
    assert client.get(base).status_code == 403
    login(client, stranger.username, factories.PASSWORD)
    assert client.get(base).status_code == 403
    assert client.get(f"/api/v1/contests/{edition.slug}/judges").status_code == 403


def test_api_lists_invites_changes_and_removes_judges(client: TestClient, db: Session) -> None:
    edition = cf.contest(db)
    boss = _organiser_of(db, edition)
    db.commit()
    login(client, boss.username, factories.PASSWORD)
    api = f"/api/v1/contests/{edition.slug}/judges"
    made = client.post(api, json={"email": "lin@example.org", "name": "林", "expertise": "生物医药",
                                  "ties": [{"kind": "employment", "organisation": "某医院", "start": "2020-01-01"}]})  # fmt: skip
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["state"] == "pending" and body["ties"][0]["organisation"] == "某医院"
    twice = client.post(api, json={"email": "lin@example.org"})
    assert twice.status_code == 422 and twice.json()["error"]["details"][0]["field"] == "email"
    bad = client.patch(f"{api}/{body['id']}", json={"ties": [{"kind": "employment", "organisation": "A",
                                                               "start": "2024-01-01", "end": "2020-01-01"}]})  # fmt: skip
    assert bad.status_code == 422 and bad.json()["error"]["details"][0]["field"] == "ties"
    changed = client.patch(f"{api}/{body['id']}", json={"expertise": "医疗器械", "active": False})
    assert changed.status_code == 200 and changed.json()["expertise"] == "医疗器械" and not changed.json()["active"]
    assert [j["email"] for j in client.get(api).json()] == ["lin@example.org"]
    assert client.delete(f"{api}/{body['id']}").status_code == 204
    assert client.get(api).json() == []
    assert db.scalar(select(Invitation.state).where(Invitation.email == "lin@example.org")) == "revoked"


def test_cli_adds_and_lists_judges(tmp_path: Path) -> None:
    path = tmp_path / "judges.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with make_sessionmaker(engine)() as own:
        edition = cf.contest(own)
        slug = edition.slug
        own.commit()
    engine.dispose()
    runner = CliRunner()
    added = runner.invoke(
        contest_cli,
        ["judges", "add", "--db", str(path), "--event", slug, "--email", "cli@example.org", "--expertise", "芯片",
         "--tie", "employment | 某芯片公司 | 2022-01-01 |"],
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    listed = runner.invoke(contest_cli, ["judges", "list", "--db", str(path), "--event", slug])
    assert listed.exit_code == 0 and "cli@example.org" in listed.output and "芯片" in listed.output
    bad = runner.invoke(contest_cli, ["judges", "add", "--db", str(path), "--event", slug, "--email", "nope"])
    assert bad.exit_code == 2 and "name@example.com" in bad.output


def test_a_judge_edits_their_expertise_and_declares_a_conflict_on_their_review_page(
    client: TestClient, db: Session
) -> None:
    edition = cf.contest(db)
    field = cf.contest_field(db, event=edition)
    entry = cf.entry(db, event=edition, field=field)
    judge, judge_login = cf.judge(db, event=edition, expertise="旧领域")
    _other, other_login = cf.judge(db, event=edition)
    db.commit()
    login(client, judge_login.username, factories.PASSWORD)
    review = f"/contests/{edition.slug}/review"
    assert "旧领域" in client.get(review).text
    saved = client.post(f"{review}/profile", data={"csrf": csrf_of(client, review), "expertise": "新材料；储能"},
                        follow_redirects=False)  # fmt: skip
    assert saved.status_code == 303
    long = client.post(f"{review}/profile", data={"csrf": csrf_of(client, review), "expertise": "长" * 2001})
    assert long.status_code == 422 and "专业领域请控制在 2000 个字符以内" in long.text
    missing = client.post(f"{review}/conflicts", data={"csrf": csrf_of(client, review), "entry": "X-9", "reason": "亲属"})
    assert missing.status_code == 422 and "本届大赛没有编号为 X-9 的参赛项目" in missing.text and 'value="亲属"' in missing.text
    declared = client.post(
        f"{review}/conflicts", data={"csrf": csrf_of(client, review), "entry": entry.code, "reason": "曾任顾问"},
        follow_redirects=False,
    )  # fmt: skip
    assert declared.status_code == 303
    assert "曾任顾问" in client.get(review).text
    db.expire_all()
    assert db.get(Judge, judge.id).expertise == "新材料；储能"  # type: ignore[union-attr]
    assert [c.judge_id for c in db.scalars(select(Conflict).where(Conflict.entry_id == entry.id))] == [judge.id]
    # a judge changes nothing of another judge, nor anything but their own expertise
    login(client, other_login.username, factories.PASSWORD)
    api = f"/api/v1/contests/{edition.slug}/judges/{judge.id}"
    assert client.patch(api, json={"expertise": "x"}).status_code == 403
