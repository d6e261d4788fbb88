"""Reviews (a judge assigned to an entry in a round): the judge assignment and the repair when a judge drops out."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from duijie.contest import assignment as algo
from duijie.contest.assignment_types import Assignment, Objective
from duijie.contest.domain import affinities
from duijie.contest.domain.conflicts import conflicts_of
from duijie.contest.domain.entries import set_entry_state
from duijie.contest.domain.judges import active_judges
from duijie.contest.domain.rounds import round_entries, scored_count
from duijie.contest.enums import EntryState
from duijie.contest.models import ContestEntry, ContestRound, Judge, ReviewAssignment, Score
from duijie.contest.permissions import require_organiser
from duijie.core import audit
from duijie.core.auth import Actor
from duijie.core.db import utcnow
from duijie.core.errors import DomainError, NotFound
from duijie.core.i18n import gettext as _
from duijie.events.models import Event


def get_assignment(db: Session, *, event: Event, id: int) -> ReviewAssignment:
    """A review of one of this edition's rounds, or NotFound."""
    row = db.get(ReviewAssignment, id)
    rnd = db.get(ContestRound, row.round_id) if row is not None else None
    if row is None or rnd is None or rnd.event_id != event.id:
        raise NotFound(_("No such review: %(id)s") % {"id": id})
    return row


@dataclass
class RunSummary:
    """What an assignment run did, as shown to the organiser and kept in the audit history."""

    objective: str
    entries: int
    judges: int
    pairs: int
    conflicts: int
    total_affinity: float
    mean_affinity: float
    min_affinity: float
    min_entry_total: float
    load_min: int
    load_max: int
    judges_used: int
    method: str
    value: float
    upper_bound: float
    exact: bool
    gap: float
    detail: str
    loads: dict[str, int] = field(default_factory=dict)
    semantic: bool = True
    """Whether the affinities counted the meaning of the texts (see SEMANTIC_EMBED_LIMIT)."""

    def as_dict(self) -> dict[str, Any]:
        """Plain values for the audit history's JSON."""
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def _summary(
    result: Assignment, n_entries: int, n_judges: int, n_conflicts: int, *, semantic: bool
) -> RunSummary:
    used = {j: n for j, n in result.judge_loads.items() if n}
    cert = result.certificate
    return RunSummary(
        objective=result.objective,
        entries=n_entries,
        judges=n_judges,
        pairs=len(result.pairs),
        conflicts=n_conflicts,
        total_affinity=round(result.total_affinity, 4),
        mean_affinity=round(result.mean_affinity, 4),
        min_affinity=round(result.min_affinity, 4),
        min_entry_total=round(result.min_entry_total, 4),
        load_min=min(used.values()) if used else 0,
        load_max=max(used.values()) if used else 0,
        judges_used=len(used),
        method=cert.method,
        value=round(cert.value, 4),
        upper_bound=round(cert.upper_bound, 4),
        exact=cert.exact,
        gap=round(cert.gap, 6),
        detail=cert.detail,
        loads=used,
        semantic=semantic,
    )


def check_assignment(
    db: Session, *, actor: Actor, rnd: ContestRound
) -> tuple[list[ContestEntry], list[Judge]]:
    """The round's entries and the active judges, refusing a run that cannot start: one not by the organiser,
    one after scores were submitted, a round without entries, an edition without judges."""
    require_organiser(actor, rnd.event_id)
    if scored_count(db, rnd=rnd):
        raise DomainError(
            _(
                "Scores have been submitted in this round; the assignment can no longer be re-run. Replace a judge who drops out instead."
            ),
            field="round",
        )
    event = db.get(Event, rnd.event_id)
    assert event is not None
    entries = round_entries(db, rnd=rnd)
    if not entries:
        raise DomainError(_("This round has no entries to assign."), field="round")
    judges = active_judges(db, event=event)
    if not judges:
        raise DomainError(_("The contest has no active judges."), field="judges")
    return entries, judges


@dataclass
class AssignmentInputs:
    """Everything an assignment run reads from the database, as plain data, with a fingerprint of it: a job
    solves from these outside any transaction and writes only if a fresh read has the same fingerprint."""

    round_id: int
    profiles: affinities.Profiles
    conflicts: list[tuple[str, str]]
    judges_per_entry: int
    max_per_judge: int
    fingerprint: str


