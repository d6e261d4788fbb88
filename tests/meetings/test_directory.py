"""The participant directory's service: filters and pages over one event's participants only, what each card
says they offer and seek, the reader's requests on the cards, the slots two participants are both free in, and
the participants a project's or organisation's page offers to meet."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from duijie.core.auth import ANONYMOUS
from duijie.core.i18n import reset_locale, set_locale
from duijie.directory.accounts import actor_for_account
from duijie.events.models import Event
from duijie.meetings import directory
from duijie.meetings.directory import Filters
from tests import factories
from tests.marketplace import factories as market
from tests.meetings import factories as mf
from tests.meetings import factories_directory as fd


def _ids(db: Session, event: Event, viewer: fd.Member | None = None, **filters: object) -> list[int]:
    page = directory.search(
        db, event=event, filters=Filters(**filters), viewer=viewer.participant if viewer else None  # type: ignore[arg-type]
    )
    return [c.id for c in page.cards]


def _world(db: Session) -> tuple[Event, dict[str, fd.Member]]:
    """An event with an investor, two enterprises and a park; another event with an enterprise of its own."""
    event, other = factories.event(db), factories.event(db)
    people = {
        "investor": fd.member(db, event, role="investor", organisation=fd.investor(db, name_zh="远景资本", name_en="Vista Capital")),
        "bio": fd.member(
            db, event, name_zh="甲生物科技有限公司", name_en="Alpha Bio", industries=["医药健康"], district="海淀区"
        ),
        "chip": fd.member(
            db, event, name_zh="乙芯片有限公司", name_en=None, industries=["人工智能"], district="海淀区"
        ),
        "park": fd.member(db, event, kind="park", name_zh="丙科技园", industries=[], district="昌平区"),
    }
    fd.member(db, other, name_zh="丁人工智能有限公司", industries=["人工智能"], district="海淀区")
    return event, people


def test_search_filters_by_kind_industry_district_and_names_within_the_event(db: Session) -> None:
    event, p = _world(db)
    ids = {k: m.participant.id for k, m in p.items()}
    # Investors first, then parks and governments, then enterprises (by name); never the other event's.
    assert _ids(db, event) == [ids["investor"], ids["park"], ids["chip"], ids["bio"]]
    assert _ids(db, event, kind="investor") == [ids["investor"]]
    # An industry matches what an organisation works in and what an investor invests in.
    assert _ids(db, event, industry="人工智能") == [ids["investor"], ids["chip"]]
    assert _ids(db, event, industry="集成电路") == [ids["investor"]]
    assert _ids(db, event, district="海淀区") == [ids["chip"], ids["bio"]]
    assert _ids(db, event, district="海淀区", industry="医药健康") == [ids["bio"]]
    # Names in either language, any case, organisation or person.
    assert _ids(db, event, q="alpha") == [ids["bio"]]
    assert _ids(db, event, q="芯片") == [ids["chip"]]
    person = p["park"].account.person
    assert person is not None
    assert _ids(db, event, q=person.name_zh) == [ids["park"]]
    assert _ids(db, event, q="人工智能") == []
    assert _ids(db, event, kind="government") == []


def test_search_pages_and_facets(db: Session) -> None:
    event = factories.event(db)
    for k in range(23):
        fd.member(db, event, name_zh=f"机构{k:02d}", district="海淀区" if k % 2 else "朝阳区", industries=["人工智能"])
    first = directory.search(db, event=event, filters=Filters(), viewer=None)
    assert (first.total, first.pages, first.page, len(first.cards)) == (23, 2, 1, 20)
    second = directory.search(db, event=event, filters=Filters(page=2), viewer=None)
    assert [c.org_zh for c in second.cards] == ["机构20", "机构21", "机构22"]
    # A page past the end shows the last one rather than nothing.
    assert directory.search(db, event=event, filters=Filters(page=9), viewer=None).page == 2
    # The filters offer the values present, districts in the official order.
    assert first.facets.kinds == ["enterprise"]
    assert first.facets.districts == ["朝阳区", "海淀区"]
    assert first.facets.industries == ["人工智能"]


def test_parse_filters_names_what_it_cannot_read_and_leaves_it_out() -> None:
    filters, errors = directory.parse_filters({"kind": "pirate", "page": "abc", "q": "  甲 ", "industry": ""})
    assert filters == Filters(kind=None, industry=None, district=None, q="甲", page=1)
    assert set(errors) == {"kind", "page"}
    filters, errors = directory.parse_filters({"q": "x" * 101, "page": "0"})
    assert filters.q is None and set(errors) == {"q", "page"}
    assert directory.parse_filters({"kind": "investor", "page": "3"}) == (Filters(kind="investor", page=3), {})


def test_cards_say_what_each_offers_and_seeks_in_both_languages(db: Session) -> None:
    event, p = _world(db)
    bio = p["bio"].organisation
    offered = market.project(db, event, owner_org_id=bio.id, title_zh="抗体药物产业化", title_en="Antibody scale-up")
    demand = market.project(
        db, event, kind="tech_demand", category=None, owner_org_id=bio.id, title_zh="细胞培养工艺", title_en=None
    )
    market.project(db, event, owner_org_id=bio.id, status="draft", published_at=None, title_zh="未发布项目")
    page = directory.search(db, event=event, filters=Filters(), viewer=None)
    cards = {c.id: c for c in page.cards}
    investor = cards[p["investor"].participant.id]
    # A card keeps the first two of an investor's wishes; the profile has them all.
    assert [x.text_zh for x in investor.seeks] == ["关注行业：人工智能、集成电路", "投资阶段：成长期"]
    assert investor.more_seeks == 2
    investor = directory.card(db, event=event, participant_id=p["investor"].participant.id, viewer=None)
    assert [x.text_zh for x in investor.offers] == ["投资：单笔5000万元–5亿元"]
    assert [x.text_en for x in investor.offers] == ["Capital: tickets of CNY 50 M – CNY 500 M"]
    assert [x.text_zh for x in investor.seeks] == [
        "关注行业：人工智能、集成电路",
        "投资阶段：成长期",
        "项目类型：企业融资",
        "关注区域：海淀区",
    ]
    assert investor.seeks[0].text_en.startswith("Industries: ") and "Haidian District" in investor.seeks[3].text_en
    card = cards[p["bio"].participant.id]
    assert [(x.text_zh, x.link) for x in card.offers] == [("招商项目：抗体药物产业化", f"/projects/{offered.id}")]
    assert [(x.text_zh, x.text_en) for x in card.seeks] == [("技术需求：细胞培养工艺", "Technology demand: 细胞培养工艺")]
    # Names fall back to Chinese in English when there is no English name; the other language shows small.
    token = set_locale("en")
    try:
        chip = cards[p["chip"].participant.id]
        assert chip.org == "乙芯片有限公司" and chip.other_org_name is None
        assert card.org == "Alpha Bio" and card.other_org_name == "甲生物科技有限公司"
        assert card.kind_label == "Enterprise" and card.district_label == "Haidian District"
    finally:
        reset_locale(token)
    assert demand.id not in [x.opportunity_id for x in card.offers]


def test_cards_carry_the_readers_own_request_and_theirs(db: Session) -> None:
    event, p = _world(db)
    me = p["chip"]
    mf.request(db, event, me.participant, p["investor"].participant, state="accepted")
    mf.request(db, event, p["bio"].participant, me.participant)
    # Theirs and mine to the same participant: mine is what the card says.
    mf.request(db, event, p["park"].participant, me.participant, state="declined")
    mf.request(db, event, me.participant, p["park"].participant)
    cards = {c.id: c for c in directory.search(db, event=event, filters=Filters(), viewer=me.participant).cards}
    marks = {k: cards[m.participant.id].request for k, m in p.items()}
    assert marks["investor"] is not None and (marks["investor"].state, marks["investor"].outgoing) == ("accepted", True)
    assert marks["bio"] is not None and (marks["bio"].state, marks["bio"].outgoing) == ("requested", False)
    assert marks["park"] is not None and (marks["park"].state, marks["park"].outgoing) == ("requested", True)
    assert marks["chip"] is None and cards[me.participant.id].own
    assert not any(c.own for c in cards.values() if c.id != me.participant.id)


def test_common_slots_both_free_one_busy_and_none(db: Session) -> None:
    event = factories.event(db)
    am, tables = mf.grid(db, event, slots=4, session="am")
    pm = fd.slots(db, event, session="pm", first=mf.FIRST_SLOT + dt.timedelta(hours=5), count=2)
    a, b, c = (mf.participant(db, event, organisation=factories.organisation(db)) for _ in range(3))
    # a marked the morning's first three slots; b never said (free throughout).
    fd.free_in(db, a, am[:3])
    common = directory.common_slots(db, event=event, a=a, b=b)
    assert [(s.session, [x.id for x in s.slots], s.total) for s in common.sessions] == [
        ("am", [am[0].id, am[1].id, am[2].id], 4)
    ]
    assert common.has_slots and common.count == 3
    # b meets c in the second slot: it is no longer common.
    mf.meeting(db, event, am[1], tables[0], b, c)
    assert [x.id for s in directory.common_slots(db, event=event, a=a, b=b).sessions for x in s.slots] == [
        am[0].id,
        am[2].id,
    ]
    # b marks the afternoon only: nothing in common, though the event has slots.
    fd.free_in(db, b, pm)
    none = directory.common_slots(db, event=event, a=a, b=b)
    assert none.sessions == [] and none.count == 0 and none.has_slots
    # The times are the event's wall clock (09:00 in Beijing for the factories' first slot).
    assert directory.common_slots(db, event=event, a=a, b=c).sessions[0].slots[0].start == "09:00"
    empty = factories.event(db)
    x, y = mf.participant(db, empty), mf.participant(db, empty)
    assert directory.common_slots(db, event=empty, a=x, b=y) == directory.CommonSlots([], False)


def test_meeting_offers_are_the_owners_participants_at_the_readers_events(db: Session) -> None:
    event, other, elsewhere = factories.event(db), factories.event(db), factories.event(db)
    owner = factories.organisation(db)
    reader = fd.member(db, event, role="investor")
    mf.participant(db, other, organisation=factories.organisation(db), person=reader.account.person)
    at_event = mf.participant(db, event, organisation=owner)
    at_other = mf.participant(db, other, organisation=owner)
    mf.participant(db, elsewhere, organisation=owner)  # the reader does not take part there
    mf.request(db, event, reader.participant, at_event)
    actor = actor_for_account(reader.account)
    offers = directory.meeting_offers(db, actor=actor, organisation_ids=[owner.id, None])
    assert sorted((o.event.id, o.card.id) for o in offers) == sorted([(event.id, at_event.id), (other.id, at_other.id)])
    marked = next(o for o in offers if o.card.id == at_event.id)
    assert marked.card.request is not None and marked.card.request.outgoing
    assert directory.meeting_offers(db, actor=ANONYMOUS, organisation_ids=[owner.id]) == []
    # Not one's own participant, and nothing for someone who takes part in no event.
    assert directory.meeting_offers(db, actor=actor, organisation_ids=[reader.organisation.id]) == []
    outsider = actor_for_account(factories.account(db, role="investor"))
    assert directory.meeting_offers(db, actor=outsider, organisation_ids=[owner.id]) == []
    # A draft event's participants are not offered (its pages are hidden).
    other.is_published = False
    db.flush()
    assert [o.event.id for o in directory.meeting_offers(db, actor=actor, organisation_ids=[owner.id])] == [event.id]
