"""Setting up an edition's judges: inviting them by e-mail, their expertise, affiliation and ties, the conflicts
they declared, and removing one who has not scored yet.

A judge is invited by address through the directory's invitations (the same mail, link and expiry as any other
role, scoped to the edition). The judge record is made at once, so the organiser can record expertise and ties
and run conflict detection before the judge answers: it points at a person standing for the invitee (the
address, the name given). When the invitation is accepted, the directory's `invitations.ACCEPTED` hook calls
`link_account` (registered in `contest/extends.py`), which moves the new account onto that person, so the judge
record, its ties and declared conflicts belong to the account with nothing copied.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from duijie.contest.domain.judges import check_ties, get_judge, judge_for_actor
from duijie.contest.models import Conflict, ContestEntry, Judge, ReviewAssignment, Score
from duijie.contest.permissions import require_organiser
from duijie.core import audit
from duijie.core.auth import Actor
from duijie.core.errors import DomainError, NotFound
from duijie.core.i18n import gettext as _
from duijie.directory import invitations, users
from duijie.directory.enums import InvitationState
from duijie.directory.models import Account, Invitation, Organisation, Person
from duijie.directory.permissions import Scope
from duijie.events.models import Event

EXPERTISE_MAX = 2000


@dataclass
class JudgeRow:
    """A judge as the organiser's page and the API show it."""

    judge: Judge
    person: Person
    organisation: Organisation | None
    account: Account | None
    invitation_state: str | None
    submitted: int
    conflicts: list[tuple[Conflict, ContestEntry]] = field(default_factory=list)

    @property
    def state(self) -> str:
        """`active` once the judge has an account, else the invitation's state (pending, expired...)."""
        if self.account is not None:
            return "active"
        return self.invitation_state or "pending"


def check_expertise(text: str | None) -> str | None:
    """The expertise as stored: trimmed, None when empty, refused past its length."""
    value = (text or "").strip()
    if len(value) > EXPERTISE_MAX:
        raise DomainError(
            _("Keep the expertise under %(n)s characters.") % {"n": EXPERTISE_MAX}, field="expertise"
        )
    return value or None


def find_organisation(db: Session, ref: str | int | None) -> Organisation | None:
    """The affiliation named by slug or number (None when empty); an unknown one is refused beside its field."""
    if ref in (None, ""):
        return None
    text = str(ref).strip()
    org = db.get(Organisation, int(text)) if text.isdigit() else None
    if org is None:
        org = db.scalar(select(Organisation).where(Organisation.slug == text))
    if org is None:
        raise DomainError(_("No organisation %(ref)s.") % {"ref": text}, field="organisation")
    return org


def submitted_count(db: Session, *, judge: Judge) -> int:
    """How many scores the judge has submitted (in any round of the edition)."""
    return int(
        db.scalar(
            select(func.count(Score.id))
            .join(ReviewAssignment, ReviewAssignment.id == Score.assignment_id)
            .where(ReviewAssignment.judge_id == judge.id, Score.submitted_at.is_not(None))
        )
        or 0
    )


def list_judges(db: Session, *, event: Event) -> list[JudgeRow]:
    """Every judge of the edition with their person, affiliation, account, invitation, scores and conflicts."""
    judges = list(db.scalars(select(Judge).where(Judge.event_id == event.id).order_by(Judge.id)))
    if not judges:
        return []
    person_ids = {j.person_id for j in judges}
    people = {p.id: p for p in db.scalars(select(Person).where(Person.id.in_(person_ids)))}
    orgs = {
        o.id: o
        for o in db.scalars(
            select(Organisation).where(Organisation.id.in_({j.organisation_id for j in judges if j.organisation_id}))
        )
    }
    logins = {a.person_id: a for a in db.scalars(select(Account).where(Account.person_id.in_(person_ids)))}
    emails = {p.email for p in people.values() if p.email}
    invites: dict[str, Invitation] = {}
    for inv in db.scalars(
        select(Invitation)
        .where(Invitation.event_id == event.id, Invitation.role == "judge", Invitation.email.in_(emails))
        .order_by(Invitation.id)
    ):
        invites[inv.email] = inv  # the newest one wins
    scored = dict(
        db.execute(
            select(ReviewAssignment.judge_id, func.count(Score.id))
            .join(Score, Score.assignment_id == ReviewAssignment.id)
            .where(ReviewAssignment.judge_id.in_([j.id for j in judges]), Score.submitted_at.is_not(None))
            .group_by(ReviewAssignment.judge_id)
        ).all()
    )
    conflicts: dict[int, list[tuple[Conflict, ContestEntry]]] = {}
    for row, entry in db.execute(
        select(Conflict, ContestEntry)
        .join(ContestEntry, ContestEntry.id == Conflict.entry_id)
        .where(Conflict.judge_id.in_([j.id for j in judges]))
        .order_by(ContestEntry.code)
    ).all():
        conflicts.setdefault(row.judge_id, []).append((row, entry))
    out = []
    for j in judges:
        person = people[j.person_id]
        invite = invites.get(person.email or "")
        out.append(
            JudgeRow(
                judge=j,
                person=person,
                organisation=orgs.get(j.organisation_id) if j.organisation_id else None,
                account=logins.get(j.person_id),
                invitation_state=invitations.state_of(invite).value if invite is not None else None,
                submitted=int(scored.get(j.id, 0)),
                conflicts=conflicts.get(j.id, []),
            )
        )
    return out


