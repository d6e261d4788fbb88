"""Registration: an event's categories, the registrations in them and the places in sessions, with the rules a
web form, the API and the command line all share.

A registration is decided with its category locked (`waiting.lock`): approval required → pending; a free
place → confirmed; otherwise → waiting, in arrival order. A freed place is offered to exactly one waiting
person per place, with a claim deadline; an offer not claimed in time expires and passes on (`sweep`, run by
the `registration.sweep` job at each deadline and on every read, so nothing depends on a worker's timing).
Places in sessions with a capacity follow the same rules through the same code (`waiting.Pool`), for
people whose event registration is confirmed.

Two transition functions write states: `set_registration_state` and `set_place_state`; their docstrings list
what each move also does. Services flush; the caller's unit of work commits.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from duijie.agenda.models import AgendaSession
from duijie.core import audit
from duijie.core.auth import ANONYMOUS, Actor
from duijie.core.db import utcnow
from duijie.core.errors import DomainError, ErrorDetail, NotFound, PermissionDenied
from duijie.core.i18n import bilingual, get_locale, normalize_locale
from duijie.core.i18n import gettext as _
from duijie.core.i18n import mark as _l
from duijie.core.jobs import enqueue_waiting
from duijie.core.transitions import check
from duijie.core.validation import text_problem
from duijie.directory.models import Account
from duijie.directory.users import EMAIL
from duijie.events.models import Event
from duijie.events.permissions import can_manage_event
from duijie.events.settings import setting
from duijie.registration import badges, mails, waiting
from duijie.registration.models import Registration, RegistrationCategory, SessionRegistration
from duijie.registration.waiting import ACTIVE, HOLDING, TRANSITIONS, State

# The consent a registrant gives, per event: {"zh": "...", "en": "..."}; empty: the default sentence.
CONSENT = setting("registration.consent", dict, {})
DEFAULT_CONSENT = _l(
    "I agree that the organiser keeps the details I give here to run this event and to write to me about it."
)
# How long a freed place in a session stays offered (sessions have no category of their own).
SESSION_CLAIM_HOURS = setting("registration.session_claim_hours", int, 24)
SWEEP_LOCK = "registration.sweep"


def _invalid(errors: list[ErrorDetail]) -> DomainError:
    return DomainError("；".join(e.message for e in errors) if len(errors) > 1 else errors[0].message, details=errors)


def _text(raw: Mapping[str, Any], name: str, limit: int, errors: list[ErrorDetail], *, required: bool = False) -> str | None:
    """A one-line text field, stripped; a problem is added to `errors` naming the field."""
    value = raw.get(name)
    text = "" if value is None else str(value).strip()
    if not text:
        if required:
            errors.append(ErrorDetail(_("Fill in this field."), field=name))
        return None
    if len(text) > limit:
        errors.append(
            ErrorDetail(_("The text is too long: %(n)s characters, at most %(max)s.") % {"n": len(text), "max": limit}, field=name)
        )
        return None
    problem = text_problem(text, multiline=False)
    if problem:
        errors.append(ErrorDetail(problem, field=name))
        return None
    return text


def _flag(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() in ("1", "true", "on", "yes"))


# -- consent ------------------------------------------------------------------------------------------------


def consent_text(db: Session, *, event: Event, locale: str | None = None) -> str:
    """The consent sentence the form shows, in the reader's language (the other language, then the default)."""
    stored = CONSENT.get(db, event_id=event.id)
    zh, en = stored.get("zh") or None, stored.get("en") or None
    if not zh and not en:
        return _(DEFAULT_CONSENT)
    return bilingual(zh, en, locale)


def put_consent(db: Session, *, actor: Actor, event: Event, zh: str, en: str) -> dict[str, str]:
    """Store the event's consent text in both languages (both required), audited."""
    errors: list[ErrorDetail] = []
    values = {"zh": _text({"zh": zh}, "zh", 1000, errors, required=True), "en": _text({"en": en}, "en", 1000, errors, required=True)}
    if errors:
        raise _invalid([ErrorDetail(e.message, field=f"consent_{e.field}") for e in errors])
    before = CONSENT.get(db, event_id=event.id)
    stored = {k: str(v) for k, v in values.items()}
    CONSENT.put(db, event_id=event.id, value=stored)
    audit.record(db, actor=actor, entity_type="event", entity_id=event.id, action="registration_consent",
                 event_id=event.id, before=before, after=stored)  # fmt: skip
    return stored


