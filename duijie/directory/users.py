"""Accounts as people manage them: the first organiser of an empty database, accounts made by an organiser,
roles with their scope, disabling and enabling, a user's own profile, and the list of someone's people.

Events live one floor up (`duijie.events`), so scopes name an event through a lightweight description of its
table (`_EVENT`: id, slug, names) instead of importing its model; the foreign key on the role already points
there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import column, func, or_, select, table, text
from sqlalchemy.orm import Session, selectinload

from duijie.core import audit
from duijie.core.auth import Actor, hash_password
from duijie.core.errors import DomainError, NotFound, PermissionDenied
from duijie.core.i18n import gettext as _
from duijie.core.i18n import normalize_locale
from duijie.directory import accounts
from duijie.directory.enums import Role
from duijie.directory.models import Account, Organisation, Person, RoleAssignment, SignUp
from duijie.directory.permissions import Scope, grants_within, is_city_organiser
from duijie.directory.reference import DISTRICT_EN

_EVENT = table("event", column("id"), column("slug"), column("name_zh"), column("name_en"))

USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,39}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# The key of the PostgreSQL advisory lock the first-organiser check holds ("duijie-setup" in spirit).
SETUP_LOCK_KEY = 0x64756A6953


@dataclass(frozen=True)
class EventRef:
    id: int
    slug: str
    name_zh: str
    name_en: str | None


def check_username(db: Session, username: str, *, field: str = "username") -> str:
    """A free user name of 2–40 letters, digits, dots, dashes or underscores (what a login form accepts)."""
    name = username.strip()
    if not USERNAME.match(name):
        raise DomainError(
            _("A user name has 2 to 40 letters, digits, dots, dashes or underscores, starting with a letter or digit."),
            field=field,
        )
    if db.scalar(select(Account.id).where(func.lower(Account.username) == name.lower())) is not None:
        raise DomainError(_("The user name %(name)s is taken; choose another.") % {"name": name}, field=field)
    return name


def check_email(email: str, *, field: str = "email") -> str:
    address = email.strip()
    if len(address) > 200 or not EMAIL.match(address):
        raise DomainError(_("Enter an e-mail address such as name@example.com."), field=field)
    return address


def event_ref(db: Session, *, slug: str | None = None, id: int | None = None) -> EventRef | None:
    stmt = select(_EVENT.c.id, _EVENT.c.slug, _EVENT.c.name_zh, _EVENT.c.name_en)
    row = db.execute(stmt.where(_EVENT.c.slug == slug) if slug is not None else stmt.where(_EVENT.c.id == id)).first()
    return EventRef(*row) if row else None


def resolve_scope(
    db: Session,
    *,
    role: str,
    organisation: str | None = None,
    event: str | None = None,
    district: str | None = None,
) -> Scope:
    """A role and its scope from what a person types (organisation and event by slug), each refusal naming its
    field: enterprise and investor roles act for an organisation, a district role for a district."""
    try:
        role_value = Role(role.strip()).value
    except ValueError:
        allowed = ", ".join(r.value for r in Role)
        raise DomainError(_("Unknown role %(role)s; choose one of %(allowed)s.") % {"role": role, "allowed": allowed}, field="role") from None
    org: Organisation | None = None
    if organisation:
        org = db.scalar(select(Organisation).where(Organisation.slug == organisation.strip()))
        if org is None:
            raise DomainError(_("No organisation %(slug)s.") % {"slug": organisation}, field="organisation")
    ev: EventRef | None = None
    if event:
        ev = event_ref(db, slug=event.strip())
        if ev is None:
            raise DomainError(_("No event %(slug)s.") % {"slug": event}, field="event")
    place = (district or "").strip() or None
    if role_value in ("enterprise", "investor") and org is None:
        raise DomainError(_("This role acts for an organisation: name it."), field="organisation")
    if role_value == "investor" and org is not None and org.kind != "investor":
        raise DomainError(_("The investor role needs an organisation of the investor kind."), field="organisation")
    if role_value == "district":
        place = place or (org.district if org else None)
        if place not in DISTRICT_EN:
            raise DomainError(_("The district role needs one of Beijing's districts."), field="district")
    elif place is not None:
        raise DomainError(_("Only the district role has a district."), field="district")
    return Scope(role=role_value, organisation_id=org.id if org else None, event_id=ev.id if ev else None, district=place)


def grant(db: Session, account: Account, scope: Scope) -> None:
    """Gives `account` the role of `scope` (its organisation, event or district)."""
    db.add(
        RoleAssignment(
            account_id=account.id,
            role=scope.role,
            organisation_id=scope.organisation_id,
            event_id=scope.event_id,
            district=scope.district,
        )
    )
    db.flush()


def new_account(
    db: Session,
    *,
    username: str,
    email: str,
    password: str,
    scope: Scope | None,
    name_zh: str | None = None,
    name_en: str | None = None,
    locale: str | None = None,
    active: bool = True,
) -> Account:
    """An account with its person and (if given) its role; the user name, address and password are checked
    here, each refusal naming its field. Callers check who may do this and record it."""
    name = check_username(db, username)
    address = check_email(email)
    accounts.check_password_rules(password, username=name)
    person = Person(
        name_zh=(name_zh or "").strip() or name,
        name_en=(name_en or "").strip() or None,
        email=address,
        organisation_id=scope.organisation_id if scope else None,
    )
    db.add(person)
    db.flush()
    account = Account(
        username=name,
        password_hash=hash_password(password),
        person_id=person.id,
        is_active=active,
        locale=normalize_locale(locale) if locale else None,
    )
    db.add(account)
    db.flush()
    if scope is not None:
        grant(db, account, scope)
    db.refresh(account)
    return account


def any_account(db: Session) -> bool:
    """Whether the database has an account at all (an empty one offers the first-run setup)."""
    return db.scalar(select(Account.id).limit(1)) is not None


def _hold_setup_lock(db: Session) -> None:
    """Two first visitors must not both become the first organiser. SQLite writing requests begin with BEGIN
    IMMEDIATE and already run one at a time; PostgreSQL takes a transaction-level advisory lock, so the second
    transaction waits for the first to commit, then sees its account."""
    if db.get_bind().dialect.name == "postgresql":
        db.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SETUP_LOCK_KEY})


def create_first_organiser(
    db: Session,
    *,
    username: str,
    email: str,
    password: str,
    name_zh: str | None = None,
    name_en: str | None = None,
    locale: str | None = None,
    allow_existing: bool = False,
) -> Account:
    """The city-wide organiser of a new installation, made only while the database has no account (checked
    again under the setup lock, in the writing transaction). With `allow_existing` (`duijie init` run twice)
    an existing organiser of the same user name is returned unchanged instead of refused."""
    _hold_setup_lock(db)
    if any_account(db):
        existing = db.scalar(select(Account).where(Account.username == username.strip()))
        if allow_existing and existing is not None and any(
            r.role == "organiser" and r.event_id is None for r in existing.roles
        ):
            return existing
        raise DomainError(_("The first account has already been created; sign in instead."), field="username")
    account = new_account(
        db,
        username=username,
        email=email,
        password=password,
        scope=Scope(role="organiser"),
        name_zh=name_zh,
        name_en=name_en,
        locale=locale,
    )
    audit.record(
        db, actor=accounts.actor_for_account(account), entity_type="account", entity_id=account.id, action="setup",
        after={"username": account.username, "role": "organiser"},
    )
    return account


def scopes_of(account: Account) -> list[Scope]:
    return [Scope(r.role, r.organisation_id, r.event_id, r.district) for r in account.roles]


def create_account(
    db: Session,
    *,
    actor: Actor,
    username: str,
    email: str,
    password: str,
    scope: Scope,
    name_zh: str | None = None,
    name_en: str | None = None,
    locale: str | None = None,
) -> Account:
    """An account made directly by someone who may give its role (the command line, the API)."""
    if not grants_within(actor, [scope]):
        raise PermissionDenied(_("You may not give this role."))
    account = new_account(
        db, username=username, email=email, password=password, scope=scope, name_zh=name_zh, name_en=name_en,
        locale=locale,
    )
    audit.record(
        db, actor=actor, entity_type="account", entity_id=account.id, action="create",
        after={"username": account.username, "role": scope.role, "organisation_id": scope.organisation_id,
               "event_id": scope.event_id, "district": scope.district},
    )  # fmt: skip
    return account


def get_account(db: Session, *, id: int | None = None, username: str | None = None) -> Account:
    stmt = select(Account).options(selectinload(Account.roles), selectinload(Account.person))
    account = db.scalar(stmt.where(Account.id == id) if id is not None else stmt.where(Account.username == username))
    if account is None:
        raise NotFound(_("No such account."), field="username")
    return account


def may_manage(actor: Actor, account: Account) -> bool:
    """Whether the account is one of the actor's people (never the actor's own: nobody disables themselves)."""
    return account.id != actor.account_id and grants_within(actor, scopes_of(account))


def set_active(db: Session, *, actor: Actor, account: Account, active: bool) -> Account:
    """The account's one transition, enabled ↔ disabled. Side effects: disabling ends every session of the
    account at once (it can no longer sign in, and a browser signed in is signed out at its next request);
    both are recorded in the audit log with the number of sessions ended."""
    if not may_manage(actor, account):
        raise PermissionDenied(_("You may not change this account."))
    if account.is_active == active:
        return account
    waiting = db.scalar(select(SignUp.state).where(SignUp.account_id == account.id))
    if active and waiting is not None and waiting != "approved":
        raise DomainError(_("This account signed up and waits for the organiser's decision on the People page."), field="account")
    audit.apply(
        db, actor=actor, obj=account, changes={"is_active": active}, entity_type="account",
        action="enable" if active else "disable",
    )  # fmt: skip
    if not active:
        accounts.end_all_sessions(db, account_id=account.id)
    return account


def people_of(db: Session, *, actor: Actor, q: str | None = None, limit: int = 500) -> list[Account]:
    """The accounts the actor manages, newest first: everyone for the city-wide organiser; for others, the
    accounts whose every role is within their reach (a short query first narrows to the candidates)."""
    stmt = (
        select(Account)
        .options(selectinload(Account.roles), selectinload(Account.person).selectinload(Person.organisation))
        .order_by(Account.id.desc())
    )
    if q:
        like = f"%{q.strip()}%"
        stmt = stmt.outerjoin(Person, Person.id == Account.person_id).where(
            or_(Account.username.ilike(like), Person.name_zh.ilike(like), Person.name_en.ilike(like), Person.email.ilike(like))
        )
    if not is_city_organiser(actor):
        orgs = actor.organisations()
        events = {g.event_id for g in actor.grants if g.role == "organiser" and g.event_id is not None}
        reach = select(RoleAssignment.account_id).where(
            or_(RoleAssignment.organisation_id.in_(orgs), RoleAssignment.event_id.in_(events))
        )
        stmt = stmt.where(Account.id.in_(reach))
    found = [a for a in db.scalars(stmt.limit(limit)) if is_city_organiser(actor) or grants_within(actor, scopes_of(a))]
    return found


@dataclass
class ProfileChange:
    name_zh: str | None = None
    name_en: str | None = None
    title: str | None = None
    phone: str | None = None
    email: str | None = None
    locale: str | None = None


def update_profile(db: Session, *, actor: Actor, account: Account, change: ProfileChange) -> Account:
    """A user's own name, title, phone, address and language, audited (before and after)."""
    if account.id != actor.account_id:
        raise PermissionDenied(_("You may only edit your own profile."))
    person = account.person
    if person is None:
        person = Person(name_zh=account.username)
        db.add(person)
        db.flush()
        account.person_id = person.id
    values: dict[str, str | None] = {}
    if change.name_zh is not None:
        if not change.name_zh.strip():
            raise DomainError(_("Enter your name."), field="name_zh")
        values["name_zh"] = change.name_zh.strip()[:80]
    for key, size in (("name_en", 120), ("title", 120), ("phone", 40)):
        value = getattr(change, key)
        if value is not None:
            values[key] = value.strip()[:size] or None
    if change.email is not None:
        values["email"] = check_email(change.email)
    audit.apply(db, actor=actor, obj=person, changes=values, entity_type="person", action="profile")
    if change.locale is not None:
        locale = normalize_locale(change.locale)
        audit.apply(db, actor=actor, obj=account, changes={"locale": locale}, entity_type="account", action="profile")
    return account