def row_of(db: Session, *, event: Event, judge: Judge) -> JudgeRow:
    """One judge's row, as `list_judges` shows it."""
    for row in list_judges(db, event=event):
        if row.judge.id == judge.id:
            return row
    raise NotFound(_("No such judge: %(id)s") % {"id": judge.id})


def _placeholder(db: Session, *, address: str, name: str | None) -> Person:
    """The person standing for an invitee until they accept: the one already made for this address (an
    invitation to another edition) if it has no account yet, else a new one."""
    existing = db.scalar(
        select(Person)
        .join(Judge, Judge.person_id == Person.id)
        .outerjoin(Account, Account.person_id == Person.id)
        .where(func.lower(Person.email) == address.lower(), Account.id.is_(None))
        .limit(1)
    )
    if existing is not None:
        return existing
    person = Person(name_zh=(name or "").strip()[:80] or address.split("@")[0][:80], email=address)
    db.add(person)
    db.flush()
    return person


def invite_judge(
    db: Session,
    *,
    actor: Actor,
    event: Event,
    email: str,
    name: str | None = None,
    expertise: str | None = None,
    organisation: str | int | None = None,
    ties: list[dict[str, Any]] | None = None,
    locale: str | None = None,
) -> Judge:
    """Invites an address to judge the edition. Side effects: the judge record (with its expertise, affiliation
    and ties) on a person standing for the invitee, the invitation to role judge scoped to the edition (its mail
    queued for after the commit, through the directory's invitations), the audit entries. Every bad field is
    refused before anything is written; an address already judging the edition is refused."""
    require_organiser(actor, event.id)
    address = users.check_email(email)
    checked_expertise = check_expertise(expertise)
    org = find_organisation(db, organisation)
    checked_ties = check_ties(ties or [])
    taken = db.scalar(
        select(Judge.id)
        .join(Person, Person.id == Judge.person_id)
        .where(Judge.event_id == event.id, func.lower(Person.email) == address.lower())
    )
    if taken is not None:
        raise DomainError(
            _("%(email)s is already a judge of this edition (judge %(id)s).") % {"email": address, "id": taken},
            field="email",
        )
    person = _placeholder(db, address=address, name=name)
    judge = Judge(
        event_id=event.id,
        person_id=person.id,
        organisation_id=org.id if org else None,
        expertise=checked_expertise,
        ties=checked_ties,
        country=org.country if org is not None and org.country else "CN",
    )
    db.add(judge)
    db.flush()
    audit.record(
        db, actor=actor, entity_type="judge", entity_id=judge.id, action="invite", event_id=event.id,
        after={"email": address, "expertise": checked_expertise, "organisation_id": judge.organisation_id,
               "ties": checked_ties},
    )  # fmt: skip
    invitations.invite(
        db, actor=actor, email=address, scope=Scope("judge", None, event.id, None), name=name, locale=locale
    )
    return judge