# -- categories ---------------------------------------------------------------------------------------------

CATEGORY_FIELDS = (
    "code", "name_zh", "name_en", "capacity", "requires_approval", "is_public", "claim_hours", "opens_at",
    "closes_at", "position",
)  # fmt: skip
CODE_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-_")


def _local_datetime(value: Any, event: Event, field: str, errors: list[ErrorDetail]) -> dt.datetime | None:
    """A moment from a form (`2026-04-20T09:00`, read in the event's zone) or the API (aware, any zone)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    moment = value
    if not isinstance(moment, dt.datetime):
        try:
            moment = dt.datetime.fromisoformat(str(value).strip())
        except ValueError:
            errors.append(ErrorDetail(_("%(v)s is not a date and time (write 2026-04-20 09:00)") % {"v": str(value)[:40]}, field=field))
            return None
    if moment.tzinfo is None:
        import zoneinfo

        moment = moment.replace(tzinfo=zoneinfo.ZoneInfo(event.timezone or "Asia/Shanghai"))
    return moment.astimezone(dt.UTC)


def _whole(value: Any, field: str, errors: list[ErrorDetail], *, low: int, high: int, blank_none: bool) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if not blank_none:
            errors.append(ErrorDetail(_("Fill in this field."), field=field))
        return None
    try:
        number = int(str(value).strip()) if not isinstance(value, int) or isinstance(value, bool) else value
        if isinstance(value, bool):
            raise ValueError
    except ValueError:
        errors.append(ErrorDetail(_("%(v)s is not a whole number.") % {"v": str(value)[:40]}, field=field))
        return None
    if not low <= number <= high:
        errors.append(ErrorDetail(_("Give a number from %(low)s to %(high)s.") % {"low": low, "high": high}, field=field))
        return None
    return number


def clean_category(raw: Mapping[str, Any], *, event: Event, creating: bool) -> dict[str, Any]:
    """Column values from a form or the API; one DomainError lists every problem beside its field. On an edit
    only the fields given change (an unchecked box on a form is given as absent: forms pass it explicitly)."""
    errors: list[ErrorDetail] = []
    values: dict[str, Any] = {}
    for name in CATEGORY_FIELDS:
        if name not in raw:
            if creating and name in ("code", "name_zh"):
                errors.append(ErrorDetail(_("Fill in this field."), field=name))
            continue
        value = raw[name]
        if name == "code":
            code = _text(raw, name, 20, errors, required=True)
            if code is not None:
                if set(code) - CODE_CHARS:
                    errors.append(ErrorDetail(_("Use lower-case letters, digits, hyphens and underscores, at most 20 (such as guest)."), field=name))
                else:
                    values[name] = code
        elif name in ("name_zh", "name_en"):
            text = _text(raw, name, 80, errors, required=name == "name_zh")
            if text is not None or name == "name_en":
                values[name] = text
        elif name == "capacity":
            values[name] = _whole(value, name, errors, low=0, high=1_000_000, blank_none=True)
        elif name == "claim_hours":
            hours = _whole(value, name, errors, low=1, high=24 * 30, blank_none=False)
            if hours is not None:
                values[name] = hours
        elif name == "position":
            values[name] = _whole(value, name, errors, low=0, high=10_000, blank_none=True) or 0
        elif name in ("requires_approval", "is_public"):
            values[name] = _flag(value)
        else:
            values[name] = _local_datetime(value, event, name, errors)
    opens, closes = values.get("opens_at"), values.get("closes_at")
    if opens and closes and closes <= opens:
        errors.append(ErrorDetail(_("Registration must close after it opens."), field="closes_at"))
    if errors:
        raise _invalid(errors)
    if creating:
        values.setdefault("claim_hours", 48)
        values.setdefault("is_public", True)
        values.setdefault("requires_approval", False)
    return values


def list_categories(db: Session, *, event: Event) -> list[RegistrationCategory]:
    """The event's categories in their order."""
    return list(
        db.scalars(
            select(RegistrationCategory)
            .where(RegistrationCategory.event_id == event.id)
            .order_by(RegistrationCategory.position, RegistrationCategory.id)
        )
    )


