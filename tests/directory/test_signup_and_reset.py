"""Sign-up with approval, and password reset by e-mail: the applicant waits, the organiser decides and the
applicant is mailed either way; a reset link arrives only for a known address (the page says the same for
any), works once within the hour, ends every other session, and asking is throttled."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from duijie.core.db import utcnow
from duijie.core.jobs import run_queued
from duijie.directory import resets
from duijie.directory.models import Account, PasswordReset, SignUp
from tests import factories
from tests.conftest import csrf_of, in_english, login
from tests.directory import factories as directory_factories
from tests.directory.test_invitations import link_path, received
from tests.fixtures.smtp import SmtpServer

NEW_PASSWORD = "Plum-blossom-harbour-3"


def _sign_up(client: TestClient, **values: str) -> object:
    form = {
        "role": "investor", "organisation": "Northwind Capital", "name_zh": "Grace Hopper",
        "email": "grace@example.org", "username": "grace", "password": NEW_PASSWORD, "again": NEW_PASSWORD,
        "locale": "en", **values,
    }  # fmt: skip
    return client.post("/signup", data={**form, "csrf": csrf_of(client, "/signup")})


def _log_in(client: TestClient, username: str, password: str) -> int:
    token = csrf_of(client, "/login")
    data = {"username": username, "password": password, "csrf": token, "next": "/"}
    return client.post("/login", data=data, follow_redirects=False).status_code


def test_a_sign_up_waits_for_approval_and_the_applicant_is_mailed(
    client: TestClient, db: Session, session_factory: sessionmaker[Session], mail_to: SmtpServer
) -> None:
    organiser = factories.account(db, role="organiser")
    db.commit()
    done = _sign_up(client)
    assert done.status_code == 200 and "grace@example.org" in done.text
    row = db.scalar(select(SignUp).join(Account, Account.id == SignUp.account_id).where(Account.username == "grace"))
    assert row is not None and row.state == "pending" and row.organisation.kind == "investor"
    assert _log_in(client, "grace", NEW_PASSWORD) == 401
    waiting = client.post("/login", data={"username": "grace", "password": NEW_PASSWORD, "next": "/",
                                          "csrf": csrf_of(client, "/login")})  # fmt: skip
    assert "您的注册申请正在等待主办方审核" in waiting.text
    wrong = client.post("/login", data={"username": "grace", "password": "not-the-password", "next": "/",
                                        "csrf": csrf_of(client, "/login")})  # fmt: skip
    assert "用户名或密码错误" in wrong.text and "审核" not in wrong.text

    login(client, organiser.username, factories.PASSWORD)
    assert "Northwind Capital" in client.get("/people").text
    approved = client.post(f"/people/sign-ups/{row.id}/approve", data={"csrf": csrf_of(client, "/people")},
                           follow_redirects=False)  # fmt: skip
    assert approved.status_code == 303
    run_queued(session_factory)
    [mail] = received(mail_to, "grace@example.org")
    assert mail.subject == "Your duijie sign-up was approved"
    client.cookies.clear()
    assert _log_in(client, "grace", NEW_PASSWORD) == 303


def test_a_declined_sign_up_needs_a_reason_which_the_applicant_reads(
    client: TestClient, db: Session, session_factory: sessionmaker[Session], mail_to: SmtpServer
) -> None:
    organiser = factories.account(db, role="organiser")
    row = directory_factories.sign_up(db, role="enterprise")
    assert row.account.person is not None
    row.account.person.email = "applicant@example.org"
    row.account.locale = "zh_CN"
    db.commit()
    login(client, organiser.username, factories.PASSWORD)
    blank = client.post(f"/people/sign-ups/{row.id}/decline", data={"csrf": csrf_of(client, "/people"), "reason": " "})
    assert blank.status_code == 422
    assert '<span class="field-error" role="alert">请填写不通过的原因，申请人会看到。</span>' in blank.text
    declined = client.post(f"/people/sign-ups/{row.id}/decline",
                           data={"csrf": csrf_of(client, "/people"), "reason": "营业执照信息不完整"},
                           follow_redirects=False)  # fmt: skip
    assert declined.status_code == 303
    run_queued(session_factory)
    [mail] = received(mail_to, "applicant@example.org")
    assert mail.subject == "您在对接平台的注册申请未通过" and "营业执照信息不完整" in mail.text
    db.refresh(row)
    assert row.state == "declined" and not row.account.is_active
    # Enabling it by hand is refused: the decision is the sign-up's.
    again = client.post(f"/people/accounts/{row.account_id}/enable", data={"csrf": csrf_of(client, "/people")})
    assert again.status_code == 422


def test_only_the_city_wide_organiser_decides_sign_ups(client: TestClient, db: Session) -> None:
    event = factories.event(db)
    event_organiser = factories.account(db, role="organiser", event=event)
    row = directory_factories.sign_up(db)
    db.commit()
    login(client, event_organiser.username, factories.PASSWORD)
    refused = client.post(f"/api/v1/sign-ups/{row.id}/approve")
    assert refused.status_code == 403
    db.refresh(row)
    assert row.state == "pending"


def test_password_reset_by_mail_ends_every_other_session(
    client: TestClient, app: object, db: Session, session_factory: sessionmaker[Session], mail_to: SmtpServer
) -> None:
    account = factories.account(db, locale="en")
    assert account.person is not None
    account.person.email = "Reset.Me@example.org"
    db.commit()
    with TestClient(app) as elsewhere:  # type: ignore[arg-type]
        login(elsewhere, account.username, factories.PASSWORD)
        assert elsewhere.get("/account", follow_redirects=False).status_code == 200

        with in_english(client):
            known = client.post("/password/forgot", data={"csrf": csrf_of(client, "/password/forgot"), "email": "reset.me@example.org"})
            unknown = client.post("/password/forgot", data={"csrf": csrf_of(client, "/password/forgot"), "email": "nobody@example.org"})
        assert known.status_code == unknown.status_code == 200
        assert known.text.replace("reset.me@example.org", "X") == unknown.text.replace("nobody@example.org", "X")
        run_queued(session_factory)
        [mail] = received(mail_to, "reset.me@example.org")
        assert not mail_to.to("nobody@example.org") and mail.subject == "Set a new password for duijie"
        assert account.username in mail.text
        path = link_path(mail.text, "password")

        weak = client.post(path, data={"csrf": csrf_of(client, path), "password": "short", "again": "short"})
        assert weak.status_code == 422 and 'id="password-error"' in weak.text
        done = client.post(path, data={"csrf": csrf_of(client, path), "password": NEW_PASSWORD, "again": NEW_PASSWORD},
                           follow_redirects=False)  # fmt: skip
        assert done.status_code == 303 and done.headers["location"] == "/account?reset=1"
        # The other browser is signed out; the new password signs in, the old one no longer does.
        assert elsewhere.get("/account", follow_redirects=False).headers["location"].startswith("/login")
    client.cookies.clear()
    assert _log_in(client, account.username, factories.PASSWORD) == 401
    assert _log_in(client, account.username, NEW_PASSWORD) == 303
    # The link worked once.
    used = client.get(path)
    assert used.status_code == 410 and "该重置链接已被使用" in used.text


def test_an_expired_reset_link_is_refused(client: TestClient, db: Session) -> None:
    account = factories.account(db)
    token = directory_factories.reset_link(db, account, expires_in=dt.timedelta(minutes=-1))
    db.commit()
    with in_english(client):
        page = client.get(f"/password/reset/{token}")
    assert page.status_code == 410 and "This reset link has expired" in page.text
    api = client.post("/api/v1/password-reset/confirm", json={"token": token, "password": NEW_PASSWORD})
    assert api.status_code == 422 and api.json()["error"]["details"][0]["field"] == "token"


def test_asking_for_reset_links_is_throttled_per_address_known_or_not(
    client: TestClient, db: Session, session_factory: sessionmaker[Session], mail_to: SmtpServer
) -> None:
    account = factories.account(db)
    assert account.person is not None and account.person.email
    address = account.person.email
    db.commit()
    for email in (address, "ghost@example.org"):
        answers = [client.post("/api/v1/password-reset", json={"email": email}).status_code
                   for _ in range(resets.MAX_PER_EMAIL + 1)]  # fmt: skip
        assert answers == [202] * resets.MAX_PER_EMAIL + [429]
    run_queued(session_factory)
    assert len(received(mail_to, address, resets.MAX_PER_EMAIL)) == resets.MAX_PER_EMAIL
    assert not mail_to.to("ghost@example.org")
    page = client.post("/password/forgot", data={"csrf": csrf_of(client, "/password/forgot"), "email": address})
    assert page.status_code == 429 and "重置密码的请求过多" in page.text and page.headers["Retry-After"] == "3600"
    # An hour later the address may ask again.
    db.execute(update(PasswordReset).values(created_at=utcnow() - dt.timedelta(hours=2)))
    db.commit()
    assert client.post("/api/v1/password-reset", json={"email": address}).status_code == 202
