"""The rule language: parsing, checks at save time with error paths, rendering and round trips."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from duijie.policies.facts import FactError, normalise_facts, parse_money
from duijie.policies.rules import (
    AllOf,
    Condition,
    RuleError,
    check_rule,
    parse_rule,
    render_rule,
    rule_to_data,
)

GOOD = {
    "all": [
        {"fact": "revenue", "op": ">=", "value": "2亿元"},
        {"fact": "registered_district", "op": "in", "value": ["海淀区", "昌平区"]},
        {
            "any": [
                {"fact": "high_tech", "op": "==", "value": True},
                {"fact": "founded_on", "fn": "age_years", "op": "<=", "value": 5},
            ]
        },
        {"not": {"fact": "listed", "op": "==", "value": True}},
        {"fact": "industries", "op": "intersects", "value": ["人工智能", "集成电路"]},
    ]
}


def _errors(rule: object) -> list[tuple[str, str]]:
    return [(e.path, e.message_en) for e in check_rule(rule)]


def test_rule_parse_builds_typed_conditions() -> None:
    rule = parse_rule(GOOD)
    assert isinstance(rule, AllOf)
    first = rule.items[0]
    assert first == Condition("all[0]", "revenue", ">=", Decimal("200000000"))
    assert rule.items[1] == Condition("all[1]", "registered_district", "in", ("海淀区", "昌平区"))


def test_rule_good_rule_has_no_errors() -> None:
    assert check_rule(GOOD) == []


def test_rule_round_trip_is_canonical() -> None:
    data = rule_to_data(parse_rule(GOOD))
    assert data["all"][0] == {"fact": "revenue", "op": ">=", "value": "200000000"}
    assert data["all"][2]["any"][1] == {"fact": "founded_on", "fn": "age_years", "op": "<=", "value": 5}
    assert rule_to_data(parse_rule(data)) == data


def test_rule_render_zh_reads_as_one_line() -> None:
    assert render_rule(parse_rule(GOOD), "zh") == (
        "上年营业收入不低于2亿元 且 注册地属于海淀区、昌平区 且 （是高新技术企业 或 成立年限不超过5年） "
        "且 非（是上市企业） 且 所属产业包含人工智能、集成电路之一"
    )


def test_rule_render_en_uses_english_names() -> None:
    assert render_rule(parse_rule(GOOD), "en") == (
        "last year's revenue at least CNY 200 million and registered district is Haidian or Changping and "
        "(is a high-tech enterprise or company age at most 5 years) and not (is a listed company) and "
        "industries include artificial intelligence or integrated circuits"
    )


def test_rule_unknown_fact_points_at_fact() -> None:
    errors = check_rule(
        {"all": [{"fact": "revenue", "op": ">", "value": 1}, {"fact": "profit", "op": ">", "value": 1}]}
    )
    assert [e.path for e in errors] == ["all[1].fact"]
    assert errors[0].message_zh.startswith("未知事实“profit”")


def test_rule_date_compared_with_money_is_type_error() -> None:
    errors = check_rule({"all": [{"fact": "founded_on", "op": ">=", "value": "2亿元"}]})
    assert [e.path for e in errors] == ["all[0].value"]
    assert errors[0].message_zh == "成立日期是日期，不能与“2亿元”比较"


def test_rule_money_value_that_is_a_date_is_type_error() -> None:
    errors = check_rule({"fact": "revenue", "op": ">=", "value": "2023-01-01"})
    assert [e.path for e in errors] == ["value"]


def test_rule_unknown_district_is_refused() -> None:
    errors = check_rule(
        {"all": [{"fact": "registered_district", "op": "in", "value": ["海淀区", "浦东新区"]}]}
    )
    assert [e.path for e in errors] == ["all[0].value[1]"]
    assert errors[0].message_zh.startswith("“浦东新区”不是注册地的可选值")


def test_rule_unknown_industry_in_contains_is_refused() -> None:
    errors = check_rule({"fact": "industries", "op": "contains", "value": "房地产"})
    assert [e.path for e in errors] == ["value"]


def test_rule_ratio_above_one_is_impossible() -> None:
    errors = check_rule(
        {"all": [{"fact": "revenue", "op": ">", "value": 0}, {"fact": "rd_ratio", "op": ">", "value": 1.5}]}
    )
    assert [(e.path, e.message_zh) for e in errors] == [
        ("all[1].value", "研发投入强度不可能高于150%（取值范围0%～100%）")
    ]


def test_rule_negative_headcount_is_impossible() -> None:
    assert _errors({"fact": "headcount", "op": "<", "value": 0}) == [
        ("value", "headcount can never be less than 0 employees (the smallest possible value is 0 employees)")
    ]


def test_rule_headcount_at_most_zero_is_possible() -> None:
    assert check_rule({"fact": "headcount", "op": "<=", "value": 0}) == []


def test_rule_all_that_never_holds_points_at_all() -> None:
    rule = {
        "all": [
            {"fact": "headcount", "op": ">", "value": 5},
            {"fact": "revenue", "op": ">", "value": "1亿"},
            {"fact": "headcount", "op": "<", "value": 3},
        ]
    }
    assert _errors(rule) == [("all", "all[0], all[2] can never hold together for headcount")]


def test_rule_integer_gap_without_room_never_holds() -> None:
    rule = {
        "all": [{"fact": "headcount", "op": ">", "value": 5}, {"fact": "headcount", "op": "<", "value": 6}]
    }
    assert [e.path for e in check_rule(rule)] == ["all"]


def test_rule_money_gap_with_room_holds() -> None:
    rule = {"all": [{"fact": "revenue", "op": ">", "value": 5}, {"fact": "revenue", "op": "<", "value": 6}]}
    assert check_rule(rule) == []


def test_rule_nested_all_conflict_points_at_nested_path() -> None:
    rule = {
        "any": [
            {"fact": "high_tech", "op": "==", "value": True},
            {
                "all": [
                    {"fact": "registered_district", "op": "==", "value": "海淀区"},
                    {"fact": "registered_district", "op": "in", "value": ["朝阳区", "通州区"]},
                ]
            },
        ]
    }
    assert [e.path for e in check_rule(rule)] == ["any[1].all"]


def test_rule_bool_both_ways_never_holds() -> None:
    rule = {
        "all": [
            {"fact": "unicorn", "op": "==", "value": True},
            {"fact": "unicorn", "op": "!=", "value": True},
        ]
    }
    assert [e.path for e in check_rule(rule)] == ["all"]


def test_rule_operator_not_for_type_is_refused() -> None:
    assert [e.path for e in check_rule({"fact": "industries", "op": ">", "value": 3})] == ["op"]
    assert [e.path for e in check_rule({"fact": "high_tech", "op": "<", "value": True})] == ["op"]


def test_rule_age_on_non_date_is_refused() -> None:
    assert [e.path for e in check_rule({"fact": "revenue", "fn": "age_years", "op": "<", "value": 3})] == [
        "fn"
    ]


def test_rule_empty_group_is_refused() -> None:
    assert _errors({"all": []}) == [("all", "“all” needs a non-empty list")]


def test_rule_money_finer_than_fen_is_refused() -> None:
    assert [e.path for e in check_rule({"fact": "revenue", "op": ">", "value": "0.001"})] == ["value"]


def test_rule_collects_every_error() -> None:
    rule = {
        "all": [{"fact": "x", "op": "==", "value": 1}, {"fact": "rd_ratio", "op": ">=", "value": 2}, "oops"]
    }
    assert [e.path for e in check_rule(rule)] == ["all[0].fact", "all[1].value", "all[2]"]


def test_rule_parse_raises_with_all_errors() -> None:
    with pytest.raises(RuleError) as caught:
        parse_rule(
            {"all": [{"fact": "x", "op": "==", "value": 1}, {"fact": "rd_ratio", "op": ">=", "value": 2}]}
        )
    assert [e.path for e in caught.value.errors] == ["all[0].fact", "all[1].value"]
    assert [d.field for d in caught.value.details] == ["all[0].fact", "all[1].value"]


def test_money_parses_chinese_units() -> None:
    assert parse_money("1.2亿元") == Decimal("120000000")
    assert parse_money("500万") == Decimal("5000000")
    assert parse_money("1,200,000") == Decimal("1200000")


def test_money_reads_amounts_spelt_in_chinese_numerals_as_the_organisation_editor_does() -> None:
    assert parse_money("两亿") == Decimal("200000000")
    assert parse_money("一亿五千万元") == Decimal("150000000")
    facts = normalise_facts({"revenue": "三千万", "rd_spend": "一百万"})
    assert facts["rd_ratio"] == Decimal("0.033333")
    with pytest.raises(ValueError, match="is not an amount"):
        parse_money("亿")


def test_facts_flags_list_sets_every_flag() -> None:
    facts = normalise_facts({"flags": ["high_tech"], "founded_on": "2020-02-29"})
    assert facts["high_tech"] is True
    assert facts["unicorn"] is False
    assert facts["founded_on"] == date(2020, 2, 29)


def test_facts_rd_ratio_is_derived_when_absent() -> None:
    facts = normalise_facts({"revenue": "3000万", "rd_spend": "100万"})
    assert facts["rd_ratio"] == Decimal("0.033333")


def test_facts_bad_value_names_the_field() -> None:
    with pytest.raises(FactError) as caught:
        normalise_facts({"headcount": -3}, where="enterprises[e1]")
    assert caught.value.field == "enterprises[e1].headcount"
    assert caught.value.message == "enterprises[e1].headcount: -3 is below the smallest possible value 0"


def test_facts_unknown_district_is_refused() -> None:
    with pytest.raises(FactError) as caught:
        normalise_facts({"registered_district": "浦东新区"})
    assert caught.value.field == "facts.registered_district"


def test_rule_conflict_across_nested_all_is_reported_once() -> None:
    rule = {
        "all": [
            {"fact": "rd_ratio", "op": ">=", "value": "5%"},
            {
                "all": [
                    {"fact": "high_tech", "op": "==", "value": True},
                    {"fact": "rd_ratio", "op": "<", "value": "3%"},
                ]
            },
        ]
    }
    assert _errors(rule) == [("all", "all[0], all[1].all[1] can never hold together for R&D intensity")]


def test_rule_conflict_inside_any_branch_stays_in_branch() -> None:
    rule = {
        "all": [
            {"fact": "rd_ratio", "op": ">=", "value": "5%"},
            {
                "any": [
                    {"fact": "high_tech", "op": "==", "value": True},
                    {"fact": "rd_ratio", "op": "<", "value": "3%"},
                ]
            },
        ]
    }
    assert check_rule(rule) == []


def test_ratio_is_written_with_two_decimals_of_a_percent() -> None:
    from decimal import Decimal

    from duijie.policies.facts import FACTS, format_value

    ratio = FACTS["rd_ratio"]
    assert format_value(ratio, Decimal("0.177778"), "zh") == "17.78%"
    assert format_value(ratio, Decimal("0.04"), "en") == "4%"
