"""Main journeys in a real browser: log in, filter the project list, read the event figures, edit a project."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.helpers import login, phone

pytestmark = pytest.mark.browser



def test_login_then_filter_projects_by_industry_and_district(page: Page, live_server: str) -> None:
    login(page, live_server, "investor", "investor-demo")
    expect(page.locator(".who")).to_contain_text("陈静")
    page.goto(f"{live_server}/projects")
    page.select_option("select[name=event]", "invest-beijing-2024")
    page.select_option("select[name=industry]", "人工智能")
    page.select_option("select[name=district]", "海淀区")
    page.click(".filters button[type=submit]")
    page.wait_for_url("**/projects?*")
    rows = page.locator("[data-testid=project-table] tbody tr[data-industry]")
    count = rows.count()
    assert count >= 1
    for i in range(count):
        assert rows.nth(i).get_attribute("data-industry") == "人工智能"
        assert rows.nth(i).get_attribute("data-district") == "海淀区"
    expect(page.locator("[data-testid=result-count]")).to_contain_text(f"{count}")


def test_event_page_shows_published_totals_in_both_languages(page: Page, live_server: str) -> None:
    page.goto(f"{live_server}/events/invest-beijing-2023")
    expect(page.locator("[data-testid=released-count]")).to_have_text("152")
    expect(page.locator("[data-testid=released-amount]")).to_have_text("1434亿元")
    expect(page.locator("[data-testid=signed-amount]")).to_have_text("608亿元")
    page.click("a.lang")
    expect(page.locator("h1")).to_contain_text("Invest Beijing Global Summit 2023")
    expect(page.locator("[data-testid=released-amount]")).to_have_text("CNY 143.4 bn")


def test_district_account_edits_its_own_project(page: Page, live_server: str) -> None:
    login(page, live_server, "haidian", "district-demo")
    page.goto(f"{live_server}/projects?district=海淀区&category=park_cooperation")
    page.locator("[data-testid=project-table] tbody tr a").first.click()
    page.click("text=编辑")
    page.fill("input[name=amount]", "3.5亿")
    page.click("button[type=submit]")
    expect(page.locator(".facts")).to_contain_text("3.5亿元")


def test_project_list_is_usable_on_a_phone(browser, live_server: str) -> None:  # type: ignore[no-untyped-def]
    context = phone(browser)
    page = context.new_page()
    page.goto(f"{live_server}/projects")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"
    expect(page.locator("[data-testid=project-table] tbody tr").first).to_be_visible()
    context.close()
