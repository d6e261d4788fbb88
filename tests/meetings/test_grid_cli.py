"""The grid from the command line (`duijie meetings grid ...`): a move keeps the calendar UID and raises its
SEQUENCE as on the page; a place outside someone's free time is refused naming who (status 2, nothing moved)
unless `--override-availability`; unpinning."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from duijie.core.db import make_engine
from duijie.core.migrate import upgrade
from duijie.meetings import placement
from duijie.meetings.cli import meetings
from duijie.meetings.models import Availability, Meeting, MeetingTable
from tests import factories
from tests.meetings import factories as mf


def _world(tmp_path: Path) -> tuple[str, dict[str, int]]:
    """A migrated SQLite file: an event with three slots and two tables, two participants (the second free only
    in the first two slots) and their meeting pinned at the first slot, table 1."""
    path = tmp_path / "grid.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with Session(engine) as db:
        event = factories.event(db, slug="grid-cli")
        slots, _tables = mf.grid(db, event, slots=3, tables=2)
        a = mf.participant(db, event, organisation=factories.organisation(db, name_zh="北辰创投", name_en="Beichen Ventures"))
        b = mf.participant(db, event, organisation=factories.organisation(db, name_zh="南山科技", name_en="Nanshan Tech"))
        db.add_all([Availability(participant_id=b.id, slot_id=s.id) for s in slots[:2]])
        request = mf.request(db, event, a, b, state="accepted")
        meeting = placement.pin_meeting(
            db, event=event, actor=mf.organiser(db, event), request=request, slot_id=slots[0].id, table_number=1
        )
        db.commit()
        ids = {"meeting": meeting.id, "request": request.id, "sequence": meeting.sequence or 0,
               **{f"slot{k}": s.id for k, s in enumerate(slots)}}
    engine.dispose()
    return str(path), ids


def _where(db_path: str, request_id: int) -> tuple[int, int, int, bool, int]:
    engine = make_engine(f"sqlite:///{db_path}")
    with Session(engine) as db:
        meeting = db.scalar(select(Meeting).where(Meeting.request_id == request_id))
        assert meeting is not None
        table = db.get(MeetingTable, meeting.table_id)
        assert table is not None
        found = (meeting.id, meeting.slot_id, table.number, meeting.pinned, meeting.sequence or 0)
    engine.dispose()
    return found


def test_moving_unpinning_and_the_availability_refusal_from_the_command_line(tmp_path: Path) -> None:
    db_path, ids = _world(tmp_path)
    run = CliRunner().invoke
    common = ["--db", db_path, "--event", "grid-cli"]
    moved = run(meetings, ["grid", "move", *common, "--meeting", str(ids["meeting"]), "--slot", str(ids["slot1"]),
                           "--table", "2"])
    assert moved.exit_code == 0, moved.output
    meeting_id, slot_id, table, pinned, sequence = _where(db_path, ids["request"])
    assert (slot_id, table, pinned) == (ids["slot1"], 2, True) and sequence > ids["sequence"]
    assert f"meeting {meeting_id} (request {ids['request']})" in moved.output and "table 2" in moved.output
    # The third slot is outside the second participant's time: refused in English, naming them, nothing moved.
    outside = ["grid", "move", *common, "--meeting", str(meeting_id), "--slot", str(ids["slot2"]), "--table", "1"]
    refused = run(meetings, [*outside, "--lang", "en"])
    assert refused.exit_code == 2
    assert "(Nanshan Tech) is not available at" in refused.output and "--override-availability" in refused.output
    assert _where(db_path, ids["request"])[:3] == (meeting_id, ids["slot1"], 2)
    forced = run(meetings, [*outside, "--override-availability"])
    assert forced.exit_code == 0, forced.output
    meeting_id, slot_id, _table, _pinned, _seq = _where(db_path, ids["request"])
    assert slot_id == ids["slot2"]
    unpinned = run(meetings, ["grid", "unpin", *common, "--meeting", str(meeting_id)])
    assert unpinned.exit_code == 0 and "not pinned" in unpinned.output
    assert _where(db_path, ids["request"])[3] is False
