"""An event page prints its published figures as the page's language writes them, with their source."""

from __future__ import annotations

from decimal import Decimal

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from duijie.events.models import PublishedFigure
from tests import factories


def _figure(db: Session, event_id: int, key: str, value: str, unit: str, qualifier: str | None) -> None:
    db.add(
        PublishedFigure(
            event_id=event_id, key=key, value=Decimal(value), unit=unit, qualifier=qualifier,
            label_zh=key, label_en=key, source="《北京日报》2023年5月30日",
        )
    )


def test_figures_read_naturally_in_both_languages_and_name_their_source(client: TestClient, db: Session) -> None:
    forum = factories.event(db, kind="forum")
    _figure(db, forum.id, "participants", "5000", "名", "余")
    _figure(db, forum.id, "exhibitors", "650", "家", "约")
    _figure(db, forum.id, "trading_amount", "810", "亿元", "超")
    db.commit()
    zh = client.get(f"/events/{forum.slug}", params={"lang": "zh_CN"}).text
    assert "5000余名" in zh and "约650家" in zh and "超810亿元" in zh
    assert "E+" not in zh and "《北京日报》2023年5月30日" in zh
    en = client.get(f"/events/{forum.slug}", params={"lang": "en"}).text
    assert "over 5,000" in en and "about 650" in en and "over 81 billion yuan" in en
    assert "亿元" not in en.split("<main", 1)[1].split("</main>", 1)[0] and "E+" not in en
