"""Every test case written in the policy catalogue runs as its own test; checks on the catalogue itself."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from duijie.policies.catalogue import (
    Policy,
    PolicyError,
    TestCase,
    load_catalogue,
    load_demo_enterprises,
    parse_catalogue,
    parse_policy,
)
from duijie.policies.evaluator import Outcome, evaluate, rank_packages, run_case

PACKAGES = load_catalogue()
CASES = [(policy, case) for package in PACKAGES for policy in package.policies for case in policy.tests]
SUMMIT_PACKAGES = [
    "国际科技创新中心建设政策包",
    "全球数字经济标杆城市建设政策包",
    "国际消费中心城市政策包",
    "总部经济政策包",
    "独角兽企业政策包",
    "新一代信息技术产业政策包",
    "智能制造与装备产业政策包",
    "人工智能产业政策包",
    "绿色能源与节能环保产业政策包",
    "科技服务业政策包",
]


@pytest.mark.parametrize(
    ("policy", "case"), CASES, ids=[f"{policy.id}[{policy.tests.index(case)}]" for policy, case in CASES]
)
def test_catalogue_case_gives_expected_outcome(policy: Policy, case: TestCase) -> None:
    result = run_case(policy, case)
    assert (result.outcome, result.version if case.version else None) == (case.outcome, case.version)
    if case.benefit is not None:
        assert result.benefit == case.benefit


def test_catalogue_has_the_ten_summit_packages_in_order() -> None:
    assert [p.name_zh for p in PACKAGES] == SUMMIT_PACKAGES
    assert {(p.event, p.source, p.provenance) for p in PACKAGES} == {
        ("invest-beijing-2023", "000_41e0bd28c136a3b5.txt", "source")
    }


def test_catalogue_policies_are_synthetic_bilingual_and_tested() -> None:
    for package in PACKAGES:
        assert 3 <= len(package.policies) <= 4, package.id
        assert package.name_en
        for policy in package.policies:
            assert policy.provenance == "synthetic", policy.id
            assert policy.name_en and policy.issuer_zh and policy.issuer_en, policy.id
            assert 2 <= len(policy.tests) <= 4, policy.id
            assert all(v.clause_zh and v.clause_en for v in policy.versions), policy.id


def test_catalogue_cases_cover_every_outcome_and_both_versions() -> None:
    assert Counter(case.outcome for _, case in CASES).keys() == {"eligible", "not_eligible", "undetermined"}
    assert {case.version for _, case in CASES} == {None, 1, 2}


def test_demo_enterprises_see_a_mix_of_outcomes() -> None:
    outcomes: Counter[Outcome] = Counter()
    tops = set()
    for enterprise in load_demo_enterprises():
        ranked = rank_packages(PACKAGES, enterprise.facts, on=date(2024, 4, 25))
        outcomes.update(d.outcome for r in ranked for d in r.decisions)
        assert ranked[0].total > 0, enterprise.id
        tops.add(ranked[0].package.id)
    assert set(outcomes) == set(Outcome)
    assert len(tops) >= 5


def test_policy_to_data_round_trips_with_same_decisions() -> None:
    facts = {
        "high_tech": True,
        "revenue": "1亿",
        "rd_spend": "450万",
        "industries": ["人工智能"],
        "compute_spend": "900万",
    }
    for package in PACKAGES:
        for policy in package.policies:
            again = parse_policy(json.loads(json.dumps(policy.to_data(), ensure_ascii=False)))
            assert again.to_data() == policy.to_data()
            for on in (date(2024, 6, 1), date(2025, 6, 1)):
                assert evaluate(again, facts, on=on) == evaluate(policy, facts, on=on)


def _flat(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": "flat",
        "name_zh": "单版本政策",
        "name_en": "Single-version policy",
        "valid_from": "2024-01-01",
        "rule": {"fact": "high_tech", "op": "==", "value": True},
        "benefit": {"kind": "talent", "amount": "5万元"},
        "tests": [
            {"name": "t", "facts": {"high_tech": True}, "expect": {"outcome": "eligible", "benefit": "5万"}}
        ],
    }
    data.update(changes)
    return data


def test_policy_flat_form_is_one_version() -> None:
    policy = parse_policy(_flat())
    assert [(v.version, v.valid_from, v.valid_to) for v in policy.versions] == [(1, date(2024, 1, 1), None)]
    assert [(t.on, t.benefit) for t in policy.tests] == [(date(2024, 1, 1), Decimal("50000"))]


def test_policy_version_test_cases_are_collected() -> None:
    version = {
        "valid_from": "2024-03-01",
        "rule": {"fact": "unicorn", "op": "==", "value": True},
        "benefit": {"kind": "fast_track"},
    }
    version["test_cases"] = [
        {"name": "u", "facts": {"unicorn": False}, "expect": {"outcome": "not_eligible"}}
    ]
    policy = parse_policy({"id": "v", "name_zh": "甲", "name_en": "A", "versions": [version]})
    assert [(t.name, t.on) for t in policy.tests] == [("u", date(2024, 3, 1))]


def test_policy_overlapping_versions_are_refused() -> None:
    one = {
        "valid_from": "2024-01-01",
        "valid_to": "2024-12-31",
        "rule": {"fact": "listed", "op": "==", "value": False},
        "benefit": {"kind": "fast_track"},
    }
    two = dict(one, valid_from="2024-06-01", valid_to=None)
    with pytest.raises(PolicyError) as caught:
        parse_policy({"id": "o", "name_zh": "甲", "name_en": "A", "versions": [one, two]})
    assert caught.value.message == "policy[o].versions: version 1 overlaps version 2"


def test_policy_unknown_benefit_kind_names_the_field() -> None:
    with pytest.raises(PolicyError) as caught:
        parse_policy(_flat(benefit={"kind": "cash"}))
    assert caught.value.field == "policy[flat].versions[0].benefit.kind"


def test_policy_formula_on_a_flag_is_refused() -> None:
    with pytest.raises(PolicyError) as caught:
        parse_policy(_flat(benefit={"kind": "subsidy", "formula": {"fact": "high_tech", "rate": "10%"}}))
    assert caught.value.field == "policy[flat].versions[0].benefit.formula.fact"


def test_policy_test_case_with_bad_facts_is_refused() -> None:
    bad = [{"name": "t", "facts": {"headcount": "many"}, "expect": {"outcome": "eligible"}}]
    with pytest.raises(PolicyError) as caught:
        parse_policy(_flat(tests=bad))
    assert caught.value.field == "policy[flat].tests[0].facts.headcount"


def test_policy_rule_errors_carry_full_paths() -> None:
    rule = {"all": [{"fact": "rd_ratio", "op": ">", "value": 2}, {"fact": "nope", "op": "==", "value": 1}]}
    with pytest.raises(PolicyError) as caught:
        parse_policy(_flat(rule=rule))
    assert [d.field for d in caught.value.details] == [
        "policy[flat].versions[0].rule.all[0].value",
        "policy[flat].versions[0].rule.all[1].fact",
    ]


def test_catalogue_repeated_policy_id_is_refused() -> None:
    package = {"id": "p", "name_zh": "包", "name_en": "Package", "policies": [_flat(), _flat()]}
    with pytest.raises(PolicyError) as caught:
        parse_catalogue({"packages": [package]})
    assert caught.value.message == "catalogue.policies: id 'flat' is used twice"