def closed_reason(category: RegistrationCategory, *, now: dt.datetime | None = None) -> str | None:
    """Why the category takes no registration now (not yet open, closed), or None when it is open."""
    moment = now or utcnow()
    if category.opens_at is not None and moment < category.opens_at:
        return _("Registration for this category opens on %(when)s UTC.") % {"when": category.opens_at.strftime("%Y-%m-%d %H:%M")}
    if category.closes_at is not None and moment >= category.closes_at:
        return _("Registration for this category closed on %(when)s UTC.") % {"when": category.closes_at.strftime("%Y-%m-%d %H:%M")}
    return None


def public_categories(db: Session, *, event: Event, now: dt.datetime | None = None) -> list[RegistrationCategory]:
    """The categories the public form offers: public ones that are open now."""
    return [c for c in list_categories(db, event=event) if c.is_public and closed_reason(c, now=now) is None]


def get_category(db: Session, *, event: Event, code: str) -> RegistrationCategory:
    """The event's category with this code (or its id written as digits), or a 404 naming it."""
    found = db.scalar(
        select(RegistrationCategory).where(RegistrationCategory.event_id == event.id, RegistrationCategory.code == code)
    )
    if found is None and code.isdigit():
        found = db.scalar(
            select(RegistrationCategory).where(RegistrationCategory.event_id == event.id, RegistrationCategory.id == int(code))
        )
    if found is None:
        raise NotFound(_("There is no registration category “%(code)s” in this event.") % {"code": code[:40]}, field="category")
    return found


def _code_taken(db: Session, event: Event, code: str, other_than: int | None) -> bool:
    stmt = select(RegistrationCategory.id).where(RegistrationCategory.event_id == event.id, RegistrationCategory.code == code)
    if other_than is not None:
        stmt = stmt.where(RegistrationCategory.id != other_than)
    return db.scalar(stmt) is not None


def create_category(db: Session, *, actor: Actor, event: Event, data: Mapping[str, Any]) -> RegistrationCategory:
    """A new category of the event (its code unique in the event), audited."""
    values = clean_category(data, event=event, creating=True)
    if _code_taken(db, event, values["code"], None):
        raise DomainError(_("The event already has a category “%(code)s”.") % {"code": values["code"]}, field="code")
    category = RegistrationCategory(event_id=event.id, **values)
    db.add(category)
    db.flush()
    audit.record(db, actor=actor, entity_type="registration_category", entity_id=category.id, action="create",
                 event_id=event.id, after=values)  # fmt: skip
    return category


def category_pool(db: Session, category: RegistrationCategory, *, actor: Actor) -> waiting.Pool[Registration]:
    """The category's places as a waiting-list pool; its rows move through `set_registration_state`."""

    def move(db: Session, row: Registration, to: State, until: dt.datetime | None) -> Registration:
        return set_registration_state(db, actor=actor, registration=row, to=to, offered_until=until)

    return waiting.Pool(
        model=Registration,
        member=Registration.category_id == category.id,
        capacity=category.capacity,
        claim_hours=category.claim_hours,
        lock_model=RegistrationCategory,
        lock_id=category.id,
        move=move,
    )


def update_category(
    db: Session, *, actor: Actor, category: RegistrationCategory, data: Mapping[str, Any]
) -> RegistrationCategory:
    """Change the fields given, audited. A capacity below the places already held is refused (naming how many);
    a larger one offers the new places to the waiting list at once."""
    event = db.get(Event, category.event_id)
    assert event is not None
    values = clean_category(data, event=event, creating=False)
    if "code" in values and _code_taken(db, event, values["code"], category.id):
        raise DomainError(_("The event already has a category “%(code)s”.") % {"code": values["code"]}, field="code")
    pool = category_pool(db, category, actor=actor)
    waiting.lock(db, pool)
    if "capacity" in values and values["capacity"] is not None:
        taken = waiting.held(db, pool)
        if values["capacity"] < taken:
            raise DomainError(
                _("%(n)s places are already held in this category; the capacity cannot be less.") % {"n": taken},
                field="capacity",
            )
    audit.apply(db, actor=actor, obj=category, changes=values, entity_type="registration_category", action="update",
                event_id=category.event_id)  # fmt: skip
    waiting.fill(db, category_pool(db, category, actor=actor))
    return category


