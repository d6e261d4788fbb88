"""Scores: a judge's marks per criterion, saved as a draft or submitted and locked, and reopened by the organiser."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from duijie.contest import scoring
from duijie.contest.domain.judges import judge_for_actor
from duijie.contest.domain.rounds import criteria_of
from duijie.contest.models import ContestRound, ReviewAssignment, Score
from duijie.contest.permissions import can_judge, can_manage_contest, require_organiser
from duijie.core import audit
from duijie.core.auth import Actor
from duijie.core.db import utcnow
from duijie.core.errors import DomainError, ErrorDetail, PermissionDenied
from duijie.core.i18n import gettext as _
from duijie.core.i18n import is_zh
from duijie.events.models import Event


def score_of(db: Session, *, row: ReviewAssignment) -> Score | None:
    """The score of a review, if the judge has saved one."""
    return db.scalar(select(Score).where(Score.assignment_id == row.id))


def may_score(db: Session, *, actor: Actor, row: ReviewAssignment, event: Event) -> bool:
    """The assigned judge scores; the organiser may enter a paper score sheet on the judge's behalf. Pages ask
    this before they show anything of the review (its entry, reason or score)."""
    if can_manage_contest(actor, event):
        return True
    mine = judge_for_actor(db, event=event, actor=actor) if can_judge(actor, event) else None
    return mine is not None and mine.id == row.judge_id


# Marks are given in half points, as the score sheet's field steps (0, 0.5 ... 10).
MARK_STEP = 0.5


def check_marks(rnd: ContestRound, marks: dict[str, float]) -> None:
    """Every criterion of the round has a mark from 0 to 10 in half points, and no mark names another criterion;
    every mark that is wrong is named at once (a judge fixes the sheet in one go), each on its criterion."""
    details: list[ErrorDetail] = []
    codes = {c["code"] for c in rnd.criteria}
    for c in rnd.criteria:
        name = c["name_zh"] if is_zh() else (c.get("name_en") or c["name_zh"])
        value = marks.get(c["code"])
        if value is None or not math.isfinite(value) or not 0 <= value <= 10:
            message = _("%(criterion)s: give a mark from 0 to 10.") % {"criterion": name}
        elif not (value / MARK_STEP).is_integer():
            message = _("%(criterion)s: marks go in half points (7 or 7.5, not %(mark)s).") % {
                "criterion": name,
                "mark": f"{value:g}",
            }
        else:
            continue
        details.append(ErrorDetail(message=message, field=c["code"]))
    for code in sorted(set(marks) - codes):
        details.append(ErrorDetail(message=_("This round has no criterion %(code)s.") % {"code": code}, field=code))
    if details:
        raise DomainError(details[0].message, field=details[0].field, details=details)


def save_score(
    db: Session,
    *,
    actor: Actor,
    row: ReviewAssignment,
    marks: dict[str, float],
    comment: str | None,
    submit: bool,
    at: dt.datetime | None = None,
) -> Score:
    """Save a judge's marks (a draft, or submitted and then locked); a locked score is refused."""
    rnd = db.get(ContestRound, row.round_id)
    assert rnd is not None
    event = db.get(Event, rnd.event_id)
    assert event is not None
    if not may_score(db, actor=actor, row=row, event=event):
        raise PermissionDenied(_("Only the judge this entry is assigned to may score it."))
    score = score_of(db, row=row)
    if score is not None and score.locked:
        raise DomainError(
            _("This score was submitted and is locked; the organiser can reopen it."), field="score"
        )
    check_marks(rnd, marks)
    try:
        total = scoring.weighted_total(marks, criteria_of(rnd))
    except scoring.ScoringError as exc:
        name = next((c["name_zh"] for c in rnd.criteria if c["code"] == exc.field), exc.field)
        raise DomainError(
            _("%(criterion)s: give a mark from 0 to 10.") % {"criterion": name}, field=exc.field
        ) from None
    if score is None:
        score = Score(assignment_id=row.id)
        db.add(score)
    before = {"values": dict(score.values or {}), "total": score.total, "comment": score.comment}
    score.values = {k: float(v) for k, v in marks.items()}
    score.total = Decimal(str(round(total, 2)))
    score.comment = (comment or "").strip() or None
    if submit:
        score.submitted_at = at or utcnow()
        score.locked = True
    db.flush()
    audit.record(
        db,
        actor=actor,
        entity_type="score",
        entity_id=score.id,
        action="submit" if submit else "draft",
        before=before,
        after={"values": score.values, "total": score.total, "comment": score.comment},
        event_id=event.id,
    )
    return score


def reopen_score(db: Session, *, actor: Actor, score: Score, reason: str) -> Score:
    """Unlock a submitted score so the judge can change it; the reason goes into the audit history."""
    row = db.get(ReviewAssignment, score.assignment_id)
    rnd = db.get(ContestRound, row.round_id) if row else None
    require_organiser(actor, rnd.event_id if rnd else None)
    if not score.locked:
        raise DomainError(_("This score is not locked."), field="score")
    reason = reason.strip()
    if not reason:
        raise DomainError(_("Say why the score is reopened."), field="reason")
    score.locked = False
    score.submitted_at = None
    db.flush()
    audit.record(
        db,
        actor=actor,
        entity_type="score",
        entity_id=score.id,
        action="reopen",
        before={"locked": True},
        after={"locked": False},
        event_id=rnd.event_id if rnd else None,
        note=reason[:500],
    )
    return score
