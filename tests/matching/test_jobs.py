"""Batch matching of an event: stored pairs with explained parts, incremental re-runs, event scoping."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from duijie.events.models import Event
from duijie.marketplace.models import Opportunity
from duijie.matching.affinity import AffinityEngine
from duijie.matching.jobs import PER_LEFT, find_event, recompute_event
from duijie.matching.models import MatchScore
from duijie.matching.profiles import group_profiles


def _event(db: Session, slug: str) -> Event:
    return db.scalars(select(Event).where(Event.slug == slug)).one()


def _rows(db: Session, event: Event, left_kind: str, right_kind: str) -> list[MatchScore]:
    return list(
        db.scalars(
            select(MatchScore).where(
                MatchScore.event_id == event.id,
                MatchScore.left_kind == left_kind,
                MatchScore.right_kind == right_kind,
            )
        )
    )


def test_demo_stores_every_investor_a_full_list(db: Session) -> None:
    event = _event(db, "invest-beijing-2024")
    left, _ = group_profiles(db, event, "investor_project")
    per_investor = dict(
        db.execute(
            select(MatchScore.left_id, func.count())
            .where(MatchScore.event_id == event.id, MatchScore.right_kind == "project")
            .group_by(MatchScore.left_id)
        ).all()
    )
    assert len(left) == 16
    assert sorted(per_investor) == sorted(int(p.id) for p in left)
    assert min(per_investor.values()) >= PER_LEFT


def test_rerun_with_unchanged_inputs_scores_nothing(db: Session) -> None:
    event = _event(db, "invest-beijing-2024")
    result = recompute_event(db, event)
    assert [g.skipped for g in result.groups] == [True, True, True]
    assert sum(g.written for g in result.groups) == 0


def test_changed_project_rewrites_only_pairs_whose_inputs_changed(db: Session) -> None:
    event = _event(db, "invest-beijing-2024")
    before = {
        (r.left_id, r.right_id): (r.input_hash, r.computed_at)
        for r in _rows(db, event, "investor", "project")
    }
    project = db.get(Opportunity, next(iter(before))[1])
    assert project is not None
    project.amount = (project.amount or Decimal(0)) + Decimal(1_000_000)
    db.flush()
    result = recompute_event(db, event)
    group = result.groups[0]
    assert (group.group, group.skipped) == ("investor_project", False)
    assert [g.skipped for g in result.groups[1:]] == [True, True]
    after = {
        (r.left_id, r.right_id): (r.input_hash, r.computed_at)
        for r in _rows(db, event, "investor", "project")
    }
    for key, (digest, at) in after.items():
        if key in before and key[1] != project.id:
            assert (digest, at) == before[key]
        if key in before and key[1] == project.id:
            assert digest != before[key][0]
    rewritten = {k for k in after if k not in before or after[k] != before[k]}
    assert group.written == len(rewritten)
    assert group.unchanged == len(after) - len(rewritten)
    assert group.removed == len(set(before) - set(after))


def test_stored_parts_are_the_engine_explanation_of_the_pair(db: Session) -> None:
    event = _event(db, "invest-beijing-2024")
    left, right = group_profiles(db, event, "investor_project")
    engine = AffinityEngine("investor_project", weights={"semantic": 0.0}).fit(left, right)
    row = max(_rows(db, event, "investor", "project"), key=lambda r: (r.score, -r.id))
    lp = next(p for p in left if p.id == str(row.left_id))
    rp = next(p for p in right if p.id == str(row.right_id))
    affinity = engine.score_pair(lp, rp)
    assert row.score == pytest.approx(affinity.score, abs=1e-6)
    assert [(p["name"], p["zh"], p["en"]) for p in row.parts] == [
        (p.name, p.reason_zh, p.reason_en) for p in affinity.parts
    ]
    assert sum(p["contribution"] for p in row.parts) == pytest.approx(row.score, abs=1e-3)


def test_amounts_are_explained_in_yi_yuan(db: Session) -> None:
    event = _event(db, "invest-beijing-2024")
    texts = [
        p["zh"] for r in _rows(db, event, "investor", "project") for p in r.parts if p["name"] == "amount"
    ]
    assert "金额在1-10亿元区间内" in texts


def test_another_event_is_computed_apart(db: Session) -> None:
    old, new = _event(db, "invest-beijing-2023"), _event(db, "invest-beijing-2024")
    new_rows = len(_rows(db, new, "investor", "project"))
    assert _rows(db, old, "investor", "project") == []
    recompute_event(db, old)
    old_projects = set(db.scalars(select(Opportunity.id).where(Opportunity.event_id == old.id)))
    stored = _rows(db, old, "investor", "project")
    assert stored and {r.right_id for r in stored} <= old_projects
    assert len(_rows(db, new, "investor", "project")) == new_rows


def test_find_event_takes_a_slug_or_an_id(db: Session) -> None:
    event = _event(db, "invest-beijing-2024")
    assert find_event(db, "invest-beijing-2024") is event
    assert find_event(db, str(event.id)) is event
