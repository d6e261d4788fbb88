"""Permission-matrix entries for the forum's registration routes (collected into `matrix.ENTRIES`).

The form and registering are public (anyone may register for a published event); the person's routes are
public by design, the token of their manage link being the key; `/me/registrations` needs a sign-in; every
list, decision, export and category of an event is its organisers' (the city-wide organiser and A's own; B's
organiser is refused, and a refused write changes nothing: the probe reads A's registrations and categories).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from duijie.events.models import EventSetting
from duijie.registration.models import Registration, RegistrationCategory, SessionRegistration
from tests.security.matrix import EVENT_ORGANISERS, LOGGED_IN, PUBLIC, Entry, empty, only
from tests.security.world import World

ORG = only(*EVENT_ORGANISERS)
AT_TOKEN = {"token": "reg_token"}
AT_OFFERED = {"token": "reg_offered_token"}
AT_CATEGORY = {"category_id": "reg_category"}
AT_CODE = {"code": "reg_category_code"}


def registration_state(db: Session, w: World) -> Any:
    """Everything a registration write of event A would change."""
    regs = db.execute(
        select(Registration.id, Registration.state, Registration.category_id, Registration.decline_reason)
        .where(Registration.event_id == w.events["a"].id).order_by(Registration.id)
    ).all()  # fmt: skip
    cats = db.execute(
        select(RegistrationCategory.id, RegistrationCategory.code, RegistrationCategory.capacity, RegistrationCategory.name_zh)
        .where(RegistrationCategory.event_id == w.events["a"].id).order_by(RegistrationCategory.id)
    ).all()  # fmt: skip
    places = db.execute(select(SessionRegistration.id, SessionRegistration.state).order_by(SessionRegistration.id)).all()
    consent = db.scalars(select(EventSetting.value).where(EventSetting.event_id == w.events["a"].id, EventSetting.key == "registration.consent")).all()
    return (list(map(tuple, regs)), list(map(tuple, cats)), list(map(tuple, places)), consent)


def _person(w: World) -> dict[str, str]:
    return {"category": w.reg_category_code, "name": "矩阵报名", "email": "matrix-new@example.org", "consent": "on"}


def _category_form(w: World) -> dict[str, str]:
    return {"code": "matrix-new", "name_zh": "矩阵类别", "capacity": "10", "claim_hours": "24", "is_public": "on"}


def _category_edit(w: World) -> dict[str, str]:
    return {"code": w.reg_category_code, "name_zh": "矩阵改名", "capacity": "30", "claim_hours": "24", "is_public": "on"}


BASE = "/events/{slug}/registrations"
API = "/api/v1/events/{slug}"

ENTRIES: tuple[Entry, ...] = (
    Entry("GET", "/events/{slug}/register", PUBLIC),
    Entry("POST", "/events/{slug}/register", PUBLIC, form=_person),
    Entry("GET", "/registrations/{token}", PUBLIC, at=AT_TOKEN),
    Entry("POST", "/registrations/{token}/cancel", PUBLIC, at=AT_TOKEN, form=empty),
    Entry("POST", "/registrations/{token}/claim", PUBLIC, at=AT_OFFERED, form=empty),
    Entry("POST", "/registrations/{token}/sessions/{session_id}", PUBLIC, at={**AT_TOKEN, "session_id": "reg_session"},
          form=lambda w: {"action": "take"}),
    Entry("GET", "/me/registrations", LOGGED_IN),
    Entry("GET", BASE, ORG),
    Entry("GET", BASE + "/export.csv", ORG),
    Entry("POST", BASE + "/{registration_id}/approve", ORG, at={"registration_id": "reg_pending"}, form=empty, probe=registration_state),
    Entry("POST", BASE + "/{registration_id}/decline", ORG, at={"registration_id": "reg_pending"},
          form=lambda w: {"reason": "矩阵理由"}, probe=registration_state),
    Entry("POST", BASE + "/{registration_id}/cancel", ORG, at={"registration_id": "reg_confirmed"}, form=empty, probe=registration_state),
    Entry("GET", BASE + "/categories", ORG),
    Entry("POST", BASE + "/categories", ORG, form=_category_form, probe=registration_state),
    Entry("POST", BASE + "/categories/{category_id}", ORG, at=AT_CATEGORY, form=_category_edit, probe=registration_state),
    Entry("POST", BASE + "/categories/{category_id}/delete", ORG, at={"category_id": "reg_spare"}, form=empty, probe=registration_state),
    Entry("POST", BASE + "/consent", ORG, form=lambda w: {"consent_zh": "矩阵同意", "consent_en": "Matrix consent"}, probe=registration_state),
    # --- API ---
    Entry("GET", API + "/registration/categories", PUBLIC),
    Entry("POST", API + "/registration/categories", ORG, json=lambda w: {"code": "matrix-api", "name_zh": "接口类别", "capacity": 5},
          probe=registration_state),
    Entry("PATCH", API + "/registration/categories/{code}", ORG, at=AT_CODE, json=lambda w: {"capacity": 40}, probe=registration_state),
    Entry("DELETE", API + "/registration/categories/{code}", ORG, at={"code": "reg_spare_code"}, probe=registration_state),
    Entry("GET", API + "/registration/categories/{code}/waiting", ORG, at=AT_CODE),
    Entry("PUT", API + "/registration/consent", ORG, json=lambda w: {"zh": "矩阵同意", "en": "Matrix consent"}, probe=registration_state),
    Entry("POST", API + "/registrations", PUBLIC,
          json=lambda w: {"category": w.reg_category_code, "name": "接口报名", "email": "matrix-api@example.org", "consent": True}),
    Entry("GET", API + "/registrations", ORG),
    Entry("GET", API + "/registrations/summary", ORG),
    Entry("POST", API + "/registrations/{registration_id}/approve", ORG, at={"registration_id": "reg_pending"}, probe=registration_state),
    Entry("POST", API + "/registrations/{registration_id}/decline", ORG, at={"registration_id": "reg_pending"},
          json=lambda w: {"reason": "矩阵理由"}, probe=registration_state),
    Entry("POST", API + "/registrations/{registration_id}/cancel", ORG, at={"registration_id": "reg_confirmed"}, probe=registration_state),
    Entry("GET", "/api/v1/registrations/{token}", PUBLIC, at=AT_TOKEN),
    Entry("POST", "/api/v1/registrations/{token}/cancel", PUBLIC, at=AT_TOKEN),
    Entry("POST", "/api/v1/registrations/{token}/claim", PUBLIC, at=AT_OFFERED),
    Entry("POST", "/api/v1/registrations/{token}/sessions/{session_id}", PUBLIC,
          at={**AT_TOKEN, "session_id": "reg_session"}, json=lambda w: {"action": "take"}),
)
