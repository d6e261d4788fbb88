"""Participants of the 1:1 meetings imported from a sheet (.xlsx or .csv), with the platform's import rules.

Reading workbooks and cells is `duijie.core.sheets`. Planning never writes: each row is matched to a person of
the directory (by e-mail, else by name and organisation) and to this event's participants, and says create /
update / unchanged, or which cells are wrong (`sheet!row:column — reason`, in the page's language). A file with
any error is refused whole: nothing is written. A file without errors is written in one savepoint, so a refusal
met while writing (a participant with a confirmed meeting outside the sessions given) leaves nothing either;
importing the same file twice changes nothing the second time.

People and organisations the directory does not know yet are created (organisations need the role column to
know whether they are enterprises or investors). An empty `max meetings` or `sessions` cell keeps what the
participant has; a participant never marked free is free in every slot.
"""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from duijie.core import audit
from duijie.core.auth import Actor
from duijie.core.errors import DomainError
from duijie.core.i18n import bilingual
from duijie.core.i18n import gettext as _
from duijie.core.sheets import (
    CellProblem,
    Column,
    Layout,
    RawSheet,
    RowPlan,
    bounded_text,
    has_columns,
    match_headers,
    read_file,
    read_row,
    text,
)
from duijie.directory.models import Organisation, Person
from duijie.events.models import Event
from duijie.meetings import availability, service, setup, setup_people
from duijie.meetings.models import Availability, Meeting, MeetingParticipant, MeetingSeat, MeetingSlot
from duijie.meetings.queries import SESSION_EN, SESSION_ZH

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
ROLES = MappingProxyType({
    "enterprise": "enterprise",
    "企业": "enterprise",
    "企业方": "enterprise",
    "company": "enterprise",
    "investor": "investor",
    "投资方": "investor",
    "投资机构": "investor",
    "投资人": "investor",
})
SPLIT = re.compile(r"[、,，;；/／\n]+")


def _email(value: Any) -> str | None:
    s = text(value)
    if s is None:
        return None
    if len(s) > 200 or not EMAIL.match(s):
        raise CellProblem(_("%(v)s is not an e-mail address (write name@example.com)") % {"v": s})
    return s


def _role(value: Any) -> str | None:
    s = text(value)
    if s is None:
        return None
    found = ROLES.get(s) or ROLES.get(s.lower())
    if found is None:
        raise CellProblem(
            _("%(v)s is not a role here (write %(a)s or %(b)s)")
            % {"v": s, "a": _("enterprise"), "b": _("investor")}
        )
    return found


def _max(value: Any) -> int | None:
    s = text(value)
    if s is None:
        return None
    lo, hi = setup_people.MAX_MEETINGS
    if not s.isascii() or not s.isdigit() or not lo <= int(s) <= hi:
        raise CellProblem(_("%(v)s is not a whole number from %(a)s to %(b)s") % {"v": s, "a": lo, "b": hi})
    return int(s)


PARTICIPANT_COLUMNS: tuple[Column, ...] = (
    Column("name_zh", "姓名", "Name", bounded_text(80), aliases=("名字", "参会人", "person", "name (chinese)"), required=True),
    Column("name_en", "英文名", "English name", bounded_text(120), aliases=("name (english)", "英文姓名")),
    Column("organisation", "机构", "Organisation", bounded_text(200), aliases=("单位", "机构名称", "公司", "organization", "company")),
    Column("email", "邮箱", "E-mail", _email, aliases=("电子邮箱", "email", "e-mail address", "联系邮箱")),
    Column("phone", "电话", "Phone", bounded_text(40), aliases=("手机", "联系电话", "mobile")),
    Column("title", "职务", "Job title", bounded_text(120), aliases=("职位", "title")),
    Column("role", "角色", "Role", _role, aliases=("参会身份", "类型", "kind", "type")),
    Column("max_meetings", "最多洽谈场数", "Max meetings", _max, aliases=("洽谈上限", "最多场数", "maximum meetings")),
    Column("sessions", "可参加场次", "Sessions available", text, aliases=("可洽谈场次", "场次", "sessions", "available sessions")),
)


def is_participant_sheet(sheet: RawSheet) -> bool:
    return has_columns(sheet, PARTICIPANT_COLUMNS[0])


