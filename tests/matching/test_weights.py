"""An event's matching weights: checked and stored by the service, set in the organiser's form, the API and the
command line, and applied by the next recompute."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from duijie.core.auth import Actor
from duijie.core.db import make_engine, make_sessionmaker, unit_of_work
from duijie.core.errors import DomainError
from duijie.core.i18n import set_locale
from duijie.core.migrate import upgrade
from duijie.core.models import AuditEntry
from duijie.directory.accounts import load_actor
from duijie.directory.models import Account
from duijie.events.models import Event, EventSetting
from duijie.matching import settings
from duijie.matching.cli import match
from duijie.matching.demo import recompute_demo_event
from duijie.matching.models import MatchScore
from tests.conftest import csrf_of, login

EVENT = "invest-beijing-2024"
PAGE = f"/events/{EVENT}/matching"
API = f"/api/v1/events/{EVENT}/matching/weights"


def _event(db: Session, slug: str = EVENT) -> Event:
    return db.scalars(select(Event).where(Event.slug == slug)).one()


def _organiser(db: Session) -> Actor:
    account = db.scalars(select(Account).where(Account.username == "organiser")).one()
    return load_actor(db, account.id)


def _stored(db: Session, event: Event) -> object:
    return db.scalar(
        select(EventSetting.value).where(EventSetting.event_id == event.id, EventSetting.key == "matching.weights")
    )


def _fields(exc: pytest.ExceptionInfo[DomainError]) -> list[str | None]:
    return [d.field for d in exc.value.details]


def test_validate_keeps_only_parts_that_differ_from_the_defaults() -> None:
    data = {"investor_project": {"semantic": 0.3, "lexical": 0.22, "district": "0"}, "demand_offer": {}}
    assert settings.validate(data) == {"investor_project": {"semantic": 0.3, "district": 0.0}}


def test_validate_names_every_bad_weight_by_kind_and_part() -> None:
    set_locale("zh_CN")
    data = {
        "investor_project": {"semantic": 1.5, "district": -0.1, "amount": "很多", "charm": 0.2},
        "judge_entry": {"semantic": 0.5},
    }
    with pytest.raises(DomainError) as exc:
        settings.validate(data)
    assert _fields(exc) == [
        "investor_project.semantic",
        "investor_project.district",
        "investor_project.amount",
        "investor_project.charm",
        "judge_entry",
    ]
    assert exc.value.details[0].message == "投资机构与项目、企业 · 语义相似度：权重须为0到1之间的数字。"
    assert exc.value.details[3].message.startswith("投资机构与项目、企业：评分项 charm 不存在")
    assert exc.value.status_code == 422


def test_validate_refuses_a_kind_whose_weights_are_all_zero() -> None:
    set_locale("zh_CN")
    zero = dict.fromkeys(settings.defaults("participant_participant"), 0)
    with pytest.raises(DomainError) as exc:
        settings.validate({"participant_participant": zero})
    assert _fields(exc) == ["participant_participant"]
    assert exc.value.message == "洽谈参会方：各项权重不能全部为0，至少一项须大于0。"


def test_set_weights_stores_the_overrides_and_audits_the_diff(db: Session) -> None:
    event, actor = _event(db), _organiser(db)
    settings.set_weights(db, event=event, actor=actor, data={"investor_project": {"district": 0.3}})
    settings.set_weights(
        db, event=event, actor=actor, data={"investor_project": {"district": 0.3, "semantic": 0.1}}
    )
    assert _stored(db, event) == {"investor_project": {"district": 0.3, "semantic": 0.1}}
    assert settings.effective(db, event)["investor_project"]["semantic"] == 0.1
    assert settings.effective(db, event)["demand_offer"] == settings.defaults("demand_offer")
    entries = db.scalars(
        select(AuditEntry)
        .where(AuditEntry.event_id == event.id, AuditEntry.action == "matching_weights")
        .order_by(AuditEntry.id)
    ).all()
    assert [(e.before, e.after) for e in entries] == [
        ({"investor_project.district": None}, {"investor_project.district": 0.3}),
        ({"investor_project.semantic": None}, {"investor_project.semantic": 0.1}),
    ]
    assert entries[0].actor_id == actor.account_id


def test_reset_removes_the_overrides(db: Session) -> None:
    event, actor = _event(db), _organiser(db)
    settings.set_weights(db, event=event, actor=actor, data={"enterprise_enterprise": {"country": 0}})
    settings.reset(db, event=event, actor=actor)
    assert _stored(db, event) is None
    assert settings.overrides(db, event) == {}


def _district_parts(db: Session, event: Event) -> dict[tuple[int, int], dict[str, float]]:
    rows = db.scalars(
        select(MatchScore).where(
            MatchScore.event_id == event.id,
            MatchScore.left_kind == "investor",
            MatchScore.right_kind == "project",
        )
    )
    return {(r.left_id, r.right_id): {p["name"]: p for p in r.parts}["district"] for r in rows}


def test_changed_weight_rewrites_pairs_and_their_contributions(db: Session) -> None:
    event = _event(db)
    before = _district_parts(db, event)
    assert {p["weight"] for p in before.values()} == {0.08}
    assert settings.stale(db, event) is False
    settings.set_weights(db, event=event, actor=_organiser(db), data={"investor_project": {"district": 0.5}})
    assert settings.stale(db, event) is True
    result = recompute_demo_event(db, event)
    assert {g.group: (g.skipped, g.written == g.kept > 0) for g in result.groups} == {
        "investor_project": (False, True),
        "investor_enterprise": (False, True),
        "enterprise_enterprise": (True, False),
        "demand_offer": (True, False),
        "participant_participant": (True, False),
    }
    assert settings.stale(db, event) is False
    db.expire_all()
    after = _district_parts(db, event)
    weight = round(0.5 / 1.42, 4)
    assert {p["weight"] for p in after.values()} == {weight}
    located = [key for key in before.keys() & after.keys() if before[key]["value"] > 0]
    assert located
    for key in located:
        assert after[key]["contribution"] == pytest.approx(after[key]["value"] * weight, abs=1e-4)
        assert after[key]["contribution"] > before[key]["contribution"]


def test_organiser_page_shows_a_fieldset_per_pair_kind_with_defaults(client: TestClient) -> None:
    login(client, "organiser", "organiser-demo")
    page = client.get(PAGE).text
    form = page[page.index('data-testid="weights"') :]
    kinds = [part.split('"', 1)[0] for part in form.split('<fieldset data-kind="')[1:]]
    assert kinds == ["investor_project", "enterprise_enterprise", "participant_participant"]
    assert 'name="investor_project.semantic" value="0.22"' in form
    assert "默认值 0.22" in form and "恢复默认权重" in form
    assert 'data-testid="weights-stale"' not in page


def test_saving_weights_stores_them_and_says_the_matches_are_stale(client: TestClient, db: Session) -> None:
    login(client, "organiser", "organiser-demo")
    response = client.post(
        f"{PAGE}/weights",
        data={
            "csrf": csrf_of(client, PAGE),
            "action": "save",
            "investor_project.semantic": "0.22",
            "investor_project.district": "0.3",
            "participant_participant.country": "",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert _stored(db, _event(db)) == {"investor_project": {"district": 0.3}}
    page = client.get(response.headers["location"]).text
    assert "权重已保存" in page
    assert 'data-testid="weights-stale"' in page and "现有匹配结果是按原权重计算的" in page
    assert 'name="investor_project.district" value="0.3"' in page


def test_refused_weights_reshow_the_form_as_typed_with_422(client: TestClient, db: Session) -> None:
    login(client, "organiser", "organiser-demo")
    response = client.post(
        f"{PAGE}/weights",
        data={
            "csrf": csrf_of(client, PAGE),
            "action": "save",
            "investor_project.semantic": "1.7",
            "investor_project.district": "0.3",
        },
    )
    assert response.status_code == 422
    assert 'name="investor_project.semantic" value="1.7"' in response.text
    assert 'name="investor_project.district" value="0.3"' in response.text
    assert "投资机构与项目、企业 · 语义相似度：权重须为0到1之间的数字。" in response.text
    assert _stored(db, _event(db)) is None


def test_reset_button_restores_the_defaults(client: TestClient, db: Session) -> None:
    event = _event(db)
    db.add(EventSetting(event_id=event.id, key="matching.weights", value={"investor_project": {"district": 0.3}}))
    db.commit()
    login(client, "organiser", "organiser-demo")
    response = client.post(
        f"{PAGE}/weights",
        data={"csrf": csrf_of(client, PAGE), "action": "reset", "investor_project.district": "0.9"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    db.expire_all()
    assert _stored(db, event) is None
    assert "已恢复默认权重" in client.get(response.headers["location"]).text


def test_weights_form_is_refused_to_others(client: TestClient) -> None:
    login(client, "investor", "investor-demo")
    response = client.post(
        f"{PAGE}/weights",
        data={"csrf": csrf_of(client, "/recommendations"), "investor_project.district": "1"},
    )
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("user", "password", "status"),
    [(None, None, 401), ("investor", "investor-demo", 403), ("enterprise", "enterprise-demo", 403),
     ("haidian", "district-demo", 403), ("organiser", "organiser-demo", 200)],
)  # fmt: skip
def test_weights_api_is_for_the_organiser_only(
    client: TestClient, user: str | None, password: str | None, status: int
) -> None:
    if user and password:
        login(client, user, password)
    assert client.get(API).status_code == status
    assert client.put(API, json={"investor_project": {"district": 0.2}}).status_code == status


def test_weights_api_reads_and_replaces_the_weights(client: TestClient) -> None:
    login(client, "organiser", "organiser-demo")
    body = client.get(API).json()
    assert body["kinds"] == ["investor_project", "enterprise_enterprise", "participant_participant"]
    assert body["overrides"] == {} and body["stale"] is False
    assert body["weights"]["investor_project"]["amount"] == 0.12
    put = client.put(API, json={"investor_project": {"amount": 0.3}})
    assert put.status_code == 200
    assert put.json()["overrides"] == {"investor_project": {"amount": 0.3}}
    assert put.json()["weights"]["investor_project"]["amount"] == 0.3 and put.json()["stale"] is True
    assert client.put(API, json={}).json()["overrides"] == {}


def test_weights_api_names_each_refused_weight(client: TestClient) -> None:
    login(client, "organiser", "organiser-demo")
    client.cookies.set("lang", "en")
    response = client.put(API, json={"investor_project": {"semantic": 2, "charm": 0.1}, "demand_offer": 5})
    assert response.status_code == 422
    error = response.json()["error"]
    assert [d["field"] for d in error["details"]] == [
        "investor_project.semantic",
        "investor_project.charm",
        "demand_offer",
    ]
    assert error["details"][0]["message"] == (
        "Investors with projects and enterprises · Semantic similarity: the weight must be a number between 0 and 1."
    )
    assert client.get(API).json()["overrides"] == {}


def _event_file(tmp_path: Path) -> str:
    """A migrated database file with one event and nothing to match, for the command line's own session."""
    path = tmp_path / "weights.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with unit_of_work(make_sessionmaker(engine)) as session:
        import datetime as dt

        day = dt.date(2024, 4, 26)
        session.add(Event(slug="summit", kind="summit", name_zh="峰会", starts_on=day, ends_on=day))
    engine.dispose()
    return str(path)


