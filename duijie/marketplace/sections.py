"""Blocks other packages add to a project's page, below its facts: the deals on it, the investors (or
technology offers and demands) that may fit it.

Marketplace sits below the packages that know those things (deals, matching). Instead of importing them, the
page offers `PROJECT_PAGE_SECTIONS`: a higher package registers a `PageSection` in its `extends.py`, and the
page asks each one, in order, what it has for this project and viewer (as matching's recommendations page
does with `matching.sections`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from duijie.core.auth import Actor
from duijie.core.hooks import Hook
from duijie.marketplace.models import Opportunity


@dataclass(frozen=True)
class PageSection:
    """A block of the page: its template, and the variables it needs for a project and viewer (None: nothing
    to show).

    The variables join the page's own, so a section names them after what it shows (`deals`); a name the page
    already uses is refused when the page is built.
    """

    template: str
    context: Callable[[Session, Actor, Opportunity], dict[str, Any] | None]


# Registered with `order`: deals 10, matching 20.
PROJECT_PAGE_SECTIONS: Hook[PageSection] = Hook("marketplace.project_page_sections")


def section_blocks(db: Session, actor: Actor, opportunity: Opportunity, page: dict[str, Any]) -> list[str]:
    """Ask every registered section for this project and add what they return to the page's variables;
    returns the templates to include, in order."""
    templates: list[str] = []
    for section in PROJECT_PAGE_SECTIONS:
        found = section.context(db, actor, opportunity)
        if not found:
            continue
        clash = sorted(set(found) & set(page))
        if clash:
            raise ValueError(f"{section.template}: the page already has {', '.join(clash)}")
        page.update(found)
        templates.append(section.template)
    return templates
