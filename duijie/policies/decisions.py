"""Evaluation against the policies in the database: packages ranked for a set of facts, and an organisation's
decisions, kept for the record (one per policy version and date) and read back by those allowed to see them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from duijie.core.auth import Actor
from duijie.core.i18n import gettext as _
from duijie.core.permissions import require
from duijie.directory.models import Organisation
from duijie.policies.enterprise_facts import organisation_facts
from duijie.policies.evaluator import Decision, PackageResult, rank_packages
from duijie.policies.models import EligibilityDecision, Policy, PolicyVersion
from duijie.policies.permissions import can_see_decisions
from duijie.policies.records import engine_packages


def evaluate_facts(db: Session, *, facts: Mapping[str, Any], on: dt.date) -> list[PackageResult]:
    """Rank every package for these facts by total estimated benefit."""
    return rank_packages(engine_packages(db), facts, on=on)


def _version_ids(db: Session) -> dict[tuple[str, int], int]:
    rows = db.execute(
        select(Policy.slug, PolicyVersion.version, PolicyVersion.id)
        .select_from(PolicyVersion)
        .join(Policy, PolicyVersion.policy_id == Policy.id)
    )
    return {(slug, number): vid for slug, number, vid in rows}


def evaluate_organisation(
    db: Session, *, actor: Actor, organisation: Organisation, on: dt.date, record: bool = True
) -> tuple[dict[str, Any], list[PackageResult]]:
    """Evaluate an organisation's own facts; keep one decision per policy version and date for the record."""
    require(
        can_see_decisions,
        actor,
        organisation,
        message=_("Only the enterprise itself and the organiser may see its eligibility decisions."),
    )
    facts = organisation_facts(organisation)
    results = evaluate_facts(db, facts=facts, on=on)
    if record:
        record_decisions(db, organisation=organisation, facts=facts, results=results, on=on)
    return facts, results


def record_decisions(
    db: Session,
    *,
    organisation: Organisation,
    facts: Mapping[str, Any],
    results: Sequence[PackageResult],
    on: dt.date,
) -> int:
    """Store the decisions (re-running on the same date replaces them rather than adding copies)."""
    ids = _version_ids(db)
    # Decisions of versions that exist as rows (a catalogue policy evaluated from a file has none).
    kept: list[tuple[Decision, int]] = [
        (d, ids[(d.policy_id, d.version)])
        for r in results
        for d in r.decisions
        if d.version is not None and (d.policy_id, d.version) in ids
    ]
    if kept:
        db.execute(
            delete(EligibilityDecision).where(
                EligibilityDecision.organisation_id == organisation.id,
                EligibilityDecision.evaluated_on == on,
                EligibilityDecision.policy_version_id.in_([vid for _d, vid in kept]),
            )
        )
    for decision, version_id in kept:
        db.add(
            EligibilityDecision(
                organisation_id=organisation.id,
                policy_version_id=version_id,
                evaluated_on=on,
                outcome=decision.outcome.value,
                explanation=decision.to_dict(),
                facts=dict(facts),
            )
        )
    stored = len(kept)
    db.flush()
    return stored


@dataclass(frozen=True)
class StoredDecision:
    """A kept decision with the policy and version it was made under."""

    row: EligibilityDecision
    policy: Policy
    version: PolicyVersion


def stored_decisions(db: Session, *, actor: Actor, organisation: Organisation) -> list[StoredDecision]:
    """The decisions kept for an organisation, newest date first; only for the enterprise and the organiser."""
    require(
        can_see_decisions,
        actor,
        organisation,
        message=_("Only the enterprise itself and the organiser may see its eligibility decisions."),
    )
    rows = db.execute(
        select(EligibilityDecision, PolicyVersion, Policy)
        .join(PolicyVersion, EligibilityDecision.policy_version_id == PolicyVersion.id)
        .join(Policy, PolicyVersion.policy_id == Policy.id)
        .where(EligibilityDecision.organisation_id == organisation.id)
        .order_by(EligibilityDecision.evaluated_on.desc(), Policy.slug)
    )
    return [StoredDecision(d, p, v) for d, v, p in rows]
