"""Judges of a contest edition: lookups, the people behind them, and their employment and investment ties."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from duijie.contest import conflicts as coi
from duijie.contest.models import Judge
from duijie.contest.permissions import require_organiser
from duijie.core import audit
from duijie.core.auth import Actor
from duijie.core.errors import DomainError, NotFound
from duijie.core.i18n import gettext as _
from duijie.directory.models import Account, Person
from duijie.events.models import Event


def get_judge(db: Session, *, event: Event, id: int) -> Judge:
    """A judge of this edition, or NotFound."""
    judge = db.get(Judge, id)
    if judge is None or judge.event_id != event.id:
        raise NotFound(_("No such judge: %(id)s") % {"id": id})
    return judge


def judge_for_actor(db: Session, *, event: Event, actor: Actor) -> Judge | None:
    """The judge record of the signed-in account in this edition, if it has one."""
    if actor.account_id is None:
        return None
    person_id = db.scalar(select(Account.person_id).where(Account.id == actor.account_id))
    if person_id is None:
        return None
    return db.scalar(select(Judge).where(Judge.event_id == event.id, Judge.person_id == person_id))


def active_judges(db: Session, *, event: Event) -> list[Judge]:
    """The judges who can still be assigned (a judge who dropped out is inactive)."""
    return list(
        db.scalars(select(Judge).where(Judge.event_id == event.id, Judge.active.is_(True)).order_by(Judge.id))
    )


def person_names(db: Session, *, judges: Iterable[Judge]) -> dict[int, Person]:
    """The people behind judges, by judge id, in one query."""
    judges = list(judges)
    people = {p.id: p for p in db.scalars(select(Person).where(Person.id.in_({j.person_id for j in judges})))}
    return {j.id: people[j.person_id] for j in judges if j.person_id in people}


TIE_KINDS = ("employment", "investment")


def _tie_date(value: Any, number: int) -> dt.date | None:
    if value in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise DomainError(_("Tie %(n)s: write dates as YYYY-MM-DD.") % {"n": number}, field="ties") from None


def check_ties(items: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """A judge's ties in stored form, refusing an unknown kind, a missing organisation or inverted dates."""
    out: list[dict[str, Any]] = []
    for number, item in enumerate(items, start=1):
        kind = str(item.get("kind") or "").strip()
        kind = {"任职": "employment", "投资": "investment"}.get(kind, kind.casefold())
        if kind not in TIE_KINDS:
            raise DomainError(
                _("Tie %(n)s: the kind must be employment or investment.") % {"n": number}, field="ties"
            )
        organisation = str(item.get("organisation") or "").strip()
        if not organisation:
            raise DomainError(_("Tie %(n)s: name the organisation.") % {"n": number}, field="ties")
        start = _tie_date(item.get("start"), number)
        end = _tie_date(item.get("end"), number)
        if start and end and end < start:
            raise DomainError(_("Tie %(n)s: it ends before it starts.") % {"n": number}, field="ties")
        out.append(
            {
                "kind": kind,
                "organisation": organisation[:200],
                "start": start.isoformat() if start else None,
                "end": end.isoformat() if end else None,
            }
        )
    return out


def parse_ties(text: str) -> list[dict[str, Any]]:
    """Ties from one line each, `employment|investment | organisation | start | end` (end may be empty)."""
    items: list[dict[str, Any]] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")] + ["", "", ""]
        items.append({"kind": parts[0], "organisation": parts[1], "start": parts[2], "end": parts[3]})
    return check_ties(items)


def ties_text(judge: Judge) -> str:
    """A judge's ties as the lines the edit form takes."""
    return "\n".join(
        f"{t['kind']} | {t['organisation']} | {t.get('start') or ''} | {t.get('end') or ''}"
        for t in judge.ties
    )


def judge_ties(judge: Judge) -> tuple[tuple[coi.Tie, ...], tuple[coi.Tie, ...]]:
    """A judge's stored ties as conflict detection takes them: employments, then investments."""
    out: dict[str, list[coi.Tie]] = {k: [] for k in TIE_KINDS}
    for t in judge.ties or ():
        start, end = t.get("start"), t.get("end")
        out.setdefault(t.get("kind", ""), []).append(
            coi.Tie(
                organisation=t["organisation"],
                start=dt.date.fromisoformat(start) if start else None,
                end=dt.date.fromisoformat(end) if end else None,
            )
        )
    return tuple(out["employment"]), tuple(out["investment"])


def set_judge_ties(db: Session, *, actor: Actor, judge: Judge, ties: Iterable[dict[str, Any]]) -> Judge:
    """Replace a judge's employment and investment history, which the next conflict detection reads."""
    require_organiser(actor, judge.event_id)
    checked = check_ties(ties)
    audit.apply(
        db,
        actor=actor,
        obj=judge,
        changes={"ties": checked},
        entity_type="judge",
        action="ties",
        event_id=judge.event_id,
    )
    return judge