class SessionLookup:
    """This event's sessions by key ("2024-04-25 上午场"), by label alone when only one day has it, and by the
    names pages show ("2024-04-25 上午", "morning")."""

    def __init__(self, db: Session, event: Event) -> None:
        self.slots: dict[str, set[int]] = {}
        for slot in db.scalars(select(MeetingSlot).where(MeetingSlot.event_id == event.id)):
            self.slots.setdefault(slot.session, set()).add(slot.id)
        names: dict[str, set[str]] = {}
        for key in self.slots:
            day, label = setup.split_session(key)
            shown = [label, SESSION_ZH.get(label, label), SESSION_EN.get(label, label)]
            for name in {key, *shown, *(f"{day} {n}" for n in shown if day)}:
                names.setdefault(name.lower(), set()).add(key)
        self.names = names

    def find(self, value: str) -> set[int]:
        wanted: set[int] = set()
        for part in (p.strip() for p in SPLIT.split(value)):
            if not part:
                continue
            keys = self.names.get(part.lower(), set())
            if not keys:
                known = "、".join(self.slots) or _("none yet")
                raise CellProblem(
                    _("%(v)s is not a session of this event (sessions: %(known)s)") % {"v": part, "known": known}
                )
            if len(keys) > 1:
                raise CellProblem(
                    _("%(v)s is on several days; write the day too, e.g. %(e)s") % {"v": part, "e": sorted(keys)[0]}
                )
            wanted |= self.slots[next(iter(keys))]
        return wanted


@dataclass
class ParticipantImport:
    """The outcome of importing (or previewing) a participant sheet: the row plans, every error, the counts."""

    filename: str
    plans: list[RowPlan] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    skipped_sheets: list[str] = field(default_factory=list)
    ignored_columns: dict[str, list[str]] = field(default_factory=dict)
    new_people: int = 0
    new_organisations: int = 0
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
            "new_people": self.new_people,
            "new_organisations": self.new_organisations,
        }


@dataclass
class _Directory:
    """People and organisations read once per import, with what this file adds."""

    by_email: dict[str, Person]
    by_name: dict[str, list[Person]]
    orgs: dict[str, Organisation]
    org_names: dict[int, str]

    @classmethod
    def load(cls, db: Session) -> _Directory:
        by_email: dict[str, Person] = {}
        by_name: dict[str, list[Person]] = {}
        for person in db.scalars(select(Person)):
            if person.email:
                by_email.setdefault(person.email.lower(), person)
            by_name.setdefault(person.name_zh, []).append(person)
        orgs: dict[str, Organisation] = {}
        names: dict[int, str] = {}
        for org in db.scalars(select(Organisation)):
            names[org.id] = org.name_zh
            for name in (org.name_zh, org.name_en):
                if name:
                    orgs.setdefault(name.strip().lower(), org)
        return cls(by_email, by_name, orgs, names)


def _person_for(plan: RowPlan, directory: _Directory, layout: Layout) -> Person | None:
    """The directory's person for a row: by e-mail; else by name, within the row's organisation if given."""
    v = plan.values
    if v.get("email"):
        return directory.by_email.get(v["email"].lower())
    same = directory.by_name.get(v["name_zh"], [])
    org = directory.orgs.get((v.get("organisation") or "").lower())
    if org is not None:
        same = [p for p in same if p.organisation_id == org.id]
    elif v.get("organisation"):
        same = []
    if len(same) > 1:
        plan.error(
            layout.header("email"),
            _("several people in the directory are called %(v)s; add their e-mail") % {"v": v["name_zh"]},
        )
        return None
    return same[0] if same else None