def delete_category(db: Session, *, actor: Actor, category: RegistrationCategory) -> None:
    """Remove a category that holds no registration (else 409 saying how many it holds), audited."""
    count = db.scalar(select(func.count()).where(Registration.category_id == category.id)) or 0
    if count:
        error = DomainError(
            _("This category holds %(n)s registrations; cancel or move them before removing it.") % {"n": count},
            field="category",
        )
        error.status_code = 409
        raise error
    audit.record(db, actor=actor, entity_type="registration_category", entity_id=category.id, action="delete",
                 event_id=category.event_id, before={"code": category.code, "name_zh": category.name_zh})  # fmt: skip
    db.delete(category)
    db.flush()


# -- registrations ------------------------------------------------------------------------------------------

REGISTRATION_FIELDS = ("name", "name_en", "email", "phone", "organisation", "job_title", "country")
LIMITS = {"name": 120, "name_en": 120, "email": 200, "phone": 40, "organisation": 200, "job_title": 120, "country": 80}
PHONE_CHARS = frozenset("0123456789 +-()")


def clean_registration(raw: Mapping[str, Any]) -> dict[str, Any]:
    """The registrant's details, every problem at once beside its field: name and e-mail required, the e-mail
    well formed, consent given."""
    errors: list[ErrorDetail] = []
    values: dict[str, Any] = {}
    for name in REGISTRATION_FIELDS:
        values[name] = _text(raw, name, LIMITS[name], errors, required=name in ("name", "email"))
    if values["email"] is not None:
        if EMAIL.match(values["email"]):
            # Stored in lower case: one address, one registration per event (a unique index holds it).
            values["email"] = values["email"].lower()
        else:
            errors.append(ErrorDetail(_("Enter an e-mail address such as name@example.com."), field="email"))
    if values["phone"] is not None and set(values["phone"]) - PHONE_CHARS:
        errors.append(ErrorDetail(_("Write the phone number with digits, spaces, + - and brackets only."), field="phone"))
    if not _flag(raw.get("consent")):
        errors.append(ErrorDetail(_("Tick the box to agree; without your consent we cannot register you."), field="consent"))
    locale = raw.get("locale")
    values["locale"] = normalize_locale(str(locale)) if locale else normalize_locale(get_locale())
    if errors:
        raise _invalid(errors)
    return values


def active_for_email(db: Session, *, event: Event, email: str) -> Registration | None:
    """The event's active registration (pending, confirmed, waiting, offered) of this e-mail, any case."""
    return db.scalar(
        select(Registration).where(
            Registration.event_id == event.id,
            Registration.email == email.strip().lower(),
            Registration.state.in_(ACTIVE),
        )
    )


def _already(email: str, state: str) -> DomainError:
    """The refusal of a second active registration of an address: where the first one is and what to do."""
    error = DomainError(
        _("%(email)s is already registered for this event (%(state)s). Open the link in the mail we sent to that "
          "address to see or cancel that registration; to change the category, cancel it first.")
        % {"email": email, "state": State(state).label(get_locale())},
        field="email",
    )  # fmt: skip
    error.status_code = 409
    return error


