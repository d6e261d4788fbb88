"""Who may use each policy route: the rule declared at the route refuses an anonymous visitor with the login page
(401 on the API) and a signed-in account without the right with 403, before anything is read or written; and
an organiser grant scoped to one event gives no reach over the city's policies."""

from __future__ import annotations

from dataclasses import dataclass

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from duijie.core.auth import Actor
from duijie.directory.models import Account, Organisation
from duijie.policies import permissions as P
from duijie.policies.models import EligibilityDecision, Policy
from tests import factories
from tests.conftest import csrf_of, login
from tests.policies import factories as pf


@dataclass
class World:
    """An enterprise in 朝阳区 with facts of its own and a 朝阳区 policy, plus accounts around them."""

    enterprise: Organisation
    policy: Policy
    owner: Account  # acts for the enterprise
    investor: Account
    event_organiser: Account  # an organiser grant scoped to one event
    organiser: Account  # a city-wide organiser grant
    haidian: Account  # a district account of another district


@pytest.fixture
def world(db: Session) -> World:
    enterprise = factories.organisation(db, district="朝阳区", facts={"revenue": "300000000"})
    return World(
        enterprise=enterprise,
        policy=pf.policy(db, district="朝阳区", package=pf.package(db)),
        owner=factories.account(db, role="enterprise", organisation=enterprise),
        investor=factories.account(db, role="investor", organisation=factories.organisation(db, kind="investor")),
        event_organiser=factories.account(db, role="organiser", event=factories.event(db)),
        organiser=factories.account(db, role="organiser"),
        haidian=factories.account(db, role="district", district="海淀区"),
    )


def _new_policy_form(slug: str) -> dict[str, str]:
    return {
        "slug": slug,
        "name_zh": "权限测试政策",
        "district": "朝阳区",
        "valid_from": "2025-01-01",
        "rule": "{all: [{fact: revenue, op: '>=', value: 1亿元}]}",
        "benefit_kind": "subsidy",
        "benefit_amount": "10万元",
        "action": "save",
    }


def _routes(w: World) -> list[tuple[str, str, dict[str, str] | None]]:
    """Every route that is not open to everyone: (method, path, form)."""
    slug, org = w.policy.slug, w.enterprise.slug
    edit = {**_new_policy_form(slug), "name_zh": "改过的名称", "valid_from": "2026-01-01"}
    return [
        ("get", "/policies/new", None),
        ("post", "/policies/new", _new_policy_form("perm-refused-new")),
        ("get", f"/policies/{slug}/edit", None),
        ("post", f"/policies/{slug}/edit", edit),
        ("get", f"/policies/{slug}/enterprises", None),
        ("get", f"/policies/{slug}/enterprises.csv", None),
        ("get", f"/policies/{slug}/enterprises.xlsx", None),
        ("get", f"/policies/suggest?org={org}", None),
        ("get", f"/policies/check?org={org}", None),
        ("post", "/policies/check", {"org": org, "revenue": "9亿元", "save": "1"}),
    ]


def _send(client: TestClient, method: str, path: str, form: dict[str, str] | None) -> httpx.Response:
    if method == "get":
        return client.get(path, follow_redirects=False)
    return client.post(path, data={**(form or {}), "csrf": csrf_of(client, "/policies/check")}, follow_redirects=False)


def _nothing_written(db: Session, w: World) -> None:
    db.expire_all()
    assert db.scalar(select(Policy.id).where(Policy.slug == "perm-refused-new")) is None
    assert db.scalar(select(Policy.name_zh).where(Policy.id == w.policy.id)) == w.policy.name_zh
    assert len(w.policy.versions) == 1
    assert db.scalar(select(Organisation.facts).where(Organisation.id == w.enterprise.id)) == {
        "revenue": "300000000"
    }
    assert (
        db.scalar(
            select(func.count())
            .select_from(EligibilityDecision)
            .where(EligibilityDecision.organisation_id == w.enterprise.id)
        )
        == 0
    )


