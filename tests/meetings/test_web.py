"""Meeting pages and API through the real app: who sees what, forms with CSRF, print and iCalendar outputs,
the organiser's grid and scheduler, and a bound on the queries each list page makes."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from duijie.core.jobs import run_queued
from duijie.core.models import Job
from duijie.directory.models import Account
from duijie.events.models import Event, EventSetting
from duijie.meetings.instance import Schedule
from duijie.meetings.jobs import run_job
from duijie.meetings.models import Meeting, MeetingRequest
from tests.conftest import StatementCounter, csrf_of, login

BASE = "/events/invest-beijing-2024/meetings"



def _queued(db: Session) -> int:
    """Jobs waiting for a worker (what the web queued)."""
    db.expire_all()
    return db.scalar(select(func.count(Job.id)).where(Job.state == "queued")) or 0

def _summit_id(db: Session) -> int:
    return db.scalar(select(Event.id).where(Event.slug == "invest-beijing-2024"))  # type: ignore[return-value]


def test_meeting_pages_ask_anonymous_visitors_to_log_in(client: TestClient) -> None:
    for path in ("", "/schedule", "/me.ics", "/grid", "/desk"):
        response = client.get(BASE + path, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == f"/login?next={BASE}{path}"


def test_participant_page_lists_requests_and_hides_contacts_until_accepted(client: TestClient) -> None:
    login(client, "enterprise", "enterprise-demo")
    page = client.get(BASE)
    assert page.status_code == 200
    assert "一对一洽谈" in page.text and "收到的申请" in page.text and "我的空闲时段" in page.text
    incoming = page.text.split('data-testid="incoming"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r'<tr data-request="\d+" data-state="(\w+)"[^>]*>(.*?)</tr>', incoming, re.S)
    assert {state for state, _ in rows} >= {"requested"}
    for state, html in rows:
        assert ("接受后可见" in html) == (state != "accepted")
    english = client.get(BASE + "?lang=en")
    assert "Requests to me" in english.text and "Shared once accepted" in english.text


def test_request_accept_and_availability_forms_work_end_to_end(client: TestClient, db: Session) -> None:
    login(client, "investor", "investor-demo")
    # Whom to ask comes from the participant directory (the cards offering "request meeting").
    recipients = [
        pid
        for page in (1, 2, 3)
        for pid in re.findall(
            r'href="/events/invest-beijing-2024/meetings/people/(\d+)/request"',
            client.get(BASE + f"/people?page={page}").text,
        )
    ]
    token = csrf_of(client, BASE)
    sent = None
    for candidate in recipients:
        response = client.post(
            BASE + "/requests",
            data={"csrf": token, "recipient": candidate, "message": "想了解贵方项目", "opportunity": ""},
            follow_redirects=False,
        )
        if response.status_code == 303:
            sent = candidate
            break
        assert response.status_code == 422
    assert sent is not None
    outgoing = client.get(BASE).text.split('data-testid="outgoing"', 1)[1]
    assert "想了解贵方项目" in outgoing
    refused = client.post(BASE + "/requests", data={"csrf": token, "recipient": sent, "message": ""})
    assert refused.status_code == 422
    assert "您已向" in refused.text
    forged = client.post(
        BASE + "/requests", data={"csrf": "forged", "recipient": sent}, follow_redirects=False
    )
    assert forged.status_code == 422
    pending = re.search(
        r'<tr data-request="(\d+)" data-state="requested"[^>]*>',
        client.get(BASE).text.split('data-testid="incoming"', 1)[1].split("</table>", 1)[0],
    )
    assert pending is not None
    accepted = client.post(
        f"{BASE}/requests/{pending.group(1)}/accept", data={"csrf": token}, follow_redirects=False
    )
    assert accepted.status_code == 303
    assert db.get(MeetingRequest, int(pending.group(1))).state == "accepted"  # type: ignore[union-attr]
    slots = re.findall(r'name="slot" value="(\d+)"', client.get(BASE).text)
    saved = client.post(BASE + "/availability", data={"csrf": token, "slot": slots}, follow_redirects=False)
    assert saved.status_code == 303
    empty = client.post(BASE + "/availability", data={"csrf": token})
    assert empty.status_code == 422
    assert "请至少选择一个可洽谈的时段" in empty.text


def test_schedule_print_and_ics_show_the_same_meetings(client: TestClient) -> None:
    login(client, "enterprise", "enterprise-demo")
    web = client.get(BASE + "/schedule")
    printed = client.get(BASE + "/schedule?print=1")
    ics = client.get(BASE + "/me.ics")
    assert web.status_code == printed.status_code == ics.status_code == 200
    meetings = re.findall(r'<tr data-meeting="(\d+)"', web.text)
    assert meetings and re.findall(r'<tr data-meeting="(\d+)"', printed.text) == meetings
    assert 'class="site-header"' not in printed.text and 'class="print"' in printed.text
    assert ics.headers["content-type"] == "text/calendar; charset=utf-8"
    assert "attachment" in ics.headers["content-disposition"]
    body = ics.content.decode("utf-8")
    assert body.count("BEGIN:VEVENT") == len(meetings)
    assert all(len(line.encode("utf-8")) <= 75 for line in body.split("\r\n"))
    assert body.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")


def test_grid_is_the_organisers_and_the_scheduler_runs_from_its_form(
    client: TestClient, db: Session, session_factory: sessionmaker[Session]
) -> None:
    login(client, "enterprise", "enterprise-demo")
    assert client.get(BASE + "/grid").status_code == 403
    assert client.get("/api/v1/events/invest-beijing-2024/meetings/grid").status_code == 403
    client.post("/logout", data={"csrf": csrf_of(client, BASE)})
    login(client, "organiser", "organiser-demo")
    grid = client.get(BASE + "/grid")
    assert grid.status_code == 200
    assert 'data-testid="run-report"' in grid.text and "先到先得" in grid.text
    assert 'data-reason="not_planned"' in grid.text
    assert 'data-testid="job"' not in grid.text and 'http-equiv="refresh"' not in grid.text
    cells = len(re.findall(r'<td class="cell m-', grid.text))
    assert cells == db.query(Meeting).filter(Meeting.event_id == _summit_id(db)).count()
    token = csrf_of(client, BASE + "/grid")
    bad = client.post(BASE + "/grid/run", data={"csrf": token, "time_limit": "0"})
    assert bad.status_code == 422 and 'data-testid="grid-error"' in bad.text and _queued(db) == 0
    ran = client.post(BASE + "/grid/run", data={"csrf": token, "time_limit": "2"}, follow_redirects=False)
    assert ran.status_code == 303 and ran.headers["location"] == BASE + "/grid?done=run"
    assert _queued(db) == 1
    queued = client.get(ran.headers["location"]).text
    assert '<meta http-equiv="refresh" content="2">' in queued
    assert re.search(r'data-testid="job-state">已排队<', queued)
    assert re.search(
        r'<button class="primary" type="submit" disabled title="排期正在运行，请待其完成。">重新排期</button>',
        queued,
    )
    assert 'data-testid="publish-form"' not in queued
    assert 'data-testid="run-done"' not in queued and 'data-reason="not_planned"' in queued
    again = client.post(BASE + "/grid/run", data={"csrf": token, "time_limit": "2"})
    assert again.status_code == 409 and "本活动的排期正在运行" in again.text and _queued(db) == 1

    def look_while_running(attempt: int, schedule: Schedule) -> None:
        page = client.get(ran.headers["location"]).text
        assert '<meta http-equiv="refresh" content="2">' in page
        assert re.search(r'data-testid="job-state">运行中…<', page)
        assert re.search(r'data-testid="job-elapsed">已用 \d+ 秒 · 时限 2 秒<', page)
        assert "发起人：" in page and 'data-testid="run-done"' not in page

    run_job(session_factory, _summit_id(db), between=look_while_running)
    after = client.get(ran.headers["location"]).text
    assert 'http-equiv="refresh"' not in after
    assert re.search(r'data-testid="job-state">完成<', after)
    assert 'data-testid="run-done"' in after
    assert 'data-reason="not_planned"' not in after
    api = client.get("/api/v1/events/invest-beijing-2024/meetings/summary").json()
    assert api["scheduled"] == len(re.findall(r'<td class="cell m-', after))
    english = client.get(ran.headers["location"], params={"lang": "en"}).text
    assert re.search(r'data-testid="job-state">Done<', english)
    desk = client.get(BASE + "/desk")
    assert desk.status_code == 200 and 'data-testid="desk"' in desk.text


def test_failed_run_shows_its_message_on_the_grid(
    client: TestClient, db: Session, session_factory: sessionmaker[Session]
) -> None:
    login(client, "organiser", "organiser-demo")
    token = csrf_of(client, BASE + "/grid")
    client.post(BASE + "/grid/run", data={"csrf": token, "time_limit": "2"}, follow_redirects=False)
    organiser = db.scalars(select(Account).where(Account.username == "organiser")).one()
    organiser.is_active = False
    db.commit()
    run_queued(session_factory)
    organiser.is_active = True
    db.commit()
    page = client.get(BASE + "/grid?done=run").text
    assert re.search(r'data-testid="job-state">失败<', page)
    assert 'data-testid="run-failed"' in page
    assert '<p class="error-banner" data-testid="job-error">只有主办方可以运行排期。</p>' in page


def test_api_queues_the_run_refuses_a_second_and_reports_the_job(
    client: TestClient, db: Session, session_factory: sessionmaker[Session]
) -> None:
    api = "/api/v1/events/invest-beijing-2024/meetings"
    login(client, "enterprise", "enterprise-demo")
    assert client.post(api + "/schedule", json={"time_limit": 2}).status_code == 403
    assert client.get(api + "/job").status_code == 403
    client.post("/logout", data={"csrf": csrf_of(client, BASE)})
    login(client, "organiser", "organiser-demo")
    assert client.get(api + "/job").json() == {
        "event": "invest-beijing-2024",
        "state": None,
        "running": False,
        "queued": None,
        "started": None,
        "finished": None,
        "elapsed": None,
        "step": None,
        "time_limit": None,
        "allow_moves": None,
        "by": None,
        "attempts": 0,
        "report": None,
        "error": None,
    }
    assert client.post(api + "/schedule", json={"time_limit": 0}).status_code == 422
    queued = client.post(api + "/schedule", json={"time_limit": 2})
    assert queued.status_code == 202 and _queued(db) == 1
    body = queued.json()
    assert (body["state"], body["running"], body["time_limit"], body["allow_moves"], body["report"]) == (
        "queued",
        True,
        2.0,
        False,
        None,
    )
    refused = client.post(api + "/schedule", json={"time_limit": 2})
    assert refused.status_code == 409
    assert refused.json()["error"]["message"].startswith("本活动的排期正在运行（自 UTC ")
    assert client.get(api + "/job").json()["state"] == "queued"
    run_queued(session_factory)
    done = client.get(api + "/job").json()
    assert (done["state"], done["running"], done["error"], done["attempts"]) == ("done", False, None, 1)
    assert done["started"] is not None and done["finished"] >= done["started"]
    assert done["step"] == "正在将排期结果写入总表"
    report = done["report"]
    assert report["time_limit"] == 2.0 and report["attempts"] == 1
    scheduled = db.query(Meeting).filter(Meeting.event_id == _summit_id(db)).count()
    assert report["meetings"] == scheduled == client.get(api + "/summary").json()["scheduled"]
    assert client.post(api + "/schedule", json={"time_limit": 2}).status_code == 202


def test_check_in_desk_records_arrivals_and_no_shows(client: TestClient, db: Session) -> None:
    login(client, "organiser", "organiser-demo")
    meeting = db.scalars(
        select(Meeting).where(Meeting.event_id == _summit_id(db), Meeting.state == "confirmed")
    ).first()
    assert meeting is not None
    token = csrf_of(client, BASE + "/desk")
    response = client.post(f"{BASE}/m/{meeting.id}/checkin", data={"csrf": token}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"{BASE}/desk?slot={meeting.slot_id}"
    db.expire_all()
    assert db.get(Meeting, meeting.id).state == "held"  # type: ignore[union-attr]
    again = client.post(f"{BASE}/m/{meeting.id}/noshow", data={"csrf": token})
    assert again.status_code == 409


def test_api_requests_hide_contacts_until_accepted(client: TestClient) -> None:
    login(client, "enterprise", "enterprise-demo")
    items = client.get("/api/v1/events/invest-beijing-2024/meetings/me/requests").json()
    assert items
    for item in items:
        assert (item["other"]["email"] is not None) == (
            item["state"] == "accepted" and bool(item["other"]["email"])
        )
    schedule = client.get("/api/v1/events/invest-beijing-2024/meetings/me/schedule").json()
    assert [m["starts_at"] for m in schedule] == sorted(m["starts_at"] for m in schedule)
    missing = client.post("/api/v1/events/invest-beijing-2024/meetings/requests/999999/accept")
    assert missing.status_code == 404 and missing.json()["error"]["details"][0]["field"] == "request"


def test_list_pages_make_a_bounded_number_of_queries(
    client: TestClient, count_statements: StatementCounter
) -> None:
    login(client, "organiser", "organiser-demo")
    counts = []
    for path in (BASE + "/grid", BASE + "/desk"):
        with count_statements:
            assert client.get(path).status_code == 200
        counts.append(count_statements.count)
    client.post("/logout", data={"csrf": csrf_of(client, BASE)})
    login(client, "enterprise", "enterprise-demo")
    with count_statements:
        assert client.get(BASE).status_code == 200
    counts.append(count_statements.count)
    assert max(counts) <= 40, counts


def test_organiser_sets_a_priority_from_the_unscheduled_list(client: TestClient, db: Session) -> None:
    login(client, "organiser", "organiser-demo")
    grid = client.get(BASE + "/grid").text
    request_id = re.search(r'<tr data-request="(\d+)" data-reason="', grid)
    assert request_id is not None
    token = csrf_of(client, BASE + "/grid")
    response = client.post(
        f"{BASE}/requests/{request_id.group(1)}/priority",
        data={"csrf": token, "priority": "3", "next": f"{BASE}/grid#unscheduled"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"{BASE}/grid#unscheduled"
    assert db.get(MeetingRequest, int(request_id.group(1))).priority == 3  # type: ignore[union-attr]
    refused = client.post(
        f"{BASE}/requests/{request_id.group(1)}/priority", data={"csrf": token, "priority": "7"}
    )
    assert refused.status_code == 422


def test_last_run_shows_the_idle_gap_bound_only_when_the_solver_gave_one(
    client: TestClient, db: Session
) -> None:
    login(client, "organiser", "organiser-demo")
    row = db.scalars(
        select(EventSetting).where(
            EventSetting.event_id == _summit_id(db), EventSetting.key == "meetings.last_run"
        )
    ).one()
    row.value = {**row.value, "idle_gaps_bound": None}
    db.commit()
    assert 'data-testid="run-gaps-bound"' not in client.get(BASE + "/grid").text
    row.value = {**row.value, "idle_gaps_bound": 3}
    db.commit()
    page = client.get(BASE + "/grid").text
    assert re.search(
        r'<td class="label">安排这些洽谈至少会有的空等时段（已证明）</td><td data-testid="run-gaps-bound">3</td>', page
    )
    english = client.get(BASE + "/grid", params={"lang": "en"}).text
    assert re.search(
        r'<td class="label">Fewest empty slots any plan with these meetings leaves \(proven\)</td>'
        r'<td data-testid="run-gaps-bound">3</td>',
        english,
    )