def test_cli_weights_file_with_a_bad_weight_exits_2_naming_it(tmp_path: Path) -> None:
    set_locale("zh_CN")
    bad = tmp_path / "weights.json"
    bad.write_text(json.dumps({"investor_project": {"district": 3}}), encoding="utf-8")
    result = CliRunner().invoke(match, ["--db", "unused.db", "--event", "summit", "--weights", str(bad)])
    assert result.exit_code == 2
    assert result.output.strip() == (
        "Error: weights.json: investor_project.district: 投资机构与项目、企业 · 区域偏好：权重须为0到1之间的数字。"
    )
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    result = CliRunner().invoke(match, ["--db", "unused.db", "--event", "summit", "--weights", str(broken)])
    assert result.exit_code == 2
    assert result.output.startswith("Error: broken.json: not valid JSON")


def test_cli_weights_file_sets_the_event_weights_before_the_run(tmp_path: Path) -> None:
    path = _event_file(tmp_path)
    good = tmp_path / "weights.json"
    good.write_text(json.dumps({"demand_offer": {"semantic": 0.5, "lexical": 0.32}}), encoding="utf-8")
    result = CliRunner().invoke(match, ["--db", path, "--event", "summit", "--weights", str(good)])
    assert result.exit_code == 0, result.output
    engine = make_engine(f"sqlite:///{path}")
    try:
        with make_sessionmaker(engine)() as session:
            event = _event(session, "summit")
            assert settings.overrides(session, event) == {"demand_offer": {"semantic": 0.5}}
            assert settings.stale(session, event) is False
            entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "matching_weights")).one()
            assert (entry.actor_id, entry.note, entry.after) == (None, "cli", {"demand_offer.semantic": 0.5})
    finally:
        engine.dispose()


def test_cli_names_the_event_by_slug_only(tmp_path: Path) -> None:
    set_locale("zh_CN")
    path = _event_file(tmp_path)
    result = CliRunner().invoke(match, ["--db", path, "--event", "1"])
    assert result.exit_code == 2
    assert "没有名为“1”的活动。" in result.output
    assert CliRunner().invoke(match, ["--db", path, "--event", "summit"]).exit_code == 0
