"""Attribution: what sourced a deal, and how the record it names is read.

A deal records the kind of its source (`deals.enums.SourceKind`) and, where the source is a record of the
platform, that record's id: a forum session (agenda, below deals) or a 1:1 meeting (meetings, above deals, which
registers its reader here). A source of a kind with no reader (an exhibitor lead, a trading event, a
recommendation, another channel) is cited in words. The label kept on the deal is what every page and export
shows, so a source stays cited even if its record is later removed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from duijie.agenda.models import AgendaSession
from duijie.core.hooks import Hook


@dataclass(frozen=True)
class SourceReader:
    """Reads a source record by id: its label (Chinese, English), or None if there is no such record."""

    kind: str
    read: Callable[[Session, int], tuple[str, str | None] | None]


SOURCE_READERS: Hook[SourceReader] = Hook("deals.source_readers")


def reader_for(kind: str) -> SourceReader | None:
    return next((r for r in SOURCE_READERS if r.kind == kind), None)


def read_session(db: Session, session_id: int) -> tuple[str, str | None] | None:
    session = db.get(AgendaSession, session_id)
    return (session.title_zh, session.title_en) if session is not None else None


SOURCE_READERS.register(SourceReader("session", read_session), key="deals.session")
