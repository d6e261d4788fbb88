"""Publishing the programme: the first release tells nobody; a later one records exactly which sessions changed
and tells exactly the people they concern (speakers, starrers, the audience hook's listeners), in their
language, and nobody else."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from duijie.agenda import editing, publishing
from duijie.agenda.hooks import PROGRAMME_AUDIENCE, Listener
from duijie.core.models import AuditEntry, Notification, OutboxMail
from tests import factories
from tests.agenda import factories as af


def _notified(db: Session, event_id: int) -> set[int]:
    return set(db.scalars(select(Notification.account_id).where(
        Notification.event_id == event_id, Notification.kind == "programme_changed")))


def _mails(db: Session) -> dict[str, OutboxMail]:
    return {m.to: m for m in db.scalars(select(OutboxMail).where(OutboxMail.template == "programme_changed"))}


def test_a_change_tells_exactly_the_sessions_speakers_and_starrers(db: Session) -> None:
    event = af.forum(db)
    organiser = factories.actor(db, role="organiser", event=event)
    speaker_x = factories.account(db, locale="en")
    speaker_y = factories.account(db)
    fan_x, fan_y = factories.account(db), factories.account(db)
    room = af.room(db, event)
    x = af.session(db, event, title_zh="人工智能论坛", title_en="AI Forum", room=room, people=[speaker_x.person])
    y = af.session(db, event, start="2026-04-25 11:00", end="2026-04-25 12:00", room=room,
                   people=[speaker_y.person])
    af.star(db, fan_x, x)
    af.star(db, fan_y, y)

    first = publishing.publish_programme(db, organiser, event)
    assert first.release.number == 1 and first.notified == 0
    assert {c.kind for c in first.changes} == {"added"} and _notified(db, event.id) == set()

    editing.update_session(db, actor=organiser, event=event, session=x,
                           data={"starts_at": "2026-04-25 14:00", "ends_at": "2026-04-25 15:00"})
    second = publishing.publish_programme(db, organiser, event)
    assert [(c.session_id, c.kind, c.fields) for c in second.changes] == [(x.id, "changed", ("time",))]
    assert _notified(db, event.id) == {speaker_x.id, fan_x.id}
    assert second.notified == 2
    mails = _mails(db)
    assert speaker_y.person.email not in mails and fan_y.person.email not in mails
    english = mails[speaker_x.person.email]
    assert "AI Forum" in english.subject + english.body and "2026-04-25 14:00" in english.body
    assert english.locale.startswith("en")
    # Each session's link stands on its own line under it.
    assert any(line.strip().startswith("http") and line.strip().endswith(f"/events/{event.slug}/sessions/{x.id}")
               for line in english.body.splitlines())
    chinese = mails[fan_x.person.email]
    assert "人工智能论坛" in chinese.body and chinese.locale.startswith("zh")
    recorded = db.scalar(select(AuditEntry).where(AuditEntry.entity_type == "programme_release",
                                                  AuditEntry.entity_id == second.release.id))
    assert recorded is not None and recorded.after["changes"][0]["session_id"] == x.id


def test_nothing_changed_tells_nobody_and_a_cancellation_is_announced(db: Session) -> None:
    event = af.forum(db)
    organiser = factories.actor(db, role="organiser", event=event)
    speaker = factories.account(db)
    removed = factories.person(db)
    session = af.session(db, event, people=[speaker.person, removed])
    publishing.publish_programme(db, organiser, event)
    assert publishing.publish_programme(db, organiser, event).changes == []
    # Taking someone off the panel tells them too (they are in the previous release's people).
    editing.update_session(db, actor=organiser, event=event, session=session,
                           data={"speakers": [{"person_id": speaker.person_id}]})
    third = publishing.publish_programme(db, organiser, event)
    assert third.changes[0].fields == ("people",)
    assert removed.email in _mails(db)
    editing.delete_session(db, actor=organiser, event=event, session=session)
    fourth = publishing.publish_programme(db, organiser, event)
    assert [c.kind for c in fourth.changes] == ["cancelled"]
    assert fourth.notified == 1  # the remaining speaker (the removed one was told already and is off it)


def test_the_audience_hook_adds_listeners_for_changed_sessions_only(db: Session) -> None:
    event = af.forum(db)
    organiser = factories.actor(db, role="organiser", event=event)
    x, y = af.session(db, event), af.session(db, event, start="2026-04-25 13:00", end="2026-04-25 14:00")
    asked: list[list[int]] = []

    def registrants(_db: Session, session_ids: Sequence[int]) -> Iterable[Listener]:
        asked.append(list(session_ids))
        return [Listener(sid, email=f"guest{sid}@example.org", locale="en") for sid in session_ids]

    PROGRAMME_AUDIENCE.register(registrants, key="tests.registrants")
    try:
        publishing.publish_programme(db, organiser, event)
        editing.update_session(db, actor=organiser, event=event, session=x, data={"title_zh": "新标题"})
        result = publishing.publish_programme(db, organiser, event)
    finally:
        PROGRAMME_AUDIENCE.unregister("tests.registrants")
    assert asked == [[x.id]]
    assert result.notified == 1 and f"guest{x.id}@example.org" in _mails(db)
    assert f"guest{y.id}@example.org" not in _mails(db)
