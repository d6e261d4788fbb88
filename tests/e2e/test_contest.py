"""The contest's main journey in a real browser: the organiser runs the judge assignment, a judge scores an
entry on a phone, and the public sees the winners with the support they received."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.helpers import login, phone

pytestmark = pytest.mark.browser

BASE = "/contests/frontier-contest-7"



def test_organiser_runs_the_assignment_of_the_open_round(page: Page, live_server: str) -> None:
    login(page, live_server, "organiser", "organiser-demo")
    page.goto(f"{live_server}{BASE}/manage")
    page.click("text=北京赛区·人工智能（进行中）")
    page.select_option("select[name=objective]", "fair")
    page.click("text=重新分配评委")
    expect(page.locator(".notice")).to_contain_text("评委分配已完成并保存")
    expect(page.locator("[data-testid=run-summary]")).to_contain_text("匹配度最低的项目尽可能高")
    expect(page.locator("[data-testid=certificate]")).to_contain_text("已证明上界")
    expect(page.locator("[data-testid=round-entries]")).to_have_text("56")


def test_judge_scores_an_entry_on_a_phone(browser: Browser, live_server: str) -> None:
    context = phone(browser)
    page = context.new_page()
    login(page, live_server, "judge", "judge-demo")
    page.goto(f"{live_server}{BASE}/review")
    before = page.locator("[data-testid=open-count]").inner_text()
    page.locator(".queue-item.status-todo a").first.click()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    form_url = page.url
    for name, mark in (("tech", "9"), ("innovation", "8"), ("market", "8"), ("team", "7")):
        page.fill(f"input[name=mark_{name}]", mark)
    page.fill("textarea[name=comment]", "技术路线清晰")
    page.click("text=提交并锁定")
    page.wait_for_url(f"{live_server}{BASE}/review?done=*")
    after = page.locator("[data-testid=open-count]").inner_text()
    assert int("".join(c for c in before if c.isdigit())) - 1 == int("".join(c for c in after if c.isdigit()))
    page.goto(form_url)
    expect(page.locator("[data-testid=locked-score]")).to_contain_text("8.10")
    context.close()


def test_public_sees_the_winners_and_their_support_in_english(page: Page, live_server: str) -> None:
    page.goto(f"{live_server}{BASE}")
    expect(page.locator("[data-testid=computed-entries]")).to_have_text("3164")
    page.click("text=获奖项目及所获支持")
    expect(page.locator(".winner.rank-1 h2")).to_have_text("新硅联合半导体有限公司")
    expect(page.locator(".winner")).to_have_count(6)
    page.click("a.lang")
    expect(page.locator(".winner.rank-1 .support")).to_contain_text("Investment and financing")
