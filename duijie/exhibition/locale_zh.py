"""Chinese translations of the exhibition's pages: the achievements released at the forums."""

from __future__ import annotations

ZH: dict[str, str | tuple[str, ...]] = {
    "%(num)s achievement": ("共 %(num)s 项成果",),
    "%(num)s achievement released": ("发布成果 %(num)s 项",),
    "Achievements released": "成果发布",
    "Add a release": "添加发布成果",
    "All fields": "全部领域",
    "All forums": "全部论坛",
    "Edit the release": "编辑发布成果",
    "Forum": "论坛",
    "Home": "首页",
    "Institution": "完成单位",
    "Institution (Chinese)": "完成单位（中文）",
    "Institution (English)": "完成单位（英文）",
    "Link to its video or page (https://...)": "视频或介绍页面链接（https://...）",
    "No achievement matches these filters.": "没有符合筛选条件的成果。",
    "No session %(id)s in this forum's programme.": "本论坛议程中没有编号为 %(id)s 的活动。",
    "No such achievement: %(id)s": "没有此成果：%(id)s",
    "Session where it was released": "发布该成果的论坛活动",
    "Only the organiser of this event adds its releases.": "只有本活动的主办方可以添加发布成果。",
    "Only the organiser of this event edits its releases.": "只有本活动的主办方可以编辑发布成果。",
    "Only the organiser of this event removes its releases.": "只有本活动的主办方可以删除发布成果。",
    "Order of release": "发布顺序",
    "Released on": "发布日期",
    "Remove this release? The audit log keeps what it said.": "确定删除该发布成果？审计日志会保留其内容。",
    "The major scientific and technological achievements each forum released, with who made them and the session where they were released.": "历届论坛发布的重大科技成果，包括完成单位和发布活动。",
    "Watch or read the release": "观看或阅读发布内容",
    "Words in the title or institution": "名称或完成单位中的词语",
}
