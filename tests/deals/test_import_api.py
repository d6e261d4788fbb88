"""The projects import through the API (`/api/v1/imports/projects`): the preview writes nothing, a clean file is
imported whole, a file with any bad row imports nothing and answers every problem with its sheet, row, column
and field in the request's language, `valid_only` imports the valid rows, and only importers may import."""

from __future__ import annotations

import base64
import io
from typing import Any

import httpx
from fastapi.testclient import TestClient
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from duijie.core.models import AuditEntry
from duijie.directory.models import Account
from duijie.events.models import Event
from duijie.marketplace.models import Opportunity
from tests import factories
from tests.conftest import login

URL = "/api/v1/imports/projects"
HEADER = ["项目编号", "项目名称", "类别", "产业", "区域", "金额", "活动"]


def _xlsx(*rows: list[Any], sheet: str = "项目") -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _body(data: bytes, filename: str = "projects.xlsx", **flags: bool) -> dict[str, Any]:
    return {"filename": filename, "content_base64": base64.b64encode(data).decode("ascii"), **flags}


def _good(event: Event, prefix: str) -> bytes:
    return _xlsx(
        HEADER,
        [f"{prefix}-1", "接口导入智能制造项目", "企业融资", "人工智能", "海淀区", "3亿", event.slug],
        [f"{prefix}-2", "接口导入生物医药项目", "企业融资", "医药健康", "昌平区", "1.5亿", event.slug],
    )


def _bad(event: Event, prefix: str) -> bytes:
    """Row 2 is good; row 3 has an amount that is no amount; row 4 lacks its title and names an unknown event."""
    return _xlsx(
        HEADER,
        [f"{prefix}-1", "接口导入智能制造项目", "企业融资", "人工智能", "海淀区", "3亿", event.slug],
        [f"{prefix}-2", "接口导入生物医药项目", "企业融资", "医药健康", "昌平区", "很多钱", event.slug],
        [f"{prefix}-3", None, "企业融资", "医药健康", "昌平区", "1亿", "no-such-event"],
    )


def _projects(db: Session, prefix: str) -> list[tuple[str, str]]:
    db.expire_all()
    rows = db.execute(
        select(Opportunity.external_id, Opportunity.title_zh)
        .where(Opportunity.external_id.like(f"{prefix}-%"))
        .order_by(Opportunity.external_id)
    ).all()
    return [(str(e), str(t)) for e, t in rows]


def _imports(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.entity_type == "import")) or 0


def _organiser(client: TestClient, db: Session) -> Account:
    account = factories.account(db, role="organiser")
    db.commit()
    login(client, account.username, factories.PASSWORD)
    return account


def _ok(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_a_dry_run_previews_every_row_and_writes_nothing(client: TestClient, db: Session) -> None:
    event = factories.event(db)
    _organiser(client, db)
    before = _imports(db)
    report = _ok(client.post(URL, json=_body(_good(event, "DRY"), dry_run=True)))
    assert (report["dry_run"], report["applied"], report["refused"]) == (True, False, False)
    assert (report["created"], report["updated"], report["unchanged"], report["skipped"]) == (2, 0, 0, 0)
    assert [(r["row"], r["external_id"], r["action"], r["kind"]) for r in report["rows"]] == [
        (2, "DRY-1", "create", "project"),
        (3, "DRY-2", "create", "project"),
    ]
    assert "amount" in report["rows"][0]["changed"] and report["errors"] == []
    assert _projects(db, "DRY") == [] and _imports(db) == before


def test_a_clean_file_is_imported_whole_and_importing_it_again_changes_nothing(
    client: TestClient, db: Session
) -> None:
    event = factories.event(db)
    _organiser(client, db)
    data = _good(event, "WHOLE")
    report = _ok(client.post(URL, json=_body(data)))
    assert (report["applied"], report["refused"], report["created"], report["skipped"]) == (True, False, 2, 0)
    assert _projects(db, "WHOLE") == [("WHOLE-1", "接口导入智能制造项目"), ("WHOLE-2", "接口导入生物医药项目")]
    db.expire_all()
    opp = db.scalar(select(Opportunity).where(Opportunity.external_id == "WHOLE-1"))
    assert opp is not None and opp.event_id == event.id and opp.provenance == "import:projects.xlsx"
    again = _ok(client.post(URL, json=_body(data)))
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 2)


def test_a_file_with_bad_rows_imports_nothing_and_names_every_problem(client: TestClient, db: Session) -> None:
    event = factories.event(db)
    _organiser(client, db)
    before = _imports(db)
    refused = client.post(URL, json=_body(_bad(event, "BAD")))
    assert refused.status_code == 422, refused.text
    error = refused.json()["error"]
    assert error["message"] == "未导入任何数据：文件中有 3 处问题需要修改。"
    places = [(d["sheet"], d["row"], d.get("column"), d.get("field")) for d in error["details"]]
    assert places == [
        ("项目", 3, "金额", "amount"),
        ("项目", 4, "项目名称", "title_zh"),
        ("项目", 4, "活动", "event"),
    ]
    messages = [d["message"] for d in error["details"]]
    assert all(m and "—" not in m for m in messages), messages
    assert "no-such-event" in messages[2]
    # Nothing of the file was written, not even its good row.
    assert _projects(db, "BAD") == [] and _imports(db) == before


