"""The registration rules through the service: the decision (approval, free place, waiting list), refusals
naming their field, one promotion per freed place with a claim deadline, expired offers passing on, approvals,
declines, session places by the same rules, audit entries and mails for every change."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from duijie.core.auth import ANONYMOUS
from duijie.core.db import utcnow
from duijie.core.errors import DomainError, PermissionDenied
from duijie.core.models import AuditEntry, Job, OutboxMail
from duijie.registration import mails, queries, service
from duijie.registration.models import Registration
from duijie.registration.waiting import State
from tests import factories
from tests.registration import factories as rf


def _states(db: Session, category_id: int) -> list[str]:
    return list(db.scalars(select(Registration.state).where(Registration.category_id == category_id).order_by(Registration.id)))


def test_places_then_waiting_list_in_arrival_order(db: Session) -> None:
    event = factories.event(db)
    cat = rf.category(db, event, capacity=2)
    people = [service.register(db, event, cat, rf.form()) for _ in range(4)]
    assert [p.state for p in people] == ["confirmed", "confirmed", "waiting", "waiting"]
    assert [service.position(db, p) for p in people] == [None, None, 1, 2]
    assert [(c["counts"]["confirmed"], c["counts"]["waiting"], c["free"]) for c in queries.summary(db, event=event)] == [(2, 2, 0)]
    waiting_mail = db.scalar(select(OutboxMail).where(OutboxMail.to == people[3].email))
    assert waiting_mail is not None and "2" in waiting_mail.subject and waiting_mail.locale == "zh_CN"


def test_unlimited_category_confirms_everyone(db: Session) -> None:
    event = factories.event(db)
    cat = rf.category(db, event, capacity=None)
    assert {service.register(db, event, cat, rf.form()).state for _ in range(5)} == {"confirmed"}


def test_every_problem_is_named_beside_its_field(db: Session) -> None:
    event = factories.event(db)
    cat = rf.category(db, event, capacity=5)
    with pytest.raises(DomainError) as refused:
        service.register(db, event, cat, {"name": " ", "email": "not-an-address", "phone": "12a"})
    assert {d.field for d in refused.value.details} == {"name", "email", "phone", "consent"}
    assert db.scalar(select(Registration.id).where(Registration.category_id == cat.id)) is None


def test_second_active_registration_of_an_email_is_refused_whatever_the_case(db: Session) -> None:
    event = factories.event(db)
    cat, other = rf.category(db, event, capacity=5), rf.category(db, event)
    service.register(db, event, cat, rf.form(email="Ann@Example.org"))
    with pytest.raises(DomainError) as refused:
        service.register(db, event, other, rf.form(email="ann@example.org"))
    assert refused.value.field == "email" and refused.value.status_code == 409
    assert "ann@example.org" in refused.value.message
    # Another event is another matter.
    second = factories.event(db)
    assert service.register(db, second, rf.category(db, second), rf.form(email="ann@example.org")).state == "confirmed"


def test_cancelled_person_may_register_again(db: Session) -> None:
    event = factories.event(db)
    cat = rf.category(db, event, capacity=5)
    first = service.register(db, event, cat, rf.form(email="bo@example.org"))
    service.cancel(db, actor=ANONYMOUS, registration=first)
    assert service.register(db, event, cat, rf.form(email="bo@example.org")).state == "confirmed"


def test_closed_not_yet_open_and_invitation_only_categories(db: Session) -> None:
    event = factories.event(db)
    now = utcnow()
    later = rf.category(db, event, opens_at=now + dt.timedelta(days=1))
    over = rf.category(db, event, closes_at=now - dt.timedelta(hours=1))
    vip = rf.category(db, event, is_public=False)
    for cat in (later, over):
        with pytest.raises(DomainError) as refused:
            service.register(db, event, cat, rf.form())
        assert refused.value.field == "category"
    with pytest.raises(PermissionDenied):
        service.register(db, event, vip, rf.form())
    organiser = factories.actor(db, role="organiser", event=event)
    assert service.register(db, event, vip, rf.form(), actor=organiser).state == "confirmed"
    assert [c.id for c in service.public_categories(db, event=event)] == []


def test_cancellation_promotes_exactly_one_with_a_deadline(db: Session) -> None:
    event = factories.event(db)
    cat = rf.category(db, event, capacity=2, claim_hours=24)
    people = [service.register(db, event, cat, rf.form(locale="en")) for _ in range(5)]
    before = utcnow()
    service.cancel(db, actor=ANONYMOUS, registration=people[0])
    assert _states(db, cat.id) == ["cancelled", "confirmed", "offered", "waiting", "waiting"]
    offered = people[2]
    assert offered.offered_until is not None
    assert before + dt.timedelta(hours=24) <= offered.offered_until <= utcnow() + dt.timedelta(hours=24)
    offer = db.scalar(select(OutboxMail).where(OutboxMail.to == offered.email, OutboxMail.template == "registration_offered"))
    assert offer is not None and offer.locale == "en"
    assert mails.manage_token(db, offered) in offer.body and "(Asia/Shanghai)" in offer.body
    assert db.scalar(select(Job).where(Job.kind == "registration.sweep", Job.state == "queued")) is not None
    # Claimed in time: confirmed, nobody else moves.
    service.claim(db, actor=ANONYMOUS, registration=offered)
    assert _states(db, cat.id) == ["cancelled", "confirmed", "confirmed", "waiting", "waiting"]
    assert [service.position(db, p) for p in people[3:]] == [1, 2]


def test_cancelling_a_waiting_person_promotes_nobody(db: Session) -> None:
    event = factories.event(db)
    cat = rf.category(db, event, capacity=1)
    people = [service.register(db, event, cat, rf.form()) for _ in range(3)]
    service.cancel(db, actor=ANONYMOUS, registration=people[1])
    assert _states(db, cat.id) == ["confirmed", "cancelled", "waiting"]
    assert service.position(db, people[2]) == 1


def test_expired_offer_passes_to_the_next(db: Session) -> None:
    event = factories.event(db)
    cat = rf.category(db, event, capacity=1, claim_hours=2)
    people = [service.register(db, event, cat, rf.form()) for _ in range(3)]
    service.cancel(db, actor=ANONYMOUS, registration=people[0])
    assert people[1].state == "offered"
    assert service.sweep(db, now=utcnow() + dt.timedelta(hours=1)) == 0
    assert service.sweep(db, now=utcnow() + dt.timedelta(hours=3)) == 1
    assert _states(db, cat.id) == ["cancelled", "expired", "offered"]
    with pytest.raises(DomainError) as late:
        service.claim(db, actor=ANONYMOUS, registration=people[1])
    assert late.value.field == "state"
    mailed = set(db.scalars(select(OutboxMail.template).where(OutboxMail.to == people[1].email)))
    assert mailed == {"registration_waiting", "registration_offered", "registration_expired"}


def test_claim_after_the_deadline_is_refused_even_before_any_sweep(db: Session) -> None:
    event = factories.event(db)
    cat = rf.category(db, event, capacity=1)
    people = [service.register(db, event, cat, rf.form()) for _ in range(3)]
    service.cancel(db, actor=ANONYMOUS, registration=people[0])
    people[1].offered_until = utcnow() - dt.timedelta(minutes=1)
    db.flush()
    with pytest.raises(DomainError):
        service.claim(db, actor=ANONYMOUS, registration=people[1])
    assert _states(db, cat.id) == ["cancelled", "expired", "offered"]


def test_approval_then_place_or_waiting_and_decline_with_reason(db: Session) -> None:
    event = factories.event(db)
    cat = rf.category(db, event, capacity=1, requires_approval=True)
    organiser = factories.actor(db, role="organiser", event=event)
    a, b, c = (service.register(db, event, cat, rf.form()) for _ in range(3))
    assert {a.state, b.state, c.state} == {"pending"}
    assert service.approve(db, actor=organiser, registration=a).state == "confirmed"
    assert service.approve(db, actor=organiser, registration=b).state == "waiting"
    with pytest.raises(DomainError) as blank:
        service.decline(db, actor=organiser, registration=c, reason=" ")
    assert blank.value.details[0].field == "reason"
    service.decline(db, actor=organiser, registration=c, reason="名额已满，欢迎明年参加")
    assert c.state == "declined" and c.decline_reason == "名额已满，欢迎明年参加"
    body = db.scalar(select(OutboxMail.body).where(OutboxMail.to == c.email, OutboxMail.template == "registration_declined"))
    assert body is not None and "名额已满，欢迎明年参加" in body
    with pytest.raises(DomainError):
        service.approve(db, actor=organiser, registration=a)


def test_capacity_raised_offers_the_new_places_and_cannot_drop_below_held(db: Session) -> None:
    event = factories.event(db)
    organiser = factories.actor(db, role="organiser", event=event)
    cat = rf.category(db, event, capacity=1)
    for _ in range(4):
        service.register(db, event, cat, rf.form())
    service.update_category(db, actor=organiser, category=cat, data={"capacity": "3"})
    assert _states(db, cat.id) == ["confirmed", "offered", "offered", "waiting"]
    with pytest.raises(DomainError) as refused:
        service.update_category(db, actor=organiser, category=cat, data={"capacity": "2"})
    assert refused.value.field == "capacity" and "3" in refused.value.message


def test_every_change_is_audited(db: Session) -> None:
    event = factories.event(db)
    cat = rf.category(db, event, capacity=1)
    a, b = service.register(db, event, cat, rf.form()), service.register(db, event, cat, rf.form())
    service.cancel(db, actor=ANONYMOUS, registration=a)
    actions = list(db.scalars(select(AuditEntry.action).where(AuditEntry.entity_type == "registration", AuditEntry.entity_id.in_([a.id, b.id])).order_by(AuditEntry.id)))
    assert actions == ["register", "register", "cancelled", "offered"]


def test_session_places_follow_the_same_rules(db: Session) -> None:
    event = factories.event(db)
    cat = rf.category(db, event)
    talk = rf.session(db, event, capacity=1)
    a, b, c = (service.register(db, event, cat, rf.form()) for _ in range(3))
    places = [service.register_session(db, actor=ANONYMOUS, registration=r, session=talk) for r in (a, b, c)]
    assert [p.state for p in places] == ["confirmed", "waiting", "waiting"]
    # Cancelling the event registration gives up its session place: the next waiting person is offered it.
    service.cancel(db, actor=ANONYMOUS, registration=a)
    assert [p.state for p in places] == ["cancelled", "offered", "waiting"]
    assert service.change_place(db, actor=ANONYMOUS, place=places[1], to=State.CONFIRMED).state == "confirmed"
    # A place needs a confirmed event registration, and a session with places.
    pending_cat = rf.category(db, event, requires_approval=True)
    pending = service.register(db, event, pending_cat, rf.form())
    with pytest.raises(DomainError) as refused:
        service.register_session(db, actor=ANONYMOUS, registration=pending, session=talk)
    assert refused.value.field == "registration"
    with pytest.raises(DomainError):
        service.register_session(db, actor=ANONYMOUS, registration=b, session=rf.session(db, event, capacity=None))


def test_manage_token_names_its_registration_only(db: Session) -> None:
    event = factories.event(db)
    cat = rf.category(db, event)
    a, b = service.register(db, event, cat, rf.form()), service.register(db, event, cat, rf.form())
    token = mails.manage_token(db, a)
    assert service.by_token(db, token).id == a.id
    forged = f"{b.id}-{token.split('-', 1)[1]}"
    with pytest.raises(DomainError):
        service.by_token(db, forged)
