"""The People page and the users command: a disabled account cannot sign in and its sessions end at once;
an organiser manages only their own people; a user edits their own profile; `duijie users` is scriptable."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from duijie.cli import main
from duijie.core.models import AuditEntry
from duijie.directory.models import Account
from tests import factories
from tests.conftest import csrf_of, in_english, login


def test_a_disabled_account_cannot_sign_in_and_its_sessions_end(client: TestClient, app: object, db: Session) -> None:
    organiser = factories.account(db, role="organiser")
    target = factories.account(db, role="judge")
    db.commit()
    with TestClient(app) as theirs:  # type: ignore[arg-type]
        login(theirs, target.username, factories.PASSWORD)
        assert theirs.get("/account", follow_redirects=False).status_code == 200
        login(client, organiser.username, factories.PASSWORD)
        done = client.post(f"/people/accounts/{target.id}/disable", data={"csrf": csrf_of(client, "/people")},
                           follow_redirects=False)  # fmt: skip
        assert done.status_code == 303
        assert theirs.get("/account", follow_redirects=False).headers["location"].startswith("/login")
        theirs.cookies.clear()
        token = csrf_of(theirs, "/login")
        refused = theirs.post("/login", data={"username": target.username, "password": factories.PASSWORD,
                                              "csrf": token, "next": "/"}, follow_redirects=False)  # fmt: skip
        assert refused.status_code == 401
    entry = db.scalar(select(AuditEntry).where(AuditEntry.entity_type == "account", AuditEntry.entity_id == target.id))
    assert entry is not None and (entry.action, entry.after) == ("disable", {"is_active": False})
    enabled = client.post(f"/api/v1/users/{target.id}/enable")
    assert enabled.status_code == 200 and enabled.json()["is_active"] is True


def test_an_event_organiser_manages_only_the_people_of_their_event(client: TestClient, db: Session) -> None:
    event = factories.event(db)
    other = factories.event(db)
    mine = factories.account(db, role="judge", event=event)
    theirs = factories.account(db, role="judge", event=other)
    organiser = factories.account(db, role="organiser", event=event)
    db.commit()
    login(client, organiser.username, factories.PASSWORD)
    listed = {u["username"] for u in client.get("/api/v1/users").json()}
    assert mine.username in listed and theirs.username not in listed
    assert client.post(f"/api/v1/users/{theirs.id}/disable").status_code == 403
    assert client.post(f"/api/v1/users/{mine.id}/disable").status_code == 200
    assert client.post(f"/api/v1/users/{organiser.id}/disable").status_code == 403  # nobody disables themselves


def test_a_user_edits_their_own_profile(client: TestClient, db: Session) -> None:
    account = factories.account(db, role="investor", organisation=factories.organisation(db, kind="investor"))
    db.commit()
    login(client, account.username, factories.PASSWORD)
    form = {"csrf": csrf_of(client, "/account"), "name_zh": "林晓", "name_en": "Lin Xiao", "title": "合伙人",
            "phone": "010-12345678", "email": "bad", "locale": "en"}  # fmt: skip
    bad = client.post("/account/profile", data=form)
    assert bad.status_code == 422
    assert 'id="email-error" role="alert">请输入电子邮件地址，例如 name@example.com。<' in bad.text
    assert 'value="林晓"' in bad.text
    saved = client.post("/account/profile", data={**form, "email": "lin@example.org"})
    assert saved.status_code == 200
    db.refresh(account)
    assert account.person is not None
    assert (account.person.name_zh, account.person.name_en, account.person.title, account.person.email) == (
        "林晓", "Lin Xiao", "合伙人", "lin@example.org",
    )  # fmt: skip
    assert account.locale == "en"
    patched = client.patch("/api/v1/users/me", json={"phone": "13800000000"})
    assert patched.status_code == 200 and patched.json()["name_en"] == "Lin Xiao"
    with in_english(client):
        assert "Save the profile" in client.get("/account").text


def test_the_users_command_creates_lists_and_disables(tmp_path: Path) -> None:
    path = str(tmp_path / "cli.db")
    runner = CliRunner()
    env = {"DUIJIE_ADMIN_USERNAME": "boss", "DUIJIE_ADMIN_EMAIL": "boss@example.org",
           "DUIJIE_ADMIN_PASSWORD": "Granite-steps-2026", "DUIJIE_USER_PASSWORD": "Willow-lane-2026"}  # fmt: skip
    assert runner.invoke(main, ["init", "--db", path], env=env).exit_code == 0
    made = runner.invoke(main, ["users", "create", "--db", path, "--username", "hd", "--email", "hd@example.org",
                                "--role", "district", "--district", "海淀区"], env=env)  # fmt: skip
    assert made.exit_code == 0, made.output
    wrong = runner.invoke(main, ["users", "create", "--db", path, "--username", "x1", "--email", "x@example.org",
                                 "--role", "investor"], env=env)  # fmt: skip
    assert wrong.exit_code == 2 and "该角色代表一个单位" in wrong.output
    assert runner.invoke(main, ["users", "disable", "--db", path, "--username", "hd"]).exit_code == 0
    listed = json.loads(runner.invoke(main, ["users", "list", "--db", path, "--format", "json"]).output)
    assert [(r["username"], r["active"], r["roles"]) for r in listed] == [
        ("boss", True, "organiser"), ("hd", False, "district@海淀区"),
    ]  # fmt: skip
    only = runner.invoke(main, ["users", "list", "--db", path, "--role", "district", "--format", "csv"]).output
    assert only.splitlines()[0] == "id,username,name,email,active,roles" and len(only.splitlines()) == 2
    assert runner.invoke(main, ["users", "enable", "--db", path, "--username", "hd"]).exit_code == 0
    assert runner.invoke(main, ["users", "disable", "--db", path, "--username", "nobody"]).exit_code == 2


def test_the_accounts_api_creates_an_account_with_its_scope(client: TestClient, db: Session) -> None:
    organiser = factories.account(db, role="organiser")
    org = factories.organisation(db, kind="enterprise")
    db.commit()
    login(client, organiser.username, factories.PASSWORD)
    made = client.post("/api/v1/users", json={"username": "api.made", "email": "m@example.org", "password": "Maple-road-2026",
                                             "role": "enterprise", "organisation": org.slug})  # fmt: skip
    assert made.status_code == 201, made.text
    account = db.scalar(select(Account).where(Account.username == "api.made"))
    assert account is not None and [(r.role, r.organisation_id) for r in account.roles] == [("enterprise", org.id)]
    taken = client.post("/api/v1/users", json={"username": "API.made", "email": "m@example.org", "password": "Maple-road-2026",
                                              "role": "judge"})  # fmt: skip
    assert taken.status_code == 422 and taken.json()["error"]["details"][0]["field"] == "username"
