"""The deals part of the demo: the summits' signings and the leads on released projects (seed), then their
progress (extend): 2023 signings through contract to landing and verification, 2024 contracts, 2024 leads lost,
delayed or dormant, follow-up tasks on the open deals, all written through the pipeline's own functions and
dated when they happened.

The 2023 summit signed 39 projects for 608 亿元 (eight technology headquarters among them for 148 亿元), the
2024 one 23 projects for more than 610 亿元: the named signings keep what the reports say of them, the rest
are generated so that the totals come out exactly.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from duijie.agenda.models import AgendaSession
from duijie.core.auth import Actor
from duijie.core.db import SYNTHETIC
from duijie.core.demo_kit import SRC_2023, SRC_2024, YI, DemoKit, allocate
from duijie.deals import service as deal_service
from duijie.deals.enums import DealStatus
from duijie.deals.models import Deal, DealHistory, DealParty
from duijie.deals.schemas import StatusChange, TaskCreate
from duijie.directory.accounts import actor_for_account
from duijie.directory.demo import org
from duijie.directory.models import Account, Organisation
from duijie.directory.reference import DISTRICT_SLUG
from duijie.events.models import Event
from duijie.marketplace.demo.released import Released

# The 2023 signings the report names: (zh, en) title, the company, district, with the district government,
# industry, category, the amount where the report gives it, and what the report says of it.
NAMED_2023: list[dict[str, Any]] = [
    dict(t=("绿竹生物项目", "Lvzhu Biotechnology project"), org="lvzhu-bio", ind="生物科技"),
    dict(t=("神州细胞项目", "Sinocelltech project"), org="sinocelltech", ind="生物科技"),
    dict(t=("海纳川项目", "Hainachuan project"), org="hainachuan", ind="智能网联汽车"),
    dict(t=("中际联合项目", "Zhongji Lianhe project"), org="zhongji-lianhe", ind="绿色能源与节能环保"),
    dict(t=("海博思创项目", "HyperStrong project"), org="hyperstrong", ind="绿色能源与节能环保"),
    dict(t=("中央广播电视总台超高清示范园项目", "CMG ultra-high-definition demonstration park"), org="cmg",
         dist="门头沟区", gov=True, ind="新一代信息技术", note="全国首创项目，与门头沟区政府签约"),
    dict(t=("小米机器人公司项目", "Xiaomi Robotics project"), org="xiaomi-robotics", dist="北京经济技术开发区",
         ind="机器人", note="研发制造可支持定制开发和使用的机器人通用平台型产品"),
    dict(t=("国际开放合作区项目", "International Open Cooperation Zone"), org="rge", dist="石景山区", gov=True,
         amount=Decimal(100) * YI, note="新加坡金鹰集团与石景山区政府联手打造，项目总投资已超过100亿元"),
    dict(t=("快星云平台", "Kuaixing Cloud Platform"), org="kuaishou", ind="软件和信息服务",
         note="用于“短视频+直播”新业务的探索"),
    dict(t=("智能电网研究所示范项目", "Smart Grid Research Institute demonstration project"),
         ind="绿色能源与节能环保"),
    dict(t=("通用技术集团健康管理科技项目", "Genertec health management technology project"), org="genertec",
         ind="医药健康"),
    dict(t=("国家清洁能源与安全应急科技产业园项目",
            "National clean energy and emergency technology industrial park"),
         ind="绿色能源与节能环保", cat="park_cooperation"),
    dict(t=("京东电商产业园项目", "JD e-commerce industrial park"), org="jd", ind="软件和信息服务",
         cat="park_cooperation"),
]  # fmt: skip
# Five of the eight technology headquarters the 2023 report names: zh, en, company, industry.
HQ_2023 = (
    ("南威软件集团研发总部", "Linewell Software Group R&D headquarters", "linewell", "软件和信息服务"),
    ("挪宝能源总部", "Norbo Energy headquarters", "norbo", "绿色能源与节能环保"),
    ("金风零碳能源总部", "Goldwind Zero-Carbon Energy headquarters", "goldwind-zc", "绿色能源与节能环保"),
    ("未来黑科技总部", "Weilai Heikeji headquarters", "weilai-heikeji", "新一代信息技术"),
    ("鲲鹏基因北京总部", "Kunpeng Genetics Beijing headquarters", "kunpeng-gene", "医药健康"),
)
HQ_NOTE = "8个科技类总部项目之一，8个项目合计148亿元；单项金额为示例估算"
SITES = (
    ("研发中心", "R&D centre"),
    ("产业化基地", "manufacturing base"),
    ("创新中心", "innovation centre"),
    ("总部及研发基地", "headquarters and R&D base"),
)


def named_2024(pair: list[Decimal]) -> list[dict[str, Any]]:
    """The 2024 signings the report names; `pair` splits the 10.2 亿元 the first two share."""
    return [
        dict(t=("新能源汽车零部件智慧化组装项目", "New-energy vehicle parts smart assembly"), org="glp",
             dist="顺义区", ind="智能制造与装备", amount=pair[0], est=True,
             note="外资企业普洛斯建设；与福田戴姆勒项目合计投资额10.2亿元"),
        dict(t=("北京福田戴姆勒布局优化建设项目", "Beijing Foton Daimler layout optimisation"), org="bfda",
             dist="怀柔区", ind="智能制造与装备", amount=pair[1], est=True, note="与普洛斯项目合计投资额10.2亿元"),
        dict(t=("坝河北岸8号项目", "Bahe North Bank No. 8"), dist="朝阳区", gov=True,
             note="区域内首个示范性消费场景的科技园区产业商业融合体", cat="park_cooperation"),
        dict(t=("中关村领航科技园项目", "Zhongguancun Linghang Science Park"), dist="延庆区", gov=True,
             ind="低空经济", note="以无人机产业为主导的综合创新中心", cat="park_cooperation"),
        dict(t=("新能源电力设备智能化生产组装项目", "New-energy power equipment smart production and assembly"),
             org="ranli", dist="通州区", gov=True, ind="绿色能源与节能环保",
             note="专精特新“小巨人”企业与通州区签约，建设新能源相关设备制造及组装产线"),
    ]  # fmt: skip


def seed_demo(kit: DemoKit) -> None:
    """The leads on released projects in talks, then both summits' signings."""
    leads(kit)
    signed_deals_2023(kit)
    signed_deals_2024(kit)


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    """A moment of the demo's past, as the history stores it (UTC; Beijing is eight hours ahead)."""
    return dt.datetime.combine(day, dt.time(hour)).replace(tzinfo=dt.UTC) - dt.timedelta(hours=8)


