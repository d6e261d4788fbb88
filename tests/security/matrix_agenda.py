"""Permission-matrix entries for the forum's agenda routes (collected into `matrix.ENTRIES`)."""

from __future__ import annotations

from tests.security.matrix import LOGGED_IN, NO, PUBLIC, Entry
from tests.security.world import ROLES

# --- public pages (H3) ---
# The programme of a published event (A) is public on purpose; starring and the personal agenda need an
# account (anonymous visitors meet the login page); the personal feed is opened by its token alone, so a wrong
# one (the event's slug here) is a 404 for everyone. Records: tests/security/world_agenda.py. That drafts are a
# 404 on every page is tested in tests/agenda/test_pages.py.
_PAGE = "/events/{slug}"
_S = {"session_id": "agenda_session"}

ENTRIES: tuple[Entry, ...] = (
    Entry("GET", _PAGE + "/agenda", PUBLIC),
    Entry("GET", _PAGE + "/sessions", PUBLIC),
    Entry("GET", _PAGE + "/sessions/{session_id}.ics", PUBLIC, at=_S),
    Entry("GET", _PAGE + "/sessions/{session_id}", PUBLIC, at=_S),
    Entry("POST", _PAGE + "/sessions/{session_id}/star", LOGGED_IN, at=_S, form=lambda w: {"star": "1"}),
    Entry("GET", _PAGE + "/speakers", PUBLIC),
    Entry("GET", _PAGE + "/speakers/{person_id}", PUBLIC, at={"person_id": "agenda_speaker"}),
    Entry("GET", "/me/agenda", LOGGED_IN),
    Entry("GET", "/agenda/calendar/{token}.ics", dict.fromkeys(ROLES, NO), at={"token": "event_a"}),
)


# --- API (H2) ---
# The programme API: reads public for a published programme (A is published), writes and reports for A's
# organisers only (B's organiser and every other account refused, anonymous visitors 401); a refused write
# leaves the session as it was. Records: tests/security/world_agenda_api.py.

from typing import Any  # noqa: E402

from sqlalchemy.orm import Session  # noqa: E402

from duijie.agenda.models import AgendaSession  # noqa: E402
from tests.security.matrix import EVENT_ORGANISERS, PUBLIC, only  # noqa: E402
from tests.security.world import World  # noqa: E402

_API = "/api/v1/events/{slug}"
_SESSION = {"session_id": "api_session"}
_SPEAKER = {"session_id": "api_session", "person_id": "api_speaker"}
_ORGANISERS = only(*EVENT_ORGANISERS)


def _api_session_state(db: Session, w: World) -> Any:
    session = db.get(AgendaSession, w.api_session)
    assert session is not None
    db.refresh(session)
    return (session.title_en, session.cancelled_at, session.sequence, [(s.person_id, s.role) for s in session.speakers])


ENTRIES = (
    *ENTRIES,
    Entry("GET", _API + "/sessions", PUBLIC),
    Entry("GET", _API + "/sessions/{session_id}", PUBLIC, at=_SESSION),
    Entry("GET", _API + "/speakers", PUBLIC),
    Entry("GET", _API + "/rooms", PUBLIC),
    Entry("GET", _API + "/tracks", PUBLIC),
    Entry("POST", _API + "/sessions", _ORGANISERS, json=lambda w: {"title_zh": "接口矩阵新场次"}),
    Entry("PATCH", _API + "/sessions/{session_id}", _ORGANISERS, at=_SESSION,
          json=lambda w: {"title_en": "Renamed by the matrix"}, probe=_api_session_state),
    Entry("DELETE", _API + "/sessions/{session_id}", _ORGANISERS, at=_SESSION, probe=_api_session_state),
    Entry("POST", _API + "/sessions/{session_id}/speakers", _ORGANISERS, at=_SESSION,
          json=lambda w: {"person_id": w.api_newcomer, "role": "moderator"}, probe=_api_session_state),
    Entry("PATCH", _API + "/sessions/{session_id}/speakers/{person_id}", _ORGANISERS, at=_SPEAKER,
          json=lambda w: {"role": "host"}, probe=_api_session_state),
    Entry("DELETE", _API + "/sessions/{session_id}/speakers/{person_id}", _ORGANISERS, at=_SPEAKER,
          probe=_api_session_state),
    Entry("PUT", _API + "/speakers/{person_id}/profile", _ORGANISERS, at={"person_id": "api_speaker"},
          json=lambda w: {"title_zh": "矩阵职务", "title_en": "Matrix title"}),
    Entry("DELETE", _API + "/speakers/{person_id}/profile", _ORGANISERS, at={"person_id": "api_speaker"}),
    Entry("POST", _API + "/rooms", _ORGANISERS, json=lambda w: {"name_zh": "接口矩阵新会场", "capacity": 50}),
    Entry("PATCH", _API + "/rooms/{room_id}", _ORGANISERS, at={"room_id": "api_room"},
          json=lambda w: {"name_en": "Renamed hall"}),
    Entry("DELETE", _API + "/rooms/{room_id}", _ORGANISERS, at={"room_id": "api_room"}),
    Entry("POST", _API + "/tracks", _ORGANISERS, json=lambda w: {"name_zh": "接口矩阵新专题"}),
    Entry("PATCH", _API + "/tracks/{track_id}", _ORGANISERS, at={"track_id": "api_track"},
          json=lambda w: {"name_en": "Renamed track"}),
    Entry("DELETE", _API + "/tracks/{track_id}", _ORGANISERS, at={"track_id": "api_track"}),
    Entry("GET", _API + "/programme/conflicts", _ORGANISERS),
    Entry("GET", _API + "/programme/completeness", _ORGANISERS),
    Entry("POST", _API + "/programme/publish", _ORGANISERS, json=lambda w: {}),
    Entry("GET", _API + "/programme/severity", _ORGANISERS),
    Entry("PUT", _API + "/programme/severity", _ORGANISERS, json=lambda w: {"over_capacity": "warn"}),
)
