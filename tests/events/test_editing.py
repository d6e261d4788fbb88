"""The rules of setting up events (`events.editing`, `events.figures`): each refusal names its field in the
request's language, nothing is half-written, and every change is audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from duijie.core.auth import Actor
from duijie.core.errors import DomainError, PermissionDenied
from duijie.core.i18n import reset_locale, set_locale
from duijie.core.models import AuditEntry
from duijie.directory.accounts import actor_for_account
from duijie.events import editing, figures
from duijie.events.editing import EventInUse
from duijie.events.enums import EventState
from duijie.events.models import Event, PublishedFigure
from duijie.events.permissions import can_manage_event
from tests import factories
from tests.events import factories as ev


@pytest.fixture
def english() -> Iterator[None]:
    token = set_locale("en")
    yield
    reset_locale(token)


def _city(db: Session) -> Actor:
    return actor_for_account(ev.organiser(db))


def _fields(error: DomainError) -> dict[str, str]:
    return {d.field or "": d.message for d in error.details}


def _summit(**values: object) -> dict[str, object]:
    data: dict[str, object] = {
        "slug": "new-summit",
        "kind": "summit",
        "name_zh": "新峰会",
        "name_en": "New summit",
        "starts_on": "2027-06-01",
        "ends_on": "2027-06-02",
    }
    data.update(values)
    return data


def test_a_new_event_is_a_draft_with_the_defaults_and_an_audit_entry(db: Session) -> None:
    actor = _city(db)
    event = editing.create_event(db, actor=actor, data=_summit(venue="国家会议中心"))
    assert (event.is_published, event.city, event.timezone, event.venue) == (False, "北京", "Asia/Shanghai", "国家会议中心")
    entry = db.scalar(select(AuditEntry).where(AuditEntry.entity_type == "event", AuditEntry.entity_id == event.id))
    assert entry is not None and (entry.action, entry.actor_id) == ("create", actor.account_id)
    assert entry.after is not None and entry.after["slug"] == "new-summit"


def test_every_problem_is_named_by_its_field_in_chinese(db: Session) -> None:
    with pytest.raises(DomainError) as caught:
        editing.create_event(
            db, actor=_city(db),
            data=_summit(slug="Bad Slug", name_en="", starts_on="2027-06-09", ends_on="2027-06-02", timezone="Mars/Base"),
        )  # fmt: skip
    assert _fields(caught.value) == {
        "slug": "请使用小写字母、数字和连字符（如 invest-beijing-2025），最多 80 个字符。",
        "name_en": "请填写此项。",
        "timezone": "Mars/Base 不是有效的时区，请填写 IANA 时区名称，如 Asia/Shanghai 或 Europe/Berlin。",
        "ends_on": "活动的结束日期（2027-06-02）不能早于开始日期（2027-06-09）。",
    }
    assert db.scalar(select(Event).where(Event.name_zh == "新峰会")) is None


def test_every_problem_is_named_by_its_field_in_english(db: Session, english: None) -> None:
    with pytest.raises(DomainError) as caught:
        editing.create_event(db, actor=_city(db), data=_summit(kind="party", starts_on="2027-13-01"))
    found = _fields(caught.value)
    assert found["starts_on"] == "2027-13-01 is not a date (write 2024-04-25)"
    assert found["kind"].startswith("Choose one of: forum (Forum), summit (Summit)")


def test_an_event_inside_a_forum_lies_within_its_dates(db: Session, english: None) -> None:
    forum = ev.forum(db, name_en="Spring Forum")
    with pytest.raises(DomainError) as caught:
        editing.create_event(db, actor=_city(db), data=_summit(parent=forum.slug, starts_on="2027-05-09", ends_on="2027-05-10"))
    assert _fields(caught.value) == {
        "starts_on": "The event is held during “Spring Forum”: its dates must lie from 2027-05-10 to 2027-05-14."
    }
    inside = editing.create_event(
        db, actor=_city(db), data=_summit(parent=forum.slug, starts_on="2027-05-11", ends_on="2027-05-12")
    )
    assert inside.parent is forum


def test_a_contest_runs_before_the_forum_and_holds_its_final_during_it(db: Session, english: None) -> None:
    forum = ev.forum(db, name_en="Spring Forum")
    contest = editing.create_event(
        db, actor=_city(db), data=_summit(kind="contest", parent=forum.slug, starts_on="2027-01-01", ends_on="2027-05-10")
    )
    assert contest.parent_id == forum.id
    with pytest.raises(DomainError) as caught:
        editing.update_event(db, actor=_city(db), event=contest, data={"ends_on": "2027-05-20"})
    assert _fields(caught.value) == {
        "ends_on": "A contest holds its final during “Spring Forum”: its end date must lie from 2027-05-10 to 2027-05-14."
    }


def test_only_a_forum_holds_events(db: Session, english: None) -> None:
    summit = factories.event(db, name_en="Lone Summit")
    with pytest.raises(DomainError) as caught:
        editing.create_event(db, actor=_city(db), data=_summit(parent=summit.slug))
    assert _fields(caught.value) == {"parent": "“Lone Summit” is not a forum: events are held inside a forum."}
    forum = ev.forum(db)
    with pytest.raises(DomainError) as nested:
        editing.create_event(db, actor=_city(db), data=_summit(kind="forum", parent=forum.slug, starts_on="2027-05-11", ends_on="2027-05-11"))
    assert _fields(nested.value) == {"parent": "A forum stands on its own: it cannot sit inside another event."}


def test_a_forum_keeps_its_events_inside_its_dates_and_its_kind(db: Session, english: None) -> None:
    forum = ev.forum(db)
    ev.inside(db, forum, name_en="Inner Summit")
    with pytest.raises(DomainError) as moved:
        editing.update_event(db, actor=_city(db), event=forum, data={"starts_on": "2027-05-12"})
    assert _fields(moved.value) == {
        "starts_on": "“Inner Summit” (2027-05-11 to 2027-05-11) is held inside this event and would fall outside its "
        "dates; change that event first."
    }
    with pytest.raises(DomainError) as kind:
        editing.update_event(db, actor=_city(db), event=forum, data={"kind": "summit"})
    assert _fields(kind.value) == {
        "kind": "This event holds other events (Inner Summit); only a forum can hold events."
    }
    db.refresh(forum)
    assert (forum.kind, forum.starts_on) == ("forum", dt.date(2027, 5, 10))


def test_a_slug_is_unique_and_a_published_event_keeps_it(db: Session, english: None) -> None:
    taken = factories.event(db)
    with pytest.raises(DomainError) as caught:
        editing.create_event(db, actor=_city(db), data=_summit(slug=taken.slug))
    assert _fields(caught.value) == {"slug": f"The slug “{taken.slug}” is taken by another event."}
    with pytest.raises(DomainError) as renamed:
        editing.update_event(db, actor=_city(db), event=taken, data={"slug": "another-name"})
    assert _fields(renamed.value) == {"slug": "A published event keeps its address; unpublish it to change the slug."}
    draft = ev.draft(db)
    editing.update_event(db, actor=_city(db), event=draft, data={"slug": "renamed-draft"})
    assert draft.slug == "renamed-draft"


def test_an_edit_changes_only_the_given_fields_and_records_before_and_after(db: Session) -> None:
    event = factories.event(db, venue="旧场馆")
    editing.update_event(db, actor=_city(db), event=event, data={"venue": "国家会议中心", "timezone": "Europe/Berlin"})
    assert (event.venue, event.timezone, event.name_zh.startswith("测试活动")) == ("国家会议中心", "Europe/Berlin", True)
    entry = db.scalars(
        select(AuditEntry).where(AuditEntry.entity_type == "event", AuditEntry.entity_id == event.id)
    ).one()
    assert (entry.action, entry.before, entry.after) == (
        "update",
        {"venue": "旧场馆", "timezone": "Asia/Shanghai"},
        {"venue": "国家会议中心", "timezone": "Europe/Berlin"},
    )


def test_an_organiser_of_one_event_edits_it_and_its_events_only(db: Session) -> None:
    forum = ev.forum(db)
    summit = ev.inside(db, forum)
    other = factories.event(db)
    scoped = actor_for_account(ev.organiser(db, forum))
    assert [can_manage_event(scoped, e) for e in (forum, summit, other)] == [True, True, False]
    with pytest.raises(PermissionDenied):
        editing.create_event(db, actor=scoped, data=_summit())
    inner = editing.create_event(db, actor=scoped, data=_summit(parent=forum.slug, starts_on="2027-05-12", ends_on="2027-05-12"))
    assert inner.parent_id == forum.id
    with pytest.raises(PermissionDenied):
        editing.update_event(db, actor=scoped, event=inner, data={"parent": None})
    summit_only = actor_for_account(ev.organiser(db, summit))
    assert [can_manage_event(summit_only, e) for e in (forum, summit)] == [False, True]


def test_publishing_follows_the_forum(db: Session, english: None) -> None:
    forum = ev.forum(db, is_published=False, name_en="Draft Forum")
    summit = ev.inside(db, forum, is_published=False)
    actor = _city(db)
    with pytest.raises(EventInUse) as early:
        editing.set_event_state(db, actor=actor, event=summit, to=EventState.PUBLISHED)
    assert early.value.message == "Publish “Draft Forum” first: an event inside a draft cannot be published."
    editing.set_event_state(db, actor=actor, event=forum, to=EventState.PUBLISHED)
    editing.set_event_state(db, actor=actor, event=summit, to=EventState.PUBLISHED)
    with pytest.raises(EventInUse) as held:
        editing.set_event_state(db, actor=actor, event=forum, to=EventState.DRAFT)
    assert held.value.message.startswith("Events inside this one are published (")
    with pytest.raises(DomainError) as again:
        editing.set_event_state(db, actor=actor, event=summit, to=EventState.PUBLISHED)
    assert again.value.message == "The event cannot go from Published to Published."
    actions = db.scalars(
        select(AuditEntry.action).where(AuditEntry.entity_type == "event", AuditEntry.entity_id == summit.id)
    ).all()
    assert actions == ["publish"]


def test_a_published_event_or_one_with_records_is_not_deleted(db: Session, english: None) -> None:
    actor = _city(db)
    published = factories.event(db)
    with pytest.raises(EventInUse) as shown:
        editing.delete_event(db, actor=actor, event=published)
    assert shown.value.message == "Only a draft can be deleted: take the event back to draft first."
    forum = ev.forum(db, is_published=False)
    ev.inside(db, forum, is_published=False)
    ev.organiser(db, forum)
    ev.organiser(db, forum)
    with pytest.raises(EventInUse) as held:
        editing.delete_event(db, actor=actor, event=forum)
    assert held.value.message == (
        "The event cannot be deleted: it holds events inside it 1、account roles 2. Remove those first, or keep it "
        "as a draft."
    )
    assert db.get(Event, forum.id) is not None


def test_a_draft_that_nothing_holds_is_deleted_with_its_figures(db: Session) -> None:
    actor = _city(db)
    draft = ev.draft(db)
    figure = ev.figure(db, draft)
    draft_id, figure_id = draft.id, figure.id
    editing.delete_event(db, actor=actor, event=draft)
    assert db.get(Event, draft_id) is None and db.get(PublishedFigure, figure_id) is None
    entry = db.scalars(
        select(AuditEntry).where(AuditEntry.entity_type == "event", AuditEntry.entity_id == draft_id)
    ).one()
    assert entry.action == "delete" and entry.before is not None and entry.before["slug"] == draft.slug


def test_a_figure_names_a_readable_source_and_a_plain_number(db: Session, english: None) -> None:
    event = factories.event(db)
    with pytest.raises(DomainError) as caught:
        figures.add_figure(
            db, actor=_city(db), event=event,
            data={"key": "Signed", "label_zh": "签约", "label_en": "", "value": "6.5E+2", "unit": "个",
                  "source": "001_6293e60d3791e49e.txt"},
        )  # fmt: skip
    assert _fields(caught.value) == {
        "key": "Use lower-case letters, digits and underscores, starting with a letter (such as signed_amount).",
        "label_en": "Fill in this field.",
        "value": "6.5E+2 is not a number (write 5000 or 1434.5).",
        "source": "Name the document a reader can look up (title, publisher, date) or give its web address, not a "
        "file name.",
    }
    added = figures.add_figure(
        db, actor=_city(db), event=event,
        data={"key": "signed_amount", "label_zh": "签约金额", "label_en": "Amount signed", "value": "1,434.5",
              "unit": "亿元", "qualifier": "超", "source": "https://www.beijing.gov.cn/ywdt/"},
    )  # fmt: skip
    assert (added.value, added.source_is_url) == (Decimal("1434.5"), True)
    with pytest.raises(DomainError) as twice:
        figures.add_figure(db, actor=_city(db), event=event, data={"key": "signed_amount", "label_zh": "x",
                                                                      "label_en": "x", "value": "1", "unit": "个"})
    assert _fields(twice.value) == {"key": "The event already has a figure “signed_amount”."}
    figures.update_figure(db, actor=_city(db), event=event, figure=added, data={"value": "1500"})
    figures.delete_figure(db, actor=_city(db), event=event, figure=added)
    actions = db.scalars(
        select(AuditEntry.action).where(AuditEntry.entity_type == "published_figure", AuditEntry.event_id == event.id)
        .order_by(AuditEntry.id)
    ).all()
    assert actions == ["create", "update", "delete"]
