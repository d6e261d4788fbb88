"""The pages through which people get an account and back into it: the first-run setup of an empty database,
accepting an invitation, signing up as an enterprise or investor, and resetting a forgotten password.

Every route here is public on purpose: they are for people who are not signed in yet. Each refuses by itself
what it must (setup once an account exists, a link that is unknown, used or expired), and a refused form
comes back filled in with the message beside its field.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from duijie.core import i18n
from duijie.core.auth import Actor
from duijie.core.errors import DomainError
from duijie.core.i18n import gettext as _
from duijie.core.web import csrf_form, get_db, render, require_login
from duijie.directory import accounts, invitations, resets, signups, users
from duijie.directory.enums import SIGN_UP_ROLES
from duijie.directory.models import Account

router = APIRouter(include_in_schema=False)


def field_errors(refused: DomainError) -> dict[str, str]:
    """A refusal's messages by the field they name ("form" for the rest), joined when a field has several."""
    found: dict[str, list[str]] = {}
    for detail in refused.details:
        found.setdefault(detail.field or "form", []).append(detail.message)
    return {name: " ".join(messages) for name, messages in found.items()}


def values_of(form: FormData, *names: str) -> dict[str, str]:
    return {name: str(form.get(name) or "") for name in names}


def client_address(request: Request) -> str:
    return request.client.host if request.client else "-"


def sign_in(request: Request, db: Session, account: Account) -> None:
    """Starts a server-side session for an account that just proved who it is (a new password through a
    link it was mailed), ending this browser's previous session."""
    accounts.end_session(db, token=request.session.get("sid"))
    token = accounts.start_session(
        db, account=account, ip=client_address(request), user_agent=request.headers.get("user-agent")
    )
    request.session.clear()
    request.session["account_id"] = account.id
    request.session["sid"] = token


# -- first run -------------------------------------------------------------------------------------------------

SETUP_FIELDS = ("username", "email", "name_zh", "name_en", "locale")


@router.get("/setup")
def setup_form(request: Request, db: Session = Depends(get_db)) -> Response:
    """The first-run page: only while the database has no account at all (then the home page)."""
    if users.any_account(db):
        return RedirectResponse("/", status_code=303)
    values = {"locale": i18n.get_locale()}
    return render(request, "directory/setup.html", {"values": values, "errors": {}})


@router.post("/setup")
def setup(request: Request, form: FormData = Depends(csrf_form), db: Session = Depends(get_db)) -> Response:
    """Creates the first, city-wide organiser and signs them in; the check that no account exists is made
    again inside this writing transaction, so two first visitors at once make one organiser."""
    values = values_of(form, *SETUP_FIELDS)
    if str(form.get("password") or "") != str(form.get("again") or ""):
        errors = {"again": _("The two passwords differ.")}
        return render(request, "directory/setup.html", {"values": values, "errors": errors}, status_code=422)
    try:
        account = users.create_first_organiser(
            db,
            username=values["username"],
            email=values["email"],
            password=str(form.get("password") or ""),
            name_zh=values["name_zh"],
            name_en=values["name_en"],
            locale=values["locale"] or None,
        )
    except DomainError as refused:
        status = 409 if users.any_account(db) else 422
        return render(
            request, "directory/setup.html", {"values": values, "errors": field_errors(refused), "done": status == 409},
            status_code=status,
        )  # fmt: skip
    sign_in(request, db, account)
    return RedirectResponse("/?welcome=1", status_code=303)


# -- invitations -------------------------------------------------------------------------------------------------

ACCEPT_FIELDS = ("username", "name_zh", "name_en", "locale")


def _invitation_page(
    request: Request, db: Session, token: str, *, values: dict[str, str], errors: dict[str, str], status: int = 200
) -> Response:
    try:
        invitation = invitations.by_token(db, token)
    except DomainError as refused:
        return render(
            request, "directory/invitation.html", {"invitation": None, "problem": refused.message, "values": {}, "errors": {}},
            status_code=refused.status_code,
        )  # fmt: skip
    event = users.event_ref(db, id=invitation.event_id) if invitation.event_id else None
    context: dict[str, Any] = {
        "invitation": invitation, "event": event, "token": token, "values": values, "errors": errors, "problem": None,
    }  # fmt: skip
    return render(request, "directory/invitation.html", context, status_code=status)


@router.get("/invite/{token}")
def invitation_form(token: str, request: Request, db: Session = Depends(get_db)) -> Response:
    """The invitation's page: what role it gives, and the form to choose a user name and a password."""
    values = {"locale": i18n.get_locale()}
    return _invitation_page(request, db, token, values=values, errors={})


@router.post("/invite/{token}")
def accept_invitation(
    token: str, request: Request, form: FormData = Depends(csrf_form), db: Session = Depends(get_db)
) -> Response:
    """Accepts: the account is made with the invited role, the link is used up, and the person is signed in."""
    values = values_of(form, *ACCEPT_FIELDS)
    if str(form.get("password") or "") != str(form.get("again") or ""):
        return _invitation_page(
            request, db, token, values=values, errors={"again": _("The two passwords differ.")}, status=422
        )
    try:
        account = invitations.accept(
            db, token=token, username=values["username"], password=str(form.get("password") or ""),
            name_zh=values["name_zh"], name_en=values["name_en"], locale=values["locale"] or None,
        )  # fmt: skip
    except DomainError as refused:
        return _invitation_page(
            request, db, token, values=values, errors=field_errors(refused), status=refused.status_code
        )
    sign_in(request, db, account)
    response = RedirectResponse("/account?welcome=1", status_code=303)
    if account.locale:
        response.set_cookie("lang", account.locale, max_age=365 * 24 * 3600, samesite="lax")
    return response


