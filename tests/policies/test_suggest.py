"""Policy suggestions on the demo: the rules' outcome combined with the matching engine's affinity, in both
directions (policies for an enterprise, enterprises to approach for a policy), with reasons in words."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from duijie.core.auth import Actor, Grant
from duijie.core.errors import PermissionDenied
from duijie.directory.models import Organisation
from duijie.policies import authoring, enterprise_facts, outreach, permissions, records, suggest
from duijie.policies.evaluator import Outcome, evaluate
from duijie.text.models import SearchDocument

ON = dt.date(2025, 6, 1)
ORGANISER = Actor(username="organiser", grants=(Grant(role="organiser"),))
HAIDIAN = Actor(username="haidian", grants=(Grant(role="district", district="海淀区"),))
INVESTOR = Actor(username="investor", grants=(Grant(role="investor"),))
ANONYMOUS = Actor()

XINGHE_ELIGIBLE = [
    "ai-compute-voucher",
    "iic-science-city-space",
    "iic-rd-post-funding",
    "de-data-enterprise",
    "ai-scenario-access",
    "ngit-software-tax",
]
XINGHE_MAYBE = {
    "icc-new-venues",
    "uni-growth-award",
    "icc-major-retailer",
    "uni-gazelle-financing",
    "de-digital-transformation",
    "ge-energy-saving",
}


def _org(db: Session, slug: str) -> Organisation:
    org = db.scalar(select(Organisation).where(Organisation.slug == slug))
    assert org is not None
    return org


def _words(item: suggest.PolicySuggestion) -> list[str]:
    return [p.zh for p in item.reasons]


def test_eligible_policies_come_first_by_benefit_then_the_undecided_by_affinity(db: Session) -> None:
    xinghe = _org(db, "demo-xinghe")
    items = suggest.suggest_policies(db, organisation=xinghe, on=ON, limit=None)
    tiers = [s.tier for s in items]
    assert tiers == ["eligible"] * 6 + ["maybe"] * 6
    assert [s.policy.slug for s in items[:6]] == XINGHE_ELIGIBLE
    # Most benefit first; the two without an amount by affinity.
    assert [None if s.amount is None else int(s.amount) for s in items[:6]] == [
        4500000,
        3000000,
        2560000,
        1000000,
        None,
        None,
    ]
    assert items[4].score > items[5].score
    maybe = items[6:]
    assert {s.policy.slug for s in maybe} == XINGHE_MAYBE
    assert [s.score for s in maybe] == sorted((s.score for s in maybe), reverse=True)
    assert all(s.decision.missing_facts for s in maybe)
    assert maybe[0].policy.slug == "icc-new-venues" and maybe[0].missing_labels() == ["上年零售额"]


def test_policies_the_rules_exclude_are_never_suggested(db: Session) -> None:
    xinghe = _org(db, "demo-xinghe")
    suggested = {s.policy.slug for s in suggest.suggest_policies(db, organisation=xinghe, on=ON, limit=None)}
    facts = enterprise_facts.organisation_facts(xinghe)
    excluded = {
        row.slug
        for pkg in records.list_packages(db)
        for row in pkg.policies
        if evaluate(records.parse_policy(row), facts, on=ON).outcome == Outcome.NOT_ELIGIBLE
    }
    assert len(excluded) == 19 and "ai-foundation-models" in excluded
    assert suggested.isdisjoint(excluded)
    assert len(suggested) + len(excluded) == 31


def test_the_default_list_is_the_first_eight(db: Session) -> None:
    xinghe = _org(db, "demo-xinghe")
    short = suggest.suggest_policies(db, organisation=xinghe, on=ON)
    full = suggest.suggest_policies(db, organisation=xinghe, on=ON, limit=None)
    assert [s.policy.slug for s in short] == [s.policy.slug for s in full[:8]]


def test_reasons_name_the_shared_industry_and_the_district_in_both_languages(db: Session) -> None:
    items = {
        s.policy.slug: s for s in suggest.suggest_policies(db, organisation=_org(db, "demo-xinghe"), on=ON)
    }
    voucher = items["ai-compute-voucher"]
    assert _words(voucher)[0] == "同属人工智能"
    assert voucher.reasons[0].en == "Both in artificial intelligence"
    assert [p.name for p in voucher.parts] == ["industry", "semantic", "lexical"]
    venues = items["icc-new-venues"]
    assert _words(venues)[0] == "位于海淀区" and venues.reasons[0].en == "Located in Haidian District"
    assert [r.status for r in venues.decision.reasons] == ["met", "missing"]
    software = items["ngit-software-tax"]
    assert _words(software)[0] == "同属软件和信息服务"


def test_a_district_policy_reads_where_the_enterprise_is_against_its_area(db: Session) -> None:
    draft = authoring.PolicyDraft(
        slug="hd-growth-test",
        name_zh="海淀区成长企业奖励",
        name_en="Haidian growth award",
        district="海淀区",
        valid_from="2025-01-01",
        rule="{fact: revenue, op: '>=', value: 1亿元}",
        benefit_kind="subsidy",
        benefit_amount="80万元",
    )
    authoring.save_draft(db, actor=ORGANISER, draft=draft)
    inside = suggest.suggest_policies(db, organisation=_org(db, "demo-xinghe"), on=ON, limit=None)
    award = next(s for s in inside if s.policy.slug == "hd-growth-test")
    assert (award.tier, int(award.amount or 0)) == ("eligible", 800000)
    assert "位于海淀区" in _words(award)
    outside = suggest.suggest_policies(db, organisation=_org(db, "bat-bay-consumption"), on=ON, limit=None)
    other = next(s for s in outside if s.policy.slug == "hd-growth-test")
    assert other.tier == "maybe" and other.decision.missing_facts == ("revenue",)
    district = next(p for p in other.parts if p.name == "district")
    assert (district.zh, district.good) == ("位于朝阳区，不在政策适用区域（海淀区）", False)
    assert district.en == "Located in Chaoyang District, outside the policy's area (Haidian District)"


def test_without_stored_vectors_the_lexical_and_structured_parts_carry_the_ranking(db: Session) -> None:
    xinghe = _org(db, "demo-xinghe")
    db.execute(update(SearchDocument).where(SearchDocument.kind == "policy").values(vector=None))
    items = suggest.suggest_policies(db, organisation=xinghe, on=ON, limit=None)
    assert all("semantic" not in {p.name for p in s.parts} for s in items)
    assert [s.policy.slug for s in items[:6]] == XINGHE_ELIGIBLE
    assert {s.policy.slug for s in items[6:]} == XINGHE_MAYBE
    voucher = items[0]
    assert [p.name for p in voucher.parts] == ["industry", "lexical"]
    assert round(sum(p.weight for p in voucher.parts), 6) == round((0.25 + 0.22) / 0.77, 6)


def test_suggestions_are_the_same_on_every_run(db: Session) -> None:
    xinghe = _org(db, "demo-xinghe")
    first = suggest.suggest_policies(db, organisation=xinghe, on=ON, limit=None)
    again = suggest.suggest_policies(db, organisation=xinghe, on=ON, limit=None)
    assert [(s.policy.slug, s.score, s.parts) for s in first] == [
        (s.policy.slug, s.score, s.parts) for s in again
    ]


@pytest.mark.parametrize(
    ("actor", "slug", "allowed"),
    [
        (ORGANISER, "ranli", True),
        (HAIDIAN, "demo-xinghe", True),
        (HAIDIAN, "ranli", False),
        (Actor(account_id=1, grants=(Grant(role="enterprise", organisation_id=45),)), "demo-xinghe", None),
        (INVESTOR, "demo-xinghe", False),
        (ANONYMOUS, "demo-xinghe", False),
    ],
)
def test_who_may_see_an_enterprises_suggestions(
    db: Session, actor: Actor, slug: str, allowed: bool | None
) -> None:
    org = _org(db, slug)
    if allowed is None:
        # The enterprise itself: its own suggestions, not another's.
        actor = Actor(account_id=1, grants=(Grant(role="enterprise", organisation_id=org.id),))
        assert permissions.can_see_suggestions(actor, org)
        assert not permissions.can_see_suggestions(actor, _org(db, "ranli"))
        return
    assert permissions.can_see_suggestions(actor, org) is allowed
    if not allowed:
        with pytest.raises(PermissionDenied):
            suggest.suggestions_for(db, actor=actor, organisation=org, on=ON)


def test_a_policys_outreach_list_ranks_undecided_enterprises_by_affinity(db: Session) -> None:
    policy = records.get_policy(db, slug="ai-compute-voucher")
    found = outreach.reach(db, actor=ORGANISER, policy=policy, on=ON)
    assert [m.organisation.slug for m in found.eligible] == [
        "contest7-winner-4",
        "dp-technology",
        "demo-xinghe",
    ]
    assert (len(found.outreach), found.outreach_total, found.semantic) == (20, 292, True)
    assert {m.decision.outcome for m in found.outreach} == {Outcome.UNDETERMINED}
    scores = [m.affinity for m in found.outreach]
    assert scores == sorted(scores, reverse=True)
    top = found.outreach[0]
    assert top.decision.missing_facts == ("compute_spend",)
    assert top.parts[0].zh == "同属人工智能"
    every = outreach.reach(db, actor=ORGANISER, policy=policy, on=ON, limit=None)
    assert len(every.outreach) == 292
    assert [m.organisation.slug for m in every.outreach[:20]] == [m.organisation.slug for m in found.outreach]
    with pytest.raises(PermissionDenied):
        outreach.reach(db, actor=HAIDIAN, policy=policy, on=ON)


def test_the_export_says_which_list_each_enterprise_is_in(db: Session) -> None:
    policy = records.get_policy(db, slug="ai-compute-voucher")
    found = outreach.reach(db, actor=ORGANISER, policy=policy, on=ON)
    rows = list(csv.reader(io.StringIO(outreach.export_csv(found.rows).decode("utf-8-sig"))))
    assert rows[0][7:] == ["名单", "匹配度", "推荐理由"]
    assert len(rows) == 1 + 3 + 20
    assert {r[7] for r in rows[1:4]} == {"依已登记信息符合条件"} and {r[8] for r in rows[1:4]} == {""}
    assert {r[7] for r in rows[4:]} == {"可能适用，待补充信息（建议对接）"}
    assert rows[4][1] == found.outreach[0].organisation.slug
    assert rows[4][8] == f"{round(found.outreach[0].affinity or 0, 2)}" and rows[4][9].startswith(
        "同属人工智能"
    )
    sheet = load_workbook(io.BytesIO(outreach.export_xlsx(found.rows, title=policy.slug))).active
    assert sheet.max_row == 24
    assert sheet.cell(row=1, column=8).value == "名单"
    assert sheet.cell(row=24, column=8).value == "可能适用，待补充信息（建议对接）"
