"""Blocks other packages add to the recommendations page, below matching's own lists.

Matching sits below the packages that know more about an enterprise (policies suggests the policies that may
apply to it). Instead of importing them, the page offers `RECOMMENDATION_SECTIONS`: a higher package registers
a `PageSection` in its `extends.py`, and the page asks each one, in order, what it has for the viewer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from duijie.core.auth import Actor
from duijie.core.hooks import Hook
from duijie.directory.models import Organisation
from duijie.events.models import Event


@dataclass(frozen=True)
class Viewer:
    """Whom the recommendations page is for: the account, its investor and enterprise, the event shown."""

    actor: Actor
    event: Event | None
    investor: Organisation | None
    enterprise: Organisation | None


@dataclass(frozen=True)
class PageSection:
    """A block of the page: its template, and the variables it needs for a viewer (None: nothing to show).

    The variables join the page's own, so a section names them after its package (`policy_suggestions`); a
    name the page already uses is refused when the page is built.
    """

    template: str
    context: Callable[[Session, Viewer], dict[str, Any] | None]


RECOMMENDATION_SECTIONS: Hook[PageSection] = Hook("matching.recommendation_sections")


def section_blocks(db: Session, viewer: Viewer, page: dict[str, Any]) -> list[str]:
    """Ask every registered section for the viewer and add what they return to the page's variables; returns
    the templates to include, in order."""
    templates: list[str] = []
    for section in RECOMMENDATION_SECTIONS:
        found = section.context(db, viewer)
        if not found:
            continue
        clash = sorted(set(found) & set(page))
        if clash:
            raise ValueError(f"{section.template}: the page already has {', '.join(clash)}")
        page.update(found)
        templates.append(section.template)
    return templates
