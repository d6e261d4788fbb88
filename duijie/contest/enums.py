"""Entry states and round kinds of the frontier technology contest."""

from __future__ import annotations

from duijie.core.enums import LabelledEnum


class EntryState(LabelledEnum):
    SUBMITTED = "submitted", "已提交", "Submitted"
    ELIGIBLE = "eligible", "形式审查通过", "Eligible"
    IN_REVIEW = "in_review", "评审中", "In review"
    ADVANCED = "advanced", "晋级", "Advanced"
    ELIMINATED = "eliminated", "未晋级", "Eliminated"
    AWARDED = "awarded", "获奖", "Awarded"


ENTRY_TRANSITIONS: dict[str, set[str]] = {
    "submitted": {"eligible", "eliminated"},
    "eligible": {"in_review", "eliminated"},
    "in_review": {"advanced", "eliminated"},
    "advanced": {"in_review", "awarded", "eliminated"},
    "eliminated": set(),
    "awarded": set(),
}


class RoundKind(LabelledEnum):
    PRELIMINARY = "preliminary", "初赛（区域赛/领域赛）", "Preliminary"
    FIELD_TOP10 = "field_top10", "领域TOP10", "Field TOP10"
    FINAL = "final", "总决赛", "Final"
