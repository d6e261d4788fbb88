"""An organisation made by a sign-up stays out of what the public, the API and the matching see until the
organiser approves the sign-up; a declined one never enters; the organiser sees it all along."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from duijie.directory import signups
from duijie.directory.accounts import actor_for_account
from duijie.directory.enums import SignUpState
from duijie.directory.models import Organisation
from duijie.directory.organisations import listed
from duijie.matching.profiles import investors
from tests import factories
from tests.conftest import login


def _apply(db: Session, name: str, username: str) -> signups.SignUp:
    return signups.sign_up(
        db, role="investor", organisation_name=name, name="申请人", email=f"{username}@example.org",
        username=username, password="Plum-blossom-harbour-3",
    )  # fmt: skip


def _is_listed(db: Session, org_id: int) -> bool:
    return db.scalar(select(Organisation.id).where(Organisation.id == org_id, listed())) is not None


def test_an_applicants_organisation_is_shown_only_once_approved(client: TestClient, db: Session) -> None:
    organiser = factories.account(db, role="organiser")
    waiting = _apply(db, "Qzx Waiting", "waiting")
    declined = _apply(db, "Qzx Declined", "declined")
    approved = _apply(db, "Qzx Approved", "approved")
    existing = factories.organisation(db, kind="investor", name_zh="老牌资本")
    actor = actor_for_account(organiser)
    signups.set_sign_up_state(db, actor=actor, sign_up=approved, to=SignUpState.APPROVED)
    signups.set_sign_up_state(db, actor=actor, sign_up=declined, to=SignUpState.DECLINED, reason="无法核实")
    db.commit()

    shown = {o.id for o in investors(db)}
    assert approved.organisation_id in shown and existing.id in shown
    assert waiting.organisation_id not in shown and declined.organisation_id not in shown
    assert [_is_listed(db, s.organisation_id) for s in (waiting, declined, approved)] == [False, False, True]

    api = client.get("/api/v1/organisations", params={"q": "Qzx", "page_size": 200}).json()
    assert [item["name_zh"] for item in api["items"]] == ["Qzx Approved"]
    assert client.get(f"/api/v1/organisations/{waiting.organisation.slug}").status_code == 404
    assert client.get(f"/organisations/{declined.organisation.slug}").status_code == 404
    assert client.get(f"/organisations/{approved.organisation.slug}").status_code == 200

    login(client, organiser.username, factories.PASSWORD)
    assert client.get(f"/organisations/{waiting.organisation.slug}").status_code == 200
