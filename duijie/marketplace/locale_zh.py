"""Chinese for the opportunity page's technology facts (readiness level, IP status, terms, price or budget)."""

from __future__ import annotations

ZH: dict[str, str | tuple[str, ...]] = {
    "About this demand": "需求描述",
    "About this technology": "成果简介",
    "Asking price": "意向价格",
    "Budget": "预算金额",
    "Cooperation sought": "期望合作方式",
    "IP status": "知识产权状态",
    "Licensing terms": "交易方式",
    "Required readiness level": "技术成熟度要求",
    "TRL %(n)s": "%(n)s级",
    "TRL %(n)s or above": "%(n)s级及以上",
    "Technology readiness level": "技术成熟度",
    "Technology readiness levels run from 1 (principle observed) to 9 (proven in volume use).": (
        "技术成熟度分为1至9级：1级为发现基本原理，9级为已实现批量应用。"
    ),
    "To be negotiated": "面议",
}
