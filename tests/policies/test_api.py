"""`/api/v1/policies`: the packages, one policy, evaluation from facts or an organisation, rule validation."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conftest import csrf_of, in_english, login


def test_list_gives_the_ten_packages_with_their_policies(client: TestClient) -> None:
    body = client.get("/api/v1/policies").json()
    assert len(body["packages"]) == 10
    first = body["packages"][0]
    assert (first["slug"], first["name_zh"], first["event"]) == (
        "ib2023-pkg-01",
        "国际科技创新中心建设政策包",
        "invest-beijing-2023",
    )
    assert [p["slug"] for p in first["policies"]] == [
        "iic-rd-post-funding",
        "iic-science-city-space",
        "iic-foreign-rd-centre",
    ]
    assert sum(len(p["policies"]) for p in body["packages"]) == 31


def test_one_policy_gives_every_version_with_its_rule_in_words(client: TestClient) -> None:
    body = client.get("/api/v1/policies/iic-rd-post-funding").json()
    assert [(v["version"], v["valid_from"], v["valid_to"]) for v in body["versions"]] == [
        (1, "2023-06-01", "2024-12-31"),
        (2, "2025-01-01", "2027-12-31"),
    ]
    assert body["versions"][1]["rule_text_en"] == (
        "(is a high-tech enterprise or is a specialised and innovative enterprise) and R&D intensity at least 4% "
        "and last year's revenue at least CNY 20 million"
    )
    assert body["versions"][1]["benefit"] == {
        "kind": "subsidy",
        "formula": {"fact": "rd_spend", "rate": "0.08", "cap": "6000000"},
        "description_zh": "按上年研发投入的8%给予后补助",
        "description_en": "8% of last year's R&D spend",
    }
    missing = client.get("/api/v1/policies/nothing")
    assert missing.status_code == 404 and missing.json()["error"]["message"] == "未找到政策：nothing"


def test_evaluate_facts_ranks_packages_and_explains_each_condition(client: TestClient) -> None:
    facts = {"revenue": "3亿元", "rd_spend": "2000万元", "flags": ["high_tech"]}
    body = client.post("/api/v1/policies/evaluate", json={"facts": facts, "on": "2025-06-01"}).json()
    assert body["organisation"] is None
    top = body["packages"][0]
    assert (top["package"], top["total"], top["eligible"]) == ("ib2023-pkg-01", "1600000", 1)
    decision = top["decisions"][0]
    assert (decision["policy"], decision["version"], decision["outcome"]) == (
        "iic-rd-post-funding",
        2,
        "eligible",
    )
    assert [r["status"] for r in decision["reasons"]] == ["met", "missed", "met", "met"]
    assert decision["benefit"]["amount"] == "1600000"


def test_evaluate_refuses_an_unknown_fact_and_a_request_without_facts(client: TestClient) -> None:
    bad = client.post("/api/v1/policies/evaluate", json={"facts": {"turnover": "3亿"}})
    assert bad.status_code == 422 and bad.json()["error"]["details"][0]["field"] == "facts.turnover"
    empty = client.post("/api/v1/policies/evaluate", json={})
    assert empty.status_code == 422


def test_evaluate_an_organisation_only_for_itself_or_the_organiser_and_keeps_the_decisions(
    client: TestClient,
) -> None:
    request = {"organisation_id": "demo-xinghe", "on": "2025-06-01"}
    # An anonymous caller naming an organisation is asked to log in; another account is refused.
    assert client.post("/api/v1/policies/evaluate", json=request).status_code == 401
    login(client, "investor", "investor-demo")
    assert client.post("/api/v1/policies/evaluate", json=request).status_code == 403
    client.post("/logout", data={"csrf": csrf_of(client, "/")})
    login(client, "enterprise", "enterprise-demo")
    body = client.post("/api/v1/policies/evaluate", json=request).json()
    outcomes = [d["outcome"] for p in body["packages"] for d in p["decisions"]]
    assert (outcomes.count("eligible"), outcomes.count("undetermined")) == (6, 6)
    assert body["facts"]["revenue"] == "180000000"


def test_validate_points_each_error_at_its_rule_path(client: TestClient) -> None:
    rule = {
        "all": [
            {"fact": "rd_ratio", "op": ">", "value": "150%"},
            {"fact": "park", "op": "==", "value": "月球"},
        ]
    }
    with in_english(client):
        body = client.post("/api/v1/policies/validate", json={"rule": rule}).json()
    assert body["ok"] is False
    assert [e["field"] for e in body["errors"]] == ["rule.all[0].value", "rule.all[1].value"]
    assert (
        body["errors"][0]["message"]
        == "all[0].value: R&D intensity can never be more than 150% (possible values 0%–100%)"
    )
    text = 'any: [{fact: unicorn, op: "==", value: true}, {fact: valuation, op: ">=", value: 10亿元}]'
    good = client.post("/api/v1/policies/validate", json={"rule": text}).json()
    assert (good["ok"], good["rule_text"]["zh"]) == (True, "是独角兽企业 或 最新估值不低于10亿元")
    # The rows of the structured editor, values as the reader types them.
    assert good["rule_form"] == {
        "any": [
            {"fact": "unicorn", "op": "==", "value": True},
            {"fact": "valuation", "op": ">=", "value": "10亿元"},
        ]
    }
    assert body["rule_form"] is None  # an unsound rule is not rebuilt into rows


def test_validate_runs_the_test_cases_when_a_benefit_is_given(client: TestClient) -> None:
    request = {
        "rule": {"fact": "revenue", "op": ">=", "value": "1亿元"},
        "benefit": {"kind": "subsidy", "formula": {"fact": "revenue", "rate": "1%", "cap": "50万元"}},
        "valid_from": "2025-01-01",
        "tests": [
            {
                "name": "营收2亿元",
                "on": "2025-03-01",
                "facts": {"revenue": "2亿元"},
                "expect": {"outcome": "eligible", "benefit": "200万元"},
            },
        ],
    }
    body = client.post("/api/v1/policies/validate", json=request).json()
    assert body["ok"] is False
    assert body["tests"] == [
        {
            "name": "营收2亿元",
            "on": "2025-03-01",
            "expected": "eligible",
            "outcome": "eligible",
            "expected_benefit": "2000000",
            "benefit": "500000",
            "passed": False,
        }
    ]
    assert body["errors"][0]["field"] == "tests"


def test_policy_suggestions_give_the_tier_the_parts_in_words_and_the_rule_reasons(client: TestClient) -> None:
    login(client, "enterprise", "enterprise-demo")
    body = client.get("/api/v1/organisations/demo-xinghe/policy-suggestions?on=2025-06-01").json()
    assert (body["slug"], body["on"]) == ("demo-xinghe", "2025-06-01")
    assert [(s["policy"], s["tier"]) for s in body["suggestions"]] == [
        ("ai-compute-voucher", "eligible"),
        ("iic-science-city-space", "eligible"),
        ("iic-rd-post-funding", "eligible"),
        ("de-data-enterprise", "eligible"),
        ("ai-scenario-access", "eligible"),
        ("ngit-software-tax", "eligible"),
        ("icc-new-venues", "maybe"),
        ("uni-growth-award", "maybe"),
    ]
    first = body["suggestions"][0]
    assert (first["outcome"], first["version"], first["benefit"]["amount"]) == ("eligible", 2, "4500000")
    assert [p["name"] for p in first["parts"]] == ["industry", "semantic", "lexical"]
    assert first["parts"][0] | {"value": 0, "contribution": 0} == {
        "name": "industry",
        "value": 0,
        "weight": 0.25,
        "contribution": 0,
        "zh": "同属人工智能",
        "en": "Both in artificial intelligence",
        "good": True,
    }
    assert [r["status"] for r in first["rule_reasons"]] == ["met", "met"]
    venues = body["suggestions"][6]
    assert (venues["missing_facts"], venues["parts"][0]["zh"]) == (["retail_sales"], "位于海淀区")
    by_id = client.get(
        f"/api/v1/organisations/{body['organisation']}/policy-suggestions?on=2025-06-01&limit=2"
    )
    assert [s["policy"] for s in by_id.json()["suggestions"]] == [
        "ai-compute-voucher",
        "iic-science-city-space",
    ]


def test_policy_suggestions_only_for_the_organiser_the_district_and_the_enterprise(
    client: TestClient,
) -> None:
    path = "/api/v1/organisations/{}/policy-suggestions?on=2025-06-01&limit=1"
    assert client.get(path.format("demo-xinghe")).status_code == 401
    cases = [
        ("organiser", "organiser-demo", {"demo-xinghe": 200, "ranli": 200}),
        ("haidian", "district-demo", {"demo-xinghe": 200, "ranli": 403}),
        ("enterprise", "enterprise-demo", {"demo-xinghe": 200, "ranli": 403}),
        ("investor", "investor-demo", {"demo-xinghe": 403, "ranli": 403}),
    ]
    for user, password, expected in cases:
        login(client, user, password)
        got = {slug: client.get(path.format(slug)) for slug in expected}
        assert (user, {slug: r.status_code for slug, r in got.items()}) == (user, expected)
        for response in got.values():
            if response.status_code == 403:
                assert response.json()["error"]["message"] == (
                    "仅主办方、企业所在区及企业本身可查看该企业可能适用的政策。"
                )
        client.post("/logout", data={"csrf": csrf_of(client, "/")})
    login(client, "organiser", "organiser-demo")
    missing = client.get(path.format("no-such-org"))
    assert missing.status_code == 404 and missing.json()["error"]["message"] == "未找到机构：no-such-org"
