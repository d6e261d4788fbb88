"""Policies in the database: rows load as engine objects, drafts are checked at save time, organisations are
evaluated and their decisions kept, and 政策找企业 lists and exports the enterprises a policy fits."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from duijie.core.auth import Actor, Grant
from duijie.core.errors import PermissionDenied
from duijie.directory.models import Organisation
from duijie.policies import authoring, decisions, enterprise_facts, evaluator, outreach, records
from duijie.policies.models import EligibilityDecision, Policy, PolicyPackage, PolicyVersion

ORGANISER = Actor(username="organiser", grants=(Grant(role="organiser"),))
HAIDIAN = Actor(username="haidian", grants=(Grant(role="district", district="海淀区"),))
INVESTOR = Actor(username="investor", grants=(Grant(role="investor"),))
ON = dt.date(2025, 6, 1)

RULE = """
all:
  - {fact: revenue, op: ">=", value: 1亿元}
  - {fact: registered_district, op: "==", value: 海淀区}
"""
TESTS = """
- name: 海淀区营收2亿元
  on: 2025-06-01
  facts: {revenue: 2亿元, registered_district: 海淀区}
  expect: {outcome: eligible, benefit: 50万元}
- name: 营收不足
  on: 2025-06-01
  facts: {revenue: 5000万元, registered_district: 海淀区}
  expect: {outcome: not_eligible}
