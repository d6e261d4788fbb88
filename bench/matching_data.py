"""Synthetic, labelled data for evaluating matchmaking: investors and projects, experts and papers.

Ground truth comes from latent variables (themes, true districts, true ticket sizes, expertise) that the
engine never sees directly: texts express the themes in varied Chinese and English wording, and the
structured fields are noisy copies that are often missing, so scoring them one-to-one cannot win.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np

from duijie.matching.profile import Profile

# theme -> (industry, Chinese phrasings, English phrasings). Several themes share an industry, so that
# industry alone cannot tell a good match from a merely plausible one.
THEMES: dict[str, tuple[str, list[str], list[str]]] = {
    "lidar": (
        "智能网联汽车",
        ["激光雷达", "车载感知传感器", "自动驾驶环境感知", "固态激光雷达芯片", "多传感器融合定位"],
        [
            "lidar sensors",
            "perception hardware for self-driving cars",
            "solid-state lidar",
            "sensor fusion for autonomous vehicles",
            "3D point-cloud perception",
        ],
    ),
    "robotaxi": (
        "智能网联汽车",
        ["无人驾驶出租车", "城市自动驾驶运营", "车路协同", "高精地图与决策规划", "智能网联示范区运营"],
        [
            "robotaxi fleets",
            "driverless ride-hailing",
            "vehicle-road cooperation",
            "HD maps and motion planning",
            "connected-vehicle pilot zones",
        ],
    ),
    "battery": (
        "新能源智能汽车",
        ["动力电池", "固态电池", "电池管理系统", "快充技术", "电池回收利用"],
        [
            "EV battery packs",
            "solid-state batteries",
            "battery management systems",
            "fast charging",
            "battery recycling",
        ],
    ),
    "llm": (
        "人工智能",
        ["大语言模型", "通用大模型训练", "生成式人工智能", "智能对话助手", "行业大模型"],
        [
            "large language models",
            "foundation model training",
            "generative AI",
            "conversational assistants",
            "domain-specific LLMs",
        ],
    ),
    "vision": (
        "人工智能",
        ["计算机视觉", "图像识别", "工业视觉质检", "视频结构化分析", "人脸与行为识别"],
        [
            "computer vision",
            "image recognition",
            "visual inspection in factories",
            "video analytics",
            "object detection models",
        ],
    ),
    "aichip": (
        "集成电路",
        ["人工智能芯片", "GPU与加速卡", "存算一体芯片", "神经网络处理器", "高性能计算芯片"],
        [
            "AI accelerators",
            "GPU design",
            "compute-in-memory chips",
            "neural processing units",
            "high-performance computing silicon",
        ],
    ),
    "fab": (
        "集成电路",
        ["晶圆制造", "光刻工艺", "半导体设备", "先进封装", "刻蚀与薄膜沉积"],
        [
            "wafer fabrication",
            "lithography",
            "semiconductor equipment",
            "advanced packaging",
            "etch and deposition tools",
        ],
    ),
    "riscv": (
        "集成电路",
        ["RISC-V处理器", "开源芯片架构", "处理器核设计", "嵌入式处理器", "芯片设计自动化EDA"],
        [
            "RISC-V processors",
            "open-source chip architecture",
            "CPU core design",
            "embedded microcontrollers",
            "EDA tools",
        ],
    ),
    "antibody": (
        "生物科技",
        ["单克隆抗体", "双特异性抗体", "抗体偶联药物", "肿瘤免疫治疗", "生物药临床试验"],
        [
            "monoclonal antibodies",
            "bispecific antibodies",
            "antibody-drug conjugates",
            "cancer immunotherapy",
            "biologics clinical trials",
        ],
    ),
    "genome": (
        "生物科技",
        ["基因测序", "基因编辑", "合成生物学", "细胞治疗", "mRNA疫苗"],
        ["genome sequencing", "gene editing", "synthetic biology", "cell therapy", "mRNA vaccines"],
    ),
    "device": (
        "医药健康",
        ["医疗器械", "医学影像设备", "手术机器人", "可穿戴健康监测", "体外诊断试剂"],
        [
            "medical devices",
            "medical imaging equipment",
            "surgical robots",
            "wearable health monitoring",
            "in-vitro diagnostics",
        ],
    ),
    "bci": (
        "医药健康",
        ["脑机接口", "神经调控", "脑电信号解码", "康复医疗设备", "神经外科植入器件"],
        [
            "brain-computer interfaces",
            "neuromodulation",
            "EEG signal decoding",
            "rehabilitation devices",
            "neural implants",
        ],
    ),
    "humanoid": (
        "机器人",
        ["人形机器人", "具身智能", "灵巧手", "机器人关节与减速器", "机器人运动控制"],
        [
            "humanoid robots",
            "embodied intelligence",
            "dexterous robotic hands",
            "robot actuators and reducers",
            "legged locomotion control",
        ],
    ),
    "industrial": (
        "智能制造与装备",
        ["工业机器人", "智能工厂", "数控机床", "工业互联网平台", "柔性生产线"],
        [
            "industrial robots",
            "smart factories",
            "CNC machine tools",
            "industrial IoT platforms",
            "flexible production lines",
        ],
    ),
    "drone": (
        "低空经济",
        ["工业无人机", "电动垂直起降飞行器", "低空物流配送", "无人机巡检", "城市空中交通"],
        [
            "industrial drones",
            "eVTOL aircraft",
            "drone delivery",
            "drone inspection services",
            "urban air mobility",
        ],
    ),
    "satellite": (
        "商业航天",
        ["商业卫星", "卫星互联网", "运载火箭", "遥感数据服务", "星载载荷"],
        [
            "commercial satellites",
            "satellite internet constellations",
            "launch vehicles",
            "remote sensing data",
            "satellite payloads",
        ],
    ),
    "quantum": (
        "量子信息",
        ["量子计算", "量子通信", "量子测量", "超导量子比特", "量子密钥分发"],
        [
            "quantum computing",
            "quantum communication",
            "quantum sensing",
            "superconducting qubits",
            "quantum key distribution",
        ],
    ),
    "hydrogen": (
        "绿色能源与节能环保",
        ["氢能", "燃料电池", "电解水制氢", "加氢站", "储氢材料"],
        [
            "hydrogen energy",
            "fuel cells",
            "electrolysers",
            "hydrogen refuelling stations",
            "hydrogen storage",
        ],
    ),
    "solar": (
        "绿色能源与节能环保",
        ["光伏组件", "储能电站", "智能电网", "碳捕集", "节能改造"],
        [
            "solar modules",
            "grid-scale energy storage",
            "smart grids",
            "carbon capture",
            "energy-efficiency retrofits",
        ],
    ),
    "materials": (
        "新材料",
        ["碳纤维复合材料", "石墨烯", "高温合金", "半导体材料", "稀土功能材料"],
        [
            "carbon-fibre composites",
            "graphene",
            "superalloys",
            "semiconductor materials",
            "rare-earth functional materials",
        ],
    ),
    "saas": (
        "软件和信息服务",
        ["企业服务软件", "工业软件", "云原生平台", "数据库", "网络安全"],
        ["enterprise SaaS", "industrial software", "cloud-native platforms", "databases", "cybersecurity"],
    ),
    "transfer": (
        "科技服务",
        ["技术转移", "科技成果转化", "检验检测认证", "知识产权运营", "孵化器运营"],
        [
            "technology transfer",
            "commercialising research results",
            "testing and certification",
            "IP licensing",
            "incubator operations",
        ],
    ),
}

THEME_NAMES = list(THEMES)
DISTRICT_POOL = [
    "海淀区",
    "朝阳区",
    "北京经济技术开发区",
    "昌平区",
    "顺义区",
    "大兴区",
    "通州区",
    "丰台区",
    "怀柔区",
    "石景山区",
]
STAGE_POOL = ["天使轮", "A轮", "B轮", "C轮", "成长期", "Pre-IPO"]
CATEGORY_POOL = ["企业融资", "园区合作", "楼宇合作", "土地融资"]

INVESTOR_ZH = [
    "我们是一家专注于{a}和{b}的投资机构，重点关注{c}领域的早中期机会。",
    "基金主要投向{a}，同时布局{b}，已投多家{c}企业。",
    "本机构长期跟踪{a}赛道，对{b}与{c}有深入研究，希望对接优质项目。",
    "关注硬科技，尤其是{a}、{b}，以及{c}方向的产业化项目。",
]
INVESTOR_EN = [
    "We are a venture fund investing in {a} and {b}, with a particular interest in {c}.",
    "Our portfolio spans {a}; we are now looking at {b} and {c}.",
    "A growth-stage investor backing founders in {a}, {b} and related areas such as {c}.",
    "Industrial capital focused on {a}, keen to co-invest in {b} and {c} companies.",
]
PROJECT_ZH = [
    "本项目从事{a}研发与产业化，核心产品涉及{b}，计划在北京建设{c}基地。",
    "公司聚焦{a}，拥有{b}相关专利，拟融资用于{c}产线建设。",
    "项目围绕{a}展开，团队在{b}方面经验丰富，正在拓展{c}应用。",
    "{a}项目，提供{b}解决方案，并与高校合作开展{c}研究。",
]
PROJECT_EN = [
    "The company develops {a} and sells {b}; the round funds a {c} facility in Beijing.",
    "A start-up building {a}, with patents in {b}, expanding into {c}.",
    "This project commercialises {a} for customers that need {b} and {c}.",
    "We make {a}; our team has shipped {b} and is piloting {c} with local partners.",
]
PAPER_ZH = [
    "本文研究{a}中的关键问题，提出一种结合{b}的新方法，并在{c}场景中验证。",
    "面向{a}，我们设计了{b}框架，实验表明其在{c}任务上优于基线。",
    "综述{a}的最新进展，讨论{b}与{c}的挑战。",
]
PAPER_EN = [
    "We study {a} and propose a method based on {b}, evaluated on {c} benchmarks.",
    "This paper presents a {b} approach to {a}, with experiments in {c}.",
    "A survey of recent advances in {a}, discussing open problems in {b} and {c}.",
]
FILLER_ZH = ["团队来自清华大学和中科院。", "已获得多项发明专利。", "营收保持快速增长。", "欢迎合作洽谈。", ""]
FILLER_EN = [
    "The team comes from leading universities.",
    "Revenue has doubled each year.",
    "Open to partnerships.",
    "",
]


def theme_similarity() -> np.ndarray:
    """Latent closeness of two themes: 1 for the same theme, 0.35 for the same industry, else 0."""
    n = len(THEME_NAMES)
    sim = np.zeros((n, n))
    for i, a in enumerate(THEME_NAMES):
        for j, b in enumerate(THEME_NAMES):
            sim[i, j] = 1.0 if i == j else (0.35 if THEMES[a][0] == THEMES[b][0] else 0.0)
    return sim


def _phrases(rng: random.Random, themes: list[str], count: int, lang: str) -> list[str]:
    """Pick `count` phrasings of the given themes in one language, the first theme most often."""
    out = []
    for i in range(count):
        theme = themes[0] if i == 0 or len(themes) == 1 or rng.random() < 0.5 else rng.choice(themes[1:])
        zh, en = THEMES[theme][1], THEMES[theme][2]
        out.append(rng.choice(zh if lang == "zh" else en))
    return out


def _sentence(
    rng: random.Random,
    templates_zh: list[str],
    templates_en: list[str],
    themes: list[str],
    lang: str = "mixed",
) -> str:
    """One text about the themes, in Chinese or English at random (or the language asked), with some filler."""
    if lang == "mixed":
        lang = "zh" if rng.random() < 0.5 else "en"
    a, b, c = _phrases(rng, themes, 3, lang)
    template = rng.choice(templates_zh if lang == "zh" else templates_en)
    filler = rng.choice(FILLER_ZH if lang == "zh" else FILLER_EN)
    return (template.format(a=a, b=b, c=c) + (" " if lang == "en" else "") + filler).strip()


@dataclass
class InvestorTruth:
    """What an investor really wants (hidden from the engine)."""

    themes: dict[str, float]
    districts: list[str]
    ticket: tuple[float, float]


@dataclass
class ProjectTruth:
    """What a project really is (hidden from the engine)."""

    themes: dict[str, float]
    district: str
    amount: float


@dataclass
class MarketSet:
    """Investors and projects with the relevance of every pair (rows: investors)."""

    investors: list[Profile]
    projects: list[Profile]
    relevance: np.ndarray
    truths: tuple[list[InvestorTruth], list[ProjectTruth]] = field(repr=False, default=([], []))


def _noisy_industries(rng: random.Random, themes: list[str]) -> list[str]:
    """Declared industries: often missing, sometimes the parent or a wrong one."""
    if rng.random() < 0.35:
        return []
    out = []
    for theme in themes:
        industry = THEMES[theme][0]
        roll = rng.random()
        if roll < 0.15:
            industry = THEMES[rng.choice(THEME_NAMES)][0]
        elif roll < 0.3 and industry in ("智能网联汽车", "生物科技", "机器人"):
            industry = {"智能网联汽车": "新能源智能汽车", "生物科技": "医药健康", "机器人": "智能制造与装备"}[
                industry
            ]
        if industry not in out:
            out.append(industry)
    return out


def make_market(n_investors: int, n_projects: int, seed: int = 7) -> MarketSet:
    """Investors and projects with latent themes, districts and amounts, and graded relevance."""
    rng = random.Random(seed)
    investors: list[Profile] = []
    projects: list[Profile] = []
    itruth: list[InvestorTruth] = []
    ptruth: list[ProjectTruth] = []
    for i in range(n_investors):
        k = rng.choice([1, 2, 2, 3])
        themes = rng.sample(THEME_NAMES, k)
        weights = sorted((rng.random() + 0.3 for _ in themes), reverse=True)
        total = sum(weights)
        districts = rng.sample(DISTRICT_POOL, rng.choice([1, 2, 3]))
        low = round(rng.choice([0.1, 0.3, 0.5, 1, 2, 5]), 2)
        high = low * rng.choice([3, 5, 10])
        itruth.append(
            InvestorTruth(
                {t: w / total for t, w in zip(themes, weights, strict=True)}, districts, (low, high)
            )
        )
        texts = [_sentence(rng, INVESTOR_ZH, INVESTOR_EN, themes)]
        shown_districts = districts if rng.random() < 0.6 else []
        if shown_districts and rng.random() < 0.2:
            shown_districts = [*shown_districts, rng.choice(DISTRICT_POOL)]
        has_ticket = rng.random() < 0.7
        investors.append(
            Profile(
                id=f"inv{i:04d}",
                texts=texts,
                industries=_noisy_industries(rng, themes),
                preferred_districts=shown_districts,
                ticket_min=Decimal(str(round(low * rng.uniform(0.8, 1.2), 2))) if has_ticket else None,
                ticket_max=Decimal(str(round(high * rng.uniform(0.8, 1.2), 2))) if has_ticket else None,
                categories=["企业融资"] if rng.random() < 0.5 else [],
                stages=rng.sample(STAGE_POOL, 2) if rng.random() < 0.3 else [],
            )
        )
    for j in range(n_projects):
        themes = rng.sample(THEME_NAMES, rng.choice([1, 1, 2]))
        district = rng.choice(DISTRICT_POOL)
        amount = round(10 ** rng.uniform(-1, 1.5), 2)
        ptruth.append(
            ProjectTruth({t: (1.0 if n == 0 else 0.5) for n, t in enumerate(themes)}, district, amount)
        )
        texts = [_sentence(rng, PROJECT_ZH, PROJECT_EN, themes)]
        projects.append(
            Profile(
                id=f"prj{j:05d}",
                texts=texts,
                industries=_noisy_industries(rng, themes[:1]),
                district=district if rng.random() < 0.75 else None,
                amount=Decimal(str(round(amount * rng.uniform(0.85, 1.15), 2)))
                if rng.random() < 0.8
                else None,
                categories=[rng.choice(CATEGORY_POOL)] if rng.random() < 0.6 else [],
                stages=[rng.choice(STAGE_POOL)] if rng.random() < 0.5 else [],
            )
        )
    relevance = _market_relevance(itruth, ptruth)
    return MarketSet(investors, projects, relevance, (itruth, ptruth))


def _market_relevance(investors: list[InvestorTruth], projects: list[ProjectTruth]) -> np.ndarray:
    """Graded relevance 0..3 from latent fit: theme closeness, then district and ticket as multipliers."""
    sim = theme_similarity()
    index = {t: n for n, t in enumerate(THEME_NAMES)}
    out = np.zeros((len(investors), len(projects)))
    for i, inv in enumerate(investors):
        ivec = np.zeros(len(THEME_NAMES))
        for t, w in inv.themes.items():
            ivec[index[t]] = w
        reach = sim.T @ ivec
        for j, prj in enumerate(projects):
            topic = max(reach[index[t]] * w for t, w in prj.themes.items())
            place = 1.0 if prj.district in inv.districts else 0.6
            low, high = inv.ticket
            money = 1.0 if low <= prj.amount <= high else 0.5
            utility = topic * place * money / max(ivec.max(), 1e-9)
            out[i, j] = 3 if utility >= 0.75 else 2 if utility >= 0.45 else 1 if utility >= 0.2 else 0
    return out


@dataclass
class ExpertSet:
    """Experts with several documents each, papers, and how well each expert knows each paper (0..3)."""

    experts: list[Profile]
    papers: list[Profile]
    expertise: np.ndarray


def make_experts(
    n_experts: int, n_papers: int, docs_per_expert: int = 6, seed: int = 11, lang: str = "mixed"
) -> ExpertSet:
    """Experts whose publications spread over a main and side topics; papers on one or two themes.

    An expert knows a paper well when it is on their main theme, somewhat on a side theme, a little in
    the same industry; some of their publications are off-topic (service, collaborations), as in real
    publication lists, so the aggregation over documents matters.
    """
    rng = random.Random(seed)
    sim = theme_similarity()
    index = {t: n for n, t in enumerate(THEME_NAMES)}
    experts: list[Profile] = []
    profiles: list[dict[str, float]] = []
    for e in range(n_experts):
        main, *side = rng.sample(THEME_NAMES, rng.choice([1, 2, 3]))
        profiles.append({main: 1.0, **{s: 0.55 for s in side}})
        docs = []
        n_docs = max(2, docs_per_expert + rng.randint(-2, 2))
        for d in range(n_docs):
            roll = rng.random()
            if d == 0 or roll < 0.5:
                themes = [main]
            elif side and roll < 0.8:
                themes = [rng.choice(side), main]
            else:
                themes = [rng.choice(THEME_NAMES)]
            docs.append(_sentence(rng, PAPER_ZH, PAPER_EN, themes, lang))
        experts.append(Profile(id=f"exp{e:03d}", texts=docs))
    papers: list[Profile] = []
    paper_themes: list[list[str]] = []
    for p in range(n_papers):
        themes = rng.sample(THEME_NAMES, rng.choice([1, 1, 2]))
        paper_themes.append(themes)
        papers.append(Profile(id=f"pap{p:04d}", texts=[_sentence(rng, PAPER_ZH, PAPER_EN, themes, lang)]))
    expertise = np.zeros((n_experts, n_papers))
    for e, prof in enumerate(profiles):
        for p, themes in enumerate(paper_themes):
            best = max(sim[index[t], index[u]] * w for t, w in prof.items() for u in themes)
            expertise[e, p] = 3 if best >= 0.99 else 2 if best >= 0.5 else 1 if best > 0.1 else 0
    return ExpertSet(experts, papers, expertise)


def clustered_embeddings(
    n: int, dim: int, centres: np.ndarray, rng: np.random.Generator, spread: float
) -> np.ndarray:
    """Unit vectors scattered around random cluster centres, like real embeddings of related texts."""
    labels = rng.integers(0, len(centres), n)
    vectors = centres[labels] + rng.normal(scale=spread, size=(n, dim)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors.astype(np.float32)


def scale_profiles(
    n_left: int, n_right: int, dim: int = 384, clusters: int = 200, seed: int = 3
) -> tuple[list[Profile], list[Profile]]:
    """Participants and opportunities with precomputed clustered embeddings and structured fields."""
    rng = np.random.default_rng(seed)
    base = rng.normal(size=dim).astype(np.float32)
    centres = base + rng.normal(scale=0.6, size=(clusters, dim)).astype(np.float32)
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    left_vecs = clustered_embeddings(n_left, dim, centres, rng, 0.03)
    right_vecs = clustered_embeddings(n_right, dim, centres, rng, 0.03)
    industries = [t[0] for t in THEMES.values()]
    left = [
        Profile(
            id=f"u{i}",
            industries=[industries[int(x)] for x in rng.integers(0, len(industries), 2)],
            preferred_districts=[DISTRICT_POOL[int(x)] for x in rng.integers(0, len(DISTRICT_POOL), 2)],
            ticket_min=Decimal(1),
            ticket_max=Decimal(int(rng.integers(2, 20))),
            embeddings=left_vecs[i],
        )
        for i in range(n_left)
    ]
    right = [
        Profile(
            id=f"o{j}",
            industries=[industries[int(rng.integers(0, len(industries)))]],
            district=DISTRICT_POOL[int(rng.integers(0, len(DISTRICT_POOL)))],
            amount=Decimal(str(round(float(10 ** rng.uniform(-1, 1.5)), 2))),
            categories=[CATEGORY_POOL[int(rng.integers(0, 4))]],
            embeddings=right_vecs[j],
        )
        for j in range(n_right)
    ]
    return left, right
