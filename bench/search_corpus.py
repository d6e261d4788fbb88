"""A generated bilingual corpus of opportunities and a labelled query set for the search benchmark.

Each record is an investment project, technology offer or demand, financing need or space offer in one of the
16 industries and 17 districts of the source facts, written in Chinese or English (50 % each) around one of
32 topics. Queries are written from a topic (and sometimes a district) in either language; a record's
relevance grade follows from the generator alone: 2 = same topic (and district when the query names one),
1 = same topic in another district, or same industry when the query names no district.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

INDUSTRIES: list[tuple[str, str]] = [
    ("新一代信息技术", "next-generation information technology"),
    ("集成电路", "integrated circuits"),
    ("人工智能", "artificial intelligence"),
    ("软件和信息服务", "software and information services"),
    ("医药健康", "pharmaceuticals and health"),
    ("智能制造与装备", "intelligent manufacturing and equipment"),
    ("科技服务", "technology services"),
    ("绿色能源与节能环保", "green energy and environmental protection"),
    ("新能源智能汽车", "new energy vehicles"),
    ("智能网联汽车", "connected autonomous vehicles"),
    ("生物科技", "biotechnology"),
    ("新材料", "advanced materials"),
    ("商业航天", "commercial space"),
    ("低空经济", "low-altitude economy"),
    ("量子信息", "quantum information"),
    ("机器人", "robotics"),
]

DISTRICTS: list[tuple[str, str]] = [
    ("东城区", "Dongcheng"),
    ("西城区", "Xicheng"),
    ("朝阳区", "Chaoyang"),
    ("海淀区", "Haidian"),
    ("丰台区", "Fengtai"),
    ("石景山区", "Shijingshan"),
    ("门头沟区", "Mentougou"),
    ("房山区", "Fangshan"),
    ("通州区", "Tongzhou"),
    ("顺义区", "Shunyi"),
    ("昌平区", "Changping"),
    ("大兴区", "Daxing"),
    ("怀柔区", "Huairou"),
    ("平谷区", "Pinggu"),
    ("密云区", "Miyun"),
    ("延庆区", "Yanqing"),
    ("北京经济技术开发区", "Beijing Economic-Technological Development Area"),
]

CATEGORIES: list[tuple[str, str]] = [
    ("企业融资", "enterprise financing"),
    ("园区合作", "park cooperation"),
    ("楼宇合作", "building cooperation"),
    ("土地融资", "land financing"),
]

KINDS: list[tuple[str, str]] = [
    ("招商项目", "investment project"),
    ("技术成果", "technology offer"),
    ("技术需求", "technology demand"),
    ("融资需求", "financing need"),
    ("空间载体", "space offer"),
]

# Two topics per industry: (Chinese terms, English terms); a record uses some, a query others.
TOPICS: list[tuple[int, list[str], list[str]]] = [
    (
        0,
        ["5G通信", "基站", "光通信模块", "物联网网关"],
        ["5G communication", "base stations", "optical modules", "IoT gateways"],
    ),
    (
        0,
        ["云计算", "数据中心", "边缘计算", "算力调度"],
        ["cloud computing", "data centres", "edge computing", "compute scheduling"],
    ),
    (
        1,
        ["芯片设计", "EDA工具", "处理器", "RISC-V"],
        ["chip design", "EDA tools", "processors", "RISC-V cores"],
    ),
    (
        1,
        ["晶圆制造", "封装测试", "光刻胶", "硅片"],
        ["wafer fabrication", "packaging and testing", "photoresist", "silicon wafers"],
    ),
    (
        2,
        ["大模型", "自然语言处理", "智能问答", "生成式人工智能"],
        ["large language models", "natural language processing", "question answering", "generative AI"],
    ),
    (
        2,
        ["计算机视觉", "图像识别", "视频分析", "人脸识别"],
        ["computer vision", "image recognition", "video analytics", "face recognition"],
    ),
    (
        3,
        ["工业软件", "企业管理软件", "ERP系统", "低代码平台"],
        ["industrial software", "enterprise software", "ERP systems", "low-code platforms"],
    ),
    (
        3,
        ["网络安全", "数据安全", "密码技术", "安全运营"],
        ["cybersecurity", "data security", "cryptography", "security operations"],
    ),
    (
        4,
        ["创新药", "抗体药物", "临床试验", "靶向治疗"],
        ["innovative drugs", "antibody drugs", "clinical trials", "targeted therapy"],
    ),
    (
        4,
        ["医疗器械", "影像设备", "体外诊断", "手术机器人"],
        ["medical devices", "imaging equipment", "in-vitro diagnostics", "surgical robots"],
    ),
    (
        5,
        ["工业机床", "数控系统", "精密加工", "智能工厂"],
        ["machine tools", "CNC systems", "precision machining", "smart factories"],
    ),
    (
        5,
        ["工业互联网", "设备预测性维护", "数字孪生", "产线改造"],
        ["industrial internet", "predictive maintenance", "digital twins", "production line upgrades"],
    ),
    (
        6,
        ["检验检测", "认证服务", "计量校准", "质量评价"],
        ["testing and inspection", "certification services", "calibration", "quality assessment"],
    ),
    (
        6,
        ["技术转移", "知识产权运营", "科技咨询", "孵化服务"],
        [
            "technology transfer",
            "intellectual property services",
            "technology consulting",
            "incubation services",
        ],
    ),
    (
        7,
        ["光伏组件", "储能电站", "氢能", "风电"],
        ["solar panels", "energy storage", "hydrogen energy", "wind power"],
    ),
    (
        7,
        ["污水处理", "固废资源化", "碳捕集", "节能改造"],
        ["wastewater treatment", "solid waste recycling", "carbon capture", "energy-saving retrofits"],
    ),
    (
        8,
        ["动力电池", "电驱动系统", "充电桩", "换电站"],
        ["power batteries", "electric drive systems", "charging piles", "battery swapping stations"],
    ),
    (
        8,
        ["氢燃料电池汽车", "电堆", "储氢系统", "加氢站"],
        [
            "hydrogen fuel cell vehicles",
            "fuel cell stacks",
            "hydrogen storage",
            "hydrogen refuelling stations",
        ],
    ),
    (
        9,
        ["自动驾驶", "激光雷达", "高精地图", "车路协同"],
        ["autonomous driving", "lidar", "HD maps", "vehicle-road cooperation"],
    ),
    (
        9,
        ["智能座舱", "车载操作系统", "车联网", "无人配送车"],
        ["smart cockpits", "in-vehicle operating systems", "connected cars", "unmanned delivery vehicles"],
    ),
    (
        10,
        ["基因测序", "基因编辑", "精准医疗", "细胞治疗"],
        ["gene sequencing", "gene editing", "precision medicine", "cell therapy"],
    ),
    (
        10,
        ["合成生物", "生物制造", "酶工程", "发酵工艺"],
        ["synthetic biology", "biomanufacturing", "enzyme engineering", "fermentation"],
    ),
    (
        11,
        ["石墨烯", "碳纤维", "复合材料", "纳米材料"],
        ["graphene", "carbon fibre", "composite materials", "nanomaterials"],
    ),
    (
        11,
        ["半导体材料", "稀土功能材料", "特种合金", "高性能陶瓷"],
        ["semiconductor materials", "rare-earth materials", "special alloys", "advanced ceramics"],
    ),
    (
        12,
        ["商业火箭", "液体发动机", "可重复使用火箭", "发射服务"],
        ["commercial rockets", "liquid rocket engines", "reusable rockets", "launch services"],
    ),
    (
        12,
        ["卫星制造", "卫星互联网", "遥感数据", "卫星导航"],
        ["satellite manufacturing", "satellite internet", "remote sensing data", "satellite navigation"],
    ),
    (
        13,
        ["无人机", "无人机物流", "植保无人机", "无人机巡检"],
        ["drones", "drone logistics", "agricultural drones", "drone inspection"],
    ),
    (
        13,
        ["电动垂直起降飞行器", "飞行汽车", "通用航空", "低空空域管理"],
        ["eVTOL aircraft", "flying cars", "general aviation", "low-altitude airspace management"],
    ),
    (
        14,
        ["量子计算", "量子芯片", "量子算法", "超导量子比特"],
        ["quantum computing", "quantum chips", "quantum algorithms", "superconducting qubits"],
    ),
    (
        14,
        ["量子通信", "量子密钥分发", "量子测量", "量子传感"],
        ["quantum communication", "quantum key distribution", "quantum metrology", "quantum sensing"],
    ),
    (
        15,
        ["人形机器人", "具身智能", "灵巧手", "机器人关节"],
        ["humanoid robots", "embodied intelligence", "dexterous hands", "robot joints"],
    ),
    (
        15,
        ["工业机器人", "协作机器人", "服务机器人", "巡检机器人"],
        ["industrial robots", "collaborative robots", "service robots", "inspection robots"],
    ),
]

ZH_ORG_HEAD = [
    "京",
    "中科",
    "华",
    "智",
    "北",
    "瑞",
    "恒",
    "星",
    "云",
    "安",
    "博",
    "天",
    "新",
    "联",
    "海",
    "正",
]
ZH_ORG_CORE = ["创", "芯", "源", "达", "宇", "泰", "信", "融", "微", "航", "清", "锐", "盛", "通", "远", "和"]
ZH_ORG_TAIL = ["科技有限公司", "技术股份有限公司", "信息技术有限公司", "生物科技有限公司", "研究院"]
EN_ORG_A = [
    "Bright",
    "Sino",
    "Nova",
    "Zhong",
    "Jing",
    "Star",
    "Cloud",
    "Apex",
    "Hua",
    "Blue",
    "Quantum",
    "Vertex",
]
EN_ORG_B = [
    "Tech",
    "Core",
    "Link",
    "Wave",
    "Gen",
    "Path",
    "Logic",
    "Bio",
    "Power",
    "Matrix",
    "Works",
    "Field",
]
EN_ORG_TAIL = ["Technology Co., Ltd.", "Innovations Ltd.", "Systems Inc.", "Group", "Research Institute"]
ZH_FLAGS = ["国家级专精特新“小巨人”企业", "高新技术企业", "独角兽企业", "中关村前沿科技企业", "专精特新企业"]
EN_FLAGS = [
    "a national specialised and innovative 'little giant'",
    "a certified high-tech enterprise",
    "a unicorn",
    "a Zhongguancun frontier technology company",
    "a specialised and sophisticated SME",
]
ZH_PARTNERS = ["产业投资机构", "上下游企业", "高校院所", "区政府和园区", "战略投资者"]
EN_PARTNERS = [
    "industrial investors",
    "upstream and downstream partners",
    "universities and institutes",
    "district governments and parks",
    "strategic investors",
]
ZH_INSTITUTES = ["清华大学", "北京大学", "中国科学院", "北京航空航天大学", "北京理工大学"]
EN_INSTITUTES = [
    "Tsinghua University",
    "Peking University",
    "the Chinese Academy of Sciences",
    "Beihang University",
    "Beijing Institute of Technology",
]


@dataclass(frozen=True, slots=True)
class Record:
    """One generated opportunity with the labels the benchmark judges relevance by."""

    doc_id: str
    lang: str
    topic: int
    industry: int
    district: int
    category: int
    kind: int
    amount_wan: int
    text: str


@dataclass(frozen=True, slots=True)
class Query:
    """A labelled search: its text, language and the topic (and district) it asks for."""

    text: str
    lang: str
    topic: int
    district: int | None
    relevant: dict[str, int] = field(default_factory=dict)


def _zh_org(rng: random.Random) -> str:
    return (
        rng.choice(ZH_ORG_HEAD) + rng.choice(ZH_ORG_CORE) + rng.choice(ZH_ORG_CORE) + rng.choice(ZH_ORG_TAIL)
    )


def _en_org(rng: random.Random) -> str:
    return f"Beijing {rng.choice(EN_ORG_A)}{rng.choice(EN_ORG_B)} {rng.choice(EN_ORG_TAIL)}"


def _zh_amount(wan: int) -> str:
    return f"{wan / 10000:.2f}亿元" if wan >= 10000 else f"{wan}万元"


def _en_amount(wan: int) -> str:
    return f"CNY {wan / 100:.1f} million"


def _zh_text(rng: random.Random, topic: int, district: int, category: int, kind: int, wan: int) -> str:
    industry, zh_terms, _ = TOPICS[topic]
    t1, t2, t3 = rng.sample(zh_terms, 3)
    d = DISTRICTS[district][0]
    org = _zh_org(rng)
    title = f"{d}{t1}{rng.choice(['产业化', '研发中心', '示范', '扩产', '总部'])}{KINDS[kind][0]}"
    sentences = [
        f"{org}聚焦{INDUSTRIES[industry][0]}领域，主要从事{t1}和{t2}的研发与产业化。",
        f"项目位于{d}，属于{CATEGORIES[category][0]}类项目，计划总投资{_zh_amount(wan)}。",
        f"企业拥有发明专利{rng.randint(3, 80)}项，核心团队来自{rng.choice(ZH_INSTITUTES)}。",
        f"本轮拟融资{_zh_amount(max(100, wan // rng.randint(2, 6)))}，资金主要用于{t3}产线建设和市场拓展。",
        f"希望与{rng.choice(ZH_PARTNERS)}开展合作，可提供约{rng.randint(5, 200) * 100}平方米研发办公空间。",
        f"企业为{rng.choice(ZH_FLAGS)}，产品已在多个城市落地应用。",
        f"项目建成后预计年产值{_zh_amount(wan * rng.randint(1, 4))}，新增就业岗位{rng.randint(20, 900)}个。",
    ]
    body = sentences[:2] + rng.sample(sentences[2:], rng.randint(1, 5))
    return title + "。" + "".join(body)


def _en_text(rng: random.Random, topic: int, district: int, category: int, kind: int, wan: int) -> str:
    industry, _, en_terms = TOPICS[topic]
    t1, t2, t3 = rng.sample(en_terms, 3)
    d = DISTRICTS[district][1]
    org = _en_org(rng)
    stage = rng.choice(["scale-up", "R&D centre", "pilot", "expansion", "headquarters"])
    title = f"{t1.capitalize()} {stage} in {d}"
    sentences = [
        f"{org} works in {INDUSTRIES[industry][1]}, developing and commercialising {t1} and {t2}.",
        f"The {KINDS[kind][1]} is located in {d} ({CATEGORIES[category][1]}), with a planned investment of "
        f"{_en_amount(wan)}.",
        f"The company holds {rng.randint(3, 80)} invention patents and its core team comes from "
        f"{rng.choice(EN_INSTITUTES)}.",
        f"It seeks {_en_amount(max(100, wan // rng.randint(2, 6)))} in this round to build {t3} "
        "production lines and expand its market.",
        f"It would like to work with {rng.choice(EN_PARTNERS)} and offers about {rng.randint(5, 200) * 100} "
        "square metres of R&D and office space.",
        f"The company is {rng.choice(EN_FLAGS)} and its products are deployed in several cities.",
        f"Once completed the project is expected to reach annual output of "
        f"{_en_amount(wan * rng.randint(1, 4))} and create {rng.randint(20, 900)} jobs.",
    ]
    body = sentences[:2] + rng.sample(sentences[2:], rng.randint(1, 5))
    return title + ". " + " ".join(body)


def generate_corpus(n: int, *, seed: int = 2024) -> list[Record]:
    """n records, alternating Chinese and English, topics and districts drawn uniformly."""
    rng = random.Random(seed)
    records = []
    for i in range(n):
        lang = "zh" if i % 2 == 0 else "en"
        topic = rng.randrange(len(TOPICS))
        district = rng.randrange(len(DISTRICTS))
        category = rng.randrange(len(CATEGORIES))
        kind = rng.randrange(len(KINDS))
        wan = rng.choice([300, 800, 1500, 3000, 5000, 12000, 30000, 80000]) * rng.randint(1, 5)
        make = _zh_text if lang == "zh" else _en_text
        text = make(rng, topic, district, category, kind, wan)
        records.append(
            Record(f"opp-{i:06d}", lang, topic, TOPICS[topic][0], district, category, kind, wan, text)
        )
    return records


def _query_text(rng: random.Random, lang: str, topic: int, district: int | None) -> str:
    """A short query as users type it: one or two topic terms, sometimes a district and an intent word."""
    _, zh_terms, en_terms = TOPICS[topic]
    if lang == "zh":
        terms = rng.sample(zh_terms, rng.randint(1, 2))
        parts = ([DISTRICTS[district][0]] if district is not None else []) + terms
        parts.append(rng.choice(["", "融资", "合作", "项目", "企业"]))
        return " ".join(p for p in parts if p)
    terms = rng.sample(en_terms, rng.randint(1, 2))
    parts = terms + ([f"in {DISTRICTS[district][1]}"] if district is not None else [])
    parts.append(rng.choice(["", "financing", "partners", "project", "companies"]))
    return " ".join(p for p in parts if p)


def generate_queries(records: list[Record], n: int, *, seed: int = 7) -> list[Query]:
    """n labelled queries, half Chinese and half English, a third of them naming a district."""
    rng = random.Random(seed)
    by_topic: dict[int, list[Record]] = {}
    for r in records:
        by_topic.setdefault(r.topic, []).append(r)
    queries = []
    for i in range(n):
        lang = "zh" if i % 2 == 0 else "en"
        topic = rng.randrange(len(TOPICS))
        district = rng.randrange(len(DISTRICTS)) if rng.random() < 1 / 3 else None
        relevant: dict[str, int] = {}
        industry = TOPICS[topic][0]
        if district is None:
            for r in records:
                if r.topic == topic:
                    relevant[r.doc_id] = 2
                elif r.industry == industry:
                    relevant[r.doc_id] = 1
        else:
            for r in by_topic.get(topic, []):
                relevant[r.doc_id] = 2 if r.district == district else 1
        queries.append(Query(_query_text(rng, lang, topic, district), lang, topic, district, relevant))
    return queries
