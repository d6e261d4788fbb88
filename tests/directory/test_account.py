"""A user's own account page: where they are signed in, a new password, sign out everywhere."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests import factories
from tests.conftest import csrf_of, in_english


def _sign_in(client: TestClient, username: str, password: str = factories.PASSWORD) -> int:
    data = {"username": username, "password": password, "csrf": csrf_of(client, "/login"), "next": "/"}
    return client.post("/login", data=data, follow_redirects=False).status_code


def test_the_account_page_needs_a_signed_in_user(client: TestClient) -> None:
    response = client.get("/account", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login?next=/account")


def test_a_password_change_checks_the_rules_and_ends_the_other_sessions(
    app: FastAPI, client: TestClient, db: Session
) -> None:
    user = factories.account(db, role="enterprise")
    other = TestClient(app)
    assert _sign_in(client, user.username) == 303 and _sign_in(other, user.username) == 303
    page = client.get("/account")
    assert page.text.count("<tr") == 3  # the header and two sessions, this one marked
    with in_english(client):
        weak = client.post(
            "/account/password",
            data={"csrf": csrf_of(client, "/account"), "current": factories.PASSWORD, "password": "password1",
                  "again": "password1"},
        )
        assert weak.status_code == 422
        assert "at least 10 characters" in weak.text and "most commonly used" in weak.text
        done = client.post(
            "/account/password",
            data={"csrf": csrf_of(client, "/account"), "current": factories.PASSWORD,
                  "password": "river-stone-lantern-8", "again": "river-stone-lantern-8"},
        )
        assert done.status_code == 200 and "other sessions ended" in done.text
    assert "/logout" in client.get("/").text and "/logout" not in other.get("/").text
    assert _sign_in(other, user.username, "river-stone-lantern-8") == 303


def test_sign_out_everywhere_ends_this_session_too(app: FastAPI, client: TestClient, db: Session) -> None:
    user = factories.account(db, role="investor")
    other = TestClient(app)
    assert _sign_in(client, user.username) == 303 and _sign_in(other, user.username) == 303
    client.post("/account/sessions/end", data={"csrf": csrf_of(client, "/account")})
    assert "/logout" not in client.get("/").text and "/logout" not in other.get("/").text
