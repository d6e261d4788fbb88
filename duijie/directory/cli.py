"""`duijie init` (the first organiser of a new database) and `duijie users create|invite|list|disable|enable`.

Scriptable: every value can be given as an option or an environment variable, and nothing is asked when all
are given; a missing value is asked for only on a terminal. Commands act as the command line (`cli_actor`, the
city-wide organiser), since whoever runs them holds the database itself, and are audited as such.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Mapping
from types import MappingProxyType

import click
from sqlalchemy.orm import Session

from duijie.config import get_settings
from duijie.core.cli import migrate_database
from duijie.core.cli_support import cli_actor, open_db
from duijie.core.db import make_engine, make_sessionmaker, url_for_path
from duijie.core.errors import DomainError
from duijie.core.i18n import LOCALES, reset_locale, set_locale
from duijie.core.jobs import run_queued
from duijie.core.registry import load_all_models
from duijie.directory import invitations, users
from duijie.directory.enums import Role
from duijie.modules import import_all

ROLE_CHOICE = click.Choice([r.value for r in Role])


def _database(db_path: str | None) -> str:
    """The database URL, with every package's models loaded (an invitation refers to events, one floor up)."""
    load_all_models()
    return url_for_path(db_path) if db_path else get_settings().database_url


def _ask(value: str | None, prompt: str, *, hide: bool = False) -> str:
    """The value given, else a question on a terminal; without one, a clear refusal instead of a hang."""
    if value:
        return value
    if not sys.stdin.isatty():
        raise click.UsageError(f"{prompt} is missing (give it as an option or environment variable)")
    return str(click.prompt(prompt, hide_input=hide, confirmation_prompt=hide))


def _send_now(url: str) -> None:
    """Runs the queued jobs (the mails just queued) right away, so a script's invitation leaves now even where
    no worker runs; a failure stays in the outbox for `duijie worker` to retry."""
    engine = make_engine(url)
    try:
        run_queued(make_sessionmaker(engine), worker="cli")
    finally:
        engine.dispose()


@click.command("init")
@click.option("--db", "db_path", default=None, help="SQLite file or database URL (default: DUIJIE_DATABASE_URL).")
@click.option("--username", envvar="DUIJIE_ADMIN_USERNAME", help="[env DUIJIE_ADMIN_USERNAME]")
@click.option("--email", envvar="DUIJIE_ADMIN_EMAIL", help="[env DUIJIE_ADMIN_EMAIL]")
@click.option("--name", default=None, help="The organiser's name (default: the user name).")
@click.option("--locale", type=click.Choice(["zh_CN", "en"]), default=None, help="Language of the organiser's mails.")
def init(db_path: str | None, username: str | None, email: str | None, name: str | None, locale: str | None) -> None:
    """Migrate a new database and create its first (city-wide) organiser.

    The password comes from DUIJIE_ADMIN_PASSWORD (or is asked for). Refused if the database already has
    accounts, unless the organiser named is already there (running init twice is harmless).
    """
    import os

    url = _database(db_path)
    migrate_database(url)
    username = _ask(username, "User name")
    email = _ask(email, "E-mail")
    password = _ask(os.environ.get("DUIJIE_ADMIN_PASSWORD"), "Password", hide=True)
    with open_db(url) as db:
        account = users.create_first_organiser(
            db, username=username, email=email, password=password, name_zh=name, locale=locale, allow_existing=True
        )
        click.echo(f"organiser {account.username} is ready; sign in at /login and create your first event at /organise/events")


@click.group("users")
def users_group() -> None:
    """Accounts: create, invite, list, disable, enable."""


def _scope_options(fn: click.decorators.FC) -> click.decorators.FC:
    for option in reversed(
        [
            click.option("--role", type=ROLE_CHOICE, required=True),
            click.option("--event", "event", default=None, help="Limit the role to this event (slug)."),
            click.option("--organisation", "organisation", default=None, help="The organisation acted for (slug)."),
            click.option("--district", default=None, help="The district of a district role (e.g. 海淀区)."),
        ]
    ):
        fn = option(fn)
    return fn