"""


def _org(db: Session, slug: str) -> Organisation:
    org = db.scalar(select(Organisation).where(Organisation.slug == slug))
    assert org is not None
    return org


def _enterprise_actor(org: Organisation) -> Actor:
    return Actor(username="enterprise", grants=(Grant(role="enterprise", organisation_id=org.id),))


def _draft(**changes: str) -> authoring.PolicyDraft:
    values = {
        "slug": "hd-growth-award",
        "name_zh": "海淀区成长企业奖励",
        "name_en": "Haidian growth award",
        "package": "ib2023-pkg-01",
        "district": "海淀区",
        "valid_from": "2025-01-01",
        "valid_to": "2026-12-31",
        "rule": RULE,
        "benefit_kind": "subsidy",
        "benefit_amount": "50万元",
        "tests": TESTS,
    }
    values.update(changes)
    return authoring.PolicyDraft(**values)


def test_demo_packages_hold_the_catalogue_policies_with_their_versions(db: Session) -> None:
    counts = dict(
        db.execute(
            select(PolicyPackage.slug, func.count(Policy.id))
            .join(Policy, Policy.package_id == PolicyPackage.id)
            .group_by(PolicyPackage.slug)
        ).all()
    )
    assert len(counts) == 10 and sum(counts.values()) == 31 and min(counts.values()) == 3
    assert db.scalar(select(func.count(PolicyVersion.id))) == 33
    assert _org(db, "xiaomi-robotics").facts["registered_district"] == "北京经济技术开发区"


def test_policies_loaded_from_rows_pass_every_catalogue_test_case(db: Session) -> None:
    rows = db.scalars(select(Policy).order_by(Policy.slug))
    results = evaluator.run_tests([records.parse_policy(p) for p in rows])
    assert len(results) == 73
    assert [r.name for r in results if not r.passed] == []


def test_demo_enterprise_sees_a_mix_of_outcomes_ranked_by_benefit(db: Session) -> None:
    facts = enterprise_facts.organisation_facts(_org(db, "demo-xinghe"))
    ranked = decisions.evaluate_facts(db, facts=facts, on=ON)
    outcomes = [d.outcome.value for r in ranked for d in r.decisions]
    assert (outcomes.count("eligible"), outcomes.count("undetermined"), outcomes.count("not_eligible")) == (
        6,
        6,
        19,
    )
    assert [(r.package.id, r.total) for r in ranked[:3]] == [
        ("ib2023-pkg-01", Decimal("5560000")),
        ("ib2023-pkg-08", Decimal("4500000")),
        ("ib2023-pkg-02", Decimal("1000000")),
    ]
    assert sum(r.total for r in ranked) == Decimal("11060000")


def test_evaluating_an_organisation_keeps_one_decision_per_version_and_date(db: Session) -> None:
    org = _org(db, "demo-xinghe")
    actor = _enterprise_actor(org)
    decisions.evaluate_organisation(db, actor=actor, organisation=org, on=ON)
    decisions.evaluate_organisation(db, actor=actor, organisation=org, on=ON)
    stored = decisions.stored_decisions(db, actor=actor, organisation=org)
    assert len(stored) == 31
    compute = next(s for s in stored if s.policy.slug == "ai-compute-voucher")
    assert (compute.row.outcome, compute.version.version) == ("eligible", 2)
    assert compute.row.explanation["benefit"]["amount"] == "4500000"
    count = db.scalar(select(func.count()).where(EligibilityDecision.organisation_id == org.id))
    assert count == 31


def test_an_organisations_decisions_are_refused_to_other_accounts(db: Session) -> None:
    org = _org(db, "demo-xinghe")
    other = _enterprise_actor(_org(db, "hyperstrong"))
    for actor in (INVESTOR, other, HAIDIAN):
        with pytest.raises(PermissionDenied):
            decisions.stored_decisions(db, actor=actor, organisation=org)
        with pytest.raises(PermissionDenied):
            decisions.evaluate_organisation(db, actor=actor, organisation=org, on=ON)


def test_organisation_facts_combine_the_profile_and_drop_values_outside_the_vocabulary(db: Session) -> None:
    org = Organisation(
        slug="t-org",
        kind="enterprise",
        name_zh="测试企业",
        district="海淀区",
        industries=["人工智能", "不存在的产业"],
        flags=["high_tech"],
        facts={"revenue": "2亿元", "headcount": "many", "colour": "blue", "founded_on": "2020-01-02"},
    )
    facts = enterprise_facts.organisation_facts(org)
    assert facts["registered_district"] == "海淀区"
    assert facts["industries"] == ["人工智能"]
    assert (facts["high_tech"], facts["unicorn"]) == (True, False)
    assert facts["revenue"] == "200000000"
    assert "headcount" not in facts and "colour" not in facts


def test_a_rule_with_an_unknown_fact_is_refused_at_save_time_pointing_at_its_path(db: Session) -> None:
    rule = RULE.replace("registered_district", "registered_distrct")
    with pytest.raises(authoring.DraftRefused) as refused:
        authoring.save_draft(db, actor=ORGANISER, draft=_draft(rule=rule))
    fields = [d.field for d in refused.value.details]
    assert fields == ["rule.all[1].fact"]
    assert "registered_distrct" in refused.value.details[0].message
    assert db.scalar(select(Policy).where(Policy.slug == "hd-growth-award")) is None


def test_an_impossible_comparison_and_a_failing_test_case_are_both_refused(db: Session) -> None:
    impossible = authoring.check_draft(db, _draft(rule="{fact: rd_ratio, op: '>', value: 1.5}"))
    assert [e.field for e in impossible.errors] == ["rule.value"]
    failing = authoring.check_draft(db, _draft(benefit_amount="40万元"))
    assert [e.field for e in failing.errors] == ["tests"]
    assert "海淀区营收2亿元" in failing.errors[0].message
    assert [c.passed for c in failing.cases] == [False, True]


def test_a_sound_draft_creates_the_policy_and_a_change_adds_a_version_closing_the_previous(
    db: Session,
) -> None:
    policy, check = authoring.save_draft(db, actor=ORGANISER, draft=_draft())
    assert check.rule_zh == "上年营业收入不低于1亿元 且 注册地为海淀区"
    assert [(v.version, v.valid_from, v.valid_to) for v in policy.versions] == [
        (1, dt.date(2025, 1, 1), dt.date(2026, 12, 31))
    ]
    unchanged = authoring.PolicyDraft.from_row(policy)
    authoring.save_draft(db, actor=ORGANISER, draft=unchanged, policy=policy)
    assert len(policy.versions) == 1
    changed = authoring.PolicyDraft.from_row(policy)
    changed.valid_from = "2026-01-01"
    changed.valid_to = ""
    changed.rule = RULE.replace("1亿元", "8000万元")
    authoring.save_draft(db, actor=ORGANISER, draft=changed, policy=policy)
    assert [(v.version, v.valid_from, v.valid_to) for v in policy.versions] == [
        (1, dt.date(2025, 1, 1), dt.date(2025, 12, 31)),
        (2, dt.date(2026, 1, 1), None),
    ]
    engine_policy = records.parse_policy(policy)
    assert engine_policy.version_on(dt.date(2025, 6, 1)).version == 1  # type: ignore[union-attr]
    # The cases carried over from the form stay with the version they were written for, once.
    assert policy.versions[1].test_cases == []
    assert [c.passed for c in records.run_policy_tests(policy)] == [True, True]


def test_a_new_version_cannot_start_before_the_current_one(db: Session) -> None:
    policy, _check = authoring.save_draft(db, actor=ORGANISER, draft=_draft())
    early = authoring.PolicyDraft.from_row(policy)
    early.rule = RULE.replace("1亿元", "8000万元")
    with pytest.raises(authoring.DraftRefused) as refused:
        authoring.save_draft(db, actor=ORGANISER, draft=early, policy=policy)
    assert [d.field for d in refused.value.details] == ["valid_from"]


def test_a_district_authors_policies_of_its_own_district_only(db: Session) -> None:
    policy, _check = authoring.save_draft(db, actor=HAIDIAN, draft=_draft(district=""))
    assert policy.district == "海淀区"
    with pytest.raises(authoring.DraftRefused) as refused:
        authoring.save_draft(db, actor=HAIDIAN, draft=_draft(slug="cy-award", district="朝阳区"))
    assert [d.field for d in refused.value.details] == ["district"]
    etdz = records.get_policy(db, slug="im-etdz-robotics-land")
    assert etdz.district == "北京经济技术开发区"
    with pytest.raises(PermissionDenied):
        authoring.save_draft(
            db, actor=HAIDIAN, draft=authoring.PolicyDraft.from_row(etdz), policy=etdz
        )


def test_matching_lists_the_qualifying_enterprises_most_benefit_first_and_exports_them(db: Session) -> None:
    policy = records.get_policy(db, slug="iic-rd-post-funding")
    matches = outreach.match_organisations(db, actor=ORGANISER, policy=policy, on=ON)
    assert [(m.organisation.slug, m.amount) for m in matches][-2:] == [
        ("demo-xinghe", Decimal("2560000")),
        ("ranli", Decimal("1120000")),
    ]
    assert len(matches) == 6 and {m.decision.outcome.value for m in matches} == {"eligible"}
    rows = list(csv.reader(io.StringIO(outreach.export_csv(matches).decode("utf-8-sig"))))
    assert rows[0][:5] == ["企业", "标识", "区域", "判定结果", "预计收益（元）"]
    assert rows[-1][:5] == ["北京燃力能源科技有限公司", "ranli", "通州区", "符合", "1120000"]
    sheet = load_workbook(io.BytesIO(outreach.export_xlsx(matches, title=policy.slug))).active
    assert sheet.max_row == 7 and sheet.cell(row=7, column=5).value == 1120000
    with pytest.raises(PermissionDenied):
        outreach.match_organisations(db, actor=HAIDIAN, policy=policy, on=ON)


def test_the_evaluate_command_reads_an_organisation_from_the_database(engine) -> None:  # type: ignore[no-untyped-def]
    import json

    from click.testing import CliRunner

    from duijie.policies.cli import policies

    url = engine.url.render_as_string(hide_password=False)
    runner = CliRunner()
    common = ["evaluate", "--db", url, "--org", "demo-xinghe", "--on", "2025-06-01", "--no-record"]
    text = runner.invoke(policies, common)
    assert text.exit_code == 0, text.output
    assert (
        text.output.splitlines()[0]
        == "星河智能科技（示例）（demo-xinghe）· 2025-06-01 · 符合 6/31 项政策，预计可享 1106万元"
    )
    assert "  [符合] 人工智能算力券 (ai-compute-voucher v2)" in text.output
    data = json.loads(runner.invoke(policies, [*common, "--format", "json"]).output)
    assert (data["organisation"]["slug"], data["packages"][0]["package"]) == ("demo-xinghe", "ib2023-pkg-01")
    missing = runner.invoke(policies, ["evaluate", "--db", url, "--org", "no-such-org"])
    assert missing.exit_code == 2 and "no-such-org" in missing.output
