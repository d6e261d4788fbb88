"""The small world the access matrix runs in: two events, one account per role, and the records the routes act on.

Event A is "this event" of every route that names one; event B is "another event". Each event has a contest
edition of its own (a child event), and the organiser of an event holds grants on the event and on its edition,
as the organiser of a summit runs the contest held with it. The records of A belong to 海淀区 (the owning
district); 朝阳区 is another district. The enterprise and the investor take part in A's meetings, are the parties
of A's deal, and the judge judges A's edition. The verifier verifies A's landed deals (four eyes with its
organiser): it reads A's deals and their evidence, attaches evidence and verifies; everywhere else it must be
refused what an unrelated signed-in user is refused.

Everything is built with the suite's builders (`tests/factories.py` and the packages' `factories.py`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from duijie.contest.models import (
    Award,
    ContestEntry,
    ContestField,
    ContestRound,
    ReviewAssignment,
    Score,
)
from duijie.deals.models import Deal, DealEvidence, DealParty, DealTask
from duijie.directory.models import Account, RoleAssignment
from duijie.exhibition.models import Achievement
from duijie.meetings.models import (
    Meeting,
    MeetingParticipant,
    MeetingRequest,
    MeetingSeat,
    MeetingSlot,
    MeetingTable,
)
from duijie.policies.models import Policy, PolicyPackage
from tests import factories
from tests.contest import factories as contest_factories
from tests.deals import factories as deal_factories
from tests.directory import factories as directory_factories
from tests.marketplace import factories as market_factories
from tests.meetings import factories as meeting_factories
from tests.policies import factories as policy_factories

OWN_DISTRICT = "海淀区"
OTHER_DISTRICT = "朝阳区"

# The columns of the matrix, in the order the test ids show them.
ROLES: tuple[str, ...] = (
    "anonymous",
    "organiser_city",  # an organiser grant without an event: the whole programme
    "organiser_a",  # organiser of this event (A and A's contest edition)
    "organiser_b",  # organiser of another event (B and B's contest edition)
    "district_own",  # the district government owning A's records (海淀区)
    "district_other",  # another district (朝阳区)
    "enterprise",  # acts for the enterprise that is party to A's deal and meets in A
    "investor",  # acts for the investor that is party to A's deal and meets in A
    "judge",  # judge of A's contest edition
    "verifier",  # verifier of A's deals; elsewhere an unrelated signed-in user
)


@dataclass
class World:
    """The ids and slugs of what the routes act on (plain values: the rows belong to the setup's session)."""

    event_a: str = ""
    event_b: str = ""
    event_a_id: int = 0
    contest_a: str = ""
    contest_b: str = ""
    enterprise: int = 0
    enterprise_slug: str = ""
    investor: int = 0
    investor_slug: str = ""
    government_own: int = 0
    project: int = 0  # a published project of A in 海淀区, owned by the district government
    draft: int = 0  # a draft project of A in 海淀区
    demand: int = 0  # the enterprise's own technology demand in A
    deal: int = 0  # A's deal in 海淀区, the enterprise and the investor its parties
    task: int = 0  # an open task of that deal
    evidence: int = 0  # a document of evidence of that deal
    party: int = 0  # the enterprise's place among that deal's parties
    achievement: int = 0  # an achievement released at A
    package: str = ""
    policy: str = ""  # a policy of 海淀区
    round: int = 0
    review: int = 0  # the judge's own review
    other_review: int = 0  # another judge's review (submitted and locked)
    score: int = 0  # the locked score of that other review
    judge: int = 0  # the judge's Judge row
    entry_code: str = ""  # the judge's entry
    other_entry_code: str = ""  # an entry the judge does not review
    field_id: int = 0
    award: int = 0
    request: int = 0  # the investor's request to the enterprise, waiting for an answer
    meeting: int = 0  # a confirmed meeting of A (the investor and another enterprise)
    slot: int = 0
    slots: list[int] = field(default_factory=list)
    participant_enterprise: int = 0
    participant_investor: int = 0
    participant_other: int = 0
    usernames: dict[str, str] = field(default_factory=dict)
    # Accounts: a pending invitation to the enterprise (and its link's token), an enterprise colleague's account,
    # a sign-up waiting for the organiser, a password-reset link of the colleague.
    invitation: int = 0
    invite_token: str = ""
    member: int = 0
    sign_up: int = 0
    reset_token: str = ""
    # Records of the areas that build their own part of the world (`tests/security/world_<area>.py`, each with
    # `extend(db, w, context)`), read as attributes: `w.session` is `w.extra["session"]`.
    extra: dict[str, Any] = field(default_factory=dict)
    accounts: dict[str, Account] = field(default_factory=dict)
    events: dict[str, Any] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        extra = self.__dict__.get("extra", {})
        if name in extra:
            return extra[name]
        raise AttributeError(name)


def _grant(db: Session, account: Account, **values: Any) -> None:
    db.add(RoleAssignment(account_id=account.id, **values))
    db.flush()


def build(db: Session) -> World:
    """Adds the world to `db` (flushed, not committed) and returns what the matrix needs of it."""
    w = World()
    event_a = factories.event(db, name_zh="矩阵活动甲")
    event_b = factories.event(db, name_zh="矩阵活动乙")
    contest_a = contest_factories.contest(db, parent_id=event_a.id, starts_on=dt.date(2026, 3, 1))
    contest_b = contest_factories.contest(db, parent_id=event_b.id, starts_on=dt.date(2026, 3, 1))
    w.event_a, w.event_b, w.event_a_id = event_a.slug, event_b.slug, event_a.id
    w.contest_a, w.contest_b = contest_a.slug, contest_b.slug

    enterprise = factories.organisation(
        db,
        kind="enterprise",
        district=OWN_DISTRICT,
        facts={"revenue": "2亿元", "registered_district": OWN_DISTRICT},
    )
    investor = factories.organisation(db, kind="investor", district=OWN_DISTRICT)
    gov_own = factories.organisation(db, kind="government", district=OWN_DISTRICT)
    gov_other = factories.organisation(db, kind="government", district=OTHER_DISTRICT)
    w.enterprise, w.enterprise_slug = enterprise.id, enterprise.slug
    w.investor, w.investor_slug = investor.id, investor.slug
    w.government_own = gov_own.id

    accounts: dict[str, Account] = {
        "organiser_city": factories.account(db, role="organiser"),
        "organiser_a": factories.account(db, role="organiser", event=event_a),
        "organiser_b": factories.account(db, role="organiser", event=event_b),
        "district_own": factories.account(db, role="district", district=OWN_DISTRICT, organisation=gov_own),
        "district_other": factories.account(
            db, role="district", district=OTHER_DISTRICT, organisation=gov_other
        ),
        "enterprise": factories.account(db, role="enterprise", organisation=enterprise),
        "investor": factories.account(db, role="investor", organisation=investor),
        "verifier": factories.account(db, role="verifier", event=event_a),
    }
    _grant(db, accounts["organiser_a"], role="organiser", event_id=contest_a.id)
    _grant(db, accounts["organiser_b"], role="organiser", event_id=contest_b.id)

    # Marketplace: a published project and a draft of A in the owning district, the enterprise's demand.
    project = market_factories.project(db, event_a, owner_org_id=gov_own.id, contact_phone="010-00000000")
    draft = market_factories.project(db, event_a, status="draft", published_at=None)
    demand = market_factories.project(
        db, event_a, kind="tech_demand", category=None, owner_org_id=enterprise.id, amount=None
    )
    market_factories.project(db, event_b, district=OTHER_DISTRICT)
    w.project, w.draft, w.demand = project.id, draft.id, demand.id

    # Deals: A's deal in the owning district with the enterprise and the investor as parties; one in B.
    deal: Deal = deal_factories.deal(db, event_a, stage="negotiating", opportunity_id=project.id)
    party = DealParty(deal_id=deal.id, organisation_id=enterprise.id, role="enterprise")
    db.add_all([party, DealParty(deal_id=deal.id, organisation_id=investor.id, role="investor")])
    task = DealTask(deal_id=deal.id, title="约见投资方", due_on=dt.date(2026, 4, 20))
    db.add(task)
    db.flush()
    deal_factories.deal(db, event_b, district=OTHER_DISTRICT)
    evidence = DealEvidence(
        deal_id=deal.id, title="营业执照", filename="licence.pdf", content_type="application/pdf", size=9,
        sha256="0" * 64, data=b"%PDF-1.4\n",
    )  # fmt: skip
    db.add(evidence)
    db.flush()
    w.deal, w.task, w.evidence, w.party = deal.id, task.id, evidence.id, party.id
    released = Achievement(event_id=event_a.id, title_zh="矩阵成果", provenance="manual")
    db.add(released)
    db.flush()
    w.achievement = released.id

    # Policies: a package and a policy of the owning district.
    package: PolicyPackage = policy_factories.package(db)
    policy: Policy = policy_factories.policy(db, package=package, district=OWN_DISTRICT)
    w.package, w.policy = package.slug, policy.slug

    # Contest: A's edition with a field, a round, two entries and two judges; the other judge's score is in.
    c_field: ContestField = contest_factories.contest_field(db, event=contest_a)
    rnd: ContestRound = contest_factories.contest_round(
        db, event=contest_a, field=c_field, judges_per_entry=1
    )
    entry: ContestEntry = contest_factories.entry(
        db, event=contest_a, field=c_field, organisation=enterprise, state="in_review"
    )
    judge, judge_login = contest_factories.judge(db, event=contest_a)
    other_judge, _other_login = contest_factories.judge(db, event=contest_a)
    review: ReviewAssignment = contest_factories.review(db, rnd=rnd, judge=judge, entry=entry)
    other_entry = contest_factories.entry(db, event=contest_a, field=c_field, state="in_review")
    other_review = contest_factories.review(db, rnd=rnd, judge=other_judge, entry=other_entry)
    score: Score = contest_factories.score(db, row=other_review, marks={"tech": 7, "team": 8})
    award: Award = contest_factories.award(db, entry=entry)
    accounts["judge"] = judge_login
    w.round, w.review, w.other_review, w.score = rnd.id, review.id, other_review.id, score.id
    w.judge, w.entry_code, w.award = judge.id, entry.code, award.id
    w.other_entry_code, w.field_id = other_entry.code, c_field.id

    # Meetings of A: a grid, the enterprise and the investor as participants, a request waiting for the
    # enterprise's answer, and a confirmed (published) meeting between the investor and another enterprise.
    slots: list[MeetingSlot]
    tables: list[MeetingTable]
    slots, tables = meeting_factories.grid(db, event_a, slots=3, tables=2)
    p_enterprise: MeetingParticipant = meeting_factories.participant(
        db, event_a, person=accounts["enterprise"].person, organisation=enterprise
    )
    p_investor = meeting_factories.participant(
        db, event_a, person=accounts["investor"].person, organisation=investor
    )
    p_other = meeting_factories.participant(db, event_a, organisation=factories.organisation(db))
    waiting: MeetingRequest = meeting_factories.request(db, event_a, p_investor, p_enterprise)
    held = meeting_factories.request(db, event_a, p_other, p_investor, state="accepted")
    meeting = Meeting(
        event_id=event_a.id, request_id=held.id, slot_id=slots[0].id, table_id=tables[0].id, state="confirmed"
    )
    db.add(meeting)
    db.flush()
    db.add_all(
        [
            MeetingSeat(meeting_id=meeting.id, participant_id=p.id, slot_id=slots[0].id)
            for p in (p_other, p_investor)
        ]
    )
    db.flush()
    w.request, w.meeting = waiting.id, meeting.id
    w.slot, w.slots = slots[1].id, [s.id for s in slots]
    w.participant_enterprise, w.participant_investor = p_enterprise.id, p_investor.id
    w.participant_other = p_other.id

    # Accounts: what the People page, the invitation links and the reset links act on.
    invitation, w.invite_token = directory_factories.invitation(
        db, role="enterprise", organisation=enterprise
    )
    member = factories.account(db, role="enterprise", organisation=enterprise)
    w.invitation, w.member = invitation.id, member.id
    w.sign_up = directory_factories.sign_up(db).id
    w.reset_token = directory_factories.reset_link(db, member)

    w.usernames = {role: account.username for role, account in accounts.items()}
    w.accounts = accounts
    w.events = {"a": event_a, "b": event_b}
    for extend in WORLD_EXTENSIONS:
        extend(db, w)
    return w


def _extensions() -> list[Any]:
    """The `extend(db, w)` of every `tests/security/world_<area>.py`, in name order."""
    import importlib
    import pkgutil

    import tests.security as here

    found = []
    for info in sorted(pkgutil.iter_modules(here.__path__), key=lambda i: i.name):
        if info.name.startswith("world_"):
            found.append(importlib.import_module(f"tests.security.{info.name}").extend)
    return found


WORLD_EXTENSIONS = _extensions()
