"""Invitations: the organiser invites by e-mail from the People page (and the API); the mail arrives at a real
SMTP server; its link accepts once, within seven days, and signs the new person in with the invited role. A
pending invitation can be sent again (the old link dies) or withdrawn; an enterprise invites its colleagues and
no one else."""

from __future__ import annotations

import datetime as dt
import re
import time

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from duijie.core.db import utcnow
from duijie.core.jobs import run_queued
from duijie.directory.models import Account, Invitation
from tests import factories
from tests.conftest import csrf_of, in_english, login
from tests.directory import factories as directory_factories
from tests.fixtures.smtp import Received, SmtpServer

NEW_PASSWORD = "Jade-river-lantern-9"


def received(server: SmtpServer, address: str, count: int = 1, timeout: float = 10.0) -> list[Received]:
    """The messages to `address` once `count` arrived (other mails the queue holds go elsewhere)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = server.to(address)
        if len(found) >= count:
            return found
        time.sleep(0.05)
    raise AssertionError(f"expected {count} messages to {address}, received {len(server.to(address))}")


def link_path(text: str, kind: str = "invite") -> str:
    found = re.search(r"https?://[^/\s]+(/" + kind + r"[^\s]*)", text)
    assert found, text
    return found.group(1)


def invite_on_page(client: TestClient, **form: str) -> object:
    data = {"locale": "en", "name": "", "organisation": "", "event": "", "district": "", **form}
    return client.post("/people/invitations", data={**data, "csrf": csrf_of(client, "/people")}, follow_redirects=False)


def accept(client: TestClient, path: str, username: str, *, password: str = NEW_PASSWORD) -> object:
    token = csrf_of(client, "/login")
    return client.post(
        path,
        data={"csrf": token, "username": username, "password": password, "again": password, "name_zh": "新同事",
              "name_en": "New colleague", "locale": "en"},
        follow_redirects=False,
    )  # fmt: skip


def test_organiser_invites_an_investor_who_accepts_through_the_mailed_link(
    client: TestClient, db: Session, session_factory: sessionmaker[Session], mail_to: SmtpServer
) -> None:
    org = factories.organisation(db, kind="investor", name_zh="邀请测试资本", name_en="Invite Test Capital")
    organiser = factories.account(db, role="organiser")
    db.commit()
    login(client, organiser.username, factories.PASSWORD)
    sent = invite_on_page(client, email="ada@example.org", role="investor", organisation=org.slug, name="Ada")
    assert sent.status_code == 303 and sent.headers["location"] == "/people?done=invited"
    run_queued(session_factory)
    [mail] = received(mail_to, "ada@example.org")
    assert mail.subject == "Invitation to duijie as Investor"
    assert "Hello Ada," in mail.text and "Organisation: Invite Test Capital" in mail.text
    path = link_path(mail.text)

    client.cookies.clear()
    page = client.get(path)
    assert page.status_code == 200 and "ada@example.org" in page.text
    done = accept(client, path, "ada.lovelace")
    assert done.status_code == 303 and done.headers["location"] == "/account?welcome=1"
    account = db.scalar(select(Account).where(Account.username == "ada.lovelace"))
    assert account is not None and account.is_active and account.locale == "en"
    assert [(r.role, r.organisation_id) for r in account.roles] == [("investor", org.id)]
    assert account.person is not None and account.person.email == "ada@example.org"
    assert account.person.organisation_id == org.id
    me = client.get("/api/v1/users/me").json()
    assert me["username"] == "ada.lovelace" and me["roles"][0]["role"] == "investor"

    # Single use: the same link again is refused, and no second account is made.
    client.cookies.clear()
    again = client.get(path)
    assert again.status_code == 422 and "already been used" not in again.text  # the page speaks Chinese
    assert "该邀请已被使用" in again.text or "已被使用" in again.text
    refused = accept(client, path, "ada.twice")
    assert refused.status_code == 422
    assert db.scalar(select(Account).where(Account.username == "ada.twice")) is None

    login(client, organiser.username, factories.PASSWORD)
    with in_english(client):
        people = client.get("/people").text
    assert "ada@example.org" in people and "Accepted" in people


def test_an_expired_link_is_refused_and_sending_again_gives_a_new_link(
    client: TestClient, db: Session, session_factory: sessionmaker[Session], mail_to: SmtpServer
) -> None:
    organiser = factories.account(db, role="organiser")
    invitation, old = directory_factories.invitation(
        db, role="judge", expires_in=dt.timedelta(days=-1), email="late@example.org"
    )
    db.commit()
    with in_english(client):
        expired = client.get(f"/invite/{old}")
    assert expired.status_code == 422 and "This invitation has expired" in expired.text
    assert "新同事" not in expired.text and 'action="/invite/' not in expired.text

    login(client, organiser.username, factories.PASSWORD)
    resent = client.post(f"/people/invitations/{invitation.id}/resend", data={"csrf": csrf_of(client, "/people")},
                         follow_redirects=False)  # fmt: skip
    assert resent.status_code == 303
    run_queued(session_factory)
    [mail] = received(mail_to, "late@example.org")
    new = link_path(mail.text)
    db.refresh(invitation)
    assert invitation.sent_count == 2 and invitation.expires_at > utcnow() + dt.timedelta(days=6)
    client.cookies.clear()
    assert client.get(f"/invite/{old}").status_code == 404  # the old link died with the new one
    assert accept(client, new, "judge.new").status_code == 303


def test_a_withdrawn_invitation_no_longer_opens(client: TestClient, db: Session) -> None:
    organiser = factories.account(db, role="organiser")
    invitation, token = directory_factories.invitation(db, role="judge")
    db.commit()
    login(client, organiser.username, factories.PASSWORD)
    revoked = client.post(f"/people/invitations/{invitation.id}/revoke", data={"csrf": csrf_of(client, "/people")},
                          follow_redirects=False)  # fmt: skip
    assert revoked.status_code == 303
    client.cookies.clear()
    page = client.get(f"/invite/{token}")
    assert page.status_code == 422 and "该邀请已撤回" in page.text


def test_the_invitation_form_comes_back_with_the_error_beside_the_field_in_both_languages(
    client: TestClient, db: Session
) -> None:
    organiser = factories.account(db, role="organiser")
    db.commit()
    login(client, organiser.username, factories.PASSWORD)
    zh = invite_on_page(client, email="not-an-address", role="judge")
    assert zh.status_code == 422
    assert 'id="email-error" role="alert">请输入电子邮件地址，例如 name@example.com。<' in zh.text
    assert 'value="not-an-address"' in zh.text
    with in_english(client):
        en = invite_on_page(client, email="not-an-address", role="judge")
    assert 'id="email-error" role="alert">Enter an e-mail address such as name@example.com.<' in en.text
    missing = invite_on_page(client, email="b@example.org", role="enterprise")
    assert 'id="organisation-error"' in missing.text and missing.status_code == 422


def test_an_enterprise_invites_its_colleagues_and_no_one_else(
    client: TestClient, db: Session, session_factory: sessionmaker[Session], mail_to: SmtpServer
) -> None:
    own = factories.organisation(db, kind="enterprise")
    other = factories.organisation(db, kind="enterprise")
    member = factories.account(db, role="enterprise", organisation=own)
    stranger = factories.account(db, role="enterprise", organisation=other)
    colleague = factories.account(db, role="enterprise", organisation=own)
    db.commit()
    login(client, member.username, factories.PASSWORD)
    people = client.get("/people").text
    assert colleague.username in people and stranger.username not in people
    assert invite_on_page(client, email="c@example.org", role="enterprise", organisation=own.slug).status_code == 303
    refused = invite_on_page(client, email="d@example.org", role="enterprise", organisation=other.slug)
    assert refused.status_code == 403
    assert invite_on_page(client, email="e@example.org", role="organiser").status_code == 403
    emails = set(db.scalars(select(Invitation.email).where(Invitation.email.in_(["c@example.org", "d@example.org", "e@example.org"]))))
    assert emails == {"c@example.org"}


def test_the_same_flow_through_the_api(
    client: TestClient, db: Session, session_factory: sessionmaker[Session], mail_to: SmtpServer
) -> None:
    event = factories.event(db)
    org_a = factories.account(db, role="organiser", event=event)
    db.commit()
    login(client, org_a.username, factories.PASSWORD)
    made = client.post("/api/v1/invitations", json={"email": "j@example.org", "role": "judge", "event": event.slug,
                                                    "locale": "zh_CN"})  # fmt: skip
    assert made.status_code == 201, made.text
    assert made.json()["state"] == "pending" and made.json()["event_id"] == event.id
    # An organiser of one event may not invite to the whole programme.
    wide = client.post("/api/v1/invitations", json={"email": "k@example.org", "role": "judge"})
    assert wide.status_code == 403
    listed = client.get("/api/v1/invitations").json()
    assert [i["email"] for i in listed] == ["j@example.org"]
    run_queued(session_factory)
    [mail] = received(mail_to, "j@example.org")
    assert mail.subject == "邀请您以评委身份加入对接平台"
    token = link_path(mail.text).rsplit("/", 1)[1]
    client.cookies.clear()
    accepted = client.post("/api/v1/invitations/accept", json={"token": token, "username": "judge.api",
                                                               "password": NEW_PASSWORD})  # fmt: skip
    assert accepted.status_code == 201, accepted.text
    assert accepted.json()["roles"] == [{"role": "judge", "organisation_id": None, "event_id": event.id, "district": None}]
    assert client.get("/api/v1/users/me").json()["username"] == "judge.api"
    twice = client.post("/api/v1/invitations/accept", json={"token": token, "username": "judge.api2",
                                                            "password": NEW_PASSWORD})  # fmt: skip
    assert twice.status_code == 422 and twice.json()["error"]["details"][0]["field"] == "token"


def test_someone_signed_in_accepts_into_their_own_account_and_keeps_one_login(
    client: TestClient, db: Session
) -> None:
    judge = factories.account(db, role="investor", organisation=factories.organisation(db, kind="investor"))
    invitation, token = directory_factories.invitation(db, role="judge")
    db.commit()
    accounts_before = db.scalar(select(func.count()).select_from(Account))
    page = client.get(f"/invite/{token}")
    assert f'href="/login?next=/invite/{token}"' in page.text and "/join" not in page.text
    login(client, judge.username, factories.PASSWORD)
    page = client.get(f"/invite/{token}")
    assert f'action="/invite/{token}/join"' in page.text and judge.username in page.text
    joined = client.post(f"/invite/{token}/join", data={"csrf": csrf_of(client, f"/invite/{token}")},
                         follow_redirects=False)  # fmt: skip
    assert joined.status_code == 303 and joined.headers["location"] == "/account?welcome=1"
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(Account)) == accounts_before
    held = db.get(Account, judge.id)
    assert held is not None and sorted(grant.role for grant in held.roles) == ["investor", "judge"]
    assert db.get(Invitation, invitation.id).state == "accepted"  # type: ignore[union-attr]
    again = client.post(f"/invite/{token}/join", data={"csrf": csrf_of(client, "/account")}, follow_redirects=False)
    assert again.status_code == 422 and "该邀请已被使用" in again.text


def test_joining_an_invitation_needs_a_signed_in_account(client: TestClient, db: Session) -> None:
    _, token = directory_factories.invitation(db, role="judge")
    db.commit()
    refused = client.post(f"/invite/{token}/join", data={"csrf": csrf_of(client, f"/invite/{token}")},
                          follow_redirects=False)  # fmt: skip
    assert refused.status_code == 303 and refused.headers["location"].startswith("/login")
