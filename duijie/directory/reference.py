"""Reference lists the whole platform shares: Beijing's districts and the 高精尖 industries, with English names.

The order is the order pages list them in (districts as in official statistics, industries as in the sources).
"""

from __future__ import annotations

DISTRICT_EN: dict[str, str] = {
    "东城区": "Dongcheng District",
    "西城区": "Xicheng District",
    "朝阳区": "Chaoyang District",
    "海淀区": "Haidian District",
    "丰台区": "Fengtai District",
    "石景山区": "Shijingshan District",
    "门头沟区": "Mentougou District",
    "房山区": "Fangshan District",
    "通州区": "Tongzhou District",
    "顺义区": "Shunyi District",
    "昌平区": "Changping District",
    "大兴区": "Daxing District",
    "怀柔区": "Huairou District",
    "平谷区": "Pinggu District",
    "密云区": "Miyun District",
    "延庆区": "Yanqing District",
    "北京经济技术开发区": "Beijing Economic-Technological Development Area",
}

DISTRICT_SLUG: dict[str, str] = {
    "东城区": "dongcheng",
    "西城区": "xicheng",
    "朝阳区": "chaoyang",
    "海淀区": "haidian",
    "丰台区": "fengtai",
    "石景山区": "shijingshan",
    "门头沟区": "mentougou",
    "房山区": "fangshan",
    "通州区": "tongzhou",
    "顺义区": "shunyi",
    "昌平区": "changping",
    "大兴区": "daxing",
    "怀柔区": "huairou",
    "平谷区": "pinggu",
    "密云区": "miyun",
    "延庆区": "yanqing",
    "北京经济技术开发区": "etdz",
}

INDUSTRY_EN: dict[str, str] = {
    "新一代信息技术": "Next-generation information technology",
    "集成电路": "Integrated circuits",
    "人工智能": "Artificial intelligence",
    "软件和信息服务": "Software and information services",
    "医药健康": "Medicine and health",
    "智能制造与装备": "Intelligent manufacturing and equipment",
    "科技服务": "Technology services",
    "绿色能源与节能环保": "Green energy and environmental protection",
    "新能源智能汽车": "New-energy intelligent vehicles",
    "智能网联汽车": "Intelligent connected vehicles",
    "生物科技": "Biotechnology",
    "新材料": "New materials",
    "商业航天": "Commercial space",
    "低空经济": "Low-altitude economy",
    "量子信息": "Quantum information",
    "机器人": "Robotics",
}

ETDZ = "北京经济技术开发区"
