"""Request-scoped glue for views and API routes: the database session, the actor, rendering, CSRF."""

from __future__ import annotations

import secrets
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from duijie.core import i18n
from duijie.core.auth import Actor
from duijie.core.errors import DomainError


def get_db(request: Request) -> Session:
    """The request's session; the unit-of-work middleware commits it once after a successful response."""
    return request.state.db


def get_actor(request: Request) -> Actor:
    return request.state.actor


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(24)
        request.session["csrf"] = token
    return token


def check_csrf(request: Request, submitted: str | None) -> None:
    """Forms carry the session's token; a missing or different one is refused."""
    expected = request.session.get("csrf")
    if not expected or not submitted or not secrets.compare_digest(expected, submitted):
        raise DomainError(i18n.gettext("The form has expired. Reload the page and try again."), field="csrf")


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
        "path": request.url.path,
        "query_string": request.url.query,
    }
    ctx.update(context or {})
    html = env.get_template(template).render(**ctx)
    return HTMLResponse(html, status_code=status_code)
