"""Several workers over one database: the lexical index lives in the database and the vectors in one shared
file, so what one worker writes another finds within a second, and a restarted worker rebuilds nothing.

Two applications in one process stand for two workers: each has its own engine and its own view of the index
(the service keeps one per engine), exactly what a worker process has.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from duijie.app import create_app
from duijie.config import Settings
from duijie.core.db import make_engine, unit_of_work
from duijie.core.migrate import upgrade
from duijie.directory.models import Organisation
from duijie.search import service
from duijie.search.indexing import embed_missing
from duijie.text.embed import get_embedder

SCHEMA = "search_shared_test"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A migrated, empty database of its own (a file, or a PostgreSQL schema), committed writes and all."""
    monkeypatch.setenv("DUIJIE_SEARCH_DIR", str(tmp_path / "vectors"))
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'shared.db'}"
        reset = None
    else:
        base = os.environ.get("DUIJIE_TEST_POSTGRES_URL")
        if not base:
            pytest.skip("DUIJIE_TEST_POSTGRES_URL is not set")
        admin = create_engine(base)

        def reset(create: bool) -> None:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{SCHEMA}" CASCADE'))
                if create:
                    conn.execute(text(f'CREATE SCHEMA "{SCHEMA}"'))

        reset(True)
        url = make_url(base).update_query_dict({"options": f"-csearch_path={SCHEMA}"}).render_as_string(
            hide_password=False
        )
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    yield url
    if reset is not None:
        reset(False)
        admin.dispose()


def _write_organisation(app: FastAPI, slug: str, name: str, description: str, *, embed: bool = False) -> int:
    """Commit an organisation through this application's database (as one of its requests would)."""
    with unit_of_work(app.state.sessionmaker, write=True) as db:
        org = Organisation(slug=slug, kind="enterprise", name_zh=name, description_zh=description)
        db.add(org)
        db.flush()
        if embed:
            assert embed_missing(db, get_embedder(), records=[("organisation", org.id)]) == 1
        return org.id


def _found(client: TestClient, query: str, mode: str) -> list[int]:
    response = client.get("/api/v1/search", params={"q": query, "mode": mode, "kind": "organisation"})
    assert response.status_code == 200, response.text
    return [h["id"] for g in response.json()["groups"] for h in g["hits"]]


def _within_a_second(client: TestClient, query: str, mode: str, record_id: int) -> float:
    """Seconds until the record is among the hits (fails after one second)."""
    start = time.monotonic()
    while record_id not in _found(client, query, mode):
        assert time.monotonic() - start < 1.0, f"{query!r} ({mode}) did not find {record_id} within a second"
        time.sleep(0.02)
    return time.monotonic() - start


def test_a_record_written_through_one_worker_is_found_through_another_within_a_second(database_url: str) -> None:
    one, two = create_app(Settings(database_url=database_url)), create_app(Settings(database_url=database_url))
    with TestClient(one) as first, TestClient(two) as second:
        _write_organisation(one, "shared-a", "钙钛矿光伏材料研究院", "研发钙钛矿叠层组件。", embed=True)
        # Both workers have answered (and hold their view of the index) before the write they must see.
        assert _found(first, "氢燃料", "lexical") == [] and _found(second, "氢燃料", "lexical") == []
        assert len(_found(second, "光伏", "dense")) == 1
        fresh = _write_organisation(one, "shared-b", "氢燃料发动机中试基地", "研发氢燃料发动机。", embed=True)
        _within_a_second(second, "氢燃料", "lexical", fresh)
        _within_a_second(second, "氢燃料", "dense", fresh)
        _within_a_second(second, "氢燃料", "hybrid", fresh)
        # and a removal is seen as quickly
        with unit_of_work(one.state.sessionmaker, write=True) as db:
            db.delete(db.get(Organisation, fresh))
        start = time.monotonic()
        while fresh in _found(second, "氢燃料", "lexical"):
            assert time.monotonic() - start < 1.0
            time.sleep(0.02)
        assert fresh not in _found(second, "氢燃料", "dense")


def test_the_index_survives_a_restart_without_a_rebuild(database_url: str) -> None:
    before = create_app(Settings(database_url=database_url))
    org_id = _write_organisation(before, "kept-a", "量子计算实验室", "研制超导量子芯片。", embed=True)
    with TestClient(before) as client:
        assert _found(client, "量子芯片", "hybrid") == [org_id]
        with before.state.sessionmaker() as db:
            first = service.index_status(db)
    assert first["files_written"] == 1 and first["snapshot_rows"] == 1
    restarted = create_app(Settings(database_url=database_url))  # a new worker: a new engine and index view
    with TestClient(restarted) as client:
        assert _found(client, "量子芯片", "dense") == [org_id]
        assert _found(client, "量子芯片", "lexical") == [org_id]
        with restarted.state.sessionmaker() as db:
            again = service.index_status(db)
    assert again["files_written"] == 0  # mapped the file the first worker wrote, read nothing else
    assert again["snapshot"] == first["snapshot"] and again["fresh_rows"] == 0
