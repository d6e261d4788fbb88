"""Deal sheets, and importing a whole file: every sheet is read, recognised as a project sheet (it has a
项目编号 / external id column) or a deal sheet (it also has a 阶段 / stage column), planned row by row, and
applied only when nothing is wrong (or, explicitly, its valid rows only). Re-importing a file changes nothing:
rows are matched to records by their external id and compared field by field.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from types import MappingProxyType, SimpleNamespace
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
from duijie.deals.enums import CLOSED_STATUSES, DEAL_TRANSITIONS, DealStage, DealStatus, PartyRole, SourceKind
from duijie.deals.models import Deal, DealParty
from duijie.deals.permissions import can_manage_deal
from duijie.deals.schemas import DealUpdate, StatusChange
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

# How sheets written before the stages were renamed spell them.
OLD_STAGES = MappingProxyType({"意向": "intention", "agreed": "intention", "签约": "signed"})
_stage_enum = enum_parser(DealStage)


def _stage(value: Any) -> str | None:
    """A stage by its code or label (the older spellings 意向 and 签约 too). "Lost" is a status, not a stage: the
    cell says so and where the status goes."""
    s = text(value)
    if s is None:
        return None
    if s in OLD_STAGES:
        return OLD_STAGES[s]
    if s in ("未成", "lost", "Lost", "流失"):
        raise CellProblem(
            _(
                "lost is a status now: write 流失 in the 状态 / Status column and the stage the deal had reached here"
            )
        )
    return _stage_enum(s)


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
    Column("stage", "阶段", "Stage", _stage, aliases=("签约阶段", "deal stage"), required=True),
    Column("status", "状态", "Status", enum_parser(DealStatus), aliases=("推进状态", "deal status")),
    Column(
        "status_reason", "状态原因", "Status reason", bounded_text(300), aliases=("未成原因", "lost reason")
    ),
    Column("lost_to", "流向", "Lost to", bounded_text(80), aliases=("流失去向",)),
    Column("opened_on", "立项日期", "Opened on", date, aliases=("跟进开始日期",)),
    Column("event", "活动", "Event", text, aliases=("签约活动", "event id")),
    Column("category", "类别", "Category", enum_parser(ProjectCategory)),
    Column("industry", "产业", "Industry", industry, aliases=("产业领域", "行业")),
    Column("district", "区域", "District", district, aliases=("所在区", "落地区域")),
    *amount_columns("planned_amount", "计划金额", "Planned amount", aliases=("计划投资额",)),
    *amount_columns("signed_amount", "签约金额", "Signed amount", aliases=("签约额",)),
    *amount_columns("invested_amount", "到位金额", "Invested amount", aliases=("实际投资额",)),
    Column("amount_estimated", "金额为估算", "Amount estimated", boolean, aliases=("估算",)),
    Column("signed_on", "签约日期", "Signed on", date),
    Column("contract_on", "合同日期", "Contract on", date, aliases=("正式合同日期",)),
    Column("landed_on", "落地日期", "Landed on", date),
    Column("landed_site", "落地地址", "Landing site", bounded_text(200), aliases=("落地地点",)),
    Column("on_stage", "现场签约", "On stage", boolean),
    Column("source_kind", "来源", "Source", enum_parser(SourceKind), aliases=("项目来源",)),
    Column("source_label", "来源说明", "Source detail", bounded_text(200)),
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
    "source_kind",
    "source_label",
)
STAGE_FIELDS = ("signed_amount", "signed_on", "contract_on", "landed_on", "landed_site")
STATUS_FIELDS = ("status", "status_reason", "lost_to")


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
    """The facts the deal's stage needs (the stage-exit rules from the signing on, as the service checks a deal
    recorded at a later stage) and the reason of a status other than ongoing: each named in its cell."""
    if stage == "verified":
        plan.error(
            layout.header("stage"), _("a deal is verified on the platform, with evidence, not by import")
        )
        return
    facts = ("industry", "district", "planned_amount", *STAGE_FIELDS)
    start = SimpleNamespace(
        stage="lead", parties=values.get("parties") or [], evidence=[], opened_on=values.get("opened_on"),
        **{k: values.get(k) for k in facts},
    )  # fmt: skip
    for problem in deal_service.blocking(start, stage):  # type: ignore[arg-type]
        if problem.field not in deal_service.EARLY_FIELDS:
            # A cell's problem reads as a phrase after its cell, as the sheet's other problems do.
            plan.error(layout.header(problem.field or "stage"), problem.message.rstrip("。."))
    if (values.get("status") or "ongoing") != "ongoing" and not values.get("status_reason"):
        plan.error(layout.header("status_reason"), _("a status other than ongoing needs its reason"))


def _decide_deal(plan: RowPlan, deal: Deal | None, actor: Actor, layout: Layout) -> None:
    v = plan.values
    stage = v["stage"]
    if deal is None:
        merged = dict(v)
        _stage_problems(plan, stage, merged, layout)
        # The parties named play no part: a district imports deals located in its own district only.
        if not can_manage_deal(
            actor, SimpleNamespace(district=v.get("district"), event_id=v.get("event_id"))
        ):
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
    after = {k: getattr(deal, k) for k in ("stage", "opened_on", "industry", "district", "planned_amount",
                                           *STAGE_FIELDS, *STATUS_FIELDS)}  # fmt: skip
    after.update({k: n for k, (_o, n) in changes.items() if k in after})
    after["parties"] = list(deal.parties)
    if "opened_on" in changes:
        plan.error(layout.header("opened_on"), _("the day a deal was opened is not changed by import"))
        return
    if "stage" in changes and stage == "verified":
        plan.error(
            layout.header("stage"), _("a deal is verified on the platform, with evidence, not by import")
        )
        return
    if "stage" in changes and (deal.status in CLOSED_STATUSES and "status" not in changes):
        plan.error(layout.header("stage"), _("a lost or abandoned deal moves on only once it is reopened"))
        return
    if "stage" in changes and stage not in DEAL_TRANSITIONS[deal.stage]:
        locale = get_locale()
        plan.error(
            layout.header("stage"),
            _("a deal cannot go from %(a)s to %(b)s")
            % {"a": DealStage(deal.stage).label(locale), "b": DealStage(stage).label(locale)},
        )
        return
    if any(k in changes for k in ("stage", *STAGE_FIELDS, *STATUS_FIELDS)):
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
            dates = [v[k] for k in ("signed_on", "contract_on", "landed_on") if v.get(k) is not None]
            deal = Deal(
                external_id=plan.external_id,
                provenance=provenance,
                stage=v["stage"],
                # A deal recorded after the fact was opened no later than its first recorded date.
                opened_on=v.get("opened_on") or min([dt.date.today(), *dates]),
                **{k: v[k] for k in (*FACT_FIELDS, *STAGE_FIELDS, *STATUS_FIELDS) if v.get(k) is not None},
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
            statuses = {k: n for k, (_o, n) in plan.changes.items() if k in STATUS_FIELDS}
            reopening = statuses.get("status", deal.status) not in CLOSED_STATUSES
            if statuses and reopening:  # reopened before it moves; closed after it moved
                _apply_status(db, actor=actor, deal=deal, values=v, note=note)
            moves = {k: n for k, (_o, n) in plan.changes.items() if k in ("stage", *STAGE_FIELDS)}
            if moves:
                deal_service.move_deal_to_stage(
                    db,
                    actor=actor,
                    deal=deal,
                    to=v["stage"],
                    note=note,
                    signed_amount=moves.get("signed_amount"),
                    signed_on=moves.get("signed_on"),
                    contract_on=moves.get("contract_on"),
                    landed_on=moves.get("landed_on"),
                    landed_site=moves.get("landed_site"),
                )
            if statuses and not reopening:
                _apply_status(db, actor=actor, deal=deal, values=v, note=note)
            if "parties" in plan.changes:
                deal_service.set_parties(
                    db, actor=actor, deal=deal, parties=plan.values["parties"], note=note
                )


def _apply_status(db: Session, *, actor: Actor, deal: Deal, values: dict[str, Any], note: str) -> None:
    change = StatusChange(
        to=DealStatus(values.get("status") or "ongoing"),
        reason=values.get("status_reason"),
        lost_to=values.get("lost_to"),
        note=note,
    )
    deal_service.set_status(db, actor=actor, deal=deal, change=change)


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
        "stage": "线索、已接洽、洽谈中、达成意向、论坛签约、正式合同、落地（已核实 只能在平台上核实）",
        "source": "一对一洽谈、论坛活动、展商线索、技术交易活动、平台推荐、其他渠道",
        "event": "活动编号，如 invest-beijing-2024 / event id",
        "district": "如 海淀区 或 Haidian District；北京经济技术开发区 亦可写 经开区",
        "signed_on": "2024-04-25",
        "enterprise": "机构名称，多个用“、”分隔 / organisation names separated by 、",
    }
    # A deal's status is not a project's: the deal columns say theirs.
    deal_notes = {
        "status": "推进中、延期、停滞、流失、放弃；推进中以外须填状态原因，流失可填流向（城市或国家）"
    }
    for col in [*PROJECT_COLUMNS, *DEAL_COLUMNS]:
        if col.key.endswith("amount") and col.zh.endswith("）"):
            continue
        note = notes.get(col.key, notes.get(col.key.rsplit("_", 1)[-1], ""))
        if col in DEAL_COLUMNS and col.key in deal_notes:
            note = deal_notes[col.key]
        guide.append([col.zh, col.en, note])
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
        "status": DealStatus(deal.status).label("zh"),
        "status_reason": deal.status_reason,
        "lost_to": deal.lost_to,
        "opened_on": deal.opened_on,
        "contract_on": deal.contract_on,
        "landed_on": deal.landed_on,
        "landed_site": deal.landed_site,
        "on_stage": "是" if deal.on_stage else "否",
        "source_kind": SourceKind(deal.source_kind).label("zh") if deal.source_kind else None,
        "source_label": deal.source_label,
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
