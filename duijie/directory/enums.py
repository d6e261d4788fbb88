"""Kinds of organisations, their flags, and the roles an account can hold."""

from __future__ import annotations

from duijie.core.enums import LabelledEnum


class OrgKind(LabelledEnum):
    GOVERNMENT = "government", "政府部门", "Government"
    PARK = "park", "园区", "Park"
    ENTERPRISE = "enterprise", "企业", "Enterprise"
    INVESTOR = "investor", "投资机构", "Investor"
    UNIVERSITY = "university", "高校", "University"
    INSTITUTE = "institute", "科研院所", "Research institute"
    ASSOCIATION = "association", "社会组织", "Association"


class OrgFlag(LabelledEnum):
    HIGH_TECH = "high_tech", "高新技术企业", "High-tech enterprise"
    SPECIALISED = "specialised", "专精特新", "Specialised and innovative SME"
    LITTLE_GIANT = "little_giant", "专精特新“小巨人”", "Little giant"
    UNICORN = "unicorn", "独角兽", "Unicorn"
    FOREIGN_INVESTED = "foreign_invested", "外资企业", "Foreign-invested"
    HEADQUARTERS = "headquarters", "总部企业", "Headquarters"
    LISTED = "listed", "上市企业", "Listed company"


class Role(LabelledEnum):
    ORGANISER = "organiser", "主办方", "Organiser"
    DISTRICT = "district", "区政府/园区", "District / park"
    ENTERPRISE = "enterprise", "企业", "Enterprise"
    INVESTOR = "investor", "投资机构", "Investor"
    JUDGE = "judge", "评委", "Judge"
    # Marks landed deals verified (four eyes with the deal's manager), for one event or all.
    VERIFIER = "verifier", "项目核实人", "Deal verifier"


class InvitationState(LabelledEnum):
    """An invitation waits for its answer until it is accepted, revoked or its link expires (`expired` is read
    from the expiry time, never written)."""

    PENDING = "pending", "待接受", "Pending"
    ACCEPTED = "accepted", "已接受", "Accepted"
    REVOKED = "revoked", "已撤回", "Revoked"
    EXPIRED = "expired", "已过期", "Expired"


class SignUpState(LabelledEnum):
    """A self-registered enterprise or investor account waits for the organiser's decision."""

    PENDING = "pending", "待审核", "Waiting for approval"
    APPROVED = "approved", "已通过", "Approved"
    DECLINED = "declined", "未通过", "Declined"


# Roles a person may ask for by signing up themselves (the others are given by invitation only).
SIGN_UP_ROLES: tuple[Role, ...] = (Role.ENTERPRISE, Role.INVESTOR)
