"""Request-scoped glue for views and API routes: the database session, the actor, rendering, CSRF, and the
route dependencies that say who may use a route (`require_login`, `allow`) and read a checked form
(`csrf_form`).

Routes that touch the database are plain `def` (FastAPI runs them in its thread pool); the only `async` code
here reads the request body, which is I/O on the event loop and never touches the database.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from duijie.core import i18n
from duijie.core.auth import Actor
from duijie.core.errors import DomainError, PermissionDenied
from duijie.core.permissions import Predicate


def get_db(request: Request) -> Session:
    """The request's session; the unit-of-work middleware commits it once after a successful response."""
    return request.state.db


def get_actor(request: Request) -> Actor:
    return request.state.actor


def keep_writes(request: Request) -> None:
    """Commits this request's writes although it answers with an error: for facts that must be kept precisely
    when the request is refused, such as a failed sign-in that the throttle counts."""
    request.state.keep_writes = True


def safe_next(target: object, default: str = "/") -> str:
    """A redirect target only if it stays on this site: a path starting with one `/`.

    Refused: empty values, anything with a scheme (`https://x`, `javascript:`), protocol-relative `//x`, the
    backslash forms browsers read as `//` (`/\\x`, `\\\\x`), and control characters, which some browsers drop.
    """
    text = str(target or "").strip()
    if not text.startswith("/") or text.startswith("//") or text.startswith("/\\"):
        return default
    if "\\" in text.split("?", 1)[0] or any(ord(ch) < 32 or ord(ch) == 127 for ch in text):
        return default
    return text


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(24)
        request.session["csrf"] = token
    return str(token)


def check_csrf(request: Request, submitted: str | None) -> None:
    """Forms carry the session's token; a missing or different one is refused."""
    expected = request.session.get("csrf")
    if not expected or not submitted or not secrets.compare_digest(str(expected), str(submitted)):
        raise DomainError(i18n.gettext("The form has expired. Reload the page and try again."), field="csrf")


async def csrf_form(request: Request) -> FormData:
    """The posted form, with its CSRF token checked: `form: FormData = Depends(csrf_form)` in a `def` route.

    Reading the body is the only awaited step, so the route itself stays synchronous and runs in the pool.
    """
    form = await request.form()
    token = form.get("csrf")
    check_csrf(request, token if isinstance(token, str) else None)
    return form


class LoginRequired(Exception):
    """Raised by `require_login` for an anonymous visitor; the application answers with the login page
    (a redirect that comes back here) on HTML routes and 401 on the API."""

    def __init__(self, target: str) -> None:
        super().__init__(target)
        self.target = target


def login_url(request: Request) -> str:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return f"/login?next={quote(target)}"


def require_login(request: Request) -> Actor:
    """The signed-in actor; an anonymous visitor is sent to the login page (HTML) or refused with 401 (API)."""
    actor = get_actor(request)
    if not actor.is_authenticated:
        raise LoginRequired(login_url(request))
    return actor


def allow(
    rule: Predicate, *, on: Callable[..., Any] | None = None, message: str | None = None
) -> Callable[..., Actor]:
    """A route dependency that lets the request through only if `rule(actor, obj)` holds.

    `on` is another dependency that loads the object the rule is about (usually `event_from_slug`); without it
    the rule is checked against None. Anonymous visitors are asked to log in first, so they meet the login page
    rather than a refusal they cannot act on. `message` is marked where it is written (`_l("...")`) and
    translated when a request is refused, in that request's language.
    """

    def _load_none() -> None:
        return None

    def dependency(
        request: Request, actor: Actor = Depends(require_login), obj: Any = Depends(on or _load_none)
    ) -> Actor:
        if not rule(actor, obj):
            raise PermissionDenied(i18n.gettext(message or "You do not have permission to do this."))
        return actor

    dependency.__name__ = f"allow_{rule.name}"
    return dependency


def can(actor: Actor, rule: Predicate, obj: Any = None) -> bool:
    """For templates: `{% if can(actor, P.can_run_grid, event) %}`."""
    return bool(rule(actor, obj))


def render(
    request: Request, template: str, context: dict[str, Any] | None = None, *, status_code: int = 200
) -> HTMLResponse:
    env = request.app.state.templates
    actor: Actor = request.state.actor
    ctx = {
        "request": request,
        "actor": actor,
        "locale": i18n.get_locale(),
        "csrf_token": csrf_token(request),
        # Inline scripts carry this nonce; the Content-Security-Policy allows no other inline script.
        "csp_nonce": getattr(request.state, "csp_nonce", ""),
        "path": request.url.path,
        "query_string": request.url.query,
    }
    ctx.update(context or {})
    html = env.get_template(template).render(**ctx)
    return HTMLResponse(html, status_code=status_code)
