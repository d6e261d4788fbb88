"""The web application: routers of every module, static files, templates, sessions, locale and errors.

The request's unit of work is opened by a middleware that never blocks the event loop: loading the actor and
the final commit or rollback run in the thread pool, like the `def` routes between them. The number of
requests inside that section at once is bounded (`DUIJIE_WEB_CONCURRENCY`) and the connection pool is sized
above that bound, so a thread never waits for a connection held by a request that is itself waiting for a
thread: under a burst, requests queue on the event loop (which stays free to answer) and, past
`DUIJIE_QUEUE_TIMEOUT` seconds, get a 503 with Retry-After instead of freezing the server.
"""

from __future__ import annotations

import asyncio
import importlib
import importlib.util
import os
import secrets
import weakref
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import DataError, IntegrityError, OperationalError, StatementError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.gzip import GZipMiddleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import Scope

from duijie.config import Settings, get_settings
from duijie.core import i18n
from duijie.core.auth import ANONYMOUS
from duijie.core.db import is_busy, make_engine, make_sessionmaker, reset_writes, will_write
from duijie.core.errors import DomainError
from duijie.core.site_secret import session_key
from duijie.core.templating import build_environment
from duijie.core.web import LoginRequired, render, safe_next
from duijie.deals.enums import DealStage, DealStatus, PartyRole, SourceKind
from duijie.directory.accounts import actor_for_session
from duijie.directory.enums import OrgFlag, OrgKind, Role
from duijie.directory.reference import DISTRICT_EN, INDUSTRY_EN
from duijie.events.enums import EventKind
from duijie.marketplace.enums import OpportunityKind, OpportunityStatus, ProjectCategory
from duijie.modules import PACKAGES, import_all

PACKAGE_DIR = Path(__file__).resolve().parent

LABELLED_ENUMS = {
    "event_kind": EventKind,
    "category": ProjectCategory,
    "status": OpportunityStatus,
    "opp_kind": OpportunityKind,
    "stage": DealStage,
    "deal_status": DealStatus,
    "source_kind": SourceKind,
    "party_role": PartyRole,
    "org_kind": OrgKind,
    "flag": OrgFlag,
    "role": Role,
}


def _routers() -> list[APIRouter]:
    """Every declared package that serves pages or API routes exposes `router` in views.py and/or api.py (and
    `api_routers`, API routers that belong with its pages but not under its API prefix).

    The packages' hook registrations (`extends.py`) are imported first, so every hook is filled before the
    first request; routers are included top floor first, so a higher package's specific routes win over a
    lower package's catch-all.
    """
    import_all("extends")
    routers: list[APIRouter] = []
    for package in reversed(PACKAGES):
        for part in ("views", "api"):
            name = f"duijie.{package}.{part}"
            if importlib.util.find_spec(name) is not None:
                module = importlib.import_module(name)
                routers.append(module.router)
                # API routes a page module serves outside its own prefix (`/api/v1/me/...`), kept in the schema.
                routers.extend(getattr(module, "api_routers", ()))
    return routers


