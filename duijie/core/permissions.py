"""Named permission predicates, combined with `&` and `|`, checked in routes and in templates alike."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from duijie.core.auth import Actor
from duijie.core.errors import PermissionDenied
from duijie.core.i18n import gettext as _


@dataclass(frozen=True)
class Predicate:
    name: str
    test: Callable[[Actor, Any], bool]

    def __call__(self, actor: Actor, obj: Any = None) -> bool:
        return self.test(actor, obj)

    def __and__(self, other: Predicate) -> Predicate:
        return Predicate(f"({self.name} & {other.name})", lambda a, o: self(a, o) and other(a, o))

    def __or__(self, other: Predicate) -> Predicate:
        return Predicate(f"({self.name} | {other.name})", lambda a, o: self(a, o) or other(a, o))


def predicate(fn: Callable[[Actor, Any], bool]) -> Predicate:
    return Predicate(fn.__name__, fn)


@predicate
def is_authenticated(actor: Actor, obj: Any) -> bool:
    return actor.is_authenticated


@predicate
def is_organiser(actor: Actor, obj: Any) -> bool:
    return actor.has_role("organiser")


def require(rule: Predicate, actor: Actor, obj: Any = None, *, message: str | None = None) -> None:
    """Raise PermissionDenied (with a message saying what is needed) unless `rule` holds."""
    if not rule(actor, obj):
        raise PermissionDenied(message or _("You do not have permission to do this."))


@predicate
def is_district(actor: Actor, obj: Any) -> bool:
    """A district government account (its district is on the grant)."""
    return actor.has_role("district")


@predicate
def organises_event(actor: Actor, event: Any) -> bool:
    """An organiser grant with no event scope covers every event; one with an `event_id` covers that event only."""
    event_id = getattr(event, "id", None)
    return any(g.role == "organiser" and g.event_id in (None, event_id) for g in actor.grants)


# Spreadsheets of projects and deals come from the organiser and the district governments (the "Import" entry of
# the navigation and the import pages).
can_import_sheets: Predicate = is_organiser | is_district


@predicate
def has_people(actor: Actor, obj: Any) -> bool:
    """Manages some accounts (the People page): organisers, and anyone acting for an organisation, who invites
    the colleagues of that organisation."""
    return any(g.role == "organiser" or g.organisation_id is not None for g in actor.grants)