def register(
    db: Session,
    event: Event,
    category: RegistrationCategory,
    data: Mapping[str, Any],
    account: Account | None = None,
    *,
    actor: Actor = ANONYMOUS,
) -> Registration:
    """Register a person in a category of the event.

    Every field is checked at once; a category that is not public, not yet open or closed is refused unless
    the actor organises the event (who also registers people by invitation); a second active registration of
    the same e-mail for the event is refused, saying where to find the first. Then, with the category locked,
    the decision: approval required → pending; a free place → confirmed; otherwise → waiting. Side effects:
    the row (consent time, a fresh badge nonce), the audit entry, the mail for its state (with the position
    when waiting), the event's badge key when confirmed."""
    if category.event_id != event.id:
        raise NotFound(_("There is no registration category “%(code)s” in this event.") % {"code": category.code}, field="category")
    given = dict(data)
    if account is not None and not given.get("locale"):
        given["locale"] = account.locale
    values = clean_registration(given)
    organiser = bool(can_manage_event(actor, event))
    if not organiser:
        if not category.is_public:
            raise PermissionDenied(_("This category is by invitation only."))
        reason = closed_reason(category)
        if reason:
            raise DomainError(reason, field="category")
    pool = category_pool(db, category, actor=actor)
    waiting.lock(db, pool)
    existing = active_for_email(db, event=event, email=values["email"])
    if existing is not None:
        raise _already(values["email"], existing.state)
    _sweep_pool(db, pool)
    state = waiting.decide(db, pool, approval=category.requires_approval and not organiser)
    now = utcnow()
    registration = Registration(
        event_id=event.id,
        category_id=category.id,
        account_id=account.id if account is not None else None,
        state=state.value,
        consent_at=now,
        answers={},
        badge_nonce=secrets.token_hex(16),
        created_at=now,
        updated_at=now,
        **values,
    )
    try:
        with db.begin_nested():
            db.add(registration)
            db.flush()
    except IntegrityError:
        # The same address registered in another category at this very moment (the unique index saw it).
        found = active_for_email(db, event=event, email=values["email"])
        raise _already(values["email"], found.state if found else state.value) from None
    audit.record(db, actor=actor, entity_type="registration", entity_id=registration.id, action="register",
                 event_id=event.id, after={"state": state.value, "category": category.code, "email": values["email"]})  # fmt: skip
    mails.send(db, registration=registration, state=state.value, position=waiting.position(db, pool, registration))
    if state is State.CONFIRMED:
        _badge_key_ready(db, event.id)
    return registration


def _badge_key_ready(db: Session, event_id: int) -> None:
    """Makes the event's badge key now, in this writing request, so the badge downloads (reads) never write it:
    on SQLite a read that turns into a write after another commit fails as busy."""
    badges.current_key(db, event_id=event_id)


def set_registration_state(
    db: Session,
    *,
    actor: Actor,
    registration: Registration,
    to: State,
    offered_until: dt.datetime | None = None,
    reason: str | None = None,
) -> Registration:
    """The registration's one transition (table in `waiting.TRANSITIONS`). Side effects, in order:
    - the state, `offered_until` (the claim deadline when offered, cleared otherwise), `decline_reason`;
    - the audit entry (before and after);
    - the mail for the new state, in the registrant's language (the position when waiting, the deadline in the
      event's zone when offered);
    - offered: the `registration.sweep` job queued for the deadline;
    - leaving a held place (confirmed or offered → cancelled or expired): the category's freed place is offered
      to the next waiting person (`waiting.fill`, each offer through this function);
    - cancelled, declined or expired: the person's session places are cancelled (`set_place_state`), which
      offers those places on in turn.
    - confirmed: the event's badge key exists (made now if it did not).
    The category must be locked by the caller's decision (every caller in this module locks it first)."""
    check(TRANSITIONS, registration.state, to.value, states=State, field="state",
          message=_("A registration cannot go from %(a)s to %(b)s."))  # fmt: skip
    before = registration.state
    changes: dict[str, Any] = {"state": to.value, "offered_until": offered_until if to is State.OFFERED else None}
    if to is State.DECLINED:
        changes["decline_reason"] = reason
    audit.apply(db, actor=actor, obj=registration, changes=changes, entity_type="registration", action=to.value,
                event_id=registration.event_id)  # fmt: skip
    category = db.get(RegistrationCategory, registration.category_id)
    assert category is not None
    pool = category_pool(db, category, actor=actor)
    mails.send(db, registration=registration, state=to.value, position=waiting.position(db, pool, registration))
    if to is State.OFFERED and offered_until is not None:
        schedule_sweep(db, at=offered_until)
    if to is State.CONFIRMED:
        _badge_key_ready(db, registration.event_id)
    if before in HOLDING and to in (State.CANCELLED, State.EXPIRED):
        waiting.fill(db, pool)
    if to in (State.CANCELLED, State.DECLINED, State.EXPIRED):
        for place in db.scalars(
            select(SessionRegistration).where(
                SessionRegistration.registration_id == registration.id, SessionRegistration.state.in_(ACTIVE)
            ).order_by(SessionRegistration.id)
        ).all():
            session = db.get(AgendaSession, place.session_id)
            assert session is not None
            waiting.lock(db, session_pool(db, session, actor=actor))
            set_place_state(db, actor=actor, place=place, to=State.CANCELLED)
    return registration


