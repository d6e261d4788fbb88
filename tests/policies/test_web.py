"""Policy pages through the real app: packages, a policy, the self-check, authoring and 政策找企业."""

from __future__ import annotations

import io
import re

from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from duijie.directory.models import Organisation
from tests.conftest import StatementCounter, csrf_of, in_english, login

RULE_WITH_TYPO = """all:
  - {fact: revenue, op: ">=", value: 1亿元}
  - {fact: registerd_district, op: "==", value: 海淀区}
"""


def _count(pattern: str, text: str) -> int:
    return len(re.findall(pattern, text))


def _form(**changes: str) -> dict[str, str]:
    data = {
        "slug": "hd-web-award",
        "name_zh": "海淀区成长企业奖励",
        "name_en": "Haidian growth award",
        "package": "ib2023-pkg-01",
        "district": "海淀区",
        "valid_from": "2025-01-01",
        "valid_to": "",
        "rule": RULE_WITH_TYPO.replace("registerd_district", "registered_district"),
        "benefit_kind": "subsidy",
        "benefit_amount": "50万元",
        "tests": "- name: 海淀区营收2亿元\n  on: 2025-06-01\n  facts: {revenue: 2亿元, registered_district: 海淀区}\n"
        "  expect: {outcome: eligible, benefit: 50万元}\n",
        "action": "save",
    }
    data.update(changes)
    return data


def test_package_list_shows_the_ten_packages_and_their_policies_in_few_queries(
    client: TestClient, count_statements: StatementCounter
) -> None:
    with count_statements:
        page = client.get("/policies")
    statements = count_statements.statements
    assert page.status_code == 200
    assert _count(r'<section class="card package" data-package=', page.text) == 10
    assert _count(r"<tr data-policy=", page.text) == 31
    assert "政策服务包" in page.text and "企业研发投入后补助" in page.text and "资金补贴" in page.text
    assert len([s for s in statements if "policy" in s]) <= 4


def test_policy_page_shows_versions_the_rule_in_words_and_passing_test_cases(client: TestClient) -> None:
    page = client.get("/policies/iic-rd-post-funding")
    assert page.status_code == 200
    assert _count(r'data-version="\d"', page.text) == 2
    assert (
        "（是高新技术企业 或 是专精特新企业） 且 研发投入强度不低于4% 且 上年营业收入不低于2000万元"
        in page.text
    )
    assert _count(r'data-passed="true"', page.text) == 4 and 'data-passed="false"' not in page.text
    with in_english(client):
        english = client.get("/policies/iic-rd-post-funding")
    assert "(is a high-tech enterprise or is a specialised and innovative enterprise)" in english.text
    assert "Test cases" in english.text
    assert client.get("/policies/no-such-policy").status_code == 404


def test_package_page_lists_its_policies_with_their_current_rule(client: TestClient) -> None:
    page = client.get("/policies/packages/ib2023-pkg-08")
    assert page.status_code == 200
    assert "人工智能产业政策包" in page.text
    assert _count(r'<section class="card policy" data-policy=', page.text) == 3


def test_enterprise_self_check_is_prefilled_from_its_profile_and_shows_a_mix_of_outcomes(
    client: TestClient,
) -> None:
    login(client, "enterprise", "enterprise-demo")
    page = client.get("/policies/check?on=2025-06-01")
    assert page.status_code == 200
    assert 'name="revenue" value="1.8亿元"' in page.text
    assert 'data-testid="eligible-count">6<' in page.text
    assert 'data-testid="undetermined-count">6<' in page.text
    assert 'data-testid="total-benefit">1106万元<' in page.text
    assert {"eligible", "not_eligible", "undetermined"} <= set(
        re.findall(r'<li class="decision" [^>]*data-outcome="(\w+)"', page.text)
    )
    assert "若上年研发投入不低于5000万元，即可符合“通用大模型研发支持”" in page.text


