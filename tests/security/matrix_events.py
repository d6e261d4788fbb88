"""Permission-matrix entries for the events routes (collected into `matrix.ENTRIES`).

Setting events up is for organisers: a new top-level event for the organiser of the whole programme only (an
organiser limited to one event is refused by the rule on the forum it would go in: none), everything about
event A for A's organisers. Writes act on A (published, holding a published contest edition and records), so
publishing it again, taking it back to draft while its edition is published and deleting it are refused by
the rules of events (409) once the role is let through; taking A's edition back to draft goes through.
The figure routes name a figure of A that the probe makes sure exists before each cell.
"""

from __future__ import annotations

from dataclasses import fields
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from duijie.events.models import Event, PublishedFigure
from tests.security.matrix import CITY, EVENT_ORGANISERS, ORGANISERS, PUBLIC, Entry, only
from tests.security.world import World

FIGURE_KEY = "matrix_figure"


class FigureEntry(Entry):
    """An entry whose path names A's figure `{key}` (the world holds events, not figures)."""

    def url(self, w: World) -> str:
        values = {f.name: getattr(self, f.name) for f in fields(Entry)}
        return Entry(**{**values, "path": self.path.replace("{key}", FIGURE_KEY)}).url(w)


def event_state(db: Session, w: World) -> Any:
    event = db.scalar(select(Event).where(Event.slug == w.event_a))
    assert event is not None
    return (event.name_zh, event.venue, event.is_published, event.timezone)


def contest_state(db: Session, w: World) -> Any:
    event = db.scalar(select(Event).where(Event.slug == w.contest_a))
    assert event is not None
    return (event.is_published,)


def event_count(db: Session, w: World) -> Any:
    return len(db.scalars(select(Event.id)).all())


def figure_state(db: Session, w: World) -> Any:
    """A's figure as it stands, added first if the cell's savepoint does not hold it yet."""
    event = db.scalar(select(Event).where(Event.slug == w.event_a))
    assert event is not None
    figure = db.scalar(
        select(PublishedFigure).where(PublishedFigure.event_id == event.id, PublishedFigure.key == FIGURE_KEY)
    )
    if figure is None:
        figure = PublishedFigure(
            event_id=event.id, key=FIGURE_KEY, value=Decimal(152), unit="个", label_zh="发布项目",
            label_en="Projects released", source="《矩阵报道》",
        )  # fmt: skip
        db.add(figure)
        db.commit()
    return (figure.value, figure.label_zh, figure.source)


def _new_forum(w: World) -> dict[str, str]:
    return {
        "slug": "matrix-forum",
        "kind": "forum",
        "name_zh": "矩阵论坛",
        "name_en": "Matrix forum",
        "starts_on": "2027-05-10",
        "ends_on": "2027-05-14",
    }


def _figure(w: World) -> dict[str, str]:
    return {"key": "matrix_new", "label_zh": "签约项目", "label_en": "Projects signed", "value": "39", "unit": "个",
            "source": "《矩阵报道》"}  # fmt: skip


ENTRIES: tuple[Entry, ...] = (
    # ---- the API: reading is public (drafts aside), setting up is the organisers'
    Entry("GET", "/api/v1/events/{slug}/figures", PUBLIC),
    Entry("POST", "/api/v1/events", only(*CITY), json=_new_forum, probe=event_count),
    Entry("PATCH", "/api/v1/events/{slug}", only(*EVENT_ORGANISERS), json=lambda w: {"venue": "矩阵会场"}, probe=event_state),
    Entry("POST", "/api/v1/events/{slug}/publish", only(*EVENT_ORGANISERS), also_ok=(409,), probe=event_state),
    Entry(
        "POST", "/api/v1/events/{slug}/unpublish", only(*EVENT_ORGANISERS), at={"slug": "contest_a"},
        probe=contest_state,
    ),
    Entry("DELETE", "/api/v1/events/{slug}", only(*EVENT_ORGANISERS), also_ok=(409,), probe=event_count),
    Entry("POST", "/api/v1/events/{slug}/figures", only(*EVENT_ORGANISERS), json=_figure, probe=figure_state),
    FigureEntry(
        "PATCH", "/api/v1/events/{slug}/figures/{key}", only(*EVENT_ORGANISERS), json=lambda w: {"value": "153"},
        probe=figure_state,
    ),
    FigureEntry("DELETE", "/api/v1/events/{slug}/figures/{key}", only(*EVENT_ORGANISERS), probe=figure_state),
    # ---- the set-up pages
    Entry("GET", "/organise/events", only(*ORGANISERS)),
    Entry("GET", "/organise/events/new", only(*ORGANISERS)),
    Entry("POST", "/organise/events/new", only(*CITY), form=_new_forum, probe=event_count),
    Entry("GET", "/organise/events/{slug}", only(*EVENT_ORGANISERS)),
    Entry("POST", "/organise/events/{slug}", only(*EVENT_ORGANISERS), form=lambda w: {"venue": "矩阵会场"}, probe=event_state),
    Entry("POST", "/organise/events/{slug}/publish", only(*EVENT_ORGANISERS), form=lambda w: {}, also_ok=(409,), probe=event_state),
    Entry(
        "POST", "/organise/events/{slug}/unpublish", only(*EVENT_ORGANISERS), at={"slug": "contest_a"},
        form=lambda w: {}, probe=contest_state,
    ),
    Entry("POST", "/organise/events/{slug}/delete", only(*EVENT_ORGANISERS), form=lambda w: {}, also_ok=(409,), probe=event_count),
    Entry("POST", "/organise/events/{slug}/figures", only(*EVENT_ORGANISERS), form=_figure, probe=figure_state),
    FigureEntry(
        "POST", "/organise/events/{slug}/figures/{key}", only(*EVENT_ORGANISERS),
        form=lambda w: {**_figure(w), "key": FIGURE_KEY, "value": "153"}, probe=figure_state,
    ),
    FigureEntry("POST", "/organise/events/{slug}/figures/{key}/delete", only(*EVENT_ORGANISERS), form=lambda w: {}, probe=figure_state),
)
