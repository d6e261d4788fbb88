"""The API's shapes for the participant directory (`directory.py`): cards, a page of them, common free slots.

Contact details are not among them: the directory never shows an e-mail address or a phone number.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel

from duijie.meetings.directory import Card, CommonSlots, DirectoryPage, Point


class PointRead(BaseModel):
    """One thing a participant offers or seeks: `kind` is `capital`, `industries`, `stages`, `categories`,
    `districts` (an investor's preferences) or the kind of a released project (`opportunity_id`)."""

    kind: str
    text: str
    opportunity_id: int | None = None


class RequestMarkRead(BaseModel):
    request_id: int
    state: str
    outgoing: bool


class ParticipantCardRead(BaseModel):
    participant_id: int
    name: str
    name_zh: str
    name_en: str | None
    title: str | None
    organisation: str | None
    organisation_zh: str | None
    organisation_en: str | None
    organisation_slug: str | None
    kind: str | None
    country: str | None
    district: str | None
    industries: list[str]
    description: str | None
    offers: list[PointRead]
    seeks: list[PointRead]
    more_offers: int
    more_seeks: int
    own: bool
    request: RequestMarkRead | None
    synthetic: bool


class FacetsRead(BaseModel):
    kinds: list[str]
    industries: list[str]
    districts: list[str]


class DirectoryPageRead(BaseModel):
    items: list[ParticipantCardRead]
    total: int
    page: int
    page_size: int
    pages: int
    facets: FacetsRead


class SlotChoiceRead(BaseModel):
    slot_id: int
    starts_at: dt.datetime
    ends_at: dt.datetime


class SessionChoiceRead(BaseModel):
    session: str
    label: str
    total_slots: int
    slots: list[SlotChoiceRead]


class CommonSlotsRead(BaseModel):
    """When the signed-in participant and `participant_id` are both free and neither has a meeting."""

    participant_id: int
    has_slots: bool
    count: int
    sessions: list[SessionChoiceRead]


def point_read(p: Point) -> PointRead:
    return PointRead(kind=p.kind, text=p.text, opportunity_id=p.opportunity_id)


def card_read(c: Card) -> ParticipantCardRead:
    return ParticipantCardRead(
        participant_id=c.id,
        name=c.name,
        name_zh=c.name_zh,
        name_en=c.name_en,
        title=c.title,
        organisation=c.org or None,
        organisation_zh=c.org_zh,
        organisation_en=c.org_en,
        organisation_slug=c.org_slug,
        kind=c.kind,
        country=c.country,
        district=c.district,
        industries=c.industries,
        description=c.description or None,
        offers=[point_read(p) for p in c.offers],
        seeks=[point_read(p) for p in c.seeks],
        more_offers=c.more_offers,
        more_seeks=c.more_seeks,
        own=c.own,
        request=RequestMarkRead(request_id=c.request.id, state=c.request.state, outgoing=c.request.outgoing)
        if c.request
        else None,
        synthetic=c.synthetic,
    )


def page_read(page: DirectoryPage) -> DirectoryPageRead:
    return DirectoryPageRead(
        items=[card_read(c) for c in page.cards],
        total=page.total,
        page=page.page,
        page_size=page.per_page,
        pages=page.pages,
        facets=FacetsRead(
            kinds=page.facets.kinds, industries=page.facets.industries, districts=page.facets.districts
        ),
    )


def common_read(participant_id: int, common: CommonSlots, label: dict[str, str]) -> CommonSlotsRead:
    """`label` names each session in the request's language."""
    return CommonSlotsRead(
        participant_id=participant_id,
        has_slots=common.has_slots,
        count=common.count,
        sessions=[
            SessionChoiceRead(
                session=s.session,
                label=label.get(s.session, s.session),
                total_slots=s.total,
                slots=[SlotChoiceRead(slot_id=x.id, starts_at=x.starts_at, ends_at=x.ends_at) for x in s.slots],
            )
            for s in common.sessions
        ],
    )
