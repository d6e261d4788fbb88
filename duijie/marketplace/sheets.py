"""Project sheets: the project columns (Chinese or English headers), planning what an import of a project
sheet would change, applying it, and the column layout the exports write; also the reference-list cells
(industry, district, event) the deal sheets read the same way.

Reading workbooks and cells is `duijie.core.sheets`. Planning never writes: it matches rows to records by
external id and says per row create / update / unchanged or which cells are wrong
(`sheet!row:column — reason`); only a plan without errors (or, explicitly, its valid rows) is applied.
"""

from __future__ import annotations

from collections.abc import Iterable
from types import SimpleNamespace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from duijie.core import audit
from duijie.core.auth import Actor
from duijie.core.db import utcnow
from duijie.core.i18n import get_locale
from duijie.core.i18n import gettext as _
from duijie.core.i18n import mark as _l
from duijie.core.sheets import (
    CellProblem,
    Column,
    Layout,
    RawSheet,
    RowPlan,
    amount_columns,
    bounded_text,
    chunks,
    enum_parser,
    has_columns,
    identity_columns,
    match_headers,
    name_parser,
    plan_row,
    text,
)
from duijie.directory.reference import DISTRICT_EN, ETDZ, INDUSTRY_EN
from duijie.events.models import Event
from duijie.marketplace import service as opportunity_service
from duijie.marketplace.enums import OPPORTUNITY_TRANSITIONS, OpportunityStatus, ProjectCategory
from duijie.marketplace.models import Opportunity
from duijie.marketplace.permissions import can_edit_opportunity

_INDUSTRY_BY_NAME = {**{k: k for k in INDUSTRY_EN}, **{v.lower(): k for k, v in INDUSTRY_EN.items()}}
_DISTRICT_BY_NAME = {
    **{k: k for k in DISTRICT_EN},
    **{v.lower(): k for k, v in DISTRICT_EN.items()},
    **{k.removesuffix("区"): k for k in DISTRICT_EN if k.endswith("区") and k != ETDZ},
    **{v.lower().removesuffix(" district"): k for k, v in DISTRICT_EN.items()},
    "经开区": ETDZ,
    "亦庄": ETDZ,
    "北京经开区": ETDZ,
}


industry = name_parser(_INDUSTRY_BY_NAME, _l("%(v)s is not an industry of the reference list"))
district = name_parser(_DISTRICT_BY_NAME, _l("%(v)s is not one of Beijing's districts"))


class EventLookup:
    """Events by id, slug or name, read once per import."""

    def __init__(self, db: Session) -> None:
        self.by_name: dict[str, int] = {}
        self.slug_of: dict[int, str] = {}
        for ev in db.scalars(select(Event)):
            self.slug_of[ev.id] = ev.slug
            for name in (ev.slug, ev.name_zh, ev.name_en, str(ev.id)):
                if name:
                    self.by_name.setdefault(name.strip().lower(), ev.id)

    def find(self, value: Any) -> int | None:
        s = text(value)
        if s is None:
            return None
        found = self.by_name.get(s.lower())
        if found is None:
            raise CellProblem(
                _("%(v)s is not a known event (write its id, e.g. invest-beijing-2024)") % {"v": s}
            )
        return found


# -- project sheets ------------------------------------------------------------------------------------------
PROJECT_COLUMNS: list[Column] = [
    *identity_columns(
        "项目编号",
        id_aliases=("编号", "project id", "id", "project number"),
        title_aliases=("名称", "project", "title (chinese)", "项目名称(中文)"),
    ),
    Column(
        "title_en",
        "英文名称",
        "Title (English)",
        bounded_text(200),
        aliases=("项目名称(英文)", "english title"),
    ),
    Column("category", "类别", "Category", enum_parser(ProjectCategory), aliases=("项目类别",)),
    Column("industry", "产业", "Industry", industry, aliases=("产业领域", "行业")),
    Column("district", "区域", "District", district, aliases=("所在区", "所属区", "区")),
    *amount_columns("amount", "金额", "Amount", aliases=("投资额", "招商金额", "项目金额")),
    Column("status", "状态", "Status", enum_parser(OpportunityStatus), aliases=("项目状态",)),
    Column("event", "活动", "Event", text, aliases=("发布活动", "event id")),
    Column("summary_zh", "项目简介", "Summary", text, aliases=("简介", "summary (chinese)")),
    Column("summary_en", "英文简介", "Summary (English)", text),
    Column("contact_name", "联系人", "Contact", bounded_text(80), aliases=("contact person",)),
    Column("contact_phone", "联系电话", "Phone", bounded_text(40), aliases=("contact phone",)),
    Column("contact_email", "联系邮箱", "E-mail", bounded_text(200), aliases=("email", "contact e-mail")),
]

PROJECT_FIELDS = (
    "title_zh",
    "title_en",
    "category",
    "industry",
    "district",
    "amount",
    "status",
    "summary_zh",
    "summary_en",
    "contact_name",
    "contact_phone",
    "contact_email",
)


def is_project_sheet(sheet: RawSheet) -> bool:
    """A project sheet names a 项目编号 / external id column."""
    return has_columns(sheet, PROJECT_COLUMNS[0])