def plan_participants(db: Session, sheet: RawSheet, *, event: Event) -> tuple[list[RowPlan], list[str], list[str]]:
    """The plan of every row of the sheet, header errors and ignored headers; writes nothing."""
    layout, header_errors = match_headers(sheet, PARTICIPANT_COLUMNS)
    if header_errors:
        return [], header_errors, layout.ignored
    directory = _Directory.load(db)
    lookup = SessionLookup(db, event)
    current = {
        p.person_id: p
        for p in db.scalars(select(MeetingParticipant).where(MeetingParticipant.event_id == event.id))
    }
    free: dict[int, set[int]] = {}
    for pid, sid in db.execute(
        select(Availability.participant_id, Availability.slot_id).where(
            Availability.participant_id.in_([p.id for p in current.values()])
        )
    ):
        free.setdefault(pid, set()).add(sid)
    # Slots where a participant has a meeting that a change of availability may not undo.
    kept: dict[int, set[int]] = {}
    for pid, sid in db.execute(
        select(MeetingSeat.participant_id, MeetingSeat.slot_id)
        .join(Meeting, Meeting.id == MeetingSeat.meeting_id)
        .where(Meeting.event_id == event.id, or_(Meeting.state.in_(service.KEPT), Meeting.pinned.is_(True)))
    ):
        kept.setdefault(pid, set()).add(sid)
    slot_names = {s.id: setup.slot_text(event, s) for s in db.scalars(select(MeetingSlot).where(MeetingSlot.event_id == event.id))}
    seen: dict[str, int] = {}
    plans: list[RowPlan] = []
    for row, cells in sheet.rows:
        values, errors = read_row(sheet, layout, row, cells)
        plan = RowPlan(sheet.name, row, "participant", values.get("email"), values.get("name_zh"), values=values)
        plan.errors = errors
        if errors:
            plan.action = "error"
        plans.append(plan)
        if not values.get("name_zh"):
            continue
        ident = (values.get("email") or "").lower() or f"{values['name_zh']}|{(values.get('organisation') or '').lower()}"
        if ident in seen:
            column = layout.header("email") if values.get("email") else layout.header("name_zh")
            plan.error(column, _("this person appears twice in the file (row %(n)s)") % {"n": seen[ident]})
            continue
        seen[ident] = row
        if values.get("sessions"):
            try:
                values["slot_ids"] = lookup.find(values["sessions"])
            except CellProblem as exc:
                plan.error(layout.header("sessions"), str(exc))
        org_name = values.get("organisation")
        if org_name and org_name.lower() not in directory.orgs and not values.get("role"):
            plan.error(
                layout.header("role"),
                _("%(org)s is new to the directory: give its role (%(a)s or %(b)s)")
                % {"org": org_name, "a": _("enterprise"), "b": _("investor")},
            )
        person = _person_for(plan, directory, layout)
        if plan.action == "error":
            continue
        plan.target = person
        participant = current.get(person.id) if person is not None else None
        if participant is None:
            plan.action = "create"
            plan.changes = {k: (None, v) for k, v in values.items() if v is not None and k != "slot_ids"}
            continue
        _decide_existing(plan, participant, directory, free.get(participant.id), kept.get(participant.id, set()), slot_names, layout)
    return plans, [], layout.ignored


def _decide_existing(
    plan: RowPlan,
    participant: MeetingParticipant,
    directory: _Directory,
    free: set[int] | None,
    kept: set[int],
    slot_names: dict[int, str],
    layout: Layout,
) -> None:
    v = plan.values
    changes: dict[str, tuple[Any, Any]] = {}
    if v.get("max_meetings") is not None and v["max_meetings"] != participant.max_meetings:
        changes["max_meetings"] = (participant.max_meetings, v["max_meetings"])
    org = directory.orgs.get((v.get("organisation") or "").lower())
    if v.get("organisation") and (org is None or org.id != participant.organisation_id):
        changes["organisation"] = (directory.org_names.get(participant.organisation_id or 0), v["organisation"])
    wanted = v.get("slot_ids")
    if wanted is not None and wanted != (free or set(slot_names)):
        lost = sorted(sid for sid in kept if sid not in wanted)
        if lost:
            plan.error(
                layout.header("sessions"),
                _("this participant has a confirmed meeting at %(slot)s, outside these sessions")
                % {"slot": slot_names.get(lost[0], lost[0])},
            )
            return
        changes["sessions"] = (len(free) if free else _("all"), v["sessions"])
    plan.target = participant
    plan.changes = changes
    plan.action = "update" if changes else "unchanged"


def _org_slug(db: Session, name: str) -> str:
    """A stable, free slug for an organisation the import creates."""
    base = "org-" + hashlib.sha1(name.encode()).hexdigest()[:10]
    slug, k = base, 1
    while db.scalar(select(Organisation.id).where(Organisation.slug == slug)) is not None:
        k += 1
        slug = f"{base}-{k}"
    return slug


def _apply(db: Session, report: ParticipantImport, *, event: Event, actor: Actor, provenance: str) -> None:
    created_orgs: dict[str, Organisation] = {}
    existing_orgs = _Directory.load(db).orgs
    created_people: dict[str, Person] = {}

    def organisation_for(v: dict[str, Any]) -> Organisation | None:
        name = v.get("organisation")
        if not name:
            return None
        key = name.lower()
        org = existing_orgs.get(key) or created_orgs.get(key)
        if org is None:
            org = Organisation(slug=_org_slug(db, name), kind=v["role"], name_zh=name, provenance=provenance)
            db.add(org)
            db.flush()
            created_orgs[key] = org
        return org

    for plan in report.plans:
        v = plan.values
        if plan.action == "create":
            org = organisation_for(v)
            person = plan.target
            if person is None:
                person = Person(
                    name_zh=v["name_zh"],
                    name_en=v.get("name_en"),
                    email=v.get("email"),
                    phone=v.get("phone"),
                    title=v.get("title"),
                    organisation_id=org.id if org else None,
                    provenance=provenance,
                )
                db.add(person)
                db.flush()
                created_people[str(person.id)] = person
            participant = setup_people.add_participant(
                db,
                event=event,
                actor=actor,
                person=person,
                organisation=org,
                max_meetings=v.get("max_meetings"),
                note=provenance,
            )
            if v.get("slot_ids"):
                for sid in sorted(v["slot_ids"]):
                    db.add(Availability(participant_id=participant.id, slot_id=sid))
                db.flush()
        elif plan.action == "update":
            participant = plan.target
            fields: dict[str, Any] = {}
            if "max_meetings" in plan.changes:
                fields["max_meetings"] = v["max_meetings"]
            if "organisation" in plan.changes:
                org = organisation_for(v)
                fields["organisation_id"] = org.id if org else None
            audit.apply(
                db,
                actor=actor,
                obj=participant,
                changes=fields,
                entity_type="meeting_participant",
                action="import",
                event_id=event.id,
                note=provenance,
            )
            if "sessions" in plan.changes:
                availability.set_availability(
                    db, event=event, actor=actor, participant=participant, slot_ids=sorted(v["slot_ids"]), own=None
                )
    report.new_people, report.new_organisations = len(created_people), len(created_orgs)


