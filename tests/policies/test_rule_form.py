"""The structured rule editor's server half: the vocabulary it offers and rules written back as typed values.

A rule written back for the rows must read back to the very same rule, or opening and saving a policy would
quietly change its conditions (and save a new version)."""

from __future__ import annotations

from typing import Any

import pytest

from duijie.policies.facts import FACTS, FactType
from duijie.policies.rule_form import editable_rule, rule_to_form, vocabulary
from duijie.policies.rules import OPS_BY_TYPE, parse_rule, render_rule, rule_to_data

ROUND_TRIPS: list[dict[str, Any]] = [
    {
        "all": [
            {"fact": "revenue", "op": ">=", "value": "123456789.12"},
            {"fact": "high_tech", "op": "==", "value": True},
        ]
    },
    {
        "any": [
            {"fact": "revenue", "op": "<", "value": "15000000"},
            {"fact": "revenue", "op": ">", "value": "9999.5"},
        ]
    },
    {
        "all": [
            {"fact": "rd_ratio", "op": ">=", "value": "0.045678"},
            {"fact": "unicorn", "op": "!=", "value": True},
        ]
    },
    {"not": {"all": [{"fact": "founded_on", "fn": "age_years", "op": "<=", "value": 3}]}},
    {"not": {"fact": "founded_on", "op": ">=", "value": "2020-02-29"}},
    {
        "all": [
            {"fact": "registered_district", "op": "in", "value": ["海淀区", "朝阳区"]},
            {"fact": "industries", "op": "intersects", "value": ["人工智能", "集成电路"]},
            {"fact": "park", "op": "!=", "value": "其他"},
            {"fact": "valuation", "op": ">=", "value": "100000000000"},
            {"fact": "headcount", "op": ">=", "value": 50},
        ]
    },
]


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("data", ROUND_TRIPS)
def test_rows_read_back_to_the_same_rule(data: dict[str, Any], lang: str) -> None:
    rule = parse_rule(data)
    assert rule_to_data(parse_rule(rule_to_form(rule, lang))) == rule_to_data(rule)


def test_values_are_written_as_an_author_types_them() -> None:
    rule = parse_rule(ROUND_TRIPS[0])
    assert rule_to_form(rule, "zh")["all"][0]["value"] == "1.2345678912亿元"
    assert rule_to_form(rule, "en")["all"][0]["value"] == "123,456,789.12"
    ratio = parse_rule(ROUND_TRIPS[2])
    assert rule_to_form(ratio, "zh")["all"][0]["value"] == "4.5678%"
    # A yes/no fact is always compared with "yes": "is not (not a unicorn)" is the row "is a unicorn", which
    # says the same in words.
    double = parse_rule({"fact": "unicorn", "op": "!=", "value": False})
    assert rule_to_form(double, "zh") == {"fact": "unicorn", "op": "==", "value": True}
    assert (
        render_rule(parse_rule(rule_to_form(double, "zh")), "zh")
        == render_rule(double, "zh")
        == "是独角兽企业"
    )
    small = parse_rule({"fact": "revenue", "op": ">=", "value": "15000000"})
    assert rule_to_form(small, "zh")["value"] == "1500万元"


def test_the_vocabulary_offers_every_fact_with_its_operators_in_words() -> None:
    zh = {s["key"]: s for s in vocabulary("zh")}
    en = {s["key"]: s for s in vocabulary("en")}
    dates = [f.name for f in FACTS.values() if f.type == FactType.DATE]
    assert set(zh) == set(FACTS) | {f"{d}|age_years" for d in dates}
    for name, fact in FACTS.items():
        assert [o["op"] for o in zh[name]["ops"]] == list(OPS_BY_TYPE[fact.type])
        assert all(o["label"] for o in zh[name]["ops"] + en[name]["ops"])
    revenue = {o["op"]: o["label"] for o in zh["revenue"]["ops"]}
    assert (revenue[">="], revenue["<"]) == ("不低于", "低于")
    assert {o["op"]: o["label"] for o in en["founded_on"]["ops"]}["<"] == "before"
    age = zh["founded_on|age_years"]
    assert (age["label"], age["unit"], age["fn"], age["type"]) == ("成立年限", "年", "age_years", "int")
    districts = {c["value"]: c["label"] for c in en["registered_district"]["choices"]}
    assert districts["海淀区"] == "Haidian"


def test_the_text_loads_as_rows_only_when_it_is_a_rule_document() -> None:
    assert editable_rule("", "zh") is None
    assert editable_rule("all: [unclosed", "zh") is None  # not YAML: the text stays the author's
    assert editable_rule("- just a list", "zh") is None
    assert editable_rule("[" * 200 + "]" * 200, "zh") is None  # too deep to be a rule: not walked
    # Unsound but rule-shaped: shown as written, so the server's errors point into the rows.
    unsound = editable_rule("all: [{fact: revenu, op: '>=', value: 2020-01-01}]", "zh")
    assert unsound == {"all": [{"fact": "revenu", "op": ">=", "value": "2020-01-01"}]}
    assert editable_rule("{fact: revenue, op: '>=', value: 2亿元}", "en") == {
        "fact": "revenue",
        "op": ">=",
        "value": "200,000,000",
    }