def test_an_anonymous_visitor_is_sent_to_log_in_on_every_protected_route(
    client: TestClient, db: Session, world: World
) -> None:
    for method, path, form in _routes(world):
        response = _send(client, method, path, form)
        assert (method, path, response.status_code) == (method, path, 303)
        assert response.headers["location"].startswith("/login?next=/policies/")
    _nothing_written(db, world)


@pytest.mark.parametrize("who", ["investor", "event_organiser"])
def test_an_account_without_the_right_is_refused_on_every_protected_route(
    client: TestClient, db: Session, world: World, who: str
) -> None:
    login(client, getattr(world, who).username, factories.PASSWORD)
    for method, path, form in _routes(world):
        response = _send(client, method, path, form)
        assert (who, method, path, response.status_code) == (who, method, path, 403)
    _nothing_written(db, world)


def test_a_district_is_refused_the_policies_and_enterprises_of_another_district(
    client: TestClient, db: Session, world: World
) -> None:
    login(client, world.haidian.username, factories.PASSWORD)
    assert client.get("/policies/new").status_code == 200
    refused = [(m, p, f) for m, p, f in _routes(world) if p != "/policies/new"]
    for method, path, form in refused:
        response = _send(client, method, path, form)
        assert (method, path, response.status_code) == (method, path, 403)
    _nothing_written(db, world)


def test_the_refusal_says_who_may_do_it(client: TestClient, world: World) -> None:
    login(client, world.investor.username, factories.PASSWORD)
    assert "仅主办方和区政府可录入政策。" in client.get("/policies/new").text
    assert "只能编辑本区的政策。" in client.get(f"/policies/{world.policy.slug}/edit").text
    assert "仅主办方可使用“政策找企业”。" in client.get(f"/policies/{world.policy.slug}/enterprises").text


def test_those_with_the_right_pass_the_same_routes(client: TestClient, world: World) -> None:
    slug, org = world.policy.slug, world.enterprise.slug
    login(client, world.organiser.username, factories.PASSWORD)
    for path in ("/policies/new", f"/policies/{slug}/edit", f"/policies/{slug}/enterprises.csv"):
        assert (path, client.get(path).status_code) == (path, 200)
    assert client.get(f"/policies/check?org={org}").status_code == 200
    client.post("/logout", data={"csrf": csrf_of(client, "/")})
    login(client, world.owner.username, factories.PASSWORD)
    own = client.get("/policies/check")
    assert own.status_code == 200 and 'name="revenue" value="3亿元"' in own.text
    assert client.get(f"/policies/suggest?org={org}").status_code == 200


def test_the_policies_api_refuses_suggestions_with_401_then_403(client: TestClient, world: World) -> None:
    path = f"/api/v1/organisations/{world.enterprise.slug}/policy-suggestions?limit=1"
    assert client.get(path).status_code == 401
    login(client, world.event_organiser.username, factories.PASSWORD)
    assert client.get(path).status_code == 403
    evaluate = {"organisation_id": world.enterprise.slug, "on": "2025-06-01"}
    assert client.post("/api/v1/policies/evaluate", json=evaluate).status_code == 403


def test_an_event_scoped_organiser_is_not_the_city_organiser(db: Session, world: World) -> None:
    from duijie.directory.accounts import actor_for_account

    scoped: Actor = actor_for_account(world.event_organiser)
    city: Actor = actor_for_account(world.organiser)
    rules = [
        (P.can_author_policies, None),
        (P.can_edit_policy, world.policy),
        (P.can_file_city_wide, None),
        (P.can_match_enterprises, world.policy),
        (P.can_see_decisions, world.enterprise),
        (P.can_see_suggestions, world.enterprise),
        (P.can_pick_enterprises, None),
    ]
    assert [rule(scoped, obj) for rule, obj in rules] == [False] * len(rules)
    assert [rule(city, obj) for rule, obj in rules] == [True] * len(rules)
