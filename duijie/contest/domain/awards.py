"""Awards of the final and the four kinds of support a winner receives."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from duijie.contest.domain.entries import set_entry_state
from duijie.contest.enums import EntryState
from duijie.contest.models import Award, ContestEntry
from duijie.contest.permissions import require_organiser
from duijie.core import audit
from duijie.core.auth import Actor
from duijie.core.errors import DomainError, NotFound
from duijie.core.i18n import gettext as _
from duijie.events.models import Event

SUPPORT_KINDS = ("场景需求对接", "投融资", "空间落地", "创业辅导")


def check_support(support: Iterable[str]) -> list[str]:
    """The support given, in the fixed order of the four kinds; anything else is refused."""
    chosen = list(dict.fromkeys(s.strip() for s in support if s.strip()))
    unknown = [s for s in chosen if s not in SUPPORT_KINDS]
    if unknown:
        raise DomainError(
            _("Unknown support %(name)s; choose from %(kinds)s.")
            % {"name": unknown[0], "kinds": "、".join(SUPPORT_KINDS)},
            field="support",
        )
    return [s for s in SUPPORT_KINDS if s in chosen]


def give_award(
    db: Session,
    *,
    actor: Actor,
    entry: ContestEntry,
    rank: int,
    name_zh: str,
    name_en: str | None,
    prize_zh: str | None,
    support: Iterable[str],
    provenance: str = "manual",
) -> Award:
    """Award an advanced entry of the final a place and the support it receives."""
    require_organiser(actor, entry.event_id)
    if db.scalar(select(Award.id).where(Award.entry_id == entry.id)) is not None:
        raise DomainError(_("This entry already has an award."), field="entry")
    award = Award(
        event_id=entry.event_id,
        entry_id=entry.id,
        rank=rank,
        name_zh=name_zh,
        name_en=name_en,
        prize_zh=prize_zh,
        support=check_support(support),
        provenance=provenance,
    )
    db.add(award)
    set_entry_state(db, actor=actor, entry=entry, to=EntryState.AWARDED.value, note=name_zh)
    db.flush()
    audit.record(
        db,
        actor=actor,
        entity_type="award",
        entity_id=award.id,
        action="create",
        after={"entry_id": entry.id, "rank": rank, "name_zh": name_zh, "support": award.support},
        event_id=entry.event_id,
    )
    return award


def set_award_support(db: Session, *, actor: Actor, award: Award, support: Iterable[str]) -> Award:
    """Record which of the four kinds of support a winner has received."""
    require_organiser(actor, award.event_id)
    audit.apply(
        db,
        actor=actor,
        obj=award,
        changes={"support": check_support(support)},
        entity_type="award",
        action="support",
        event_id=award.event_id,
    )
    return award


def get_award(db: Session, *, event: Event, id: int) -> Award:
    """An award of this edition, or NotFound."""
    award = db.get(Award, id)
    if award is None or award.event_id != event.id:
        raise NotFound(_("No such award: %(id)s") % {"id": id})
    return award
