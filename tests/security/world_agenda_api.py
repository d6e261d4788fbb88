"""The programme records the agenda API's routes act on in the access matrix: in event A a room with a session
in it whose speaker has a profile, a second person to put on that session, an empty room and a track (which an
organiser may delete)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from tests import factories
from tests.agenda import factories as af
from tests.security.world import World


def extend(db: Session, w: World) -> None:
    event_a = w.events["a"]
    room = af.room(db, event_a, name_zh="接口矩阵会场", name_en="API matrix hall")
    empty_room = af.room(db, event_a, name_zh="接口矩阵空会场", name_en="API matrix empty hall")
    track = af.track(db, event_a, name_zh="接口矩阵专题", name_en="API matrix track")
    speaker = factories.person(db, name_zh="接口矩阵嘉宾", name_en="API Matrix Speaker")
    newcomer = factories.person(db, name_zh="接口矩阵新嘉宾", name_en="API Matrix Newcomer")
    session = af.session(db, event_a, room=room, track=track, people=[speaker], title_zh="接口矩阵分论坛",
                         title_en="API matrix forum", start="2026-04-25 16:00", end="2026-04-25 17:00")
    af.profile(db, event_a, speaker)
    w.extra.update(
        api_session=session.id, api_room=empty_room.id, api_track=track.id, api_speaker=speaker.id,
        api_newcomer=newcomer.id,
    )
