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


def test_login_returns_to_the_page_it_came_from(client: TestClient) -> None:
    token = csrf_of(client, "/login")
    response = client.post(
        "/login",
        data={"username": "organiser", "password": "organiser-demo", "csrf": token, "next": "/deals?stage=signed"},
        follow_redirects=False,
    )
    assert (response.status_code, response.headers["location"]) == (303, "/deals?stage=signed")


def test_login_never_redirects_off_site(client: TestClient) -> None:
    for target in ("//evil.example/", "/\\evil.example", "https://evil.example/"):
        token = csrf_of(client, "/login")
        response = client.post(
            "/login",
            data={"username": "organiser", "password": "organiser-demo", "csrf": token, "next": target},
            follow_redirects=False,
        )
        assert (response.status_code, response.headers["location"]) == (303, "/"), target


def test_login_form_keeps_only_a_safe_next(client: TestClient) -> None:
    assert 'name="next" value="/projects"' in client.get("/login", params={"next": "/projects"}).text
    assert 'name="next" value="/"' in client.get("/login", params={"next": "//evil.example/"}).text


def test_a_wrong_password_keeps_the_username_and_the_next(client: TestClient) -> None:
    token = csrf_of(client, "/login")
    response = client.post(
        "/login",
        data={"username": "organiser", "password": "nope", "csrf": token, "next": "/deals"},
    )
    assert response.status_code == 401
    assert 'name="username" value="organiser"' in response.text and 'name="next" value="/deals"' in response.text


def test_logout_without_the_form_token_is_refused(client: TestClient) -> None:
    login(client, "organiser", "organiser-demo")
    assert client.post("/logout", data={"csrf": "forged"}).status_code == 422
    assert "王敏（示例）" in client.get("/").text
