"""Policy journeys in a real browser: the organiser's rule error caught at save time, the enterprise's
self-check and what changes when a fact changes, and the self-check on a phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.helpers import login, phone

pytestmark = pytest.mark.browser

BAD_RULE = """all:
  - {fact: revenue, op: ">=", value: 1亿元}
  - {fact: registerd_district, op: "==", value: 海淀区}
"""



def _new_policy(page: Page, live_server: str, slug: str, name_zh: str) -> None:
    """The organiser opens a new policy in the demo's first package and names it."""
    login(page, live_server, "organiser", "organiser-demo")
    page.goto(f"{live_server}/policies/new")
    page.fill("input[name=slug]", slug)
    page.select_option("select[name=package]", "ib2023-pkg-01")
    page.fill("input[name=name_zh]", name_zh)


def test_organiser_authors_a_policy_whose_rule_error_is_caught_at_save_time(
    page: Page, live_server: str
) -> None:
    _new_policy(page, live_server, "e2e-growth-award", "成长企业奖励（测试）")
    page.click("#rule-text > summary")  # the text editor, behind the rows
    page.fill("textarea[name=rule]", BAD_RULE)
    # The rule is checked while it is typed ...
    expect(page.locator("[data-testid=rule-errors]")).to_contain_text("all[1].fact")
    page.fill("input[name=benefit_amount]", "50万元")
    page.fill(
        "textarea[name=tests]",
        "- name: 营收2亿元\n  facts: {revenue: 2亿元, registered_district: 海淀区}\n"
        "  expect: {outcome: eligible, benefit: 50万元}\n",
    )
    page.click("button[value=save]")
    # ... and refused when saved, next to the rule, with its path.
    expect(page.locator("[data-testid=form-errors]")).to_be_visible()
    expect(page.locator("[data-testid=rule-errors]")).to_contain_text(
        "all[1].fact: 未知事实“registerd_district”"
    )
    assert page.url.endswith("/policies/new")
    # The refused rule still parses, so the rows show it, the unknown fact named beside its row.
    expect(page.locator("[data-testid=rb-cond]").nth(1).locator(".rb-errors")).to_contain_text(
        "未知事实“registerd_district”"
    )
    if not page.locator("#rule-text").evaluate("d => d.open"):
        page.click("#rule-text > summary")
    page.fill("textarea[name=rule]", BAD_RULE.replace("registerd_district", "registered_district"))
    page.click("button[value=save]")
    page.wait_for_url(f"{live_server}/policies/e2e-growth-award")
    expect(page.locator("[data-testid=rule-words]")).to_have_text("上年营业收入不低于1亿元 且 注册地为海淀区")
    expect(page.locator("tr[data-passed=true]")).to_have_count(1)


