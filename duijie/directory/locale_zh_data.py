"""Chinese for an organisation's stated facts and investment preferences (`profile_data`, the edit page's
sections, the API and the command line); merged by `make messages`."""

ZH: dict[str, str | tuple[str, ...]] = {
    "Unknown value %(v)s; choose from: %(allowed)s.": "无法识别的取值 %(v)s；可选：%(allowed)s。",
    "Write a whole number that is not negative.": "请填写不小于零的整数。",
    "Write a number that is not negative.": "请填写不小于零的数值。",
    "Write a ratio such as 5% or 0.05.": "请填写比例，如 5% 或 0.05。",
    "Write a ratio of at most %(max)s.": "比例不能超过 %(max)s。",
    "Write a date as YYYY-MM-DD.": "请按 YYYY-MM-DD 格式填写日期。",
    "%(fact)s cannot be later than today.": "%(fact)s不能晚于今天。",
    "Write a date from 1900 on.": "请填写 1900 年以后的日期。",
    "Write an amount such as 2亿, 3000万 or 200000000.": "请填写金额，例如 2亿、3000万 或 200000000。",
    "Choose yes or no.": "请选择“是”或“否”。",
    "Unknown key %(key)s; the keys are: %(known)s.": "无法识别的项目 %(key)s；可用的项目：%(known)s。",
    "The smallest ticket is above the largest; swap them or correct one.": "单笔投资下限高于上限，请对调或修改其中一项。",
    "Give the keys and their values as an object.": "请以对象形式给出各项及其取值。",
    "Stated facts": "企业自报信息",
    "Investment preferences": "投资偏好",
    "What the policy checks read about this enterprise. Amounts in yuan, written as 2亿, 3000万 or 200000000; leave a field empty when it is not known.": (
        "政策匹配读取的企业信息。金额以元计，可写作 2亿、3000万 或 200000000；不清楚的项目请留空。"
    ),
    "What the recommendations read: which projects are shown to this investor and how well they fit. Ticket sizes in yuan, written as 5000万 or 2亿.": (
        "智能推荐读取的偏好：向该机构推荐哪些项目、匹配程度如何。单笔投资金额以元计，可写作 5000万 或 2亿。"
    ),
    "not stated": "未填报",
    "yes": "是",
    "no": "否",
    "such as 2亿 or 3000万": "例如 2亿 或 3000万",
}