def _released_on(opp: Any) -> dt.date:
    """The day the project was released: its summit's."""
    assert opp.event is not None
    return opp.event.starts_on


def signing_history(
    opened: dt.date,
    signed_on: dt.date,
    *,
    planned: Decimal | None,
    signed: Decimal,
    note: str,
    signing_note: str | None = None,
) -> list[DealHistory]:
    """A summit signing's history as it happened: opened as an intention, signed on the summit's day."""
    return [
        DealHistory(
            action="create",
            at=_at(opened),
            after={
                "stage": "intention",
                "planned_amount": format(planned or 0, "f"),
                "opened_on": opened.isoformat(),
            },
            note=note,
        ),
        DealHistory(
            action="stage",
            at=_at(signed_on, 15),
            before={"stage": "intention"},
            after={
                "stage": "signed",
                "signed_amount": format(signed, "f"),
                "signed_on": signed_on.isoformat(),
            },
            note=signing_note or note,
        ),
    ]


def leads(kit: DemoKit) -> None:
    """A deal for each released project in talks, at the stage the talks have reached, opened in the weeks after
    the summit released the project and sourced by the platform's recommendation of its investor."""
    days = kit.module_rng("deals-dates")
    for talk in kit.part(Released).negotiations:
        opp, owner = talk.opportunity, talk.owner
        assert opp.external_id is not None
        deal = Deal(
            external_id=opp.external_id.replace("-P", "-L"),
            event=opp.event,
            opportunity=opp,
            title_zh=opp.title_zh,
            title_en=opp.title_en,
            stage=talk.stage,
            category=opp.category,
            industry=opp.industry,
            district=opp.district,
            planned_amount=opp.amount,
            provenance=SYNTHETIC,
            opened_on=_released_on(opp) + dt.timedelta(days=days.randrange(3, 60)),
            source_kind="recommendation",
            source_label=f"投资方推荐：{talk.investor.name_zh}与项目画像相符（示例）",
        )
        deal.parties = [
            DealParty(
                organisation=owner,
                role="district_government" if owner.kind == "government" else "enterprise",
            ),
            DealParty(organisation=talk.investor, role="investor"),
        ]
        deal.history = [
            DealHistory(
                action="create",
                at=_at(deal.opened_on),
                after={
                    "stage": deal.stage,
                    "planned_amount": format(opp.amount, "f") if opp.amount else None,
                },
                note="示例数据",
            )
        ]
        kit.db.add(deal)
        kit.summary.deals += 1


