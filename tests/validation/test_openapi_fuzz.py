"""The JSON API fuzzed from its own OpenAPI document: every operation, as the demo's organiser (so writes run),
with a few generated requests each; no request may get a server error, and every documented answer must match
its schema. Left out, to keep the machine free: the job starters that solve (the meetings schedule, the
contest's judge assignment), which are exercised by their own tests."""

from __future__ import annotations

import contextlib
from typing import Any

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance
from sqlalchemy import select
from sqlalchemy.orm import Session

from duijie.contest.models import ContestRound, ReviewAssignment
from duijie.deals.models import Deal
from duijie.directory.models import Organisation
from duijie.events.models import Event
from duijie.marketplace.models import Opportunity
from duijie.meetings.models import Meeting, MeetingRequest, MeetingSlot
from duijie.policies.models import Policy
from tests.conftest import login

EXCLUDED = {
    ("POST", "/api/v1/events/{slug}/meetings/schedule"),
    ("POST", "/api/v1/contests/{slug}/rounds/{round_id}/assignment"),
}
# Generated requests per operation: most on PostgreSQL, whose types refuse more (out-of-range integers,
# invalid byte sequences), fewer on SQLite, which shares every route and handler. The numbers keep the suite
# within its time as operations are added; speed itself is not asserted here (that is what bench/ is for).
EXAMPLES = {"postgresql": 7, "sqlite": 4}


def _known_values(db: Session, path: str) -> dict[str, list[Any]]:
    """Path parameters the demo holds, so half of the generated requests reach past the lookup (random slugs
    and ids only ever meet a 404)."""
    def ids(model: Any) -> list[Any]:
        return list(db.scalars(select(model.id).order_by(model.id).limit(20)))

    if path.startswith("/api/v1/contests/"):
        slugs = list(db.scalars(select(Event.slug).where(Event.kind == "contest")))
    elif "/meetings/" in path:
        slugs = list(db.scalars(select(Event.slug).where(Event.id.in_(select(MeetingSlot.event_id)))))
    elif path.startswith("/api/v1/policies/"):
        slugs = list(db.scalars(select(Policy.slug).limit(20)))
    elif path.startswith("/api/v1/organisations/"):
        slugs = list(db.scalars(select(Organisation.slug).limit(20)))
    else:
        slugs = list(db.scalars(select(Event.slug)))
    return {
        "slug": slugs,
        "ref": slugs + [str(i) for i in ids(Organisation)],
        "deal_id": ids(Deal),
        "opportunity_id": ids(Opportunity),
        "request_id": ids(MeetingRequest),
        "meeting_id": ids(Meeting),
        "round_id": ids(ContestRound),
        "assignment_id": ids(ReviewAssignment),
    }


def _fuzz(operation: Any, cookies: dict[str, str], failures: list[str], db: Session) -> Any:
    """A Hypothesis test of one operation: a few generated requests, each checked; failures are collected."""
    known = _known_values(db, operation.path)

    @settings(
        max_examples=EXAMPLES[db.get_bind().dialect.name],
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(), use_known=st.booleans(), pick=st.data())
    def run(case: Any, use_known: bool, pick: st.DataObject) -> None:
        if use_known:
            for name, choices in known.items():
                if name in (case.path_parameters or {}) and choices:
                    case.path_parameters[name] = pick.draw(st.sampled_from(choices))
        response = case.call(headers={"Origin": "http://testserver"}, cookies=cookies)
        try:
            case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])
        except Exception as exc:
            failures.append(f"{operation.label}: {type(exc).__name__}: {str(exc)[:800]}")
            raise

    return run


def test_no_generated_request_gets_a_server_error(app: Any, client: Any, db: Session) -> None:
    login(client, "organiser", "organiser-demo")
    cookies = {name: value for name, value in client.cookies.items()}
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 40
    failures: list[str] = []
    for operation in operations:
        if (operation.method.upper(), operation.path) in EXCLUDED:
            continue
        run = _fuzz(operation, cookies, failures, db)
        with contextlib.suppress(Exception):  # each failure is recorded by `_fuzz`
            run()
    assert not failures, "\n\n".join(failures)
