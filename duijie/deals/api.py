"""`/api/v1/deals`: the list, a deal, opening a deal and moving it along the pipeline.

What a reader gets follows `deals.permissions`: the deals they may see (a deal they may not see is a 404), and
of an announced deal they are not related to only its public facts (no planned or invested amount, no lost
reason, no tasks)."""

from __future__ import annotations

import base64
import binascii
from urllib.parse import quote

from fastapi import APIRouter, Body, Depends, Query
from fastapi.responses import Response
from sqlalchemy.orm import Session

from duijie.core.auth import Actor
from duijie.core.errors import DomainError
from duijie.core.i18n import gettext as _
from duijie.core.schemas import ErrorBody, Page
from duijie.core.web import get_actor, get_db, require_login
from duijie.deals import service as deal_service
from duijie.deals.deps import deal_announcer, deal_evidence_reader, deal_from_path, deal_insider
from duijie.deals.models import Deal, DealEvidence
from duijie.deals.permissions import sees_deal_internals
from duijie.deals.schemas import (
    DealCreate,
    DealFilters,
    DealPartyIn,
    DealRead,
    DealTaskRead,
    DealUpdate,
    EvidenceRead,
    EvidenceWrite,
    NextStageRead,
    StageMove,
    StatusChange,
    TaskCreate,
)

router = APIRouter(
    prefix="/api/v1/deals",
    tags=["deals"],
    responses={
        403: {"model": ErrorBody},
        404: {"model": ErrorBody},
        409: {"model": ErrorBody},
        422: {"model": ErrorBody},
    },
)


# The fields of a deal only those related to it read (see deals.permissions).
INTERNAL_FIELDS = (
    "planned_amount",
    "invested_amount",
    "status_reason",
    "lost_to",
    "source_kind",
    "source_id",
    "source_label",
)


def read(actor: Actor, deal: Deal) -> DealRead:
    """The deal as this reader may read it: whole, or an announced deal's public facts."""
    full = DealRead.model_validate(deal)
    if sees_deal_internals(actor, deal):
        return full
    return full.model_copy(update=dict.fromkeys(INTERNAL_FIELDS))


@router.get("", response_model=Page[DealRead])
def list_deals(
    event: str | None = None,
    stage: str | None = None,
    status: str | None = None,
    district: str | None = None,
    industry: str | None = None,
    category: str | None = None,
    q: str | None = None,
    page: int = Query(1, ge=1),
    page_size: int = Query(20, ge=1, le=200),
    db: Session = Depends(get_db),
    actor: Actor = Depends(get_actor),
) -> Page[DealRead]:
    """Public on purpose: the deals the reader may see (announced signings for everyone)."""
    filters = DealFilters(
        event=event, stage=stage, status=status, district=district, industry=industry, category=category, q=q
    )
    items, total, page, pages = deal_service.list_deals(
        db, actor=actor, filters=filters, page=page, page_size=page_size
    )
    return Page[DealRead](
        items=[read(actor, d) for d in items],
        total=total,
        page=page,
        page_size=page_size,
        pages=pages,
    )


@router.post("", response_model=DealRead, status_code=201)
def create_deal(
    body: DealCreate, db: Session = Depends(get_db), actor: Actor = Depends(require_login)
) -> DealRead:
    """Open a deal; the organiser anywhere, a district account in its own district."""
    return DealRead.model_validate(deal_service.create(db, actor=actor, data=body))


@router.get("/{deal_id}", response_model=DealRead)
def get_deal(deal_id: int, db: Session = Depends(get_db), actor: Actor = Depends(get_actor)) -> DealRead:
    """Public on purpose: a deal the reader may see (404 otherwise), as they may read it."""
    return read(actor, deal_service.get(db, id=deal_id, actor=actor))


@router.patch("/{deal_id}", response_model=DealRead)
def update_deal(
    deal_id: int, body: DealUpdate, db: Session = Depends(get_db), actor: Actor = Depends(require_login)
) -> DealRead:
    """Edit a deal's facts (title, category, industry, district, planned and invested amounts ...)."""
    deal = deal_service.get(db, id=deal_id, actor=actor)
    return DealRead.model_validate(deal_service.update(db, actor=actor, deal=deal, data=body))


@router.post("/{deal_id}/stage", response_model=DealRead)
def move_deal(
    deal_id: int, body: StageMove, db: Session = Depends(get_db), actor: Actor = Depends(require_login)
) -> DealRead:
    """Move the deal to another stage (409 if the pipeline does not allow it, 422 if a needed fact is missing)."""
    deal = deal_service.get(db, id=deal_id, actor=actor)
    return DealRead.model_validate(deal_service.apply_move(db, actor=actor, deal=deal, move=body))


@router.get("/{deal_id}/next-stage", response_model=NextStageRead)
def next_stage(
    actor: Actor = Depends(deal_insider), deal: Deal = Depends(deal_from_path), db: Session = Depends(get_db)
) -> NextStageRead:
    """The next stage and exactly what blocks it (the stage-exit rules not yet met): those who follow the deal."""
    return NextStageRead.model_validate(deal_service.next_stage_report(db, actor=actor, deal=deal))