def signed_deal(
    kit: DemoKit,
    event: Event,
    ext: str,
    title_zh: str,
    title_en: str,
    amount: Decimal,
    *,
    industry: str | None,
    district: str | None,
    parties: list[tuple[Organisation, str]],
    source: str,
    estimated: bool,
    description: str | None = None,
    category: str | None = None,
) -> Deal:
    """A deal signed on the summit's stage, with its parties and its history: opened as an intention in the
    months before the summit, signed on its day."""
    opened = event.starts_on - dt.timedelta(days=kit.module_rng(f"deals-opened-{ext}").randrange(40, 200))
    deal = Deal(
        external_id=ext,
        event=event,
        title_zh=title_zh,
        title_en=title_en,
        stage="signed",
        industry=industry,
        district=district,
        category=category,
        planned_amount=amount,
        signed_amount=amount,
        amount_estimated=estimated,
        signed_on=event.starts_on,
        on_stage=True,
        # The summit published its signings, so they are public (see deals.permissions).
        announced=True,
        provenance=source,
        description_zh=description,
        opened_on=opened,
    )
    deal.parties = [DealParty(organisation=o, role=r) for o, r in parties]
    note = f"来源 {source}" if source != SYNTHETIC else "示例数据"
    deal.history = signing_history(opened, event.starts_on, planned=amount, signed=amount, note=note)
    kit.db.add(deal)
    kit.summary.deals += 1
    return deal


def signed_deals_2023(kit: DemoKit) -> None:
    """The 2023 summit's 39 signings for 608 亿元, eight headquarters among them for 148 亿元."""
    event = kit.get(Event, "invest-beijing-2023")
    hq_amounts = allocate(Decimal(148), [None] * 8, kit.rng, sigma=0.4)
    _headquarters_2023(kit, event, hq_amounts)
    n_synthetic = 39 - len(NAMED_2023) - 8
    fixed: list[Decimal | None] = [spec.get("amount") for spec in NAMED_2023] + [None] * n_synthetic
    amounts = allocate(Decimal(608) - Decimal(148), fixed, kit.rng)
    _named(kit, event, NAMED_2023, amounts, source=SRC_2023)
    _synthetic_signed(kit, event, amounts[len(NAMED_2023) :], start=len(NAMED_2023) + 1)


def _headquarters_2023(kit: DemoKit, event: Event, amounts: list[Decimal]) -> None:
    """The eight headquarters: five named by the report, three generated; their amounts are estimates."""
    for k, (zh, en, org_slug, ind) in enumerate(HQ_2023):
        signed_deal(kit, event, f"invest-beijing-2023-S-HQ{k + 1}", zh, en, amounts[k], industry=ind,
                    district=None, parties=[(kit.get(Organisation, org_slug), "enterprise")], source=SRC_2023,
                    estimated=True, description=HQ_NOTE)  # fmt: skip
    for k in range(3):
        ind = kit.rng.choice(["新一代信息技术", "医药健康", "智能制造与装备"])
        zh, en = kit.company_name(ind)
        ent = org(kit, f"hq-2023-{k}", kind="enterprise", name_zh=zh, name_en=en, industries=[ind],
                  flags=["headquarters"], provenance=SYNTHETIC)  # fmt: skip
        signed_deal(
            kit,
            event,
            f"invest-beijing-2023-S-HQ{6 + k}",
            f"{zh.removesuffix('有限公司')}科技总部项目",
            f"{en.removesuffix(' Co., Ltd.')} technology headquarters",
            amounts[5 + k],
            industry=ind,
            district=kit.rng.choice(kit.facts["districts_beijing"]),
            parties=[(ent, "enterprise")],
            source=SYNTHETIC,
            estimated=True,
        )


