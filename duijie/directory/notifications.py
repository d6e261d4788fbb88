"""Each person's choice of the e-mails they receive: a section of `/account` (`account/_notifications.html`),
the same form on a page of its own (the link at the foot of every mail), and `GET`/`PUT
/api/v1/account/notifications`.

The topics are declared by the packages that send them (their `mails.py`, through `core.mail.topic`), so this
page lists whatever the installed modules send; invitations and password resets are not topics: they are
always sent. Every route needs a signed-in user and touches only that user's own choices.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from duijie.core import mail
from duijie.core.auth import Actor
from duijie.core.i18n import gettext as _
from duijie.core.schemas import ErrorBody
from duijie.core.web import csrf_form, get_db, render, require_login, safe_next
from duijie.directory.models import Account

# The page and the form (included by `views.py`); the JSON routes (included by `api.py`, kept in the schema).
router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1/account", tags=["accounts"], responses={401: {"model": ErrorBody}})


class TopicChoice(BaseModel):
    """One kind of notification, in the reader's language, and whether this account receives it."""

    topic: str = Field(examples=["meeting_requests"])
    label: str
    hint: str
    enabled: bool


class NotificationChoices(BaseModel):
    """The account's e-mail notifications; `email` is where they go (none: nothing is sent until one is set)."""

    email: str | None
    topics: list[TopicChoice]


class NotificationUpdate(BaseModel):
    """Topics to turn on (true) or off (false); topics not named keep their choice."""

    topics: dict[str, bool] = Field(examples=[{"meeting_requests": True, "deal_tasks": False}])


def section(db: Session, *, account_id: int) -> dict[str, Any]:
    """What the section shows: the topics with their state, and the address mails go to."""
    account = db.get(Account, account_id)
    chosen = mail.choices(db, account_id=account_id)
    topics = [
        TopicChoice(topic=t.name, label=_(t.label), hint=_(t.hint) if t.hint else "", enabled=chosen[t.name])
        for t in mail.topics()
    ]
    email = account.person.email if account is not None and account.person is not None else None
    return {"notification_topics": topics, "notification_email": email or None}


def _read(db: Session, account_id: int) -> NotificationChoices:
    data = section(db, account_id=account_id)
    return NotificationChoices(email=data["notification_email"], topics=data["notification_topics"])


@router.get("/account/notifications")
def notifications_page(
    request: Request, actor: Actor = Depends(require_login), db: Session = Depends(get_db)
) -> Response:
    """The e-mails this user receives, on a page of its own (linked from every mail)."""
    assert actor.account_id is not None
    return render(request, "account/notifications.html", section(db, account_id=actor.account_id))


@router.post("/account/notifications")
def save_notifications(
    request: Request,
    form: FormData = Depends(csrf_form),
    actor: Actor = Depends(require_login),
    db: Session = Depends(get_db),
) -> Response:
    """Each topic listed on the form is on if its box is ticked, off otherwise; then back where the form was."""
    assert actor.account_id is not None
    ticked = {str(value) for value in form.getlist("topic")}
    mail.set_choices(db, account_id=actor.account_id, values={t.name: t.name in ticked for t in mail.topics()})
    target = safe_next(form.get("next"), "/account/notifications")
    return RedirectResponse(f"{target}?notifications=saved#notifications", status_code=303)


@api.get("/notifications", response_model=NotificationChoices)
def get_notifications(actor: Actor = Depends(require_login), db: Session = Depends(get_db)) -> NotificationChoices:
    """The signed-in user's e-mail notifications, topic by topic."""
    assert actor.account_id is not None
    return _read(db, actor.account_id)


@api.put("/notifications", response_model=NotificationChoices, responses={422: {"model": ErrorBody}})
def put_notifications(
    data: NotificationUpdate, actor: Actor = Depends(require_login), db: Session = Depends(get_db)
) -> NotificationChoices:
    """Turn topics on or off (an unknown topic is refused, naming it); the choices as they now stand."""
    assert actor.account_id is not None
    mail.set_choices(db, account_id=actor.account_id, values=data.topics)
    return _read(db, actor.account_id)
