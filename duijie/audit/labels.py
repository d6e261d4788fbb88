"""What the audit log calls things: the kinds of records, the actions, the changed fields and their values, in
the request's language.

The audit entries keep codes (`deal`, `stage`, `signed_amount`) and raw values (decimals as strings, dates as ISO
text); this module turns them into words. Where a module already names its own fields and actions (the deal
history's `HISTORY_FIELDS` and `HISTORY_ACTIONS`), those tables are used as they are, so a label changes in one
place; the audit floor sits above every feature and reads them directly.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from duijie.contest.enums import EntryState
from duijie.core import i18n
from duijie.core.enums import LabelledEnum
from duijie.core.i18n import gettext as _
from duijie.core.i18n import mark as _l
from duijie.deals.enums import DealStage
from duijie.deals.views import HISTORY_ACTIONS as DEAL_ACTIONS
from duijie.deals.views import HISTORY_FIELDS as DEAL_FIELDS
from duijie.directory.reference import DISTRICT_EN, INDUSTRY_EN
from duijie.marketplace.enums import OpportunityStatus, ProjectCategory
from duijie.meetings.enums import MeetingState, RequestState
from duijie.meetings.service import EVENT_TZ

# Times are shown in the city's time, as every other page of the forum shows them.
CITY_TZ = EVENT_TZ

KINDS: dict[str, str] = {
    "deal": _l("Investment deal"),
    "opportunity": _l("Project"),
    "policy": _l("Policy"),
    "organisation": _l("Organisation"),
    "event": _l("Event"),
    "import": _l("Sheet import"),
    "meeting": _l("Meeting"),
    "meeting_request": _l("Meeting request"),
    "meeting_participant": _l("Meeting participant"),
    "match_feedback": _l("Match feedback"),
    "contest": _l("Contest"),
    "contest_field": _l("Contest field"),
    "contest_region": _l("Contest region"),
    "contest_round": _l("Contest round"),
    "contest_entry": _l("Contest entry"),
    "judge": _l("Judge"),
    "conflict": _l("Conflict of interest"),
    "score": _l("Score"),
    "award": _l("Award"),
}

# Actions named the same way by several modules; a kind's own table (below) wins over this one.
ACTIONS: dict[str, str] = {
    "create": _l("Created"),
    "update": _l("Edited"),
    "state": _l("State changed"),
    "import": _l("Imported from a sheet"),
    "facts": _l("Stated facts changed"),
    "matching_weights": _l("Matching weights changed"),
    "meetings_scheduled": _l("Meetings scheduled"),
    "meeting_planned": _l("Meeting planned"),
    "meeting_confirmed": _l("Meeting confirmed"),
    "meeting_held": _l("Meeting held"),
    "meeting_no_show": _l("Marked as no-show"),
    "meeting_cancelled": _l("Meeting cancelled"),
    "meeting_unplanned": _l("Taken off the schedule"),
    "meeting_moved": _l("Meeting moved"),
    "meeting_pinned": _l("Meeting pinned"),
    "meeting_unpinned": _l("Meeting unpinned"),
    "check_in": _l("Checked in"),
    "request_created": _l("Meeting requested"),
    "request_accepted": _l("Request accepted"),
    "request_declined": _l("Request declined"),
    "request_cancelled": _l("Request cancelled"),
    "request_priority": _l("Request priority changed"),
    "availability": _l("Availability changed"),
    "not_interested": _l("Marked as not interesting"),
    "detect_conflicts": _l("Conflicts detected"),
    "declare": _l("Conflict declared"),
    "assign": _l("Judges assigned"),
    "reassign": _l("Judges reassigned"),
    "close": _l("Round closed"),
    "draft": _l("Score saved as draft"),
    "submit": _l("Score submitted"),
    "reopen": _l("Score reopened"),
    "ties": _l("Judge's ties changed"),
    "support": _l("Support received changed"),
}
ACTIONS_BY_KIND: dict[str, dict[str, str]] = {"deal": DEAL_ACTIONS}

FIELDS: dict[str, str] = {
    "state": _l("State"),
    "status": _l("Status"),
    "stage": _l("Stage"),
    "title_zh": _l("Title (Chinese)"),
    "title_en": _l("Title (English)"),
    "name_zh": _l("Name (Chinese)"),
    "name_en": _l("Name (English)"),
    "summary_zh": _l("Summary (Chinese)"),
    "summary_en": _l("Summary (English)"),
    "category": _l("Category"),
    "industry": _l("Industry"),
    "district": _l("District"),
    "amount": _l("Amount"),
    "contact_name": _l("Contact person"),
    "contact_phone": _l("Contact phone"),
    "contact_email": _l("Contact e-mail"),
    "slots": _l("Free time slots"),
    "answered_at": _l("Answered at"),
    "priority": _l("Priority"),
    "pinned": _l("Pinned"),
    "values": _l("Marks"),
    "total": _l("Total"),
    "comment": _l("Comment"),
    "locked": _l("Locked"),
    "support": _l("Support received"),
    "ties": _l("Employment and investment ties"),
    "criteria": _l("Criteria"),
    "judges_per_entry": _l("Judges per entry"),
    "max_per_judge": _l("Entries per judge at most"),
    "advance_count": _l("Entries that advance"),
    "advanced": _l("Advanced"),
    "rule": _l("Rule"),
    "entries": _l("Entries"),
    "judges": _l("Judges"),
    "pairs": _l("Pairs"),
    "conflicts": _l("Conflicts"),
    "added": _l("Added"),
    "found": _l("Found"),
    "moved": _l("Moved"),
    "removed": _l("Removed"),
    "kept": _l("Kept"),
    "requests": _l("Requests"),
    "meetings": _l("Meetings"),
    "unscheduled": _l("Not scheduled"),
    "reason": _l("Reason"),
    "rank": _l("Rank"),
    "file": _l("File"),
    "created": _l("Created"),
    "updated": _l("Updated"),
    "skipped": _l("Skipped"),
    "weights": _l("Weights"),
    "valid_from": _l("Valid from"),
    "valid_to": _l("Valid until"),
    "new_version": _l("New version"),
    "closed_version": _l("Version closed"),
    "benefit_kind": _l("Kind of benefit"),
    "issuer_zh": _l("Issuer"),
}
FIELDS_BY_KIND: dict[str, dict[str, str]] = {"deal": DEAL_FIELDS}

# The fields whose values are states of an enum, by kind; their values are shown by the state's name.
STATE_ENUMS: dict[tuple[str, str], type[LabelledEnum]] = {
    ("deal", "stage"): DealStage,
    ("opportunity", "status"): OpportunityStatus,
    ("contest_entry", "state"): EntryState,
    ("meeting", "state"): MeetingState,
    ("meeting_request", "state"): RequestState,
}
VALUE_ENUMS: dict[str, type[LabelledEnum]] = {"category": ProjectCategory}


@dataclass(frozen=True)
class Change:
    """One changed field as a reader sees it: "label: before → after"; `labelled` is False for the keys no module
    names (kept, but shown apart)."""

    key: str
    label: str
    before: str | None
    after: str | None
    labelled: bool

    def as_text(self) -> str:
        if self.before is None:
            return f"{self.label}: {self.after}"
        if self.after is None:
            return f"{self.label}: {self.before} → —"
        return f"{self.label}: {self.before} → {self.after}"


def kind_label(kind: str) -> str:
    return _(KINDS[kind]) if kind in KINDS else kind


def action_label(kind: str, action: str) -> str:
    table = ACTIONS_BY_KIND.get(kind, {})
    if action in table:
        return _(table[action])
    return _(ACTIONS[action]) if action in ACTIONS else action.replace("_", " ")


# Keys that hold row numbers (a slot, a table, a deal's task): kept with the entry, shown apart from the fields.
ROW_NUMBERS = frozenset({("deal", "task")})


def field_label(kind: str, key: str) -> str | None:
    if key.endswith("_id") or (kind, key) in ROW_NUMBERS:
        return None
    table = FIELDS_BY_KIND.get(kind, {})
    if key in table:
        return _(table[key])
    return _(FIELDS[key]) if key in FIELDS else None


def _money(value: Any) -> str | None:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return i18n.format_money(amount) if amount.is_finite() else None


def _moment(text: str) -> str | None:
    """An ISO date as a date, an ISO date-time as the city's date and minute; anything else is not one."""
    if len(text) == 10:
        try:
            return dt.date.fromisoformat(text).isoformat()
        except ValueError:
            return None
    if len(text) >= 16 and text[4] == "-" and text[10] in "T ":
        try:
            moment = dt.datetime.fromisoformat(text)
        except ValueError:
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.UTC)
        return moment.astimezone(CITY_TZ).strftime("%Y-%m-%d %H:%M")
    return None


