"""Batch matching for a whole event: candidates, exact scores with explanations, stored incrementally.

For each group of an event (investors ↔ projects, investors ↔ enterprises, enterprise partners, technology
demands ↔ offers, meeting participants among themselves) the engine generates candidates and scores them;
the pairs worth showing (each investor's or demand's diverse top list, each project's, enterprise's or
offer's best counterparts, reciprocal partner and participant suggestions) are stored in `MatchScore` with
their explained parts. A pair is re-explained and rewritten only when the hash of its inputs changed, and a
group whose profiles and settings are all unchanged since the last run is not scored at all.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from duijie.core import jobs
from duijie.core.auth import Actor
from duijie.core.db import unit_of_work, utcnow
from duijie.core.errors import InvalidTransition
from duijie.core.i18n import gettext as _
from duijie.core.models import Job
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


# Background runs of the web's "recompute": a job of kind `matching.recompute` per event (`core.jobs`), run by
# a worker. The batch writes in one unit of work, which also marks the job done, so its pairs are written once.
# On PostgreSQL the step and the bar's counts reach the job row while the batch runs; on SQLite the batch holds
# the database's write lock, so they are written with the outcome only.

log = logging.getLogger(__name__)

KIND = "matching.recompute"
# The bar's counts reach the job row at most this often.
STEP_EVERY = 1.0


def as_dict(job: Job) -> dict[str, Any]:
    """The page's and the API's form of a recompute job row."""
    result = job.result or {}
    return {
        "id": job.id,
        "state": job.state,
        "running": job.state in jobs.ACTIVE,
        "semantic": bool(job.params.get("semantic")),
        "queued": jobs.iso(job.queued_at),
        "started": jobs.iso(job.started_at),
        "finished": jobs.iso(job.finished_at),
        "elapsed": jobs.elapsed(job),
        "step": job.step,
        "done": int(result.get("done") or 0),
        "total": int(result.get("total") or 0),
        "written": result.get("written"),
        "kept": result.get("kept"),
        "error": job.error,
        "attempts": job.attempts,
    }


def job_status(db: Session, event: Event) -> dict[str, Any] | None:
    """The event's last or current recompute job."""
    job = jobs.latest(db, kind=KIND, event_id=event.id)
    return as_dict(job) if job is not None else None


def start_job(db: Session, event: Event, *, actor: Actor | None = None) -> dict[str, Any]:
    """Queue a recompute of the event's matches (the way the last run did) in the caller's transaction; a
    worker takes it once committed. Refused (409) while one of the event is queued or running."""
    semantic = bool(settings.LAST_RUN.get(db, event_id=event.id).get("semantic"))
    account_id = actor.account_id if actor is not None else None
    job, created = jobs.enqueue(
        db, kind=RECOMPUTE, event_id=event.id, account_id=account_id, params={"semantic": semantic}
    )
    if not created:
        raise InvalidTransition(
            _("Matching is already running for this event (since %(at)s UTC); wait until it has finished.")
            % {"at": jobs.since(job)}
        )
    return as_dict(job)


def _run(ctx: jobs.JobContext) -> None:
    """Recompute the event's matches in one unit of work that also marks the job done; the batch is
    incremental, so running it again after it finished rewrites only what changed."""
    assert ctx.event_id is not None
    semantic = bool(ctx.params.get("semantic"))
    last: dict[str, Any] = {"step": "", "done": 0, "total": 0}
    with unit_of_work(ctx.factory) as session:
        bind = session.get_bind()
        live = bind.dialect.name != "sqlite"
        database_url = bind.engine.url.render_as_string(hide_password=False)
        cache, cache_path = embed.vector_cache(database_url) if semantic else (None, None)

        def progress(label: str) -> Progress:
            def bar(done: int, total: int) -> None:
                last.update(step=label, done=done, total=total)
                if live:
                    counts = {"done": done, "total": total}
                    ctx.step(label, progress=done / total if total else 0.0, result=counts, every=STEP_EVERY, check=False)

            return bar

        event = get_event_by_id(session, event_id=ctx.event_id)
        result = recompute_event(session, event, semantic=semantic, progress=progress, embedding_cache=cache)
        stored = session.scalar(
            select(func.count()).select_from(MatchScore).where(MatchScore.event_id == ctx.event_id)
        )
        outcome = {
            "done": last["done"],
            "total": last["total"],
            "written": sum(g.written for g in result.groups),
            "kept": stored or 0,
        }
        ctx.complete(session, outcome, step=last["step"])
    if cache is not None and cache_path is not None:
        cache.save(cache_path)


RECOMPUTE = jobs.register(KIND, _run)