@router.put("/{deal_id}/status", response_model=DealRead)
def set_status(
    deal_id: int, body: StatusChange, db: Session = Depends(get_db), actor: Actor = Depends(require_login)
) -> DealRead:
    """How the deal is going (ongoing, delayed, dormant, lost, abandoned) and why; a lost deal may say where
    the project went. The organiser and the district in charge."""
    deal = deal_service.get(db, id=deal_id, actor=actor)
    return DealRead.model_validate(deal_service.set_status(db, actor=actor, deal=deal, change=body))


@router.post("/{deal_id}/verify", response_model=DealRead)
def verify(
    note: str | None = Body(None, embed=True, max_length=500),
    db: Session = Depends(get_db),
    actor: Actor = Depends(require_login),
    deal: Deal = Depends(deal_from_path),
) -> DealRead:
    """Mark a landed deal verified: a verifier of its event, not the one who recorded the landing, with
    evidence attached (403, 409 or 422 saying which is missing)."""
    return DealRead.model_validate(deal_service.verify(db, actor=actor, deal=deal, note=note))


@router.get("/{deal_id}/evidence", response_model=list[EvidenceRead])
def list_evidence(
    _actor: Actor = Depends(deal_evidence_reader), deal: Deal = Depends(deal_from_path)
) -> list[EvidenceRead]:
    """The documents of evidence: the organiser, the district in charge and the verifiers."""
    return [EvidenceRead.model_validate(e) for e in deal.evidence]


@router.post("/{deal_id}/evidence", response_model=EvidenceRead, status_code=201)
def add_evidence(
    body: EvidenceWrite,
    actor: Actor = Depends(deal_evidence_reader),  # who may attach is who may read: refused before the upload
    deal: Deal = Depends(deal_from_path),
    db: Session = Depends(get_db),
) -> EvidenceRead:
    """Attach a document (PDF, PNG, JPEG, Word, Excel; at most 10 MB) as evidence of the landing."""
    try:
        data = base64.b64decode(body.content_base64, validate=True)
    except (binascii.Error, ValueError):
        raise DomainError(_("The file content is not valid base64."), field="content_base64") from None
    item = deal_service.add_evidence(
        db, actor=actor, deal=deal, title=body.title, filename=body.filename, data=data
    )
    return EvidenceRead.model_validate(item)


@router.get("/{deal_id}/evidence/{evidence_id}")
def get_evidence(
    evidence_id: int,
    actor: Actor = Depends(deal_evidence_reader),
    deal: Deal = Depends(deal_from_path),
    db: Session = Depends(get_db),
) -> Response:
    """One document, as it was attached."""
    return evidence_response(deal_service.evidence_of(db, actor=actor, deal=deal, evidence_id=evidence_id))


def evidence_response(item: DealEvidence) -> Response:
    """A document of evidence as a download (never shown inline: it is a file a person handed in)."""
    return Response(
        item.data,
        media_type=item.content_type,
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(item.filename)}",
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        },
    )


@router.put("/{deal_id}/announced", response_model=DealRead)
def announce(
    announced: bool = Body(..., embed=True, strict=True),
    actor: Actor = Depends(
        deal_announcer
    ),  # asks an anonymous visitor to log in before the deal is looked up
    deal: Deal = Depends(deal_from_path),
    db: Session = Depends(get_db),
) -> DealRead:
    """`{"announced": true}` makes a signed deal public (false takes it back); the event's organiser only."""
    return DealRead.model_validate(
        deal_service.set_announced(db, actor=actor, deal=deal, announced=announced)
    )


@router.get("/{deal_id}/tasks", response_model=list[DealTaskRead])
def list_tasks(
    _actor: Actor = Depends(deal_insider), deal: Deal = Depends(deal_from_path), db: Session = Depends(get_db)
) -> list[DealTaskRead]:
    """The deal's follow-up tasks: the organiser, the district in charge and the parties (403 for others)."""
    return [DealTaskRead.model_validate(t) for t in deal_service.tasks_of(db, deal=deal)]


@router.post("/{deal_id}/tasks", response_model=DealTaskRead, status_code=201)
def add_task(
    deal_id: int, body: TaskCreate, db: Session = Depends(get_db), actor: Actor = Depends(require_login)
) -> DealTaskRead:
    deal = deal_service.get(db, id=deal_id, actor=actor)
    return DealTaskRead.model_validate(deal_service.add_task(db, actor=actor, deal=deal, data=body))


@router.put("/{deal_id}/parties", response_model=DealRead)
def set_parties(
    deal_id: int,
    body: list[DealPartyIn],
    db: Session = Depends(get_db),
    actor: Actor = Depends(require_login),
) -> DealRead:
    """Replace the deal's parties (organisation id and role); the change is kept in the deal's history."""
    deal = deal_service.get(db, id=deal_id, actor=actor)
    parties = [(p.organisation_id, p.role.value) for p in body]
    return DealRead.model_validate(deal_service.set_parties(db, actor=actor, deal=deal, parties=parties))


# The sheet import's API (`/api/v1/imports/...`) lives in its own file, outside this router's prefix.
from duijie.deals import api_import  # noqa: E402

api_routers = (api_import.router,)