def _fingerprint(
    rnd: ContestRound, entries: Sequence[ContestEntry], judges: Sequence[Judge], conflicted: Sequence[Any]
) -> str:
    """A hash of what the assignment depends on: the round's rules, its entries, the judges and conflicts."""
    data = [
        [
            rnd.kind,
            rnd.field_id,
            rnd.region_id,
            rnd.judges_per_entry,
            rnd.max_per_judge,
            rnd.same_country_rule,
        ],
        [
            [e.id, e.state, e.title_zh, e.description, e.field_id, e.organisation_id, e.country]
            for e in entries
        ],
        [[j.id, j.expertise, j.organisation_id, j.country] for j in judges],
        sorted([int(e), int(j)] for e, j in conflicted),
    ]
    return hashlib.sha256(json.dumps(data, default=str, ensure_ascii=False).encode()).hexdigest()


def read_inputs(db: Session, *, actor: Actor, rnd: ContestRound) -> AssignmentInputs:
    """Read what the round's assignment needs (refused as `check_assignment` refuses)."""
    entries, judges = check_assignment(db, actor=actor, rnd=rnd)
    conflicted = conflicts_of(db, rnd=rnd, entries=entries, judges=judges)
    return AssignmentInputs(
        round_id=rnd.id,
        profiles=affinities.read_profiles(db, rnd=rnd, entries=entries, judges=judges),
        conflicts=[(str(e), str(j)) for e, j in conflicted],
        judges_per_entry=rnd.judges_per_entry,
        max_per_judge=rnd.max_per_judge,
        fingerprint=_fingerprint(rnd, entries, judges, list(conflicted)),
    )


@dataclass
class Solution:
    """An assignment computed from `inputs`, with the reason for each pair, ready to be written."""

    inputs: AssignmentInputs
    objective: Objective
    result: Assignment
    explanations: list[str]
    semantic: bool


def solve(
    inputs: AssignmentInputs,
    *,
    objective: Objective,
    min_per_judge: int,
    database_url: str,
    solving: Callable[[], None] | None = None,
) -> Solution:
    """Compute the affinities and the optimal assignment (no database: seconds to minutes of CPU); `solving` is
    called between the two, for a job's progress."""
    inp = affinities.compute(inputs.profiles, database_url=database_url)
    if solving is not None:
        solving()
    result = algo.assign(
        inp.table,
        judges_per_entry=inputs.judges_per_entry,
        max_per_judge=inputs.max_per_judge,
        min_per_judge=min_per_judge,
        conflicts=inputs.conflicts,
        objective=objective,
    )
    why = affinities.explanations(inp, [(e, j) for e, j, _a in result.pairs])
    return Solution(
        inputs=inputs, objective=objective, result=result, explanations=why, semantic=inp.semantic
    )


def write_assignment(db: Session, *, actor: Actor, rnd: ContestRound, solution: Solution) -> RunSummary:
    """Store a computed assignment: the round's reviews are replaced and its waiting entries go to review.

    Side effects: deletes the round's reviews (and their unsubmitted scores), adds one review per pair with its
    affinity and reason, moves each entry not yet in review through `set_entry_state`, and records an audit
    entry (`contest_round`/`assign`) holding the summary and the certificate the round page shows.
    """
    entries, judges = check_assignment(db, actor=actor, rnd=rnd)
    result = solution.result
    db.execute(
        delete(Score).where(
            Score.assignment_id.in_(select(ReviewAssignment.id).where(ReviewAssignment.round_id == rnd.id))
        )
    )
    db.execute(delete(ReviewAssignment).where(ReviewAssignment.round_id == rnd.id))
    now = utcnow()
    db.add_all(
        ReviewAssignment(
            round_id=rnd.id,
            judge_id=int(j),
            entry_id=int(e),
            affinity=round(a, 4),
            explanation=text,
            created_at=now,
        )
        for (e, j, a), text in zip(result.pairs, solution.explanations, strict=True)
    )
    for entry in entries:
        if entry.state != EntryState.IN_REVIEW.value:
            set_entry_state(
                db, actor=actor, entry=entry, to=EntryState.IN_REVIEW.value, note=f"round {rnd.id}"
            )
    summary = _summary(
        result, len(entries), len(judges), len(solution.inputs.conflicts), semantic=solution.semantic
    )
    db.flush()
    audit.record(
        db,
        actor=actor,
        entity_type="contest_round",
        entity_id=rnd.id,
        action="assign",
        after=summary.as_dict(),
        event_id=rnd.event_id,
        note=solution.objective,
    )
    return summary


