"""Participants imported from a sheet (service, web with its one-time token, API) and the set-up commands:
all rows or none, each error naming its sheet, row and column in the page's language, a second import of the
same file changing nothing."""

from __future__ import annotations

import base64
import io
from pathlib import Path

from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from duijie.core.db import make_engine
from duijie.core.i18n import reset_locale, set_locale
from duijie.core.migrate import upgrade
from duijie.directory.models import Organisation, Person
from duijie.events.models import Event
from duijie.meetings import setup_sheets
from duijie.meetings.cli import meetings
from duijie.meetings.models import Availability, MeetingParticipant, MeetingSlot, MeetingTable
from tests import factories
from tests.conftest import csrf_of
from tests.factories import PASSWORD
from tests.meetings import factories as mf

HEADER = "姓名,机构,邮箱,角色,最多洽谈场数,可参加场次\n"


def _participants(db: Session, event: Event) -> int:
    return db.scalar(
        select(func.count()).select_from(MeetingParticipant).where(MeetingParticipant.event_id == event.id)
    ) or 0


def _csv(*rows: str) -> bytes:
    return (HEADER + "".join(r + "\n" for r in rows)).encode()


def test_import_creates_people_organisations_and_availability_once(db: Session) -> None:
    event = factories.event(db)
    slots, _tables = mf.grid(db, event, slots=2, tables=1, session="2026-04-25 上午场")
    known = factories.person(db, email="known@example.com")
    data = _csv(
        "陈静,新芯科技,chen.jing@example.com,企业,5,上午场",
        "王强,新芯科技,wang.q@example.com,企业,,",
        "李娜,,known@example.com,,,",
    )
    actor = mf.organiser(db, event)
    report = setup_sheets.import_participants(db, event=event, actor=actor, filename="p.csv", data=data)
    assert report.applied and report.summary == {
        "created": 3, "updated": 0, "unchanged": 0, "errors": 0, "new_people": 2, "new_organisations": 1,
    }
    org = db.scalar(select(Organisation).where(Organisation.name_zh == "新芯科技"))
    assert org is not None and org.kind == "enterprise"
    chen = db.scalar(select(Person).where(Person.email == "chen.jing@example.com"))
    row = db.scalar(select(MeetingParticipant).where(MeetingParticipant.person_id == chen.id))  # type: ignore[union-attr]
    assert row is not None and (row.organisation_id, row.max_meetings) == (org.id, 5)
    assert set(db.scalars(select(Availability.slot_id).where(Availability.participant_id == row.id))) == {
        s.id for s in slots
    }
    assert db.scalar(select(MeetingParticipant.id).where(MeetingParticipant.person_id == known.id)) is not None
    again = setup_sheets.import_participants(db, event=event, actor=actor, filename="p.csv", data=data)
    assert again.summary["unchanged"] == 3 and again.summary["created"] == 0


def test_a_file_with_one_bad_row_writes_nothing_and_names_row_and_column(db: Session) -> None:
    event = factories.event(db)
    mf.grid(db, event, slots=1, tables=1, session="2026-04-25 am")
    data = _csv(
        "赵敏,新机构,zhao@example.com,企业,3,am",
        "钱伟,另一机构,qian@example,投资机构,300,夜场",
        "孙丽,未知机构,sun@example.com,,,",
    )
    actor = mf.organiser(db, event)
    people = db.scalar(select(func.count()).select_from(Person))
    token = set_locale("zh_CN")
    try:
        report = setup_sheets.import_participants(db, event=event, actor=actor, filename="名单.csv", data=data)
    finally:
        reset_locale(token)
    assert report.refused and not report.applied
    assert report.errors == [
        "名单!3:邮箱 — “qian@example”不是有效邮箱（如 name@example.com）",
        "名单!3:最多洽谈场数 — “300”不是 1 至 100 之间的整数",
        "名单!3:可参加场次 — “夜场”不是本活动的场次（现有场次：2026-04-25 am）",
        "名单!4:角色 — “未知机构”为新机构，请填写角色（“企业”或“投资机构”）",
    ]
    assert _participants(db, event) == 0
    assert db.scalar(select(func.count()).select_from(Person)) == people


