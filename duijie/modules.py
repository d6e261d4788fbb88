"""The one declaration of duijie's packages, floor by floor: who may import whom.

A package may import only packages on lower floors; packages on one floor never import each other.
`tests/core/test_layers.py` checks every import (top-level and inside functions) against this table, so an
upward import fails the suite. Where a lower package needs something only a higher one knows (the search
records of a module, a section of the organisation page), the lower one offers a hook in `core.hooks` and the
higher one fills it when it is imported.

Everything that used to keep its own list of modules reads this one: the web application (routers), the model
registry (migrations, `create_all`), the template loader, the demo run and the command line. A module adds
itself by taking a place here; what it brings (models, views, api, templates, demo rows, commands) is found by
convention in its package, and its commands are named in its `__init__.py` as `COMMANDS`.
"""

from __future__ import annotations

import importlib
import importlib.util
from types import ModuleType

# Bottom to top. The comments say what a floor holds.
FLOORS: tuple[tuple[str, ...], ...] = (
    ("config", "modules"),  # settings from the environment; this table
    ("core",),  # database, errors, i18n, auth's Actor, permissions, web glue, jobs, sheets, the demo kit
    ("directory",),  # organisations, people, accounts and roles
    ("events",),  # events, their settings and published figures
    ("agenda",),  # the forum's programme: rooms, sessions, speakers
    ("exhibition",),  # the exhibition and the achievements released, at the programme's sessions
    ("registration",),  # registration for the forum and its sessions, badges and check-in
    ("text",),  # pure text tools: normalize, tokenize, embed, index structures
    ("marketplace",),  # features, each above the ones it builds on
    ("deals",),
    ("meetings",),
    ("matching",),
    ("policies",),
    ("contest",),
    ("insight",),  # composition: figures and dashboards over the features
    ("audit",),  # who changed what and when, across every module, for the organiser
    ("search",),  # site-wide search: each module's records, registered by the module
    ("portal",),  # the pages that gather several modules: home, navigation, organisation and event pages
    ("demo",),  # the demo run, which calls every package's demo phases (seed, extend, activity, finish)
    ("app", "cli"),  # the web application and the command line
)

# The packages that are features of the product (routes, models, templates, demo rows), bottom to top.
# `config`, `modules`, `app` and `cli` are single files, not packages.
PACKAGES: tuple[str, ...] = tuple(
    name for floor in FLOORS for name in floor if name not in {"config", "modules", "app", "cli"}
)


def floor_of(name: str) -> int:
    """The floor number of a package or top-level file (0 is the ground floor)."""
    for number, floor in enumerate(FLOORS):
        if name in floor:
            return number
    raise KeyError(f"{name} is not declared in duijie/modules.py")


def import_all(part: str, *, top_first: bool = False) -> list[ModuleType]:
    """Imports `duijie.<package>.<part>` of every declared package that has one, bottom floor first (or top
    first), and returns the modules: the `models`, `views`, `api`, `extends` (hook registrations), `demo` or
    `searchable` files of the whole application, found by convention."""
    found = []
    for package in reversed(PACKAGES) if top_first else PACKAGES:
        name = f"duijie.{package}.{part}"
        if importlib.util.find_spec(name) is not None:
            found.append(importlib.import_module(name))
    return found
