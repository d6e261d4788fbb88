"""Chinese translations of the search page's strings and the kinds' names, merged by `make messages`."""

from __future__ import annotations

ZH: dict[str, str | tuple[str, ...]] = {
    "%(num)s result": ("共 %(num)s 条结果",),
    "Achievements": "科技成果",
    "All kinds": "全部类型",
    "Amount from": "金额下限",
    "Amount to": "金额上限",
    "Chinese or English, e.g. 集成电路 or artificial intelligence park": (
        "中文或英文均可，如：集成电路、artificial intelligence park"
    ),
    "Exhibitors": "参展单位",
    "Kind": "类型",
    "Kinds": "结果类型",
    "More filters": "更多筛选条件",
    "Only the first %(max)s characters of the search were used.": "搜索词过长，仅使用了前 %(max)s 个字符。",
    "More results of this kind": "查看该类型的更多结果",
    "Nothing matches these words and filters.": "没有符合该关键词和筛选条件的结果。",
    "Organisations": "机构",
    "Policies": "政策",
    "Policy packages": "政策服务包",
    "Projects and technology": "项目与技术",
    "Search": "搜索",
    "Search projects, organisations, policies, achievements, exhibitors and sessions, in Chinese or English: a Chinese query also finds English records.": (
        "可检索项目、机构、政策、科技成果、参展单位和会议议程，中英文均可：以中文检索，也能找到英文记录，反之亦然。"
    ),
    "Sessions": "会议议程",
    "The limit must be between 1 and %(max)d.": "每类结果数须在 1 至 %(max)d 之间。",
    "The minimum amount is larger than the maximum.": "金额下限大于上限，请调整。",
    "Unknown kind: choose one of %(kinds)s.": "类型无效，请从以下选项中选择：%(kinds)s。",
    "Unknown search mode: choose one of %(modes)s.": "检索方式无效，请从以下选项中选择：%(modes)s。",
    "Words": "关键词",
    "e.g. 1亿": "如 1亿",
    "e.g. 50亿": "如 50亿",
    "matching words only": "仅按关键词匹配",
}