@users_group.command("create")
@click.option("--db", "db_path", default=None, help="SQLite file or database URL.")
@click.option("--username", required=True)
@click.option("--email", required=True)
@click.option("--name", default=None)
@click.option("--locale", type=click.Choice(["zh_CN", "en"]), default=None)
@_scope_options
def create(
    db_path: str | None, username: str, email: str, name: str | None, locale: str | None, role: str,
    event: str | None, organisation: str | None, district: str | None,
) -> None:  # fmt: skip
    """Create an account with a password (from DUIJIE_USER_PASSWORD, or asked for)."""
    import os

    password = _ask(os.environ.get("DUIJIE_USER_PASSWORD"), "Password", hide=True)
    with open_db(_database(db_path)) as db:
        scope = users.resolve_scope(db, role=role, organisation=organisation, event=event, district=district)
        account = users.create_account(
            db, actor=cli_actor(), username=username, email=email, password=password, scope=scope, name_zh=name,
            locale=locale,
        )  # fmt: skip
        click.echo(f"created {account.username} ({role})")


@users_group.command("invite")
@click.option("--db", "db_path", default=None, help="SQLite file or database URL.")
@click.option("--email", required=True)
@click.option("--name", default=None, help="The invitee's name, to greet them.")
@click.option("--locale", type=click.Choice(["zh_CN", "en"]), default=None, help="Language of the mail.")
@click.option("--send/--no-send", default=True, help="Send the mail now (default) or leave it to `duijie worker`.")
@_scope_options
def invite(
    db_path: str | None, email: str, name: str | None, locale: str | None, send: bool, role: str,
    event: str | None, organisation: str | None, district: str | None,
) -> None:  # fmt: skip
    """Invite an address to a role: a mail with a link valid for 7 days (through DUIJIE_SMTP_URL)."""
    url = _database(db_path)
    with open_db(url) as db:
        scope = users.resolve_scope(db, role=role, organisation=organisation, event=event, district=district)
        invitation = invitations.invite(db, actor=cli_actor(), email=email, scope=scope, name=name, locale=locale)
        until = f"{invitation.expires_at:%Y-%m-%d %H:%M}"
        click.echo(f"invitation {invitation.id} to {invitation.email} ({role}) valid until {until} UTC")
    if send:
        _send_now(url)


def _rows(db: Session, role: str | None) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for account in reversed(users.people_of(db, actor=cli_actor(), limit=100_000)):
        grants = [r for r in account.roles if role is None or r.role == role]
        if role is not None and not grants:
            continue
        person = account.person
        rows.append({
            "id": account.id, "username": account.username, "name": person.name_zh if person else "",
            "email": (person.email if person else "") or "", "active": account.is_active,
            "roles": ";".join(
                r.role + (f"@{r.district}" if r.district else "") + (f"#event{r.event_id}" if r.event_id else "")
                + (f"/org{r.organisation_id}" if r.organisation_id else "")
                for r in account.roles
            ),
        })  # fmt: skip
    return rows


@users_group.command("list")
@click.option("--db", "db_path", default=None, help="SQLite file or database URL.")
@click.option("--role", type=ROLE_CHOICE, default=None, help="Only accounts holding this role.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
def list_users(db_path: str | None, role: str | None, fmt: str) -> None:
    """List the accounts (oldest first) with their roles."""
    with open_db(_database(db_path)) as db:
        rows = _rows(db, role)
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=1))
    elif fmt == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=["id", "username", "name", "email", "active", "roles"])
        writer.writeheader()
        writer.writerows(rows)
    else:
        for row in rows:
            state = "active" if row["active"] else "disabled"
            click.echo(f"{row['id']:>5}  {row['username']:<20} {state:<9} {row['roles']:<30} {row['email']}")


def _set_active(db_path: str | None, username: str, active: bool) -> None:
    with open_db(_database(db_path)) as db:
        account = users.get_account(db, username=username)
        users.set_active(db, actor=cli_actor(), account=account, active=active)
        click.echo(f"{account.username} is {'enabled' if active else 'disabled'}")


