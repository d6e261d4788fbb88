"""Signing in and out, and a user's own account page: the directory owns the accounts, so it owns the login
form, the server-side sessions it starts and the page where a user changes their password or signs out
everywhere.

Login and logout are public on purpose: anyone may ask to log in, and logging out of no session is harmless.
The account page needs a signed-in user.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from duijie.core.auth import Actor, verify_password
from duijie.core.errors import DomainError
from duijie.core.i18n import gettext as _
from duijie.core.web import csrf_form, get_db, keep_writes, render, require_login, safe_next
from duijie.directory import (
    accounts,
    notifications,
    signups,
    users,
    views_onboarding,
    views_organisations,
    views_people,
)
from duijie.directory.models import Account

router = APIRouter(include_in_schema=False)
router.include_router(views_onboarding.router)
router.include_router(views_people.router)
router.include_router(views_organisations.router)  # organisations created and edited
router.include_router(notifications.router)  # the e-mails a user receives: page, section, API


def _client_address(request: Request) -> str:
    return request.client.host if request.client else "-"


@router.get("/login")
def login_form(request: Request, next: str = "/") -> Response:
    """The login form; `next` is where a successful login returns to (kept only if it stays on this site)."""
    return render(request, "directory/login.html", {"next": safe_next(next), "error": None, "username": ""})


@router.post("/login")
def login(request: Request, form: FormData = Depends(csrf_form), db: Session = Depends(get_db)) -> Response:
    """Sign-in: throttled per account and per address; an unknown name and a wrong password get the same
    answer in the same time; success starts a new server-side session and ends this browser's previous one."""
    username = str(form.get("username") or "")
    password = str(form.get("password") or "")
    next_url = safe_next(form.get("next"))
    ip = _client_address(request)
    context = {"next": next_url, "username": username}
    try:
        accounts.check_throttle(db, username=username, ip=ip)
    except accounts.Throttled as refused:
        page = render(request, "directory/login.html", {**context, "error": refused.message}, status_code=429)
        page.headers["Retry-After"] = str(refused.retry_after)
        return page
    account = accounts.authenticate(db, username=username, password=password)
    if account is None:
        accounts.record_attempt(db, username=username, ip=ip, succeeded=False)
        keep_writes(request)
        waiting = signups.refusal_for(db, username=username, password=password)
        return render(
            request,
            "directory/login.html",
            {**context, "error": waiting or _("Wrong username or password.")},
            status_code=401,
        )
    accounts.record_attempt(db, username=username, ip=ip, succeeded=True)
    accounts.end_session(db, token=request.session.get("sid"))
    token = accounts.start_session(db, account=account, ip=ip, user_agent=request.headers.get("user-agent"))
    request.session.clear()
    request.session["account_id"] = account.id
    request.session["sid"] = token
    return RedirectResponse(next_url, status_code=303)


@router.post("/logout")
def logout(request: Request, form: FormData = Depends(csrf_form), db: Session = Depends(get_db)) -> Response:
    """Ends this browser's session on the server, so a copy of the cookie no longer signs anyone in."""
    accounts.end_session(db, token=request.session.get("sid"))
    request.session.clear()
    return RedirectResponse("/", status_code=303)


def _account_page(
    request: Request, db: Session, actor: Actor, *, message: str | None = None, errors: list[str] | None = None,
    status_code: int = 200, profile_errors: dict[str, str] | None = None, profile: dict[str, str] | None = None,
) -> Response:
    assert actor.account_id is not None
    sessions = accounts.open_sessions(db, account_id=actor.account_id)
    current = accounts.session_id_of(db, token=request.session.get("sid"))
    account = users.get_account(db, id=actor.account_id)
    return render(
        request,
        "directory/account.html",
        {
            "sessions": sessions, "current": current, "message": message, "errors": errors or [],
            "account": account, "profile": profile or _profile_values(account), "profile_errors": profile_errors or {},
            **notifications.section(db, account_id=actor.account_id),
        },
        status_code=status_code,
    )  # fmt: skip


PROFILE_FIELDS = ("name_zh", "name_en", "title", "phone", "email", "locale")


def _profile_values(account: Account) -> dict[str, str]:
    person = account.person
    values = {name: str(getattr(person, name, None) or "") for name in PROFILE_FIELDS[:-1]} if person else {}
    values["locale"] = account.locale or ""
    return values


@router.get("/account")
def account_page(
    request: Request, actor: Actor = Depends(require_login), db: Session = Depends(get_db)
) -> Response:
    """The signed-in user's own account: where they are signed in, a new password, sign out everywhere."""
    return _account_page(request, db, actor)


@router.post("/account/password")
def change_password(
    request: Request,
    form: FormData = Depends(csrf_form),
    actor: Actor = Depends(require_login),
    db: Session = Depends(get_db),
) -> Response:
    """A new password needs the current one; every other session of the account ends with the change."""
    account = db.get(Account, actor.account_id)
    assert account is not None
    if not verify_password(account.password_hash, str(form.get("current") or "")):
        return _account_page(
            request, db, actor, errors=[_("The current password is not right.")], status_code=422
        )
    new, again = str(form.get("password") or ""), str(form.get("again") or "")
    if new != again:
        return _account_page(request, db, actor, errors=[_("The two new passwords differ.")], status_code=422)
    try:
        accounts.set_password(
            db, account=account, password=new, keep_token=request.session.get("sid"), actor=actor
        )
    except DomainError as refused:
        return _account_page(
            request, db, actor, errors=[d.message for d in refused.details], status_code=422
        )
    return _account_page(request, db, actor, message=_("Your password was changed; other sessions ended."))


@router.post("/account/sessions/end")
def end_other_sessions(
    request: Request,
    form: FormData = Depends(csrf_form),
    actor: Actor = Depends(require_login),
    db: Session = Depends(get_db),
) -> Response:
    """Sign out everywhere: every session of the account ends, this one included."""
    assert actor.account_id is not None
    accounts.end_all_sessions(db, account_id=actor.account_id)
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


@router.post("/account/profile")
def update_profile(
    request: Request,
    form: FormData = Depends(csrf_form),
    actor: Actor = Depends(require_login),
    db: Session = Depends(get_db),
) -> Response:
    """The user's own name, title, phone, e-mail and language (mails follow the language chosen here)."""
    account = users.get_account(db, id=actor.account_id)
    values = {name: str(form.get(name) or "") for name in PROFILE_FIELDS}
    try:
        users.update_profile(db, actor=actor, account=account, change=users.ProfileChange(**values))
    except DomainError as refused:
        return _account_page(
            request, db, actor, profile=values, profile_errors=views_onboarding.field_errors(refused), status_code=422
        )
    return _account_page(request, db, actor, message=_("Your profile was saved."))
