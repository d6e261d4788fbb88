"""`duijie agenda session|room|track|speaker|publish|completeness|conflicts|import` on a new database, as a script
would run them: values as options, refusals one line per problem naming the option or the file's place,
nothing written on any refusal."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from duijie.agenda.models import AgendaSession, Room
from duijie.cli import main
from duijie.core.db import make_engine, make_sessionmaker
from duijie.core.migrate import upgrade
from tests import factories
from tests.agenda import factories as af


@pytest.fixture(scope="module")
def db_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("agenda-cli") / "new.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture
def session(db_file: Path) -> Iterator[Session]:
    engine = make_engine(f"sqlite:///{db_file}")
    try:
        with make_sessionmaker(engine)() as db:
            yield db
    finally:
        engine.dispose()


def _run(db_file: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["agenda", *args, "--db", str(db_file)])


def _count(db: Session, model: type, event_id: int) -> int:
    db.rollback()  # a fresh read: the commands wrote through their own connections
    return db.scalar(select(func.count()).select_from(model).where(model.event_id == event_id)) or 0  # type: ignore[attr-defined]


def test_sessions_rooms_tracks_and_speakers_by_option(db_file: Path, session: Session) -> None:
    event = af.forum(session, slug="cli-forum")
    person = factories.person(session, name_zh="孙悦", name_en="Sun Yue")
    session.commit()

    room = _run(db_file, "room", "add", "--event", "cli-forum", "--name-zh", "一号厅", "--name-en", "Hall 1",
                "--capacity", "300", "--hours", "2026-04-25 08:00/2026-04-25 18:00")
    assert room.exit_code == 0, room.output
    assert "一号厅" in _run(db_file, "room", "list", "--event", "cli-forum").output
    assert _run(db_file, "track", "add", "--event", "cli-forum", "--name-zh", "人工智能").exit_code == 0

    added = _run(db_file, "session", "add", "--event", "cli-forum", "--title-zh", "开幕式", "--start",
                 "2026-04-25 09:00", "--end", "2026-04-25 10:00", "--room", "Hall 1", "--track", "人工智能",
                 "--speaker", "moderator:孙悦", "--json")
    assert added.exit_code == 0, added.output
    shown = json.loads(added.stdout)
    assert shown["starts_at"] == "2026-04-25T09:00:00+08:00" and shown["people"][0]["role"] == "moderator"

    bad = _run(db_file, "session", "add", "--event", "cli-forum", "--start", "soon", "--end", "2026-04-25 10:00",
               "--expected", "many", "--lang", "en")
    assert bad.exit_code == 1
    assert "error: --title-zh:" in bad.stderr and "error: --start:" in bad.stderr and "--expected" in bad.stderr

    clash = _run(db_file, "session", "add", "--event", "cli-forum", "--title-zh", "圆桌", "--start",
                 "2026-04-25 09:30", "--end", "2026-04-25 10:30", "--speaker", str(person.id))
    assert clash.exit_code == 1 and "开幕式" in clash.stderr and "圆桌" in clash.stderr
    assert _count(session, AgendaSession, event.id) == 1

    other = _run(db_file, "session", "add", "--event", "cli-forum", "--title-zh", "闭幕式", "--start",
                 "2026-04-25 16:00", "--end", "2026-04-25 17:00")
    other_id = other.stdout.split("\t")[0]
    assert _run(db_file, "speaker", "add", "--event", "cli-forum", "--session", other_id, "--person",
                "Sun Yue").exit_code == 0
    listed = _run(db_file, "session", "list", "--event", "cli-forum").stdout.splitlines()
    assert [line.split("\t")[4] for line in listed] == ["开幕式", "闭幕式"]

    conflicts = _run(db_file, "conflicts", "--event", "cli-forum")
    assert conflicts.exit_code == 0 and conflicts.stdout == ""
    missing = _run(db_file, "completeness", "--event", "cli-forum", "--json")
    report = json.loads(missing.stdout)
    assert {(i["kind"], i["field"]) for i in report["items"]} == {("session", "title_en"), ("track", "name_en")}

    first = json.loads(_run(db_file, "publish", "--event", "cli-forum", "--json").stdout)
    assert first["release"] == 1 and first["notified"] == 0
    moved = _run(db_file, "session", "update", other_id, "--event", "cli-forum", "--start", "2026-04-25 15:00",
                 "--end", "2026-04-25 16:00")
    assert moved.exit_code == 0, moved.output
    second = json.loads(_run(db_file, "publish", "--event", "cli-forum", "--json").stdout)
    assert [(c["session_id"], c["fields"]) for c in second["changes"]] == [(int(other_id), ["time"])]
    assert _run(db_file, "session", "delete", other_id, "--event", "cli-forum").stdout.strip() == f"cancelled {other_id}"
    assert _run(db_file, "session", "list", "--event", "nope").exit_code == 2


def test_import_writes_a_whole_programme_or_nothing(db_file: Path, session: Session, tmp_path: Path) -> None:
    event = af.forum(session, slug="cli-import")
    factories.person(session, name_zh="周游", name_en="Zhou You")
    session.commit()
    good = {
        "rooms": [{"name_zh": "主会场", "name_en": "Main hall", "capacity": 500,
                   "hours": [["2026-04-25 08:00", "2026-04-25 20:00"]]}],
        "tracks": [{"name_zh": "生命健康", "name_en": "Life and health"}],
        "profiles": [{"person": "周游", "title_zh": "院士", "title_en": "Academician"}],
        "sessions": [
            {"title_zh": "主论坛", "title_en": "Plenary", "kind": "plenary", "start": "2026-04-25T09:00:00+08:00",
             "end": "2026-04-25T11:00:00+08:00", "room": "主会场", "track": "Life and health",
             "people": [{"person": "Zhou You", "role": "speaker"}]},
            {"title_zh": "平行论坛", "start": "2026-04-25 13:00", "end": "2026-04-25 15:00", "room": "Main hall"},
        ],
    }
    bad = json.loads(json.dumps(good))
    bad["sessions"].append({"title_zh": "冲突场", "start": "2026-04-25 10:00", "end": "2026-04-25 12:00",
                            "room": "主会场"})
    bad["sessions"].append({"title_zh": "", "start": "2026-04-25 21:00", "end": "2026-04-25 20:00", "room": "无",
                            "people": ["查无此人"], "colour": "red"})
    path = tmp_path / "programme.json"
    path.write_text(json.dumps(bad, ensure_ascii=False), encoding="utf-8")
    refused = _run(db_file, "import", "--event", "cli-import", "--input", str(path), "--lang", "en")
    assert refused.exit_code == 1
    lines = refused.stderr.splitlines()
    assert any(line.startswith("error: sessions[2].start:") and "'Plenary'" in line and "冲突场" in line
               for line in lines), lines
    for place in ("sessions[3].room", "sessions[3].people[0].person", "sessions[3].colour", "sessions[3].title_zh",
                  "sessions[3].end"):
        assert any(f"error: {place}:" in line for line in lines), (place, lines)
    assert _count(session, Room, event.id) == 0 and _count(session, AgendaSession, event.id) == 0

    path.write_text(json.dumps(good, ensure_ascii=False), encoding="utf-8")
    done = _run(db_file, "import", "--event", "cli-import", "--input", str(path))
    assert done.exit_code == 0, done.output
    assert _count(session, Room, event.id) == 1 and _count(session, AgendaSession, event.id) == 2
