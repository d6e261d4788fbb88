"""Deal stages and the allowed moves between them."""

from __future__ import annotations

from duijie.core.enums import LabelledEnum


class DealStage(LabelledEnum):
    LEAD = "lead", "线索", "Lead"
    CONTACTED = "contacted", "已接洽", "Contacted"
    NEGOTIATING = "negotiating", "洽谈中", "Negotiating"
    AGREED = "agreed", "意向", "Agreed"
    SIGNED = "signed", "签约", "Signed"
    LANDED = "landed", "落地", "Landed"
    LOST = "lost", "未成", "Lost"


class PartyRole(LabelledEnum):
    ENTERPRISE = "enterprise", "企业", "Enterprise"
    DISTRICT_GOVERNMENT = "district_government", "区政府", "District government"
    PARK = "park", "园区", "Park"
    INVESTOR = "investor", "投资方", "Investor"


DEAL_TRANSITIONS: dict[str, set[str]] = {
    "lead": {"contacted", "negotiating", "lost"},
    "contacted": {"negotiating", "lost", "lead"},
    "negotiating": {"agreed", "signed", "lost", "contacted"},
    "agreed": {"signed", "negotiating", "lost"},
    "signed": {"landed", "lost"},
    "landed": set(),
    "lost": {"lead"},
}

SIGNED_STAGES = frozenset({"signed", "landed"})

# The pipeline's order, first to last; "lost" stands beside it. A move to an earlier stage (or out of lost) is
# a move back: deliberate, with a note saying why.
PIPELINE: tuple[str, ...] = ("lead", "contacted", "negotiating", "agreed", "signed", "landed")


def is_move_back(current: str, target: str) -> bool:
    """Whether going from `current` to `target` goes back down the pipeline (reopening a lost deal included)."""
    if current == "lost":
        return target != "lost"
    if target == "lost" or target not in PIPELINE or current not in PIPELINE:
        return False
    return PIPELINE.index(target) < PIPELINE.index(current)
