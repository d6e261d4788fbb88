"""The e-mails of the deals module: a reminder to the owner of each open deal task due the next day.

`queue_tasks_due` is run once a day (`duijie mail tasks-due`, from cron or a systemd timer); each reminder's key
is its task and due day, so running it twice that day, or after a crash half-way, sends no reminder twice, and
a task moved to another day is reminded again for the new day.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import click
from sqlalchemy import select
from sqlalchemy.orm import Session

from duijie.core import mail
from duijie.core.cli_support import open_db
from duijie.core.i18n import bilingual
from duijie.core.i18n import mark as _l
from duijie.core.mail_cli import DB_OPTION, MAIL_COMMANDS, database
from duijie.deals.models import Deal, DealTask
from duijie.directory.models import Account, Person
from duijie.modules import import_all

TASKS = mail.topic(
    "deal_tasks",
    _l("Deal tasks due"),
    _l("A reminder the day before a task of a deal you own is due."),
    order=40,
)
# The day the city works by: "tomorrow" is the next day in Beijing time.
CITY = ZoneInfo("Asia/Shanghai")


def tomorrow(now: dt.datetime | None = None) -> dt.date:
    """The next day in the city's time zone."""
    moment = (now or dt.datetime.now(dt.UTC)).astimezone(CITY)
    return moment.date() + dt.timedelta(days=1)


def queue_tasks_due(db: Session, *, day: dt.date) -> int:
    """Queue a reminder to the owner of every open task due on `day`; the number queued (or found queued)."""
    rows = db.execute(
        select(DealTask, Deal, Account.id, Account.locale, Person.email)
        .join(Deal, Deal.id == DealTask.deal_id)
        .join(Account, Account.id == DealTask.owner_id)
        .join(Person, Person.id == Account.person_id)
        .where(
            DealTask.due_on == day,
            DealTask.done_at.is_(None),
            Account.is_active.is_(True),
            Person.email.is_not(None),
            Person.email != "",
        )
        .order_by(DealTask.id)
    ).all()
    queued = 0
    for task, deal, account_id, locale, email in rows:
        row = mail.queue_mail(
            db,
            to=email or "",
            template="deal_task_due",
            locale=locale,
            account_id=account_id,
            topic=TASKS.name,
            key=f"deals.task_due:{task.id}:{day.isoformat()}",
            context={
                "task": task.title,
                "due_on": day.isoformat(),
                "deal": bilingual(deal.title_zh, deal.title_en, locale),
                "deal_path": f"/deals/{deal.id}",
            },
        )
        queued += row is not None
    return queued


@click.command("tasks-due")
@DB_OPTION
@click.option(
    "--day",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Remind of the tasks due this day (default: tomorrow, Beijing time).",
)
def tasks_due(db_path: str | None, day: dt.datetime | None) -> None:
    """Mail each owner of an open deal task due tomorrow (run daily; a reminder is never sent twice)."""
    import_all("models")
    when = day.date() if day else tomorrow()
    with open_db(database(db_path)) as db:
        count = queue_tasks_due(db, day=when)
    click.echo(f"{count} reminders queued for tasks due {when.isoformat()}")


MAIL_COMMANDS.register(tasks_due, key="tasks-due")
