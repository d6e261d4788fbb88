"""The registration API: the same rules and words as the pages — categories, registering (201 with the state,
the position and the manage link), the organiser's list with total and filters, the counts, decisions, the
waiting list, the person's token routes — and refusals naming their field in the request's language."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from duijie.registration import mails, service
from tests import factories
from tests.conftest import in_english, login
from tests.registration import factories as rf


def _organiser(db: Session, client: TestClient, event: object) -> None:
    account = factories.account(db, role="organiser", event=event)
    db.commit()
    login(client, account.username, factories.PASSWORD)


def _person(n: int, **extra: object) -> dict[str, object]:
    return {"category": "guest", "name": f"参会者{n}", "email": f"api{n}@example.org", "consent": True, **extra}


def test_register_decide_and_read_through_the_api(client: TestClient, db: Session) -> None:
    event = factories.event(db)
    rf.category(db, event, code="guest", capacity=2)
    rf.category(db, event, code="vip", is_public=False)
    db.commit()
    public = client.get(f"/api/v1/events/{event.slug}/registration/categories").json()
    assert [c["code"] for c in public] == ["guest"]
    made = [client.post(f"/api/v1/events/{event.slug}/registrations", json=_person(n)) for n in range(4)]
    assert [r.status_code for r in made] == [201] * 4
    assert [(r.json()["state"], r.json()["position"]) for r in made] == [("confirmed", None), ("confirmed", None), ("waiting", 1), ("waiting", 2)]
    token = made[0].json()["manage_url"].rsplit("/", 1)[1]
    with in_english(client):
        refused = client.post(f"/api/v1/events/{event.slug}/registrations", json={"category": "guest", "email": "x"})
        assert refused.status_code == 422
        fields = {d["field"] for d in refused.json()["error"]["details"]}
        assert fields == {"name", "email", "consent"}
        assert client.post(f"/api/v1/events/{event.slug}/registrations", json=_person(9, category="vip")).status_code == 403
    assert client.post(f"/api/v1/registrations/{token}/cancel").json()["state"] == "cancelled"
    assert client.get(f"/api/v1/registrations/{mails.manage_token(db, service.get(db, id=made[2].json()['id']))}").json()["state"] == "offered"

    _organiser(db, client, event)
    page = client.get(f"/api/v1/events/{event.slug}/registrations", params={"page_size": 2}).json()
    assert (page["total"], page["pages"], len(page["items"])) == (4, 2, 2)
    only_waiting = client.get(f"/api/v1/events/{event.slug}/registrations", params={"state": "waiting"}).json()
    assert [i["email"] for i in only_waiting["items"]] == ["api3@example.org"]
    summary = client.get(f"/api/v1/events/{event.slug}/registrations/summary").json()
    guest = next(s for s in summary if s["category"]["code"] == "guest")
    assert (guest["counts"]["confirmed"], guest["counts"]["offered"], guest["counts"]["waiting"], guest["free"]) == (1, 1, 1, 0)
    waiting = client.get(f"/api/v1/events/{event.slug}/registration/categories/guest/waiting").json()
    assert [(w["email"], w["position"]) for w in waiting] == [("api3@example.org", 1)]
    cancelled = client.post(f"/api/v1/events/{event.slug}/registrations/{made[1].json()['id']}/cancel")
    assert cancelled.json()["state"] == "cancelled"
    assert client.get(f"/api/v1/events/{event.slug}/registration/categories/guest/waiting").json() == []


def test_categories_and_approval_through_the_api(client: TestClient, db: Session) -> None:
    event = factories.event(db)
    _organiser(db, client, event)
    base = f"/api/v1/events/{event.slug}/registration/categories"
    made = client.post(base, json={"code": "media", "name_zh": "媒体", "name_en": "Media", "capacity": 1, "requires_approval": True})
    assert made.status_code == 201 and made.json()["requires_approval"] is True
    with in_english(client):
        bad = client.post(base, json={"code": "Media!", "name_zh": "", "capacity": -1})
        assert bad.status_code == 422 and {d["field"] for d in bad.json()["error"]["details"]} == {"code", "name_zh", "capacity"}
    people = [client.post(f"/api/v1/events/{event.slug}/registrations", json=_person(n, category="media")).json() for n in range(2)]
    # An organiser registering through the API places people directly; the public waits for approval.
    assert [p["state"] for p in people] == ["confirmed", "waiting"]
    client.cookies.clear()
    public = client.post(f"/api/v1/events/{event.slug}/registrations", json=_person(7, category="media")).json()
    assert public["state"] == "pending"
    _organiser(db, client, event)
    declined = client.post(f"/api/v1/events/{event.slug}/registrations/{public['id']}/decline", json={"reason": "名额已满"})
    assert declined.json()["state"] == "declined" and declined.json()["decline_reason"] == "名额已满"
    assert client.patch(f"{base}/media", json={"capacity": 2}).json()["capacity"] == 2
    assert client.get(f"/api/v1/events/{event.slug}/registrations", params={"state": "offered"}).json()["total"] == 1
    in_use = client.delete(f"{base}/media")
    assert in_use.status_code == 409 and "3" in in_use.json()["error"]["message"]
    consent = client.put(f"/api/v1/events/{event.slug}/registration/consent", json={"zh": "我同意", "en": "I agree"})
    assert consent.json() == {"zh": "我同意", "en": "I agree"}
