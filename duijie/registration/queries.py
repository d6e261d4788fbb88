"""Reading the registrations of an event: the counts per category, the organiser's filtered list, waiting-list
positions for a whole page at once, one person's registrations, the CSV export."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from duijie.core.auth import ANONYMOUS
from duijie.events.models import Event
from duijie.registration import waiting
from duijie.registration.models import Registration, RegistrationCategory
from duijie.registration.service import category_pool, list_categories
from duijie.registration.waiting import State


def summary(db: Session, *, event: Event) -> list[dict[str, Any]]:
    """Per category: its capacity and how many registrations are in each state, and the free places."""
    rows = db.execute(
        select(Registration.category_id, Registration.state, func.count())
        .where(Registration.event_id == event.id)
        .group_by(Registration.category_id, Registration.state)
    ).all()
    counted: dict[int, dict[str, int]] = {}
    for category_id, state, n in rows:
        counted.setdefault(category_id, {})[state] = int(n)
    result = []
    for category in list_categories(db, event=event):
        states = {s.value: counted.get(category.id, {}).get(s.value, 0) for s in State}
        taken = states[State.CONFIRMED] + states[State.OFFERED]
        free = None if category.capacity is None else max(0, category.capacity - taken)
        result.append({"category": category, "counts": states, "free": free})
    return result


def search(
    db: Session,
    *,
    event: Event,
    state: str | None = None,
    category: RegistrationCategory | None = None,
    text: str | None = None,
    page: int = 1,
    page_size: int = 50,
) -> tuple[list[Registration], int]:
    """The event's registrations by arrival (id), filtered, one page of them and the total."""
    stmt = select(Registration).where(Registration.event_id == event.id)
    if state:
        stmt = stmt.where(Registration.state == state)
    if category is not None:
        stmt = stmt.where(Registration.category_id == category.id)
    if text and text.strip():
        like = f"%{text.strip().lower()}%"
        stmt = stmt.where(or_(func.lower(Registration.name).like(like), func.lower(Registration.email).like(like),
                              func.lower(func.coalesce(Registration.organisation, "")).like(like)))  # fmt: skip
    total = int(db.scalar(select(func.count()).select_from(stmt.subquery())) or 0)
    items = list(db.scalars(stmt.order_by(Registration.id).offset((page - 1) * page_size).limit(page_size)))
    return items, total


def positions(db: Session, *, event: Event) -> dict[int, int]:
    """Registration id → place on its category's waiting list, for every waiting registration of the event (one
    query, for lists)."""
    rows = db.execute(
        select(Registration.id, Registration.category_id)
        .where(Registration.event_id == event.id, Registration.state == State.WAITING)
        .order_by(Registration.category_id, Registration.id)
    ).all()
    found: dict[int, int] = {}
    counter: dict[int, int] = {}
    for registration_id, category_id in rows:
        counter[category_id] = counter.get(category_id, 0) + 1
        found[registration_id] = counter[category_id]
    return found


def waiting_list(db: Session, *, category: RegistrationCategory) -> list[Registration]:
    """The category's waiting list in the order places will be offered."""
    return waiting.waiting_list(db, category_pool(db, category, actor=ANONYMOUS))


def for_account(db: Session, *, account_id: int) -> list[Registration]:
    """A signed-in person's registrations, newest first."""
    return list(db.scalars(select(Registration).where(Registration.account_id == account_id).order_by(Registration.id.desc())))


CSV_COLUMNS = ("id", "state", "category", "name", "name_en", "email", "phone", "organisation", "job_title",
               "country", "locale", "created_at", "offered_until", "consent_at", "decline_reason")  # fmt: skip


def export_csv(db: Session, *, event: Event) -> str:
    """Every registration of the event as CSV (UTF-8, one header row), by arrival."""
    codes = {c.id: c.code for c in list_categories(db, event=event)}
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for r in db.scalars(select(Registration).where(Registration.event_id == event.id).order_by(Registration.id)):
        row = {c: getattr(r, c, None) for c in CSV_COLUMNS}
        row["category"] = codes.get(r.category_id, "")
        writer.writerow(["" if v is None else v.isoformat() if isinstance(v, dt.datetime) else v for v in row.values()])
    return out.getvalue()