def test_the_problems_speak_the_requests_language(client: TestClient, db: Session) -> None:
    event = factories.event(db)
    _organiser(client, db)
    refused = client.post(f"{URL}?lang=en", json=_body(_bad(event, "LANG")))
    assert refused.status_code == 422, refused.text
    error = refused.json()["error"]
    assert error["message"] == "Nothing was imported: the file has 3 problems to fix."
    assert error["details"][1] == {
        "message": "this cell must not be empty", "field": "title_zh", "row": 4, "column": "项目名称", "sheet": "项目",
    }  # fmt: skip


def test_valid_only_imports_the_good_rows_and_reports_the_skipped_ones(client: TestClient, db: Session) -> None:
    event = factories.event(db)
    _organiser(client, db)
    report = _ok(client.post(URL, json=_body(_bad(event, "PART"), valid_only=True)))
    assert (report["applied"], report["refused"], report["created"], report["skipped"]) == (True, False, 1, 2)
    assert [(p["row"], p["field"]) for p in report["errors"]] == [(3, "amount"), (4, "title_zh"), (4, "event")]
    assert [(r["row"], r["action"]) for r in report["rows"]] == [(2, "create"), (3, "error"), (4, "error")]
    assert [e["field"] for e in report["rows"][2]["errors"]] == ["title_zh", "event"]
    assert _projects(db, "PART") == [("PART-1", "接口导入智能制造项目")]


def test_a_dry_run_of_a_bad_file_says_it_would_be_refused(client: TestClient, db: Session) -> None:
    event = factories.event(db)
    _organiser(client, db)
    report = _ok(client.post(URL, json=_body(_bad(event, "PREV"), dry_run=True)))
    assert (report["refused"], report["applied"], report["created"], report["skipped"]) == (True, False, 1, 2)
    assert len(report["errors"]) == 3
    assert _projects(db, "PREV") == []


def test_a_sheet_missing_a_required_column_is_refused_at_its_header_row(client: TestClient, db: Session) -> None:
    _organiser(client, db)
    data = _xlsx(["项目编号", "金额"], ["HDR-1", "1亿"])
    error = client.post(f"{URL}?lang=en", json=_body(data)).json()["error"]
    assert error["details"] == [
        {"message": "no column 项目名称 / Title", "row": 1, "sheet": "项目"},
    ]
    assert _projects(db, "HDR") == []


def test_a_file_that_cannot_be_read_is_refused_on_its_field(client: TestClient, db: Session) -> None:
    _organiser(client, db)
    not_base64 = client.post(f"{URL}?lang=en", json={"filename": "p.xlsx", "content_base64": "%%%"})
    assert not_base64.status_code == 422
    assert not_base64.json()["error"]["details"] == [
        {"message": "The file content is not valid base64.", "field": "content_base64"}
    ]
    text = client.post(f"{URL}?lang=en", json=_body(b"hello", filename="notes.txt"))
    assert text.status_code == 422
    assert text.json()["error"]["details"] == [{"message": "Only .xlsx and .csv files can be imported.", "field": "file"}]
    broken = client.post(URL, json=_body(b"not a zip", filename="p.xlsx"))
    assert broken.status_code == 422 and broken.json()["error"]["details"][0]["field"] == "file"


def test_a_district_imports_only_in_its_own_district(client: TestClient, db: Session) -> None:
    event = factories.event(db)
    account = factories.account(db, role="district", district="海淀区")
    db.commit()
    login(client, account.username, factories.PASSWORD)
    refused = client.post(URL, json=_body(_good(event, "DIST")))
    assert refused.status_code == 422, refused.text
    [detail] = refused.json()["error"]["details"]
    assert (detail["row"], detail["field"], detail["message"]) == (3, "district", "只能导入本区的项目")
    assert _projects(db, "DIST") == []


def test_only_importers_may_import(client: TestClient, db: Session) -> None:
    event = factories.event(db)
    body = _body(_good(event, "PERM"))
    assert client.post(URL, json=body).status_code == 401
    investor = factories.account(db, role="investor", organisation=factories.organisation(db, kind="investor"))
    db.commit()
    login(client, investor.username, factories.PASSWORD)
    assert client.post(URL, json=body).status_code == 403
    assert _projects(db, "PERM") == []


def test_the_template_is_the_pages_workbook(client: TestClient) -> None:
    response = client.get(f"{URL}/template")
    assert response.status_code == 200
    assert response.headers["content-disposition"] == 'attachment; filename="duijie-import-template.xlsx"'
    page = client.get("/import/template.xlsx")
    for data in (response.content, page.content):
        book = load_workbook(io.BytesIO(data), read_only=True)
        assert book.sheetnames == ["说明 Guide", "项目 Projects", "签约 Deals"]
    headers = [c.value for c in next(load_workbook(io.BytesIO(response.content))["项目 Projects"].iter_rows())]
    assert headers[:2] == ["项目编号", "项目名称"]
