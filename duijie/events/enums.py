"""Kinds of events and the states of an event."""

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
