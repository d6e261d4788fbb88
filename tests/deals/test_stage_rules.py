"""The pipeline as a bureau runs it: stage-exit rules as data (one test per rule), the next-stage API, status as
a separate axis, four-eyes verification with evidence, attribution, dates that cannot precede the deal, and
cycle times that the stage log reproduces."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from duijie.agenda.models import AgendaSession
from duijie.core.auth import Actor, Grant
from duijie.core.errors import DomainError, InvalidTransition, PermissionDenied
from duijie.core.i18n import gettext
from duijie.deals import service as deal_service
from duijie.deals.cycle import cycle_times, live_dates, logged_dates
from duijie.deals.enums import EXIT_RULES, PIPELINE, DealStatus, ExitRule, counts_as_signed
from duijie.deals.models import Deal, DealParty
from duijie.deals.schemas import DealUpdate, StatusChange
from duijie.directory.accounts import actor_for_account
from duijie.directory.models import RoleAssignment
from tests import factories
from tests.conftest import csrf_of, in_english, login
from tests.deals.factories import deal as make_deal
from tests.meetings import factories as meeting_factories

# The meetings package lends deals its reader of meetings when it is imported, as the application imports it.
import duijie.meetings.extends  # noqa: F401  isort: skip

ORGANISER = Actor(account_id=None, username="t", grants=(Grant(role="organiser"),))
PDF = b"%PDF-1.4\n% a test document\n%%EOF\n"


def _before(stage: str) -> str:
    return PIPELINE[PIPELINE.index(stage) - 1]


def _ready_for(db: Session, stage: str) -> Deal:
    """A deal one stage before `stage` that has every fact the move to `stage` needs."""
    row = make_deal(db, None, stage=_before(stage))
    org = factories.organisation(db)
    row.parties = [DealParty(organisation_id=org.id, role="enterprise")]
    db.flush()
    return row


# The values that break one rule, given to the move (or set on the deal for facts a move does not carry).
BREAKS: dict[tuple[str, str, str], dict[str, Any]] = {
    ("contacted", "parties", "required"): {"deal.parties": []},
    ("negotiating", "industry", "required"): {"deal.industry": None},
    ("negotiating", "district", "required"): {"deal.district": None},
    ("intention", "planned_amount", "required"): {"deal.planned_amount": None},
    ("signed", "signed_amount", "required"): {"signed_amount": None},
    ("signed", "signed_on", "required"): {"signed_on": None},
    ("signed", "signed_on", "not_future"): {"signed_on": dt.date.today() + dt.timedelta(days=1)},
    ("signed", "signed_on", "not_before"): {"signed_on": dt.date(2025, 12, 31)},
    ("contract", "contract_on", "required"): {"deal.contract_on": None},
    ("contract", "contract_on", "not_future"): {"contract_on": dt.date.today() + dt.timedelta(days=1)},
    ("contract", "contract_on", "not_before"): {"contract_on": dt.date(2026, 4, 24)},
    ("landed", "landed_on", "required"): {"deal.landed_on": None},
    ("landed", "landed_site", "required"): {"deal.landed_site": None},
    ("landed", "landed_on", "not_future"): {"landed_on": dt.date.today() + dt.timedelta(days=1)},
    ("landed", "landed_on", "not_before"): {"landed_on": dt.date(2026, 5, 31)},
}


def test_every_exit_rule_has_a_case_here() -> None:
    """The table below is the rules table: a new rule without its test fails here."""
    cases = {(r.stage, r.field, r.kind) for r in EXIT_RULES if r.stage != "verified"}
    assert cases == set(BREAKS)


@pytest.mark.parametrize(
    "rule", [r for r in EXIT_RULES if r.stage != "verified"], ids=lambda r: f"{r.stage}-{r.field}-{r.kind}"
)
def test_a_move_that_breaks_one_exit_rule_is_refused_naming_it(db: Session, rule: ExitRule) -> None:
    row = _ready_for(db, rule.stage)
    # The facts a move carries, valid unless this case breaks them.
    given: dict[str, Any] = {}
    if rule.stage == "signed":
        given = {"signed_amount": Decimal("1e8"), "signed_on": dt.date(2026, 4, 25)}
    for key, value in BREAKS[(rule.stage, rule.field, rule.kind)].items():
        if key.startswith("deal."):
            setattr(row, key.removeprefix("deal."), value)
        else:
            given[key] = value
    db.flush()
    report = deal_service.next_stage_report(db, actor=ORGANISER, deal=row)
    with pytest.raises(DomainError) as refused:
        deal_service.move_deal_to_stage(db, actor=ORGANISER, deal=row, to=rule.stage, note=None, **given)
    fields = [d.field for d in refused.value.details]
    assert rule.field in fields and gettext(rule.message) in [d.message for d in refused.value.details]
    assert row.stage == _before(rule.stage)
    if not given or rule.kind == "required":  # what the page and the API list before any move is tried
        assert rule.field in [b["field"] for b in report["blocking"]] and not report["ready"]


@pytest.mark.parametrize("stage", [s for s in PIPELINE[1:] if s != "verified"])
def test_a_move_with_every_fact_passes_and_the_next_stage_report_listed_only_what_the_move_brings(
    db: Session, stage: str
) -> None:
    row = _ready_for(db, stage)
    given: dict[str, Any] = {
        "signed": {"signed_amount": Decimal("1e8"), "signed_on": dt.date(2026, 4, 25)},
        "contract": {"contract_on": dt.date(2026, 6, 1)},
        "landed": {"landed_on": dt.date(2026, 9, 1), "landed_site": "中关村软件园"},
    }.get(stage, {})
    report = deal_service.next_stage_report(db, actor=ORGANISER, deal=row)
    assert report["next"] == stage
    assert {b["field"] for b in report["blocking"]} == set(given)
    deal_service.move_deal_to_stage(db, actor=ORGANISER, deal=row, to=stage, note=None, **given)
    assert row.stage == stage
    assert deal_service.next_stage_report(db, actor=ORGANISER, deal=row)["stage"] == stage


def test_a_forward_jump_needs_the_facts_of_every_stage_it_passes(db: Session) -> None:
    row = make_deal(db, None, stage="intention")
    with pytest.raises(DomainError) as refused:
        deal_service.move_deal_to_stage(
            db, actor=ORGANISER, deal=row, to="landed", note=None, signed_amount=Decimal("1e8")
        )
    assert {d.field for d in refused.value.details} == {
        "signed_on",
        "contract_on",
        "landed_on",
        "landed_site",
    }


def test_moving_back_clears_the_dates_of_the_stages_it_leaves(db: Session) -> None:
    row = make_deal(db, None, stage="landed")
    deal_service.move_deal_to_stage(db, actor=ORGANISER, deal=row, to="signed", note="合同解除，重新谈判")
    assert (row.contract_on, row.landed_on, row.landed_site) == (None, None, None)
    assert row.signed_on == dt.date(2026, 4, 25)
    assert row.history[-1].after == {
        "stage": "signed",
        "contract_on": None,
        "landed_on": None,
        "landed_site": None,
    }


def test_the_next_stage_api_lists_what_blocks_in_the_readers_language(
    client: TestClient, db: Session
) -> None:
    event = factories.event(db)
    row = make_deal(db, event, stage="contract")
    row.opened_on = dt.date(2026, 1, 1)
    factories.account(db, role="organiser", event=event, username="org-ns")
    db.flush()
    login(client, "org-ns", factories.PASSWORD)
    with in_english(client):
        body = client.get(f"/api/v1/deals/{row.id}/next-stage").json()
    assert body["next"] == "landed" and body["ready"] is False
    assert {b["field"] for b in body["blocking"]} == {"landed_on", "landed_site"}
    assert "A landed deal needs the actual landing date." in [b["message"] for b in body["blocking"]]
    zh = client.get(f"/api/v1/deals/{row.id}/next-stage").json()
    assert any("落地" in b["message"] for b in zh["blocking"])
    client.cookies.clear()
    assert client.get(f"/api/v1/deals/{row.id}/next-stage").status_code in (401, 404)


# -- status ---------------------------------------------------------------------------------------------------
def test_a_lost_deal_keeps_its_stage_says_why_and_where_it_went_and_leaves_the_signed_figures(
    db: Session,
) -> None:
    row = make_deal(db, None, stage="signed")
    assert counts_as_signed(row.stage, row.status)
    with pytest.raises(DomainError) as refused:
        deal_service.set_status(db, actor=ORGANISER, deal=row, change=StatusChange(to=DealStatus.LOST))
    assert refused.value.field == "status_reason"
    deal_service.set_status(
        db,
        actor=ORGANISER,
        deal=row,
        change=StatusChange(to=DealStatus.LOST, reason="落户天津", lost_to="天津市"),
    )
    assert (row.stage, row.status, row.status_reason, row.lost_to) == ("signed", "lost", "落户天津", "天津市")
    assert not counts_as_signed(row.stage, row.status)
    with pytest.raises(InvalidTransition):
        deal_service.move_deal_to_stage(
            db, actor=ORGANISER, deal=row, to="contract", note=None, contract_on=dt.date(2026, 6, 1)
        )
    with pytest.raises(DomainError) as refused:
        deal_service.set_status(db, actor=ORGANISER, deal=row, change=StatusChange(to=DealStatus.ONGOING))
    assert refused.value.field == "note"
    deal_service.set_status(
        db, actor=ORGANISER, deal=row, change=StatusChange(to=DealStatus.ONGOING, note="重新落户北京")
    )
    assert (row.status, row.status_reason, row.lost_to) == ("ongoing", None, None)


def test_a_delayed_deal_still_moves_and_the_place_is_kept_only_for_a_lost_one(db: Session) -> None:
    row = make_deal(db, None, stage="negotiating")
    deal_service.set_status(
        db,
        actor=ORGANISER,
        deal=row,
        change=StatusChange(to=DealStatus.DELAYED, reason="融资推迟", lost_to="上海"),
    )
    assert (row.status, row.lost_to) == ("delayed", None)
    deal_service.move_deal_to_stage(db, actor=ORGANISER, deal=row, to="intention", note=None)
    assert row.stage == "intention"


# -- four eyes --------------------------------------------------------------------------------------------------
def _landed_by(db: Session, lander: Actor) -> Deal:
    event_id = lander.grants[0].event_id
    row = make_deal(db, None, stage="contract", event_id=event_id)
    deal_service.move_deal_to_stage(
        db,
        actor=lander,
        deal=row,
        to="landed",
        note=None,
        landed_on=dt.date(2026, 9, 1),
        landed_site="中关村软件园",
    )
    return row


def test_only_another_verifier_with_evidence_marks_a_deal_verified(db: Session) -> None:
    event = factories.event(db)
    organiser = factories.actor(db, role="organiser", event=event)
    verifier = factories.actor(db, role="verifier", event=event)
    other_event_verifier = factories.actor(db, role="verifier", event=factories.event(db))
    row = _landed_by(db, organiser)
    with pytest.raises(PermissionDenied):
        deal_service.verify(db, actor=organiser, deal=row)  # an organiser is not a verifier
    with pytest.raises(PermissionDenied):
        deal_service.verify(db, actor=other_event_verifier, deal=row)
    with pytest.raises(DomainError) as refused:
        deal_service.verify(db, actor=verifier, deal=row)
    assert refused.value.field == "evidence" and row.stage == "landed"
    deal_service.add_evidence(
        db, actor=organiser, deal=row, title="营业执照", filename="licence.pdf", data=PDF
    )
    deal_service.verify(db, actor=verifier, deal=row, note="现场核查")
    assert (row.stage, row.verified_by_id, row.verified_on) == (
        "verified",
        verifier.account_id,
        dt.date.today(),
    )


def test_the_verifier_who_recorded_the_landing_cannot_verify_it(db: Session) -> None:
    event = factories.event(db)
    # A verifier who also organises the event records the landing: someone else must verify it.
    account = factories.account(db, role="verifier", event=event)
    db.add(RoleAssignment(account_id=account.id, role="organiser", event_id=event.id))
    db.flush()
    db.refresh(account)
    both = actor_for_account(account)
    row = _landed_by(db, both)
    deal_service.add_evidence(db, actor=both, deal=row, title="租赁合同", filename="lease.pdf", data=PDF)
    with pytest.raises(PermissionDenied) as refused:
        deal_service.verify(db, actor=both, deal=row)
    assert refused.value.field == "verifier"
    report = deal_service.next_stage_report(db, actor=both, deal=row)
    assert (
        report["next"] == "verified"
        and report["may_verify"] is False
        and report["landed_by"] == both.account_id
    )
    other = factories.actor(db, role="verifier", event=event)
    deal_service.verify(db, actor=other, deal=row)
    assert row.stage == "verified"


def test_verified_is_reached_only_through_verification(db: Session) -> None:
    row = make_deal(db, None, stage="landed")
    with pytest.raises(InvalidTransition):
        deal_service.move_deal_to_stage(db, actor=ORGANISER, deal=row, to="verified", note=None)
    assert deal_service.next_stage(row) is None


def test_evidence_is_checked_and_read_only_by_organiser_district_and_verifiers(
    client: TestClient, db: Session
) -> None:
    event = factories.event(db)
    party_org = factories.organisation(db)
    row = make_deal(db, event, stage="landed")
    row.parties = [DealParty(organisation_id=party_org.id, role="enterprise")]
    organiser = factories.actor(db, role="organiser", event=event)
    with pytest.raises(DomainError) as refused:
        deal_service.add_evidence(db, actor=organiser, deal=row, title="", filename="run.exe", data=b"MZ")
    assert {d.field for d in refused.value.details} == {"title", "file"}
    item = deal_service.add_evidence(
        db, actor=organiser, deal=row, title="营业执照", filename="licence.pdf", data=PDF
    )
    factories.account(db, role="verifier", event=event, username="ver-ev")
    factories.account(db, role="enterprise", organisation=party_org, username="party-ev")
    db.flush()
    path = f"/deals/{row.id}/evidence/{item.id}"
    login(client, "ver-ev", factories.PASSWORD)
    got = client.get(path)
    assert (
        got.status_code == 200 and got.content == PDF and "attachment" in got.headers["content-disposition"]
    )
    assert client.get(f"/api/v1/deals/{row.id}/evidence").json()[0]["sha256"] == item.sha256
    client.cookies.clear()
    login(client, "party-ev", factories.PASSWORD)
    assert client.get(f"/deals/{row.id}").status_code == 200  # a party sees its deal ...
    assert client.get(path).status_code == 403  # ... not the bureau's documents
    client.cookies.clear()
    asked = client.get(path, follow_redirects=False)
    assert asked.status_code == 303 and asked.headers["location"].startswith("/login")


def test_the_verify_form_shows_the_four_eyes_refusal_beside_it(client: TestClient, db: Session) -> None:
    event = factories.event(db)
    account = factories.account(db, role="verifier", event=event, username="both-web")
    db.add(RoleAssignment(account_id=account.id, role="organiser", event_id=event.id))
    db.flush()
    row = make_deal(db, event, stage="contract")
    login(client, "both-web", factories.PASSWORD)
    token = csrf_of(client, f"/deals/{row.id}")
    moved = client.post(
        f"/deals/{row.id}/stage",
        data={"csrf": token, "to": "landed", "landed_on": "2026-09-01", "landed_site": "中关村软件园"},
        follow_redirects=False,
    )
    assert moved.status_code == 303
    files = {"file": ("licence.pdf", PDF, "application/pdf")}
    attached = client.post(
        f"/deals/{row.id}/evidence",
        data={"csrf": token, "title": "营业执照"},
        files=files,
        follow_redirects=False,
    )
    assert attached.status_code == 303
    refused = client.post(f"/deals/{row.id}/verify", data={"csrf": token}, follow_redirects=False)
    assert (
        refused.status_code == 403
        and "不能" in refused.text
        and 'data-testid="verify-errors"' in refused.text
    )


# -- dates -------------------------------------------------------------------------------------------------------
def test_no_date_of_a_deal_precedes_its_opening_or_follows_today(db: Session) -> None:
    row = make_deal(db, None, stage="intention")
    row.opened_on = dt.date(2026, 3, 1)
    with pytest.raises(DomainError) as refused:
        deal_service.move_deal_to_stage(
            db,
            actor=ORGANISER,
            deal=row,
            to="signed",
            note=None,
            signed_amount=Decimal("1e8"),
            signed_on=dt.date(2026, 2, 1),
        )
    assert refused.value.field == "signed_on"
    assert row.stage == "intention"
    with pytest.raises(DomainError) as refused:
        deal_service.move_deal_to_stage(
            db,
            actor=ORGANISER,
            deal=row,
            to="signed",
            note=None,
            signed_amount=Decimal("1e8"),
            signed_on=dt.date.today() + dt.timedelta(days=1),
        )
    assert refused.value.field == "signed_on"


# -- attribution -------------------------------------------------------------------------------------------------
def test_a_source_names_a_record_that_exists_or_is_cited_in_words(db: Session) -> None:
    event = factories.event(db, kind="forum")
    session = AgendaSession(event_id=event.id, title_zh="投资北京大会", title_en="Invest Beijing Conference")
    db.add(session)
    db.flush()
    row = make_deal(db, None, stage="lead")
    with pytest.raises(DomainError) as refused:
        deal_service.update(
            db, actor=ORGANISER, deal=row, data=DealUpdate(source_kind="session", source_id=999999)
        )
    assert refused.value.field == "source_id"
    deal_service.update(
        db, actor=ORGANISER, deal=row, data=DealUpdate(source_kind="session", source_id=session.id)
    )
    assert (row.source_kind, row.source_id, row.source_label) == ("session", session.id, "投资北京大会")
    with pytest.raises(DomainError) as refused:
        deal_service.update(db, actor=ORGANISER, deal=row, data=DealUpdate(source_kind="trading_event"))
    assert refused.value.field == "source_label"
    deal_service.update(
        db,
        actor=ORGANISER,
        deal=row,
        data=DealUpdate(source_kind="trading_event", source_label="中关村国际技术交易大会"),
    )
    assert (row.source_kind, row.source_id, row.source_label) == (
        "trading_event",
        None,
        "中关村国际技术交易大会",
    )
    assert [h.action for h in row.history][-1] == "update"


# -- cycle times ---------------------------------------------------------------------------------------------------
def test_cycle_times_read_from_the_stage_log_equal_the_live_ones(db: Session) -> None:
    rows = []
    for signed, contract, landed in (
        (dt.date(2026, 4, 25), dt.date(2026, 6, 4), dt.date(2026, 9, 12)),
        (dt.date(2026, 4, 25), dt.date(2026, 5, 5), None),
        (dt.date(2026, 4, 26), dt.date(2026, 7, 25), dt.date(2026, 8, 24)),
    ):
        row = make_deal(db, None, stage="intention")
        deal_service.move_deal_to_stage(
            db,
            actor=ORGANISER,
            deal=row,
            to="signed",
            note=None,
            signed_amount=Decimal("1e8"),
            signed_on=signed,
        )
        deal_service.move_deal_to_stage(
            db, actor=ORGANISER, deal=row, to="contract", note=None, contract_on=contract
        )
        if landed:
            deal_service.move_deal_to_stage(
                db, actor=ORGANISER, deal=row, to="landed", note=None, landed_on=landed, landed_site="园区"
            )
        db.refresh(row, ["history"])
        rows.append(row)
    assert [logged_dates(r) for r in rows] == [live_dates(r) for r in rows]
    spans = cycle_times([live_dates(r) for r in rows])[None]
    assert spans["signed_contract"].days == [40, 10, 90] and spans["signed_contract"].median == 40.0
    assert spans["contract_landed"].days == [100, 30] and spans["contract_landed"].median == 65.0
    assert spans["signed_landed"].days == [140, 120] and spans["signed_landed"].mean == 130.0


def test_a_meeting_source_is_cited_by_the_two_organisations_and_the_slot(db: Session) -> None:
    """The meetings module (above deals) lends its reader: the deal cites the meeting in words it can keep."""
    event = factories.event(db)
    slots, tables = meeting_factories.grid(db, event, slots=1, tables=1)
    a = meeting_factories.participant(db, event, organisation=factories.organisation(db, name_zh="甲机器人公司"))
    b = meeting_factories.participant(db, event, organisation=factories.organisation(db, name_zh="乙创投"))
    held = meeting_factories.meeting(db, event, slots[0], tables[0], a, b)
    row = make_deal(db, event, stage="contacted")
    deal_service.update(db, actor=ORGANISER, deal=row, data=DealUpdate(source_kind="meeting", source_id=held.id))
    assert row.source_label == "一对一洽谈：甲机器人公司与乙创投（2026-04-25 09:00）"  # Beijing time
    with pytest.raises(DomainError) as refused:
        deal_service.update(db, actor=ORGANISER, deal=row, data=DealUpdate(source_id=held.id + 1000))
    assert refused.value.field == "source_id"


def test_every_demo_deals_dates_are_its_stage_logs(db: Session) -> None:
    """On the demo: each deal's dates replayed from its history equal the dates it holds (the cycle times the
    dashboard shows are the log's), and no date precedes the day the deal was opened."""
    deals = list(db.scalars(select(Deal).options(selectinload(Deal.history))))
    assert len(deals) > 100
    for row in deals:
        assert logged_dates(row) == live_dates(row), row.external_id
        for day in (row.signed_on, row.contract_on, row.landed_on, row.verified_on):
            assert day is None or row.opened_on <= day <= dt.date.today(), row.external_id
