"""`duijie registration`: an event's categories, registrations and decisions from the command line.

Scriptable: every value is an option, nothing is asked. A refusal prints one line per problem naming the
option (`--capacity: …`) in the language chosen with `--lang`, changes nothing, and exits 1; a missing database
or event exits 2. Writes are audited as the command-line user. `list --state waiting --category guest` prints
a category's waiting list in the order places will be offered.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from sqlalchemy.orm import Session

from duijie.core.cli_support import cli_actor, lang_option, open_db
from duijie.core.errors import DomainError
from duijie.core.i18n import speaking

DB_OPTION = click.option("--db", "db_path", default="duijie.db", show_default=True, help="SQLite file or database URL.")
LANG_OPTION = lang_option()
OPTION_OF = {
    "code": "--code", "name_zh": "--name-zh", "name_en": "--name-en", "capacity": "--capacity",
    "claim_hours": "--claim-hours", "opens_at": "--opens", "closes_at": "--closes", "position": "--position",
    "name": "--name", "email": "--email", "phone": "--phone", "organisation": "--organisation",
    "consent": "--consent", "category": "--category", "reason": "--reason", "state": "--state",
}  # fmt: skip


class Refused(Exception):
    def __init__(self, error: DomainError) -> None:
        super().__init__(error.message)
        self.error = error


def _run(db_path: str, lang: str, work: Callable[[Session], Any]) -> Any:
    """Run `work` in one unit of work; a refusal rolls everything back and is printed per option, exit 1."""
    with speaking(lang):
        try:
            with open_db(db_path) as db:
                try:
                    return work(db)
                except DomainError as exc:
                    if exc.status_code == 404:
                        raise
                    raise Refused(exc) from exc
        except Refused as refused:
            for detail in refused.error.details:
                where = OPTION_OF.get(detail.field or "")
                click.echo(f"error: {where}: {detail.message}" if where else f"error: {detail.message}", err=True)
            sys.exit(1)


def _event(db: Session, slug: str) -> Any:
    from duijie.events.service import get_event

    return get_event(db, slug=slug)


@click.group("registration")
def registration() -> None:
    """Registration for events: categories, registrations, approvals, the waiting list."""
    from duijie.core.registry import load_all_models

    load_all_models()


@registration.group("categories")
def categories() -> None:
    """An event's registration categories."""


def _category_line(c: Any) -> str:
    capacity = "∞" if c.capacity is None else c.capacity
    flags = ",".join(f for f, on in (("approval", c.requires_approval), ("public", c.is_public)) if on) or "-"
    return f"{c.code}\t{capacity}\t{flags}\t{c.claim_hours}h\t{c.name_zh}\t{c.name_en or ''}"


@categories.command("list")
@DB_OPTION
@click.option("--event", "slug", required=True, help="The event's slug.")
@click.option("--json", "as_json", is_flag=True)
@LANG_OPTION
def categories_list(db_path: str, slug: str, as_json: bool, lang: str) -> None:
    """Each category: code, capacity, flags, claim hours, names."""
    from duijie.registration import service
    from duijie.registration.schemas import CategoryRead

    rows = _run(db_path, lang, lambda db: [CategoryRead.of(c) for c in service.list_categories(db, event=_event(db, slug))])
    for row in rows:
        click.echo(json.dumps(row.model_dump(mode="json"), ensure_ascii=False) if as_json else _category_line(row))


def _category_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    for option in reversed([
        click.option("--name-zh", "name_zh"), click.option("--name-en", "name_en"),
        click.option("--capacity", help="Places; an empty value for no limit."),
        click.option("--claim-hours", "claim_hours", help="Hours to claim a freed place (48 unless given)."),
        click.option("--opens", "opens_at", help="ISO time; without an offset, the event's zone."),
        click.option("--closes", "closes_at"), click.option("--position"),
        click.option("--approval/--no-approval", "requires_approval", default=None),
        click.option("--public/--private", "is_public", default=None),
    ]):  # fmt: skip
        fn = option(fn)
    return fn