def test_anyone_can_check_filled_facts_and_a_bad_value_is_shown_next_to_its_field(client: TestClient) -> None:
    token = csrf_of(client, "/policies/check")
    data = {"csrf": token, "on": "2025-06-01", "revenue": "3亿元", "high_tech": "yes", "rd_spend": "2000万元"}
    page = client.post("/policies/check", data=data)
    assert page.status_code == 200
    assert 'data-testid="eligible-count">1<' in page.text
    assert "Save to the profile" not in page.text and "保存至企业档案" not in page.text
    bad = client.post("/policies/check", data={**data, "headcount": "many"})
    assert bad.status_code == 422
    assert "请填写不小于零的整数。" in bad.text
    future = client.post("/policies/check", data={**data, "founded_on": "2999-01-01"})
    assert future.status_code == 422
    assert "成立日期不能晚于今天。" in future.text and 'value="2999-01-01"' in future.text


def test_enterprise_saves_its_facts_and_keeps_the_decisions_others_cannot_see(
    client: TestClient, db: Session
) -> None:
    org = db.scalar(select(Organisation).where(Organisation.slug == "demo-xinghe"))
    assert org is not None
    original = dict(org.facts)
    login(client, "enterprise", "enterprise-demo")
    token = csrf_of(client, "/policies/check")
    data = {
        "csrf": token,
        "org": "demo-xinghe",
        "on": "2025-06-01",
        "revenue": "1.8亿元",
        "rd_spend": "6000万元",
        "rd_staff": "150",
        "industries": ["人工智能"],
        "high_tech": "yes",
        "save": "1",
    }
    page = client.post("/policies/check", data=data)
    assert page.status_code == 200
    assert "企业信息已保存至档案，判定结果已存档。" in page.text
    assert 'data-testid="stored"' in page.text
    assert _count(r'<td data-label="版本">v\d</td>', page.text) == 31
    again = client.get("/policies/check")
    assert 'name="rd_spend" value="6000万元"' in again.text
    client.post("/logout", data={"csrf": csrf_of(client, "/")})
    login(client, "investor", "investor-demo")
    assert client.get("/policies/check?org=demo-xinghe").status_code == 403
    # Put the demo's facts back: on SQLite a request's commit outlives the test's rolled-back transaction.
    db.refresh(org)
    org.facts = original
    db.commit()


def test_organiser_authoring_refuses_an_unknown_fact_pointing_at_the_rule_path(client: TestClient) -> None:
    login(client, "organiser", "organiser-demo")
    token = csrf_of(client, "/policies/new")
    page = client.post(
        "/policies/new", data={**_form(slug="hd-web-typo", rule=RULE_WITH_TYPO), "csrf": token}
    )
    assert page.status_code == 422
    assert "all[1].fact: 未知事实“registerd_district”" in page.text
    assert client.get("/policies/hd-web-typo").status_code == 404


def test_organiser_validates_then_saves_a_policy_whose_test_cases_pass(client: TestClient) -> None:
    login(client, "organiser", "organiser-demo")
    token = csrf_of(client, "/policies/new")
    checked = client.post("/policies/new", data={**_form(), "csrf": token, "action": "validate"})
    assert checked.status_code == 200
    assert "规则释义: 上年营业收入不低于1亿元 且 注册地为海淀区" in checked.text
    assert 'data-testid="form-ok"' in checked.text
    assert client.get("/policies/hd-web-award").status_code == 404
    saved = client.post("/policies/new", data={**_form(), "csrf": token}, follow_redirects=False)
    assert (saved.status_code, saved.headers["location"]) == (303, "/policies/hd-web-award")
    page = client.get("/policies/hd-web-award")
    assert "海淀区成长企业奖励" in page.text and 'data-passed="true"' in page.text


