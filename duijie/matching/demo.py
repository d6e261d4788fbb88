"""The demo's matches: the 2024 summit's and the 2024 forum's recommendations, computed while the demo is built.

Every part of the score, the semantic one included, is computed here when the vectors file shipped with the
package (`duijie/text/data/demo_vectors.npz`, written by `python -m duijie.search.demo DB`, which asks this
module for its texts through `demo_texts`) holds a vector for every profile text: then no model runs and the
build stays a matter of seconds. If the demo's texts changed since that file was written, the build falls back
to the structured and lexical parts, and `duijie match --db PATH --event EVENT` adds the semantic part later.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from duijie.core.demo_kit import DemoKit
from duijie.events.models import Event
from duijie.matching.jobs import BatchResult, recompute_event
from duijie.matching.profiles import GROUPS, group_profiles

EVENTS = ("invest-beijing-2024", "zgc-forum-2024")
"""The summit (investors, projects, enterprises, meeting participants) and the forum (technology trading)."""


def demo_texts(db: Session) -> list[str]:
    """Every document of every profile the demo's events match, each once, in a stable order."""
    texts: dict[str, None] = {}
    for slug in EVENTS:
        event = db.scalar(select(Event).where(Event.slug == slug))
        if event is None:
            continue
        for group in GROUPS:
            left, right = group_profiles(db, event, group)
            for profile in (*left, *right):
                texts.update(dict.fromkeys(profile.texts))
    return list(texts)


def shipped_cache(texts: list[str]) -> Any:
    """A vector cache holding the shipped vector of each text, or None when any text has none."""
    from duijie.text.embed import E5Embedder, EmbeddingCache, content_hash, demo_vectors

    shipped = demo_vectors()
    keys = [content_hash(t) for t in texts]
    if not keys or any(k not in shipped for k in keys):
        return None
    return EmbeddingCache(E5Embedder.dim, {k: shipped[k] for k in keys})


def recompute_demo_event(db: Session, event: Event) -> BatchResult:
    """Recompute one event's matches the way the demo does, semantic part included when the shipped vectors
    cover every text."""
    cache = shipped_cache(demo_texts(db))
    return recompute_event(db, event, semantic=cache is not None, embedding_cache=cache)


def finish_demo(kit: DemoKit) -> None:
    """Store both events' suggestions with their reasons (over the forum's technology offers and demands, which
    the marketplace's demo makes in this same phase, on a lower floor)."""
    # Profiles are read as the rows are stored (an amount as the database rounds it, say), not as the build
    # holds them in memory, so that each pair's input hash is the one a later `duijie match` run computes.
    kit.db.flush()
    kit.db.expire_all()
    for slug in EVENTS:
        recompute_demo_event(kit.db, kit.get(Event, slug))
