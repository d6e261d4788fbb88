"""The events of the demo and the figures their sources publish: the 2023 and 2024 Zhongguancun Forums, the
Invest Beijing summits inside them, and the 7th frontier technology contest.

`figure` is how a module's demo records a published figure of an event (the contest's adds its own).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from duijie.core.demo_kit import SRC_2023, SRC_2024, SRC_FORUM_2023, DemoKit
from duijie.events.models import Event, PublishedFigure

SUMMIT_2023_ZH = "由北京市政府主办，首次在中关村论坛期间举办：发布招商引资项目，签约重大项目，发布10个招商引资“政策服务包”。"
SUMMIT_2023_EN = (
    "Hosted by the Beijing Municipal Government, for the first time during the Zhongguancun Forum: "
    "investment projects released, major projects signed, ten policy service packages."
)
SUMMIT_2024_ZH = "首次设置企业展示与投资咨询洽谈，就项目投融资、空间资源对接、技术和渠道合作等进行深入交流。"
SUMMIT_2024_EN = (
    "For the first time with company showcases and investment consultations on project financing, "
    "space resources, technology and channel cooperation."
)
# The 2023 forum's own figures: key, value, unit, zh, en, qualifier.
FORUM_2023_FIGURES: tuple[tuple[str, str, str, str, str, str | None], ...] = (
    ("countries", "86", "个", "国家和地区", "Countries and regions", None),
    ("participants", "5000", "名", "现场参会嘉宾", "On-site participants", "余"),
    ("speakers", "1160", "名", "演讲嘉宾", "Speakers", "余"),
    ("exhibitors", "650", "家", "参展企业机构", "Exhibitors", "约"),
    ("trading_events", "26", "场", "技术交易活动", "Technology trading events", None),
    ("trading_agreements", "129", "项", "签约技术交易项目", "Technology agreements signed", None),
    ("trading_amount", "810", "亿元", "技术交易签约金额", "Technology trading amount", "超"),
)
# The contest edition's figures: key, value, unit, zh, en.
CONTEST_FIGURES: tuple[tuple[str, str, str, str, str], ...] = (
    ("entries", "3164", "个", "参赛项目", "Entries"),
    ("countries", "75", "个", "国家和地区", "Countries and regions"),
    ("preliminary_contests", "59", "场", "区域赛和领域赛", "Regional and field contests"),
    ("finalists", "22", "个", "总决赛项目", "Finalists"),
)


# The articles the demo's figures were published in, as a reader finds them (the seed file stays the provenance).
SOURCE_TITLES: dict[str, str] = {
    SRC_2023: "《北京释放投资新商机》（本报记者 杨学聪）",
    SRC_2024: "《北京邀约世界共享机遇》（本报记者 韩秉志）",
    SRC_FORUM_2023: "《深化开放合作 共享美好未来》（本报记者 王昊男 潘俊强 程聚新 吕中正）",
}


def figure(
    event: Event,
    key: str,
    value: str,
    unit: str,
    zh: str,
    en: str,
    source: str,
    q: str | None = None,
) -> None:
    """Record a figure the source publishes for the event (`q`: its qualifier, such as 超 or 约)."""
    event.figures.append(
        PublishedFigure(
            key=key,
            value=Decimal(value),
            unit=unit,
            qualifier=q,
            label_zh=zh,
            label_en=en,
            provenance=source,
            source=SOURCE_TITLES.get(source),
        )
    )


def seed_demo(kit: DemoKit) -> None:
    """The forums, the summits with their published totals, and the contest edition."""
    events = forums(kit)
    for spec in kit.facts["events"]:
        events[spec["id"]] = summit(spec, events)
    events["frontier-contest-7"] = contest(kit, events["zgc-forum-2024"])
    forum = events["zgc-forum-2023"]
    for key, value, unit, zh, en, q in FORUM_2023_FIGURES:
        figure(forum, key, value, unit, zh, en, SRC_FORUM_2023, q=q)
    for slug, event in events.items():
        kit.db.add(event)
        kit.keep(slug, event)
    kit.summary.events = len(events)


def forums(kit: DemoKit) -> dict[str, Event]:
    """The 2023 and 2024 Zhongguancun Forums."""
    return {
        "zgc-forum-2023": Event(
            slug="zgc-forum-2023",
            kind="forum",
            name_zh="2023中关村论坛",
            name_en="2023 Zhongguancun Forum",
            theme_zh=kit.forum_facts("zgc-forum-2023")["theme"],
            theme_en="Open Cooperation for a Shared Future",
            starts_on=dt.date(2023, 5, 25),
            ends_on=dt.date(2023, 5, 30),
            provenance=SRC_FORUM_2023,
            description_zh="论坛会议、展览展示、技术交易、成果发布、前沿大赛以及配套活动六大板块。",
            description_en="Six pillars: conference sessions, exhibition, technology trading, achievement releases, "
            "the frontier technology contest, and side events.",
        ),
        "zgc-forum-2024": Event(
            slug="zgc-forum-2024",
            kind="forum",
            name_zh="2024中关村论坛年会",
            name_en="2024 Zhongguancun Forum Annual Conference",
            theme_zh=kit.forum_facts("zgc-forum-2024")["theme"],
            theme_en="Innovation: Building a Better World",
            starts_on=dt.date(2024, 4, 25),
            ends_on=dt.date(2024, 4, 29),
            provenance=SRC_2024,
        ),
    }


def summit(spec: dict[str, Any], events: dict[str, Event]) -> Event:
    """An Invest Beijing summit inside its year's forum, with the released and signed totals it published."""
    year = 2023 if spec["id"].endswith("2023") else 2024
    date = dt.date.fromisoformat(str(spec["date"]))
    event = Event(
        slug=spec["id"],
        kind="summit",
        parent=events[f"zgc-forum-{year}"],
        name_zh="投资北京全球峰会" if year == 2023 else "2024年投资北京大会",
        name_en="Invest Beijing Global Summit 2023" if year == 2023 else "Invest Beijing Conference 2024",
        starts_on=date,
        ends_on=date,
        format=spec.get("format"),
        provenance=spec["source"],
        description_zh=SUMMIT_2023_ZH if year == 2023 else SUMMIT_2024_ZH,
        description_en=SUMMIT_2023_EN if year == 2023 else SUMMIT_2024_EN,
    )
    rel, sig, src = spec["projects_released"], spec["projects_signed"], spec["source"]
    figure(event, "released_count", str(rel["count"]), "个", "发布招商项目", "Projects released", src)
    figure(event, "released_amount", str(rel["total_yi_yuan"]), "亿元", "招商总额",
           "Total of released projects", src)  # fmt: skip
    figure(event, "signed_count", str(sig["count"]), "个", "签约项目", "Projects signed", src)
    signed_total = sig.get("total_yi_yuan", sig.get("total_yi_yuan_min"))
    beyond = "超" if year == 2024 or "超过" in str(sig.get("note", "")) else None
    figure(event, "signed_amount", str(signed_total), "亿元", "签约金额", "Amount signed", src, q=beyond)
    return event


def contest(kit: DemoKit, forum: Event) -> Event:
    """The 7th Zhongguancun International Frontier Technology Contest, held up to the 2024 forum."""
    spec = kit.competition_facts("frontier-contest-7")
    event = Event(
        slug="frontier-contest-7",
        kind="contest",
        parent=forum,
        name_zh="第七届中关村国际前沿科技大赛",
        name_en="7th Zhongguancun International Frontier Technology Contest",
        theme_zh=spec["theme"],
        theme_en="Opening new frontier tracks, fostering new drivers of growth",
        starts_on=dt.date(2023, 3, 1),
        ends_on=dt.date(2024, 4, 25),
        provenance=spec["source"],
    )
    for key, value, unit, zh, en in CONTEST_FIGURES:
        figure(event, key, value, unit, zh, en, spec["source"])
    return event
