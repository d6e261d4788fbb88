"""Project contacts leave the site in bulk only for those who keep them: the organiser (of the project's event or
city-wide) and the district that owns the project. Anyone else's export has no contact columns at all."""

from __future__ import annotations

import io

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from tests import factories
from tests.conftest import login
from tests.marketplace import factories as market_factories

HAIDIAN_PHONE, CHAOYANG_PHONE = "010-5550-1111", "010-5550-2222"
HAIDIAN_MAIL, CHAOYANG_MAIL = "hd@contact.example", "cy@contact.example"


def _export(client: TestClient, db: Session, grant: dict[str, object] | None, fmt: str = "csv") -> str:
    event = factories.event(db)
    market_factories.project(
        db, event, district="海淀区", contact_name="海淀联系人", contact_phone=HAIDIAN_PHONE, contact_email=HAIDIAN_MAIL
    )
    market_factories.project(
        db, event, district="朝阳区", contact_name="朝阳联系人", contact_phone=CHAOYANG_PHONE, contact_email=CHAOYANG_MAIL
    )
    if grant is not None:
        if grant.get("event") == "this":
            grant = {**grant, "event": event}
        account = factories.account(db, **grant)  # type: ignore[arg-type]
        login(client, account.username, factories.PASSWORD)
    response = client.get(f"/export/projects.{fmt}", params={"event": event.slug})
    assert response.status_code == 200
    if fmt == "csv":
        return response.content.decode("utf-8-sig")
    rows = load_workbook(io.BytesIO(response.content))["项目 Projects"].iter_rows(values_only=True)
    return "\n".join(",".join("" if v is None else str(v) for v in row) for row in rows)


@pytest.mark.parametrize(
    "grant",
    [None, {"role": "judge"}, {"role": "investor"}, {"role": "enterprise"}],
    ids=["anonymous", "judge", "investor", "enterprise"],
)
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_readers_who_keep_no_contacts_export_without_contact_columns(
    client: TestClient, db: Session, grant: dict[str, object] | None, fmt: str
) -> None:
    text = _export(client, db, grant, fmt)
    assert "海淀区" in text and "朝阳区" in text
    for secret in ("联系人", "联系电话", "联系邮箱", HAIDIAN_PHONE, CHAOYANG_PHONE, HAIDIAN_MAIL, CHAOYANG_MAIL):
        assert secret not in text


@pytest.mark.parametrize(
    "grant", [{"role": "organiser"}, {"role": "organiser", "event": "this"}], ids=["citywide", "of-the-event"]
)
def test_the_organiser_exports_every_contact(client: TestClient, db: Session, grant: dict[str, object]) -> None:
    text = _export(client, db, grant)
    assert "联系电话" in text and all(v in text for v in (HAIDIAN_PHONE, CHAOYANG_PHONE, HAIDIAN_MAIL, CHAOYANG_MAIL))


def test_a_district_exports_the_contacts_of_its_own_projects_only(client: TestClient, db: Session) -> None:
    text = _export(client, db, {"role": "district", "district": "海淀区"})
    assert "联系电话" in text and HAIDIAN_PHONE in text and HAIDIAN_MAIL in text
    assert CHAOYANG_PHONE not in text and CHAOYANG_MAIL not in text and "朝阳区" in text