def import_participants(
    db: Session, *, event: Event, actor: Actor, filename: str, data: bytes, dry_run: bool = False
) -> ParticipantImport:
    """Plan every row of the file; write it only if every row is right (all or nothing)."""
    setup.require_organiser(actor, event)
    report = ParticipantImport(filename)
    for sheet in read_file(filename, data):
        if not is_participant_sheet(sheet) or report.plans or report.errors:
            report.skipped_sheets.append(sheet.name)
            continue
        plans, errors, ignored = plan_participants(db, sheet, event=event)
        report.plans, report.errors = plans, errors
        if ignored:
            report.ignored_columns[sheet.name] = ignored
    for plan in report.plans:
        report.errors += plan.errors
    if not report.plans and not report.errors:
        report.errors.append(
            _("%(f)s has no sheet with a 姓名 / Name column and rows below it") % {"f": filename}
        )
    if report.errors:
        report.refused = True
        return report
    if dry_run:
        known = _Directory.load(db).orgs
        report.new_people = sum(1 for p in report.plans if p.action == "create" and p.target is None)
        report.new_organisations = len(
            {o.lower() for p in report.plans if (o := p.values.get("organisation")) and o.lower() not in known}
        )
        return report
    provenance = f"import:{filename.rsplit('/', 1)[-1]}"[:120]
    try:
        with db.begin_nested():
            _apply(db, report, event=event, actor=actor, provenance=provenance)
    except DomainError as exc:
        report.errors.append(exc.message)
        report.refused = True
        return report
    summary = report.summary
    audit.record(
        db,
        actor=actor,
        entity_type="import",
        entity_id=event.id,
        action="participants_imported",
        after={"file": filename, **summary},
        event_id=event.id,
        note=provenance,
    )
    report.applied = True
    return report


def template_workbook() -> bytes:
    """An empty participant sheet with its headers, an example row and a sheet explaining every column."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    wb = Workbook()
    ws = wb.active
    ws.title = "参会方 Participants"
    ws.append([c.zh for c in PARTICIPANT_COLUMNS])
    ws.append(["张伟", "Zhang Wei", "示例科技有限公司", "zhang.wei@example.com", "", "总经理", "企业", 6, "上午场、下午场"])
    guide = wb.create_sheet("说明 Guide")
    guide.append(["列 Column", "英文列名 English header", "填写说明 How to fill it in"])
    notes = {
        "name_zh": "必填 / required",
        "organisation": "目录中没有的机构会新建，须填写角色 / new organisations need the role",
        "email": "据此匹配已有人员，重复导入不会重复创建 / matches people on re-import",
        "role": "企业 或 投资机构 / enterprise or investor",
        "max_meetings": "1–100，空白表示不限 / empty: no limit",
        "sessions": "场次名称，多个用“、”分隔；空白表示全部时段 / session names separated by 、; empty: every slot",
    }
    for col in PARTICIPANT_COLUMNS:
        guide.append([col.zh, col.en, notes.get(col.key, "")])
    head, fill = Font(bold=True, color="FFFFFF"), PatternFill("solid", fgColor="0B3D91")
    for sheet in (ws, guide):
        for cell in sheet[1]:
            cell.font, cell.fill = head, fill
        for k in range(sheet.max_column):
            sheet.column_dimensions[sheet.cell(1, k + 1).column_letter].width = 18
    guide.column_dimensions["C"].width = 70
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def label_of(plan: RowPlan) -> str:
    """The row's person as the preview names them."""
    v = plan.values
    who = bilingual(v.get("name_zh"), v.get("name_en")) if v.get("name_zh") else "—"
    return f"{who}（{v['organisation']}）" if v.get("organisation") else who