def test_district_authors_for_its_district_and_cannot_edit_others(client: TestClient) -> None:
    login(client, "haidian", "district-demo")
    assert client.get("/policies/new").status_code == 200
    assert client.get("/policies/im-etdz-robotics-land/edit").status_code == 403
    token = csrf_of(client, "/policies/new")
    refused = client.post("/policies/new", data={**_form(district="朝阳区"), "csrf": token})
    assert refused.status_code == 422 and "只能录入本区的政策。" in refused.text
    assert client.get("/policies/iic-rd-post-funding/enterprises").status_code == 403


def test_organiser_lists_the_enterprises_a_policy_fits_and_exports_them(client: TestClient) -> None:
    assert client.get("/policies/ai-compute-voucher/enterprises", follow_redirects=False).status_code == 303
    login(client, "organiser", "organiser-demo")
    page = client.get("/policies/ai-compute-voucher/enterprises?on=2025-06-01")
    assert page.status_code == 200
    assert re.findall(r'<tr data-org="([\w-]+)"', page.text) == [
        "contest7-winner-4",
        "dp-technology",
        "demo-xinghe",
    ]
    assert "符合条件的企业 3 家" in page.text and "预计支持金额合计 2450万元" in page.text
    outreach = re.findall(r'<tr data-list="outreach" data-org="([\w-]+)" data-outcome="(\w+)"', page.text)
    assert len(outreach) == 20 and {o for _slug, o in outreach} == {"undetermined"}
    assert "共 292 家，列出匹配度最高的 20 家" in page.text and "另有 292 家补充信息后可能符合" in page.text
    assert "可能适用但尚未提供相关信息的企业" in page.text and "同属人工智能" in page.text
    assert f'href="/policies/suggest?org={outreach[0][0]}&amp;on=2025-06-01"' in page.text
    every = client.get("/policies/ai-compute-voucher/enterprises?on=2025-06-01&all=1")
    assert _count(r'<tr data-list="outreach"', every.text) == 292
    assert re.findall(r'<tr data-org="([\w-]+)"', every.text) == [
        "contest7-winner-4",
        "dp-technology",
        "demo-xinghe",
    ]
    csv_file = client.get("/policies/ai-compute-voucher/enterprises.csv?on=2025-06-01")
    assert csv_file.headers["content-type"].startswith("text/csv")
    lines = csv_file.content.decode("utf-8-sig").splitlines()
    assert len(lines) == 1 + 3 + 20 and lines[1].startswith(
        "北京智谱华章科技有限公司,contest7-winner-4,海淀区,符合,10000000"
    )
    assert lines[0].endswith(",名单,匹配度,推荐理由") and ",依已登记信息符合条件,," in lines[1]
    assert lines[4].split(",")[1] == outreach[0][0]
    assert ",可能适用，待补充信息（建议对接）,0." in lines[4]
    xlsx = client.get("/policies/ai-compute-voucher/enterprises.xlsx?on=2025-06-01")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert [sheet.cell(row=r, column=2).value for r in range(2, 5)] == [
        "contest7-winner-4",
        "dp-technology",
        "demo-xinghe",
    ]
    assert [sheet.cell(row=r, column=8).value for r in (4, 5)] == [
        "依已登记信息符合条件",
        "可能适用，待补充信息（建议对接）",
    ]
    assert sheet.max_row == 24


def _tiers(text: str) -> list[tuple[str, str]]:
    return re.findall(r'<tr data-policy="([\w-]+)" data-tier="(\w+)"', text)


