"""Achievement releases (成果发布): public pages and list in both languages, the organiser's forms and API with
errors beside the field and nothing half-written, a draft forum's releases hidden, and search landing on the
achievement's own page."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from duijie.agenda.models import AgendaSession
from duijie.core.models import AuditEntry
from duijie.exhibition.models import Achievement
from tests import factories
from tests.conftest import csrf_of, in_english, login


def _forum(db: Session, **values: object) -> tuple[object, str]:
    """A published forum and the username of its organiser."""
    forum = factories.event(db, kind="forum", **values)
    organiser = factories.account(db, role="organiser", event=forum)
    return forum, organiser.username


def test_the_demo_releases_read_in_both_languages_with_their_institution_and_session(
    client: TestClient,
) -> None:
    page = client.get("/achievements", params={"event": "zgc-forum-2024"}).text
    assert "转角菱方氮化硼光学晶体" in page and "北京大学" in page and "共 12 项成果" in page
    with in_english(client):
        english = client.get("/achievements", params={"event": "zgc-forum-2024"}).text
        assert (
            "Twisted rhombohedral boron nitride optical crystals" in english
            and "Peking University" in english
        )
    first = client.get("/api/v1/achievements", params={"event": "zgc-forum-2024"}).json()[0]
    assert (first["rank"], first["institution_zh"], first["session_id"] is not None) == (1, "北京大学", True)
    detail = client.get(f"/achievements/{first['id']}").text
    assert 'data-testid="session"' in detail and "十项重大科技成果发布" in detail
    forum = client.get("/events/zgc-forum-2024").text
    assert 'data-testid="achievements-link"' in forum and "发布成果 12 项" in forum


def test_the_organiser_adds_edits_and_removes_a_release_with_errors_beside_the_fields(
    client: TestClient, db: Session
) -> None:
    forum, username = _forum(db)
    session = AgendaSession(event_id=forum.id, title_zh="成果发布会", title_en="Release of achievements")  # type: ignore[attr-defined]
    other = AgendaSession(event_id=factories.event(db, kind="forum").id, title_zh="别处的会")
    db.add_all([session, other])
    db.flush()
    login(client, username, factories.PASSWORD)
    token = csrf_of(client, f"/achievements/new?event={forum.slug}")  # type: ignore[attr-defined]
    before = db.scalar(select(func.count()).select_from(Achievement))
    refused = client.post(
        "/achievements/new",
        data={
            "csrf": token, "event": forum.slug, "title_zh": "夸父卫星太阳硬X射线图像",  # type: ignore[attr-defined]
            "media_url": "javascript:alert(1)", "session_id": str(other.id),
        },
    )  # fmt: skip
    assert refused.status_code == 422 and "https://" in refused.text and 'aria-invalid="true"' in refused.text
    assert "夸父卫星太阳硬X射线图像" in refused.text  # what was typed stays
    assert db.scalar(select(func.count()).select_from(Achievement)) == before
    wrong_session = client.post(
        "/achievements/new",
        data={
            "csrf": token,
            "event": forum.slug,
            "title_zh": "夸父卫星太阳硬X射线图像",
            "session_id": str(other.id),
        },  # type: ignore[attr-defined]
    )
    assert wrong_session.status_code == 422 and "本论坛议程中没有编号为" in wrong_session.text
    made = client.post(
        "/achievements/new",
        data={
            "csrf": token, "event": forum.slug, "title_zh": "夸父卫星太阳硬X射线图像",  # type: ignore[attr-defined]
            "title_en": "Solar hard X-ray images from the Kuafu satellite", "institution_zh": "中国科学院紫金山天文台",
            "field": "商业航天", "session_id": str(session.id), "media_url": "https://example.org/kuafu",
        },
        follow_redirects=False,
    )  # fmt: skip
    assert made.status_code == 303
    achievement_id = int(made.headers["location"].rsplit("/", 1)[1])
    page = client.get(f"/achievements/{achievement_id}").text
    assert (
        "中国科学院紫金山天文台" in page
        and 'href="https://example.org/kuafu"' in page
        and 'rel="noopener' in page
    )
    edited = client.post(
        f"/achievements/{achievement_id}/edit",
        data={"csrf": token, "title_zh": "", "title_en": "Kuafu"},
    )
    assert edited.status_code == 422  # the title is required: nothing changed
    db.expire_all()
    assert db.get(Achievement, achievement_id).title_zh == "夸父卫星太阳硬X射线图像"  # type: ignore[union-attr]
    api = client.patch(f"/api/v1/achievements/{achievement_id}", json={"rank": 3})
    assert api.status_code == 200 and api.json()["rank"] == 3
    removed = client.post(
        f"/achievements/{achievement_id}/delete", data={"csrf": token}, follow_redirects=False
    )
    assert removed.status_code == 303
    assert db.get(Achievement, achievement_id) is None
    kept = db.scalar(
        select(AuditEntry).where(
            AuditEntry.entity_type == "achievement",
            AuditEntry.entity_id == achievement_id,
            AuditEntry.action == "delete",
        )
    )
    assert kept is not None and kept.before["title_zh"] == "夸父卫星太阳硬X射线图像"


def test_another_events_organiser_cannot_add_to_this_forum(client: TestClient, db: Session) -> None:
    forum, _owner = _forum(db)
    _other_forum, stranger = _forum(db)
    login(client, stranger, factories.PASSWORD)
    refused = client.post("/api/v1/achievements", json={"event": forum.slug, "title_zh": "越权发布"})  # type: ignore[attr-defined]
    assert refused.status_code == 403
    assert db.scalar(select(Achievement).where(Achievement.title_zh == "越权发布")) is None


def test_a_draft_forums_releases_are_hidden_from_the_public_and_search(
    client: TestClient, db: Session
) -> None:
    draft = factories.event(db, kind="forum", is_published=False)
    hidden = Achievement(event_id=draft.id, title_zh="尚未公布的量子芯片成果", provenance="manual")
    public_forum = factories.event(db, kind="forum")
    shown = Achievement(event_id=public_forum.id, title_zh="已公布的量子芯片成果", provenance="manual")
    db.add_all([hidden, shown])
    db.flush()
    assert client.get(f"/achievements/{hidden.id}").status_code == 404
    assert client.get(f"/api/v1/achievements/{hidden.id}").status_code == 404
    assert "尚未公布的量子芯片成果" not in client.get("/achievements").text
    found = client.get(
        "/api/v1/search", params={"q": "量子芯片成果", "kind": "achievement", "mode": "lexical"}
    ).json()
    urls = {h["title_zh"]: h["url"] for g in found["groups"] for h in g["hits"]}
    assert urls.get("已公布的量子芯片成果") == f"/achievements/{shown.id}"
    assert "尚未公布的量子芯片成果" not in urls