def get(db: Session, *, id: int, event: Event | None = None) -> Registration:
    """A registration by id (of this event, when given), or a 404."""
    found = db.get(Registration, id)
    if found is None or (event is not None and found.event_id != event.id):
        raise NotFound(_("There is no such registration."), field="registration")
    return found


def by_token(db: Session, token: str) -> Registration:
    """The registration of a manage link, or a 404 saying the link is not (or no longer) valid."""
    found = mails.check_token(db, token)
    if found is None:
        raise NotFound(_("This registration link is not valid. Use the link of the latest mail about your registration."), field="token")
    return get(db, id=found)


def _locked_pool(db: Session, registration: Registration, actor: Actor) -> waiting.Pool[Registration]:
    category = db.get(RegistrationCategory, registration.category_id)
    assert category is not None
    pool = category_pool(db, category, actor=actor)
    waiting.lock(db, pool)
    db.refresh(registration)
    _sweep_pool(db, pool)
    return pool


def approve(db: Session, *, actor: Actor, registration: Registration) -> Registration:
    """The organiser accepts a pending registration: confirmed if a place is free, otherwise waiting."""
    pool = _locked_pool(db, registration, actor)
    if registration.state != State.PENDING:
        raise DomainError(_("Only a registration pending approval can be approved."), field="state")
    return set_registration_state(db, actor=actor, registration=registration, to=waiting.placed(db, pool))


def decline(db: Session, *, actor: Actor, registration: Registration, reason: str) -> Registration:
    """The organiser declines a pending (or waiting) registration with a reason, which the mail gives."""
    errors: list[ErrorDetail] = []
    text = _text({"reason": reason}, "reason", 1000, errors, required=True)
    if errors:
        raise _invalid(errors)
    _locked_pool(db, registration, actor)
    return set_registration_state(db, actor=actor, registration=registration, to=State.DECLINED, reason=text)


def cancel(db: Session, *, actor: Actor, registration: Registration) -> Registration:
    """Cancel a registration (the person, through their link or account, or the organiser); a place it held
    goes to the next person waiting."""
    _locked_pool(db, registration, actor)
    return set_registration_state(db, actor=actor, registration=registration, to=State.CANCELLED)


def claim(db: Session, *, actor: Actor, registration: Registration) -> Registration:
    """Claim an offered place before its deadline: confirmed. A late claim is refused (the offer has passed on)."""
    _locked_pool(db, registration, actor)
    if registration.state == State.EXPIRED:
        raise DomainError(_("This offer expired; the place passed to the next person on the waiting list."), field="state")
    if registration.state != State.OFFERED:
        raise DomainError(_("There is no place offered to this registration to claim."), field="state")
    return set_registration_state(db, actor=actor, registration=registration, to=State.CONFIRMED)


def position(db: Session, registration: Registration) -> int | None:
    """The registration's place on its category's waiting list (None when it does not wait)."""
    category = db.get(RegistrationCategory, registration.category_id)
    assert category is not None
    return waiting.position(db, category_pool(db, category, actor=ANONYMOUS), registration)


# -- session places ------------------------------------------------------------------------------------------


def session_pool(db: Session, session: AgendaSession, *, actor: Actor) -> waiting.Pool[SessionRegistration]:
    """A session's places as a waiting-list pool; its rows move through `set_place_state`."""

    def move(db: Session, row: SessionRegistration, to: State, until: dt.datetime | None) -> SessionRegistration:
        return set_place_state(db, actor=actor, place=row, to=to, offered_until=until)

    return waiting.Pool(
        model=SessionRegistration,
        member=SessionRegistration.session_id == session.id,
        capacity=session.capacity,
        claim_hours=SESSION_CLAIM_HOURS.get(db, event_id=session.event_id),
        lock_model=AgendaSession,
        lock_id=session.id,
        move=move,
    )


