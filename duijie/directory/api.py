"""`/api/v1/organisations`: the public directory of organisations (public on purpose, as the organisation pages
are); the accounts routes (`api_accounts`) are included here."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from duijie.core.errors import NotFound
from duijie.core.schemas import ErrorBody, Page, paginate_params
from duijie.core.web import get_db
from duijie.directory import api_accounts, api_organisations, notifications
from duijie.directory.models import Organisation
from duijie.directory.organisations import listed
from duijie.directory.schemas import OrganisationRead

organisations = APIRouter(
    prefix="/api/v1/organisations", tags=["organisations"], responses={404: {"model": ErrorBody}}
)


@organisations.get("", response_model=Page[OrganisationRead])
def list_organisations(
    kind: str | None = None,
    district: str | None = None,
    q: str | None = None,
    page: int = Query(1, ge=1),
    page_size: int = Query(20, ge=1, le=200),
    db: Session = Depends(get_db),
) -> Page[OrganisationRead]:
    stmt = select(Organisation).where(listed())
    if kind:
        stmt = stmt.where(Organisation.kind == kind)
    if district:
        stmt = stmt.where(Organisation.district == district)
    if q:
        stmt = stmt.where(or_(Organisation.name_zh.like(f"%{q}%"), Organisation.name_en.like(f"%{q}%")))
    total = db.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    page, offset, pages = paginate_params(page, page_size, total)
    items = db.scalars(stmt.order_by(Organisation.id).offset(offset).limit(page_size))
    return Page[OrganisationRead](
        items=[OrganisationRead.model_validate(o) for o in items],
        total=total,
        page=page,
        page_size=page_size,
        pages=pages,
    )


@organisations.get("/{slug}", response_model=OrganisationRead)
def get_organisation(slug: str, db: Session = Depends(get_db)) -> OrganisationRead:
    org = db.scalar(select(Organisation).where(Organisation.slug == slug, listed()))
    if org is None:
        raise NotFound(f"no organisation {slug!r}", field="slug")
    return OrganisationRead.model_validate(org)


router = APIRouter()
router.include_router(organisations)
router.include_router(api_organisations.router)  # organisers create organisations, members edit their own
router.include_router(api_accounts.router)
router.include_router(notifications.api)
