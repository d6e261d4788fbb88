"""The recommendation journey in a real browser: an investor reads why projects fit and dismisses one; the
organiser sees who has no good match yet; an enterprise follows a technology offer that fits its demand and
finds people to meet; on a phone the reasons stay readable."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.helpers import login

pytestmark = pytest.mark.browser



def test_investor_reads_reasons_and_dismisses_a_project(page: Page, live_server: str) -> None:
    login(page, live_server, "investor", "investor-demo")
    page.goto(live_server + "/recommendations")
    items = page.locator("[data-testid=recommendations][data-left=investor] li.suggestion")
    expect(items).to_have_count(10)
    first = items.first
    dismissed = first.get_attribute("data-id")
    expect(first.locator(".reason.good").first).to_contain_text("同属")
    first.get_by_role("button", name="不感兴趣").click()
    page.wait_for_url("**/recommendations?event=invest-beijing-2024")
    expect(page.locator(f"li.suggestion[data-id='{dismissed}']")).to_have_count(0)
    expect(items).to_have_count(10)


def test_organiser_sees_who_has_no_good_match(page: Page, live_server: str) -> None:
    login(page, live_server, "organiser", "organiser-demo")
    page.goto(live_server + "/recommendations")
    page.wait_for_url("**/events/invest-beijing-2024/matching")
    expect(page.locator("[data-testid=no-good-match] h2")).to_have_text("尚无理想匹配的参与方")
    expect(page.locator("[data-testid=best-pairs][data-group=investor_project] tbody tr")).to_have_count(10)
    page.get_by_role("button", name="重新计算").click()
    # The rerun is a background job; on a busy machine it may take longer than an assertion's default wait,
    # and the page refreshes itself until it is done.
    expect(page.locator("[data-testid=job-state]")).to_have_text("完成", timeout=60_000)
    expect(page.locator("[data-testid=last-run]")).to_contain_text("自上次计算以来无变化")


def test_enterprise_on_a_phone_sees_investors_with_reasons(browser: Browser, live_server: str) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        login(page, live_server, "enterprise", "enterprise-demo")
        page.goto(live_server + "/recommendations")
        section = page.locator("[data-testid=recommendations]").first
        expect(section.locator("h2")).to_contain_text("匹配的投资机构")
        reason = section.locator(".reason").first
        expect(reason).to_be_visible()
        box = reason.bounding_box()
        assert box is not None and box["x"] + box["width"] <= 390
    finally:
        context.close()


def test_enterprise_follows_an_offer_that_fits_its_demand(page: Page, live_server: str) -> None:
    login(page, live_server, "enterprise", "enterprise-demo")
    page.goto(live_server + "/recommendations")
    demand = page.locator("[data-testid=recommendations][data-left=demand]").first
    expect(demand.locator("h2")).to_have_text("可能匹配的技术成果：工业零件三维视觉尺寸测量")
    first = demand.locator("li.suggestion").first
    expect(first.locator(".reason.good").first).to_contain_text("共同术语")
    first.locator(".suggestion-head a").first.click()
    expect(page.locator("h1")).to_contain_text("三维视觉测量与点云处理软件")
    expect(page.locator("[data-testid=trl] dt")).to_have_text("技术成熟度")
    expect(page.locator("[data-testid=ip-status] dd")).not_to_have_text("—")
    page.goto(live_server + "/recommendations")
    section = page.locator("[data-testid=recommendations][data-left=participant]")
    expect(section.locator("h2")).to_have_text("2024年投资北京大会值得约见的参会方")
    # From a suggestion straight to the request form, with the recipient filled in and the common times offered.
    section.locator("[data-testid=request-meeting]").first.click()
    page.wait_for_url("**/events/invest-beijing-2024/meetings/people/*/request")
    form = page.locator("[data-testid=request-form]")
    expect(form.locator("[data-testid=session-choices]")).to_be_visible()
    recipient = page.locator("[data-testid=recipient]").get_attribute("data-participant")
    form.locator("textarea[name=message]").fill("希望交流三维视觉测量的合作。")
    form.locator("button[type=submit]").click()
    page.wait_for_url("**/events/invest-beijing-2024/meetings#outgoing")
    page.goto(f"{live_server}/events/invest-beijing-2024/meetings/people/{recipient}")
    expect(page.locator("[data-testid=already-requested]").first).to_be_visible()


def test_demand_page_on_a_phone_keeps_offers_readable(browser: Browser, live_server: str) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844})
    context.add_cookies([{"name": "lang", "value": "en", "url": live_server}])
    page = context.new_page()
    try:
        login(page, live_server, "enterprise", "enterprise-demo")
        page.goto(live_server + "/recommendations")
        section = page.locator("[data-testid=recommendations][data-left=demand]").first
        expect(section.locator("h2")).to_contain_text("Technology offers that may fit")
        section.get_by_role("link", name="View the demand").click()
        expect(page.locator("h1")).to_contain_text("3D vision dimensional measurement of industrial parts")
        box = page.locator("[data-testid=project-matches] .reason").first.bounding_box()
        assert box is not None and box["x"] + box["width"] <= 390
        expect(page.locator("[data-testid=project-matches] h2")).to_have_text(
            "Technology offers that may fit"
        )
    finally:
        context.close()


def test_organiser_changes_a_weight_then_restores_the_defaults(page: Page, live_server: str) -> None:
    login(page, live_server, "organiser", "organiser-demo")
    page.goto(live_server + "/events/invest-beijing-2024/matching")
    weights = page.locator("[data-testid=weights]")
    expect(weights.locator("fieldset legend")).to_have_text(
        ["投资机构与项目、企业", "企业合作伙伴", "洽谈参会方"]
    )
    page.fill("input[name='investor_project.district']", "0.3")
    page.get_by_role("button", name="保存权重").click()
    expect(page.locator("[data-testid=weights-saved]")).to_have_text("权重已保存。")
    expect(page.locator("[data-testid=weights-stale]")).to_contain_text("现有匹配结果是按原权重计算的")
    page.fill("input[name='investor_project.semantic']", "2")
    page.get_by_role("button", name="保存权重").click()
    expect(page.locator("[data-testid=weights] .field-error")).to_have_text(
        "投资机构与项目、企业 · 语义相似度：权重须为0到1之间的数字。"
    )
    expect(page.locator("input[name='investor_project.semantic']")).to_have_value("2")
    page.get_by_role("button", name="恢复默认权重").click()
    expect(page.locator("[data-testid=weights-saved]")).to_have_text("已恢复默认权重。")
    expect(page.locator("[data-testid=weights-stale]")).to_have_count(0)
    expect(page.locator("input[name='investor_project.district']")).to_have_value("0.08")


def test_investor_narrows_projects_by_industry_and_sees_them_on_the_home_page(
    page: Page, live_server: str
) -> None:
    login(page, live_server, "investor", "investor-demo")
    card = page.locator("[data-testid=for-you]")
    expect(card.locator("li.suggestion")).to_have_count(3)
    card.get_by_role("link", name="查看全部推荐 →").click()
    page.wait_for_url("**/recommendations")
    page.select_option("select[name=industry]", "集成电路")
    page.get_by_role("button", name="筛选").click()
    items = page.locator("[data-testid=recommendations][data-left=investor] li.suggestion .meta")
    expect(items.first).to_contain_text("集成电路")
    for text in items.all_inner_texts():
        assert "集成电路" in text
    page.get_by_test_id("clear-filters").click()
    expect(page.locator("select[name=industry]")).to_have_value("")
