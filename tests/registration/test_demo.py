"""The demo's registration for the 2024 forum: its categories, registrations in every state, a waiting list in
arrival order behind a full category, and session places that respect their sessions' capacity.

These read the demo the session's database holds (built once per backend by tests/conftest.py)."""

from __future__ import annotations

import re
from collections import Counter

from sqlalchemy import select
from sqlalchemy.orm import Session

from duijie.agenda.models import AgendaSession
from duijie.directory.models import Account
from duijie.events.service import get_event
from duijie.registration.models import Registration, RegistrationCategory, SessionRegistration

HOLDING = ("confirmed", "offered")


def _categories(db: Session) -> dict[str, RegistrationCategory]:
    event = get_event(db, slug="zgc-forum-2024")
    rows = db.scalars(select(RegistrationCategory).where(RegistrationCategory.event_id == event.id))
    return {c.code: c for c in rows}


def test_the_forum_has_seven_bilingual_categories_with_approval_and_visibility(db: Session) -> None:
    cats = _categories(db)
    assert set(cats) == {"guest", "speaker", "media", "exhibitor", "investor", "government", "vip"}
    assert all(c.name_zh and c.name_en and c.capacity for c in cats.values())
    assert {c.code for c in cats.values() if c.requires_approval} == {"media", "vip"}
    assert {c.code for c in cats.values() if not c.is_public} == {"government", "vip"}
    # Open now, so a visitor of the demo can register.
    assert all(c.closes_at is None for c in cats.values())


def test_registrations_in_every_state_within_each_categorys_places(db: Session) -> None:
    cats = _categories(db)
    regs = list(db.scalars(select(Registration).where(Registration.category_id.in_([c.id for c in cats.values()]))))
    assert len(regs) > 1000
    assert {r.state for r in regs} == {"confirmed", "waiting", "pending", "offered", "cancelled", "declined",
                                       "expired"}  # fmt: skip
    by = Counter((r.category_id, r.state) for r in regs)
    for c in cats.values():
        held = sum(by[(c.id, s)] for s in HOLDING)
        assert held <= (c.capacity or 0)
        if by[(c.id, "waiting")]:
            assert held == c.capacity  # nobody waits while a place is free
    assert by[(cats["media"].id, "pending")] and by[(cats["vip"].id, "pending")]
    assert not any(by[(c.id, "pending")] for c in cats.values() if not c.requires_approval)
    declined = [r for r in regs if r.state == "declined"]
    assert all(r.decline_reason for r in declined)
    assert all(r.name_en and r.badge_nonce and re.fullmatch(r"[0-9a-f]{32}", r.badge_nonce) for r in regs)
    assert len({r.badge_nonce for r in regs}) == len(regs)
    assert len({r.email for r in regs}) == len(regs)


def test_the_full_category_offers_its_freed_place_to_the_first_waiting_and_the_rest_wait_in_order(
    db: Session,
) -> None:
    investors = _categories(db)["investor"]
    rows = list(db.scalars(select(Registration).where(Registration.category_id == investors.id)
                           .order_by(Registration.id)))  # fmt: skip
    offered = [r for r in rows if r.state == "offered"]
    waiting = [r for r in rows if r.state == "waiting"]
    assert len(offered) == 1 and offered[0].offered_until is not None and len(waiting) == 14
    assert all(offered[0].id < w.id for w in waiting)
    assert [w.created_at for w in waiting] == sorted(w.created_at for w in waiting)


def test_the_demo_accounts_hold_confirmed_registrations(db: Session) -> None:
    for username in ("investor", "enterprise"):
        account = db.scalars(select(Account).where(Account.username == username)).one()
        reg = db.scalars(select(Registration).where(Registration.account_id == account.id)).one()
        assert reg.state == "confirmed" and account.person is not None and reg.email == account.person.email


def test_session_places_respect_capacity_and_only_a_full_session_has_a_waiting_list(db: Session) -> None:
    event = get_event(db, slug="zgc-forum-2024")
    sessions = {s.id: s for s in db.scalars(select(AgendaSession).where(AgendaSession.event_id == event.id,
                                                                        AgendaSession.capacity.is_not(None)))}  # fmt: skip
    places = list(db.scalars(select(SessionRegistration).where(SessionRegistration.session_id.in_(sessions))))
    assert len(sessions) >= 10 and places
    confirmed_regs = set(db.scalars(select(Registration.id).where(Registration.event_id == event.id,
                                                                  Registration.state == "confirmed")))  # fmt: skip
    assert {p.registration_id for p in places} <= confirmed_regs
    by = Counter((p.session_id, p.state) for p in places)
    full = 0
    for sid, session in sessions.items():
        assert by[(sid, "confirmed")] <= (session.capacity or 0)
        if by[(sid, "waiting")]:
            assert by[(sid, "confirmed")] == session.capacity
            full += 1
    assert full == 1