@router.post("/invite/{token}/join")
def accept_into_account(
    token: str,
    request: Request,
    form: FormData = Depends(csrf_form),
    actor: Actor = Depends(require_login),
    db: Session = Depends(get_db),
) -> Response:
    """Accepts into the account signed in: the role is added to it, no second account is made."""
    account = db.get(Account, actor.account_id)
    if account is None:  # the account was removed while its session lived
        return RedirectResponse(f"/login?next=/invite/{token}", status_code=303)
    try:
        invitations.accept_into(db, token=token, account=account)
    except DomainError as refused:
        return _invitation_page(
            request, db, token, values={}, errors=field_errors(refused), status=refused.status_code
        )
    return RedirectResponse("/account?welcome=1", status_code=303)


# -- sign-up -------------------------------------------------------------------------------------------------------

SIGN_UP_FIELDS = ("role", "organisation", "name_zh", "email", "username", "locale")


def _sign_up_page(request: Request, *, values: dict[str, str], errors: dict[str, str], status: int = 200) -> Response:
    return render(
        request, "directory/signup.html", {"values": values, "errors": errors, "roles": SIGN_UP_ROLES},
        status_code=status,
    )  # fmt: skip


@router.get("/signup")
def sign_up_form(request: Request, role: str = "enterprise") -> Response:
    """Enterprises and investors register here and wait for the organiser's approval."""
    return _sign_up_page(request, values={"role": role, "locale": i18n.get_locale()}, errors={})


@router.post("/signup")
def sign_up(request: Request, form: FormData = Depends(csrf_form), db: Session = Depends(get_db)) -> Response:
    """Registers the organisation and the inactive account, then says what happens next."""
    values = values_of(form, *SIGN_UP_FIELDS)
    if str(form.get("password") or "") != str(form.get("again") or ""):
        return _sign_up_page(request, values=values, errors={"again": _("The two passwords differ.")}, status=422)
    try:
        signups.sign_up(
            db, role=values["role"], organisation_name=values["organisation"], name=values["name_zh"],
            email=values["email"], username=values["username"], password=str(form.get("password") or ""),
            locale=values["locale"] or None,
        )  # fmt: skip
    except DomainError as refused:
        return _sign_up_page(request, values=values, errors=field_errors(refused), status=refused.status_code)
    return render(request, "directory/signup_done.html", {"email": values["email"]})


# -- password reset ------------------------------------------------------------------------------------------------


@router.get("/password/forgot")
def forgot_form(request: Request) -> Response:
    """Asks for the address a reset link goes to."""
    return render(request, "directory/forgot.html", {"values": {}, "errors": {}, "sent": False})


@router.post("/password/forgot")
def forgot(request: Request, form: FormData = Depends(csrf_form), db: Session = Depends(get_db)) -> Response:
    """Mails a reset link to each active account of the address, answering the same whether or not there is
    one; refused (429) past the throttle."""
    values = values_of(form, "email")
    try:
        resets.request_reset(db, email=values["email"], ip=client_address(request))
    except accounts.Throttled as refused:
        page = render(request, "directory/forgot.html", {"values": values, "errors": field_errors(refused), "sent": False}, status_code=429)
        page.headers["Retry-After"] = str(refused.retry_after)
        return page
    except DomainError as refused:
        return render(
            request, "directory/forgot.html", {"values": values, "errors": field_errors(refused), "sent": False},
            status_code=422,
        )  # fmt: skip
    return render(request, "directory/forgot.html", {"values": values, "errors": {}, "sent": True})


def _reset_page(request: Request, db: Session, token: str, *, errors: dict[str, str], status: int = 200) -> Response:
    try:
        account = resets.check_token(db, token)
    except DomainError as refused:
        return render(
            request, "directory/reset.html", {"problem": refused.message, "errors": {}, "username": None},
            status_code=410,
        )  # fmt: skip
    return render(
        request, "directory/reset.html", {"problem": None, "errors": errors, "username": account.username, "token": token},
        status_code=status,
    )  # fmt: skip


@router.get("/password/reset/{token}")
def reset_form(token: str, request: Request, db: Session = Depends(get_db)) -> Response:
    """The new-password form of a mailed link (or why the link no longer works)."""
    return _reset_page(request, db, token, errors={})


@router.post("/password/reset/{token}")
def reset(token: str, request: Request, form: FormData = Depends(csrf_form), db: Session = Depends(get_db)) -> Response:
    """Sets the new password, ends every session of the account and signs this browser in."""
    password = str(form.get("password") or "")
    if password != str(form.get("again") or ""):
        return _reset_page(request, db, token, errors={"again": _("The two passwords differ.")}, status=422)
    try:
        account = resets.reset_password(db, token=token, password=password)
    except DomainError as refused:
        return _reset_page(request, db, token, errors=field_errors(refused), status=422)
    sign_in(request, db, account)
    return RedirectResponse("/account?reset=1", status_code=303)
