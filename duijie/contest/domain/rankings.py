"""Rankings of a round from its submitted scores, and closing the round by its advancement rule."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from duijie.contest import scoring
from duijie.contest.domain.entries import set_entry_state
from duijie.contest.enums import EntryState, RoundKind
from duijie.contest.models import ContestEntry, ContestRound, ReviewAssignment, Score
from duijie.contest.permissions import require_organiser
from duijie.core import audit
from duijie.core.auth import Actor
from duijie.core.errors import DomainError
from duijie.core.i18n import gettext as _

TOP_SCORE = 9.0
FIELD_TOP = 10


@dataclass
class RankRow:
    """One entry in a round's ranking: raw and normalised side by side, and what separated it."""

    entry: ContestEntry
    group: str
    rank: int
    raw_mean: float
    normalised: float
    zscore: float
    n_scores: int
    top_scores: int
    separated_by: str | None
    advances: bool


@dataclass
class Ranking:
    """A round's rankings per group, the normalisation used and how complete the scoring is."""

    method: str
    groups: dict[str, list[RankRow]]
    expected: int
    submitted: int
    judge_offsets: dict[int, float]

    @property
    def complete(self) -> bool:
        """Whether every review of the round has a submitted score."""
        return self.expected > 0 and self.submitted == self.expected

    def rows(self) -> list[RankRow]:
        """All ranked entries, group after group."""
        return [r for rows in self.groups.values() for r in rows]


def rule_of(rnd: ContestRound) -> scoring.AdvancementRule:
    """Field and preliminary rounds advance the top n of each field; the final awards the top n overall."""
    n = rnd.advance_count or 0
    return scoring.AdvancementRule(
        kind="top_overall" if rnd.kind == RoundKind.FINAL.value else "top_per_group", n=n
    )


def _field_code(entry: ContestEntry) -> str:
    """The group an entry is ranked in outside the final: its field's code."""
    return entry.field.code if entry.field is not None else ""


def ranking(db: Session, *, rnd: ContestRound, method: scoring.Method = "bias") -> Ranking:
    """Normalised rankings of a round from its submitted scores, per field (the final ranks all together)."""
    rows = db.execute(
        select(ReviewAssignment.entry_id, ReviewAssignment.judge_id, Score.total, Score.submitted_at)
        .join(Score, Score.assignment_id == ReviewAssignment.id, isouter=True)
        .where(ReviewAssignment.round_id == rnd.id)
    ).all()
    submitted = [(e, j, float(t)) for e, j, t, at in rows if at is not None and t is not None]
    if not submitted:
        return Ranking(method=method, groups={}, expected=len(rows), submitted=0, judge_offsets={})
    scores = [scoring.Score(str(e), str(j), t) for e, j, t in submitted]
    norm = scoring.normalise_scores(scores, method=method, top_score=TOP_SCORE)
    z = scoring.normalise_scores(scores, method="zscore", top_score=TOP_SCORE)
    entries = {
        e.id: e
        for e in db.scalars(
            select(ContestEntry)
            .options(joinedload(ContestEntry.organisation), joinedload(ContestEntry.field))
            .where(ContestEntry.id.in_({int(k) for k in norm.entries}))
        )
    }
    final = rnd.kind == RoundKind.FINAL.value
    groups = {k: "" if final else _field_code(entries[int(k)]) for k in norm.entries}
    items = scoring.rank_items(norm, groups, {k: entries[int(k)].submitted_at for k in norm.entries})
    ranked = scoring.rank(items)
    advancing = set(scoring.advance(items, rule_of(rnd)))
    out: dict[str, list[RankRow]] = {}
    for group, lst in ranked.items():
        out[group] = [
            RankRow(
                entry=entries[int(r.entry_id)],
                group=group,
                rank=r.rank,
                raw_mean=r.raw_mean,
                normalised=r.normalised,
                zscore=z.entries[r.entry_id].normalised,
                n_scores=norm.entries[r.entry_id].n_scores,
                top_scores=r.top_scores,
                separated_by=r.separated_by,
                advances=r.entry_id in advancing,
            )
            for r in lst
        ]
    return Ranking(
        method=method,
        groups=out,
        expected=len(rows),
        submitted=len(submitted),
        judge_offsets={int(k): v for k, v in norm.judge_offsets.items()},
    )


def close_round(db: Session, *, actor: Actor, rnd: ContestRound) -> list[int]:
    """Apply the round's advancement rule once every score is in: the best advance, the others are eliminated."""
    require_organiser(actor, rnd.event_id)
    result = ranking(db, rnd=rnd)
    if not result.complete:
        raise DomainError(
            _("%(done)s of %(all)s scores are submitted; close the round when all are in.")
            % {"done": result.submitted, "all": result.expected},
            field="round",
        )
    advanced: list[int] = []
    for row in result.rows():
        if row.entry.state != EntryState.IN_REVIEW.value:
            continue
        target = EntryState.ADVANCED if row.advances else EntryState.ELIMINATED
        set_entry_state(
            db, actor=actor, entry=row.entry, to=target.value, note=f"round {rnd.id} rank {row.rank}"
        )
        if row.advances:
            advanced.append(row.entry.id)
    audit.record(
        db,
        actor=actor,
        entity_type="contest_round",
        entity_id=rnd.id,
        action="close",
        after={"advanced": advanced, "rule": rule_of(rnd).kind, "n": rnd.advance_count},
        event_id=rnd.event_id,
    )
    return advanced