def test_organiser_builds_a_rule_from_rows_each_error_beside_its_row(
    browser: Browser, page: Page, live_server: str
) -> None:
    _new_policy(page, live_server, "e2e-rows-award", "按条目编写的奖励（测试）")
    expect(page.locator("textarea[name=rule]")).to_be_hidden()  # rows first; the text is behind a summary
    root = page.locator("[data-testid=rb-root]")
    first = page.locator("[data-testid=rb-cond]").nth(0)
    first.locator("[data-testid=rb-fact]").select_option("revenue")
    first.locator("[data-testid=rb-op]").select_option(">=")
    first.locator("input[data-testid=rb-value]").fill("很多")
    # A value the fact cannot take: named beside its row, the value field marked.
    expect(first.locator(".rb-errors")).to_have_text("上年营业收入是金额，不能与“很多”比较")
    expect(first.locator("input[data-testid=rb-value]")).to_have_attribute("aria-invalid", "true")
    first.locator("input[data-testid=rb-value]").fill("两亿")
    expect(first.locator(".rb-errors")).to_be_empty()
    # A second condition on revenue that can never hold with the first: the group says so.
    root.locator(":scope > .rb-add [data-testid=rb-add-condition]").click()
    second = page.locator("[data-testid=rb-cond]").nth(1)
    second.locator("[data-testid=rb-fact]").select_option("revenue")
    second.locator("[data-testid=rb-op]").select_option("<")
    second.locator("input[data-testid=rb-value]").fill("1亿元")
    expect(root.locator(":scope > .rb-errors")).to_contain_text("不可能同时成立")
    second.locator("[data-testid=rb-remove]").click()
    expect(root.locator(":scope > .rb-errors")).to_be_empty()
    # A nested group: high-tech, or registered in one of two districts.
    root.locator(":scope > .rb-add [data-testid=rb-add-group]").click()
    group = page.locator("[data-testid=rb-group]")
    expect(group.locator("[data-testid=rb-mode]")).to_have_value("any")
    group.locator("[data-testid=rb-fact]").nth(0).select_option("high_tech")
    group.locator("[data-testid=rb-add-condition]").click()
    group.locator("[data-testid=rb-fact]").nth(1).select_option("registered_district")
    group.locator("[data-testid=rb-op]").nth(1).select_option("in")
    group.locator("label.check", has_text="海淀区").click()
    group.locator("label.check", has_text="朝阳区").click()
    words = "上年营业收入不低于2亿元 且 （是高新技术企业 或 注册地属于朝阳区、海淀区）"
    expect(page.locator("[data-testid=rule-live]")).to_have_text(f"规则释义: {words}")
    page.fill("input[name=benefit_amount]", "30万元")
    page.click("button[value=save]")
    page.wait_for_url(f"{live_server}/policies/e2e-rows-award")
    expect(page.locator("[data-testid=rule-words]")).to_have_text(words)

    # The saved rule comes back as rows, in English on a phone: values as an English reader types them.
    context = phone(browser)
    context.add_cookies([{"name": "lang", "value": "en", "url": live_server}])
    other = context.new_page()
    login(other, live_server, "organiser", "organiser-demo")
    other.goto(f"{live_server}/policies/e2e-rows-award/edit")
    rows = other.locator("[data-testid=rb-cond]")
    expect(rows).to_have_count(3)
    expect(rows.nth(0).locator("[data-testid=rb-fact] option:checked")).to_have_text("last year's revenue")
    expect(rows.nth(0).locator("[data-testid=rb-op] option:checked")).to_have_text("at least")
    expect(rows.nth(0).locator("input[data-testid=rb-value]")).to_have_value("200,000,000")
    expect(other.locator("[data-testid=rb-group] [data-testid=rb-mode]")).to_have_value("any")
    expect(other.locator("[data-testid=rb-group] input[value=海淀区]")).to_be_checked()
    width = other.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the rule editor overflows a phone: {width}px"
    context.close()


def test_enterprise_sees_what_applies_and_what_a_changed_fact_would_bring(
    page: Page, live_server: str
) -> None:
    login(page, live_server, "enterprise", "enterprise-demo")
    page.goto(f"{live_server}/policies/check?on=2025-06-01")
    expect(page.locator("[data-testid=eligible-count]")).to_have_text("6")
    expect(page.locator("[data-testid=undetermined-count]")).to_have_text("6")
    models = page.locator("li.decision[data-policy=ai-foundation-models]")
    expect(models).to_have_attribute("data-outcome", "not_eligible")
    expect(models.locator(".change")).to_contain_text("若上年研发投入不低于5000万元")
    page.fill("input[name=rd_spend]", "6000万元")
    page.click("button.primary[type=submit]")
    expect(page.locator("li.decision[data-policy=ai-foundation-models]")).to_have_attribute(
        "data-outcome", "eligible"
    )
    expect(page.locator("[data-testid=eligible-count]")).to_have_text("7")


def test_self_check_is_usable_on_a_phone_in_english(browser: Browser, live_server: str) -> None:
    context = phone(browser)
    context.add_cookies([{"name": "lang", "value": "en", "url": live_server}])
    page = context.new_page()
    page.goto(f"{live_server}/policies/check")
    page.fill("input[name=on]", "2025-06-01")
    page.fill("input[name=revenue]", "3亿元")
    page.select_option("select[name=high_tech]", "yes")
    page.fill("input[name=rd_spend]", "2000万元")
    page.click("button.primary[type=submit]")
    expect(page.locator("h1")).to_have_text("Policy self-check")
    expect(page.locator("[data-testid=eligible-count]")).to_have_text("1")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    context.close()


def test_district_sees_what_may_apply_to_one_of_its_enterprises_on_a_phone(
    browser: Browser, live_server: str
) -> None:
    context = phone(browser)
    page = context.new_page()
    login(page, live_server, "haidian", "district-demo")
    page.goto(f"{live_server}/policies/suggest?on=2025-06-01")
    page.fill("input[name=org]", "demo-xinghe")
    page.click("button.primary[type=submit]")
    rows = page.locator("[data-testid=policy-suggestions] tr[data-tier]")
    expect(rows).to_have_count(12)
    expect(rows.first).to_have_attribute("data-policy", "ai-compute-voucher")
    expect(rows.first.locator(".tag[data-part=industry]")).to_have_text("同属人工智能")
    expect(page.locator("tr[data-policy=icc-new-venues] [data-testid=missing]")).to_have_text(
        "尚需补充：上年零售额"
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    context.close()
