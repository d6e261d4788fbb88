"""Batch matching for a whole event: candidates, exact scores with explanations, stored incrementally.

For each group of an event (investors ↔ projects, investors ↔ enterprises, enterprise partners, technology
demands ↔ offers, meeting participants among themselves) the engine generates candidates and scores them;
the pairs worth showing (each investor's or demand's diverse top list, each project's, enterprise's or
offer's best counterparts, reciprocal partner and participant suggestions) are stored in `MatchScore` with
their explained parts. A pair is re-explained and rewritten only when the hash of its inputs changed, and a
group whose profiles and settings are all unchanged since the last run is not scored at all.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from duijie.core.db import unit_of_work, utcnow
from duijie.core.errors import InvalidTransition
from duijie.core.i18n import gettext as _
from duijie.core.jobs import JobKind, Launch, iso, since, start_thread
from duijie.events.models import Event
from duijie.events.service import get_event_by_id
from duijie.matching import settings
from duijie.matching.affinity import AffinityEngine
from duijie.matching.models import MatchScore
from duijie.matching.profiles import GROUPS, fingerprint, group_profiles
from duijie.matching.recommend import reciprocal_top_k, recommend
from duijie.matching.scoring import Side
from duijie.matching.settings import PARTNERS, PER_LEFT, PER_RIGHT, config_hash, digest, run_overrides
from duijie.text import embed
from duijie.text.embed import EmbeddingCache

Progress = Callable[[int, int], None]

STALE_AFTER = dt.timedelta(hours=1)
BLOCK = 256


@dataclass
class GroupResult:
    """What one group's run did."""

    group: str
    left: int = 0
    right: int = 0
    scored: int = 0
    kept: int = 0
    written: int = 0
    unchanged: int = 0
    removed: int = 0
    skipped: bool = False


@dataclass
class BatchResult:
    """What a whole event's run did, for the command line and the organiser's page."""

    event: str
    semantic: bool
    seconds: float = 0.0
    groups: list[GroupResult] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "at": utcnow().isoformat(timespec="seconds"),
            "semantic": self.semantic,
            "seconds": round(self.seconds, 2),
            "groups": [g.__dict__ for g in self.groups],
        }


def explain_pairs(
    engine: AffinityEngine, lside: Side, rside: Side, pairs: list[tuple[int, int]]
) -> list[tuple[float, list[dict[str, Any]]]]:
    """Exact scores and named, worded parts of many pairs, in the form they are stored."""
    if not pairs:
        return []
    li = np.array([i for i, _ in pairs], dtype=np.int64)
    ri = np.array([j for _, j in pairs], dtype=np.int64)
    return [
        (
            a.score,
            [
                {
                    "name": p.name,
                    "value": round(p.value, 4),
                    "weight": round(p.weight, 4),
                    "contribution": round(p.contribution, 4),
                    "zh": p.reason_zh,
                    "en": p.reason_en,
                    "known": p.known,
                }
                for p in a.parts
            ],
        )
        for a in engine.affinities(lside, rside, li, ri)
    ]


def _selected_pairs(group: str, engine: AffinityEngine, lside: Side, rside: Side) -> set[tuple[int, int]]:
    """Positions of the pairs to store: each left's diverse top list and each right's best lefts."""
    left, right = lside.profiles, rside.profiles
    if not left or not right:
        return set()
    pairs: set[tuple[int, int]] = set()
    left_kind, right_kind, _ = GROUPS[group]
    if left_kind == right_kind:
        for i, partners in enumerate(reciprocal_top_k(engine, lside, PARTNERS)):
            pairs.update((i, rside.position[rid]) for rid, score in partners if score > 0)
        return pairs
    for i, chosen in enumerate(recommend(engine, lside, rside, PER_LEFT)):
        pairs.update((i, rside.position[r.id]) for r in chosen)
    matrix = engine.score_matrix(lside, rside)
    for j in range(len(right)):
        column = matrix[:, j]
        for i in np.lexsort((np.arange(len(left)), -column))[:PER_RIGHT]:
            if column[i] > 0:
                pairs.add((int(i), j))
    return pairs


