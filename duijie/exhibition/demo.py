"""The exhibition part of the demo: the major achievements released at the 2024 Zhongguancun Forum, as the
forum's report lists them (title, and who made it where the report says), and the five of the 2023 forum's
30-odd releases its report names, with their English names and fields, linked (once the programme exists) to
the session that released them."""

from __future__ import annotations

import datetime as dt
from types import MappingProxyType

from sqlalchemy import select

from duijie.agenda.models import AgendaSession
from duijie.core.demo_kit import SRC_2024, SRC_FORUM_2023, DemoKit
from duijie.events.models import Event
from duijie.exhibition.models import Achievement

# The report's titles in English, the institutions in English, and the field (the platform's industries).
ENGLISH = MappingProxyType(
    {
        "转角菱方氮化硼光学晶体": ("Twisted rhombohedral boron nitride optical crystals", "Peking University", "新材料"),
        "300兆瓦级F级重型燃气轮机": (
            "300 MW F-class heavy-duty gas turbine", "China United Gas Turbine Technology Co., Ltd.", "智能制造与装备"
        ),
        '通用智能机器人"通通"': (
            "Tong Tong, a general-purpose intelligent robot",
            "Beijing Institute for General Artificial Intelligence",
            "人工智能",
        ),
        "最短轨道周期脉冲星双星系统": (
            "The binary pulsar system with the shortest orbital period",
            "FAST (China Sky Eye), National Astronomical Observatories",
            "科技服务",
        ),
        "史上最亮伽马暴": (
            "The brightest gamma-ray burst ever observed",
            "LHAASO, Institute of High Energy Physics",
            "科技服务",
        ),
        "最长可重复高约束模等离子体运行": (
            "The longest repeatable high-confinement-mode plasma operation", "EAST superconducting tokamak",
            "绿色能源与节能环保",
        ),
        "中关村世界领先科技园区建设方案（2024—2027年）": (
            "Plan for a world-leading Zhongguancun science park (2024-2027)", None, "科技服务"
        ),
        "全模拟光电智能计算芯片": ("All-analogue optoelectronic intelligent computing chip", None, "集成电路"),
        "量子算力集群": ("Quantum computing cluster", None, "量子信息"),
        '第三代"香山"RISC-V开源高性能处理器核': (
            "Third-generation Xiangshan open-source high-performance RISC-V processor core", None, "集成电路"
        ),
        "农作物耐盐碱机制解析及应用": (
            "How crops tolerate saline-alkali soil, and its application", None, "生物科技"
        ),
        "北脑二号 智能脑机系统": ("Beinao-2 intelligent brain-computer interface system", None, "医药健康"),
    }
)  # fmt: skip
RELEASE_SESSION = "十项重大科技成果发布"
# The 2023 forum released 30-odd achievements; its report names these five, at the opening's release segment
# (zh, en, institution zh, institution en, field).
RELEASES_2023: tuple[tuple[str, str, str | None, str | None, str], ...] = (
    ("夸父卫星在轨获得世界一流天基太阳硬X射线图像", "The Kuafu satellite's world-class solar hard X-ray images from orbit",
     "中国科学院紫金山天文台", "Purple Mountain Observatory, Chinese Academy of Sciences", "商业航天"),
    ("下一代云化开放无线网络新空口试验验证平台",
     "Test platform for the new air interface of next-generation cloud-based open radio networks", None, None,
     "新一代信息技术"),
    ("30微米厚度柔性可折叠玻璃", "Flexible foldable glass 30 microns thick", None, None, "新材料"),
    ("新一代“人造太阳”", "A new-generation \"artificial sun\"", None, None, "绿色能源与节能环保"),
    ("深脑成像微型化三光子显微镜", "Miniature three-photon microscope for deep-brain imaging", None, None, "医药健康"),
)  # fmt: skip
RELEASE_SESSION_2023 = "重大科技成果发布"


def seed_demo(kit: DemoKit) -> None:
    """The forum's released achievements, in the report's order."""
    forum = kit.get(Event, "zgc-forum-2024")
    for k, text in enumerate(kit.forum_facts("zgc-forum-2024")["major_achievements_released"]):
        title, _, who = str(text).partition(" (")
        title = title.strip()
        title_en, who_en, field = ENGLISH.get(title, (None, None, None))
        kit.db.add(
            Achievement(
                event=forum,
                title_zh=title,
                title_en=title_en,
                institution_zh=who.rstrip(")") or None,
                institution_en=who_en,
                field=field,
                rank=k + 1,
                released_on=dt.date(2024, 4, 25),
                provenance=SRC_2024,
            )
        )
    seed_2023(kit)


def seed_2023(kit: DemoKit) -> None:
    """The five 2023 releases the forum's report names (of its 30-odd)."""
    forum = kit.get(Event, "zgc-forum-2023")
    for k, (zh, en, who_zh, who_en, field) in enumerate(RELEASES_2023):
        kit.db.add(
            Achievement(
                event=forum, title_zh=zh, title_en=en, institution_zh=who_zh, institution_en=who_en, field=field,
                rank=k + 1, released_on=dt.date(2023, 5, 25), provenance=SRC_FORUM_2023,
            )
        )  # fmt: skip


def finish_demo(kit: DemoKit) -> None:
    """The releases link to the session that released them (the agenda writes the programme in this phase, on
    a lower floor)."""
    for slug, title in (("zgc-forum-2024", RELEASE_SESSION), ("zgc-forum-2023", RELEASE_SESSION_2023)):
        forum = kit.get(Event, slug)
        session = kit.db.scalar(
            select(AgendaSession).where(AgendaSession.event_id == forum.id, AgendaSession.title_zh == title)
        )
        if session is None:
            continue
        for row in kit.db.scalars(select(Achievement).where(Achievement.event_id == forum.id)):
            row.session_id = session.id
    kit.db.flush()
