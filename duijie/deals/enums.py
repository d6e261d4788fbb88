"""Deal stages, statuses, the moves between stages and the facts each stage needs before a deal may enter it.

Two axes, as an investment bureau keeps them. The STAGE is how far a deal has come (lead → contacted →
negotiating → intention → signed at the forum → contract → landed → verified); the STATUS is how it is going
(ongoing, delayed, dormant, lost, abandoned). A lost deal keeps the stage it had reached, so the pipeline can say
where deals are lost, and the city or country it went to.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

from duijie.core.enums import LabelledEnum
from duijie.core.i18n import mark as _l


class DealStage(LabelledEnum):
    LEAD = "lead", "线索", "Lead"
    CONTACTED = "contacted", "已接洽", "Contacted"
    NEGOTIATING = "negotiating", "洽谈中", "Negotiating"
    INTENTION = "intention", "达成意向", "Intention agreed"
    SIGNED = "signed", "论坛签约", "Signed at the forum"
    CONTRACT = "contract", "正式合同", "Contract"
    LANDED = "landed", "落地", "Landed"
    VERIFIED = "verified", "已核实", "Verified"


class DealStatus(LabelledEnum):
    ONGOING = "ongoing", "推进中", "Ongoing"
    DELAYED = "delayed", "延期", "Delayed"
    DORMANT = "dormant", "停滞", "Dormant"
    LOST = "lost", "流失", "Lost"
    ABANDONED = "abandoned", "放弃", "Abandoned"


class PartyRole(LabelledEnum):
    ENTERPRISE = "enterprise", "企业", "Enterprise"
    DISTRICT_GOVERNMENT = "district_government", "区政府", "District government"
    PARK = "park", "园区", "Park"
    INVESTOR = "investor", "投资方", "Investor"


class SourceKind(LabelledEnum):
    """What brought the deal about: the attribution a bureau reports its forum's effect with."""

    MEETING = "meeting", "一对一洽谈", "1:1 meeting"
    SESSION = "session", "论坛活动", "Forum session"
    EXHIBITOR_LEAD = "exhibitor_lead", "展商线索", "Exhibitor lead"
    TRADING_EVENT = "trading_event", "技术交易活动", "Technology-trading event"
    RECOMMENDATION = "recommendation", "平台推荐", "Platform recommendation"
    OTHER = "other", "其他渠道", "Other"


# The pipeline's order, first to last. Verified is entered only through verification (four eyes, evidence).
PIPELINE: tuple[str, ...] = tuple(s.value for s in DealStage)
# "Signed" in every published figure: signed at the forum (agreement or MoU) or any later stage, of a deal that
# is not lost or abandoned. `deals.models.signed_clause` is the same rule as a WHERE clause.
SIGNED_STAGES = frozenset({"signed", "contract", "landed", "verified"})
CLOSED_STATUSES = frozenset({"lost", "abandoned"})
# A status other than ongoing says why; these also say where a lost project went.
STATUSES_WITH_PLACE = frozenset({"lost"})

# Allowed stage moves: forward to any later stage up to landed (the facts of every stage passed are needed),
# back to any earlier stage (with a note); verified only by `service.verify`.
DEAL_TRANSITIONS: MappingProxyType[str, frozenset[str]] = MappingProxyType(
    {
        s: frozenset(t for t in PIPELINE if t != s and t != "verified")
        | (frozenset({"verified"}) if s == "landed" else frozenset())
        for s in PIPELINE
    }
)


def counts_as_signed(stage: str, status: str) -> bool:
    """Whether a deal is in the "signed" figures (see SIGNED_STAGES)."""
    return stage in SIGNED_STAGES and status not in CLOSED_STATUSES


def is_move_back(current: str, target: str) -> bool:
    """Whether going from `current` to `target` goes back down the pipeline."""
    if target not in PIPELINE or current not in PIPELINE:
        return False
    return PIPELINE.index(target) < PIPELINE.index(current)


def stages_between(current: str, target: str) -> tuple[str, ...]:
    """The stages a forward move enters: after `current`, up to and including `target`."""
    if not is_move_forward(current, target):
        return ()
    return PIPELINE[PIPELINE.index(current) + 1 : PIPELINE.index(target) + 1]


def is_move_forward(current: str, target: str) -> bool:
    return current in PIPELINE and target in PIPELINE and PIPELINE.index(target) > PIPELINE.index(current)


@dataclass(frozen=True)
class ExitRule:
    """A fact a deal needs before it may enter `stage` (it is what the previous stage must settle to exit).

    kind: "required" — the field has a value; "not_future" — a date no later than today; "not_before" — a date
    no earlier than `other` (another date field, or `opened_on`, the day the deal was opened).
    """

    stage: str
    field: str
    kind: str
    message: str
    other: str | None = None


# The stage-exit rules, as data: the page, `GET /api/v1/deals/{id}/next-stage`, the move, the sheet import and
# the tests all read this one table. A forward move must satisfy the rules of every stage it enters.
EXIT_RULES: tuple[ExitRule, ...] = (
    ExitRule("contacted", "parties", "required", _l("Name the party that was contacted.")),
    ExitRule("negotiating", "industry", "required", _l("Say the project's industry.")),
    ExitRule("negotiating", "district", "required", _l("Say the district where the project would locate.")),
    ExitRule("intention", "planned_amount", "required", _l("An intention needs the planned amount.")),
    ExitRule("signed", "signed_amount", "required", _l("A signed deal needs the amount signed.")),
    ExitRule("signed", "signed_on", "required", _l("A signed deal needs the date of signing.")),
    ExitRule("signed", "signed_on", "not_future", _l("The date of signing cannot be later than today.")),
    ExitRule(
        "signed",
        "signed_on",
        "not_before",
        _l("The date of signing is before the deal was opened."),
        "opened_on",
    ),
    ExitRule("contract", "contract_on", "required", _l("A contract needs the date it was concluded.")),
    ExitRule("contract", "contract_on", "not_future", _l("The contract date cannot be later than today.")),
    ExitRule(
        "contract",
        "contract_on",
        "not_before",
        _l("The contract date is before the date of signing."),
        "signed_on",
    ),
    ExitRule("landed", "landed_on", "required", _l("A landed deal needs the actual landing date.")),
    ExitRule("landed", "landed_site", "required", _l("A landed deal needs the site where it landed.")),
    ExitRule("landed", "landed_on", "not_future", _l("The landing date cannot be later than today.")),
    ExitRule(
        "landed",
        "landed_on",
        "not_before",
        _l("The landing date is before the contract date."),
        "contract_on",
    ),
    ExitRule("verified", "evidence", "required", _l("Verification needs at least one document of evidence.")),
)

# Dates a deal records, each checked against the day the deal was opened wherever it is written.
DEAL_DATES: tuple[str, ...] = ("signed_on", "contract_on", "landed_on")
