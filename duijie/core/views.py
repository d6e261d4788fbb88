"""Home page, login and logout."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from duijie.core.auth import Actor
from duijie.core.i18n import gettext as _
from duijie.core.web import check_csrf, get_actor, get_db, render
from duijie.directory.accounts import authenticate
from duijie.events.models import Event
from duijie.insight.queries import event_stats

router = APIRouter(include_in_schema=False)


@router.get("/")
def home(request: Request, db: Session = Depends(get_db), actor: Actor = Depends(get_actor)) -> Response:
    """The public front page; an investor or enterprise account also sees its best few suggestions."""
    events = list(
        db.scalars(
            select(Event).where(Event.is_published.is_(True)).order_by(Event.starts_on.desc(), Event.id)
        )
    )
    summits = [(e, event_stats(db, e)) for e in events if e.kind == "summit"]
    highlights = None
    if actor.has_role("investor") or actor.has_role("enterprise"):
        from duijie.matching.service import highlights as match_highlights

        highlights = match_highlights(db, actor=actor, limit=3)
    return render(request, "home.html", {"events": events, "summits": summits, "highlights": highlights})


@router.get("/contests")
def latest_contest(db: Session = Depends(get_db)) -> Response:
    """The navigation's "contest" entry: the most recent contest edition."""
    slug = db.scalar(
        select(Event.slug).where(Event.kind == "contest").order_by(Event.starts_on.desc()).limit(1)
    )
    return RedirectResponse(f"/contests/{slug}" if slug else "/", status_code=307)


@router.get("/meetings")
def latest_meetings(db: Session = Depends(get_db)) -> Response:
    """The navigation's "meetings" entry: the most recent event with a meeting grid."""
    from duijie.meetings.models import MeetingSlot

    slug = db.scalar(
        select(Event.slug)
        .join(MeetingSlot, MeetingSlot.event_id == Event.id)
        .order_by(Event.starts_on.desc())
        .limit(1)
    )
    return RedirectResponse(f"/events/{slug}/meetings" if slug else "/", status_code=307)


@router.get("/login")
def login_form(request: Request, next: str = "/") -> Response:
    return render(request, "login.html", {"next": next, "error": None, "username": ""})


@router.post("/login")
def login(
    request: Request,
    username: str = Form(""),
    password: str = Form(""),
    csrf: str = Form(""),
    next: str = Form("/"),
    db: Session = Depends(get_db),
) -> Response:
    check_csrf(request, csrf)
    account = authenticate(db, username=username, password=password)
    if account is None:
        return render(
            request,
            "login.html",
            {"next": next, "error": _("Wrong username or password."), "username": username},
            status_code=401,
        )
    request.session.clear()
    request.session["account_id"] = account.id
    target = next if next.startswith("/") and not next.startswith("//") else "/"
    return RedirectResponse(target, status_code=303)


@router.post("/logout")
def logout(request: Request, csrf: str = Form("")) -> Response:
    check_csrf(request, csrf)
    request.session.clear()
    return RedirectResponse("/", status_code=303)
