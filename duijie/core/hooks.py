"""Hooks: how a lower package lets higher ones add to what it shows without importing them.

A package defines a `Hook` where it needs contributions it cannot know (the sections of a project page, the
blocks of the recommendations page); a higher package registers its contribution when it is imported. The
application imports every package declared in `duijie/modules.py` before it serves, so every hook is filled
before the first request. Registrations are made once at import time and never change afterwards: a hook is
configuration, not state.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

T = TypeVar("T")


class Hook(Generic[T]):
    """An ordered list of contributions; `order` sorts them (lower first), then registration order."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._items: list[tuple[int, int, str, T]] = []

    def register(self, item: T, *, key: str | None = None, order: int = 100) -> T:
        """Adds `item` once: registering the same key again (a module imported twice) replaces it."""
        name = key or str(getattr(item, "__module__", "")) + "." + str(getattr(item, "__qualname__", repr(item)))
        self._items = [entry for entry in self._items if entry[2] != name]
        self._items.append((order, len(self._items), name, item))
        self._items.sort(key=lambda entry: (entry[0], entry[1]))
        return item

    def unregister(self, key: str) -> None:
        """Removes the contribution registered under `key` (a test's own contribution, once it is done)."""
        self._items = [entry for entry in self._items if entry[2] != key]

    def __call__(self, *, order: int = 100) -> Callable[[T], T]:
        """Registers the decorated function: `@HOOK(order=10)`."""

        def decorate(item: T) -> T:
            return self.register(item, order=order)

        return decorate

    def __iter__(self) -> Iterator[T]:
        return iter([entry[3] for entry in self._items])

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"Hook({self.name!r}, {len(self._items)} registered)"
