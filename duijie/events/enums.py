"""Kinds of events, the states of an event and of a registration."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from duijie.core.enums import LabelledEnum


class EventKind(LabelledEnum):
    FORUM = "forum", "论坛", "Forum"
    SUMMIT = "summit", "峰会/大会", "Summit"
    CONTEST = "contest", "大赛", "Contest"
    TRADING = "trading", "技术交易活动", "Technology trading event"
    EXHIBITION = "exhibition", "展览", "Exhibition"


class EventState(LabelledEnum):
    """An event is set up as a draft, seen by its organisers only, and published when it is ready."""

    DRAFT = "draft", "草稿", "Draft"
    PUBLISHED = "published", "已发布", "Published"


EVENT_STATE_TRANSITIONS: Mapping[str, frozenset[str]] = MappingProxyType(
    {"draft": frozenset({"published"}), "published": frozenset({"draft"})}
)


class RegistrationState(LabelledEnum):
    REGISTERED = "registered", "已报名", "Registered"
    CONFIRMED = "confirmed", "已确认", "Confirmed"
    CHECKED_IN = "checked_in", "已签到", "Checked in"
    NO_SHOW = "no_show", "未到场", "No-show"
    CANCELLED = "cancelled", "已取消", "Cancelled"


REGISTRATION_TRANSITIONS: dict[str, set[str]] = {
    "registered": {"confirmed", "cancelled", "checked_in"},
    "confirmed": {"checked_in", "no_show", "cancelled"},
    "checked_in": set(),
    "no_show": {"checked_in"},
    "cancelled": {"registered"},
}
