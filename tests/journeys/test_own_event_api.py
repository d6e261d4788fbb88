"""The acceptance journey of "run your own event", through HTTP only: from an empty database (no demo), the
first organiser sets up, creates a forum and its summit, imports the summit's projects, cuts two sessions into
slots and tables, invites an investor and an enterprise (the mails reach a real SMTP server on loopback), both
accept and take part, the investor asks for a meeting, the enterprise accepts, the scheduler runs as a queued
job, the organiser publishes, both calendar feeds show the meeting, the organiser moves it (the feeds keep its
UID and raise its SEQUENCE), records a signed deal, and the statistics and the event page count it.

Each step uses the JSON API (the first organiser's /setup aside, a page by design: it exists only until the
first account does); the test is the proof that an organiser's other systems need nothing but the API.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import os
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from duijie.app import create_app
from duijie.config import Settings
from duijie.core.db import make_engine
from duijie.core.jobs import run_queued
from duijie.core.migrate import upgrade
from tests.conftest import csrf_of
from tests.fixtures.smtp import Received, SmtpServer, mail_to, smtp_server

__all__ = ["mail_to", "smtp_server"]

PG = os.environ.get("DUIJIE_TEST_POSTGRES_URL")
PASSWORD = "Harbour-lantern-sesame-42"
FORUM, SUMMIT = "journey-forum-2027", "journey-summit-2027"
DAY = "2027-10-12"
SCHEMA = "journey_own_event"


def _schema(action: str) -> None:
    """Drop the journey's own PostgreSQL schema, and create it afresh when `action` is "create"."""
    admin = make_engine(PG or "")
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{SCHEMA}" CASCADE'))
        if action == "create":
            conn.execute(text(f'CREATE SCHEMA "{SCHEMA}"'))
    admin.dispose()


@pytest.fixture(params=["sqlite"] + (["postgresql"] if PG else []))
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated database with no account, no event and no demo: a new installation, on each backend. On
    PostgreSQL it lives in a schema of its own, so the suite's demo database in `public` is left alone."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'journey.db'}"
    else:
        _schema("create")
        url = make_url(PG or "").update_query_dict({"options": f"-csearch_path={SCHEMA}"}).render_as_string(
            hide_password=False
        )
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    yield url
    if request.param == "postgresql":
        _schema("drop")


@pytest.fixture
def site(empty_url: str, mail_to: SmtpServer) -> Iterator[TestClient]:
    """The app on the empty database, mail going to the loopback SMTP server; the organiser's client."""
    app = create_app(Settings(database_url=empty_url))
    with TestClient(app) as client:
        client.headers["Origin"] = "http://testserver"
        yield client


def _client(site: TestClient) -> TestClient:
    """Another browser on the same site (its own cookies)."""
    other = TestClient(site.app)
    other.headers["Origin"] = "http://testserver"
    return other


def _ok(response: httpx.Response, status: int = 200) -> Any:
    """The JSON body of a response that must have `status` (the body is the failure's message)."""
    assert response.status_code == status, response.text
    return response.json()


def _received(server: SmtpServer, address: str, timeout: float = 10.0) -> Received:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = server.to(address)
        if found:
            return found[-1]
        time.sleep(0.05)
    raise AssertionError(f"no mail to {address}")


def _invite_token(mail: Received) -> str:
    found = re.search(r"https?://[^/\s]+/invite/([^\s]+)", mail.text)
    assert found, mail.text
    return found.group(1)


def _projects_sheet() -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    ws = wb.create_sheet("项目")
    for row in (
        ["项目编号", "项目名称", "类别", "产业", "区域", "金额", "活动"],
        ["JRN-1", "旅程智能制造项目", "企业融资", "人工智能", "海淀区", "3亿", SUMMIT],
        ["JRN-2", "旅程生物医药项目", "企业融资", "医药健康", "昌平区", "1.5亿", SUMMIT],
    ):
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _feed(client: TestClient) -> str:
    """The caller's subscribed calendar feed, fetched anonymously through its token address."""
    address = _ok(client.get("/api/v1/me/calendar"))["url"]
    path = urlsplit(address).path
    assert path.startswith("/calendar/") and path.endswith(".ics")
    feed = TestClient(client.app).get(path)
    assert feed.status_code == 200 and feed.headers["content-type"].startswith("text/calendar"), feed.text
    return feed.text


def _ical(instant: str) -> str:
    """An API instant ("2027-10-12T01:00:00Z") as the feed writes it ("20271012T010000Z")."""
    return dt.datetime.fromisoformat(instant).astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def _vevents(feed: str) -> list[dict[str, str]]:
    """The feed's events as {property: value} (unfolded lines, parameters dropped from the name)."""
    unfolded = re.sub(r"\r?\n[ \t]", "", feed)
    events: list[dict[str, str]] = []
    for block in unfolded.split("BEGIN:VEVENT")[1:]:
        fields: dict[str, str] = {}
        for line in block.split("END:VEVENT")[0].splitlines():
            if ":" in line:
                name, value = line.split(":", 1)
                fields[name.split(";", 1)[0]] = value
        events.append(fields)
    return events


