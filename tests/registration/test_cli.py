"""`duijie registration` on a new database, as a script runs it: categories, register, the waiting list,
decisions, the export; refusals one line per option in the chosen language, exit 1, nothing written."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from pypdf import PdfReader
from sqlalchemy import select

from duijie.cli import main
from duijie.core.db import make_engine, make_sessionmaker, unit_of_work, utcnow
from duijie.core.migrate import upgrade
from duijie.events.models import Event
from duijie.registration.models import CheckIn, Registration
from tests import factories
from tests.registration import factories_checkin as checkin_factories


@pytest.fixture
def db_file(tmp_path: Path) -> Path:
    path = tmp_path / "registration.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with unit_of_work(make_sessionmaker(engine)) as db:
        factories.event(db, slug="cli-forum")
    engine.dispose()
    return path


def _run(db_file: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["registration", *args, "--db", str(db_file)])


def _states(db_file: Path) -> list[str]:
    engine = make_engine(f"sqlite:///{db_file}")
    with unit_of_work(make_sessionmaker(engine), write=False) as db:
        found = list(db.scalars(select(Registration.state).order_by(Registration.id)))
    engine.dispose()
    return found


def test_categories_register_waiting_list_decisions_and_export(db_file: Path) -> None:
    added = _run(db_file, "categories", "add", "--event", "cli-forum", "--code", "guest", "--name-zh", "嘉宾", "--name-en", "Guest", "--capacity", "1")
    assert added.exit_code == 0, added.output
    listed = _run(db_file, "categories", "list", "--event", "cli-forum", "--json")
    assert json.loads(listed.output.splitlines()[0])["capacity"] == 1
    for name in ("甲", "乙", "丙"):
        done = _run(db_file, "register", "--event", "cli-forum", "--category", "guest", "--name", name, "--email", f"{ord(name)}@example.org", "--consent")
        assert done.exit_code == 0, done.output
    waiting = _run(db_file, "list", "--event", "cli-forum", "--state", "waiting")
    assert [line.split("\t")[2] for line in waiting.output.splitlines()] == ["#1", "#2"]
    first_id = _run(db_file, "list", "--event", "cli-forum", "--state", "confirmed").output.split("\t")[0]
    cancelled = _run(db_file, "cancel", "--event", "cli-forum", first_id)
    assert cancelled.exit_code == 0 and "\tcancelled\t" in cancelled.output
    assert _states(db_file) == ["cancelled", "offered", "waiting"]
    raised = _run(db_file, "categories", "set", "--event", "cli-forum", "guest", "--capacity", "2")
    assert raised.exit_code == 0 and _states(db_file) == ["cancelled", "offered", "offered"]
    exported = _run(db_file, "export", "--event", "cli-forum")
    rows = list(csv.DictReader(io.StringIO(exported.output)))
    assert [r["state"] for r in rows] == ["cancelled", "offered", "offered"] and rows[0]["category"] == "guest"


def test_refusals_name_the_option_in_the_chosen_language_and_write_nothing(db_file: Path) -> None:
    _run(db_file, "categories", "add", "--event", "cli-forum", "--code", "media", "--name-zh", "媒体", "--approval")
    refused = _run(db_file, "register", "--event", "cli-forum", "--category", "media", "--name", "某", "--email", "nope", "--lang", "en")
    assert refused.exit_code == 1
    assert "error: --email: Enter an e-mail address such as name@example.com." in refused.output
    assert "error: --consent: Tick the box to agree" in refused.output
    assert _states(db_file) == []
    bad = _run(db_file, "categories", "add", "--event", "cli-forum", "--code", "x", "--name-zh", "某类", "--capacity", "很多")
    assert bad.exit_code == 1 and bad.output.startswith("error: --capacity: 很多")
    pending = _run(db_file, "register", "--event", "cli-forum", "--category", "media", "--name", "记者", "--email", "press@example.org", "--consent")
    # The organiser registering someone needs no approval.
    assert "\tconfirmed\t" in pending.output
    decline = _run(db_file, "decline", "--event", "cli-forum", pending.output.split("\t")[0], "--reason", " ")
    assert decline.exit_code == 1


def test_a_badge_is_written_for_a_confirmed_registration_and_door_counts_are_printed(
    db_file: Path, tmp_path: Path
) -> None:
    engine = make_engine(f"sqlite:///{db_file}")
    with unit_of_work(make_sessionmaker(engine)) as db:
        event = db.scalar(select(Event).where(Event.slug == "cli-forum"))
        assert event is not None
        confirmed = checkin_factories.registration(db, event, name="陈静", name_en="Chen Jing")
        waiting = checkin_factories.registration(db, event, state="waiting")
        db.add(CheckIn(event_id=event.id, registration_id=confirmed.id, client_id="scan-1", device="phone-1",
                       gate="东门", day=event.starts_on, scanned_at=utcnow(), admitted=True))
        db.add(CheckIn(event_id=event.id, registration_id=confirmed.id, client_id="scan-2", device="phone-2",
                       gate="西门", day=event.starts_on, scanned_at=utcnow(), admitted=False, reason="duplicate"))
        ids = (confirmed.id, waiting.id)
    engine.dispose()
    pdf = tmp_path / "badge.pdf"
    written = _run(db_file, "badge", "--event", "cli-forum", str(ids[0]), "--output", str(pdf))
    assert written.exit_code == 0, written.output
    assert pdf.read_bytes().startswith(b"%PDF") and "陈静" in PdfReader(str(pdf)).pages[0].extract_text()
    refused = _run(db_file, "badge", "--event", "cli-forum", str(ids[1]), "--output", str(tmp_path / "no.pdf"))
    assert refused.exit_code == 1 and "候补" in refused.output and not (tmp_path / "no.pdf").exists()
    counts = json.loads(_run(db_file, "checkins", "--event", "cli-forum", "--json").output)
    day = event.starts_on.isoformat()
    assert counts == [
        {"day": day, "gate": None, "admitted": 1, "repeated": 1, "refused": 0},
        {"day": day, "gate": "东门", "admitted": 1, "repeated": 0, "refused": 0},
        {"day": day, "gate": "西门", "admitted": 0, "repeated": 1, "refused": 0},
    ]
