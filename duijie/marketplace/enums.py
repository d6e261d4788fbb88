"""Opportunity kinds, investment-project categories, lifecycle states and the allowed transitions."""

from __future__ import annotations

from duijie.core.enums import LabelledEnum


class OpportunityKind(LabelledEnum):
    INVESTMENT_PROJECT = "investment_project", "招商项目", "Investment project"
    TECH_OFFER = "tech_offer", "技术成果", "Technology offer"
    TECH_DEMAND = "tech_demand", "技术需求", "Technology demand"
    FINANCING_NEED = "financing_need", "融资需求", "Financing need"
    SPACE_OFFER = "space_offer", "空间资源", "Space offer"


class ProjectCategory(LabelledEnum):
    ENTERPRISE_FINANCING = "enterprise_financing", "企业融资", "Enterprise financing"
    PARK_COOPERATION = "park_cooperation", "园区合作", "Park cooperation"
    BUILDING_COOPERATION = "building_cooperation", "楼宇合作", "Building cooperation"
    LAND_FINANCING = "land_financing", "土地融资", "Land financing"


class OpportunityStatus(LabelledEnum):
    DRAFT = "draft", "草稿", "Draft"
    PUBLISHED = "published", "已发布", "Published"
    NEGOTIATING = "negotiating", "洽谈中", "In negotiation"
    SIGNED = "signed", "已签约", "Signed"
    LANDED = "landed", "已落地", "Landed"
    WITHDRAWN = "withdrawn", "已撤回", "Withdrawn"


OPPORTUNITY_TRANSITIONS: dict[str, set[str]] = {
    "draft": {"published", "withdrawn"},
    "published": {"negotiating", "signed", "withdrawn", "draft"},
    "negotiating": {"published", "signed", "withdrawn"},
    "signed": {"landed", "negotiating"},
    "landed": set(),
    "withdrawn": {"draft"},
}

# States in which a project counts as released (发布) by its event.
RELEASED_STATES = frozenset({"published", "negotiating", "signed", "landed"})
