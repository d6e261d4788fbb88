"""Profiles built from records: an investor's past deals describe what was invested in, never who."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from duijie.deals.models import Deal, DealParty
from duijie.directory.models import Organisation
from duijie.events.models import Event
from duijie.marketplace.models import Opportunity
from duijie.matching.affinity import AffinityEngine
from duijie.matching.profiles import deal_document, investor_profile, opportunity_profile, past_deals


def _event(db: Session, slug: str) -> Event:
    return db.scalars(select(Event).where(Event.slug == slug)).one()


def test_deal_document_keeps_industry_category_and_summary_without_names() -> None:
    document = deal_document(
        "医药健康",
        "enterprise_financing",
        "盛景医药A轮股权融资，资金用于研发。",
        ["盛景医药有限公司（示例）", "Shengjing Pharmaceuticals Co., Ltd. (sample)"],
    )
    assert document == "医药健康 企业融资项目：A轮股权融资，资金用于研发。"
    assert deal_document("人工智能", None, None) == "人工智能项目"
    assert deal_document(None, None, None) == ""


def test_demo_investors_deal_documents_name_no_party(db: Session) -> None:
    deals = past_deals(db, _event(db, "invest-beijing-2024"))
    assert deals
    names = [n for n in db.scalars(select(Organisation.name_zh)) if n]
    shorts = {n.removesuffix("（示例）").removesuffix("有限公司") for n in names} - {""}
    for documents in deals.values():
        for document in documents:
            assert document.split(" ", 1)[0].split("项目", 1)[0]
            assert not [s for s in shorts if len(s) >= 3 and s in document], document


def _past_deal(db: Session, investor: Organisation, company: Organisation, event: Event) -> None:
    """A signed financing round of `company` at `event`, with the investor as a party."""
    project = Opportunity(
        event=event,
        kind="investment_project",
        title_zh=f"{company.name_zh.removesuffix('有限公司')}B轮融资",
        summary_zh="昌平医药健康企业B轮股权融资，资金用于研发投入与产能建设。",
        category="enterprise_financing",
        industry="医药健康",
        district="昌平区",
        status="signed",
    )
    deal = Deal(
        event=event,
        opportunity=project,
        title_zh=project.title_zh,
        stage="signed",
        category="enterprise_financing",
        industry="医药健康",
    )
    deal.parties = [
        DealParty(organisation=company, role="enterprise"),
        DealParty(organisation=investor, role="investor"),
    ]
    db.add_all([project, deal])


def test_structurally_fitting_project_outranks_one_that_shares_a_company_name(db: Session) -> None:
    investor = Organisation(
        slug="test-investor",
        kind="investor",
        name_zh="测试医药基金（示例）",
        description_zh="专注医药健康领域企业的股权投资。",
        preferences={"industries": ["医药健康"]},
    )
    company = Organisation(slug="test-shengjing", kind="enterprise", name_zh="盛景医药有限公司")
    db.add_all([investor, company])
    _past_deal(db, investor, company, _event(db, "invest-beijing-2023"))
    db.flush()
    documents = past_deals(db, _event(db, "invest-beijing-2024"))[investor.id]
    assert documents == ["医药健康 企业融资项目：昌平医药健康企业B轮股权融资，资金用于研发投入与产能建设。"]
    fit = Opportunity(
        id=-1,
        kind="investment_project",
        title_zh="康源生物B轮融资",
        summary_zh="创新药企业B轮股权融资，用于抗体药物临床试验。",
        industry="医药健康",
        category="enterprise_financing",
        amount=Decimal(200_000_000),
    )
    namesake = Opportunity(
        id=-2,
        kind="investment_project",
        title_zh="盛景医药总部楼宇合作项目",
        summary_zh="盛景医药总部大楼整层招租，盛景医药寻求楼宇运营合作。",
        industry="生物科技",
        category="building_cooperation",
        amount=Decimal(2_000_000_000),
    )

    def ranked(docs: list[str]) -> tuple[list[float], list[float]]:
        left, right = investor_profile(investor, (), docs), [opportunity_profile(p) for p in (fit, namesake)]
        engine = AffinityEngine("investor_project").fit([left], right)
        found = [engine.score_pair(left, r) for r in right]
        return [a.score for a in found], [a.part("lexical").value for a in found]

    # Deal titles as documents: the shared company name alone counts as strong textual evidence.
    named_scores, named_lexical = ranked(["盛景医药B轮融资"])
    assert named_lexical[1] > 0.3
    # What was invested in as documents: the namesake shares almost no terms, and the fitting project's lead
    # over it more than doubles.
    scores, lexical = ranked(documents)
    assert lexical[1] < 0.1 < lexical[0]
    assert scores[0] - scores[1] > 2 * (named_scores[0] - named_scores[1]) > 0