@categories.command("add")
@DB_OPTION
@click.option("--event", "slug", required=True, help="The event's slug.")
@click.option("--code", required=True)
@_category_options
@LANG_OPTION
def categories_add(db_path: str, slug: str, lang: str, **fields: Any) -> None:
    """Add a category."""
    from duijie.registration import service

    data = {k: v for k, v in fields.items() if v is not None}
    row = _run(db_path, lang, lambda db: _category_line(service.create_category(db, actor=cli_actor(), event=_event(db, slug), data=data)))
    click.echo(f"added {row}")


@categories.command("set")
@DB_OPTION
@click.option("--event", "slug", required=True, help="The event's slug.")
@click.argument("code")
@click.option("--code", "new_code", default=None, help="A new code.")
@_category_options
@LANG_OPTION
def categories_set(db_path: str, slug: str, code: str, new_code: str | None, lang: str, **fields: Any) -> None:
    """Change the options given; a larger capacity offers the new places to the waiting list."""
    from duijie.registration import service

    data = {k: v for k, v in fields.items() if v is not None}
    if new_code:
        data["code"] = new_code

    def work(db: Session) -> str:
        event = _event(db, slug)
        category = service.get_category(db, event=event, code=code)
        return _category_line(service.update_category(db, actor=cli_actor(), category=category, data=data))

    click.echo(f"changed {_run(db_path, lang, work)}")


@categories.command("remove")
@DB_OPTION
@click.option("--event", "slug", required=True, help="The event's slug.")
@click.argument("code")
@LANG_OPTION
def categories_remove(db_path: str, slug: str, code: str, lang: str) -> None:
    """Remove a category that holds no registration."""
    from duijie.registration import service

    def work(db: Session) -> None:
        event = _event(db, slug)
        service.delete_category(db, actor=cli_actor(), category=service.get_category(db, event=event, code=code))

    _run(db_path, lang, work)
    click.echo(f"removed {code}")


def _line(r: Any) -> str:
    extra = f"#{r.position}" if r.position else (r.offered_until.isoformat(timespec="minutes") if r.offered_until else "")
    return f"{r.id}\t{r.state.value}\t{extra}\t{r.category}\t{r.name}\t{r.email}"


@registration.command("register")
@DB_OPTION
@click.option("--event", "slug", required=True, help="The event's slug.")
@click.option("--category", required=True, help="The category's code.")
@click.option("--name", required=True)
@click.option("--email", required=True)
@click.option("--name-en", "name_en")
@click.option("--phone")
@click.option("--organisation")
@click.option("--locale", type=click.Choice(["zh_CN", "en"]), default=None, help="Language of the person's mails.")
@click.option("--consent", is_flag=True, help="The person gave their consent (required).")
@click.option("--json", "as_json", is_flag=True)
@LANG_OPTION
def register(db_path: str, slug: str, category: str, as_json: bool, lang: str, **fields: Any) -> None:
    """Register a person as the organiser would (any category, no approval needed)."""
    from duijie.registration import service
    from duijie.registration.schemas import RegistrationRead

    def work(db: Session) -> RegistrationRead:
        event = _event(db, slug)
        cat = service.get_category(db, event=event, code=category)
        done = service.register(db, event, cat, fields, actor=cli_actor())
        return RegistrationRead.of(done, position=service.position(db, done))

    row = _run(db_path, lang, work)
    click.echo(row.model_dump_json() if as_json else _line(row))


