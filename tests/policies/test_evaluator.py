"""The evaluator: three-valued outcomes, reasons, benefits, counterfactuals, versions, ranking, bulk."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from duijie.policies.bulk import FactTable, evaluate_many, match_enterprises
from duijie.policies.catalogue import Package, Policy, parse_policy
from duijie.policies.evaluator import Outcome, evaluate, rank_packages
from duijie.policies.facts import DISTRICTS, INDUSTRIES, FactError

ON = date(2024, 6, 1)


def _policy(rule: dict[str, Any], benefit: dict[str, Any] | None = None, **extra: Any) -> Policy:
    version = {
        "valid_from": "2023-01-01",
        "rule": rule,
        "benefit": benefit or {"kind": "subsidy", "amount": "30万元"},
    }
    return parse_policy(
        {"id": extra.get("id", "p"), "name_zh": "测试政策", "name_en": "Test policy", "versions": [version]}
    )


REVENUE = {"fact": "revenue", "op": ">=", "value": "2亿元"}
HIGH_TECH = {"fact": "high_tech", "op": "==", "value": True}
HAIDIAN = {"fact": "registered_district", "op": "in", "value": ["海淀区", "昌平区"]}
RD_GRANT = {"kind": "subsidy", "formula": {"fact": "rd_spend", "rate": "10%", "cap": "500万元"}}


def test_evaluate_all_met_is_eligible_with_reasons() -> None:
    decision = evaluate(_policy({"all": [REVENUE, HIGH_TECH]}), {"revenue": "3亿", "high_tech": True}, on=ON)
    assert decision.outcome == Outcome.ELIGIBLE
    assert [(r.path, r.status) for r in decision.reasons] == [("all[0]", "met"), ("all[1]", "met")]
    assert decision.reasons[0].text_zh == "上年营业收入3亿元，不低于2亿元"
    assert decision.counterfactuals == ()


def test_evaluate_missed_revenue_says_by_how_much() -> None:
    decision = evaluate(
        _policy({"all": [REVENUE, HIGH_TECH]}), {"revenue": "1.2亿", "high_tech": True}, on=ON
    )
    assert decision.outcome == Outcome.NOT_ELIGIBLE
    reason = decision.reasons[0]
    assert reason.text_zh == "上年营业收入1.2亿元，低于要求的2亿元，差0.8亿元"
    assert reason.text_en == (
        "last year's revenue is CNY 120 million, below the required CNY 200 million, short by CNY 80 million"
    )
    assert reason.gap == Decimal("80000000")


def test_evaluate_false_beats_unknown_in_all() -> None:
    decision = evaluate(_policy({"all": [REVENUE, HIGH_TECH]}), {"revenue": "1亿"}, on=ON)
    assert decision.outcome == Outcome.NOT_ELIGIBLE
    assert [r.status for r in decision.reasons] == ["missed", "missing"]
    assert decision.missing_facts == ("high_tech",)


def test_evaluate_unknown_without_false_is_undetermined() -> None:
    decision = evaluate(_policy({"all": [REVENUE, HIGH_TECH]}), {"revenue": "5亿"}, on=ON)
    assert decision.outcome == Outcome.UNDETERMINED
    assert decision.reasons[1].text_zh == "未提供“高新技术企业”信息，无法判断是否满足“是高新技术企业”"
    assert [c.text_zh for c in decision.counterfactuals] == [
        "若是高新技术企业（尚未提供），即可符合“测试政策”"
    ]
    assert decision.counterfactuals[0].missing == ("high_tech",)


def test_evaluate_true_beats_unknown_in_any() -> None:
    decision = evaluate(_policy({"any": [REVENUE, HIGH_TECH]}), {"high_tech": True}, on=ON)
    assert decision.outcome == Outcome.ELIGIBLE


def test_evaluate_not_of_unknown_is_undetermined() -> None:
    decision = evaluate(_policy({"not": {"fact": "listed", "op": "==", "value": True}}), {}, on=ON)
    assert decision.outcome == Outcome.UNDETERMINED
    assert decision.reasons[0].text_zh == "未提供“上市企业”信息，无法判断是否满足“不是上市企业”"


def test_evaluate_not_reads_reason_with_polarity() -> None:
    rule = {"not": {"fact": "registered_district", "op": "in", "value": ["东城区", "西城区"]}}
    decision = evaluate(_policy(rule), {"registered_district": "东城区"}, on=ON)
    assert decision.outcome == Outcome.NOT_ELIGIBLE
    assert decision.reasons[0].status == "missed"
    assert decision.reasons[0].text_zh == "注册地为东城区，不符合要求：注册地不属于东城区、西城区"


def test_evaluate_counterfactual_names_the_missing_threshold() -> None:
    decision = evaluate(
        _policy({"all": [REVENUE, HAIDIAN]}), {"revenue": "1.2亿", "registered_district": "海淀区"}, on=ON
    )
    assert [c.text_zh for c in decision.counterfactuals] == ["若上年营业收入不低于2亿元，即可符合“测试政策”"]
    assert decision.counterfactuals[0].text_en == (
        "would qualify for “Test policy” with: last year's revenue at least CNY 200 million"
    )


def test_evaluate_counterfactual_offers_each_branch_of_any() -> None:
    rule = {"all": [HAIDIAN, {"any": [REVENUE, HIGH_TECH]}]}
    decision = evaluate(
        _policy(rule), {"registered_district": "海淀区", "revenue": "1亿", "high_tech": False}, on=ON
    )
    assert [c.facts for c in decision.counterfactuals] == [("revenue",), ("high_tech",)]


def test_evaluate_counterfactual_skips_unchangeable_facts() -> None:
    young = {"fact": "founded_on", "fn": "age_years", "op": "<=", "value": 5}
    rule = {"any": [young, HIGH_TECH]}
    decision = evaluate(_policy(rule), {"founded_on": "2010-01-01", "high_tech": False}, on=ON)
    assert decision.reasons[0].text_zh == "成立年限14年，超过上限5年，超出9年"
    assert [c.facts for c in decision.counterfactuals] == [("high_tech",)]


def test_evaluate_age_counts_whole_years() -> None:
    young = {"fact": "founded_on", "fn": "age_years", "op": "<=", "value": 5}
    policy = _policy(young)
    assert evaluate(policy, {"founded_on": "2019-06-02"}, on=ON).outcome == Outcome.ELIGIBLE
    assert evaluate(policy, {"founded_on": "2018-06-02"}, on=ON).outcome == Outcome.ELIGIBLE
    assert evaluate(policy, {"founded_on": "2018-06-01"}, on=ON).outcome == Outcome.NOT_ELIGIBLE


def test_evaluate_ratio_gap_in_percentage_points() -> None:
    decision = evaluate(_policy({"fact": "rd_ratio", "op": ">=", "value": "5%"}), {"rd_ratio": "3.2%"}, on=ON)
    assert decision.reasons[0].text_zh == "研发投入强度3.2%，低于要求的5%，差1.8个百分点"


def test_evaluate_formula_benefit_is_exact_and_capped() -> None:
    policy = _policy(HIGH_TECH, RD_GRANT)
    small = evaluate(policy, {"high_tech": True, "rd_spend": "1234567.85"}, on=ON)
    assert small.benefit is not None
    assert small.benefit.amount == Decimal("123456.79")
    assert small.benefit.capped is False
    assert small.benefit.text_zh == "资金补贴，预计12.345679万元（上年研发投入达到5000万元可获上限500万元）"
    big = evaluate(policy, {"high_tech": True, "rd_spend": "8000万"}, on=ON)
    assert big.benefit is not None
    assert big.benefit.amount == Decimal("5000000")
    assert big.benefit.text_zh == "资金补贴，预计500万元（已达上限）"


def test_evaluate_formula_without_base_has_no_amount() -> None:
    decision = evaluate(_policy(HIGH_TECH, RD_GRANT), {"high_tech": True}, on=ON)
    assert decision.outcome == Outcome.ELIGIBLE
    assert decision.benefit is not None
    assert decision.benefit.amount is None
    assert decision.amount == Decimal(0)
    assert decision.benefit.text_zh == "资金补贴（需提供上年研发投入以估算金额）"


def _versioned() -> Policy:
    return parse_policy(
        {
            "id": "v",
            "name_zh": "版本政策",
            "name_en": "Versioned policy",
            "versions": [
                {
                    "version": 1,
                    "valid_from": "2023-01-01",
                    "valid_to": "2023-12-31",
                    "rule": {"fact": "revenue", "op": ">=", "value": "2亿"},
                    "benefit": {"kind": "subsidy", "amount": "100万"},
                },
                {
                    "version": 2,
                    "valid_from": "2024-01-01",
                    "valid_to": "2025-12-31",
                    "rule": {"fact": "revenue", "op": ">=", "value": "1亿"},
                    "benefit": {"kind": "subsidy", "amount": "50万"},
                },
            ],
        }
    )


def test_evaluate_picks_version_in_force() -> None:
    facts = {"revenue": "1.5亿"}
    old = evaluate(_versioned(), facts, on=date(2023, 12, 31))
    new = evaluate(_versioned(), facts, on=date(2024, 1, 1))
    assert (old.version, old.outcome) == (1, Outcome.NOT_ELIGIBLE)
    assert (new.version, new.outcome, new.amount) == (2, Outcome.ELIGIBLE, Decimal("500000"))


def test_evaluate_outside_validity_is_not_eligible_without_version() -> None:
    decision = evaluate(_versioned(), {"revenue": "5亿"}, on=date(2026, 1, 1))
    assert (decision.version, decision.outcome) == (None, Outcome.NOT_ELIGIBLE)
    assert decision.reasons[0].status == "not_in_force"


def test_decision_to_dict_is_json_ready() -> None:
    data = evaluate(_policy(HIGH_TECH, RD_GRANT), {"high_tech": True, "rd_spend": "100万"}, on=ON).to_dict()
    assert data["outcome"] == "eligible"
    assert data["version"] == 1
    assert data["benefit"]["amount"] == "100000"
    assert data["reasons"][0]["status"] == "met"


def test_rank_packages_orders_by_total_benefit() -> None:
    cheap = Package(
        "cheap", "小包", "Small", (_policy(HIGH_TECH, {"kind": "subsidy", "amount": "10万"}, id="a"),)
    )
    rich = Package(
        "rich",
        "大包",
        "Big",
        (
            _policy(HIGH_TECH, {"kind": "subsidy", "amount": "40万"}, id="b"),
            _policy(REVENUE, {"kind": "subsidy", "amount": "900万"}, id="c"),
        ),
    )
    ranked = rank_packages([cheap, rich], {"high_tech": True, "revenue": "1亿"}, on=ON)
    assert [(r.package.id, r.total, r.eligible) for r in ranked] == [
        ("rich", Decimal("400000"), 1),
        ("cheap", Decimal("100000"), 1),
    ]


def _random_facts(rng: random.Random) -> dict[str, Any]:
    facts: dict[str, Any] = {}
    if rng.random() < 0.9:
        facts["revenue"] = rng.randrange(0, 10**9) / 100 * rng.choice([1, 10, 100])
    if rng.random() < 0.85:
        facts["rd_spend"] = rng.randrange(0, 10**8) / 100
    if rng.random() < 0.8:
        facts["registered_district"] = rng.choice(DISTRICTS)
    if rng.random() < 0.8:
        facts["industries"] = rng.sample(INDUSTRIES, rng.randint(0, 3))
    if rng.random() < 0.8:
        facts["founded_on"] = (date(2000, 1, 1) + timedelta(days=rng.randrange(9000))).isoformat()
    if rng.random() < 0.8:
        facts["headcount"] = rng.randrange(0, 3000)
    for flag in ("high_tech", "specialised", "listed", "foreign_invested"):
        if rng.random() < 0.7:
            facts[flag] = rng.random() < 0.4
    return facts


BULK_POLICIES = [
    _policy({"all": [REVENUE, HAIDIAN]}, RD_GRANT, id="b1"),
    _policy({"any": [HIGH_TECH, {"fact": "rd_ratio", "op": ">", "value": "3%"}]}, RD_GRANT, id="b2"),
    _policy(
        {
            "all": [
                {"fact": "founded_on", "fn": "age_years", "op": "<", "value": 8},
                {"not": {"fact": "listed", "op": "==", "value": True}},
                {"fact": "industries", "op": "intersects", "value": ["人工智能", "集成电路"]},
            ]
        },
        {"kind": "talent", "formula": {"fact": "headcount", "rate": "333.33", "cap": "50万"}},
        id="b3",
    ),
    _policy(
        {
            "any": [
                {"fact": "industries", "op": "contains", "value": "医药健康"},
                {
                    "all": [
                        {"fact": "headcount", "op": "!=", "value": 100},
                        {"fact": "founded_on", "op": ">=", "value": "2015-01-01"},
                    ]
                },
            ]
        },
        {"kind": "fast_track"},
        id="b4",
    ),
    _policy(
        {"fact": "registered_district", "op": "==", "value": "朝阳区"},
        {"kind": "subsidy", "amount": "1.5万"},
        id="b5",
    ),
]


def test_evaluate_many_agrees_with_evaluate() -> None:
    rng = random.Random(7)
    enterprises = {f"e{i}": _random_facts(rng) for i in range(300)}
    bulk = evaluate_many(BULK_POLICIES, enterprises, on=ON)
    seen = set()
    for i, (eid, facts) in enumerate(enterprises.items()):
        for j, policy in enumerate(BULK_POLICIES):
            decision = evaluate(policy, facts, on=ON)
            assert bulk.outcome(eid, policy.id) == decision.outcome, (eid, policy.id)
            seen.add(decision.outcome)
            estimate = decision.benefit.amount if decision.benefit else None
            assert bool(bulk.benefit_known[i, j]) == (estimate is not None)
            if estimate is not None:
                assert Decimal(int(bulk.benefit_fen[i, j])).scaleb(-2) == estimate
    assert seen == {Outcome.ELIGIBLE, Outcome.NOT_ELIGIBLE, Outcome.UNDETERMINED}


def test_evaluate_many_totals_sum_eligible_amounts() -> None:
    rng = random.Random(11)
    enterprises = {f"e{i}": _random_facts(rng) for i in range(60)}
    totals = evaluate_many(BULK_POLICIES, enterprises, on=ON).totals()
    for eid, facts in enterprises.items():
        expected = sum((evaluate(p, facts, on=ON).amount for p in BULK_POLICIES), Decimal(0))
        assert totals[eid] == expected


def test_evaluate_many_marks_policy_out_of_force() -> None:
    bulk = evaluate_many([_versioned()], {"x": {"revenue": "9亿"}}, on=date(2022, 1, 1))
    assert bulk.versions == [None]
    assert bulk.outcome("x", "v") == Outcome.NOT_ELIGIBLE


def test_fact_table_bad_enterprise_is_named() -> None:
    with pytest.raises(FactError) as caught:
        FactTable.build({"ok": {"revenue": 1}, "bad": {"revenue": "lots"}})
    assert caught.value.field == "enterprises[bad].revenue"


def test_match_enterprises_lists_eligible_then_undetermined() -> None:
    enterprises = {
        "small": {"high_tech": True, "rd_spend": "100万"},
        "big": {"high_tech": True, "rd_spend": "2000万"},
        "unknown": {"rd_spend": "3000万"},
        "no": {"high_tech": False},
    }
    matches = match_enterprises(_policy(HIGH_TECH, RD_GRANT), enterprises, on=ON)
    assert [(m.enterprise_id, m.decision.outcome) for m in matches] == [
        ("big", Outcome.ELIGIBLE),
        ("small", Outcome.ELIGIBLE),
        ("unknown", Outcome.UNDETERMINED),
    ]
    assert matches[0].to_row()["benefit_yuan"] == "2000000"
    only = match_enterprises(_policy(HIGH_TECH, RD_GRANT), enterprises, on=ON, include_undetermined=False)
    assert [m.enterprise_id for m in only] == ["big", "small"]


def test_evaluate_many_huge_amounts_stay_exact() -> None:
    rate = {"kind": "subsidy", "formula": {"fact": "revenue", "rate": "0.12345678901234567891"}}
    policy = _policy({"fact": "revenue", "op": ">=", "value": 0}, rate)
    enterprises = {"a": {"revenue": "98765432101234.56"}, "b": {"revenue": "0.01"}}
    bulk = evaluate_many([policy], enterprises, on=ON)
    assert [int(v) for v in bulk.benefit_fen[:, 0]] == [1219326311263527, 0]
    decision = evaluate(policy, enterprises["a"], on=ON)
    assert decision.benefit is not None
    assert decision.benefit.amount == Decimal("12193263112635.27")
