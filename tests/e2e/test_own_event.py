"""Running one's own event in a real browser, through the pages only, from an empty database: the first visit
offers the set-up, the organiser creates the summit, imports its projects (upload, preview, confirm), cuts two
sessions into slots and adds tables, invites an investor and an enterprise (the mails reach a real SMTP server
on loopback and the link is read out of them); each accepts in their own browser and sets a password; the
investor requests a meeting from a recommendation, the enterprise accepts, the organiser runs the scheduler
(a background job the page follows) and publishes; both calendar feeds carry the meeting; the organiser moves
it on the grid and the feeds follow under the same UID; the organiser signs a deal and the event page counts it.

The server is this module's own (an empty SQLite file, a worker thread for the queued jobs, mail to loopback),
not the demo the other browser journeys share."""

from __future__ import annotations

import datetime as dt
import io
import re
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn
from aiosmtpd.controller import Controller
from openpyxl import Workbook
from playwright.sync_api import Browser, BrowserContext, Page, expect

from duijie.app import create_app
from duijie.config import Settings, get_settings
from duijie.core.db import make_engine, make_sessionmaker
from duijie.core.jobs import load_kinds
from duijie.core.migrate import upgrade
from duijie.core.worker import TableWorker
from tests.fixtures.smtp import Received, SmtpServer, free_port

pytestmark = pytest.mark.browser

PASSWORD = "Harbour-lantern-sesame-42"
SLUG = "own-summit-2027"
DAY = "2027-10-12"


@dataclass
class Site:
    """The module's server: its address and the mail server its mails reach."""

    base: str
    mail: SmtpServer


@pytest.fixture(scope="module")
def own_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The application on a new, migrated, EMPTY SQLite database (no demo, no account), served on loopback as
    `duijie serve` serves it: uvicorn, a worker thread taking the queued jobs (mail, matching, the scheduler),
    mail to a real SMTP server on loopback, links in mails pointing at this server."""
    path: Path = tmp_path_factory.mktemp("own-event") / "own.db"
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    mail = SmtpServer(host="127.0.0.1", port=free_port())
    controller = Controller(mail, hostname=mail.host, port=mail.port)
    controller.start()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    base = f"http://127.0.0.1:{port}"
    with pytest.MonkeyPatch.context() as env:
        env.setenv("DUIJIE_SMTP_URL", mail.url)
        env.setenv("DUIJIE_MAIL_FROM", "duijie <noreply@duijie.test>")
        env.setenv("DUIJIE_BASE_URL", base)
        get_settings.cache_clear()
        settings = Settings(database_url=url, base_url=base, smtp_url=mail.url, job_poll=0.2)
        server = uvicorn.Server(
            uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
        )
        serving = threading.Thread(target=server.run, daemon=True)
        serving.start()
        load_kinds()
        worker = TableWorker(make_sessionmaker(make_engine(url)), settings)
        working = threading.Thread(target=worker.run, daemon=True)
        working.start()
        deadline = time.monotonic() + 20
        while not server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the test server did not start")
            time.sleep(0.05)
        try:
            yield Site(base, mail)
        finally:
            server.should_exit = True
            worker.stop.set()
            serving.join(timeout=10)
            working.join(timeout=10)
            controller.stop()
            get_settings.cache_clear()


# -- what the journey reads ---------------------------------------------------------------------------------


def _projects_sheet() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "项目"
    for row in (
        ["项目编号", "项目名称", "类别", "产业", "区域", "金额", "活动"],
        ["OWN-1", "自办智能制造项目", "企业融资", "人工智能", "海淀区", "3亿", SLUG],
        ["OWN-2", "自办生物医药项目", "企业融资", "医药健康", "昌平区", "1.5亿", SLUG],
    ):
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _mail_to(server: SmtpServer, address: str, timeout: float = 20.0) -> Received:
    """The latest mail to `address`, once the worker has sent it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = server.to(address)
        if found:
            return found[-1]
        time.sleep(0.05)
    raise AssertionError(f"no mail to {address}")


def _vevents(feed: str) -> dict[str, dict[str, str]]:
    """The feed's events by UID, as {property: value} (unfolded lines, parameters dropped from the name)."""
    unfolded = re.sub(r"\r?\n[ \t]", "", feed)
    events: dict[str, dict[str, str]] = {}
    for block in unfolded.split("BEGIN:VEVENT")[1:]:
        fields: dict[str, str] = {}
        for line in block.split("END:VEVENT")[0].splitlines():
            if ":" in line:
                name, value = line.split(":", 1)
                fields[name.split(";", 1)[0]] = value
        events[fields["UID"]] = fields
    return events