@users_group.command("disable")
@click.option("--db", "db_path", default=None, help="SQLite file or database URL.")
@click.option("--username", required=True)
def disable(db_path: str | None, username: str) -> None:
    """The account can no longer sign in; its sessions end at once."""
    _set_active(db_path, username, False)


@users_group.command("enable")
@click.option("--db", "db_path", default=None, help="SQLite file or database URL.")
@click.option("--username", required=True)
def enable(db_path: str | None, username: str) -> None:
    """The account can sign in again."""
    _set_active(db_path, username, True)


# -- duijie organisations -----------------------------------------------------------------------------------------

# The option each field is given with, for the messages.
ORG_OPTION_OF: Mapping[str, str] = MappingProxyType({
    "slug": "--slug",
    "kind": "--kind",
    "name_zh": "--name-zh",
    "name_en": "--name-en",
    "country": "--country",
    "district": "--district",
    "park": "--park",
    "industries": "--industry",
    "flags": "--flag",
    "website": "--website",
    "description_zh": "--description-zh",
    "description_en": "--description-en",
})


def _option_of(field: str) -> str | None:
    """The option a refused field was given with: `--fact revenue` for `facts.revenue`."""
    section, dot, key = field.partition(".")
    if dot and section in ("facts", "preferences"):
        return f"{'--fact' if section == 'facts' else '--preference'} {key}"
    return ORG_OPTION_OF.get(field)


class _Refused(Exception):
    """A refusal carried out of the unit of work, so it is rolled back before the messages are printed."""

    def __init__(self, error: DomainError) -> None:
        super().__init__(error.message)
        self.error = error


def _org_fields(fn: click.decorators.FC) -> click.decorators.FC:
    for option in reversed((
        click.option("--db", "db_path", default=None, help="SQLite file or database URL."),
        click.option("--kind", default=None, help="government, park, enterprise, investor, university, institute, association."),
        click.option("--name-zh", "name_zh", default=None, help="Chinese name."),
        click.option("--name-en", "name_en", default=None, help="English name."),
        click.option("--country", default=None, help="Two-letter ISO code (CN unless given)."),
        click.option("--district", default=None, help="Beijing district, e.g. 海淀区."),
        click.option("--park", default=None),
        click.option("--industry", "industries", multiple=True, help="An industry, e.g. 人工智能 (repeat for more)."),
        click.option("--flag", "flags", multiple=True, help="A flag, e.g. high_tech (repeat for more)."),
        click.option("--website", default=None, help="http:// or https:// address."),
        click.option("--description-zh", "description_zh", default=None),
        click.option("--description-en", "description_en", default=None),
        click.option("--fact", "facts", multiple=True, metavar="KEY=VALUE",
                     help="A stated fact, e.g. revenue=2亿 or founded_on=2018-06-12 (repeat; KEY= removes it)."),
        click.option("--preference", "preferences", multiple=True, metavar="KEY=VALUE",
                     help="An investment preference, e.g. ticket_min=3000万 or industries=人工智能,机器人 (repeat; KEY= removes it)."),
        click.option("--data", "data_file", type=click.File("r", encoding="utf-8"), default=None,
                     help='A JSON file {"facts": {...}, "preferences": {...}}; --fact and --preference go on top.'),
        click.option("--lang", type=click.Choice(LOCALES), default="zh_CN", show_default=True, help="Language of the messages."),
    )):  # fmt: skip
        fn = option(fn)
    return fn


def _pairs(option: str, items: tuple[str, ...]) -> dict[str, object]:
    """`KEY=VALUE` options as a mapping; one without `=` is a usage error naming it."""
    found: dict[str, object] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise click.UsageError(f"{option} {item!r}: write KEY=VALUE, e.g. {option} revenue=2亿")
        found[key.strip()] = value.strip()
    return found