def format_value(kind: str, key: str, value: Any) -> str:
    """A recorded value in words: states by name, money as the site writes money, dates as dates, yes/no, and
    districts and industries in the page's language."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    enum = STATE_ENUMS.get((kind, key)) or VALUE_ENUMS.get(key)
    if enum is not None and isinstance(value, str):
        try:
            return enum(value).label(i18n.get_locale())
        except ValueError:
            return value
    if (key == "amount" or key.endswith("_amount")) and (money := _money(value)) is not None:
        return money
    if isinstance(value, str):
        if not i18n.is_zh():
            if key == "district":
                return DISTRICT_EN.get(value, value)
            if key == "industry":
                return INDUSTRY_EN.get(value, value)
        return _moment(value) or value
    if isinstance(value, list):
        joiner = "、" if i18n.is_zh() else ", "
        return joiner.join(format_value(kind, "", v) for v in value) if value else "—"
    if isinstance(value, dict):
        return "; ".join(f"{k}: {format_value(kind, str(k), v)}" for k, v in value.items()) or "—"
    return str(value)


def changes(kind: str, before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[Change]:
    """The changed fields of an entry, labelled ones first in the order they were recorded."""
    before = before if isinstance(before, dict) else {}
    after = after if isinstance(after, dict) else {}
    keys = list(after) + [k for k in before if k not in after]
    out: list[Change] = []
    for key in keys:
        label = field_label(kind, key)
        out.append(
            Change(
                key=key,
                label=label or key,
                before=format_value(kind, key, before[key]) if key in before else None,
                after=format_value(kind, key, after[key]) if key in after else None,
                labelled=label is not None,
            )
        )
    return sorted(out, key=lambda c: not c.labelled)
