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



def test_organiser_authors_a_policy_whose_rule_error_is_caught_at_save_time(
    page: Page, live_server: str
) -> None:
    login(page, live_server, "organiser", "organiser-demo")
    page.goto(f"{live_server}/policies/new")
    page.fill("input[name=slug]", "e2e-growth-award")
    page.select_option("select[name=package]", "ib2023-pkg-01")
    page.fill("input[name=name_zh]", "成长企业奖励（测试）")
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
    page.fill("textarea[name=rule]", BAD_RULE.replace("registerd_district", "registered_district"))
    page.click("button[value=save]")
    page.wait_for_url(f"{live_server}/policies/e2e-growth-award")
    expect(page.locator("[data-testid=rule-words]")).to_have_text("上年营业收入不低于1亿元 且 注册地为海淀区")
    expect(page.locator("tr[data-passed=true]")).to_have_count(1)


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