def test_the_self_check_suggests_the_policies_that_may_apply_eligible_first(client: TestClient) -> None:
    login(client, "enterprise", "enterprise-demo")
    page = client.get("/policies/check?on=2025-06-01")
    assert page.status_code == 200
    assert "您可能适用的政策" in page.text
    assert _tiers(page.text) == [
        ("ai-compute-voucher", "eligible"),
        ("iic-science-city-space", "eligible"),
        ("iic-rd-post-funding", "eligible"),
        ("de-data-enterprise", "eligible"),
        ("ai-scenario-access", "eligible"),
        ("ngit-software-tax", "eligible"),
        ("icc-new-venues", "maybe"),
        ("uni-growth-award", "maybe"),
    ]
    assert '<span class="tag" data-part="industry">同属人工智能</span>' in page.text
    assert '<span class="tag" data-part="district">位于海淀区</span>' in page.text
    assert "尚需补充：上年零售额" in page.text
    with in_english(client):
        english = client.get("/policies/check?on=2025-06-01")
    assert (
        "Policies that may apply to you" in english.text
        and "Still needed: last year&#39;s retail sales" in english.text
    )
    assert "Both in artificial intelligence" in english.text and "Located in Haidian District" in english.text


def test_the_suggestions_page_is_for_the_organiser_the_district_and_the_enterprise(
    client: TestClient,
) -> None:
    path = "/policies/suggest?org=demo-xinghe&on=2025-06-01"
    assert client.get(path, follow_redirects=False).status_code == 303
    refusal = "仅主办方、企业所在区及企业本身可查看该企业可能适用的政策。"
    cases = [
        ("organiser", "organiser-demo", {"demo-xinghe": 200, "ranli": 200}),
        ("haidian", "district-demo", {"demo-xinghe": 200, "ranli": 403}),
        ("enterprise", "enterprise-demo", {"demo-xinghe": 200, "ranli": 403}),
        ("investor", "investor-demo", {"demo-xinghe": 403, "ranli": 403}),
        ("judge", "judge-demo", {"demo-xinghe": 403, "ranli": 403}),
    ]
    for user, password, expected in cases:
        login(client, user, password)
        for slug, status in expected.items():
            page = client.get(f"/policies/suggest?org={slug}&on=2025-06-01")
            assert (user, slug, page.status_code) == (user, slug, status)
            if status == 403:
                assert refusal in page.text
            else:
                assert "该企业可能适用的政策" in page.text or "您可能适用的政策" in page.text
                assert len(_tiers(page.text)) >= 8
        client.post("/logout", data={"csrf": csrf_of(client, "/")})
    login(client, "haidian", "district-demo")
    picker = client.get("/policies/suggest")
    assert picker.status_code == 200 and 'data-testid="choose"' in picker.text
    assert '<option value="demo-xinghe">星河智能科技（示例）</option>' in picker.text
    assert client.get("/policies/suggest?org=no-such-org").status_code == 404


def test_the_enterprise_sees_its_own_suggestions_without_naming_itself(client: TestClient) -> None:
    login(client, "enterprise", "enterprise-demo")
    page = client.get("/policies/suggest?on=2025-06-01")
    assert page.status_code == 200
    assert "您可能适用的政策" in page.text and 'data-testid="org-line"' in page.text
    assert len(_tiers(page.text)) == 12


def test_the_suggestions_page_runs_a_fixed_number_of_queries(
    client: TestClient, count_statements: StatementCounter
) -> None:
    login(client, "organiser", "organiser-demo")

    def queries(path: str) -> int:
        with count_statements:
            assert client.get(path).status_code == 200
        return count_statements.count

    # The first request fits the suggestion engine over all enterprises (kept until a record changes).
    queries("/policies/suggest?org=lvzhu-bio&on=2025-06-01")
    few = queries("/policies/suggest?org=lvzhu-bio&on=2025-06-01")
    many = queries("/policies/suggest?org=demo-xinghe&on=2025-06-01")
    reach = queries("/policies/ai-compute-voucher/enterprises?on=2025-06-01&all=1")
    # Eight suggestions or twelve, twenty enterprises or 292: the same queries.
    assert few == many and max(few, reach) <= 16


def test_the_policy_list_links_to_suggestions_for_those_who_may_see_them(client: TestClient) -> None:
    assert 'data-testid="suggest-link"' not in client.get("/policies").text
    login(client, "haidian", "district-demo")
    assert 'data-testid="suggest-link"' in client.get("/policies").text