def set_place_state(
    db: Session, *, actor: Actor, place: SessionRegistration, to: State, offered_until: dt.datetime | None = None
) -> SessionRegistration:
    """A session place's one transition (the same table as registrations'). Side effects, in order:
    - the state and `offered_until` (the claim deadline when offered, cleared otherwise);
    - the audit entry;
    - the mail for the new state, naming the session, in the registrant's language;
    - offered: the `registration.sweep` job queued for the deadline;
    - leaving a held place (confirmed or offered → cancelled or expired): the session's freed place is offered
      to the next waiting person (`waiting.fill`, through this function).
    The session must be locked by the caller."""
    check(TRANSITIONS, place.state, to.value, states=State, field="state",
          message=_("A place in a session cannot go from %(a)s to %(b)s."))  # fmt: skip
    before = place.state
    registration = db.get(Registration, place.registration_id)
    session = db.get(AgendaSession, place.session_id)
    assert registration is not None and session is not None
    audit.apply(db, actor=actor, obj=place, changes={"state": to.value, "offered_until": offered_until if to is State.OFFERED else None},
                entity_type="session_registration", action=to.value, event_id=registration.event_id)  # fmt: skip
    pool = session_pool(db, session, actor=actor)
    mails.send(db, registration=registration, state=to.value, position=waiting.position(db, pool, place),
               session=session, session_place=place)  # fmt: skip
    if to is State.OFFERED and offered_until is not None:
        schedule_sweep(db, at=offered_until)
    if before in HOLDING and to in (State.CANCELLED, State.EXPIRED):
        waiting.fill(db, pool)
    return place


def get_session(db: Session, *, event: Event, session_id: int) -> AgendaSession:
    found = db.get(AgendaSession, session_id)
    if found is None or found.event_id != event.id or found.cancelled_at is not None:
        raise NotFound(_("There is no such session in this event."), field="session")
    return found


def register_session(
    db: Session, *, actor: Actor, registration: Registration, session: AgendaSession
) -> SessionRegistration:
    """A place in a session with a capacity, for a confirmed registration of the session's event: confirmed
    while a place is free and nobody waits, otherwise waiting (decided with the session locked). A person
    holds one active place per session; a cancelled or expired one is replaced by a new row (a new arrival)."""
    if session.event_id != registration.event_id:
        raise NotFound(_("There is no such session in this event."), field="session")
    if session.capacity is None:
        raise DomainError(_("This session takes no registrations; every participant may attend."), field="session")
    if registration.state != State.CONFIRMED:
        raise DomainError(_("A place in a session needs a confirmed registration for the event first."), field="registration")
    pool = session_pool(db, session, actor=actor)
    waiting.lock(db, pool)
    _sweep_pool(db, pool)
    existing = db.scalar(
        select(SessionRegistration).where(
            SessionRegistration.session_id == session.id, SessionRegistration.registration_id == registration.id
        )
    )
    if existing is not None:
        if existing.state in ACTIVE:
            raise DomainError(
                _("You already have a place in this session (%(state)s).") % {"state": State(existing.state).label(get_locale())},
                field="session",
            )
        db.execute(delete(SessionRegistration).where(SessionRegistration.id == existing.id))
    state = waiting.decide(db, pool, approval=False)
    now = utcnow()
    place = SessionRegistration(session_id=session.id, registration_id=registration.id, state=state.value,
                                created_at=now, updated_at=now)  # fmt: skip
    db.add(place)
    db.flush()
    audit.record(db, actor=actor, entity_type="session_registration", entity_id=place.id, action="register",
                 event_id=registration.event_id, after={"state": state.value, "session_id": session.id})  # fmt: skip
    mails.send(db, registration=registration, state=state.value, position=waiting.position(db, pool, place),
               session=session, session_place=place)  # fmt: skip
    return place


def change_place(db: Session, *, actor: Actor, place: SessionRegistration, to: State) -> SessionRegistration:
    """Cancel a session place or claim an offered one (locked, late claims refused as for registrations)."""
    session = db.get(AgendaSession, place.session_id)
    assert session is not None
    pool = session_pool(db, session, actor=actor)
    waiting.lock(db, pool)
    db.refresh(place)
    _sweep_pool(db, pool)
    if to is State.CONFIRMED:
        if place.state == State.EXPIRED:
            raise DomainError(_("This offer expired; the place passed to the next person on the waiting list."), field="state")
        if place.state != State.OFFERED:
            raise DomainError(_("There is no place offered to this registration to claim."), field="state")
    return set_place_state(db, actor=actor, place=place, to=to)


