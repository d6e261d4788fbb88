"""Only the organiser and the owning district may edit a project — checked for every role, on the web and the API."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from duijie.marketplace.models import Opportunity
from tests.conftest import csrf_of, login

ACCOUNTS = {
    "organiser": ("organiser", "organiser-demo"),
    "district": ("haidian", "district-demo"),
    "enterprise": ("enterprise", "enterprise-demo"),
    "investor": ("investor", "investor-demo"),
    "judge": ("judge", "judge-demo"),
}
# role -> (may edit a 海淀区 project, may edit a 朝阳区 project)
EXPECTED = {
    "organiser": (True, True),
    "district": (True, False),
    "enterprise": (False, False),
    "investor": (False, False),
    "judge": (False, False),
}


def _project(db: Session, district: str) -> Opportunity:
    opp = db.scalar(
        select(Opportunity)
        .where(Opportunity.district == district, Opportunity.status == "published")
        .order_by(Opportunity.id)
    )
    assert opp is not None
    return opp


@pytest.mark.parametrize("role", sorted(EXPECTED))
@pytest.mark.parametrize("district_index", [0, 1])
def test_web_edit_is_allowed_only_to_organiser_and_owning_district(
    client: TestClient, db: Session, role: str, district_index: int
) -> None:
    district = ("海淀区", "朝阳区")[district_index]
    opp = _project(db, district)
    login(client, *ACCOUNTS[role])
    token = csrf_of(client, f"/projects/{opp.id}")
    new_title = f"{opp.title_zh}（已更新）"
    response = client.post(
        f"/projects/{opp.id}/edit",
        data={
            "csrf": token,
            "title_zh": new_title,
            "category": opp.category,
            "industry": opp.industry,
            "district": opp.district,
            "amount": "12.5亿",
        },
        follow_redirects=False,
    )
    db.expire_all()
    allowed = EXPECTED[role][district_index]
    if allowed:
        assert response.status_code == 303
        assert db.get(Opportunity, opp.id).title_zh == new_title  # type: ignore[union-attr]
        assert str(db.get(Opportunity, opp.id).amount) == "1250000000.00"  # type: ignore[union-attr]
    else:
        assert response.status_code == 403
        assert db.get(Opportunity, opp.id).title_zh == opp.title_zh  # type: ignore[union-attr]


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_api_patch_follows_the_same_rule(client: TestClient, db: Session, role: str) -> None:
    opp = _project(db, "海淀区")
    login(client, *ACCOUNTS[role])
    response = client.patch(f"/api/v1/opportunities/{opp.id}", json={"title_en": "Renamed by API"})
    assert response.status_code == (200 if EXPECTED[role][0] else 403)
    if response.status_code == 403:
        assert response.json()["error"]["status"] == 403


def test_anonymous_visitor_cannot_edit(client: TestClient, db: Session) -> None:
    opp = _project(db, "海淀区")
    assert client.get(f"/projects/{opp.id}/edit", follow_redirects=False).status_code == 303
    # The page sends an anonymous visitor to the login page; the API asks to log in (401), as every API route.
    assert client.patch(f"/api/v1/opportunities/{opp.id}", json={"title_en": "x"}).status_code == 401


def test_district_cannot_move_its_project_into_another_district(client: TestClient, db: Session) -> None:
    opp = _project(db, "海淀区")
    login(client, "haidian", "district-demo")
    response = client.patch(f"/api/v1/opportunities/{opp.id}", json={"district": "朝阳区"})
    assert response.status_code == 403
    db.expire_all()
    assert db.get(Opportunity, opp.id).district == "海淀区"  # type: ignore[union-attr]


def test_bad_amount_is_shown_next_to_its_field_and_nothing_is_saved(client: TestClient, db: Session) -> None:
    opp = _project(db, "海淀区")
    login(client, "organiser", "organiser-demo")
    token = csrf_of(client, f"/projects/{opp.id}/edit")
    response = client.post(
        f"/projects/{opp.id}/edit",
        data={
            "csrf": token,
            "title_zh": "新的名称",
            "category": opp.category,
            "industry": opp.industry,
            "district": opp.district,
            "amount": "一点五亿",
        },
    )
    assert response.status_code == 422
    assert "一点五亿" in response.text and 'class="field-error"' in response.text
    db.expire_all()
    assert db.get(Opportunity, opp.id).title_zh == opp.title_zh  # type: ignore[union-attr]


def test_api_validation_error_names_the_field(client: TestClient, db: Session) -> None:
    opp = _project(db, "海淀区")
    login(client, "organiser", "organiser-demo")
    response = client.patch(f"/api/v1/opportunities/{opp.id}", json={"amount": "lots"})
    assert response.status_code == 422
    body = response.json()["error"]
    assert body["details"][0]["field"] == "amount"


def test_edit_is_recorded_in_the_audit_log(client: TestClient, db: Session) -> None:
    from duijie.core.models import AuditEntry

    opp = _project(db, "海淀区")
    login(client, "organiser", "organiser-demo")
    client.patch(f"/api/v1/opportunities/{opp.id}", json={"title_en": "Audited"})
    entry = db.scalar(
        select(AuditEntry).where(AuditEntry.entity_type == "opportunity", AuditEntry.entity_id == opp.id)
    )
    assert entry is not None
    assert entry.after == {"title_en": "Audited"} and entry.before == {"title_en": opp.title_en}