def _named(
    kit: DemoKit, event: Event, named: list[dict[str, Any]], amounts: list[Decimal], *, source: str
) -> None:
    """The signings a report names, numbered S01, S02, ... in the report's order."""
    for k, spec in enumerate(named):
        parties: list[tuple[Organisation, str]] = []
        if "org" in spec:
            parties.append((kit.get(Organisation, spec["org"]), "enterprise"))
        if spec.get("gov"):
            parties.append(
                (kit.get(Organisation, f"gov-{DISTRICT_SLUG[spec['dist']]}"), "district_government")
            )
        title_zh, title_en = spec["t"]
        signed_deal(
            kit,
            event,
            f"{event.slug}-S{k + 1:02d}",
            title_zh,
            title_en,
            amounts[k],
            industry=spec.get("ind"),
            district=spec.get("dist"),
            parties=parties,
            source=source,
            # 2023's named amounts are estimates unless the report gives one; 2024's are all estimates.
            estimated=spec.get("est", "amount" not in spec),
            description=spec.get("note"),
            category=spec.get("cat"),
        )


def _synthetic_signed(kit: DemoKit, event: Event, amounts: list[Decimal], *, start: int) -> None:
    """Generated signings of generated companies with their district's government, one per amount."""
    industries = kit.facts["industries_beijing"]
    for k, amount in enumerate(amounts):
        ind = kit.rng.choice(industries)
        district = kit.rng.choice(kit.facts["districts_beijing"])
        zh, en = kit.company_name(ind)
        ent = org(kit, f"signed-{event.slug}-{k}", kind="enterprise", name_zh=zh, name_en=en, industries=[ind],
                  district=district, provenance=SYNTHETIC)  # fmt: skip
        kind_zh, kind_en = kit.rng.choice(SITES)
        signed_deal(
            kit,
            event,
            f"{event.slug}-S{start + k:02d}",
            f"{zh.removesuffix('有限公司')}{kind_zh}项目",
            f"{en.removesuffix(' Co., Ltd.')} {kind_en}",
            amount,
            industry=ind,
            district=district,
            parties=[(ent, "enterprise"), (kit.get(Organisation, f"gov-{DISTRICT_SLUG[district]}"),
                                           "district_government")],
            source=SYNTHETIC,
            estimated=False,
        )  # fmt: skip


def signed_deals_2024(kit: DemoKit) -> None:
    """The 2024 summit's 23 signings for (more than) 610 亿元."""
    event = kit.get(Event, "invest-beijing-2024")
    pair = allocate(Decimal("10.2"), [None, None], kit.rng, sigma=0.2)
    named = [{**spec, "est": True} for spec in named_2024(pair)]
    fixed: list[Decimal | None] = [spec.get("amount") for spec in named] + [None] * (23 - len(named))
    amounts = allocate(Decimal(610), fixed, kit.rng)
    _named(kit, event, named, amounts, source=SRC_2024)
    rest = amounts[len(named) :]
    _synthetic_signed(kit, event, rest[: -len(PROJECT_SIGNINGS_2024)], start=len(named) + 1)
    _project_signings(kit, event, rest[-len(PROJECT_SIGNINGS_2024) :])


# Of the 2024 summit's 23 signings, two were projects it released, in talks since before the summit.
PROJECT_SIGNINGS_2024 = (0, 1)


def _project_signings(kit: DemoKit, event: Event, amounts: list[Decimal]) -> None:
    """Released 2024 projects whose talks had reached an intention are signed on the summit's stage: their
    deals count among its 23 signings and the projects show as signed in the project list."""
    talks = [
        t for t in kit.part(Released).negotiations if t.opportunity.event is event and t.stage == "intention"
    ]
    days = kit.module_rng("deals-project-signings")
    for k, amount in zip(PROJECT_SIGNINGS_2024, amounts, strict=True):
        opp = talks[k].opportunity
        assert opp.external_id is not None
        deal = kit.db.scalar(select(Deal).where(Deal.external_id == opp.external_id.replace("-P", "-L")))
        assert deal is not None
        opened = event.starts_on - dt.timedelta(days=days.randrange(30, 90))
        deal.opened_on, deal.stage, deal.signed_amount, deal.signed_on = (
            opened,
            "signed",
            amount,
            event.starts_on,
        )
        deal.on_stage = deal.announced = True
        deal.history = signing_history(
            opened, event.starts_on, planned=deal.planned_amount, signed=amount, note="示例数据",
            signing_note="示例数据：投资北京大会现场签约",
        )  # fmt: skip
        opp.status = "signed"


