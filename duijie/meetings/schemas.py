"""The meetings' data shapes, defined once: what the service returns (the run's report, the organiser's
figures) and what the API reads and writes."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from duijie.core.validation import MULTI_LINE, Id, Line40
from duijie.meetings.models import MeetingRequest

# Kept here (not in the service) because the API's request models state them as limits.
MESSAGE_MAX = 1000
TIME_LIMIT_MAX = 300.0


class RunReport(BaseModel):
    """What a scheduling run achieved, next to the first-come baseline on the same instance; stored as the
    event's last run, kept in the job's state and returned by the API."""

    model_config = ConfigDict(frozen=True)

    at: str
    seconds: float
    time_limit: float
    allow_moves: bool
    status: str
    requests: int
    meetings: int
    objective: float
    upper_bound: float
    gap: float
    idle_gaps: int
    unscheduled: int
    greedy_meetings: int
    greedy_objective: float
    greedy_idle_gaps: int
    added: int
    moved: int
    removed: int
    kept: int
    # A proven lower bound on the idle gaps, when the solver gives one.
    idle_gaps_bound: int | None = None
    # How many times the run read the grid and solved: 2 when the inputs changed while it solved.
    attempts: int = 1


class MeetingSummary(BaseModel):
    """The counts an organiser reports: requests, accepted, scheduled, held."""

    model_config = ConfigDict(frozen=True)

    participants: int
    requests: int
    pending: int
    accepted: int
    declined: int
    cancelled: int
    scheduled: int
    planned: int
    confirmed: int
    held: int
    no_show: int


class RequestCreate(BaseModel):
    recipient_id: Id
    message: Annotated[str, StringConstraints(max_length=MESSAGE_MAX), MULTI_LINE] | None = None
    opportunity_id: Id | None = None
    sessions: list[Line40] | None = Field(default=None, max_length=20)


class RequestRead(BaseModel):
    id: int
    requester_id: int
    recipient_id: int
    state: str
    priority: int
    message: str | None
    opportunity_id: int | None
    created_at: dt.datetime
    answered_at: dt.datetime | None

    @classmethod
    def of(cls, r: MeetingRequest) -> RequestRead:
        """The API form of a request row."""
        return cls(
            id=r.id,
            requester_id=r.requester_id,
            recipient_id=r.recipient_id,
            state=r.state,
            priority=r.priority,
            message=r.message,
            opportunity_id=r.opportunity_id,
            created_at=r.created_at,
            answered_at=r.answered_at,
        )


class PartyRead(BaseModel):
    participant_id: int
    name: str
    organisation: str | None
    email: str | None = None
    phone: str | None = None


class MyRequestRead(RequestRead):
    incoming: bool
    other: PartyRead
    meeting_id: int | None
    starts_at: dt.datetime | None
    table: int | None


class AgendaRead(BaseModel):
    meeting_id: int
    request_id: int
    state: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    table: int
    area: str | None
    other: PartyRead


class AvailabilityWrite(BaseModel):
    slot_ids: list[Id] = Field(max_length=10_000)


class AvailabilityRead(BaseModel):
    slot_ids: list[int] | None


class SlotRead(BaseModel):
    id: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    session: str
    table_count: int


class GridMeetingRead(BaseModel):
    meeting_id: int
    request_id: int
    slot_id: int
    table: int
    state: str
    pinned: bool
    # The two participants (a pair, written as a list of two: a tuple would document a schema that is not
    # valid OpenAPI 3.0 for some tools).
    participant_ids: list[int] = Field(min_length=2, max_length=2)


class UnscheduledRead(BaseModel):
    request_id: int
    participant_ids: list[int] = Field(min_length=2, max_length=2)
    reason: str


class RunWrite(BaseModel):
    time_limit: float = Field(default=10.0, gt=0, le=TIME_LIMIT_MAX)
    allow_moves: bool = False


class JobRead(BaseModel):
    """The event's scheduling job: queued, running, done (with the run's report) or failed (with the error)."""

    event: str
    state: str | None
    running: bool
    queued: str | None = None
    started: str | None = None
    finished: str | None = None
    elapsed: int | None = None
    step: str | None = None
    time_limit: float | None = None
    allow_moves: bool | None = None
    by: str | None = None
    attempts: int = 0
    report: RunReport | None = None
    error: str | None = None


class CheckInWrite(BaseModel):
    participant_id: Id | None = None


class ConfirmedRead(BaseModel):
    """How many planned meetings a publication confirmed."""

    confirmed: int