def plan_projects(
    db: Session, sheet: RawSheet, *, actor: Actor, events: EventLookup, seen: set[str]
) -> tuple[list[RowPlan], list[str], list[str]]:
    """The plan of every row of a project sheet, header errors, and ignored headers; writes nothing."""
    layout, header_errors = match_headers(sheet, PROJECT_COLUMNS)
    if header_errors:
        return [], header_errors, layout.ignored

    def resolve(plan: RowPlan) -> None:
        plan.resolve(layout, "event", events.find, into="event_id")

    plans = [
        plan_row(sheet, layout, row, cells, kind="project", seen=seen, resolve=resolve)
        for row, cells in sheet.rows
    ]
    existing: dict[str | None, Opportunity] = {}
    ids = [p.external_id for p in plans if p.external_id]
    for part in chunks(ids):
        for opp in db.scalars(select(Opportunity).where(Opportunity.external_id.in_(part))):
            existing[opp.external_id] = opp
    for plan in plans:
        if plan.action == "error":
            continue
        _decide_project(plan, existing.get(plan.external_id or ""), actor, layout)
    return plans, [], layout.ignored


def _decide_project(plan: RowPlan, opp: Opportunity | None, actor: Actor, layout: Layout) -> None:
    values = plan.values
    if opp is None:
        probe = SimpleNamespace(district=values.get("district"), owner_org_id=None)
        if not can_edit_opportunity(actor, probe):
            plan.error(
                layout.header("district"), _("you may import projects only in your own district")
            )
            return
        plan.action = "create"
        plan.changes = {k: (None, v) for k, v in values.items() if v is not None and k != "external_id"}
        return
    plan.target = opp
    if not can_edit_opportunity(actor, opp):
        plan.error(
            None, _("project %(id)s belongs to a district you do not manage") % {"id": opp.external_id}
        )
        return
    changes = {}
    for key, value in values.items():
        if key == "external_id":
            continue
        if key == "title_zh" and value is None:
            plan.error(layout.header(key), _("this cell must not be empty"))
            return
        if key == "status" and value is None:
            continue
        old = getattr(opp, key)
        if old != value:
            changes[key] = (old, value)
    if "district" in changes and not can_edit_opportunity(
        actor, SimpleNamespace(district=changes["district"][1], owner_org_id=None)
    ):
        plan.error(
            layout.header("district"),
            _("you may not move a project into a district you do not manage"),
        )
        return
    if "status" in changes and changes["status"][1] not in OPPORTUNITY_TRANSITIONS[opp.status]:
        locale = get_locale()
        plan.error(
            layout.header("status"),
            _("a project cannot go from %(a)s to %(b)s")
            % {
                "a": OpportunityStatus(opp.status).label(locale),
                "b": OpportunityStatus(changes["status"][1]).label(locale),
            },
        )
        return
    plan.changes = changes
    plan.action = "update" if changes else "unchanged"


def apply_projects(db: Session, plans: Iterable[RowPlan], *, actor: Actor, provenance: str) -> None:
    """Write the planned creations and updates (rows with errors are never in `plans`)."""
    now = utcnow()
    batch: list[Opportunity] = []
    for plan in plans:
        if plan.action == "create":
            v = plan.values
            status = v.get("status") or "published"
            batch.append(
                Opportunity(
                    external_id=plan.external_id,
                    kind="investment_project",
                    provenance=provenance,
                    status=status,
                    published_at=now if status != "draft" else None,
                    **{k: v.get(k) for k in (*PROJECT_FIELDS, "event_id") if k != "status" and k in v},
                )
            )
            if len(batch) >= 2000:
                db.add_all(batch)
                db.flush()
                batch = []
        elif plan.action == "update":
            opp = plan.target
            fields = {k: new for k, (_old, new) in plan.changes.items() if k != "status"}
            if fields:
                audit.apply(
                    db,
                    actor=actor,
                    obj=opp,
                    changes=fields,
                    entity_type="opportunity",
                    action="import",
                    event_id=fields.get("event_id", opp.event_id),
                    note=provenance,
                )
            if "status" in plan.changes:
                opportunity_service.set_opportunity_state(
                    db, actor=actor, opportunity=opp, to=plan.changes["status"][1], note=provenance
                )
    if batch:
        db.add_all(batch)
        db.flush()


def export_row(opp: Opportunity, event_slugs: dict[int, str], *, with_contacts: bool) -> dict[str, Any]:
    """A project as the export (and so the import) writes it: codes as Chinese labels, amounts in yuan."""
    row: dict[str, Any] = {
        "external_id": opp.external_id or f"id-{opp.id}",
        "title_zh": opp.title_zh,
        "title_en": opp.title_en,
        "category": ProjectCategory(opp.category).label("zh") if opp.category else None,
        "industry": opp.industry,
        "district": opp.district,
        "amount": opp.amount,
        "status": OpportunityStatus(opp.status).label("zh"),
        "event": event_slugs.get(opp.event_id) if opp.event_id else None,
        "summary_zh": opp.summary_zh,
        "summary_en": opp.summary_en,
    }
    if with_contacts:
        row.update(
            contact_name=opp.contact_name, contact_phone=opp.contact_phone, contact_email=opp.contact_email
        )
    return row


def export_columns(*, with_contacts: bool) -> list[Column]:
    """The export's columns: amounts in yuan (exact), contacts only for signed-in users."""
    cols = [c for c in PROJECT_COLUMNS if not (c.key == "amount" and c.zh != "金额（元）")]
    if not with_contacts:
        cols = [c for c in cols if not c.key.startswith("contact_")]
    return cols
