"""The programme records the organiser's programme pages act on in the access matrix: in event A a room with
opening hours, a track, a session in that room with a speaker who has a profile; in event B a session too (the
pages of A must never reach it)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from tests import factories
from tests.agenda import factories as af
from tests.security.world import World


def extend(db: Session, w: World) -> None:
    event_a, event_b = w.events["a"], w.events["b"]
    room = af.room(db, event_a, name_zh="矩阵会场", name_en="Matrix hall",
                   hours=[("2026-04-25 08:00", "2026-04-25 20:00")])
    track = af.track(db, event_a, name_zh="矩阵专题", name_en="Matrix track")
    speaker = factories.person(db, name_zh="矩阵嘉宾", name_en="Matrix Speaker")
    session = af.session(db, event_a, room=room, track=track, people=[speaker], title_zh="矩阵分论坛",
                         title_en="Matrix forum")
    af.profile(db, event_a, speaker)
    free = factories.person(db, name_zh="矩阵主持人", name_en="Matrix Moderator")
    other = af.session(db, event_b, title_zh="乙活动分论坛", title_en="B's forum")
    w.extra.update(
        programme_room=room.id, programme_track=track.id, programme_session=session.id,
        programme_person=speaker.id, programme_other_person=free.id, programme_session_b=other.id,
    )
