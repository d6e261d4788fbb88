"""The check every transition function starts with: is this move in the entity's table of allowed moves?

The refusal names both states in the language of the request (not always in Chinese), so an English page says
"A deal cannot go from Signed to Lead." and a Chinese one "…不能从已签约变为线索。".
"""

from __future__ import annotations

from collections.abc import Mapping, Set

from duijie.core import i18n
from duijie.core.enums import LabelledEnum
from duijie.core.errors import InvalidTransition


def check(
    table: Mapping[str, Set[str]],
    current: str,
    to: str,
    *,
    states: type[LabelledEnum],
    message: str,
    field: str,
    allow_same: bool = False,
) -> None:
    """Raise InvalidTransition unless `current → to` is in `table`.

    `message` is a translatable template with `%(a)s` and `%(b)s` (already passed through gettext by the
    caller, so that extraction sees it); the state names are labelled in the request's locale.
    """
    if allow_same and current == to:
        return
    if to in table.get(current, frozenset()):
        return
    locale = i18n.get_locale()
    raise InvalidTransition(
        message % {"a": _label(states, current, locale), "b": _label(states, to, locale)}, field=field
    )


def _label(states: type[LabelledEnum], value: str, locale: str) -> str:
    try:
        return states(value).label(locale)
    except ValueError:
        return value
