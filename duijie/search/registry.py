"""The searchable kinds of the whole application, gathered from every package's `searchable.py`.

Each module declares its own records (`SEARCHABLE`, a tuple of `core.searchable.Searchable`); this file only
collects them, in the order their groups are shown, and checks that no kind is declared twice.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from duijie.core.searchable import Follow, Searchable
from duijie.modules import import_all


@cache
def sources() -> tuple[Searchable, ...]:
    """Every declared kind, in the order of `Searchable.order`."""
    found: dict[str, Searchable] = {}
    for module in import_all("searchable"):
        for source in getattr(module, "SEARCHABLE", ()):
            if source.kind in found:
                raise RuntimeError(f"search kind {source.kind!r} is declared twice ({module.__name__})")
            found[source.kind] = source
    return tuple(sorted(found.values(), key=lambda s: (s.order, s.kind)))


def kinds() -> tuple[str, ...]:
    """The kinds of record search knows, in the order their groups are shown."""
    return tuple(s.kind for s in sources())


@cache
def _by_kind() -> dict[str, Searchable]:
    return {s.kind: s for s in sources()}


@cache
def _by_model() -> dict[type[Any], Searchable]:
    return {s.model: s for s in sources()}


@cache
def _follows() -> dict[type[Any], tuple[tuple[Searchable, Follow], ...]]:
    found: dict[type[Any], list[tuple[Searchable, Follow]]] = {}
    for source in sources():
        for follow in source.follows:
            found.setdefault(follow.model, []).append((source, follow))
    return {model: tuple(pairs) for model, pairs in found.items()}


def source_of_kind(kind: str) -> Searchable:
    return _by_kind()[kind]


def source_of_model(model: type[Any]) -> Searchable | None:
    """The declaration of a searchable model, or None for any other model."""
    return _by_model().get(model)


def follows_of(model: type[Any]) -> tuple[tuple[Searchable, Follow], ...]:
    """The kinds whose text changes when a `model` row is written, with how to find their records."""
    return _follows().get(model, ())