def update_judge(
    db: Session,
    *,
    actor: Actor,
    event: Event,
    judge: Judge,
    changes: dict[str, Any],
) -> Judge:
    """Changes a judge's expertise, affiliation (`organisation`: slug or number, empty for none), ties or
    active flag: the organiser any of them, the judge their own expertise only. Side effects: one audited write
    of what really changed. Every field is checked before anything is written."""
    own = judge_for_actor(db, event=event, actor=actor)
    if own is None or own.id != judge.id or set(changes) - {"expertise"}:
        require_organiser(actor, event.id)
    if judge.event_id != event.id:
        raise NotFound(_("No such judge: %(id)s") % {"id": judge.id})
    values: dict[str, Any] = {}
    if "expertise" in changes:
        values["expertise"] = check_expertise(changes["expertise"])
    if "organisation" in changes:
        org = find_organisation(db, changes["organisation"])
        values["organisation_id"] = org.id if org else None
    if "ties" in changes:
        values["ties"] = check_ties(changes["ties"] or [])
    if "active" in changes:
        values["active"] = bool(changes["active"])
    audit.apply(
        db, actor=actor, obj=judge, changes=values, entity_type="judge", action="update", event_id=event.id
    )
    return judge


def remove_judge(db: Session, *, actor: Actor, event: Event, judge: Judge) -> None:
    """Removes a judge who has submitted no score (refused otherwise, with the count: their scores count in the
    ranking). Side effects: the judge's open reviews and declared or detected conflicts go with the record, a
    pending invitation to judge the edition is withdrawn, the audit entry."""
    require_organiser(actor, event.id)
    if judge.event_id != event.id:
        raise NotFound(_("No such judge: %(id)s") % {"id": judge.id})
    count = submitted_count(db, judge=judge)
    if count:
        raise DomainError(
            _("This judge has submitted %(n)s scores; they count in the ranking, so the judge cannot be removed. "
              "Mark the judge inactive instead.") % {"n": count},
            field="judge",
        )  # fmt: skip
    person = db.get(Person, judge.person_id)
    if person is not None and person.email:
        for inv in db.scalars(
            select(Invitation).where(
                Invitation.event_id == event.id,
                Invitation.role == "judge",
                func.lower(Invitation.email) == person.email.lower(),
                Invitation.state == InvitationState.PENDING.value,
            )
        ):
            invitations.revoke(db, actor=actor, invitation=inv)
    before = {"person_id": judge.person_id, "expertise": judge.expertise, "ties": judge.ties}
    judge_id = judge.id
    db.execute(delete(Conflict).where(Conflict.judge_id == judge_id))
    db.execute(delete(ReviewAssignment).where(ReviewAssignment.judge_id == judge_id))
    db.delete(judge)
    db.flush()
    audit.record(
        db, actor=actor, entity_type="judge", entity_id=judge_id, action="remove", event_id=event.id, before=before
    )


def own_conflicts(db: Session, *, judge: Judge) -> list[tuple[Conflict, ContestEntry]]:
    """A judge's conflicts (declared and detected) with the entries they concern, by entry number."""
    return [
        (c, e)
        for c, e in db.execute(
            select(Conflict, ContestEntry)
            .join(ContestEntry, ContestEntry.id == Conflict.entry_id)
            .where(Conflict.judge_id == judge.id)
            .order_by(ContestEntry.code)
        ).tuples()
    ]


def judge_in(db: Session, *, event: Event, id: int) -> Judge:
    """A judge of the edition (NotFound otherwise), the name the routes use."""
    return get_judge(db, event=event, id=id)


def link_account(db: Session, invitation: Invitation, account: Account) -> None:
    """On an accepted invitation to judge an edition, puts the new account on the person the judge records
    stand for, and drops the blank person the account was made with (made in this same transaction, so nothing
    else refers to it). The name the invitee gave when accepting is kept."""
    if invitation.role != "judge" or invitation.event_id is None or account.person_id is None:
        return
    placeholder = db.scalar(
        select(Person)
        .join(Judge, Judge.person_id == Person.id)
        .outerjoin(Account, Account.person_id == Person.id)
        .where(
            Judge.event_id == invitation.event_id,
            func.lower(Person.email) == invitation.email.lower(),
            Account.id.is_(None),
        )
        .limit(1)
    )
    if placeholder is None or placeholder.id == account.person_id:
        return
    fresh = db.get(Person, account.person_id)
    account.person_id = placeholder.id
    db.flush()
    if fresh is not None:
        placeholder.name_zh = fresh.name_zh or placeholder.name_zh
        placeholder.name_en = fresh.name_en or placeholder.name_en
        db.delete(fresh)
    db.flush()