def _run_group(
    db: Session,
    event: Event,
    group: str,
    *,
    semantic: bool,
    state: dict[str, Any],
    embedding_cache: EmbeddingCache | None,
    progress: Callable[[str], Progress | None] | None,
) -> GroupResult:
    left_kind, right_kind, pair_kind = GROUPS[group]
    left, right = group_profiles(db, event, group)
    result = GroupResult(group, left=len(left), right=len(right))
    overrides = run_overrides(settings.stored_overrides(db, event, pair_kind), semantic=semantic)
    config = config_hash(pair_kind, overrides)
    lfp = {p.id: fingerprint(p) for p in left}
    rfp = {p.id: fingerprint(p) for p in right}
    inputs = {"config": config, "left": digest(lfp), "right": digest(rfp)}
    if state.get(group) == inputs:
        result.skipped = True
        return result
    engine = AffinityEngine(pair_kind, weights=overrides, embedding_cache=embedding_cache)
    engine.fit(left, right, progress(f"{group}: embedding") if progress and semantic else None)
    bar = progress(f"{group}: scoring") if progress else None
    lside, rside = engine.as_side(left), engine.as_side(right)
    pairs = _selected_pairs(group, engine, lside, rside)
    result.scored = len(left) * len(right)
    existing = {
        (row.left_id, row.right_id): row
        for row in db.scalars(
            select(MatchScore).where(
                MatchScore.event_id == event.id,
                MatchScore.left_kind == left_kind,
                MatchScore.right_kind == right_kind,
            )
        )
    }
    keep: set[tuple[int, int]] = set()
    todo: list[tuple[int, int]] = []
    digests: dict[tuple[int, int], str] = {}
    for i, j in sorted(pairs):
        key = (int(left[i].id), int(right[j].id))
        keep.add(key)
        digests[key] = digest(config, lfp[left[i].id], rfp[right[j].id])
        row = existing.get(key)
        if row is not None and row.input_hash == digests[key]:
            result.unchanged += 1
        else:
            todo.append((i, j))
    for start in range(0, len(todo), BLOCK):
        block = todo[start : start + BLOCK]
        for (i, j), (score, parts) in zip(block, explain_pairs(engine, lside, rside, block), strict=True):
            key = (int(left[i].id), int(right[j].id))
            row = existing.get(key)
            if row is None:
                row = MatchScore(
                    event_id=event.id,
                    left_kind=left_kind,
                    left_id=key[0],
                    right_kind=right_kind,
                    right_id=key[1],
                )
                db.add(row)
            row.score, row.parts, row.input_hash, row.computed_at = score, parts, digests[key], utcnow()
        result.written += len(block)
        if bar is not None:
            bar(start + len(block), len(todo))
    stale = [row.id for k, row in existing.items() if k not in keep]
    for start in range(0, len(stale), 500):
        db.execute(delete(MatchScore).where(MatchScore.id.in_(stale[start : start + 500])))
    result.removed = len(stale)
    result.kept = len(keep)
    state[group] = inputs
    return result


def recompute_event(
    db: Session,
    event: Event,
    *,
    semantic: bool = False,
    progress: Callable[[str], Progress | None] | None = None,
    embedding_cache: EmbeddingCache | None = None,
) -> BatchResult:
    """Recompute an event's stored matches in the caller's unit of work; `progress(label)` gives a bar."""
    started = time.perf_counter()
    state = settings.INPUTS.get(db, event_id=event.id)
    result = BatchResult(event.slug, semantic)
    for group in GROUPS:
        result.groups.append(
            _run_group(
                db,
                event,
                group,
                semantic=semantic,
                state=state,
                embedding_cache=embedding_cache,
                progress=progress,
            )
        )
    db.flush()
    result.seconds = time.perf_counter() - started
    settings.INPUTS.put(db, event_id=event.id, value=state)
    settings.LAST_RUN.put(db, event_id=event.id, value=result.as_dict())
    return result