def run_assignment(
    db: Session, *, actor: Actor, rnd: ContestRound, objective: Objective = "total", min_per_judge: int = 0
) -> RunSummary:
    """Assign k judges to every entry of the round optimally and store the reviews with affinity and reasons,
    all in the caller's unit of work (commands, the demo and tests; the web runs it as a job, `contest.jobs`).

    Refused once a score is submitted in the round (replace a judge with `drop_judge` instead). Entries
    waiting for the round move to 'in review'.
    """
    inputs = read_inputs(db, actor=actor, rnd=rnd)
    solution = solve(
        inputs, objective=objective, min_per_judge=min_per_judge, database_url=affinities.database_url(db)
    )
    return write_assignment(db, actor=actor, rnd=rnd, solution=solution)


@dataclass
class DropSummary:
    """A judge's reviews handed to others: which pairs went, which came, and what the new pairs are worth."""

    removed: int
    added: list[tuple[int, int, float]]
    value: float
    upper_bound: float
    exact: bool


def drop_judge(db: Session, *, actor: Actor, rnd: ContestRound, judge: Judge) -> DropSummary:
    """Replace a judge who dropped out of a round: only that judge's reviews move; every other stays."""
    require_organiser(actor, rnd.event_id)
    scored = db.scalar(
        select(func.count(Score.id))
        .join(ReviewAssignment, Score.assignment_id == ReviewAssignment.id)
        .where(
            ReviewAssignment.round_id == rnd.id,
            ReviewAssignment.judge_id == judge.id,
            Score.submitted_at.is_not(None),
        )
    )
    if scored:
        raise DomainError(
            _("This judge has already submitted %(n)s scores in this round; they stay part of the result.")
            % {"n": scored},
            field="judge",
        )
    rows = list(db.scalars(select(ReviewAssignment).where(ReviewAssignment.round_id == rnd.id)))
    if not any(r.judge_id == judge.id for r in rows):
        raise DomainError(_("This judge has no reviews in this round."), field="judge")
    event = db.get(Event, rnd.event_id)
    assert event is not None
    entries = round_entries(db, rnd=rnd)
    judges = [j for j in active_judges(db, event=event) if j.id != judge.id] + [judge]
    inp = affinities.affinity_input(db, rnd=rnd, entries=entries, judges=judges)
    conflicted = conflicts_of(db, rnd=rnd, entries=entries, judges=judges)
    result = algo.reassign(
        inp.table,
        [(str(r.entry_id), str(r.judge_id)) for r in rows],
        dropped_judge=str(judge.id),
        judges_per_entry=rnd.judges_per_entry,
        max_per_judge=rnd.max_per_judge,
        conflicts=[(str(e), str(j)) for e, j in conflicted],
    )
    gone = [r for r in rows if r.judge_id == judge.id]
    for r in gone:
        db.delete(r)
    db.flush()
    why = affinities.explanations(inp, [(e, j) for e, j, _a in result.added])
    db.add_all(
        ReviewAssignment(
            round_id=rnd.id, judge_id=int(j), entry_id=int(e), affinity=round(a, 4), explanation=text
        )
        for (e, j, a), text in zip(result.added, why, strict=True)
    )
    judge.active = False
    cert = result.assignment.certificate
    db.flush()
    added = [(int(e), int(j), round(a, 4)) for e, j, a in result.added]
    audit.record(
        db,
        actor=actor,
        entity_type="contest_round",
        entity_id=rnd.id,
        action="reassign",
        before={"judge_id": judge.id, "pairs": [[r.entry_id, r.judge_id] for r in gone]},
        after={
            "added": [[e, j, a] for e, j, a in added],
            **_summary(
                result.assignment, len(entries), len(judges) - 1, len(conflicted), semantic=inp.semantic
            ).as_dict(),
        },
        event_id=rnd.event_id,
        note=f"judge {judge.id} dropped out",
    )
    return DropSummary(
        removed=len(gone), added=added, value=cert.value, upper_bound=cert.upper_bound, exact=cert.exact
    )
