"""Chinese of the programme's service, API, commands and change mails (editing, conflicts, import, publication)."""

from __future__ import annotations

ZH: dict[str, str | tuple[str, ...]] = {
    "%(missing)s of %(checked)s texts lack their English.": "%(checked)s 条文字中有 %(missing)s 条缺少英文。",
    "%(n)s conflicts.": "共 %(n)s 处冲突。",
    "%(value)s is not a time; write it like 2026-04-25T09:00+08:00, or 2026-04-25 09:00 in the event's time zone (%(zone)s).":
        "%(value)s 不是有效时间，请写成 2026-04-25T09:00+08:00，或按活动时区（%(zone)s）写成 2026-04-25 09:00。",
    "%(value)s is not a whole number.": "%(value)s 不是整数。",
    "%(value)s is not one of: %(allowed)s.": "%(value)s 不在可选范围内，请从以下选择：%(allowed)s。",
    "A session you speak at, starred or registered for is moved, changed or cancelled.":
        "您担任嘉宾、收藏或报名的议程改期、变更或取消时通知您。",
    "An online session needs the address of its stream.": "线上议程需要填写直播地址。",
    "Answer yes or no.": "请回答“是”或“否”。",
    "Changes to the programme": "议程变更",
    "Expected a JSON object with rooms, tracks, sessions and profiles.":
        "应为包含 rooms（会场）、tracks（专题）、sessions（议程）和 profiles（嘉宾资料）的 JSON 对象。",
    "Expected a list of [start, end] pairs.": "应为由 [开始, 结束] 组成的列表。",
    "Expected a list of people.": "应为人员列表。",
    "Expected an object of rule → severity.": "应为“规则 → 处理级别”的对象。",
    "Expected an object.": "应为对象。",
    "Give a whole number from %(min)s to %(max)s.": "请填写 %(min)s 到 %(max)s 之间的整数。",
    "Give both the start and the end, or neither (a session not yet placed in time).":
        "请同时填写开始和结束时间，或都不填（暂未排定时间的议程）。",
    "Give the photo's path on this site (/media/...) or its https:// address.":
        "请填写照片在本站的路径（/media/...）或以 https:// 开头的地址。",
    "Give the stream's web address, starting with https://.": "请填写以 https:// 开头的直播网址。",
    "Only the organisers of this event may change its programme.": "只有本活动的主办方可以修改议程。",
    "Refused: %(conflict)s.": "无法保存：%(conflict)s。",
    "Several people are named “%(name)s” (ids %(ids)s); give the id.": "有多人名为“%(name)s”（编号 %(ids)s），请填写编号。",
    "The end must be after the start.": "结束时间必须晚于开始时间。",
    "The event runs from %(start)s to %(end)s (%(zone)s); the session must lie within those days.":
        "活动日期为 %(start)s 至 %(end)s（%(zone)s），议程须安排在这些日期之内。",
    "The file cannot be read as JSON (%(reason)s).": "无法按 JSON 读取该文件（%(reason)s）。",
    "The organiser has published changes to the programme of %(event)s that concern you (times in %(zone)s):":
        "主办方发布了%(event)s与您相关的议程变更（时间为%(zone)s）：",
    "The programme of %(event)s has changed": "%(event)s议程有变更",
    "The room holds sessions (%(names)s); move them to another room first.": "该会场已安排议程（%(names)s），请先将其移到其他会场。",
    "The session must end after it starts (%(start)s).": "议程结束时间必须晚于开始时间（%(start)s）。",
    "The whole programme:": "完整议程：",
    "There is no person %(id)s.": "没有编号为 %(id)s 的人员。",
    "There is no person named “%(name)s”.": "没有名为“%(name)s”的人员。",
    "There is no room %(id)s in this programme.": "本议程中没有编号为 %(id)s 的会场。",
    "There is no session %(id)s in this programme.": "本议程中没有编号为 %(id)s 的场次。",
    "There is no track %(id)s in this programme.": "本议程中没有编号为 %(id)s 的专题。",
    "There is no “%(name)s” in this programme or this file.": "本议程和该文件中都没有“%(name)s”。",
    "There is no “%(name)s” in this programme.": "本议程中没有“%(name)s”。",
    "This person has no speaker profile at this event.": "此人在本活动中没有嘉宾资料。",
    "This person is already on the session.": "此人已在该场次中。",
    "This person is not on the session.": "此人不在该场次中。",
    "Unknown part; expected rooms, tracks, sessions or profiles.": "无法识别的部分，应为 rooms、tracks、sessions 或 profiles。",
    "back in the programme": "已恢复",
    "changed:": "变更：",
    "imported %(rooms)s rooms, %(tracks)s tracks, %(sessions)s sessions, %(profiles)s profiles":
        "已导入会场 %(rooms)s 个、专题 %(tracks)s 个、场次 %(sessions)s 个、嘉宾资料 %(profiles)s 份",
    "person %(id)s": "人员 %(id)s",
    "release %(n)s: %(changes)s changes, %(notified)s people told": "第 %(n)s 版：%(changes)s 处变更，已通知 %(notified)s 人",
    "room %(id)s": "会场 %(id)s",
    "session %(id)s": "场次 %(id)s",
    "warning: %(message)s": "提醒：%(message)s",
    "“%(name)s” is already used in this programme.": "本议程中已有“%(name)s”。",
}