@registration.command("list")
@DB_OPTION
@click.option("--event", "slug", required=True, help="The event's slug.")
@click.option("--state", default=None, help="pending, confirmed, waiting, offered, cancelled, declined or expired.")
@click.option("--category", default=None, help="A category's code.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@LANG_OPTION
def list_registrations(db_path: str, slug: str, state: str | None, category: str | None, as_json: bool, lang: str) -> None:
    """The event's registrations by arrival (a waiting list in the order places will be offered)."""
    from duijie.registration import queries, service
    from duijie.registration.schemas import RegistrationRead

    def work(db: Session) -> list[RegistrationRead]:
        event = _event(db, slug)
        service.sweep(db, event=event)
        cat = service.get_category(db, event=event, code=category) if category else None
        items, _total = queries.search(db, event=event, state=state, category=cat, page=1, page_size=1_000_000)
        where = queries.positions(db, event=event)
        return [RegistrationRead.of(r, position=where.get(r.id)) for r in items]

    for row in _run(db_path, lang, work):
        click.echo(json.dumps(row.model_dump(mode="json"), ensure_ascii=False) if as_json else _line(row))


def _decide(db_path: str, slug: str, registration_id: int, lang: str, action: str, reason: str | None = None) -> None:
    from duijie.registration import service
    from duijie.registration.schemas import RegistrationRead

    def work(db: Session) -> RegistrationRead:
        event = _event(db, slug)
        found = service.get(db, id=registration_id, event=event)
        actor = cli_actor()
        if action == "approve":
            done = service.approve(db, actor=actor, registration=found)
        elif action == "decline":
            done = service.decline(db, actor=actor, registration=found, reason=reason or "")
        else:
            done = service.cancel(db, actor=actor, registration=found)
        return RegistrationRead.of(done, position=service.position(db, done))

    click.echo(_line(_run(db_path, lang, work)))


@registration.command("approve")
@DB_OPTION
@click.option("--event", "slug", required=True, help="The event's slug.")
@click.argument("registration_id", type=int)
@LANG_OPTION
def approve(db_path: str, slug: str, registration_id: int, lang: str) -> None:
    """Approve a pending registration (confirmed if a place is free, otherwise waiting)."""
    _decide(db_path, slug, registration_id, lang, "approve")


@registration.command("decline")
@DB_OPTION
@click.option("--event", "slug", required=True, help="The event's slug.")
@click.argument("registration_id", type=int)
@click.option("--reason", required=True, help="Sent to the person.")
@LANG_OPTION
def decline(db_path: str, slug: str, registration_id: int, reason: str, lang: str) -> None:
    """Decline a pending or waiting registration with a reason."""
    _decide(db_path, slug, registration_id, lang, "decline", reason)


@registration.command("cancel")
@DB_OPTION
@click.option("--event", "slug", required=True, help="The event's slug.")
@click.argument("registration_id", type=int)
@LANG_OPTION
def cancel(db_path: str, slug: str, registration_id: int, lang: str) -> None:
    """Cancel a registration; a place it held is offered to the next person waiting."""
    _decide(db_path, slug, registration_id, lang, "cancel")


@registration.command("export")
@DB_OPTION
@click.option("--event", "slug", required=True, help="The event's slug.")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None, help="CSV file (stdout if not given).")
@LANG_OPTION
def export(db_path: str, slug: str, output: Path | None, lang: str) -> None:
    """Every registration of the event as CSV."""
    from duijie.registration import queries

    text = _run(db_path, lang, lambda db: queries.export_csv(db, event=_event(db, slug)))
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}", err=True)


@registration.command("badge")
@DB_OPTION
@click.option("--event", "slug", required=True, help="The event's slug.")
@click.argument("registration_id", type=int)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), required=True, help="The PDF file to write.")
@LANG_OPTION
def badge(db_path: str, slug: str, registration_id: int, output: Path, lang: str) -> None:
    """Write a confirmed registration's badge: the PDF with both names and the signed QR code (for printing
    badges in bulk before the doors open, or for someone who lost the mail)."""
    from duijie.registration import badges, service

    pdf = _run(db_path, lang, lambda db: badges.badge_pdf(
        db, registration=service.get(db, id=registration_id, event=_event(db, slug))))
    output.write_bytes(pdf)
    click.echo(f"wrote {output}", err=True)


@registration.command("checkins")
@DB_OPTION
@click.option("--event", "slug", required=True, help="The event's slug.")
@click.option("--json", "as_json", is_flag=True)
@LANG_OPTION
def checkins(db_path: str, slug: str, as_json: bool, lang: str) -> None:
    """Admissions, repeated scans and refused badges per day, then per day and gate, as synced from the doors."""
    from duijie.registration import checkin

    days, gates = _run(db_path, lang, lambda db: checkin.counts(db, event=_event(db, slug)))
    rows = [
        {"day": c.day.isoformat(), "gate": c.gate, "admitted": c.admitted, "repeated": c.duplicates, "refused": c.refused}
        for c in (*days, *gates)
    ]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        click.echo(f"{row['day']}  {row['gate'] or '*':<12}  admitted {row['admitted']:>6}  repeated {row['repeated']:>4}  "
                   f"refused {row['refused']:>4}")
