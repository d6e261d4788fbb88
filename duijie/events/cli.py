"""`duijie events`: create, list, publish, unpublish and delete events from the command line.

Scriptable: every value is an option, nothing is asked. A refusal prints one line per problem naming the
option (`--end: …`) in the language chosen with `--lang` (Chinese by default), changes nothing, and exits 1;
a missing database or event exits 2. Writes are audited as the command-line user (see `cli_actor`)."""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from types import MappingProxyType

import click

from duijie.core.cli_support import cli_actor, lang_option, open_db
from duijie.core.errors import DomainError
from duijie.core.i18n import speaking

# The option each field is given with, for the messages.
OPTION_OF: Mapping[str, str] = MappingProxyType({
    "slug": "--slug",
    "kind": "--kind",
    "parent": "--parent",
    "name_zh": "--name-zh",
    "name_en": "--name-en",
    "theme_zh": "--theme-zh",
    "theme_en": "--theme-en",
    "starts_on": "--start",
    "ends_on": "--end",
    "city": "--city",
    "venue": "--venue",
    "timezone": "--tz",
    "format": "--format",
    "description_zh": "--description-zh",
    "description_en": "--description-en",
})
KINDS = ("forum", "summit", "trading", "contest", "exhibition")
DB_OPTION = click.option("--db", "db_path", default="duijie.db", show_default=True, help="SQLite file or database URL.")
LANG_OPTION = lang_option()


class Refused(Exception):
    """A refusal carried out of the unit of work, so that it is rolled back before the messages are printed."""

    def __init__(self, error: DomainError) -> None:
        super().__init__(error.message)
        self.error = error


def _refuse(error: DomainError) -> None:
    """Print each problem on its own line, naming the option, and exit 1."""
    for detail in error.details:
        where = OPTION_OF.get(detail.field or "")
        click.echo(f"error: {where}: {detail.message}" if where else f"error: {detail.message}", err=True)
    sys.exit(1)


@click.group("events")
def events() -> None:
    """Set up events: forums, the summits, trading events and contests held in them."""
    from duijie.core.registry import load_all_models

    load_all_models()  # every table that may hold an event, for the writes and for `delete`'s check


@events.command("create")
@DB_OPTION
@click.option("--slug", required=True, help="The event's address, e.g. invest-beijing-2025.")
@click.option("--kind", required=True, type=click.Choice(KINDS))
@click.option("--name-zh", "name_zh", required=True, help="Chinese name.")
@click.option("--name-en", "name_en", required=True, help="English name.")
@click.option("--start", "starts_on", required=True, help="First day, YYYY-MM-DD.")
@click.option("--end", "ends_on", required=True, help="Last day, YYYY-MM-DD.")
@click.option("--parent", default=None, help="Slug of the forum the event is held in.")
@click.option("--tz", "timezone", default="Asia/Shanghai", show_default=True, help="IANA time zone.")
@click.option("--venue", default=None)
@click.option("--city", default=None, help="北京 unless given.")
@click.option("--theme-zh", "theme_zh", default=None)
@click.option("--theme-en", "theme_en", default=None)
@click.option("--publish", is_flag=True, help="Publish at once (otherwise the event is a draft).")
@click.option("--json", "as_json", is_flag=True, help="Print the event as JSON.")
@LANG_OPTION
def create(db_path: str, publish: bool, as_json: bool, lang: str, **fields: str | None) -> None:
    """Create an event (a draft unless --publish)."""
    from duijie.events import editing
    from duijie.events.schemas import EventRead

    data = {k: v for k, v in fields.items() if v is not None}
    with speaking(lang):
        try:
            with open_db(db_path) as db:
                try:
                    event = editing.create_event(db, actor=cli_actor(), data=data, publish=publish)
                except DomainError as exc:
                    raise Refused(exc) from exc
                shown = EventRead.of(event)
        except Refused as refused:
            _refuse(refused.error)
    if as_json:
        click.echo(shown.model_dump_json())
    else:
        click.echo(f"created {shown.slug} ({shown.kind.value}, {shown.state.value}) {shown.starts_on}..{shown.ends_on}")


@events.command("list")
@DB_OPTION
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
def list_events(db_path: str, as_json: bool) -> None:
    """Every event, drafts included, each forum followed by the events held in it."""
    from duijie.events import editing
    from duijie.events.schemas import EventRead

    with open_db(db_path) as db:
        rows = [EventRead.of(e) for e in editing.manageable_events(db, cli_actor())]
    for row in rows:
        if as_json:
            click.echo(json.dumps(row.model_dump(mode="json"), ensure_ascii=False))
            continue
        indent = "  " if row.parent else ""
        click.echo(
            f"{indent}{row.slug}\t{row.kind.value}\t{row.state.value}\t{row.starts_on}..{row.ends_on}\t"
            f"{row.timezone}\t{row.name_zh}"
        )


def _one(action: str, db_path: str, slug: str, lang: str) -> None:
    from duijie.events import editing
    from duijie.events.enums import EventState

    with speaking(lang):
        try:
            with open_db(db_path) as db:
                event = editing.event_by_slug(db, slug)  # unknown: open_db prints it, exit 2
                try:
                    if action == "delete":
                        editing.delete_event(db, actor=cli_actor(), event=event)
                    else:
                        to = EventState.PUBLISHED if action == "publish" else EventState.DRAFT
                        editing.set_event_state(db, actor=cli_actor(), event=event, to=to)
                except DomainError as exc:
                    raise Refused(exc) from exc
        except Refused as refused:
            _refuse(refused.error)
    click.echo({"publish": "published", "unpublish": "draft", "delete": "deleted"}[action] + f" {slug}")


@events.command("publish")
@DB_OPTION
@click.argument("slug")
@LANG_OPTION
def publish(db_path: str, slug: str, lang: str) -> None:
    """Publish a draft."""
    _one("publish", db_path, slug, lang)


@events.command("unpublish")
@DB_OPTION
@click.argument("slug")
@LANG_OPTION
def unpublish(db_path: str, slug: str, lang: str) -> None:
    """Take a published event back to draft."""
    _one("unpublish", db_path, slug, lang)


@events.command("delete")
@DB_OPTION
@click.argument("slug")
@LANG_OPTION
def delete(db_path: str, slug: str, lang: str) -> None:
    """Delete a draft that holds no records (otherwise say what holds it)."""
    _one("delete", db_path, slug, lang)
