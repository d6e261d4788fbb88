"""Permission-matrix entries for the participant directory and meeting-request routes (collected into
`matrix.ENTRIES`).

The directory of event A is for A's meeting participants (the enterprise and the investor) and A's organisers;
requesting a meeting, and the free slots two participants have in common, are for its participants only. The
target participant is "another enterprise" of A, whom both participants may ask. Anonymous visitors meet the
login page (401 on the API); everyone else, B's organiser included, a 403.
"""

from __future__ import annotations

from tests.security.matrix import EVENT_ORGANISERS, PARTICIPANTS, Entry, only

READERS = only(*EVENT_ORGANISERS, *PARTICIPANTS)
OTHER = {"participant_id": "participant_other"}

ENTRIES: tuple[Entry, ...] = (
    Entry("GET", "/events/{slug}/meetings/people", READERS),
    Entry("GET", "/events/{slug}/meetings/people/{participant_id}", READERS, at=OTHER),
    Entry("GET", "/events/{slug}/meetings/people/{participant_id}/request", only(*PARTICIPANTS), at=OTHER),
    Entry("GET", "/api/v1/events/{slug}/meetings/people", READERS),
    Entry("GET", "/api/v1/events/{slug}/meetings/people/{participant_id}", READERS, at=OTHER),
    Entry(
        "GET", "/api/v1/events/{slug}/meetings/people/{participant_id}/common-slots", only(*PARTICIPANTS), at=OTHER
    ),
)
