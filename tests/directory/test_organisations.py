"""Organisations created and edited: the rules written once (`directory.organisations`), refused field by field in
the request's language, the own-organisation rule, the API and the command line."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from duijie.cli import main
from duijie.core.db import make_engine
from duijie.core.errors import DomainError, PermissionDenied
from duijie.core.i18n import reset_locale, set_locale
from duijie.core.migrate import upgrade
from duijie.core.models import AuditEntry
from duijie.directory import organisations
from duijie.directory.models import Organisation
from tests import factories
from tests.conftest import csrf_of, in_english, login

NEW = {"slug": "zgc-robotics", "kind": "enterprise", "name_zh": "中关村机器人有限公司", "name_en": "ZGC Robotics"}


def _fields(exc: DomainError) -> dict[str, str]:
    return {d.field or "": d.message for d in exc.details}


def test_an_organiser_creates_an_organisation_and_the_history_keeps_it(db: Session) -> None:
    organiser = factories.actor(db, role="organiser", event=factories.event(db))
    org = organisations.create_organisation(
        db,
        actor=organiser,
        data={**NEW, "district": "Haidian District", "industries": "人工智能、Integrated circuits", "flags": ["高新技术企业"],
              "website": "https://robotics.example.cn", "country": "cn"},
    )  # fmt: skip
    assert (org.district, org.industries, org.flags, org.country) == (
        "海淀区", ["人工智能", "集成电路"], ["high_tech"], "CN"
    )
    entry = db.scalar(select(AuditEntry).where(AuditEntry.entity_type == "organisation", AuditEntry.entity_id == org.id))
    assert entry is not None and entry.action == "create"


def test_every_bad_field_is_named_at_once_in_chinese_and_in_english(db: Session) -> None:
    organiser = factories.actor(db, role="organiser")
    taken = factories.organisation(db)
    bad = {"slug": taken.slug, "kind": "bank", "name_zh": "中", "district": "浦东新区", "industries": ["炼钢"],
           "flags": ["famous"], "website": "ftp://x.cn", "country": "China", "park": "园" * 81}  # fmt: skip
    with pytest.raises(DomainError) as zh:
        organisations.create_organisation(db, actor=organiser, data=bad)
    found = _fields(zh.value)
    assert set(found) == {"slug", "kind", "name_zh", "district", "industries", "flags", "website", "country", "park"}
    assert found["website"] == "请填写完整网址，以 http:// 或 https:// 开头。"
    assert found["slug"] == f"网址标识“{taken.slug}”已被另一家机构使用。"
    token = set_locale("en")
    try:
        with pytest.raises(DomainError) as en:
            organisations.create_organisation(db, actor=organiser, data=bad)
    finally:
        reset_locale(token)
    assert _fields(en.value)["website"] == "Write the full address, beginning with http:// or https://."
    assert _fields(en.value)["kind"].startswith("Choose one of: government (Government)")
    assert db.scalar(select(Organisation).where(Organisation.name_zh == "中")) is None


def test_a_member_edits_its_own_profile_but_not_its_kind_or_slug_nor_another_organisation(db: Session) -> None:
    mine, other = factories.organisation(db), factories.organisation(db)
    member = factories.actor(db, role="enterprise", organisation=mine)
    organisations.update_organisation(db, actor=member, org=mine, data={"description_zh": "做机器人", "park": ""})
    assert (mine.description_zh, mine.park) == ("做机器人", None)
    with pytest.raises(DomainError) as refused:
        organisations.update_organisation(db, actor=member, org=mine, data={"kind": "investor", "slug": "renamed"})
    assert set(_fields(refused.value)) == {"kind", "slug"}
    organisations.update_organisation(db, actor=member, org=mine, data={"kind": mine.kind, "slug": mine.slug})
    with pytest.raises(PermissionDenied):
        organisations.update_organisation(db, actor=member, org=other, data={"name_en": "Taken over"})
    assert other.name_en != "Taken over"
    with pytest.raises(PermissionDenied):
        organisations.create_organisation(db, actor=member, data=NEW)


def test_an_organiser_renames_any_organisation_and_a_slug_stays_unique(db: Session) -> None:
    org, other = factories.organisation(db), factories.organisation(db)
    organiser = factories.actor(db, role="organiser")
    organisations.update_organisation(db, actor=organiser, org=org, data={"slug": "renamed-org", "kind": "investor"})
    assert (org.slug, org.kind) == ("renamed-org", "investor")
    with pytest.raises(DomainError) as refused:
        organisations.update_organisation(db, actor=organiser, org=other, data={"slug": "renamed-org"})
    assert set(_fields(refused.value)) == {"slug"}


def test_search_by_name_and_kind(db: Session) -> None:
    factories.organisation(db, name_zh="星河资本合伙企业", name_en="Galaxy Capital", kind="investor")
    factories.organisation(db, name_zh="星河科技", name_en="Galaxy Tech", kind="enterprise")
    rows, total = organisations.search_organisations(db, q="galaxy", kind="investor")
    assert (total, [r.name_zh for r in rows]) == (1, ["星河资本合伙企业"])
    assert organisations.search_organisations(db, q="100%")[1] == 0


# -- API ----------------------------------------------------------------------------------------------------------


def test_api_create_and_patch_with_the_own_organisation_rule(client: TestClient, db: Session) -> None:
    organiser = factories.account(db, role="organiser")
    mine, other = factories.organisation(db), factories.organisation(db)
    member = factories.account(db, role="investor", organisation=mine)
    db.commit()
    login(client, organiser.username, factories.PASSWORD)
    made = client.post("/api/v1/organisations", json={**NEW, "industries": ["人工智能"]})
    assert made.status_code == 201, made.text
    assert made.json()["industries"] == ["人工智能"]
    refused = client.post("/api/v1/organisations", json={**NEW, "website": "robotics"})
    assert refused.status_code == 422
    assert {d["field"] for d in refused.json()["error"]["details"]} == {"slug", "website"}
    client.post("/logout", data={})
    client.cookies.clear()
    login(client, member.username, factories.PASSWORD)
    edited = client.patch(f"/api/v1/organisations/{mine.slug}", json={"name_en": "Mine Capital", "flags": ["unicorn"]})
    assert edited.status_code == 200, edited.text
    assert (edited.json()["name_en"], edited.json()["flags"]) == ("Mine Capital", ["unicorn"])
    assert client.patch(f"/api/v1/organisations/{mine.slug}", json={"kind": "investor"}).status_code == 422
    assert client.patch(f"/api/v1/organisations/{other.slug}", json={"name_en": "X"}).status_code == 403
    assert client.post("/api/v1/organisations", json={**NEW, "slug": "by-member"}).status_code == 403


# -- command line -------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def db_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("organisations-cli") / "new.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


def _run(db_file: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["organisations", args[0], "--db", str(db_file), *args[1:]])


def test_cli_creates_updates_and_lists(db_file: Path) -> None:
    made = _run(db_file, "create", "--slug", "cli-ai", "--kind", "enterprise", "--name-zh", "智算科技",
                "--name-en", "Zhisuan Tech", "--district", "海淀区", "--industry", "人工智能", "--industry", "集成电路",
                "--website", "https://zhisuan.example.cn")  # fmt: skip
    assert made.exit_code == 0, made.output
    assert made.stdout == "created cli-ai (enterprise) 智算科技\n"
    changed = _run(db_file, "update", "--slug", "cli-ai", "--flag", "high_tech", "--park", "中关村软件园")
    assert changed.exit_code == 0, changed.output
    rows = [json.loads(line) for line in _run(db_file, "list", "--json", "-q", "智算").stdout.splitlines()]
    assert [(r["slug"], r["industries"], r["flags"]) for r in rows] == [("cli-ai", ["人工智能", "集成电路"], ["high_tech"])]


def test_cli_names_every_bad_option_on_its_own_line_and_writes_nothing(db_file: Path) -> None:
    refused = _run(db_file, "create", "--slug", "Bad Slug", "--kind", "bank", "--name-zh", "坏机构",
                   "--industry", "炼钢", "--website", "example.cn", "--lang", "en")  # fmt: skip
    assert refused.exit_code == 1
    lines = refused.stderr.splitlines()
    assert [line.split(":", 2)[1].strip() for line in lines] == ["--slug", "--kind", "--industry", "--website"]
    listed = _run(db_file, "list", "-q", "坏机构")
    assert listed.stdout == ""


# -- web pages ----------------------------------------------------------------------------------------------------


def _beside(html: str, field: str) -> str:
    found = re.search(rf'id="f-{field}-error" role="alert">([^<]*)<', html)
    assert found, f"no message beside {field}"
    return found.group(1)


def test_a_refused_form_comes_back_filled_in_with_chinese_messages_beside_the_fields(
    client: TestClient, db: Session
) -> None:
    organiser = factories.account(db, role="organiser")
    db.commit()
    login(client, organiser.username, factories.PASSWORD)
    form = {**NEW, "website": "robotics.cn", "industries": ["人工智能", "炼钢"], "csrf": csrf_of(client, "/organise/organisations/new")}
    page = client.post("/organise/organisations/new", data=form)
    assert page.status_code == 422
    assert _beside(page.text, "website") == "请填写完整网址，以 http:// 或 https:// 开头。"
    assert _beside(page.text, "industries").startswith("无法识别的产业领域 炼钢")
    assert 'name="name_zh" value="中关村机器人有限公司"' in page.text
    assert 'value="人工智能" checked' in page.text
    form["website"], form["industries"] = "https://robotics.example.cn", ["人工智能"]
    made = client.post("/organise/organisations/new", data=form, follow_redirects=False)
    assert made.status_code == 303 and made.headers["location"] == "/organisations/zgc-robotics/edit?saved=1"
    listed = client.get("/organise/organisations", params={"q": "机器人", "kind": "enterprise"})
    assert "/organisations/zgc-robotics/edit" in listed.text


def test_a_member_edits_its_profile_on_the_web_and_finds_the_link_on_its_page(client: TestClient, db: Session) -> None:
    mine, other = factories.organisation(db), factories.organisation(db)
    member = factories.account(db, role="enterprise", organisation=mine)
    db.commit()
    login(client, member.username, factories.PASSWORD)
    assert f'href="/organisations/{mine.slug}/edit"' in client.get(f"/organisations/{mine.slug}").text
    assert f'href="/organisations/{other.slug}/edit"' not in client.get(f"/organisations/{other.slug}").text
    form_page = client.get(f"/organisations/{mine.slug}/edit")
    assert 'name="slug"' not in form_page.text and 'name="kind"' not in form_page.text
    data = {"name_zh": mine.name_zh, "name_en": "Own Robotics", "country": "CN", "district": "朝阳区", "slug": "stolen",
            "csrf": csrf_of(client, f"/organisations/{mine.slug}/edit")}  # fmt: skip
    saved = client.post(f"/organisations/{mine.slug}/edit", data=data, follow_redirects=False)
    assert saved.status_code == 303
    db.expire_all()
    assert (mine.name_en, mine.district, mine.slug) == ("Own Robotics", "朝阳区", mine.slug)
    with in_english(client):
        data["name_zh"] = ""
        refused = client.post(f"/organisations/{mine.slug}/edit", data=data)
    assert refused.status_code == 422 and _beside(refused.text, "name_zh") == "Fill in this field."
    assert client.get(f"/organisations/{other.slug}/edit").status_code == 403
