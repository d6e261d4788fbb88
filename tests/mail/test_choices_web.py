"""Each person chooses the e-mails they receive: on /account (its own section) and /account/notifications, and
through GET/PUT /api/v1/account/notifications; only their own choices, only when signed in; an unknown topic is
refused naming it, in the page's language."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from duijie.core import mail
from tests import factories
from tests.conftest import csrf_of, in_english, login

TOPICS = ["meeting_requests", "meeting_answers", "meeting_schedule", "programme_changes", "deal_tasks"]


def _ticked(html: str) -> list[str]:
    return re.findall(r'name="topic" value="([a-z_]+)" checked', html)


def test_account_page_section_turns_a_topic_off(client: TestClient, db: Session) -> None:
    account = factories.account(db)
    other = factories.account(db)
    login(client, account.username, factories.PASSWORD)
    page = client.get("/account")
    assert page.status_code == 200
    assert 'id="notifications"' in page.text and "邮件通知" in page.text and "洽谈邀约" in page.text
    assert _ticked(page.text) == TOPICS
    saved = client.post(
        "/account/notifications",
        data={"csrf": csrf_of(client, "/account"), "topic": ["meeting_answers", "meeting_schedule"], "next": "/account"},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    assert saved.headers["location"] == "/account?notifications=saved#notifications"
    assert mail.choices(db, account_id=account.id) == {
        "meeting_requests": False, "meeting_answers": True, "meeting_schedule": True, "programme_changes": False,
        "deal_tasks": False,
    }
    # Nobody else's choices moved.
    assert all(mail.choices(db, account_id=other.id).values())
    again = client.get("/account?notifications=saved")
    assert _ticked(again.text) == ["meeting_answers", "meeting_schedule"]
    assert "已保存您的邮件通知选择。" in again.text


def test_notifications_page_in_english_and_off_site_next_refused(client: TestClient, db: Session) -> None:
    account = factories.account(db)
    login(client, account.username, factories.PASSWORD)
    with in_english(client):
        page = client.get("/account/notifications")
        assert page.status_code == 200
        assert "E-mail notifications" in page.text and "Deal tasks due" in page.text
        assert "Messages go to tester" in page.text
    saved = client.post(
        "/account/notifications",
        data={"csrf": csrf_of(client, "/account/notifications"), "next": "https://evil.example/"},
        follow_redirects=False,
    )
    assert saved.headers["location"] == "/account/notifications?notifications=saved#notifications"
    assert not any(mail.choices(db, account_id=account.id).values())


def test_api_reads_and_changes_own_choices(client: TestClient, db: Session) -> None:
    account = factories.account(db)
    login(client, account.username, factories.PASSWORD)
    read = client.get("/api/v1/account/notifications")
    assert read.status_code == 200
    body = read.json()
    assert [t["topic"] for t in body["topics"]] == TOPICS and all(t["enabled"] for t in body["topics"])
    assert body["email"].endswith("@example.org")
    changed = client.put("/api/v1/account/notifications", json={"topics": {"deal_tasks": False}})
    assert changed.status_code == 200
    assert {t["topic"]: t["enabled"] for t in changed.json()["topics"]} == {
        "meeting_requests": True, "meeting_answers": True, "meeting_schedule": True, "programme_changes": True,
        "deal_tasks": False,
    }
    with in_english(client):
        refused = client.put("/api/v1/account/notifications", json={"topics": {"newsletter": True}})
    assert refused.status_code == 422
    error = refused.json()["error"]
    assert error["message"] == "No such kind of notification: newsletter"
    assert error["details"][0]["field"] == "newsletter"
    assert mail.choices(db, account_id=account.id)["deal_tasks"] is False


def test_anonymous_is_asked_to_log_in(client: TestClient) -> None:
    assert client.get("/api/v1/account/notifications").status_code == 401
    assert client.put("/api/v1/account/notifications", json={"topics": {}}).status_code == 401
    page = client.get("/account/notifications", follow_redirects=False)
    assert page.status_code in (302, 303) and page.headers["location"].startswith("/login")
