"""The technology trading of the 2024 Zhongguancun Forum in the demo: technology offers and demands, generated.

The forum put more than 3,000 technology results from over 40 countries up for trading; the demo holds a sample
of them (about 120 offers from universities, institutes and enterprises, and 50 demands from enterprises),
each marked as sample data (示例数据), with its readiness level, IP status and the terms on which it is traded.
Only existing demo enterprises and new universities and institutes own them, so the other modules' generated
data (which sample enterprises) and the summits' published totals stay exactly as they were.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from sqlalchemy import select

from duijie.core.db import SYNTHETIC
from duijie.core.demo_kit import DemoKit
from duijie.directory.demo import org
from duijie.directory.models import Organisation
from duijie.events.models import Event
from duijie.marketplace.demo.trading_data import (
    BUDGETS_WAN,
    DEMANDS,
    FIELD_EN,
    IP_STATUS,
    NEIGHBOURS,
    OFFERS,
    PRICES_WAN,
    RESEARCH,
    TERMS,
)
from duijie.marketplace.models import Opportunity

EVENT = "zgc-forum-2024"
WAN = Decimal(10_000)


def trading_demo(kit: DemoKit) -> None:
    """Add the forum's technology offers and demands (once: a second call finds them and adds nothing)."""
    db = kit.db
    if db.scalar(select(Opportunity.id).where(Opportunity.external_id == f"{EVENT}-T001")) is not None:
        return
    rng = kit.module_rng("marketplace")
    research = _research_orgs(kit)
    enterprises = _enterprises(kit)
    sellers = _offers(kit, rng, research, enterprises)
    # Companies selling results at the trading are not its buyers too, so no demand meets its own offer.
    _demands(kit, rng, [o for o in enterprises if o.slug not in sellers])
    db.flush()


def _offers(
    kit: DemoKit, rng: random.Random, research: list[Organisation], enterprises: list[Organisation]
) -> set[str]:
    """The technology offers, industry by industry; returns the slugs of the organisations selling."""
    event = kit.get(Event, EVENT)
    xinghe = kit.get(Organisation, "demo-xinghe")
    n = 0
    sellers: set[str] = set()
    for industry, items in OFFERS.items():
        for item in items:
            n += 1
            title_zh, title_en, scene_zh, scene_en = item[:4]
            field = item[4] if len(item) > 4 else industry
            if n == 1:
                owner = xinghe
            elif rng.random() < 0.7:
                owner = rng.choice(_near(research, field))
            else:
                owner = rng.choice(_near(enterprises, field))
            sellers.add(owner.slug)
            base = 5 if owner.kind == "enterprise" else (3 if owner.kind == "university" else 4)
            trl = min(9, base + rng.randrange(4))
            terms = _terms(rng)
            ip = rng.choice(IP_STATUS.get(industry, IP_STATUS["default"]))
            priced = "转让" in terms or "作价入股" in terms or rng.random() < 0.3
            amount = Decimal(rng.choice(PRICES_WAN)) * WAN if priced else None
            mat_zh, mat_en = _maturity(trl)
            kit.db.add(
                Opportunity(
                    external_id=f"{EVENT}-T{n:03d}",
                    event=event,
                    kind="tech_offer",
                    title_zh=title_zh,
                    title_en=title_en,
                    summary_zh=f"{title_zh}，适用于{scene_zh}。{mat_zh}。",
                    summary_en=f"{title_en}, for {scene_en}; {mat_en}.",
                    industry=field,
                    district=owner.district,
                    amount=amount,
                    trl=trl,
                    ip_status=ip,
                    licensing_terms="、".join(terms),
                    owner=owner,
                    status="negotiating" if rng.random() < 0.12 else "published",
                    published_at=_published(event),
                    contact_name="成果转化联系人（示例）",
                    contact_email=f"offer{n:03d}@demo.duijie.invalid",
                    provenance=SYNTHETIC,
                )
            )
    kit.summary.opportunities += n
    return sellers


def _demands(kit: DemoKit, rng: random.Random, buyers: list[Organisation]) -> None:
    """The enterprises' technology demands (the demo enterprise account's company posts the first three)."""
    event = kit.get(Event, EVENT)
    xinghe = kit.get(Organisation, "demo-xinghe")
    for k, (industry, title_zh, title_en, need_zh, need_en) in enumerate(DEMANDS, start=1):
        owner = xinghe if k <= 3 else rng.choice(_near(buyers, industry))
        trl = rng.choice((5, 6, 6, 7, 7, 8))
        terms = _terms(rng)
        kit.db.add(
            Opportunity(
                external_id=f"{EVENT}-D{k:03d}",
                event=event,
                kind="tech_demand",
                title_zh=title_zh,
                title_en=title_en,
                summary_zh=f"{need_zh}。",
                summary_en=f"{need_en}.",
                industry=industry,
                district=owner.district,
                amount=Decimal(rng.choice(BUDGETS_WAN)) * WAN,
                trl=trl,
                licensing_terms="、".join(terms),
                owner=owner,
                status="published",
                published_at=_published(event),
                contact_name="技术需求联系人（示例）",
                contact_email=f"demand{k:03d}@demo.duijie.invalid",
                provenance=SYNTHETIC,
            )
        )
    kit.summary.opportunities += len(DEMANDS)


def _published(event: Event) -> dt.datetime:
    return dt.datetime.combine(event.starts_on, dt.time(9, 0), tzinfo=dt.UTC)


def _maturity(trl: int) -> tuple[str, str]:
    """How far a result has come, in words, for its readiness level."""
    if trl <= 3:
        return "目前处于原理验证阶段", "at proof-of-concept stage"
    if trl <= 5:
        return "已完成实验室样机验证", "validated as a laboratory prototype"
    if trl == 6:
        return "已完成中试验证", "validated at pilot scale"
    if trl <= 8:
        return "已在用户现场完成示范应用", "demonstrated at customer sites"
    return "已实现批量应用", "in volume use"


def _research_orgs(kit: DemoKit) -> list[Organisation]:
    return [
        org(
            kit,
            slug,
            kind=kind,
            name_zh=zh,
            name_en=en,
            country=country,
            district=district,
            industries=list(industries),
            provenance=SYNTHETIC,
            description_zh=f"示例{'高校' if kind == 'university' else '科研机构'}：在{'、'.join(industries)}领域开展研究与成果转化。",
            description_en=f"Sample {kind}: research and technology transfer in "
            f"{', '.join(FIELD_EN[i] for i in industries)}.",
        )
        for slug, kind, zh, en, country, district, industries in RESEARCH
    ]


def _enterprises(kit: DemoKit) -> list[Organisation]:
    """The demo's own enterprises (released projects' companies and named ones), in a fixed order."""
    return sorted(
        (o for o in kit.all(Organisation) if o.kind == "enterprise" and o.slug != "demo-xinghe"),
        key=lambda o: o.slug,
    )


def _near(orgs: list[Organisation], industry: str) -> list[Organisation]:
    """Organisations in the industry; else in a neighbouring one; else all of them."""
    exact = [o for o in orgs if industry in (o.industries or [])]
    if exact:
        return exact
    neighbours = NEIGHBOURS.get(industry, ())
    close = [o for o in orgs if any(i in neighbours for i in o.industries or [])]
    return close or orgs


def _terms(rng: random.Random) -> list[str]:
    return sorted(rng.sample(TERMS, rng.choice((1, 1, 2))), key=TERMS.index)