# Closed and stalled 2024 leads: status, reason, where a lost project went.
STATUS_CHANGES = (
    ("lost", "投资方调整投资方向，项目转投他地（示例）", "天津市"),
    ("lost", "用地指标未能落实，企业另行选址（示例）", "新加坡"),
    ("delayed", "企业融资交割推迟至下一季度（示例）", None),
    ("dormant", "投资方内部审批暂停，三个月未有进展（示例）", None),
)
TASKS = (
    "约谈企业确认投资意向（示例）",
    "报送项目用地与空间需求（示例）",
    "组织区政府与投资方实地考察（示例）",
    "起草合作协议框架（示例）",
)
SUMMIT_SESSIONS = MappingProxyType(
    {"invest-beijing-2023": "投资北京全球峰会", "invest-beijing-2024": "2024年投资北京大会"}
)
PARKS_BY_DISTRICT = ("科技园", "产业园", "创新中心", "高端制造基地")


def extend_demo(kit: DemoKit) -> None:
    """The summits' signings sourced by their sessions; 2023 signings through contract to landing (three of the
    landings verified by the verifier, with evidence); 2024 contracts; 2024 leads lost, delayed or dormant; and
    follow-up tasks on the open deals. Every move goes through the pipeline's own functions and is dated when
    it happened."""
    rng = kit.module_rng("deals")
    organiser = actor_for_account(kit.get(Account, "organiser"))
    land_2023(kit, rng, organiser)
    contracts_2024(kit, rng, organiser)
    follow_up_2024(kit, rng, organiser)
    kit.db.flush()


def _redate(db: Session, deal: Deal, when: dt.date, hour: int = 10) -> None:
    """Date the deal's newest history row when its change happened (the service stamps the moment it ran)."""
    db.flush()
    row = db.scalar(select(DealHistory).where(DealHistory.deal_id == deal.id).order_by(DealHistory.id.desc()))
    if row is not None:
        row.at = _at(when, hour)


def finish_demo(kit: DemoKit) -> None:
    """Once the forums' programmes exist (the agenda writes them in this phase, on a lower floor): the
    summits' signings are sourced by their sessions."""
    source_signings(kit)
    kit.db.flush()


def source_signings(kit: DemoKit) -> None:
    """Each summit's signings were brought about by the summit: their source is its session in the programme."""
    db = kit.db
    for slug, title in SUMMIT_SESSIONS.items():
        event = kit.get(Event, slug)
        session = db.scalar(select(AgendaSession).where(AgendaSession.title_zh == title))
        if session is None:
            continue
        signings = select(Deal).where(
            Deal.event_id == event.id, Deal.on_stage.is_(True), Deal.source_kind.is_(None)
        )
        for deal in db.scalars(signings):
            deal.source_kind, deal.source_id = "session", session.id
            deal.source_label = f"{session.title_zh}（现场签约）"


def _signed(kit: DemoKit, slug: str) -> list[Deal]:
    """The generated signings of a summit that name their district (a sourced deal keeps what its source says)."""
    return list(
        kit.db.scalars(
            select(Deal)
            .where(
                Deal.event_id == kit.get(Event, slug).id,
                Deal.stage == "signed",
                Deal.provenance == SYNTHETIC,
                Deal.district.is_not(None),
            )
            .order_by(Deal.id)
        )
    )


def _to_contract(kit: DemoKit, rng: random.Random, organiser: Actor, deal: Deal) -> dt.date:
    assert deal.signed_on is not None
    day = deal.signed_on + dt.timedelta(days=rng.randrange(25, 150))
    deal_service.move_deal_to_stage(
        kit.db,
        actor=organiser,
        deal=deal,
        to="contract",
        note="正式投资合同签订（示例数据）",
        contract_on=day,
    )
    _redate(kit.db, deal, day)
    return day


