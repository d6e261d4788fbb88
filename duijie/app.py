"""The web application: routers of every module, static files, templates, sessions, locale and errors."""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Awaitable, Callable
from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from duijie.config import Settings, get_settings
from duijie.core import i18n
from duijie.core.auth import ANONYMOUS, load_actor
from duijie.core.db import make_engine, make_sessionmaker
from duijie.core.errors import DomainError
from duijie.core.templating import build_environment
from duijie.core.web import render
from duijie.deals.enums import DealStage, PartyRole
from duijie.directory.enums import OrgFlag, OrgKind, Role
from duijie.events.enums import EventKind
from duijie.marketplace.enums import OpportunityKind, OpportunityStatus, ProjectCategory

PACKAGE_DIR = Path(__file__).resolve().parent

LABELLED_ENUMS = {
    "event_kind": EventKind,
    "category": ProjectCategory,
    "status": OpportunityStatus,
    "opp_kind": OpportunityKind,
    "stage": DealStage,
    "party_role": PartyRole,
    "org_kind": OrgKind,
    "flag": OrgFlag,
    "role": Role,
}

# Every feature module that serves pages or API routes exposes `router` in views.py and/or api.py; they are
# found by name so that a module brings its routes without touching this file.
FEATURE_MODULES = (
    "core", "events", "marketplace", "directory", "deals", "insight", "policies", "meetings", "contest",
    "matching", "text", "agenda", "exhibition",
)


def _routers() -> list[APIRouter]:
    routers = []
    for module in FEATURE_MODULES:
        for part in ("views", "api"):
            name = f"duijie.{module}.{part}"
            if importlib.util.find_spec(name) is not None:
                routers.append(importlib.import_module(name).router)
    return routers


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _error_json(status: int, message: str, details: list[dict[str, object]] | None = None) -> JSONResponse:
    return JSONResponse(
        {"error": {"status": status, "message": message, "details": details or []}}, status_code=status
    )


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    engine = make_engine(settings.database_url, echo=settings.sql_echo)
    app = FastAPI(
        title="duijie API",
        version="1",
        description="对接 duijie: events, organisations, opportunities, deals and statistics of an innovation forum.",
        docs_url="/api/docs",
        openapi_url="/api/v1/openapi.json",
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessionmaker = make_sessionmaker(engine)
    app.state.templates = build_environment(LABELLED_ENUMS)

    @app.middleware("http")
    async def unit_of_work(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        """One session per request: commit once if the response succeeded, roll back otherwise."""
        # Chinese unless the visitor chose English (the switch sets a cookie; `?lang=` overrides once).
        locale = request.query_params.get("lang") or request.cookies.get("lang") or settings.default_locale
        token = i18n.set_locale(locale)
        db = app.state.sessionmaker()
        request.state.db = db
        try:
            request.state.actor = load_actor(db, request.session.get("account_id"))
            response = await call_next(request)
            if response.status_code < 400:
                db.commit()
            else:
                db.rollback()
            return response
        except BaseException:
            db.rollback()
            raise
        finally:
            db.close()
            i18n._current.reset(token)

    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key,
        session_cookie="duijie_session",
        same_site="lax",
        https_only=settings.secure_cookies,
        max_age=14 * 24 * 3600,
    )

    @app.exception_handler(DomainError)
    async def domain_error(request: Request, exc: DomainError) -> Response:
        if _wants_json(request):
            return _error_json(exc.status_code, exc.message, [d.as_dict() for d in exc.details])
        if not hasattr(request.state, "actor"):
            request.state.actor = ANONYMOUS
        return render(
            request,
            "error.html",
            {"status": exc.status_code, "message": exc.message},
            status_code=exc.status_code,
        )

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

    app.mount("/static", StaticFiles(directory=str(PACKAGE_DIR / "static")), name="static")
    for router in _routers():
        app.include_router(router)

    @app.get("/lang/{code}", include_in_schema=False)
    def switch_language(code: str, request: Request, next: str = "/") -> Response:
        target = next if next.startswith("/") and not next.startswith("//") else "/"
        response = RedirectResponse(target, status_code=303)
        response.set_cookie("lang", i18n.normalize_locale(code), max_age=365 * 24 * 3600, samesite="lax")
        return response

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> HTMLResponse:
        return HTMLResponse("ok")

    return app
