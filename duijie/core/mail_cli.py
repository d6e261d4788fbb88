"""`duijie mail ...`: try the mail settings, read the outbox, send again, send what is due.

The group also carries the commands packages declare in their `mails.py` (`MAIL_COMMANDS`), such as
`duijie mail tasks-due` from deals, so every mail command is found under one name.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from duijie.config import get_settings
from duijie.core import mail
from duijie.core.cli_support import open_db
from duijie.core.db import make_engine, make_sessionmaker, url_for_path
from duijie.core.hooks import Hook
from duijie.core.models import OutboxMail
from duijie.modules import import_all

MAIL_COMMANDS: Hook[click.Command] = Hook("core.mail_cli.commands")

DB_OPTION = click.option(
    "--db", "db_path", default=None, help="SQLite file or database URL (default: DUIJIE_DATABASE_URL)."
)


def database(db_path: str | None) -> str:
    return url_for_path(db_path) if db_path else get_settings().database_url


class MailGroup(click.Group):
    """The mail commands of core and those the packages' `mails.py` register."""

    def _extra(self) -> dict[str, click.Command]:
        import_all("mails")
        return {command.name or "": command for command in MAIL_COMMANDS}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self._extra()})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return super().get_command(ctx, cmd_name) or self._extra().get(cmd_name)


@click.group("mail", cls=MailGroup)
def mail_group() -> None:
    """E-mail: a test message, the outbox, sending again (DUIJIE_SMTP_URL names the server)."""
    # Every table a message row refers to (its account) must be known before the first write.
    import_all("models")


def _row(m: OutboxMail) -> dict[str, Any]:
    return {
        "id": m.id,
        "state": m.state,
        "attempts": m.attempts,
        "to": m.to,
        "subject": m.subject,
        "template": m.template,
        "locale": m.locale,
        "created_at": m.created_at.isoformat(timespec="seconds"),
        "next_attempt_at": m.next_attempt_at.isoformat(timespec="seconds") if m.next_attempt_at else None,
        "sent_at": m.sent_at.isoformat(timespec="seconds") if m.sent_at else None,
        "message_id": m.message_id,
        "last_error": m.last_error,
    }


@mail_group.command("send-test")
@DB_OPTION
@click.option("--to", "to", required=True, help="The address to send the test message to.")
@click.option("--locale", default="zh_CN", show_default=True, type=click.Choice(["zh_CN", "en"]))
@click.option("--queue-only", is_flag=True, help="Only queue it; a worker sends it.")
def send_test(db_path: str | None, to: str, locale: str, queue_only: bool) -> None:
    """Send a test message through DUIJIE_SMTP_URL now and say what the server answered (exit 1 if refused)."""
    url = database(db_path)
    with open_db(url) as db:
        row = mail.queue_mail(db, to=to, template="test", locale=locale, context={"note": None})
        assert row is not None
        mail_id = row.id
    if queue_only:
        click.echo(f"queued message {mail_id} to {to}")
        return
    engine = make_engine(url)
    try:
        factory = make_sessionmaker(engine)
        outcome = mail.deliver(factory, mail_id)
        with open_db(url) as db:
            sent = db.get(OutboxMail, mail_id)
            assert sent is not None
            detail = sent.message_id if outcome == "sent" else sent.last_error
    finally:
        engine.dispose()
    click.echo(f"{outcome}: message {mail_id} to {to} ({detail})")
    if outcome != "sent":
        sys.exit(1)


@mail_group.command("outbox")
@DB_OPTION
@click.option("--state", type=click.Choice(list(mail.STATES)), default=None, help="Only messages in this state.")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 10000))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def outbox(db_path: str | None, state: str | None, limit: int, fmt: str) -> None:
    """The latest messages, newest first, with their state, attempts and the server's last answer."""
    with open_db(database(db_path)) as db:
        rows = [_row(m) for m in mail.outbox(db, state=state, limit=limit)]
        totals = mail.counts(db)
    if fmt == "json":
        click.echo(json.dumps({"counts": totals, "messages": rows}, ensure_ascii=False, indent=2))
        return
    click.echo("  ".join(f"{k} {v}" for k, v in totals.items()))
    for r in rows:
        when = r["sent_at"] or r["next_attempt_at"] or r["created_at"]
        click.echo(f"{r['id']:>6}  {r['state']:<7}  {r['attempts']}  {when}  {r['to']}  {r['subject']}")
        if r["last_error"] and r["state"] != "sent":
            click.echo(f"        {r['last_error']}")


@mail_group.command("retry")
@DB_OPTION
@click.option("--id", "ids", multiple=True, type=int, help="A failed message to send again (repeatable).")
@click.option("--all-failed", is_flag=True, help="Every failed message.")
def retry(db_path: str | None, ids: tuple[int, ...], all_failed: bool) -> None:
    """Put failed messages back in the queue (after fixing what their error says); a worker sends them."""
    with open_db(database(db_path)) as db:
        rows = mail.outbox(db, state="failed", limit=100000) if all_failed else []
        for wanted in ids:
            row = db.get(OutboxMail, wanted)
            if row is None:
                raise click.ClickException(f"no message {wanted}")
            rows.append(row)
        for row in rows:
            mail.requeue(db, mail=row)
            click.echo(f"queued again: {row.id} to {row.to}")


@mail_group.command("send-queued")
@DB_OPTION
def send_queued(db_path: str | None) -> None:
    """Send every message that is due, in this process (for a host without a worker)."""
    engine = make_engine(database(db_path))
    try:
        outcome = mail.drain_now(make_sessionmaker(engine))
    finally:
        engine.dispose()
    click.echo("  ".join(f"{k} {v}" for k, v in outcome.items()))
