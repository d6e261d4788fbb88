"""Search in a real browser: an English query finding Chinese projects, narrowing by kind and opening a hit,
and the results on a phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

pytestmark = pytest.mark.browser


def test_visitor_searches_in_english_narrows_to_policies_and_opens_one(page: Page, live_server: str) -> None:
    page.goto(f"{live_server}/search")
    page.fill("[data-testid=search-q]", "artificial intelligence park")
    page.click("form.search-form button[type=submit]")
    first = page.locator("[data-testid=group-opportunity] .search-hit").first
    expect(first.locator("a")).to_contain_text("人工智能产业园")
    expect(first.locator(".snippet mark").first).to_be_visible()
    page.fill("[data-testid=search-q]", "集成电路")
    page.select_option("select[name=kind]", "policy")
    page.click("form.search-form button[type=submit]")
    expect(page.locator("section.search-group")).to_have_count(1)
    expect(page.locator("[data-testid=result-count]")).to_contain_text("共 3 条结果")
    page.locator("[data-testid=group-policy] .search-hit a", has_text="集成电路设计企业流片支持").click()
    page.wait_for_url(f"{live_server}/policies/ngit-ic-design")


def test_search_results_on_a_phone_in_english(browser: Browser, live_server: str) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844})
    context.add_cookies([{"name": "lang", "value": "en", "url": live_server}])
    page = context.new_page()
    try:
        page.goto(f"{live_server}/search?q=集成电路")
        expect(page.locator("details.more-filters")).not_to_have_attribute("open", "")
        hit = page.locator("[data-testid=group-opportunity] .search-hit").first
        expect(hit.locator("a")).to_contain_text("Integrated circuits")
        box = hit.bounding_box()
        assert box is not None and box["width"] <= 390
        page.click("details.more-filters summary")
        expect(page.locator("select[name=district]")).to_be_visible()
    finally:
        context.close()
