"""The home page of a new installation says what to do next: create the first account while there is none,
then (for the organiser) create the first event and invite people; visitors are offered to sign in or sign up."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.orm import sessionmaker

from duijie.app import create_app
from duijie.config import Settings
from duijie.core.db import make_engine
from duijie.core.migrate import upgrade
from tests import factories
from tests.conftest import in_english, login


def _steps(html: str) -> str:
    start = html.index('data-testid="next-steps"')
    return html[start : html.index("</ol>", start)]


def test_an_empty_database_leads_to_setup_then_to_the_first_event(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new.db'}"
    engine = make_engine(url)
    upgrade(engine)
    with TestClient(create_app(Settings(database_url=url))) as client:
        steps = _steps(client.get("/").text)
        assert 'href="/setup"' in steps and "创建第一个主办方账户" in steps
        assert "Invest Beijing" not in client.get("/").text and "投资北京" not in client.get("/").text
        with in_english(client):
            assert "Create the first organiser account" in _steps(client.get("/").text)

        with sessionmaker(bind=engine)() as db:
            factories.account(db, role="organiser", username="chief")
            db.commit()
        visitor = _steps(client.get("/").text)
        assert 'href="/setup"' not in visitor
        assert 'href="/login?next=/organise/events"' in visitor and 'href="/signup"' in visitor
        login(client, "chief", factories.PASSWORD)
        steps = _steps(client.get("/").text)
        assert 'href="/organise/events/new"' in steps and 'href="/people"' in steps
    engine.dispose()
