"""Signing in and out: the directory owns the accounts, so it owns the login form and the session it starts.

Both routes are public on purpose: anyone may ask to log in, and logging out of no session is harmless.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from duijie.core.i18n import gettext as _
from duijie.core.web import csrf_form, get_db, render, safe_next
from duijie.directory.accounts import authenticate

router = APIRouter(include_in_schema=False)


@router.get("/login")
def login_form(request: Request, next: str = "/") -> Response:
    """The login form; `next` is where a successful login returns to (kept only if it stays on this site)."""
    return render(request, "directory/login.html", {"next": safe_next(next), "error": None, "username": ""})


@router.post("/login")
def login(request: Request, form: FormData = Depends(csrf_form), db: Session = Depends(get_db)) -> Response:
    """Checks the password; on success starts a fresh session (nothing of the anonymous one carries over)."""
    username = str(form.get("username") or "")
    password = str(form.get("password") or "")
    next_url = safe_next(form.get("next"))
    account = authenticate(db, username=username, password=password)
    if account is None:
        return render(
            request,
            "directory/login.html",
            {"next": next_url, "error": _("Wrong username or password."), "username": username},
            status_code=401,
        )
    request.session.clear()
    request.session["account_id"] = account.id
    return RedirectResponse(next_url, status_code=303)


@router.post("/logout")
def logout(request: Request, form: FormData = Depends(csrf_form)) -> Response:
    """Ends the session; the form token guards against a foreign page logging the visitor out."""
    request.session.clear()
    return RedirectResponse("/", status_code=303)