def test_an_organiser_runs_a_summit_from_an_empty_database_through_http(
    site: TestClient, mail_to: SmtpServer
) -> None:
    organiser = site
    factory: sessionmaker[Session] = organiser.app.state.sessionmaker  # type: ignore[attr-defined]

    # 1. First run: the empty site offers /setup, which makes the first organiser and signs them in.
    assert 'href="/setup"' in organiser.get("/").text
    made = organiser.post(
        "/setup",
        data={"csrf": csrf_of(organiser, "/login"), "username": "chief", "email": "chief@bureau.example",
              "name_zh": "陈主任", "name_en": "Director Chen", "password": PASSWORD, "again": PASSWORD,
              "locale": "zh_CN"},
        follow_redirects=False,
    )  # fmt: skip
    assert made.status_code == 303, made.text
    assert _ok(organiser.get("/api/v1/users/me"))["roles"][0]["role"] == "organiser"

    # 2. A forum and its summit, drafts until published.
    _ok(organiser.post("/api/v1/events", json={"slug": FORUM, "kind": "forum", "name_zh": "旅程论坛",
                                               "name_en": "Journey Forum", "starts_on": "2027-10-10",
                                               "ends_on": "2027-10-14"}), 201)  # fmt: skip
    summit = _ok(organiser.post("/api/v1/events", json={"slug": SUMMIT, "kind": "summit", "parent": FORUM,
                                                        "name_zh": "旅程投资大会", "name_en": "Journey Summit",
                                                        "starts_on": DAY, "ends_on": DAY,
                                                        "venue": "国家会议中心"}), 201)  # fmt: skip
    assert summit["state"] == "draft"
    for slug in (FORUM, SUMMIT):
        assert _ok(organiser.post(f"/api/v1/events/{slug}/publish"))["state"] == "published"
    event_id = summit["id"]

    # 3. The summit's projects from a sheet: a preview that writes nothing, then the import of every row.
    sheet = {"filename": "projects.xlsx", "content_base64": base64.b64encode(_projects_sheet()).decode("ascii")}
    preview = _ok(organiser.post("/api/v1/imports/projects", json={**sheet, "dry_run": True}))
    assert [(r["external_id"], r["action"]) for r in preview["rows"]] == [("JRN-1", "create"), ("JRN-2", "create")]
    assert not preview["applied"] and _ok(organiser.get("/api/v1/stats", params={"event": SUMMIT}))[
        "released"]["count"] == 0  # fmt: skip
    done = _ok(organiser.post("/api/v1/imports/projects", json=sheet))
    assert (done["applied"], done["created"], done["skipped"], done["errors"]) == (True, 2, 0, [])

    # 4. Two sessions of slots, and tables.
    setup = f"/api/v1/events/{SUMMIT}/meetings/setup"
    morning = _ok(organiser.post(f"{setup}/sessions", json={"label": "上午场", "day": DAY, "start": "09:00",
                                                            "end": "10:00", "slot_minutes": 20}), 201)  # fmt: skip
    afternoon = _ok(organiser.post(f"{setup}/sessions", json={"label": "下午场", "day": DAY, "start": "14:00",
                                                              "end": "15:00", "slot_minutes": 20}), 201)  # fmt: skip
    assert len(morning) == 3 and len(afternoon) == 3
    _ok(organiser.post(f"{setup}/tables", json={"count": 2, "first": 1, "area": "项目对接区"}), 201)
    assert len(_ok(organiser.get(setup))["sessions"]) == 2

    # 5. The investor's and the enterprise's organisations, and an invitation to each.
    investor_org = _ok(organiser.post("/api/v1/organisations", json={
        "slug": "journey-capital", "kind": "investor", "name_zh": "旅程资本", "name_en": "Journey Capital"}), 201)
    enterprise_org = _ok(organiser.post("/api/v1/organisations", json={
        "slug": "journey-robotics", "kind": "enterprise", "name_zh": "旅程机器人有限公司",
        "name_en": "Journey Robotics"}), 201)  # fmt: skip
    people = {"investor": ("li@fund.example", investor_org), "enterprise": ("wang@robotics.example", enterprise_org)}
    for role, (email, org) in people.items():
        invited = _ok(organiser.post("/api/v1/invitations", json={"email": email, "role": role, "event": SUMMIT,
                                                                  "organisation": org["slug"], "locale": "en"}),
                      201)  # fmt: skip
        assert invited["state"] == "pending"
    run_queued(factory)

    # 6. Both follow their mailed link and accept with a password; each is signed in in their own browser.
    browsers: dict[str, TestClient] = {}
    for role, (email, org) in people.items():
        mail = _received(mail_to, email)
        assert mail.subject == f"Invitation to duijie as {role.capitalize()}", mail.subject
        link = _invite_token(mail)
        browser = _client(organiser)
        assert browser.get(f"/invite/{link}").status_code == 200
        user = _ok(browser.post("/api/v1/invitations/accept", json={"token": link, "username": f"journey.{role}",
                                                                    "password": PASSWORD}), 201)  # fmt: skip
        assert [(r["role"], r["organisation_id"]) for r in user["roles"]] == [(role, org["id"])]
        browsers[role] = browser
    investor, enterprise = browsers["investor"], browsers["enterprise"]

    # 7. Both take part in the summit's meetings, free in every slot of the morning and the first of the afternoon.
    free = [slot["id"] for slot in morning] + [afternoon[0]["id"]]
    participants: dict[str, int] = {}
    for role, (email, _org) in people.items():
        participant = _ok(organiser.post(f"{setup}/participants", json={"email": email}), 201)
        participants[role] = participant["id"]
        placed = _ok(organiser.put(f"{setup}/participants/{participant['id']}/availability", json={"slot_ids": free}))
        assert sorted(placed["free_slots"]) == sorted(free)

    # 8. The investor finds the enterprise in the directory, sees the common slots, and asks for a meeting.
    meetings = f"/api/v1/events/{SUMMIT}/meetings"
    directory = investor.get(f"/events/{SUMMIT}/meetings/people")
    assert directory.status_code == 200 and "旅程机器人有限公司" in directory.text
    common = _ok(investor.get(f"{meetings}/people/{participants['enterprise']}/common-slots"))
    assert common["has_slots"] and common["count"] == len(free)
    asked = _ok(investor.post(f"{meetings}/requests", json={"recipient_id": participants["enterprise"],
                                                            "message": "Robotics for our fund?"}), 201)  # fmt: skip
    assert asked["state"] == "requested"

    # 9. The enterprise accepts.
    answered = _ok(enterprise.post(f"{meetings}/requests/{asked['id']}/accept"))
    assert answered["state"] == "accepted"

    # 10. The organiser runs the scheduler (a queued job), then publishes.
    job = _ok(organiser.post(f"{meetings}/schedule", json={"time_limit": 5}), 202)
    assert job["state"] == "queued"
    run_queued(factory)
    assert _ok(organiser.get(f"{meetings}/job"))["state"] == "done"
    [placed_meeting] = _ok(organiser.get(f"{meetings}/grid"))
    assert placed_meeting["request_id"] == asked["id"] and placed_meeting["slot_id"] in free
    assert _ok(organiser.post(f"{meetings}/publish"))["confirmed"] == 1

    # 11. Both subscribed feeds carry the meeting, under one UID.
    before: dict[str, dict[str, str]] = {}
    for role, browser in browsers.items():
        [vevent] = _vevents(_feed(browser))
        before[role] = vevent
    assert before["investor"]["UID"] == before["enterprise"]["UID"]
    starts = {slot["id"]: _ical(slot["starts_at"]) for slot in morning + afternoon}
    for vevent in before.values():
        assert vevent["DTSTART"] == starts[placed_meeting["slot_id"]] and vevent["STATUS"] == "CONFIRMED"

    # 12. The organiser moves it to another free slot on the grid.
    target = next(slot for slot in free if slot != placed_meeting["slot_id"])
    moved = _ok(organiser.post(f"{meetings}/meetings/{placed_meeting['meeting_id']}/move",
                               json={"slot_id": target, "table": placed_meeting["table"]}))  # fmt: skip
    assert (moved["request_id"], moved["slot_id"], moved["pinned"]) == (asked["id"], target, True)
    [now] = _ok(organiser.get(f"{meetings}/grid"))
    assert now["slot_id"] == target and now["pinned"]
    for role, browser in browsers.items():
        [vevent] = _vevents(_feed(browser))
        assert vevent["UID"] == before[role]["UID"]
        assert vevent["DTSTART"] == starts[target] != before[role]["DTSTART"]
        assert int(vevent["SEQUENCE"]) > int(before[role].get("SEQUENCE", "0"))

    # 13. The organiser records the signed deal; the statistics and the event page count it (none before).
    zero = _ok(organiser.get("/api/v1/stats", params={"event": SUMMIT}))
    assert zero["signed"]["count"] == 0 and zero["released"]["count"] == 2
    assert 'data-testid="signed-count">0<' in organiser.get(f"/events/{SUMMIT}").text
    deal = _ok(organiser.post("/api/v1/deals", json={
        "title_zh": "旅程机器人融资", "stage": "signed", "signed_amount": "2亿", "signed_on": dt.date.today().isoformat(),
        "event_id": event_id, "parties": [{"organisation_id": investor_org["id"], "role": "investor"},
                                          {"organisation_id": enterprise_org["id"], "role": "enterprise"}]}),
        201)  # fmt: skip
    assert deal["stage"] == "signed"
    stats = _ok(organiser.get("/api/v1/stats", params={"event": SUMMIT}))
    assert stats["signed"]["count"] == 1
    page = TestClient(organiser.app).get(f"/events/{SUMMIT}")
    assert page.status_code == 200
    assert "旅程投资大会" in page.text
    assert 'data-testid="signed-count">1<' in page.text and 'data-testid="signed-amount">2亿元<' in page.text