def _data_sections(fields: dict[str, object]) -> dict[str, object]:
    """The facts and preferences of `--data`, `--fact` and `--preference`, taken out of `fields`."""
    data_file = fields.pop("data_file", None)
    loaded: dict[str, object] = {}
    if data_file is not None:
        try:
            loaded = json.load(data_file)  # type: ignore[arg-type]
        except json.JSONDecodeError as exc:
            raise click.UsageError(f"--data: not JSON ({exc.msg}, line {exc.lineno})") from None
        if not isinstance(loaded, dict) or set(loaded) - {"facts", "preferences"}:
            raise click.UsageError('--data: write an object {"facts": {...}, "preferences": {...}}')
    sections: dict[str, object] = {}
    for section, option in (("facts", "--fact"), ("preferences", "--preference")):
        given = _pairs(option, tuple(fields.pop(section, ()) or ()))  # type: ignore[arg-type]
        base = loaded.get(section)
        if base is not None and not isinstance(base, dict):
            raise click.UsageError(f"--data: {section} must be an object of keys and values")
        if base or given:
            sections[section] = {**(base or {}), **given}
    return sections


def _org_write(db_path: str | None, lang: str, slug: str, fields: Mapping[str, object], *, creating: bool) -> None:
    """Create or update, print the result, or print one line per problem naming its option and exit 1."""
    from duijie.directory import organisations

    import_all("extends")  # the facts an organisation states are listed by the package that reads them
    rest = dict(fields)
    sections = _data_sections(rest)
    data: dict[str, object] = {k: v for k, v in rest.items() if v is not None and v != ()}
    data.update(sections)
    token = set_locale(lang)
    try:
        try:
            with open_db(_database(db_path)) as db:
                try:
                    if creating:
                        org = organisations.create_organisation(db, actor=cli_actor(), data={"slug": slug, **data})
                    else:
                        org = organisations.organisation_by_slug(db, slug)
                        organisations.update_organisation(db, actor=cli_actor(), org=org, data=data)
                except DomainError as exc:
                    raise _Refused(exc) from exc
                line = f"{'created' if creating else 'updated'} {org.slug} ({org.kind}) {org.name_zh}"
        except _Refused as refused:
            for detail in refused.error.details:
                where = _option_of(detail.field or "")
                click.echo(f"error: {where}: {detail.message}" if where else f"error: {detail.message}", err=True)
            sys.exit(1)
    finally:
        reset_locale(token)
    click.echo(line)


@click.group("organisations")
def organisations_group() -> None:
    """Create, edit and list organisations (enterprises, investors, parks, universities ...)."""


@organisations_group.command("create")
@click.option("--slug", required=True, help="The organisation's address, e.g. zhongguancun-ai.")
@_org_fields
def create_organisation(db_path: str | None, slug: str, lang: str, **fields: object) -> None:
    """Create an organisation."""
    _org_write(db_path, lang, slug, fields, creating=True)


@organisations_group.command("update")
@click.option("--slug", required=True, help="The organisation to change.")
@click.option("--new-slug", "new_slug", default=None, help="A new address for it.")
@_org_fields
def update_organisation(db_path: str | None, slug: str, new_slug: str | None, lang: str, **fields: object) -> None:
    """Change the options given; the others stay as they are."""
    _org_write(db_path, lang, slug, {**fields, "slug": new_slug}, creating=False)


@organisations_group.command("list")
@click.option("--db", "db_path", default=None, help="SQLite file or database URL.")
@click.option("--kind", default=None)
@click.option("-q", "--search", "q", default=None, help="A part of the name, Chinese or English.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
def list_organisations(db_path: str | None, kind: str | None, q: str | None, as_json: bool) -> None:
    """The organisations, by name."""
    from duijie.directory import organisations
    from duijie.directory.schemas import OrganisationRead

    with open_db(_database(db_path)) as db:
        rows, _total = organisations.search_organisations(db, q=q, kind=kind, limit=100_000)
        shown = [OrganisationRead.model_validate(o) for o in rows]
    for row in shown:
        if as_json:
            click.echo(json.dumps(row.model_dump(mode="json"), ensure_ascii=False))
        else:
            click.echo(f"{row.slug}\t{row.kind.value}\t{row.district or ''}\t{row.name_zh}\t{row.name_en or ''}")
