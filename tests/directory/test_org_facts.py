"""An organisation's stated facts and investment preferences: typed and checked key by key (`profile_data`), edited
by the organiser and the organisation's own members on the edit page, the API and the command line, audited, and
read by the policy checks and the matching at once."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from duijie.cli import main
from duijie.core.db import make_engine
from duijie.core.errors import DomainError, PermissionDenied
from duijie.core.i18n import reset_locale, set_locale
from duijie.core.migrate import upgrade
from duijie.core.models import AuditEntry
from duijie.directory import organisations
from duijie.directory.models import Organisation
from duijie.matching.jobs import recompute_event
from duijie.matching.models import MatchScore
from duijie.policies import decisions
from duijie.policies import extends as _policy_facts  # noqa: F401  (fills the hook the facts editor reads, as the app does)
from tests import factories
from tests.conftest import csrf_of, in_english, login
from tests.marketplace import factories as market
from tests.policies import factories as policy_factories

TOMORROW = (dt.date.today() + dt.timedelta(days=1)).isoformat()


def _fields(exc: DomainError) -> dict[str, str]:
    return {d.field or "": d.message for d in exc.details}


def test_a_member_states_its_facts_in_the_ways_people_write_them_and_the_history_keeps_them(db: Session) -> None:
    org = factories.organisation(db, facts={"stage": "growth", "revenue": "1"})
    member = factories.actor(db, role="enterprise", organisation=org)
    organisations.update_organisation(
        db, actor=member, org=org,
        data={"facts": {"revenue": "两亿", "rd_spend": "3000万", "valuation": "1.5亿元", "headcount": "260",
                        "founded_on": "2018-06-12", "rd_ratio": "8%", "rd_centre": "是"}},
    )  # fmt: skip
    assert org.facts == {
        "stage": "growth",  # a key the editor does not know stays as it was
        "revenue": "200000000",
        "rd_spend": "30000000",
        "valuation": "150000000",
        "headcount": 260,
        "founded_on": "2018-06-12",
        "rd_ratio": "0.08",
        "rd_centre": True,
    }
    entry = db.scalars(
        select(AuditEntry).where(AuditEntry.entity_type == "organisation", AuditEntry.entity_id == org.id)
    ).one()
    assert entry.before["facts"]["revenue"] == "1" and entry.after["facts"]["revenue"] == "200000000"
    organisations.update_organisation(db, actor=member, org=org, data={"facts": {"valuation": "", "rd_centre": None}})
    assert "valuation" not in org.facts and "rd_centre" not in org.facts and org.facts["revenue"] == "200000000"


def test_every_bad_fact_and_preference_is_named_by_its_key_in_chinese_and_english_and_nothing_is_written(
    db: Session,
) -> None:
    organiser = factories.actor(db, role="organiser")
    org = factories.organisation(db, kind="investor", preferences={"ticket_max": "100000000"})
    bad = {
        "facts": {"founded_on": TOMORROW, "headcount": "-3", "rd_ratio": "150%", "revenue": "很多", "colour": "red"},
        "preferences": {"industries": ["人工智能", "炼钢"], "stages": "seed"},
    }
    with pytest.raises(DomainError) as zh:
        organisations.update_organisation(db, actor=organiser, org=org, data=bad)
    found = _fields(zh.value)
    assert set(found) == {"facts.founded_on", "facts.headcount", "facts.rd_ratio", "facts.revenue", "facts.colour",
                          "preferences.industries"}  # fmt: skip
    assert found["facts.founded_on"] == "成立日期不能晚于今天。"
    assert found["facts.headcount"] == "请填写不小于零的整数。"
    assert found["facts.rd_ratio"] == "比例不能超过 100%。"
    assert found["preferences.industries"].startswith("无法识别的取值 炼钢；可选：新一代信息技术、")
    token = set_locale("en")
    try:
        with pytest.raises(DomainError) as en:
            organisations.update_organisation(db, actor=organiser, org=org, data=bad)
        with pytest.raises(DomainError) as tickets:
            organisations.update_organisation(db, actor=organiser, org=org, data={"preferences": {"ticket_min": "两亿"}})
    finally:
        reset_locale(token)
    assert _fields(en.value)["facts.founded_on"] == "Founding date cannot be later than today."
    assert _fields(en.value)["preferences.industries"].startswith("Unknown value 炼钢; choose from: Next-generation")
    assert _fields(tickets.value) == {
        "preferences.ticket_min": "The smallest ticket is above the largest; swap them or correct one."
    }
    db.refresh(org)
    assert (org.facts, org.preferences) == ({}, {"ticket_max": "100000000"})


def test_only_the_organiser_and_the_organisations_own_members_change_its_facts(db: Session) -> None:
    mine, other = factories.organisation(db), factories.organisation(db)
    member = factories.actor(db, role="enterprise", organisation=mine)
    with pytest.raises(PermissionDenied):
        organisations.update_organisation(db, actor=member, org=other, data={"facts": {"revenue": "1亿"}})
    organisations.update_organisation(
        db, actor=factories.actor(db, role="organiser"), org=other, data={"facts": {"revenue": "1亿"}}
    )
    assert other.facts == {"revenue": "100000000"}


def test_a_changed_revenue_changes_the_answer_of_a_policy_on_revenue(db: Session) -> None:
    rule = policy_factories.policy(db)  # revenue of at least 1亿元
    org = factories.organisation(db, facts={"revenue": "50000000"})
    member = factories.actor(db, role="enterprise", organisation=org)

    def outcome() -> str:
        _facts, results = decisions.evaluate_organisation(
            db, actor=member, organisation=org, on=dt.date(2026, 6, 1), record=False
        )
        return next(d.outcome.value for r in results for d in r.decisions if d.policy_id == rule.slug)

    assert outcome() == "not_eligible"
    organisations.update_organisation(db, actor=member, org=org, data={"facts": {"revenue": "两亿"}})
    assert outcome() == "eligible"


def test_a_changed_ticket_range_changes_the_investors_recommendation_scores(db: Session) -> None:
    event = factories.event(db)
    project = market.project(db, event, amount=Decimal("100000000"), industry="人工智能", district="海淀区")
    investor = factories.organisation(
        db, kind="investor", name_zh="测试资本", industries=["人工智能"],
        preferences={"industries": ["人工智能"], "districts": ["海淀区"], "ticket_min": "50000000",
                     "ticket_max": "200000000"},
    )  # fmt: skip

    def score() -> float:
        recompute_event(db, event)
        return db.scalars(
            select(MatchScore.score).where(
                MatchScore.event_id == event.id,
                MatchScore.left_kind == "investor",
                MatchScore.right_kind == "project",
                MatchScore.left_id == investor.id,
                MatchScore.right_id == project.id,
            )
        ).one()

    fitting = score()
    organisations.update_organisation(
        db, actor=factories.actor(db, role="organiser"), org=investor,
        data={"preferences": {"ticket_min": "1000万", "ticket_max": "两千万"}},
    )  # fmt: skip
    assert investor.preferences["ticket_max"] == "20000000"
    assert score() < fitting


# -- web page -----------------------------------------------------------------------------------------------------


def _beside(html: str, fid: str) -> str:
    found = re.search(rf'id="f-{re.escape(fid)}-error" role="alert">([^<]*)<', html)
    assert found, f"no message beside {fid}"
    return found.group(1)


def test_a_member_edits_its_facts_on_its_page_refused_values_come_back_beside_their_fields(
    client: TestClient, db: Session
) -> None:
    mine = factories.organisation(db, facts={"revenue": "150000000", "headcount": 40})
    member = factories.account(db, role="enterprise", organisation=mine)
    db.commit()
    login(client, member.username, factories.PASSWORD)
    page = client.get(f"/organisations/{mine.slug}/edit")
    assert 'name="facts.revenue"' in page.text and 'value="1.5亿"' in page.text
    assert 'name="preferences.ticket_min"' not in page.text  # an enterprise states facts, not preferences
    data = {"name_zh": mine.name_zh, "country": "CN", "facts.revenue": "两亿", "facts.headcount": "-1",
            "facts.founded_on": TOMORROW, "csrf": csrf_of(client, f"/organisations/{mine.slug}/edit")}  # fmt: skip
    refused = client.post(f"/organisations/{mine.slug}/edit", data=data)
    assert refused.status_code == 422
    assert _beside(refused.text, "facts-headcount") == "请填写不小于零的整数。"
    assert _beside(refused.text, "facts-founded_on") == "成立日期不能晚于今天。"
    assert 'name="facts.revenue" type="text" value="两亿"' in refused.text
    with in_english(client):
        english = client.post(f"/organisations/{mine.slug}/edit", data=data)
    assert _beside(english.text, "facts-headcount") == "Write a whole number that is not negative."
    data.update({"facts.headcount": "45", "facts.founded_on": "2019-03-01"})
    saved = client.post(f"/organisations/{mine.slug}/edit", data=data, follow_redirects=False)
    assert saved.status_code == 303
    db.expire_all()
    assert mine.facts == {"revenue": "200000000", "headcount": 45, "founded_on": "2019-03-01"}


def test_an_investors_page_edits_its_preferences(client: TestClient, db: Session) -> None:
    fund = factories.organisation(db, kind="investor", preferences={"stages": ["seed"]})
    organiser = factories.account(db, role="organiser")
    db.commit()
    login(client, organiser.username, factories.PASSWORD)
    page = client.get(f"/organisations/{fund.slug}/edit")
    assert 'name="preferences.stages" value="seed" checked' in page.text
    assert 'name="facts.revenue"' not in page.text
    data = {"slug": fund.slug, "kind": "investor", "name_zh": fund.name_zh, "country": "CN",
            "preferences.industries": ["人工智能", "机器人"], "preferences.stages": ["growth"],
            "preferences.ticket_min": "3亿", "preferences.ticket_max": "1亿",
            "csrf": csrf_of(client, f"/organisations/{fund.slug}/edit")}  # fmt: skip
    refused = client.post(f"/organisations/{fund.slug}/edit", data=data)
    assert refused.status_code == 422
    assert _beside(refused.text, "preferences-ticket_min") == "单笔投资下限高于上限，请对调或修改其中一项。"
    assert 'name="preferences.industries" value="机器人" checked' in refused.text
    data["preferences.ticket_min"] = "3000万"
    assert client.post(f"/organisations/{fund.slug}/edit", data=data, follow_redirects=False).status_code == 303
    db.expire_all()
    assert fund.preferences == {"industries": ["人工智能", "机器人"], "stages": ["growth"],
                                "ticket_min": "30000000", "ticket_max": "100000000"}  # fmt: skip


# -- API ----------------------------------------------------------------------------------------------------------


def test_api_patches_facts_and_preferences_key_by_key_for_editors_only(client: TestClient, db: Session) -> None:
    mine, other = factories.organisation(db, kind="investor"), factories.organisation(db)
    member = factories.account(db, role="investor", organisation=mine)
    db.commit()
    login(client, member.username, factories.PASSWORD)
    edited = client.patch(
        f"/api/v1/organisations/{mine.slug}",
        json={"preferences": {"ticket_min": 30_000_000, "ticket_max": "两亿", "districts": ["Haidian District"]}},
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["preferences"] == {"ticket_min": "30000000", "ticket_max": "200000000", "districts": ["海淀区"]}
    refused = client.patch(
        f"/api/v1/organisations/{mine.slug}", json={"facts": {"founded_on": TOMORROW, "headcount": 1.5}}
    )
    assert refused.status_code == 422
    assert {d["field"] for d in refused.json()["error"]["details"]} == {"facts.founded_on", "facts.headcount"}
    assert client.get(f"/api/v1/organisations/{mine.slug}/data").json()["preferences"]["ticket_max"] == "200000000"
    assert client.get(f"/api/v1/organisations/{other.slug}/data").status_code == 403
    assert client.patch(f"/api/v1/organisations/{other.slug}", json={"facts": {"revenue": 1}}).status_code == 403


# -- command line -------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def db_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("org-facts-cli") / "new.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


def _run(db_file: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["organisations", args[0], "--db", str(db_file), *args[1:]])


def test_cli_sets_facts_and_preferences_and_names_each_bad_one(db_file: Path, tmp_path: Path) -> None:
    made = _run(db_file, "create", "--slug", "cli-fund", "--kind", "investor", "--name-zh", "命令行资本",
                "--preference", "ticket_min=3000万", "--preference", "industries=人工智能,机器人")  # fmt: skip
    assert made.exit_code == 0, made.output
    data = tmp_path / "data.json"
    data.write_text(json.dumps({"facts": {"revenue": "两亿"}, "preferences": {"ticket_max": "1亿"}}), encoding="utf-8")
    changed = _run(db_file, "update", "--slug", "cli-fund", "--data", str(data), "--fact", "headcount=12")
    assert changed.exit_code == 0, changed.output
    refused = _run(db_file, "update", "--slug", "cli-fund", "--fact", f"founded_on={TOMORROW}",
                   "--preference", "ticket_max=100万", "--lang", "en")  # fmt: skip
    assert refused.exit_code == 1
    assert [line.split(":", 2)[1].strip() for line in refused.stderr.splitlines()] == [
        "--fact founded_on", "--preference ticket_min"
    ]
    assert refused.stderr.splitlines()[1].endswith("The smallest ticket is above the largest; swap them or correct one.")
    engine = make_engine(f"sqlite:///{db_file}")
    try:
        with Session(engine) as db:
            org = db.scalars(select(Organisation).where(Organisation.slug == "cli-fund")).one()
            assert org.facts == {"revenue": "200000000", "headcount": 12}
            assert org.preferences == {"ticket_min": "30000000", "industries": ["人工智能", "机器人"],
                                       "ticket_max": "100000000"}  # fmt: skip
    finally:
        engine.dispose()
