"""Sessions end on the server: logout, expiry, "sign out everywhere" and password changes; sign-in is throttled,
rotates the session and takes as long for an unknown name as for a wrong password; the signing key is never the
published one."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from duijie.app import create_app
from duijie.config import Settings
from duijie.core.db import make_engine
from duijie.core.errors import DomainError
from duijie.core.migrate import upgrade
from duijie.core.site_secret import InsecureSecret
from duijie.directory import accounts
from duijie.directory.models import Account, AuthSession
from tests import factories
from tests.conftest import csrf_of


def _sign_in(client: TestClient, username: str, password: str = factories.PASSWORD) -> int:
    token = csrf_of(client, "/login")
    response = client.post(
        "/login",
        data={"username": username, "password": password, "csrf": token, "next": "/"},
        follow_redirects=False,
    )
    return response.status_code


def _signed_in(client: TestClient) -> bool:
    return "/logout" in client.get("/").text


def _copy(app: FastAPI, client: TestClient) -> TestClient:
    other = TestClient(app)
    other.cookies.set("duijie_session", client.cookies["duijie_session"])
    return other


@pytest.fixture
def user(db: Session) -> Account:
    return factories.account(db, role="investor")


def test_a_cookie_copied_before_logout_no_longer_signs_in(app: FastAPI, client: TestClient, user: Account) -> None:
    assert _sign_in(client, user.username) == 303 and _signed_in(client)
    copy = _copy(app, client)
    assert _signed_in(copy)
    client.post("/logout", data={"csrf": csrf_of(client, "/")})
    assert not _signed_in(client) and not _signed_in(copy)


def test_signing_in_rotates_the_session(app: FastAPI, client: TestClient, user: Account) -> None:
    client.get("/login")
    before = client.cookies["duijie_session"]
    assert _sign_in(client, user.username) == 303
    assert client.cookies["duijie_session"] != before
    stale = TestClient(app)
    stale.cookies.set("duijie_session", before)
    assert not _signed_in(stale)


@pytest.mark.parametrize("field", ["last_seen_at", "expires_at"])
def test_idle_and_old_sessions_end(client: TestClient, db: Session, user: Account, field: str) -> None:
    assert _sign_in(client, user.username) == 303 and _signed_in(client)
    past = {
        "last_seen_at": accounts.SESSION_IDLE + dt.timedelta(minutes=1),
        "expires_at": dt.timedelta(minutes=1),
    }[field]
    db.execute(
        update(AuthSession)
        .where(AuthSession.account_id == user.id)
        .values({field: dt.datetime.now(dt.UTC) - past})
    )
    db.commit()
    assert not _signed_in(client)


def test_sign_out_everywhere_and_a_password_change_end_the_other_sessions(
    app: FastAPI, client: TestClient, db: Session, user: Account
) -> None:
    other = TestClient(app)
    assert _sign_in(client, user.username) == 303 and _sign_in(other, user.username) == 303
    assert len(accounts.open_sessions(db, account_id=user.id)) == 2
    keep = db.scalars(select(AuthSession).where(AuthSession.account_id == user.id)).first()
    assert keep is not None
    accounts.set_password(db, account=db.get(Account, user.id), password="a-long-new-passphrase-42")  # type: ignore[arg-type]
    db.commit()
    assert not _signed_in(client) and not _signed_in(other)
    assert _sign_in(client, user.username) == 401
    assert _sign_in(client, user.username, "a-long-new-passphrase-42") == 303


def test_repeated_wrong_passwords_are_throttled_per_account(client: TestClient, user: Account) -> None:
    for _ in range(accounts.MAX_FAILURES_PER_ACCOUNT):
        assert _sign_in(client, user.username, "wrong-password") == 401
    token = csrf_of(client, "/login")
    refused = client.post(
        "/login", data={"username": user.username, "password": factories.PASSWORD, "csrf": token, "next": "/"}
    )
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0
    assert "15" in refused.text and not _signed_in(client)
    # The throttle is per account: another account from the same address still signs in.
    assert _sign_in(client, "nobody-else") == 401


def test_an_unknown_name_costs_as_much_as_a_wrong_password(client: TestClient, user: Account) -> None:
    def timed(username: str) -> float:
        started = time.perf_counter()
        assert _sign_in(client, username, "wrong-password") == 401
        return time.perf_counter() - started

    # Interleaved, and the fastest of each kind compared: the least disturbed by other work on the machine.
    known, unknown = [], []
    for i in range(4):
        known.append(timed(user.username))
        unknown.append(timed(f"ghost-{i}"))
    assert min(unknown) > 0.5 * min(known), (known, unknown)


@pytest.mark.parametrize(
    ("password", "problems"),
    [("short", 1), ("password1", 2), ("iloveyou-alice-2026", 1), ("woaini1314", 1), ("tall-green-ladder-77", 0)],
)
def test_password_rules_list_every_problem(password: str, problems: int) -> None:
    if problems == 0:
        accounts.check_password_rules(password, username="alice")
        return
    with pytest.raises(DomainError) as refused:
        accounts.check_password_rules(password, username="alice")
    assert len(refused.value.details) == problems and refused.value.field == "password"


def test_the_published_key_and_short_keys_are_refused_and_a_made_key_is_kept(tmp_path: object) -> None:
    url = f"sqlite:///{tmp_path}/secret.db"
    engine: Engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    for key in ("change-me-in-production-duijie-demo-key", "too-short"):
        with pytest.raises(InsecureSecret):
            create_app(Settings(database_url=url, secret_key=key))
    first, second = create_app(Settings(database_url=url)), create_app(Settings(database_url=url))
    # Both processes of the installation sign with the same made key: a cookie from one works on the other.
    user_engine = make_engine(url)
    with Session(user_engine) as db:
        name = factories.account(db, role="investor").username
        db.commit()
    user_engine.dispose()
    with TestClient(first) as one, TestClient(second) as two:
        assert _sign_in(one, name) == 303
        two.cookies.set("duijie_session", one.cookies["duijie_session"])
        assert _signed_in(two)
