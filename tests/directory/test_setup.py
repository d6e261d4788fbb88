"""The first run: an empty database offers the setup page (and `duijie init`), which makes one city-wide
organiser and never a second, even when two first visitors post at the same moment."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import sessionmaker

from duijie.app import create_app
from duijie.cli import main
from duijie.config import Settings
from duijie.core.db import make_engine
from duijie.core.migrate import upgrade
from duijie.directory.models import Account
from tests.conftest import csrf_of

PASSWORD = "Copper-kettle-mornings-7"
PG = os.environ.get("DUIJIE_TEST_POSTGRES_URL")
SCHEMA = "directory_setup"


def _pg_url() -> str:
    assert PG
    admin = create_engine(PG)
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{SCHEMA}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{SCHEMA}"'))
    admin.dispose()
    return make_url(PG).update_query_dict({"options": f"-csearch_path={SCHEMA}"}).render_as_string(hide_password=False)


@pytest.fixture(params=["sqlite"] + (["postgresql"] if PG else []))
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated database with no account and no event (a new installation), on each backend."""
    url = f"sqlite:///{tmp_path / 'new.db'}" if request.param == "sqlite" else _pg_url()
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    yield url
    if request.param == "postgresql":
        admin = create_engine(PG or "")
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{SCHEMA}" CASCADE'))
        admin.dispose()


def _accounts(url: str) -> list[tuple[str, list[str]]]:
    engine = make_engine(url)
    try:
        with sessionmaker(bind=engine)() as db:
            return [(a.username, [r.role for r in a.roles]) for a in db.scalars(select(Account).order_by(Account.id))]
    finally:
        engine.dispose()


def _setup_form(client: TestClient, username: str, **values: str) -> dict[str, str]:
    return {
        "csrf": csrf_of(client, "/login"), "username": username, "email": f"{username}@example.org",
        "name_zh": "首位主办方", "name_en": "First organiser", "password": PASSWORD, "again": PASSWORD,
        "locale": "zh_CN", **values,
    }  # fmt: skip


def test_the_first_visit_creates_the_organiser_and_the_page_then_closes(empty_url: str) -> None:
    with TestClient(create_app(Settings(database_url=empty_url))) as client:
        home = client.get("/")
        assert 'href="/setup"' in home.text and "创建账户" in home.text
        assert client.get("/setup").status_code == 200
        # A refused form comes back filled in, the message beside the field, in the page's language.
        short = client.post("/setup", data=_setup_form(client, "chief", password="short", again="short"))
        assert short.status_code == 422
        assert 'id="password-error" role="alert">密码至少需要 10 个字符。<' in short.text
        assert 'value="chief"' in short.text and 'value="chief@example.org"' in short.text
        client.cookies.set("lang", "en")
        english = client.post("/setup", data=_setup_form(client, "chief", password="short", again="short"))
        assert 'id="password-error" role="alert">The password needs at least 10 characters.<' in english.text
        client.cookies.delete("lang")

        made = client.post("/setup", data=_setup_form(client, "chief"), follow_redirects=False)
        assert made.status_code == 303
        home = client.get("/")
        assert 'href="/organise/events/new"' in home.text and 'href="/setup"' not in home.text
        assert client.get("/api/v1/users/me").json()["roles"][0] == {
            "role": "organiser", "organisation_id": None, "event_id": None, "district": None,
        }  # fmt: skip
        assert client.get("/setup", follow_redirects=False).headers["location"] == "/"
        client.cookies.clear()
        late = client.post("/setup", data=_setup_form(client, "second"))
        assert late.status_code == 409 and "首个账户已经创建" in late.text
    assert _accounts(empty_url) == [("chief", ["organiser"])]


def test_two_first_visitors_at_once_make_one_organiser(empty_url: str) -> None:
    app = create_app(Settings(database_url=empty_url))
    with TestClient(app) as one, TestClient(app) as two:
        forms = [_setup_form(one, "first-a"), _setup_form(two, "first-b")]
        barrier = threading.Barrier(2)
        statuses: dict[str, int] = {}

        def post(client: TestClient, form: dict[str, str]) -> None:
            barrier.wait()
            statuses[form["username"]] = client.post("/setup", data=form, follow_redirects=False).status_code

        threads = [threading.Thread(target=post, args=pair) for pair in zip((one, two), forms, strict=True)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    assert sorted(statuses.values()) == [303, 409]
    winner = next(name for name, status in statuses.items() if status == 303)
    assert _accounts(empty_url) == [(winner, ["organiser"])]


def test_duijie_init_is_scriptable_and_refuses_a_second_organiser(tmp_path: Path) -> None:
    path = tmp_path / "init.db"
    env = {"DUIJIE_ADMIN_USERNAME": "boss", "DUIJIE_ADMIN_EMAIL": "boss@example.org", "DUIJIE_ADMIN_PASSWORD": PASSWORD}
    runner = CliRunner()
    first = runner.invoke(main, ["init", "--db", str(path)], env=env)
    assert first.exit_code == 0, first.output
    assert "organiser boss is ready" in first.output
    # Again with the same organiser: nothing changes, nothing is asked.
    assert runner.invoke(main, ["init", "--db", str(path)], env=env).exit_code == 0
    other = runner.invoke(main, ["init", "--db", str(path)], env={**env, "DUIJIE_ADMIN_USERNAME": "other"})
    assert other.exit_code == 2
    weak = runner.invoke(main, ["init", "--db", str(tmp_path / "weak.db")], env={**env, "DUIJIE_ADMIN_PASSWORD": "boss12345678"})
    assert weak.exit_code == 2 and "密码不能包含用户名" in weak.output
    missing = runner.invoke(main, ["init", "--db", str(tmp_path / "m.db")], env={**env, "DUIJIE_ADMIN_PASSWORD": ""})
    assert missing.exit_code == 2 and "Password is missing" in missing.output
    assert _accounts(f"sqlite:///{path}") == [("boss", ["organiser"])]
