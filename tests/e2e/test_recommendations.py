"""The recommendation journey in a real browser: an investor reads why projects fit and dismisses one; the
organiser sees who has no good match yet; on a phone the reasons stay readable."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

pytestmark = pytest.mark.browser


def _login(page: Page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def test_investor_reads_reasons_and_dismisses_a_project(page: Page, live_server: str) -> None:
    _login(page, live_server, "investor", "investor-demo")
    page.goto(live_server + "/recommendations")
    items = page.locator("[data-testid=recommendations] li.suggestion")
    expect(items).to_have_count(10)
    first = items.first
    dismissed = first.get_attribute("data-id")
    expect(first.locator(".reason.good").first).to_contain_text("同属")
    first.get_by_role("button", name="不感兴趣").click()
    page.wait_for_url("**/recommendations?event=invest-beijing-2024")
    expect(page.locator(f"li.suggestion[data-id='{dismissed}']")).to_have_count(0)
    expect(items).to_have_count(10)


def test_organiser_sees_who_has_no_good_match(page: Page, live_server: str) -> None:
    _login(page, live_server, "organiser", "organiser-demo")
    page.goto(live_server + "/recommendations")
    page.wait_for_url("**/events/invest-beijing-2024/matching")
    expect(page.locator("[data-testid=no-good-match] h2")).to_have_text("尚无理想匹配的参与方")
    expect(page.locator("[data-testid=best-pairs] tbody tr")).to_have_count(10)
    page.get_by_role("button", name="重新计算").click()
    expect(page.locator("[data-testid=last-run]")).to_contain_text("自上次计算以来无变化")


def test_enterprise_on_a_phone_sees_investors_with_reasons(browser: Browser, live_server: str) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        _login(page, live_server, "enterprise", "enterprise-demo")
        page.goto(live_server + "/recommendations")
        section = page.locator("[data-testid=recommendations]").first
        expect(section.locator("h2")).to_contain_text("匹配的投资机构")
        reason = section.locator(".reason").first
        expect(reason).to_be_visible()
        box = reason.bounding_box()
        assert box is not None and box["x"] + box["width"] <= 390
    finally:
        context.close()