def test_web_import_previews_then_imports_with_a_one_time_token(client: TestClient, db: Session) -> None:
    event = factories.event(db)
    account = factories.account(db, role="organiser", event=event)
    db.commit()
    page = client.get("/login")
    login_token = page.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    client.post("/login", data={"username": account.username, "password": PASSWORD, "csrf": login_token})
    base = f"/events/{event.slug}/meetings/setup/import"
    bad = client.post(
        base + "?lang=en",
        data={"csrf": csrf_of(client, base)},
        files={"file": ("list.csv", _csv("周杰,,zhou@@x,,,"), "text/csv")},
    )
    assert bad.status_code == 422
    assert "list!2:邮箱 — zhou@@x is not an e-mail address (write name@example.com)" in bad.text
    assert 'name="token"' not in bad.text
    preview = client.post(
        base,
        data={"csrf": csrf_of(client, base)},
        files={"file": ("list.csv", _csv("周杰,,zhou@example.com,,2,"), "text/csv")},
    )
    assert preview.status_code == 200 and _participants(db, event) == 0
    token = preview.text.split('name="token" value="', 1)[1].split('"', 1)[0]
    done = client.post(base + "/confirm", data={"csrf": csrf_of(client, base), "token": token})
    assert done.status_code == 200 and 'data-testid="count-created">1<' in done.text
    assert _participants(db, event) == 1
    twice = client.post(base + "/confirm", data={"csrf": csrf_of(client, base), "token": token})
    assert twice.status_code == 422 and _participants(db, event) == 1
    template = client.get(base + "/template.xlsx")
    assert template.headers["content-type"].startswith("application/vnd.openxmlformats")


def test_api_import_refuses_whole_with_every_cell(client: TestClient, db: Session) -> None:
    event = factories.event(db)
    account = factories.account(db, role="organiser", event=event)
    db.commit()
    page = client.get("/login")
    login_token = page.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    client.post("/login", data={"username": account.username, "password": PASSWORD, "csrf": login_token})
    api = f"/api/v1/events/{event.slug}/meetings/setup/participants/import?lang=en"
    body = base64.b64encode(_csv("吴昊,,wu@example.com,,,", ",,nobody@example.com,,,")).decode()
    refused = client.post(api, json={"filename": "x.csv", "content_base64": body})
    assert refused.status_code == 422
    assert [d["message"] for d in refused.json()["error"]["details"]] == ["x!3:姓名 — this cell must not be empty"]
    assert _participants(db, event) == 0
    ok = client.post(api, json={"filename": "x.csv", "content_base64": base64.b64encode(_csv("吴昊,,wu@example.com,,,")).decode()})
    assert ok.status_code == 200 and ok.json()["created"] == 1


def _cli_db(tmp_path: Path) -> tuple[str, int]:
    """A migrated SQLite file holding one event (what `duijie events create` would make)."""
    path = tmp_path / "cli.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with Session(engine) as db:
        event = factories.event(db, slug="cli-summit")
        factories.person(db, email="cli.person@example.com")
        db.commit()
        event_id = event.id
    engine.dispose()
    return str(path), event_id


def test_cli_sets_up_sessions_tables_and_participants(tmp_path: Path) -> None:
    db_path, event_id = _cli_db(tmp_path)
    run = CliRunner().invoke
    common = ["--db", db_path, "--event", "cli-summit"]
    made = run(meetings, ["session", "add", *common, "--label", "上午场", "--day", "2026-04-25",
                          "--start", "09:00", "--end", "12:00", "--slot-minutes", "20"])
    assert made.exit_code == 0, made.output
    assert "2026-04-25 上午场: 9 slots" in made.output
    clash = run(meetings, ["slot", "add", *common, "--label", "x", "--day", "2026-04-25", "--start", "09:10",
                           "--end", "09:30"])
    assert clash.exit_code == 2
    assert "start: " in clash.output and "09:00–09:20" in clash.output
    assert run(meetings, ["tables", "add", *common, "--count", "4", "--area", "A区"]).exit_code == 0
    added = run(meetings, ["participants", "add", *common, "--person", "cli.person@example.com"])
    assert added.exit_code == 0, added.output
    sheet = tmp_path / "people.csv"
    sheet.write_bytes(_csv("郑洁,某资本,zheng@example.com,投资机构,4,上午场"))
    imported = run(meetings, ["participants", "import", *common, str(sheet)])
    assert imported.exit_code == 0, imported.output
    assert "imported: 1 new participants" in imported.output
    engine = make_engine(f"sqlite:///{db_path}")
    with Session(engine) as db:
        assert db.scalar(select(func.count()).select_from(MeetingSlot).where(MeetingSlot.event_id == event_id)) == 9
        assert set(db.scalars(select(MeetingSlot.table_count))) == {4}
        assert db.scalar(select(func.count()).select_from(MeetingTable)) == 4
        assert db.scalar(select(func.count()).select_from(MeetingParticipant)) == 2
    engine.dispose()
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(_xlsx([["姓名", "邮箱"], ["冯雪", "not-an-address"]]))
    refused = run(meetings, ["participants", "import", *common, str(bad)])
    assert refused.exit_code == 1
    assert "Sheet!2:邮箱" in refused.output and "refused" in refused.output


def _xlsx(rows: list[list[str]]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Sheet"
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
