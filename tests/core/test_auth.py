from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from duijie.directory.models import Account
from tests.conftest import csrf_of, login


def test_passwords_are_stored_as_argon2_hashes(db: Session) -> None:
    account = db.scalar(select(Account).where(Account.username == "organiser"))
    assert account is not None
    assert account.password_hash.startswith("$argon2id$") and "organiser-demo" not in account.password_hash


def test_login_with_a_wrong_password_is_refused(client: TestClient) -> None:
    token = csrf_of(client, "/login")
    response = client.post("/login", data={"username": "organiser", "password": "nope", "csrf": token})
    assert response.status_code == 401 and "用户名或密码错误" in response.text


def test_login_without_the_form_token_is_refused(client: TestClient) -> None:
    response = client.post(
        "/login", data={"username": "organiser", "password": "organiser-demo", "csrf": "forged"}
    )
    assert response.status_code == 422


def test_session_cookie_is_http_only_and_same_site(client: TestClient) -> None:
    token = csrf_of(client, "/login")
    response = client.post(
        "/login",
        data={"username": "organiser", "password": "organiser-demo", "csrf": token},
        follow_redirects=False,
    )
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie


def test_logout_ends_the_session(client: TestClient) -> None:
    login(client, "organiser", "organiser-demo")
    assert "王敏（示例）" in client.get("/").text
    token = csrf_of(client, "/")
    client.post("/logout", data={"csrf": token})
    assert "王敏（示例）" not in client.get("/").text
