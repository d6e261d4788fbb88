"""States of meeting requests and meetings, with their allowed transitions."""

from __future__ import annotations

from duijie.core.enums import LabelledEnum


class RequestState(LabelledEnum):
    REQUESTED = "requested", "待回复", "Requested"
    ACCEPTED = "accepted", "已接受", "Accepted"
    DECLINED = "declined", "已谢绝", "Declined"
    CANCELLED = "cancelled", "已取消", "Cancelled"


REQUEST_TRANSITIONS: dict[str, set[str]] = {
    "requested": {"accepted", "declined", "cancelled"},
    "accepted": {"cancelled"},
    "declined": set(),
    "cancelled": set(),
}


class MeetingState(LabelledEnum):
    PLANNED = "planned", "已排期", "Planned"
    CONFIRMED = "confirmed", "已确认", "Confirmed"
    HELD = "held", "已举行", "Held"
    NO_SHOW = "no_show", "缺席", "No-show"
    CANCELLED = "cancelled", "已取消", "Cancelled"


MEETING_TRANSITIONS: dict[str, set[str]] = {
    "planned": {"confirmed", "cancelled"},
    "confirmed": {"held", "no_show", "cancelled"},
    "held": set(),
    "no_show": {"held"},
    "cancelled": set(),
}