def _feed(page: Page, base: str) -> dict[str, dict[str, str]]:
    """The calendar feed whose address the person's calendar page shows, fetched as a calendar app would."""
    page.goto(f"{base}/me/calendar")
    address = page.get_by_test_id("feed-url").input_value()
    assert address.startswith(base + "/calendar/"), address
    response = httpx.get(address, timeout=10)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/calendar")
    return _vevents(response.text)


def _submit(page: Page, form: str) -> None:
    """Send the form as a person does, with its submit button, and wait for the next page."""
    with page.expect_navigation():
        page.locator(form).locator("button[type=submit], button:not([type])").first.click()


def _grid_slot(page: Page) -> str:
    """The id of the slot the grid shows the (only) meeting in: its column's header links to that slot's desk."""
    href = page.evaluate(
        """() => {
            const cell = document.querySelector('[data-testid=grid] td.cell');
            const heads = document.querySelectorAll('[data-testid=grid] thead tr:nth-child(2) th a');
            return heads[cell.cellIndex - 1].getAttribute('href');
        }"""
    )
    found = re.search(r"slot=(\d+)", str(href))
    assert found, href
    return found.group(1)


# -- the journey ----------------------------------------------------------------------------------------------


def test_an_organiser_runs_a_summit_from_an_empty_site_in_the_browser(browser: Browser, own_site: Site) -> None:
    base, mail = own_site.base, own_site.mail
    contexts: list[BrowserContext] = []

    def person() -> Page:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    try:
        organiser = person()

        # 1. The first visit offers the set-up, which makes the first organiser and signs them in.
        organiser.goto(base + "/")
        organiser.locator("a[href='/setup']").first.click()
        organiser.fill("input[name=name_zh]", "陈主任")
        organiser.fill("input[name=name_en]", "Director Chen")
        organiser.fill("input[name=email]", "chief@bureau.example")
        organiser.fill("input[name=username]", "chief")
        organiser.fill("input[name=password]", PASSWORD)
        organiser.fill("input[name=again]", PASSWORD)
        _submit(organiser, "form[action='/setup']")
        assert organiser.url.startswith(base + "/?welcome=1"), organiser.url

        # 2. The summit, published at once.
        organiser.goto(base + "/organise/events/new")
        organiser.fill("input[name=name_zh]", "自办投资大会")
        organiser.fill("input[name=name_en]", "Own Investment Summit")
        organiser.fill("input[name=slug]", SLUG)
        organiser.select_option("select[name=kind]", "summit")
        organiser.fill("input[name=starts_on]", DAY)
        organiser.fill("input[name=ends_on]", DAY)
        organiser.fill("input[name=venue]", "国家会议中心")
        organiser.check("input[name=publish]")
        _submit(organiser, "form[action='/organise/events/new']")
        assert organiser.url.endswith(f"/organise/events/{SLUG}") or SLUG in organiser.url, organiser.url

        # 3. Its projects from a sheet: upload, preview, confirm.
        organiser.goto(base + "/import")
        organiser.get_by_test_id("file").set_input_files(
            files=[{"name": "projects.xlsx", "mimeType": "application/octet-stream", "buffer": _projects_sheet()}]
        )
        with organiser.expect_navigation():
            organiser.get_by_test_id("preview").click()
        expect(organiser.get_by_test_id("count-created")).to_have_text("2")
        expect(organiser.get_by_test_id("count-errors")).to_have_text("0")
        expect(organiser.get_by_test_id("preview-table")).to_contain_text("自办智能制造项目")
        with organiser.expect_navigation():
            organiser.get_by_test_id("confirm").click()
        expect(organiser.get_by_test_id("import-report").locator("h2")).to_contain_text("已导入")
        expect(organiser.get_by_test_id("count-created")).to_have_text("2")

        # 4. Two sessions cut into 20-minute slots, and two tables.
        setup = f"{base}/events/{SLUG}/meetings/setup"
        for label, start, end in (("上午场", "09:00", "10:00"), ("下午场", "14:00", "15:00")):
            organiser.goto(setup)
            form = organiser.get_by_test_id("session-form")
            form.locator("input[name=label]").fill(label)
            form.locator("input[name=day]").fill(DAY)
            form.locator("input[name=start]").fill(start)
            form.locator("input[name=end]").fill(end)
            form.locator("input[name=slot_minutes]").fill("20")
            _submit(organiser, "[data-testid=session-form]")
        expect(organiser.get_by_test_id("session")).to_have_count(2)
        organiser.goto(setup + "/tables")
        tables = organiser.get_by_test_id("tables-form")
        tables.locator("input[name=count]").fill("2")
        tables.locator("input[name=first]").fill("1")
        tables.locator("input[name=area]").fill("项目对接区")
        _submit(organiser, "[data-testid=tables-form]")
        expect(organiser.get_by_test_id("area")).to_contain_text("项目对接区")

        # 5. The investor's and the enterprise's organisations, then an invitation to each (mail in English).
        people = {
            "investor": ("li@fund.example", "own-capital", "自办资本", "Own Capital",
                         "专注人工智能与智能制造早期投资的基金，寻找机器人与工业软件项目。"),
            "enterprise": ("wang@robotics.example", "own-robotics", "自办机器人有限公司", "Own Robotics",
                           "工业机器人与人工智能视觉企业，正在寻找投资机构进行A轮融资。"),
        }  # fmt: skip
        for role, (_email, slug, name_zh, name_en, about) in people.items():
            organiser.goto(base + "/organise/organisations/new")
            organiser.fill("input[name=name_zh]", name_zh)
            organiser.fill("input[name=name_en]", name_en)
            organiser.fill("input[name=slug]", slug)
            organiser.select_option("select[name=kind]", role)
            organiser.check("input[name=industries][value=人工智能]")
            organiser.fill("textarea[name=description_zh]", about)
            _submit(organiser, "form[action='/organise/organisations/new']")
        for role, (email, slug, *_rest) in people.items():
            organiser.goto(base + "/people")
            invite = organiser.get_by_test_id("invite")
            invite.locator("input[name=email]").fill(email)
            invite.locator("select[name=role]").select_option(role)
            invite.locator("select[name=organisation]").select_option(slug)
            invite.locator("select[name=event]").select_option(SLUG)
            invite.locator("select[name=locale]").select_option("en")
            _submit(organiser, "[data-testid=invite]")
            expect(organiser.get_by_test_id("invitations")).to_contain_text(email)

        # 6. Each follows the mailed link in their own browser, sets a password and is signed in.
        browsers: dict[str, Page] = {}
        for role, (email, *_rest) in people.items():
            received = _mail_to(mail, email)
            assert received.subject == f"Invitation to duijie as {role.capitalize()}", received.subject
            link = re.search(r"https?://\S+/invite/\S+", received.text)
            assert link and link.group(0).startswith(base), received.text
            page = person()
            page.goto(link.group(0))
            page.fill("input[name=name_zh]", "李经理" if role == "investor" else "王总")
            page.fill("input[name=username]", f"own.{role}")
            page.fill("input[name=password]", PASSWORD)
            page.fill("input[name=again]", PASSWORD)
            _submit(page, f"form[action='/invite/{link.group(0).rsplit('/', 1)[1]}']")
            assert page.url.startswith(base + "/account?welcome=1"), page.url
            browsers[role] = page
        investor, enterprise = browsers["investor"], browsers["enterprise"]

        # 7. The organiser adds both to the summit's meetings (free in every slot until they say otherwise).
        for email, *_rest in people.values():
            organiser.goto(setup + "/participants")
            organiser.get_by_test_id("participant-form").locator("input[name=person]").fill(email)
            _submit(organiser, "[data-testid=participant-form]")
            assert "done=added" in organiser.url, organiser.url
        organiser.goto(setup + "/participants")
        expect(organiser.get_by_test_id("participants")).to_contain_text("自办机器人有限公司")
        expect(organiser.get_by_test_id("participants")).to_contain_text("自办资本")

        # 8. The organiser computes the matches (a background job the page follows).
        organiser.goto(f"{base}/events/{SLUG}/matching")
        _submit(organiser, f"form[action='/events/{SLUG}/matching/recompute']")
        deadline = time.monotonic() + 90
        while organiser.get_by_test_id("job-state").inner_text() != "完成" and time.monotonic() < deadline:
            organiser.wait_for_timeout(300)
            organiser.reload()
        expect(organiser.get_by_test_id("job-state")).to_have_text("完成")

        # 9. The investor requests a meeting from a recommendation ("约见").
        investor.goto(f"{base}/recommendations?lang=zh_CN")
        meet = investor.locator("[data-testid=recommendations][data-left=participant]")
        expect(meet).to_contain_text("自办机器人有限公司")
        with investor.expect_navigation():
            meet.get_by_role("link", name="约见").first.click()
        investor.fill("textarea[name=message]", "想了解贵公司的视觉方案。")
        _submit(investor, "[data-testid=request-form]")

        # 10. The enterprise accepts it.
        enterprise.goto(f"{base}/events/{SLUG}/meetings")
        incoming = enterprise.locator("[data-testid=incoming] tr[data-state=requested]")
        expect(incoming).to_have_count(1)
        expect(incoming).to_contain_text("自办资本")
        with enterprise.expect_navigation():
            incoming.locator("[data-action=accept]").click()
        expect(enterprise.locator("[data-testid=incoming] tr[data-state=accepted]")).to_have_count(1)

        # 11. The organiser runs the scheduler (the grid follows the job until it is done), then publishes.
        grid = f"{base}/events/{SLUG}/meetings/grid"
        organiser.goto(grid)
        organiser.get_by_test_id("run-form").locator("input[name=time_limit]").fill("3")
        _submit(organiser, "[data-testid=run-form]")
        expect(organiser.locator("[data-testid=job][data-state=done]")).to_be_visible(timeout=60_000)
        expect(organiser.locator("[data-testid=grid] td.cell")).to_have_count(1)
        _submit(organiser, "[data-testid=publish-form]")

        # 12. Both calendar feeds carry the meeting, under one UID.
        before = {role: _feed(page, base) for role, page in browsers.items()}
        assert list(before["investor"]) == list(before["enterprise"]) and len(before["investor"]) == 1
        [uid] = list(before["investor"])
        assert before["investor"][uid]["STATUS"] == "CONFIRMED"

        # 13. The organiser moves it on the grid: the meeting's cell opens its move page, which offers the slots
        # where both are free (and the tables free then); one of them, another table, and "Move here".
        organiser.goto(grid)
        current = _grid_slot(organiser)
        with organiser.expect_navigation():
            organiser.locator("[data-testid=grid] td.cell a[data-action=move]").click()
        row = organiser.locator(f'[data-testid=both-free] tr[data-slot]:not([data-slot="{current}"])').first
        expect(row).to_be_visible()
        target = str(row.get_attribute("data-slot"))
        assert target != current
        row.locator("select[name=table]").select_option("2")
        with organiser.expect_navigation():
            row.get_by_role("button").click()
        assert "done=move" in organiser.url, organiser.url
        expect(organiser.get_by_test_id("moved")).to_be_visible()
        assert _grid_slot(organiser) == target
        for role, page in browsers.items():
            [(moved_uid, moved)] = list(_feed(page, base).items())
            assert moved_uid == uid
            assert moved["DTSTART"] != before[role][uid]["DTSTART"]
            assert int(moved["SEQUENCE"]) > int(before[role][uid].get("SEQUENCE", "0"))
            assert moved["STATUS"] == "CONFIRMED"

        # 14. The organiser opens the deal on the board, signs it, and the event page counts it.
        organiser.goto(f"{base}/events/{SLUG}")
        expect(organiser.get_by_test_id("signed-count")).to_have_text("0")
        organiser.goto(f"{base}/deals/board")
        organiser.locator("details.card summary").click()
        new = organiser.get_by_test_id("new-deal")
        new.locator("input[name=title_zh]").fill("自办机器人融资")
        new.locator("select[name=district]").select_option("海淀区")
        new.locator("select[name=industry]").select_option("人工智能")
        new.locator("input[name=planned_amount]").fill("2亿")
        _submit(organiser, "[data-testid=new-deal]")
        # The next stage says what it needs: the party contacted, named on the deal's page.
        expect(organiser.get_by_test_id("blockers")).to_contain_text("请填写已接洽的对接方。")
        party = organiser.get_by_test_id("party-form")
        party.locator("input[name=organisation]").fill("自办机器人有限公司")
        _submit(organiser, "[data-testid=party-form]")
        expect(organiser.get_by_test_id("parties")).to_contain_text("自办机器人有限公司")
        expect(organiser.get_by_test_id("ready")).to_be_visible()
        for stage in ("negotiating", "signed"):
            move = organiser.locator("form[action$='/stage']")
            move.locator("select[name=to]").select_option(stage)
            if stage == "signed":
                move.locator("input[name=signed_amount]").fill("2亿")
                move.locator("input[name=signed_on]").fill(dt.date.today().isoformat())
            _submit(organiser, "form[action$='/stage']")
            expect(organiser.get_by_test_id("stage")).to_have_text({"negotiating": "洽谈中", "signed": "论坛签约"}[stage])
        organiser.goto(f"{base}/events/{SLUG}")
        expect(organiser.get_by_test_id("signed-count")).to_have_text("1")
        expect(organiser.get_by_test_id("signed-amount")).to_have_text("2亿元")
    finally:
        for context in contexts:
            context.close()
