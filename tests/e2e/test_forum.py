"""The forum as a visitor meets it in a browser: the 2024 forum's timetable in both languages and on a phone,
registering (confirmed at once in an open category), the badge from the registration's own page, and stars that
make a personal agenda. Check-in with that badge is `test_checkin.py`."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.helpers import login, phone

pytestmark = pytest.mark.browser

FORUM = "zgc-forum-2024"


def test_a_visitor_reads_the_timetable_in_both_languages_and_on_a_phone(browser: Browser, live_server: str) -> None:
    context = phone(browser)
    page = context.new_page()
    page.goto(f"{live_server}/events/{FORUM}")
    page.locator("[data-testid=programme] a", has_text="日程表").click()
    page.wait_for_url(f"**/events/{FORUM}/agenda*")
    expect(page.locator("[data-testid=day-tabs]")).to_be_visible()
    expect(page.locator("body")).to_contain_text("北京时间")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the timetable pushes the page sideways on a phone ({width}px)"
    page.click("a.lang")
    expect(page.locator("body")).to_contain_text("Beijing time")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    context.close()


def test_a_visitor_registers_gets_a_badge_and_stars_sessions(page: Page, live_server: str) -> None:
    page.goto(f"{live_server}/events/{FORUM}/register")
    page.check("input[name=category][value=guest]")
    page.fill("input[name=name]", "李明")
    page.fill("input[name=name_en]", "Li Ming")
    page.fill("input[name=email]", "li.ming.e2e@example.org")
    page.fill("input[name=organisation]", "中关村示例科技有限公司")
    page.check("input[name=consent]")
    page.click("[data-testid=register] button[type=submit]")
    expect(page.locator("[data-testid=state]")).to_contain_text("报名已确认")
    badge = page.locator("[data-testid=badge-link]")
    expect(badge).to_be_visible()
    pdf = page.request.get(live_server + str(badge.get_attribute("href")))
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf" and pdf.body().startswith(b"%PDF")

    login(page, live_server, "investor", "investor-demo")
    page.goto(f"{live_server}/events/{FORUM}/sessions")
    first = page.locator("a[href*='/sessions/']").filter(has_not_text=re.compile(r"\.ics")).first
    title = first.inner_text().strip()
    first.click()
    page.locator("form.ag-star-form button").click()
    expect(page.locator("form.ag-star-form button")).to_have_attribute("aria-pressed", "true")
    page.goto(f"{live_server}/me/agenda")
    expect(page.locator("main")).to_contain_text(title[:20])
