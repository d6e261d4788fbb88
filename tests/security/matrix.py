"""Who may do what: one entry per route of the application (method and path template), with the outcome each
role meets on it.

Outcomes: `ok` (2xx, or 3xx that is not the login page), `login` (an anonymous visitor is sent to the login page
on HTML routes, 401 on the API) and `no` (403, or 404 that shows nothing). A rule maps every role of
`world.ROLES` to an outcome; the building blocks:

- `PUBLIC`: everyone, anonymous visitors included;
- `LOGGED_IN`: every signed-in account, anonymous visitors meet the login page;
- `only(*roles)`: the named roles; anonymous visitors meet the login page, every other account is refused;
- `hidden(rule)`: on a route public for other records (an announced deal), an anonymous visitor meets the same
  404 as every account the record is hidden from.

Role groups name the object-level rules: `EVENT_ORGANISERS` organise event A (the city-wide organiser and A's
own; B's organiser is refused), `OWN_DISTRICT` is the district owning A's records, `DEAL_PARTIES` the
organisations party to A's deal, `PARTICIPANTS` the enterprise and investor meeting at A.

An entry targets records of event A (see `world.py`): path parameters are filled by name from `PARAMS` unless
the entry says otherwise (`at`). Writes carry a minimal valid form (HTML, the CSRF token is added) or JSON body
(API). Where a route belongs to a package other people are changing right now (deals, meetings, matching) and
the rule does not hold yet, the cell is marked `xfail` with the reason.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from duijie.contest.models import ContestRound, Score
from duijie.deals.models import Deal, DealEvidence, DealTask
from duijie.exhibition.models import Achievement
from duijie.marketplace.models import Opportunity
from duijie.meetings.models import Meeting, MeetingRequest
from duijie.policies.models import Policy
from tests.factories import PASSWORD
from tests.security.world import OWN_DISTRICT, ROLES, World

OK, LOGIN, NO = "ok", "login", "no"
Rule = Mapping[str, str]

ORGANISERS = ("organiser_city", "organiser_a", "organiser_b")
EVENT_ORGANISERS = ("organiser_city", "organiser_a")
CITY = ("organiser_city",)
DISTRICTS = ("district_own", "district_other")
OWN_DISTRICT_ROLE = ("district_own",)
PARTICIPANTS = ("enterprise", "investor")
DEAL_PARTIES = ("enterprise", "investor")
VERIFIERS = ("verifier",)  # verifier of A's deals

PUBLIC: Rule = dict.fromkeys(ROLES, OK)
LOGGED_IN: Rule = {**PUBLIC, "anonymous": LOGIN}


def only(*roles: str) -> Rule:
    """The named roles may; anonymous visitors are asked to log in; every other account is refused."""
    unknown = set(roles) - set(ROLES)
    assert not unknown, unknown
    return {role: OK if role in roles else (LOGIN if role == "anonymous" else NO) for role in ROLES}


# Path parameters by name, read from the world (an attribute name) unless the entry gives its own.
PARAMS: dict[str, str] = {
    "slug": "event_a",
    "deal_id": "deal",
    "task_id": "task",
    "evidence_id": "evidence",
    "party_id": "party",
    "achievement_id": "achievement",
    "project_id": "project",
    "opportunity_id": "project",
    "round_id": "round",
    "assignment_id": "review",
    "award_id": "award",
    "score_id": "score",
    "request_id": "request",
    "meeting_id": "meeting",
    "ref": "enterprise_slug",
}
LITERALS: dict[str, str] = {"fmt": "csv", "code": "en"}

Body = Callable[[World], Any]
Probe = Callable[[Session, World], Any]


@dataclass(frozen=True)
class Entry:
    method: str
    path: str
    rule: Rule
    at: Mapping[str, str] = field(default_factory=dict)  # path parameter -> world attribute
    query: Callable[[World], str] | str = ""
    form: Body | None = None  # HTML writes: the form (the CSRF token is added)
    json: Body | None = None  # API writes: the JSON body
    files: Callable[[World], dict[str, Any]] | None = None
    also_ok: tuple[int, ...] = ()  # further statuses that mean "let through" (a job already queued: 409)
    probe: Probe | None = None  # read before and after a refused write: it must not change
    xfail: Mapping[str, str] = field(default_factory=dict)  # role -> why the cell does not hold yet
    note: str = ""

    @property
    def key(self) -> tuple[str, str]:
        return (self.method, self.path)

    def url(self, w: World) -> str:
        path = self.path
        names = [part[1:-1] for part in path.replace(".", "/").split("/") if part.startswith("{")]
        for name in names:
            if name in self.at:
                value = str(getattr(w, self.at[name]))
            elif name in LITERALS:
                value = LITERALS[name]
            else:
                value = str(getattr(w, PARAMS[name]))
            path = path.replace("{" + name + "}", value)
        query = self.query(w) if callable(self.query) else self.query
        return path + (f"?{query}" if query else "")


def empty(w: World) -> dict[str, str]:
    """A form with nothing but its CSRF token."""
    return {}


def hidden(rule: Rule) -> Rule:
    """`rule` on a route that is public for other records (an announced deal): an anonymous visitor does not
    meet the login page but the same 404 as anyone the record is hidden from."""
    return {**rule, "anonymous": NO}


def broken(reason: str, *roles: str) -> dict[str, str]:
    """Cells that fail today for `reason` (another area's work in progress)."""
    return dict.fromkeys(roles, reason)


# -- probes: a value a refused write would have changed -------------------------------------------------------


def deal_state(db: Session, w: World) -> Any:
    deal = db.get(Deal, w.deal)
    assert deal is not None
    tasks = db.execute(select(DealTask.title, DealTask.done_at).where(DealTask.deal_id == w.deal)).all()
    parties = sorted((p.organisation_id, p.role) for p in deal.parties)
    return (
        deal.stage, deal.status, deal.source_label, deal.title_zh, deal.planned_amount, deal.announced, parties,
        sorted(map(str, tasks)),
    )  # fmt: skip


def achievement_state(db: Session, w: World) -> Any:
    row = db.get(Achievement, w.achievement)
    count = db.scalar(select(func.count()).select_from(Achievement))
    return (row.title_zh if row else None, count)


def evidence_count(db: Session, w: World) -> Any:
    return db.scalar(select(func.count()).select_from(DealEvidence).where(DealEvidence.deal_id == w.deal))


def _evidence(w: World) -> dict[str, Any]:
    return {"file": ("matrix.pdf", b"%PDF-1.4\n% matrix\n", "application/pdf")}


def deal_count(db: Session, w: World) -> Any:
    return len(db.scalars(select(Deal.id)).all())


def project_state(db: Session, w: World) -> Any:
    opp = db.get(Opportunity, w.project)
    assert opp is not None
    return (opp.title_zh, opp.title_en, opp.amount, opp.status)


def policy_state(db: Session, w: World) -> Any:
    policy = db.scalar(select(Policy).where(Policy.slug == w.policy))
    assert policy is not None
    return (policy.name_zh, len(policy.versions))


def round_state(db: Session, w: World) -> Any:
    rnd = db.get(ContestRound, w.round)
    assert rnd is not None
    return (rnd.judges_per_entry, rnd.max_per_judge, rnd.advance_count, rnd.criteria)


def score_state(db: Session, w: World) -> Any:
    rows = db.scalars(select(Score).order_by(Score.id)).all()
    return [
        (s.assignment_id, s.values, s.locked) for s in rows if s.assignment_id in (w.review, w.other_review)
    ]


def request_state(db: Session, w: World) -> Any:
    req = db.get(MeetingRequest, w.request)
    assert req is not None
    return (req.state, req.priority)


def meeting_state(db: Session, w: World) -> Any:
    meeting = db.get(Meeting, w.meeting)
    assert meeting is not None
    return (meeting.state, meeting.pinned, sorted(str(s.checked_in_at) for s in meeting.seats))


# -- bodies ---------------------------------------------------------------------------------------------------


def _criteria_form() -> dict[str, str]:
    return {
        "c0_code": "tech", "c0_name_zh": "技术", "c0_name_en": "Technology", "c0_weight": "60",
        "c1_code": "team", "c1_name_zh": "团队", "c1_name_en": "Team", "c1_weight": "40",
    }  # fmt: skip


def _policy_form(w: World) -> dict[str, str]:
    return {
        "action": "validate",
        "name_zh": "矩阵测试政策",
        "name_en": "Matrix policy",
        "district": OWN_DISTRICT,
        "benefit_kind": "subsidy",
        "rule": '{"all": [{"fact": "revenue", "op": ">=", "value": "1亿元"}]}',
        "benefit": '{"kind": "subsidy", "amount": "500000"}',
        "valid_from": "2025-01-01",
    }


# A sheet with a header and no rows: the preview and the import answer without writing anything.
SHEET = "项目编号,项目名称,所属区\n".encode()


def _sheet(w: World) -> dict[str, Any]:
    return {"file": ("matrix.csv", SHEET, "text/csv")}


ENTRIES: tuple[Entry, ...] = (
    # ---- the application itself
    Entry("GET", "/api/v1/openapi.json", PUBLIC),
    Entry("GET", "/lang/{code}", PUBLIC),
    Entry("GET", "/api/docs", PUBLIC),
    Entry("GET", "/healthz", PUBLIC),
    # ---- portal: published pages
    Entry("GET", "/", PUBLIC),
    Entry("GET", "/contests", PUBLIC),
    Entry("GET", "/meetings", PUBLIC),
    Entry("GET", "/organisations/{slug}", PUBLIC, at={"slug": "enterprise_slug"}),
    Entry("GET", "/events/{slug}", PUBLIC),
    # ---- search: public, each kind decides what a visitor finds
    Entry("GET", "/search", PUBLIC, query="q=测试"),
    Entry("GET", "/api/v1/search", PUBLIC, query="q=测试"),
    # ---- audit: organisers, each reading the entries of the events it organises
    Entry("GET", "/audit", only(*ORGANISERS)),
    Entry("GET", "/audit/sign-ins", only(*CITY)),
    Entry("GET", "/audit/export.xlsx", only(*ORGANISERS)),
    Entry("GET", "/audit/export.csv", only(*ORGANISERS)),
    Entry("GET", "/api/v1/audit", only(*ORGANISERS)),
    # ---- insight: published figures
    Entry("GET", "/dashboard", PUBLIC),
    Entry("GET", "/map", PUBLIC),
    Entry("GET", "/export/projects.{fmt}", PUBLIC),
    Entry("GET", "/export/deals.{fmt}", PUBLIC),
    Entry("GET", "/export/stats.{fmt}", PUBLIC),
    Entry("GET", "/api/v1/stats", PUBLIC),
    # ---- contest: A's edition; its organiser runs it, its judge scores the own review
    Entry("GET", "/contests/{slug}", PUBLIC, at={"slug": "contest_a"}),
    Entry("GET", "/contests/{slug}/winners", PUBLIC, at={"slug": "contest_a"}),
    Entry("GET", "/api/v1/contests/{slug}", PUBLIC, at={"slug": "contest_a"}),
    Entry("GET", "/api/v1/contests/{slug}/winners", PUBLIC, at={"slug": "contest_a"}),
    Entry("GET", "/contests/{slug}/review", only("judge"), at={"slug": "contest_a"}),
    Entry(
        "GET",
        "/contests/{slug}/review/{assignment_id}",
        only("judge", *EVENT_ORGANISERS),
        at={"slug": "contest_a"},
    ),
    Entry(
        "POST",
        "/contests/{slug}/review/{assignment_id}",
        only("judge", *EVENT_ORGANISERS),
        at={"slug": "contest_a"},
        form=lambda w: {"mark_tech": "7", "mark_team": "8", "comment": "矩阵", "action": "save"},
        probe=score_state,
    ),
    Entry(
        "PUT",
        "/api/v1/contests/{slug}/reviews/{assignment_id}/score",
        only("judge", *EVENT_ORGANISERS),
        at={"slug": "contest_a"},
        json=lambda w: {"marks": {"tech": 7, "team": 8}, "submit": False},
        probe=score_state,
    ),
    Entry("GET", "/contests/{slug}/manage", only(*EVENT_ORGANISERS), at={"slug": "contest_a"}),
    Entry(
        "POST",
        "/contests/{slug}/fields",
        only(*EVENT_ORGANISERS),
        at={"slug": "contest_a"},
        form=lambda w: {"code": "mx", "name_zh": "矩阵领域", "name_en": "Matrix field"},
    ),
    Entry(
        "POST",
        "/contests/{slug}/regions",
        only(*EVENT_ORGANISERS),
        at={"slug": "contest_a"},
        form=lambda w: {"code": "mx", "name_zh": "矩阵赛区", "name_en": "Matrix region"},
    ),
    Entry(
        "POST",
        "/contests/{slug}/rounds",
        only(*EVENT_ORGANISERS),
        at={"slug": "contest_a"},
        form=lambda w: {
            "kind": "preliminary",
            "name_zh": "矩阵轮次",
            "name_en": "Matrix round",
            "sequence": "9",
            "field_id": str(w.field_id),
            "advance_count": "1",
            "judges_per_entry": "1",
            "max_per_judge": "5",
            **_criteria_form(),
        },
    ),
    Entry("GET", "/contests/{slug}/conflicts", only(*EVENT_ORGANISERS), at={"slug": "contest_a"}),
    Entry(
        "POST",
        "/contests/{slug}/conflicts/detect",
        only(*EVENT_ORGANISERS),
        at={"slug": "contest_a"},
        form=empty,
    ),
    Entry(
        "POST",
        "/contests/{slug}/judges/ties",
        only(*EVENT_ORGANISERS),
        at={"slug": "contest_a"},
        form=lambda w: {"tie_judge": str(w.judge), "ties": ""},
    ),
    Entry(
        "POST",
        "/contests/{slug}/conflicts",
        only(*EVENT_ORGANISERS),
        at={"slug": "contest_a"},
        form=lambda w: {"judge": str(w.judge), "entry": w.other_entry_code, "reason": "矩阵"},
    ),
    Entry(
        "POST",
        "/contests/{slug}/awards/{award_id}/support",
        only(*EVENT_ORGANISERS),
        at={"slug": "contest_a"},
        form=lambda w: {"support": "投融资"},
    ),
    Entry(
        "POST",
        "/contests/{slug}/scores/{score_id}/reopen",
        only(*EVENT_ORGANISERS),
        at={"slug": "contest_a"},
        form=lambda w: {"reason": "矩阵复核"},
        probe=score_state,
    ),
    Entry("GET", "/contests/{slug}/rounds/{round_id}", only(*EVENT_ORGANISERS), at={"slug": "contest_a"}),
    Entry(
        "POST",
        "/contests/{slug}/rounds/{round_id}",
        only(*EVENT_ORGANISERS),
        at={"slug": "contest_a"},
        form=lambda w: {
            "judges_per_entry": "1",
            "max_per_judge": "6",
            "advance_count": "1",
            "criteria": "tech 技术 Technology 60\nteam 团队 Team 40",
        },
        also_ok=(422,),
        probe=round_state,
        note="criteria are frozen once a score is in (422): the permission answered first",
    ),
    Entry(
        "POST",
        "/contests/{slug}/rounds/{round_id}/assign",
        only(*EVENT_ORGANISERS),
        at={"slug": "contest_a"},
        form=lambda w: {"objective": "total", "min_per_judge": "0"},
        also_ok=(409, 422),
        note="a job: queued (303), or refused by its own checks (409, 422) after the permission",
    ),
    Entry(
        "POST",
        "/contests/{slug}/rounds/{round_id}/drop",
        only(*EVENT_ORGANISERS),
        at={"slug": "contest_a"},
        form=lambda w: {"judge": str(w.judge)},
        also_ok=(422,),
    ),
    Entry(
        "POST",
        "/contests/{slug}/rounds/{round_id}/close",
        only(*EVENT_ORGANISERS),
        at={"slug": "contest_a"},
        form=empty,
        also_ok=(422,),
        probe=round_state,
        note="the round cannot close with a score missing (422): the permission answered first",
    ),
    Entry(
        "GET", "/contests/{slug}/rounds/{round_id}/reviews", only(*EVENT_ORGANISERS), at={"slug": "contest_a"}
    ),
    Entry(
        "GET", "/contests/{slug}/rounds/{round_id}/ranking", only(*EVENT_ORGANISERS), at={"slug": "contest_a"}
    ),
    Entry(
        "POST",
        "/api/v1/contests/{slug}/rounds/{round_id}/assignment",
        only(*EVENT_ORGANISERS),
        at={"slug": "contest_a"},
        json=lambda w: {"objective": "total"},
        also_ok=(409, 422),
    ),
    Entry("GET", "/api/v1/contests/{slug}/assignment/job", only(*EVENT_ORGANISERS), at={"slug": "contest_a"}),
    Entry(
        "GET",
        "/api/v1/contests/{slug}/rounds/{round_id}/ranking",
        only(*EVENT_ORGANISERS),
        at={"slug": "contest_a"},
    ),
    # ---- policies: city-wide records; the city's organiser and the districts author, enterprises see their own
    Entry("GET", "/policies", PUBLIC),
    Entry("GET", "/policies/packages/{slug}", PUBLIC, at={"slug": "package"}),
    Entry("GET", "/policies/{slug}", PUBLIC, at={"slug": "policy"}),
    Entry("GET", "/api/v1/policies", PUBLIC),
    Entry("GET", "/api/v1/policies/{slug}", PUBLIC, at={"slug": "policy"}),
    Entry(
        "POST",
        "/api/v1/policies/validate",
        PUBLIC,
        json=lambda w: {"rule": {"fact": "revenue", "op": ">=", "value": "1亿元"}},
    ),
    Entry(
        "GET",
        "/policies/check",
        only(*CITY, "enterprise"),
        query=lambda w: f"org={w.enterprise_slug}",
        note="the self-check itself is public; naming an enterprise reads its stated facts",
    ),
    Entry(
        "POST",
        "/policies/check",
        only(*CITY, "enterprise"),
        form=lambda w: {"org": w.enterprise_slug, "revenue": "2亿元"},
    ),
    Entry(
        "POST",
        "/api/v1/policies/evaluate",
        only(*CITY, "enterprise"),
        json=lambda w: {"organisation_id": w.enterprise},
        note="with facts instead of an organisation, evaluating is public",
    ),
    Entry(
        "GET",
        "/policies/suggest",
        only(*CITY, "district_own", "enterprise"),
        query=lambda w: f"org={w.enterprise}",
    ),
    Entry(
        "GET",
        "/api/v1/organisations/{ref}/policy-suggestions",
        only(*CITY, "district_own", "enterprise"),
    ),
    Entry("GET", "/policies/new", only(*CITY, *DISTRICTS)),
    Entry("POST", "/policies/new", only(*CITY, *DISTRICTS), form=_policy_form),
    Entry("GET", "/policies/{slug}/edit", only(*CITY, "district_own"), at={"slug": "policy"}),
    Entry(
        "POST",
        "/policies/{slug}/edit",
        only(*CITY, "district_own"),
        at={"slug": "policy"},
        form=lambda w: {**_policy_form(w), "action": "save"},
        also_ok=(422,),
        probe=policy_state,
    ),
    Entry("GET", "/policies/{slug}/enterprises", only(*CITY), at={"slug": "policy"}),
    Entry("GET", "/policies/{slug}/enterprises.csv", only(*CITY), at={"slug": "policy"}),
    Entry("GET", "/policies/{slug}/enterprises.xlsx", only(*CITY), at={"slug": "policy"}),
    # ---- matching: the event's organiser runs it; each account sees the suggestions of what it speaks for
    Entry("GET", "/recommendations", LOGGED_IN, query=lambda w: f"event={w.event_a}"),
    Entry(
        "POST",
        "/recommendations/not-interested",
        only(*EVENT_ORGANISERS, "investor"),
        form=lambda w: {
            "event": w.event_a,
            "left_kind": "investor",
            "left_id": str(w.investor),
            "right_kind": "project",
            "right_id": str(w.project),
        },
    ),
    Entry(
        "POST",
        "/api/v1/recommendations/feedback",
        only(*EVENT_ORGANISERS, "investor"),
        json=lambda w: {
            "event": w.event_a,
            "left_kind": "investor",
            "left_id": w.investor,
            "right_kind": "project",
            "right_id": w.project,
        },
    ),
    Entry(
        "GET",
        "/api/v1/recommendations",
        only(*EVENT_ORGANISERS, "investor"),
        query=lambda w: f"kind=investor&id={w.investor}&want=project&event={w.event_a}",
    ),
    Entry("GET", "/projects/{project_id}/matches", PUBLIC, note="others get an empty fragment"),
    Entry("GET", "/events/{slug}/matching", only(*EVENT_ORGANISERS)),
    Entry(
        "POST",
        "/events/{slug}/matching/weights",
        only(*EVENT_ORGANISERS),
        form=lambda w: {"investor_project.district": "0.2"},
    ),
    Entry("POST", "/events/{slug}/matching/recompute", only(*EVENT_ORGANISERS), form=empty, also_ok=(409,)),
    Entry("GET", "/api/v1/events/{slug}/matching/job", only(*EVENT_ORGANISERS)),
    Entry("GET", "/api/v1/events/{slug}/matching/weights", only(*EVENT_ORGANISERS)),
    Entry(
        "PUT",
        "/api/v1/events/{slug}/matching/weights",
        only(*EVENT_ORGANISERS),
        json=lambda w: {"investor_project": {"district": 0.2}},
    ),
    # ---- meetings of A: participants act on their own requests; the event's organiser runs the grid
    Entry("GET", "/events/{slug}/meetings", LOGGED_IN),
    Entry("GET", "/api/v1/events/{slug}/meetings/summary", PUBLIC),
    Entry("GET", "/api/v1/events/{slug}/meetings/slots", PUBLIC),
    Entry(
        "POST",
        "/events/{slug}/meetings/requests",
        only(*PARTICIPANTS),
        form=lambda w: {"recipient": str(w.participant_other), "message": "矩阵"},
    ),
    Entry(
        "POST",
        "/api/v1/events/{slug}/meetings/requests",
        only(*PARTICIPANTS),
        json=lambda w: {"recipient_id": w.participant_other, "message": "矩阵"},
    ),
    Entry(
        "POST",
        "/events/{slug}/meetings/requests/{request_id}/accept",
        only(*EVENT_ORGANISERS, "enterprise"),
        form=empty,
        probe=request_state,
    ),
    Entry(
        "POST",
        "/events/{slug}/meetings/requests/{request_id}/decline",
        only(*EVENT_ORGANISERS, "enterprise"),
        form=empty,
        probe=request_state,
    ),
    Entry(
        "POST",
        "/events/{slug}/meetings/requests/{request_id}/cancel",
        only(*EVENT_ORGANISERS, *PARTICIPANTS),
        form=empty,
        probe=request_state,
    ),
    Entry(
        "POST",
        "/api/v1/events/{slug}/meetings/requests/{request_id}/accept",
        only(*EVENT_ORGANISERS, "enterprise"),
        probe=request_state,
    ),
    Entry(
        "POST",
        "/api/v1/events/{slug}/meetings/requests/{request_id}/decline",
        only(*EVENT_ORGANISERS, "enterprise"),
        probe=request_state,
    ),
    Entry(
        "POST",
        "/api/v1/events/{slug}/meetings/requests/{request_id}/cancel",
        only(*EVENT_ORGANISERS, *PARTICIPANTS),
        probe=request_state,
    ),
    Entry(
        "POST",
        "/events/{slug}/meetings/requests/{request_id}/priority",
        only(*EVENT_ORGANISERS),
        form=lambda w: {"priority": "2"},
        probe=request_state,
    ),
    Entry(
        "POST",
        "/events/{slug}/meetings/availability",
        only(*PARTICIPANTS),
        form=lambda w: {"slot": [str(s) for s in w.slots[:2]]},
    ),
    Entry("GET", "/api/v1/events/{slug}/meetings/me/availability", only(*PARTICIPANTS)),
    Entry(
        "PUT",
        "/api/v1/events/{slug}/meetings/me/availability",
        only(*PARTICIPANTS),
        json=lambda w: {"slot_ids": w.slots[:2]},
    ),
    Entry("GET", "/api/v1/events/{slug}/meetings/me/requests", only(*PARTICIPANTS)),
    Entry(
        "GET",
        "/events/{slug}/meetings/schedule",
        only(*PARTICIPANTS),
    ),
    Entry(
        "GET",
        "/events/{slug}/meetings/me.ics",
        only(*PARTICIPANTS),
    ),
    Entry("GET", "/api/v1/events/{slug}/meetings/me/schedule", only(*PARTICIPANTS)),
    Entry("GET", "/events/{slug}/meetings/grid", only(*EVENT_ORGANISERS)),
    Entry(
        "POST",
        "/events/{slug}/meetings/grid/run",
        only(*EVENT_ORGANISERS),
        form=lambda w: {"time_limit": "2"},
        also_ok=(409, 422),
    ),
    Entry(
        "POST", "/events/{slug}/meetings/grid/publish", only(*EVENT_ORGANISERS), form=empty, also_ok=(422,)
    ),
    Entry(
        "POST",
        "/events/{slug}/meetings/grid/pin",
        only(*EVENT_ORGANISERS),
        form=lambda w: {"request": str(w.request), "slot": str(w.slot), "table": "2"},
        also_ok=(409, 422),
    ),
    Entry(
        "POST",
        "/events/{slug}/meetings/grid/arrange",
        only(*EVENT_ORGANISERS),
        form=lambda w: {
            "a": str(w.participant_enterprise),
            "b": str(w.participant_other),
            "slot": str(w.slot),
            "table": "2",
        },
        also_ok=(409, 422),
    ),
    Entry("GET", "/events/{slug}/meetings/desk", only(*EVENT_ORGANISERS)),
    Entry(
        "POST",
        "/events/{slug}/meetings/m/{meeting_id}/checkin",
        only(*EVENT_ORGANISERS),
        form=lambda w: {"participant": str(w.participant_investor)},
        probe=meeting_state,
    ),
    Entry(
        "POST",
        "/events/{slug}/meetings/m/{meeting_id}/noshow",
        only(*EVENT_ORGANISERS),
        form=empty,
        probe=meeting_state,
    ),
    Entry(
        "POST",
        "/events/{slug}/meetings/m/{meeting_id}/unpin",
        only(*EVENT_ORGANISERS),
        form=empty,
        probe=meeting_state,
        also_ok=(409, 422),
    ),
    Entry("GET", "/api/v1/events/{slug}/meetings/grid", only(*EVENT_ORGANISERS)),
    Entry("GET", "/api/v1/events/{slug}/meetings/unscheduled", only(*EVENT_ORGANISERS)),
    Entry(
        "POST",
        "/api/v1/events/{slug}/meetings/schedule",
        only(*EVENT_ORGANISERS),
        json=lambda w: {"time_limit": 2},
        also_ok=(409, 422),
    ),
    Entry("GET", "/api/v1/events/{slug}/meetings/job", only(*EVENT_ORGANISERS)),
    Entry("POST", "/api/v1/events/{slug}/meetings/publish", only(*EVENT_ORGANISERS), also_ok=(422,)),
    Entry(
        "POST",
        "/api/v1/events/{slug}/meetings/meetings/{meeting_id}/check-in",
        only(*EVENT_ORGANISERS),
        json=lambda w: {"participant_id": w.participant_investor},
        probe=meeting_state,
        also_ok=(422,),
    ),
    Entry(
        "POST",
        "/api/v1/events/{slug}/meetings/meetings/{meeting_id}/no-show",
        only(*EVENT_ORGANISERS),
        probe=meeting_state,
    ),
    # ---- deals: lists are public; a deal's internals are for the event's organiser, the district concerned and
    # the parties; the organiser of A and the owning district change it
    Entry("GET", "/deals", PUBLIC),
    Entry("GET", "/deals/board", PUBLIC, query=lambda w: f"event={w.event_a}"),
    Entry(
        "GET",
        "/deals/{deal_id}",
        hidden(only(*EVENT_ORGANISERS, "district_own", *VERIFIERS, *DEAL_PARTIES)),
        note="public for announced signings: a private deal is hidden (404) from everyone else",
    ),
    Entry(
        "GET",
        "/api/v1/deals/{deal_id}",
        hidden(only(*EVENT_ORGANISERS, "district_own", *VERIFIERS, *DEAL_PARTIES)),
        note="public for announced signings: a private deal is hidden (404) from everyone else",
    ),
    Entry(
        "GET",
        "/api/v1/deals/{deal_id}/tasks",
        only(*EVENT_ORGANISERS, "district_own", *VERIFIERS, *DEAL_PARTIES),
    ),
    Entry(
        "GET",
        "/api/v1/deals/{deal_id}/next-stage",
        only(*EVENT_ORGANISERS, "district_own", *VERIFIERS, *DEAL_PARTIES),
    ),
    Entry(
        "GET",
        "/api/v1/deals/{deal_id}/evidence",
        only(*EVENT_ORGANISERS, "district_own", *VERIFIERS),
        note="the evidence of a landing is the bureau's: not the parties'",
    ),
    Entry(
        "GET",
        "/api/v1/deals/{deal_id}/evidence/{evidence_id}",
        only(*EVENT_ORGANISERS, "district_own", *VERIFIERS),
    ),
    Entry(
        "GET",
        "/deals/{deal_id}/evidence/{evidence_id}",
        only(*EVENT_ORGANISERS, "district_own", *VERIFIERS),
    ),
    Entry(
        "POST",
        "/api/v1/deals/{deal_id}/evidence",
        only(*EVENT_ORGANISERS, "district_own", *VERIFIERS),
        json=lambda w: {"title": "矩阵材料", "filename": "matrix.pdf", "content_base64": "JVBERi0xLjQK"},
        probe=evidence_count,
    ),
    Entry(
        "POST",
        "/deals/{deal_id}/evidence",
        only(*EVENT_ORGANISERS, "district_own", *VERIFIERS),
        form=lambda w: {"title": "矩阵材料"},
        files=_evidence,
        probe=evidence_count,
    ),
    Entry(
        "POST",
        "/api/v1/deals/{deal_id}/verify",
        only(*VERIFIERS),
        json=lambda w: {"note": "矩阵"},
        also_ok=(409,),
        probe=deal_state,
        note="a verifier of A (the deal is not landed: 409 once let through)",
    ),
    Entry(
        "POST",
        "/deals/{deal_id}/verify",
        only(*VERIFIERS),
        form=lambda w: {"note": "矩阵"},
        also_ok=(409,),
        probe=deal_state,
    ),
    Entry(
        "PUT",
        "/api/v1/deals/{deal_id}/status",
        only(*EVENT_ORGANISERS, "district_own"),
        json=lambda w: {"to": "delayed", "reason": "矩阵"},
        probe=deal_state,
    ),
    Entry(
        "POST",
        "/deals/{deal_id}/status",
        only(*EVENT_ORGANISERS, "district_own"),
        form=lambda w: {"status": "delayed", "status_reason": "矩阵"},
        probe=deal_state,
    ),
    Entry(
        "POST",
        "/deals/{deal_id}/parties",
        only(*EVENT_ORGANISERS, "district_own"),
        form=lambda w: {"organisation": w.investor_slug, "party_role": "park"},
        probe=deal_state,
    ),
    Entry(
        "POST",
        "/deals/{deal_id}/parties/{party_id}/remove",
        only(*EVENT_ORGANISERS, "district_own"),
        form=empty,
        probe=deal_state,
    ),
    Entry(
        "POST",
        "/deals/{deal_id}/source",
        only(*EVENT_ORGANISERS, "district_own"),
        form=lambda w: {"source_kind": "other", "source_label": "矩阵"},
        probe=deal_state,
    ),
    Entry(
        "POST",
        "/deals/new",
        only(*EVENT_ORGANISERS, "district_own"),
        form=lambda w: {"title_zh": "矩阵新线索", "district": OWN_DISTRICT, "event": w.event_a},
        probe=deal_count,
    ),
    Entry(
        "POST",
        "/deals/{deal_id}/stage",
        only(*EVENT_ORGANISERS, "district_own"),
        form=lambda w: {"to": "intention", "note": "矩阵"},
        probe=deal_state,
    ),
    Entry(
        "POST",
        "/deals/{deal_id}/tasks",
        only(*EVENT_ORGANISERS, "district_own"),
        form=lambda w: {"title": "矩阵任务"},
        probe=deal_state,
    ),
    Entry(
        "POST",
        "/deals/{deal_id}/tasks/{task_id}/done",
        only(*EVENT_ORGANISERS, "district_own"),
        form=empty,
        probe=deal_state,
    ),
    Entry(
        "POST",
        "/deals/{deal_id}/announce",
        only(*EVENT_ORGANISERS),
        form=lambda w: {"announced": "0"},
        probe=deal_state,
        note="only the organiser of the deal's event announces a signing",
    ),
    Entry(
        "PUT",
        "/api/v1/deals/{deal_id}/announced",
        only(*EVENT_ORGANISERS),
        json=lambda w: {"announced": False},
        probe=deal_state,
    ),
    Entry("GET", "/api/v1/deals", PUBLIC),
    Entry(
        "POST",
        "/api/v1/deals",
        only(*EVENT_ORGANISERS, "district_own"),
        json=lambda w: {"title_zh": "矩阵新线索", "district": OWN_DISTRICT, "event_id": w.event_a_id},
        probe=deal_count,
    ),
    Entry(
        "PATCH",
        "/api/v1/deals/{deal_id}",
        only(*EVENT_ORGANISERS, "district_own"),
        json=lambda w: {"title_zh": "矩阵改名"},
        probe=deal_state,
    ),
    Entry(
        "POST",
        "/api/v1/deals/{deal_id}/stage",
        only(*EVENT_ORGANISERS, "district_own"),
        json=lambda w: {"to": "intention", "note": "矩阵"},
        probe=deal_state,
    ),
    Entry(
        "POST",
        "/api/v1/deals/{deal_id}/tasks",
        only(*EVENT_ORGANISERS, "district_own"),
        json=lambda w: {"title": "矩阵任务"},
        probe=deal_state,
    ),
    Entry(
        "PUT",
        "/api/v1/deals/{deal_id}/parties",
        only(*EVENT_ORGANISERS, "district_own"),
        json=lambda w: [{"organisation_id": w.enterprise, "role": "enterprise"}],
    ),
    # ---- exhibition: released achievements are public; the organiser of their event adds, edits, removes them
    Entry("GET", "/achievements", PUBLIC),
    Entry("GET", "/achievements/{achievement_id}", PUBLIC),
    Entry("GET", "/api/v1/achievements", PUBLIC),
    Entry("GET", "/api/v1/achievements/{achievement_id}", PUBLIC),
    Entry("GET", "/achievements/new", only(*ORGANISERS), note="which event it may add to is checked on the event"),
    Entry(
        "POST",
        "/achievements/new",
        only(*EVENT_ORGANISERS),
        form=lambda w: {"event": w.event_a, "title_zh": "矩阵新成果"},
        probe=achievement_state,
    ),
    Entry(
        "POST",
        "/api/v1/achievements",
        only(*EVENT_ORGANISERS),
        json=lambda w: {"event": w.event_a, "title_zh": "矩阵新成果"},
        probe=achievement_state,
    ),
    Entry("GET", "/achievements/{achievement_id}/edit", only(*EVENT_ORGANISERS)),
    Entry(
        "POST",
        "/achievements/{achievement_id}/edit",
        only(*EVENT_ORGANISERS),
        form=lambda w: {"title_zh": "矩阵改名"},
        probe=achievement_state,
    ),
    Entry(
        "PATCH",
        "/api/v1/achievements/{achievement_id}",
        only(*EVENT_ORGANISERS),
        json=lambda w: {"title_zh": "矩阵改名"},
        probe=achievement_state,
    ),
    Entry(
        "POST", "/achievements/{achievement_id}/delete", only(*EVENT_ORGANISERS), form=empty, probe=achievement_state
    ),
    Entry("DELETE", "/api/v1/achievements/{achievement_id}", only(*EVENT_ORGANISERS), probe=achievement_state),
    Entry("GET", "/import/template.xlsx", PUBLIC),
    Entry(
        "GET", "/import", only(*ORGANISERS, *DISTRICTS), note="each imported row is then checked on its event"
    ),
    Entry("POST", "/import", only(*ORGANISERS, *DISTRICTS), form=empty, files=_sheet, also_ok=(422,)),
    Entry(
        "POST",
        "/import/confirm",
        only(*ORGANISERS, *DISTRICTS),
        form=lambda w: {"filename": "matrix.csv", "payload": base64.b64encode(SHEET).decode("ascii")},
        also_ok=(422,),
        probe=deal_count,
    ),
    # ---- marketplace: published projects are public; the event's organiser and the owning district edit
    Entry("GET", "/projects", PUBLIC),
    Entry("GET", "/projects/{project_id}", PUBLIC),
    Entry("GET", "/projects/{project_id}/edit", only(*EVENT_ORGANISERS, "district_own")),
    Entry(
        "POST",
        "/projects/{project_id}/edit",
        only(*EVENT_ORGANISERS, "district_own"),
        form=lambda w: {
            "title_zh": "矩阵项目改名",
            "title_en": "Matrix project",
            "category": "park_cooperation",
            "industry": "人工智能",
            "district": OWN_DISTRICT,
            "amount": "1亿",
        },
        probe=project_state,
    ),
    Entry("GET", "/api/v1/opportunities", PUBLIC),
    Entry("GET", "/api/v1/opportunities/{opportunity_id}", PUBLIC),
    Entry(
        "PATCH",
        "/api/v1/opportunities/{opportunity_id}",
        only(*EVENT_ORGANISERS, "district_own"),
        json=lambda w: {"title_en": "Matrix project"},
        probe=project_state,
    ),
    # ---- events and the directory
    Entry("GET", "/api/v1/events", PUBLIC),
    Entry("GET", "/api/v1/events/{slug}", PUBLIC),
    Entry("GET", "/api/v1/organisations", PUBLIC),
    Entry("GET", "/api/v1/organisations/{slug}", PUBLIC, at={"slug": "enterprise_slug"}),
    Entry("GET", "/login", PUBLIC),
    Entry(
        "POST",
        "/login",
        PUBLIC,
        form=lambda w: {"username": w.usernames["verifier"], "password": PASSWORD, "next": "/"},
    ),
    Entry("POST", "/logout", PUBLIC, form=empty),
    Entry("GET", "/account", LOGGED_IN),
    Entry(
        "POST",
        "/account/password",
        LOGGED_IN,
        form=lambda w: {
            "current": PASSWORD,
            "password": "Matrix-password-2026!",
            "again": "Matrix-password-2026!",
        },
    ),
    Entry("POST", "/account/sessions/end", LOGGED_IN, form=empty),
)


def by_key() -> dict[tuple[str, str], Entry]:
    """The entries by (method, path template); two entries for one route are an error."""
    found: dict[tuple[str, str], Entry] = {}
    for entry in ENTRIES:
        assert entry.key not in found, f"two entries for {entry.key}"
        assert set(entry.rule) == set(ROLES), f"{entry.key}: the rule must name every role"
        found[entry.key] = entry
    return found


# The entries of the set-up areas live in their own files, one per area, and are collected here.
from tests.security import (  # noqa: E402
    matrix_accounts,
    matrix_events,
    matrix_feeds,
    matrix_judges,
    matrix_meeting_setup,
    matrix_organisations,
    matrix_people_directory,
)


def _area_entries() -> tuple[Entry, ...]:
    """The ENTRIES of every further `tests/security/matrix_<area>.py` not imported above, in name order."""
    import importlib
    import pkgutil

    import tests.security as here

    named = {
        "matrix_accounts",
        "matrix_events",
        "matrix_feeds",
        "matrix_judges",
        "matrix_meeting_setup",
        "matrix_organisations",
        "matrix_people_directory",
    }
    found: tuple[Entry, ...] = ()
    for info in sorted(pkgutil.iter_modules(here.__path__), key=lambda i: i.name):
        if info.name.startswith("matrix_") and info.name not in named:
            found += tuple(importlib.import_module(f"tests.security.{info.name}").ENTRIES)
    return found


ENTRIES = (
    ENTRIES
    + matrix_events.ENTRIES
    + matrix_accounts.ENTRIES
    + matrix_meeting_setup.ENTRIES
    + matrix_feeds.ENTRIES
    + matrix_people_directory.ENTRIES
    + matrix_organisations.ENTRIES
    + matrix_judges.ENTRIES
    + _area_entries()
)
