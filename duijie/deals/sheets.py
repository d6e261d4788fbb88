"""Deal sheets, and importing a whole file: every sheet is read, recognised as a project sheet (it has a
项目编号 / external id column) or a deal sheet (it also has a 阶段 / stage column), planned row by row, and
applied only when nothing is wrong (or, explicitly, its valid rows only). Re-importing a file changes nothing:
rows are matched to records by their external id and compared field by field.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from duijie.core import audit
from duijie.core.auth import Actor
from duijie.core.i18n import get_locale
from duijie.core.i18n import gettext as _
from duijie.core.sheets import (
    CellProblem,
    Column,
    Layout,
    RawSheet,
    RowPlan,
    amount_columns,
    boolean,
    bounded_text,
    chunks,
    date,
    enum_parser,
    has_columns,
    identity_columns,
    match_headers,
    plan_row,
    read_file,
    text,
)
from duijie.deals import service as deal_service
from duijie.deals.enums import DEAL_TRANSITIONS, SIGNED_STAGES, DealStage, PartyRole
from duijie.deals.models import Deal, DealParty
from duijie.deals.permissions import can_manage_deal
from duijie.deals.schemas import DealUpdate
from duijie.directory.models import Organisation
from duijie.marketplace.enums import ProjectCategory
from duijie.marketplace.models import Opportunity
from duijie.marketplace.sheets import (
    PROJECT_COLUMNS,
    EventLookup,
    apply_projects,
    district,
    industry,
    is_project_sheet,
    plan_projects,
)

PARTY_SEPARATORS = ("、", ";", "；", "|", "\n")


def _parties(value: Any) -> list[str] | None:
    s = text(value)
    if s is None:
        return []
    for sep in PARTY_SEPARATORS[1:]:
        s = s.replace(sep, PARTY_SEPARATORS[0])
    return [p.strip() for p in s.split(PARTY_SEPARATORS[0]) if p.strip()]


DEAL_COLUMNS: list[Column] = [
    *identity_columns(
        "编号",
        id_aliases=("签约编号", "项目编号", "deal id", "id"),
        title_aliases=("名称", "签约项目", "deal"),
    ),
    Column("title_en", "英文名称", "Title (English)", bounded_text(200)),
    Column(
        "stage", "阶段", "Stage", enum_parser(DealStage), aliases=("签约阶段", "deal stage"), required=True
    ),
    Column("event", "活动", "Event", text, aliases=("签约活动", "event id")),
    Column("category", "类别", "Category", enum_parser(ProjectCategory)),
    Column("industry", "产业", "Industry", industry, aliases=("产业领域", "行业")),
    Column("district", "区域", "District", district, aliases=("所在区", "落地区域")),
    *amount_columns("planned_amount", "计划金额", "Planned amount", aliases=("计划投资额",)),
    *amount_columns("signed_amount", "签约金额", "Signed amount", aliases=("签约额",)),
    *amount_columns("invested_amount", "到位金额", "Invested amount", aliases=("实际投资额",)),
    Column("amount_estimated", "金额为估算", "Amount estimated", boolean, aliases=("估算",)),
    Column("signed_on", "签约日期", "Signed on", date),
    Column("landed_on", "落地日期", "Landed on", date),
    Column("on_stage", "现场签约", "On stage", boolean),
    Column("lost_reason", "未成原因", "Lost reason", bounded_text(300)),
    Column("project", "关联项目编号", "Project id", text, aliases=("project external id",)),
    Column("description_zh", "项目说明", "Description", text),
    Column("enterprise", "企业", "Enterprise", _parties, aliases=("签约企业",)),
    Column("investor", "投资方", "Investor", _parties, aliases=("投资机构",)),
    Column("district_government", "区政府", "District government", _parties),
    Column("park", "园区", "Park", _parties),
    Column("note", "备注", "Note", bounded_text(500)),
]
STAGE_COLUMN = next(c for c in DEAL_COLUMNS if c.key == "stage")
PARTY_KEYS = tuple(r.value for r in PartyRole)
FACT_FIELDS = (
    "title_zh",
    "title_en",
    "event_id",
    "category",
    "industry",
    "district",
    "planned_amount",
    "invested_amount",
    "amount_estimated",
    "on_stage",
    "opportunity_id",
    "description_zh",
)
STAGE_FIELDS = ("signed_amount", "signed_on", "landed_on", "lost_reason")


def is_deal_sheet(sheet: RawSheet) -> bool:
    """A deal sheet names a 阶段 / stage column besides its 编号 / external id."""
    return has_columns(sheet, STAGE_COLUMN, DEAL_COLUMNS[0])


class OrgLookup:
    """Organisations by Chinese name, English name or slug, read once per import."""

    def __init__(self, db: Session) -> None:
        self.by_name: dict[str, set[int]] = {}
        self.name_of: dict[int, str] = {}
        for org_id, slug, zh, en in db.execute(
            select(Organisation.id, Organisation.slug, Organisation.name_zh, Organisation.name_en)
        ):
            self.name_of[org_id] = zh
            for name in (slug, zh, en):
                if name:
                    self.by_name.setdefault(name.strip().lower(), set()).add(org_id)

    def find(self, name: str) -> int:
        found = self.by_name.get(name.strip().lower(), set())
        if not found:
            raise CellProblem(_("%(v)s is not a known organisation") % {"v": name})
        if len(found) > 1:
            raise CellProblem(_("%(v)s names several organisations; write its id instead") % {"v": name})
        return next(iter(found))


def plan_deals(
    db: Session, sheet: RawSheet, *, actor: Actor, events: EventLookup, orgs: OrgLookup, seen: set[str]
) -> tuple[list[RowPlan], list[str], list[str]]:
    """The plan of every row of a deal sheet, header errors, and ignored headers; writes nothing."""
    layout, header_errors = match_headers(sheet, DEAL_COLUMNS)
    if header_errors:
        return [], header_errors, layout.ignored

    def resolve(plan: RowPlan) -> None:
        plan.resolve(layout, "event", events.find, into="event_id")
        values = plan.values
        parties: list[tuple[int, str]] = []
        for role in PARTY_KEYS:
            for name in values.pop(role, None) or []:
                try:
                    parties.append((orgs.find(name), role))
                except CellProblem as exc:
                    plan.error(layout.header(role), str(exc))
        if any(layout.has(r) for r in PARTY_KEYS):
            values["parties"] = sorted(set(parties))

    plans = [
        plan_row(sheet, layout, row, cells, kind="deal", seen=seen, resolve=resolve)
        for row, cells in sheet.rows
    ]
    project_ids = {p.values["project"] for p in plans if p.values.get("project")}
    projects: dict[str | None, int] = {}
    for part in chunks(sorted(project_ids)):
        rows = db.execute(
            select(Opportunity.external_id, Opportunity.id).where(Opportunity.external_id.in_(part))
        )
        projects.update((external_id, opp_id) for external_id, opp_id in rows)
    existing: dict[str | None, Deal] = {}
    for part in chunks([p.external_id for p in plans if p.external_id]):
        for deal in db.scalars(
            select(Deal).where(Deal.external_id.in_(part)).options(selectinload(Deal.parties))
        ):
            existing[deal.external_id] = deal
    for plan in plans:
        if "project" in plan.values:
            ref = plan.values.pop("project")
            if ref is None:
                plan.values["opportunity_id"] = None
            elif ref in projects:
                plan.values["opportunity_id"] = projects[ref]
            else:
                plan.error(layout.header("project"), _("no project numbered %(v)s") % {"v": ref})
        if plan.action != "error":
            _decide_deal(plan, existing.get(plan.external_id or ""), actor, layout)
    return plans, [], layout.ignored


def _stage_problems(plan: RowPlan, stage: str, values: dict[str, Any], layout: Layout) -> None:
    """A signed deal's amount and date, a lost deal's reason: named on the row, as the service would refuse."""
    if stage in SIGNED_STAGES:
        if values.get("signed_amount") is None:
            plan.error(layout.header("signed_amount"), _("a signed deal needs the amount signed"))
        if values.get("signed_on") is None:
            plan.error(layout.header("signed_on"), _("a signed deal needs the date of signing"))
    if stage == "lost" and not values.get("lost_reason"):
        plan.error(layout.header("lost_reason"), _("a lost deal needs the reason"))


def _decide_deal(plan: RowPlan, deal: Deal | None, actor: Actor, layout: Layout) -> None:
    v = plan.values
    stage = v["stage"]
    if deal is None:
        merged = dict(v)
        _stage_problems(plan, stage, merged, layout)
        # The parties named play no part: a district imports deals located in its own district only.
        if not can_manage_deal(actor, SimpleNamespace(district=v.get("district"), event_id=v.get("event_id"))):
            plan.error(layout.header("district"), _("you may import deals only in your own district"))
        if plan.action != "error":
            plan.action = "create"
            plan.changes = {
                k: (None, x)
                for k, x in v.items()
                if x not in (None, [], False) and k not in ("external_id", "note")
            }
        return
    plan.target = deal
    if not can_manage_deal(actor, deal):
        plan.error(None, _("deal %(id)s is managed by another district") % {"id": deal.external_id})
        return
    changes: dict[str, tuple[Any, Any]] = {}
    for key, new in v.items():
        if key in ("external_id", "note"):
            continue
        if key == "parties":
            old = sorted((p.organisation_id, p.role) for p in deal.parties)
            if old != new:
                changes[key] = (old, new)
            continue
        if key == "title_zh" and new is None:
            plan.error(layout.header(key), _("this cell must not be empty"))
            return
        old = getattr(deal, key)
        if key in ("amount_estimated", "on_stage") and new is None:
            continue
        if old != new:
            changes[key] = (old, new)
    after = {k: getattr(deal, k) for k in ("stage", *STAGE_FIELDS)}
    after.update({k: n for k, (_o, n) in changes.items() if k in after})
    if "stage" in changes and stage not in DEAL_TRANSITIONS[deal.stage]:
        locale = get_locale()
        plan.error(
            layout.header("stage"),
            _("a deal cannot go from %(a)s to %(b)s")
            % {"a": DealStage(deal.stage).label(locale), "b": DealStage(stage).label(locale)},
        )
        return
    if any(k in changes for k in ("stage", *STAGE_FIELDS)):
        _stage_problems(plan, stage, after, layout)
    moved = SimpleNamespace(
        district=changes["district"][1] if "district" in changes else deal.district,
        event_id=changes["event_id"][1] if "event_id" in changes else deal.event_id,
    )
    if ("district" in changes or "event_id" in changes) and not can_manage_deal(actor, moved):
        plan.error(layout.header("district"), _("you may not move a deal into a district you do not manage"))
    if plan.action == "error":
        return
    plan.changes = changes
    plan.action = "update" if changes else "unchanged"


def apply_deals(db: Session, plans: list[RowPlan], *, actor: Actor, provenance: str) -> None:
    """Write the planned deals through the deal service (history, audit, notifications and all)."""
    note_default = _("imported from %(f)s") % {"f": provenance.removeprefix("import:")}
    for plan in plans:
        v = plan.values
        note = v.get("note") or note_default
        if plan.action == "create":
            deal = Deal(
                external_id=plan.external_id,
                provenance=provenance,
                stage=v["stage"],
                **{k: v[k] for k in (*FACT_FIELDS, *STAGE_FIELDS) if v.get(k) is not None},
            )
            deal.parties = [DealParty(organisation_id=o, role=r) for o, r in v.get("parties", [])]
            db.add(deal)
            db.flush()
            deal_service.record_history(
                db,
                actor=actor,
                deal=deal,
                action="create",
                before=None,
                after={k: n for k, (_o, n) in plan.changes.items()},
                note=note,
            )
        elif plan.action == "update":
            deal = plan.target
            facts = {k: n for k, (_o, n) in plan.changes.items() if k in FACT_FIELDS}
            if facts:
                deal_service.update(
                    db, actor=actor, deal=deal, data=DealUpdate.model_construct(**facts), note=note
                )
            moves = {k: n for k, (_o, n) in plan.changes.items() if k in ("stage", *STAGE_FIELDS)}
            if moves:
                deal_service.move_deal_to_stage(
                    db,
                    actor=actor,
                    deal=deal,
                    to=v["stage"],
                    note=note,
                    lost_reason=v.get("lost_reason"),
                    signed_amount=moves.get("signed_amount"),
                    signed_on=moves.get("signed_on"),
                    landed_on=moves.get("landed_on"),
                )
            if "parties" in plan.changes:
                deal_service.set_parties(
                    db, actor=actor, deal=deal, parties=plan.values["parties"], note=note
                )


# -- a whole file --------------------------------------------------------------------------------------------
@dataclass
class ImportReport:
    """The outcome of importing (or previewing) a file: counts, every error, and the row plans."""

    filename: str
    plans: list[RowPlan] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    skipped_sheets: list[str] = field(default_factory=list)
    ignored_columns: dict[str, list[str]] = field(default_factory=dict)
    applied: bool = False
    refused: bool = False

    def count(self, action: str) -> int:
        return sum(1 for p in self.plans if p.action == action)

    @property
    def summary(self) -> dict[str, int]:
        return {
            "created": self.count("create"),
            "updated": self.count("update"),
            "unchanged": self.count("unchanged"),
            "errors": len(self.errors),
        }


def import_file(
    db: Session,
    *,
    actor: Actor,
    filename: str,
    data: bytes,
    valid_only: bool = False,
    dry_run: bool = False,
) -> ImportReport:
    """Plan every row of the file; apply it if it is all valid (or only its valid rows, when asked)."""
    report = ImportReport(filename)
    sheets = read_file(filename, data)
    events = EventLookup(db)
    seen_projects: set[str] = set()
    seen_deals: set[str] = set()
    project_plans: list[RowPlan] = []
    deal_sheets: list[RawSheet] = []
    for sheet in sheets:
        if is_deal_sheet(sheet):
            deal_sheets.append(sheet)
        elif is_project_sheet(sheet):
            plans, errs, ignored = plan_projects(db, sheet, actor=actor, events=events, seen=seen_projects)
            project_plans += plans
            report.errors += errs
            if ignored:
                report.ignored_columns[sheet.name] = ignored
        else:
            report.skipped_sheets.append(sheet.name)
    deal_plans: list[RowPlan] = []
    if deal_sheets:
        orgs = OrgLookup(db)
        for sheet in deal_sheets:
            # Projects created by this same file can be referred to by its deals only after they exist.
            plans, errs, ignored = plan_deals(
                db, sheet, actor=actor, events=events, orgs=orgs, seen=seen_deals
            )
            deal_plans += plans
            report.errors += errs
            if ignored:
                report.ignored_columns[sheet.name] = ignored
    report.plans = project_plans + deal_plans
    for plan in report.plans:
        report.errors += plan.errors
    if not report.plans and not report.errors:
        report.errors.append(
            _("%(f)s has no sheet with a 项目编号 / external id column (and 阶段 / stage for deals)")
            % {"f": filename}
        )
    if report.errors and not valid_only:
        report.refused = True
        return report
    if dry_run:
        return report
    provenance = f"import:{filename.rsplit('/', 1)[-1]}"[:120]
    apply_projects(
        db, [p for p in project_plans if p.action in ("create", "update")], actor=actor, provenance=provenance
    )
    apply_deals(
        db, [p for p in deal_plans if p.action in ("create", "update")], actor=actor, provenance=provenance
    )
    summary = report.summary
    if summary["created"] or summary["updated"]:
        audit.record(
            db,
            actor=actor,
            entity_type="import",
            entity_id=0,
            action="import",
            after={"file": filename, **summary},
            note=provenance,
        )
    report.applied = True
    return report


# -- the template --------------------------------------------------------------------------------------------
def template_workbook() -> bytes:
    """An empty workbook with the project and deal sheets' headers and a sheet explaining every column."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    wb = Workbook()
    guide = wb.active
    guide.title = "说明 Guide"
    guide.append(["列 Column", "英文列名 English header", "填写说明 How to fill it in"])
    notes = {
        "external_id": "必填；唯一编号，重复导入时据此匹配 / required; unique, matches rows on re-import",
        "amount": "1.5亿、15000万 或 150000000（元）/ 1.5亿, 15000万 or 150000000 yuan",
        "category": "企业融资、园区合作、楼宇合作、土地融资",
        "status": "已发布、洽谈中、已签约、已落地、草稿、已撤回",
        "stage": "线索、已接洽、洽谈中、意向、签约、落地、未成",
        "event": "活动编号，如 invest-beijing-2024 / event id",
        "district": "如 海淀区 或 Haidian District；北京经济技术开发区 亦可写 经开区",
        "signed_on": "2024-04-25",
        "enterprise": "机构名称，多个用“、”分隔 / organisation names separated by 、",
    }
    for col in [*PROJECT_COLUMNS, *DEAL_COLUMNS]:
        if col.key.endswith("amount") and col.zh.endswith("）"):
            continue
        guide.append([col.zh, col.en, notes.get(col.key, notes.get(col.key.rsplit("_", 1)[-1], ""))])
    head = Font(bold=True, color="FFFFFF")
    fill = PatternFill("solid", fgColor="0B3D91")
    for name, columns in (("项目 Projects", PROJECT_COLUMNS), ("签约 Deals", DEAL_COLUMNS)):
        ws = wb.create_sheet(name)
        headers = [c.zh for c in columns if not (c.key.endswith("amount") and c.zh.endswith("）"))]
        ws.append(headers)
        for cell in ws[1]:
            cell.font, cell.fill = head, fill
        ws.freeze_panes = "A2"
        for k in range(len(headers)):
            ws.column_dimensions[ws.cell(1, k + 1).column_letter].width = 16
    for cell in guide[1]:
        cell.font, cell.fill = head, fill
    guide.column_dimensions["A"].width, guide.column_dimensions["B"].width = 16, 22
    guide.column_dimensions["C"].width = 70
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def export_row(deal: Deal, event_slugs: dict[int, str], project_ids: dict[int, str]) -> dict[str, Any]:
    """A deal as the export (and so the import) writes it."""
    by_role: dict[str, list[str]] = {r: [] for r in PARTY_KEYS}
    for p in deal.parties:
        by_role.setdefault(p.role, []).append(p.organisation.slug)
    return {
        "external_id": deal.external_id or f"id-{deal.id}",
        "title_zh": deal.title_zh,
        "title_en": deal.title_en,
        "stage": DealStage(deal.stage).label("zh"),
        "event": event_slugs.get(deal.event_id) if deal.event_id else None,
        "category": ProjectCategory(deal.category).label("zh") if deal.category else None,
        "industry": deal.industry,
        "district": deal.district,
        "planned_amount": deal.planned_amount,
        "signed_amount": deal.signed_amount,
        "invested_amount": deal.invested_amount,
        "amount_estimated": "是" if deal.amount_estimated else "否",
        "signed_on": deal.signed_on,
        "landed_on": deal.landed_on,
        "on_stage": "是" if deal.on_stage else "否",
        "lost_reason": deal.lost_reason,
        "project": project_ids.get(deal.opportunity_id) if deal.opportunity_id else None,
        "description_zh": deal.description_zh,
        **{r: "、".join(sorted(names)) or None for r, names in by_role.items()},
    }


def export_columns() -> list[Column]:
    """The export's deal columns: one per field, amounts in yuan; no note column."""
    return [
        c
        for c in DEAL_COLUMNS
        if c.key != "note" and not (c.key.endswith("amount") and c.zh[-3:] not in ("（元）",))
    ]
