"""Chinese for the organiser's hand on the grid: moving and unpinning a placed meeting, placing one outside
someone's free time, and the scheduler's figures in an organiser's words."""

from __future__ import annotations

ZH: dict[str, str | tuple[str, ...]] = {
    # Moving a placed meeting.
    "Reschedule or change table": "改期/换桌",
    "Choose a meeting to reschedule it, change its table or unpin it.": "点击一场洽谈，可改期、换桌或解除锁定。",
    "Now: %(time)s, table %(table)s": "当前：%(time)s，%(table)s 号桌",
    "It stays where it is; the next run of the scheduler may move it.": "洽谈暂留原处；下次运行排期时可能被调整。",
    "A move pins the meeting at its new place; both sides are notified, and their calendars show the new time.": "调整后洽谈锁定在新的时段和桌位；双方会收到通知，订阅的日历也会显示新时间。",
    "When both are available": "双方都有空的时段",
    "Outside someone's available time": "有一方不在可约时间内的时段",
    "You may still choose one of these; the page asks you to confirm first.": "仍可选择这些时段，但需要先确认。",
    "Not available": "没空的一方",
    "Free tables": "空闲桌位",
    "Move here": "移到这里",
    "No free place: at these times one of the two already meets someone, or every table is taken.": "没有空位：这些时段双方中有人已有洽谈，或桌位已全部占用。",
    "(now here: another table)": "（当前时段，换桌）",
    "Back to the grid": "返回排期表",
    "The meeting is moved and pinned at its new place; both sides are notified.": "洽谈已调整并锁定在新的时段和桌位，已通知双方。",
    "The meeting is unpinned: it stays where it is until the next run of the scheduler, which may move it.": "已解除锁定：洽谈暂留原处，下次运行排期时可能被调整。",
    # Outside someone's free time.
    "%(who)s is not available at %(slot)s.": "%(who)s 在 %(slot)s 没有空（未标为可约时间）。",
    "Place the meeting there anyway? Both sides are notified of the new time.": "仍要安排在这个时间吗？双方会收到新时间的通知。",
    "Place it there anyway": "仍然安排在此",
    "Choose another time": "另选时间",
    # The last run in an organiser's words.
    "However the meetings are arranged, these requests can score at most %(bound)s points; this plan scores %(held)s (%(pct)s%%).": "无论怎样排，这些洽谈申请最多能得 %(bound)s 分；本次排期得 %(held)s 分（达到 %(pct)s%%）。",
    "Between their meetings participants wait through %(n)s empty slots in all; any plan with these meetings leaves at least %(m)s.": "参会方在两场洽谈之间共空等 %(n)s 个时段；只要安排这些洽谈，任何排法都至少会空等 %(m)s 个时段。",
    "Points scored (a meeting counts by its priority and both sides' interest)": "排期得分（每场洽谈按优先级和双方意向计分）",
    "Most points any plan can score (proven)": "任何排法最多能得的分数（已证明）",
    "Short of that maximum by": "距最高可能得分还差",
    "Empty slots between a participant's meetings": "参会方两场洽谈之间的空等时段",
    "Fewest empty slots any plan with these meetings leaves (proven)": "安排这些洽谈至少会有的空等时段（已证明）",
}
