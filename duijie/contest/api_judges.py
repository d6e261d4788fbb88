"""`/api/v1/contests/{slug}/judges`: the edition's judges for its organiser: list, invite by e-mail, change
expertise, affiliation, ties or the active flag, remove one who has not scored, declare a conflict for one and
withdraw a declared one (the judge concerned may withdraw their own too). The same services as the pages."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from duijie.contest.deps import contest_from_slug, organiser
from duijie.contest.domain.conflicts import conflict_in, declare_conflict, withdraw_conflict
from duijie.contest.domain.entries import entry_by_code
from duijie.contest.domain.judge_setup import (
    JudgeRow,
    invite_judge,
    judge_in,
    remove_judge,
    row_of,
    update_judge,
)
from duijie.contest.domain.judge_setup import list_judges as all_judges
from duijie.contest.permissions import can_judge, can_manage_contest
from duijie.core.auth import Actor
from duijie.core.errors import NotFound
from duijie.core.i18n import gettext as _
from duijie.core.validation import PathId
from duijie.core.web import allow, get_db
from duijie.events.models import Event

router = APIRouter()


class TieBody(BaseModel):
    """An employment or investment tie: `kind` employment|investment, dates YYYY-MM-DD (end empty if current)."""

    kind: str = Field(max_length=20)
    organisation: str = Field(max_length=200)
    start: str | None = Field(None, max_length=10)
    end: str | None = Field(None, max_length=10)


class ConflictRead(BaseModel):
    id: int
    entry_code: str
    reason: str
    source: str


class JudgeRead(BaseModel):
    """A judge of the edition: the person, affiliation, expertise, ties, conflicts and where the invitation is."""

    id: int
    name_zh: str
    name_en: str | None
    email: str | None
    organisation: str | None
    expertise: str | None
    ties: list[dict[str, Any]]
    active: bool
    state: str
    submitted_scores: int
    conflicts: list[ConflictRead]


class JudgeInvite(BaseModel):
    email: str = Field(max_length=200)
    name: str | None = Field(None, max_length=120)
    organisation: str | None = Field(None, max_length=120, description="Affiliation: slug or number.")
    expertise: str | None = Field(None, max_length=4000)
    ties: list[TieBody] = Field(default_factory=list, max_length=100)
    locale: str | None = Field(None, pattern="^(zh_CN|en)$")


class JudgeChange(BaseModel):
    """Only the fields given change."""

    expertise: str | None = Field(None, max_length=4000)
    organisation: str | None = Field(None, max_length=120)
    ties: list[TieBody] | None = Field(None, max_length=100)
    active: bool | None = None


def _read(row: JudgeRow) -> JudgeRead:
    return JudgeRead(
        id=row.judge.id,
        name_zh=row.person.name_zh,
        name_en=row.person.name_en,
        email=row.person.email,
        organisation=row.organisation.slug if row.organisation else None,
        expertise=row.judge.expertise,
        ties=list(row.judge.ties or []),
        active=row.judge.active,
        state=row.state,
        submitted_scores=row.submitted,
        conflicts=[ConflictRead(id=c.id, entry_code=e.code, reason=c.reason, source=c.source) for c, e in row.conflicts],
    )


@router.get("/{slug}/judges", response_model=list[JudgeRead])
def list_judges(
    event: Event = Depends(contest_from_slug), actor: Actor = Depends(organiser), db: Session = Depends(get_db)
) -> list[JudgeRead]:
    """The edition's judges (organiser)."""
    return [_read(r) for r in all_judges(db, event=event)]


@router.post("/{slug}/judges", response_model=JudgeRead, status_code=201)
def post_judge(
    data: JudgeInvite,
    event: Event = Depends(contest_from_slug),
    actor: Actor = Depends(organiser),
    db: Session = Depends(get_db),
) -> JudgeRead:
    """Invite a judge by e-mail (the invitation mail goes out after the commit); 422 names the bad field."""
    judge = invite_judge(
        db, actor=actor, event=event, email=data.email, name=data.name, expertise=data.expertise,
        organisation=data.organisation, ties=[t.model_dump() for t in data.ties], locale=data.locale,
    )  # fmt: skip
    return _read(row_of(db, event=event, judge=judge))


@router.patch("/{slug}/judges/{judge_id}", response_model=JudgeRead)
def patch_judge(
    judge_id: PathId,
    data: JudgeChange,
    event: Event = Depends(contest_from_slug),
    actor: Actor = Depends(organiser),
    db: Session = Depends(get_db),
) -> JudgeRead:
    """Change a judge's expertise, affiliation (empty string for none), ties or active flag."""
    judge = judge_in(db, event=event, id=judge_id)
    changes: dict[str, Any] = {}
    for key in data.model_fields_set:
        value = getattr(data, key)
        changes[key] = [t.model_dump() for t in value] if key == "ties" and value is not None else value
    update_judge(db, actor=actor, event=event, judge=judge, changes=changes)
    return _read(row_of(db, event=event, judge=judge))


@router.delete("/{slug}/judges/{judge_id}", status_code=204)
def delete_judge(
    judge_id: PathId,
    event: Event = Depends(contest_from_slug),
    actor: Actor = Depends(organiser),
    db: Session = Depends(get_db),
) -> Response:
    """Remove a judge who has submitted no score (422 with the count otherwise)."""
    remove_judge(db, actor=actor, event=event, judge=judge_in(db, event=event, id=judge_id))
    return Response(status_code=204)


class ConflictDeclare(BaseModel):
    """A conflict the judge declared with an entry, by its number."""

    entry: str = Field(max_length=40, description="The entry's number, such as FC7-0001.")
    reason: str = Field(max_length=180)


@router.post("/{slug}/judges/{judge_id}/conflicts", response_model=ConflictRead, status_code=201)
def post_conflict(
    judge_id: PathId,
    data: ConflictDeclare,
    event: Event = Depends(contest_from_slug),
    actor: Actor = Depends(organiser),
    db: Session = Depends(get_db),
) -> ConflictRead:
    """Record a conflict the judge declared; the pair is never assigned while it stands (422 names the field)."""
    judge = judge_in(db, event=event, id=judge_id)
    entry = entry_by_code(db, event=event, code=data.entry.strip())
    if entry is None:
        raise NotFound(_("No entry %(code)s in this edition.") % {"code": data.entry.strip()}, field="entry")
    row = declare_conflict(db, actor=actor, event=event, judge=judge, entry=entry, reason=data.reason)
    return ConflictRead(id=row.id, entry_code=entry.code, reason=row.reason, source=row.source)


@router.delete("/{slug}/judges/{judge_id}/conflicts/{conflict_id}", status_code=204)
def delete_conflict(
    judge_id: PathId,
    conflict_id: PathId,
    event: Event = Depends(contest_from_slug),
    actor: Actor = Depends(allow(can_manage_contest | can_judge, on=contest_from_slug)),
    db: Session = Depends(get_db),
) -> Response:
    """Withdraw a declared conflict: the organiser any, the judge their own until scores lock the entry's
    assignment (403 for another judge's, 422 for a detected conflict or a locked assignment)."""
    judge = judge_in(db, event=event, id=judge_id)
    withdraw_conflict(db, actor=actor, event=event, conflict=conflict_in(db, event=event, id=conflict_id, judge=judge))
    return Response(status_code=204)
