"""Judge assignment counts the meaning of the texts: the demo's from shipped vectors, new texts embedded during
the run (and kept next to a SQLite file), and scoring by terms and fields alone, said so, when too many lack one."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from duijie.contest.domain import affinities, reviews
from duijie.contest.models import ContestEntry, ContestRound, Judge, ReviewAssignment
from duijie.core.auth import Actor, Grant
from duijie.core.db import sqlite_path
from duijie.text.embed import EmbeddingCache, content_hash, vector_cache
from tests.conftest import login

ORGANISER = Actor(account_id=None, username="test", grants=(Grant(role="organiser"),))

ANTIBODY_ENTRY = ("抗体新药研发平台", "基于全人源单克隆抗体的肿瘤免疫药物发现与临床前开发。")
CLOSE_JUDGE = "Monoclonal antibody discovery and preclinical development of cancer immunotherapies."
FAR_JUDGE = "Reusable rocket engines, launch vehicle structures and satellite constellations."


def _open_round(db: Session) -> ContestRound:
    return db.scalars(select(ContestRound).where(ContestRound.name_zh.like("北京赛区·人工智能%"))).one()


def _cross_language(db: Session) -> tuple[ContestRound, list[ContestEntry], list[Judge]]:
    """One Chinese entry and two judges who describe their expertise in English only: no word in common."""
    rnd = _open_round(db)
    entry = ContestEntry(
        id=9_000_001, event_id=rnd.event_id, title_zh=ANTIBODY_ENTRY[0], description=ANTIBODY_ENTRY[1]
    )
    close = Judge(id=9_000_002, event_id=rnd.event_id, expertise=CLOSE_JUDGE, country="CN")
    far = Judge(id=9_000_003, event_id=rnd.event_id, expertise=FAR_JUDGE, country="CN")
    return rnd, [entry], [close, far]


def test_the_demo_assignment_counts_the_meaning_of_the_texts(db: Session) -> None:
    rnd = _open_round(db)
    summary = reviews.run_assignment(db, actor=ORGANISER, rnd=rnd)
    assert summary.semantic
    stored = db.scalars(select(ReviewAssignment).where(ReviewAssignment.round_id == rnd.id)).all()
    assert stored and all(r.explanation and r.explanation.startswith("匹配度") for r in stored)
    assert all("（语义" in r.explanation and "(meaning " in r.explanation for r in stored)  # type: ignore[operator]


def test_a_judge_close_in_meaning_fits_better_without_a_shared_word(db: Session) -> None:
    rnd, entries, judges = _cross_language(db)
    inp = affinities.affinity_input(db, rnd=rnd, entries=entries, judges=judges)
    assert inp.semantic
    close, far = inp.table.values[0]
    assert close > far + 0.1
    why = affinities.explanations(inp, [("9000001", "9000002")])[0]
    assert "无共同术语" in why and "专长与项目内容语义相近" in why
    assert "expertise close in meaning to the entry" in why


def test_embedded_texts_are_kept_next_to_a_sqlite_file_and_nowhere_for_a_server(db: Session) -> None:
    url = db.get_bind().engine.url.render_as_string(hide_password=False)
    rnd, entries, judges = _cross_language(db)
    inp = affinities.affinity_input(db, rnd=rnd, entries=entries, judges=judges)
    assert inp.semantic
    path = sqlite_path(url)
    if path is None:
        # A server database: the run embedded the texts itself and wrote no file anywhere.
        _cache, file = vector_cache(url)
        assert file is None
        assert inp.judge_side.profiles[0].embeddings is not None
        return
    kept = EmbeddingCache.load(f"{path}.match-vectors.npz", 384)
    for text in (*ANTIBODY_ENTRY, CLOSE_JUDGE, FAR_JUDGE):
        assert content_hash(text) in kept
    assert np.isclose(np.linalg.norm(kept[content_hash(CLOSE_JUDGE)]), 1.0, atol=1e-3)
    assert not list(Path(path).parent.glob("*.partial"))


def test_too_many_texts_without_vectors_score_by_terms_and_fields_and_say_so(
    db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(affinities, "SEMANTIC_EMBED_LIMIT", 0)
    rnd, entries, judges = _cross_language(db)
    entries[0].description = "一段从未出现过的项目说明：" + ANTIBODY_ENTRY[1]
    inp = affinities.affinity_input(db, rnd=rnd, entries=entries, judges=judges)
    assert not inp.semantic
    assert "semantic" not in inp.engine.active
    why = affinities.explanations(inp, [("9000001", "9000002")])[0]
    assert why.startswith("匹配度") and "语义" not in why and "meaning" not in why


def test_the_round_page_says_what_the_affinities_count(client: TestClient, db: Session) -> None:
    rnd = _open_round(db)
    reviews.run_assignment(db, actor=ORGANISER, rnd=rnd)
    login(client, "organiser", "organiser-demo")
    page = client.get(f"/contests/frontier-contest-7/rounds/{rnd.id}").text
    assert '<dd data-testid="affinity-parts">文本语义、共同术语与领域</dd>' in page