def act_on_place(
    db: Session, *, actor: Actor, registration: Registration, session: AgendaSession, action: str
) -> SessionRegistration:
    """What the person's page and the API offer on a session: `take` a place, `cancel` it, `claim` the place
    offered."""
    if action == "take":
        return register_session(db, actor=actor, registration=registration, session=session)
    if action not in ("cancel", "claim"):
        raise DomainError(_("Choose one of: %(allowed)s.") % {"allowed": "take, cancel, claim"}, field="action")
    place = db.scalar(
        select(SessionRegistration).where(
            SessionRegistration.session_id == session.id, SessionRegistration.registration_id == registration.id
        )
    )
    if place is None:
        raise NotFound(_("You have no place in this session."), field="session")
    return change_place(db, actor=actor, place=place, to=State.CONFIRMED if action == "claim" else State.CANCELLED)


def places_of(db: Session, registration: Registration) -> list[tuple[SessionRegistration, AgendaSession]]:
    """The registration's session places with their sessions, by session start."""
    rows = db.execute(
        select(SessionRegistration, AgendaSession)
        .join(AgendaSession, AgendaSession.id == SessionRegistration.session_id)
        .where(SessionRegistration.registration_id == registration.id)
        .order_by(AgendaSession.starts_at, AgendaSession.id)
    ).all()
    return [(p, s) for p, s in rows]


# -- expired offers -----------------------------------------------------------------------------------------


def _sweep_pool(db: Session, pool: waiting.Pool[Any]) -> int:
    """Expire the pool's overdue offers (the pool is locked) and pass their places on; how many expired."""
    return len(waiting.expire(db, pool))


def sweep(db: Session, *, event: Event | None = None, now: dt.datetime | None = None) -> int:
    """Expire every overdue offer (of one event, or all), each pool locked in turn, and offer the places on;
    returns how many offers expired. The job runs it at each deadline; pages run it when they read."""
    moment = now or utcnow()
    expired = 0
    stmt = select(Registration.category_id).where(Registration.state == State.OFFERED, Registration.offered_until <= moment)
    if event is not None:
        stmt = stmt.where(Registration.event_id == event.id)
    for category_id in sorted(set(db.scalars(stmt))):
        category = db.get(RegistrationCategory, category_id)
        assert category is not None
        pool = category_pool(db, category, actor=ANONYMOUS)
        waiting.lock(db, pool)
        expired += len(waiting.expire(db, pool, now=moment))
    places = select(SessionRegistration.session_id).where(
        SessionRegistration.state == State.OFFERED, SessionRegistration.offered_until <= moment
    )
    if event is not None:
        places = places.join(AgendaSession, AgendaSession.id == SessionRegistration.session_id).where(AgendaSession.event_id == event.id)
    for session_id in sorted(set(db.scalars(places))):
        session = db.get(AgendaSession, session_id)
        assert session is not None
        spool = session_pool(db, session, actor=ANONYMOUS)
        waiting.lock(db, spool)
        expired += len(waiting.expire(db, spool, now=moment))
    return expired


def overdue(db: Session, *, event: Event | None = None, now: dt.datetime | None = None) -> bool:
    """Whether an offer (of the event, or any) is past its deadline: a page sweeps only then."""
    moment = now or utcnow()
    regs = select(Registration.id).where(Registration.state == State.OFFERED, Registration.offered_until <= moment)
    places = select(SessionRegistration.id).where(SessionRegistration.state == State.OFFERED, SessionRegistration.offered_until <= moment)
    if event is not None:
        regs = regs.where(Registration.event_id == event.id)
        places = places.join(AgendaSession, AgendaSession.id == SessionRegistration.session_id).where(AgendaSession.event_id == event.id)
    return db.scalar(regs.limit(1)) is not None or db.scalar(places.limit(1)) is not None


def next_deadline(db: Session) -> dt.datetime | None:
    """The earliest claim deadline still to come (the sweep job's next run)."""
    regs = db.scalar(select(func.min(Registration.offered_until)).where(Registration.state == State.OFFERED))
    places = db.scalar(select(func.min(SessionRegistration.offered_until)).where(SessionRegistration.state == State.OFFERED))
    found = [m for m in (regs, places) if m is not None]
    return min(found) if found else None


def schedule_sweep(db: Session, *, at: dt.datetime) -> None:
    """Make sure the sweep job runs at `at` (or earlier), in the caller's transaction."""
    from duijie.registration.jobs import SWEEP

    enqueue_waiting(db, kind=SWEEP, lock=SWEEP_LOCK, run_after=at)