# kept until contest imports it from text.embed
vector_cache = embed.vector_cache


# Background runs of the web's "recompute": one job per event, its state kept in the event setting
# `matching.job` (queued → running → done | failed, with times and the error message) so that every web
# process shows it; the step being computed and its progress live in memory while the job runs, because the
# batch's own transaction is not visible to others until it commits.

log = logging.getLogger(__name__)


def _read_job(db: Session, event_id: int) -> dict[str, Any] | None:
    return settings.JOB.get(db, event_id=event_id) or None


def _write_job(db: Session, event_id: int, value: dict[str, Any]) -> None:
    settings.JOB.put(db, event_id=event_id, value=value)


JOB = JobKind(settings.JOB.name, _read_job, _write_job, stale_after=STALE_AFTER)


def job_status(db: Session, event: Event, factory: sessionmaker[Session]) -> dict[str, Any] | None:
    """The event's last or current background job, with the live step and progress while it runs."""
    return JOB.status(db, event.id, factory)


def start_job(
    db: Session,
    event: Event,
    factory: sessionmaker[Session],
    database_url: str,
    launch: Launch = start_thread,
) -> dict[str, Any]:
    """Queue a recompute of the event's matches; it starts once the caller's transaction has committed."""
    current = job_status(db, event, factory)
    if current is not None and current["running"]:
        raise InvalidTransition(
            _("Matching is already running for this event (since %(at)s UTC); wait until it has finished.")
            % {"at": since(current)}
        )
    semantic = bool(settings.LAST_RUN.get(db, event_id=event.id).get("semantic"))
    job: dict[str, Any] = {
        "state": "queued",
        "semantic": semantic,
        "queued": iso(utcnow()),
        "started": None,
        "finished": None,
        "step": "",
        "done": 0,
        "total": 0,
        "error": None,
    }
    event_id = event.id

    def work() -> None:
        run_job(factory, event_id, database_url, semantic=semantic)

    return JOB.queue(db, event_id, job, work, launch)


def run_job(
    factory: sessionmaker[Session], event_id: int, database_url: str, *, semantic: bool = False
) -> dict[str, Any]:
    """Run one event's batch in its own units of work and record how it went; the entry point of every job.

    A second call for the same event while one runs in this process does nothing; the batch itself is
    incremental, so running it again after it finished rewrites only what changed.
    """
    with JOB.claim(factory, event_id) as live:
        if live is None:
            return {"state": "running"}
        live.update(step="", done=0, total=0)
        JOB.update(factory, event_id, state="running", started=iso(utcnow()), error=None)

        def progress(label: str) -> Progress:
            def bar(done: int, total: int) -> None:
                live.update(step=label, done=done, total=total)

            return bar

        try:
            cache, cache_path = embed.vector_cache(database_url) if semantic else (None, None)
            with unit_of_work(factory) as session:
                event = get_event_by_id(session, event_id=event_id)
                result = recompute_event(
                    session, event, semantic=semantic, progress=progress, embedding_cache=cache
                )
                stored = session.scalar(
                    select(func.count()).select_from(MatchScore).where(MatchScore.event_id == event_id)
                )
            if cache is not None and cache_path is not None:
                cache.save(cache_path)
        except Exception as exc:
            log.exception("matching job for event %s failed", event_id)
            outcome: dict[str, Any] = {"state": "failed", "finished": iso(utcnow()), "error": str(exc) or type(exc).__name__}
            JOB.update(factory, event_id, **outcome, **live)
            return outcome
        outcome = {
            "state": "done",
            "finished": iso(utcnow()),
            "written": sum(g.written for g in result.groups),
            "kept": stored or 0,
        }
        JOB.update(factory, event_id, **outcome, **live)
        return outcome
