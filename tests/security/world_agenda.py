"""The programme records the public agenda pages act on in the access matrix: in event A a timed session in a
room with a speaker who has a profile (its page, its calendar file, its star, the speaker's page)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from tests import factories
from tests.agenda import factories as af
from tests.security.world import World


def extend(db: Session, w: World) -> None:
    event_a = w.events["a"]
    room = af.room(db, event_a, name_zh="页面矩阵会场", name_en="Page matrix hall")
    speaker = factories.person(db, name_zh="页面矩阵嘉宾", name_en="Page Matrix Speaker")
    session = af.session(
        db, event_a, room=room, people=[speaker], title_zh="页面矩阵分论坛", title_en="Page matrix forum",
        start="2026-04-25 14:00", end="2026-04-25 15:00",
    )  # fmt: skip
    af.profile(db, event_a, speaker)
    w.extra.update(agenda_session=session.id, agenda_speaker=speaker.id)