def land_2023(kit: DemoKit, rng: random.Random, organiser: Actor) -> None:
    """2023 signings: eleven have concluded their contract, six of those have landed with part of their amount
    invested, and three of the landings are verified by the verifier with a document of evidence."""
    db = kit.db
    signed_2023 = _signed(kit, "invest-beijing-2023")
    chosen = rng.sample(signed_2023, 11)
    landed: list[Deal] = []
    for k, deal in enumerate(chosen):
        contract_on = _to_contract(kit, rng, organiser, deal)
        if k >= 6:
            continue
        assert deal.signed_amount is not None and deal.district is not None
        share = Decimal(rng.choice([40, 55, 70, 85, 100])) / 100
        landed_on = contract_on + dt.timedelta(days=rng.randrange(60, 260))
        deal_service.move_deal_to_stage(
            db,
            actor=organiser,
            deal=deal,
            to="landed",
            note="项目已开工建设（示例数据）",
            invested_amount=(deal.signed_amount * share).quantize(Decimal("0.01")),
            landed_on=landed_on,
            landed_site=f"{deal.district}{rng.choice(PARKS_BY_DISTRICT)}（示例地址）",
        )
        _redate(db, deal, landed_on)
        landed.append(deal)
    verifier = actor_for_account(kit.get(Account, "verifier"))
    for deal in landed[:3]:
        assert deal.landed_on is not None
        checked = deal.landed_on + dt.timedelta(days=rng.randrange(20, 90))
        deal_service.add_evidence(
            db,
            actor=verifier,
            deal=deal,
            title="营业执照及项目用地租赁合同（示例）",
            filename=f"landing-evidence-{deal.external_id}.pdf",
            data=evidence_pdf(deal),
        )
        _redate(db, deal, checked, 9)
        deal_service.verify(
            db, actor=verifier, deal=deal, note="现场核查：企业已入驻并投产（示例数据）", checked_on=checked
        )
        _redate(db, deal, checked, 16)


def contracts_2024(kit: DemoKit, rng: random.Random, organiser: Actor) -> None:
    """Four 2024 signings have concluded their contract since the summit."""
    for deal in rng.sample(_signed(kit, "invest-beijing-2024"), 4):
        _to_contract(kit, rng, organiser, deal)


def evidence_pdf(deal: Deal) -> bytes:
    """A one-page PDF standing in for the scanned documents a verifier receives (the demo has no real ones)."""
    text = f"duijie demo evidence - deal {deal.external_id} - landed {deal.landed_on} - sample document"
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def follow_up_2024(kit: DemoKit, rng: random.Random, organiser: Actor) -> None:
    """2024 leads: two lost (one to Tianjin, one to Singapore), one delayed, one dormant, each with its reason;
    a follow-up task on every other open one (Haidian's for the district)."""
    db = kit.db
    open_2024 = list(
        db.scalars(
            select(Deal)
            .where(
                Deal.event_id == kit.get(Event, "invest-beijing-2024").id,
                Deal.stage.in_(("contacted", "negotiating")),
            )
            .order_by(Deal.id)
        )
    )
    changed = rng.sample(open_2024, len(STATUS_CHANGES))
    for deal, (status, reason, place) in zip(changed, STATUS_CHANGES, strict=True):
        deal_service.set_status(
            db,
            actor=organiser,
            deal=deal,
            change=StatusChange(to=DealStatus(status), reason=reason, lost_to=place),
        )
        _redate(db, deal, deal.opened_on + dt.timedelta(days=rng.randrange(30, 120)))
    district_owner = kit.get(Account, "haidian")
    for k, deal in enumerate(d for d in open_2024 if d not in changed):
        owner = district_owner if deal.district == "海淀区" else kit.get(Account, "organiser")
        deal_service.add_task(
            db,
            actor=organiser,
            deal=deal,
            data=TaskCreate(
                title=TASKS[k % len(TASKS)],
                due_on=dt.date(2024, 5, 10) + dt.timedelta(days=rng.randrange(0, 60)),
                owner_id=owner.id,
            ),
        )
        _redate(db, deal, deal.opened_on + dt.timedelta(days=3))
