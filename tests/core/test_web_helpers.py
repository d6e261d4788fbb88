"""The shared helpers every module leans on: the redirect check, hooks, typed event settings, transitions and
the audited write."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from duijie.core import audit, i18n
from duijie.core.enums import LabelledEnum
from duijie.core.errors import InvalidTransition, NotFound
from duijie.core.hooks import Hook
from duijie.core.models import AuditEntry
from duijie.core.transitions import check
from duijie.core.web import safe_next
from duijie.events.service import get_event
from duijie.events.settings import setting
from tests import factories


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "/\\/evil.example",
        "https://evil.example/",
        "javascript:alert(1)",
        "evil.example",
        "",
        None,
        "/ok\\..\\x",
        "/\tevil",
    ],
)
def test_safe_next_refuses_targets_that_leave_the_site(target: object) -> None:
    assert safe_next(target, "/home") == "/home"


@pytest.mark.parametrize("target", ["/", "/projects?kind=tech_offer&page=2", "/events/x/meetings#grid", "/%0a"])
def test_safe_next_keeps_paths_of_this_site(target: str) -> None:
    assert safe_next(target, "/home") == target


def test_a_hook_keeps_order_and_a_second_registration_replaces_the_first() -> None:
    hook: Hook[str] = Hook("sections")
    hook.register("b", key="b")
    hook.register("a", key="a", order=10)
    hook.register("b2", key="b")
    assert list(hook) == ["a", "b2"]


def test_event_lookup_is_by_slug_only_and_says_which_slug_is_missing(db: Session) -> None:
    made = factories.event(db, slug="2031")
    assert get_event(db, slug="2031").id == made.id
    with pytest.raises(NotFound) as refused:
        get_event(db, slug=str(made.id) + "-none")
    assert f"{made.id}-none" in refused.value.message
    with pytest.raises(NotFound):
        get_event(db, slug="2031", kind="contest")


def test_typed_settings_fall_back_to_the_default_and_are_per_event(db: Session) -> None:
    key = setting("test.weights", dict, {"a": 1})
    one, two = factories.event(db), factories.event(db)
    assert key.get(db, event_id=one.id) == {"a": 1} and not key.is_set(db, event_id=one.id)
    key.put(db, event_id=one.id, value={"a": 2})
    assert key.get(db, event_id=one.id) == {"a": 2} and key.get(db, event_id=two.id) == {"a": 1}
    with pytest.raises(TypeError):
        key.put(db, event_id=one.id, value=[1])  # type: ignore[arg-type]
    key.clear(db, event_id=one.id)
    assert key.get(db, event_id=one.id) == {"a": 1}


class _State(LabelledEnum):
    OPEN = ("open", "进行中", "Open")
    DONE = ("done", "已完成", "Done")


def test_a_refused_transition_names_both_states_in_the_request_language() -> None:
    table = {"open": {"done"}, "done": set()}
    check(table, "open", "done", states=_State, message="%(a)s→%(b)s", field="state")
    for locale, expected in (("en", "Done→Open"), ("zh_CN", "已完成→进行中")):
        token = i18n.set_locale(locale)
        try:
            with pytest.raises(InvalidTransition) as refused:
                check(table, "done", "open", states=_State, message="%(a)s→%(b)s", field="state")
        finally:
            i18n.reset_locale(token)
        assert refused.value.message == expected and refused.value.field == "state"


def test_the_audited_write_records_only_what_changed(db: Session) -> None:
    org = factories.organisation(db, name_zh="甲", district="海淀区")
    actor = factories.actor(db, role="organiser")
    before, after = audit.apply(
        db, actor=actor, obj=org, changes={"name_zh": "乙", "district": "海淀区"}, entity_type="org", action="edit"
    )
    assert (before, after) == ({"name_zh": "甲"}, {"name_zh": "乙"}) and org.name_zh == "乙"
    assert audit.apply(db, actor=actor, obj=org, changes={"name_zh": "乙"}, entity_type="org", action="edit") == ({}, {})
    rows = db.scalars(select(AuditEntry).where(AuditEntry.entity_type == "org", AuditEntry.entity_id == org.id)).all()
    assert [(r.before, r.after, r.actor_id) for r in rows] == [({"name_zh": "甲"}, {"name_zh": "乙"}, actor.account_id)]
