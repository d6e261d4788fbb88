"""`duijie meetings grid ...`: the organiser's hand on the grid from the command line, the twin of the grid page
and of `/api/v1/events/{slug}/meetings/...`: move a placed meeting, pin an accepted request, arrange a meeting
between two participants, unpin. Every write goes through `meetings.placement` (audited under `cli`, calendars
keep the UID and raise SEQUENCE). Scriptable: every value is an option, nothing prompts; a refusal prints its
message (in `--lang`) on stderr and exits with status 2, with nothing written. A place outside someone's free
time is refused, naming who, unless `--override-availability` is given."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import click

from duijie.meetings.cli import _db, _event, meetings

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from duijie.core.auth import Actor
    from duijie.events.models import Event
    from duijie.meetings.models import Meeting


@meetings.group(name="grid")
def grid_group() -> None:
    """Move, pin, arrange and unpin meetings on an event's grid."""


_slot = click.option("--slot", "slot_id", required=True, type=int, help="The time slot's id (`meetings session list`).")
_table = click.option("--table", "table_number", required=True, type=int, help="The table's number.")
_override = click.option(
    "--override-availability",
    is_flag=True,
    help="Place it there although a side did not mark that time free.",
)
_lang = click.option(
    "--lang", type=click.Choice(("zh", "zh_CN", "en")), default="zh", show_default=True, help="Language of messages."
)


def _run(db_path: str, slug: str, lang: str, write: Callable[[Session, Event, Actor], Meeting]) -> None:
    """Open the database, run the write as the command-line organiser in `lang`, print where the meeting is; a
    refusal prints every message and leaves with status 2 (the unit of work rolls back)."""
    from duijie.core.cli_support import cli_actor, open_db
    from duijie.core.errors import DomainError
    from duijie.core.i18n import speaking
    from duijie.events.service import get_event
    from duijie.meetings import placement, service
    from duijie.meetings.models import MeetingSlot, MeetingTable

    with speaking("zh_CN" if lang == "zh" else lang), open_db(db_path) as db:
        event = get_event(db, slug=slug)
        try:
            meeting = write(db, event, cli_actor())
        except DomainError as exc:
            db.rollback()
            for detail in exc.details:
                click.echo(f"error: {detail.field + ': ' if detail.field else ''}{detail.message}", err=True)
            if isinstance(exc, placement.OutsideAvailability):
                click.echo("add --override-availability to place it there anyway", err=True)
            raise SystemExit(2) from None
        slot, table = db.get(MeetingSlot, meeting.slot_id), db.get(MeetingTable, meeting.table_id)
        assert slot is not None and table is not None
        pinned = "pinned" if meeting.pinned else "not pinned"
        click.echo(
            f"meeting {meeting.id} (request {meeting.request_id}): {service.slot_label(slot)}, "
            f"table {table.number}, {meeting.state}, {pinned}"
        )


@grid_group.command(name="move")
@_db
@_event
@click.option("--meeting", "meeting_id", required=True, type=int, help="The meeting's id.")
@_slot
@_table
@_override
@_lang
def grid_move(
    db_path: str, slug: str, meeting_id: int, slot_id: int, table_number: int, override_availability: bool, lang: str
) -> None:
    """Move a meeting to another slot and table and pin it there (it gets a new id, its calendar UID stays)."""
    from duijie.meetings import placement, service

    def write(db: Session, event: Event, actor: Actor) -> Meeting:
        meeting = service.get_meeting(db, event=event, id=meeting_id)
        return placement.move_meeting(
            db, event=event, actor=actor, meeting=meeting, slot_id=slot_id, table_number=table_number,
            override_availability=override_availability,
        )

    _run(db_path, slug, lang, write)


@grid_group.command(name="pin")
@_db
@_event
@click.option("--request", "request_id", required=True, type=int, help="The accepted request's id.")
@_slot
@_table
@_override
@_lang
def grid_pin(
    db_path: str, slug: str, request_id: int, slot_id: int, table_number: int, override_availability: bool, lang: str
) -> None:
    """Place an accepted request's meeting at the slot and table and pin it there."""
    from duijie.meetings import placement, service

    def write(db: Session, event: Event, actor: Actor) -> Meeting:
        request = service.get_request(db, event=event, id=request_id)
        return placement.pin_meeting(
            db, event=event, actor=actor, request=request, slot_id=slot_id, table_number=table_number,
            override_availability=override_availability,
        )

    _run(db_path, slug, lang, write)


@grid_group.command(name="arrange")
@_db
@_event
@click.option("--a", "a_id", required=True, type=int, help="One participant's id.")
@click.option("--b", "b_id", required=True, type=int, help="The other participant's id.")
@_slot
@_table
@_override
@_lang
def grid_arrange(
    db_path: str,
    slug: str,
    a_id: int,
    b_id: int,
    slot_id: int,
    table_number: int,
    override_availability: bool,
    lang: str,
) -> None:
    """Arrange a meeting between two participants (accepted on both sides' behalf) and pin it."""
    from duijie.meetings import placement

    def write(db: Session, event: Event, actor: Actor) -> Meeting:
        return placement.create_meeting(
            db, event=event, actor=actor, requester_id=a_id, recipient_id=b_id, slot_id=slot_id,
            table_number=table_number, override_availability=override_availability,
        )

    _run(db_path, slug, lang, write)


@grid_group.command(name="unpin")
@_db
@_event
@click.option("--meeting", "meeting_id", required=True, type=int, help="The meeting's id.")
@_lang
def grid_unpin(db_path: str, slug: str, meeting_id: int, lang: str) -> None:
    """Let the scheduler move a pinned meeting again (it stays where it is until the next run)."""
    from duijie.meetings import placement, service

    def write(db: Session, event: Event, actor: Actor) -> Meeting:
        meeting = service.get_meeting(db, event=event, id=meeting_id)
        return placement.unpin(db, event=event, actor=actor, meeting=meeting)

    _run(db_path, slug, lang, write)
