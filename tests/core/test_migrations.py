from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Engine

from duijie.core.db import Base, make_engine
from duijie.core.migrate import downgrade, upgrade
from duijie.core.registry import load_all_models
from duijie.text.models import include_name

VERSIONS = Path(__file__).resolve().parents[2] / "duijie" / "migrations" / "versions"


def test_migrations_match_the_models(engine: Engine) -> None:
    """What `alembic check` checks: the migrated schema has nothing the models lack or add."""
    load_all_models()
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True, "include_name": include_name})
        assert compare_metadata(ctx, Base.metadata) == []


def test_migrations_upgrade_and_downgrade_on_a_fresh_sqlite_file(tmp_path: Path) -> None:
    eng = make_engine(f"sqlite:///{tmp_path / 'm.db'}")
    upgrade(eng)
    assert "opportunity" in inspect(eng).get_table_names()
    downgrade(eng, "base")
    assert set(inspect(eng).get_table_names()) <= {"alembic_version"}
    upgrade(eng)
    assert "meeting_seat" in inspect(eng).get_table_names()
    eng.dispose()


def test_migration_files_are_named_by_date_and_slug() -> None:
    names = sorted(p.name for p in VERSIONS.glob("*.py"))
    assert names, "no migrations"
    for name in names:
        date, time, *slug = name.removesuffix(".py").split("_")
        assert len(date) == 8 and date.isdigit() and len(time) == 4 and time.isdigit() and slug, name