API_DOCS_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>duijie API</title>
<link rel="icon" href="/static/vendor/swagger-ui/favicon-32x32.png">
<link rel="stylesheet" href="/static/vendor/swagger-ui/swagger-ui.css"></head>
<body><div id="swagger-ui" data-openapi="/api/v1/openapi.json"></div>
<script src="/static/vendor/swagger-ui/swagger-ui-bundle.js"></script>
<script src="/static/js/api-docs.js"></script></body></html>"""


class CachedStaticFiles(StaticFiles):
    """Static files a browser may keep: the vendored libraries (versioned by their directory, 1.1 MB of charts
    among them) for a week, our own CSS and scripts for an hour, then revalidated by their ETag."""

    def file_response(
        self, full_path: Any, stat_result: os.stat_result, scope: Scope, status_code: int = 200
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        vendored = str(scope.get("path", "")).startswith("/vendor/") or "/vendor/" in str(full_path)
        response.headers["Cache-Control"] = f"public, max-age={7 * 24 * 3600 if vendored else 3600}"
        return response


def security_headers(request_path: str, *, authenticated: bool, https: bool, nonce: str) -> dict[str, str]:
    """The headers every answer carries: no framing, no type sniffing, no referrer to other sites, scripts only
    from this site (or inline with the request's nonce), and no caching of pages meant for one user."""
    headers = {
        "Content-Security-Policy": (
            "default-src 'self'; "
            f"script-src 'self' 'nonce-{nonce}'; "
            "style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
            "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
        ),
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "Cross-Origin-Opener-Policy": "same-origin",
    }
    if authenticated and not request_path.startswith("/static/"):
        headers["Cache-Control"] = "no-store"
    if https:
        headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    return headers


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _error_json(status: int, message: str, details: list[dict[str, object]] | None = None) -> JSONResponse:
    return JSONResponse(
        {"error": {"status": status, "message": message, "details": details or []}}, status_code=status
    )


def _busy(request: Request, retry_after: int) -> Response:
    message = i18n.gettext("The server is busy. Please try again in a few seconds.")
    headers = {"Retry-After": str(retry_after)}
    if _wants_json(request):
        response = _error_json(503, message)
        response.headers.update(headers)
        return response
    return HTMLResponse(
        f"<!doctype html><title>503</title><p>{message}</p>", status_code=503, headers=headers
    )


UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _same_site(request: Request) -> bool:
    """The request was sent by one of this site's own pages: its Origin (or, failing that, its Referer) names
    this host. Browsers send Origin with every cross-origin request and with every same-origin POST."""
    host = request.headers.get("host", "")
    for header in ("origin", "referer"):
        value = request.headers.get(header)
        if value:
            return urlsplit(value).netloc == host
    return False


def _refuse_cross_site_api_write(request: Request) -> Response | None:
    """State-changing API calls made with the session cookie must come from this site's pages and carry JSON.

    SameSite=Lax alone leaves sibling sites and old browsers able to post; a text/plain body is the classic way
    around a JSON API's preflight. Calls without the session cookie act anonymously and pass on to the route,
    which refuses them if they need a user.
    """
    if request.method not in UNSAFE_METHODS or not request.url.path.startswith("/api/"):
        return None
    if "duijie_session" in request.cookies and not _same_site(request):
        return _error_json(403, i18n.gettext("This request must come from this site's own pages."))
    has_body = int(request.headers.get("content-length") or 0) > 0 or "transfer-encoding" in request.headers
    content_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if has_body and content_type != "application/json":
        return _error_json(415, i18n.gettext("Send the data as JSON (Content-Type: application/json)."))
    return None


def _finish(db: Session, ok: bool) -> None:
    """Ends the request's transaction: commit after a successful response, roll back otherwise."""
    try:
        if ok:
            db.commit()
        else:
            db.rollback()
    finally:
        db.close()


def _abort(db: Session) -> None:
    """Throws the request's work away; a connection the database already dropped cannot fail this."""
    try:
        db.rollback()
    except OperationalError:
        pass
    finally:
        db.close()


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    engine = make_engine(
        settings.database_url,
        echo=settings.sql_echo,
        pool_size=settings.web_concurrency + settings.job_connections,
        pool_timeout=settings.pool_timeout,
    )
    app = FastAPI(
        title="duijie API",
        version="1",
        description="对接 duijie: events, organisations, opportunities, deals and statistics of an innovation forum.",
        docs_url=None,
        openapi_url="/api/v1/openapi.json",
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessionmaker = make_sessionmaker(engine)
    app.state.templates = build_environment(
        LABELLED_ENUMS, labels={"district": DISTRICT_EN, "industry": INDUSTRY_EN}
    )
    # One gate per event loop, created on first use inside it: a semaphore belongs to the loop that first waits
    # on it, and an application may be served by more than one loop in its life (a test client per test).
    admission: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
        weakref.WeakKeyDictionary()
    )

    @app.middleware("http")
    async def unit_of_work(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        """One session per request: commit once if the response succeeded, roll back otherwise."""
        # Chinese unless the visitor chose English (the switch sets a cookie; `?lang=` overrides once).
        locale = request.query_params.get("lang") or request.cookies.get("lang") or settings.default_locale
        token = i18n.set_locale(locale)
        request.state.csp_nonce = secrets.token_urlsafe(16)
        request.state.actor = ANONYMOUS
        try:
            response = await _serve(request, call_next)
        finally:
            i18n.reset_locale(token)
        response.headers.update(
            security_headers(
                request.url.path,
                authenticated=request.state.actor.is_authenticated,
                https=settings.secure_cookies,
                nonce=request.state.csp_nonce,
            )
        )
        return response

    async def _serve(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        if request.url.path.startswith("/static/") or request.url.path in ("/healthz", "/api/docs"):
            return await call_next(request)
        refused = _refuse_cross_site_api_write(request)
        if refused is not None:
            return refused
        loop = asyncio.get_running_loop()
        gate = admission.get(loop)
        if gate is None:
            gate = admission[loop] = asyncio.Semaphore(settings.web_concurrency)
        try:
            await asyncio.wait_for(gate.acquire(), timeout=settings.queue_timeout)
        except TimeoutError:
            return _busy(request, retry_after=max(1, int(settings.queue_timeout)))
        writes = will_write() if request.method in UNSAFE_METHODS else None
        try:
            db = app.state.sessionmaker()
            request.state.db = db
            try:
                request.state.actor = await run_in_threadpool(actor_for_session, db, dict(request.session))
                response = await call_next(request)
            except OperationalError as exc:
                # Raised before a route ran (loading the session), so no exception handler sees it.
                await run_in_threadpool(_abort, db)
                if not is_busy(exc):
                    raise
                return _busy(request, retry_after=2)
            except BaseException:
                await run_in_threadpool(_abort, db)
                raise
            ok = response.status_code < 400 or getattr(request.state, "keep_writes", False)
            try:
                await run_in_threadpool(_finish, db, ok)
            except OperationalError as exc:
                if not is_busy(exc):
                    raise
                return _busy(request, retry_after=2)
            return response
        finally:
            if writes is not None:
                reset_writes(writes)
            gate.release()

    app.add_middleware(
        SessionMiddleware,
        secret_key=session_key(engine, settings.secret_key),
        session_cookie="duijie_session",
        same_site="lax",
        https_only=settings.secure_cookies,
        max_age=14 * 24 * 3600,
    )

    @app.exception_handler(DomainError)
    async def domain_error(request: Request, exc: DomainError) -> Response:
        retry_after = getattr(exc, "retry_after", None)
        if _wants_json(request):
            response = _error_json(exc.status_code, exc.message, [d.as_dict() for d in exc.details])
            if retry_after:
                response.headers["Retry-After"] = str(retry_after)
            return response
        if not hasattr(request.state, "actor"):
            request.state.actor = ANONYMOUS
        return render(
            request,
            "error.html",
            {"status": exc.status_code, "message": exc.message},
            status_code=exc.status_code,
        )

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired) -> Response:
        if _wants_json(request):
            return _error_json(401, i18n.gettext("Please log in first."))
        return RedirectResponse(exc.target, status_code=303)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        details = [
            {
                "field": ".".join(str(p) for p in err["loc"] if p not in ("body", "query", "path")),
                "message": err["msg"],
            }
            for err in exc.errors()
        ]
        message = "; ".join(f"{d['field']}: {d['message']}" for d in details)
        if _wants_json(request):
            return _error_json(422, message, details)
        return render(request, "error.html", {"status": 422, "message": message}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = str(exc.detail)
        if _wants_json(request):
            return _error_json(exc.status_code, message)
        if exc.status_code == 404:
            message = i18n.gettext("This page does not exist.")
        return render(
            request,
            "error.html",
            {"status": exc.status_code, "message": message},
            status_code=exc.status_code,
        )

    def _refusal(request: Request, status: int, message: str) -> Response:
        if _wants_json(request):
            return _error_json(status, message)
        return render(request, "error.html", {"status": status, "message": message}, status_code=status)

    @app.exception_handler(OverflowError)
    @app.exception_handler(DataError)
    async def out_of_range(request: Request, exc: Exception) -> Response:
        """A number or text the database cannot hold (an id beyond 64 bits, a value longer than its column):
        the request is refused, never a server error."""
        return _refusal(request, 422, i18n.gettext("A value is out of range or too long."))

    @app.exception_handler(OperationalError)
    async def unavailable(request: Request, exc: OperationalError) -> Response:
        """The database was busy or unreachable: nothing was written; the client may try again shortly."""
        if not is_busy(exc):
            raise exc
        return _busy(request, retry_after=2)

    @app.exception_handler(StatementError)
    async def bad_value(request: Request, exc: StatementError) -> Response:
        """A value refused while the database statement was being built (an amount past the cap in a bulk
        write): the refusal it carries is shown as such, naming its field."""
        if isinstance(exc.orig, DomainError):
            return await domain_error(request, exc.orig)
        if isinstance(exc.orig, ValueError | ArithmeticError):
            return _refusal(request, 422, str(exc.orig))
        raise exc

    @app.exception_handler(IntegrityError)
    async def conflict(request: Request, exc: IntegrityError) -> Response:
        """A write the database refused (a required value left empty, a reference to a missing record, a
        duplicate): nothing was written, and the answer says so instead of failing."""
        return _refusal(
            request,
            409,
            i18n.gettext(
                "The change was not saved: a required value is missing, a referenced record does not exist, "
                "or the record exists already."
            ),
        )

    app.mount(
        "/static",
        GZipMiddleware(CachedStaticFiles(directory=str(PACKAGE_DIR / "static")), minimum_size=1024),
        name="static",
    )
    for router in _routers():
        app.include_router(router)

    @app.get("/lang/{code}", include_in_schema=False)
    def switch_language(code: str, request: Request, next: str = "/") -> Response:
        response = RedirectResponse(safe_next(next), status_code=303)
        response.set_cookie("lang", i18n.normalize_locale(code), max_age=365 * 24 * 3600, samesite="lax")
        return response

    @app.get("/api/docs", include_in_schema=False)
    def api_docs() -> HTMLResponse:
        """The interactive reference, served from vendored Swagger UI under the site's own CSP."""
        return HTMLResponse(API_DOCS_PAGE)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> HTMLResponse:
        return HTMLResponse("ok")

    return app
