"""The API's models of the meeting set-up: sessions and slots, tables, participants and the sheet import.

Times are the event's wall-clock times (`timezone` says which zone); the stored UTC moments are given too."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field


class SessionCreate(BaseModel):
    """A consultation session: its slots are generated from `start` to `end`, `slot_minutes` long, with
    `break_minutes` between two."""

    label: str = Field(max_length=200, examples=["上午场"])
    day: dt.date
    start: dt.time = Field(examples=["09:00"])
    end: dt.time = Field(examples=["12:00"])
    slot_minutes: int = Field(examples=[20])
    break_minutes: int = 0


class SlotWrite(BaseModel):
    """One slot: the session label, the day and the event's local start and end times."""

    label: str = Field(max_length=200)
    day: dt.date
    start: dt.time
    end: dt.time


class SlotSetupRead(BaseModel):
    id: int
    session: str
    day: dt.date
    start: str
    end: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    table_count: int
    meetings: int


class SessionRead(BaseModel):
    session: str
    day: dt.date | None
    label: str
    meetings: int
    slots: list[SlotSetupRead]


class TablesCreate(BaseModel):
    count: int
    first: int
    area: str | None = Field(default=None, max_length=200)


class AreaRename(BaseModel):
    old: str | None = Field(default=None, description="The area's current name; null for tables without one.")
    new: str = Field(max_length=200)


class TableRead(BaseModel):
    id: int
    number: int
    area: str | None
    meetings: int


class SetupRead(BaseModel):
    event: str
    timezone: str
    sessions: list[SessionRead]
    tables: list[TableRead]
    participants: int


class Removed(BaseModel):
    removed: int


class ParticipantCreate(BaseModel):
    """A person of the directory, by id or by e-mail; the organisation defaults to the person's."""

    person_id: int | None = None
    email: str | None = Field(default=None, max_length=200)
    organisation_id: int | None = None
    max_meetings: int | None = None


class ParticipantUpdate(BaseModel):
    max_meetings: int | None = None


class ParticipantSetupRead(BaseModel):
    id: int
    person_id: int
    name: str
    organisation_id: int | None
    organisation: str | None
    email: str | None
    max_meetings: int | None
    meetings: int
    free_slots: list[int] | None = Field(description="Slots marked free; null when never said (free throughout).")


class ParticipantRemoved(BaseModel):
    removed: int
    meetings_cancelled: int


class AvailabilityPut(BaseModel):
    slot_ids: list[int]


class ImportRowRead(BaseModel):
    sheet: str
    row: int
    action: str
    name: str | None
    email: str | None
    errors: list[str]


class ImportRead(BaseModel):
    filename: str
    applied: bool
    refused: bool
    created: int
    updated: int
    unchanged: int
    new_people: int
    new_organisations: int
    errors: list[str]
    rows: list[ImportRowRead]


class ImportWrite(BaseModel):
    """A participant sheet sent as JSON: the file name (its .xlsx or .csv ending decides how it is read) and
    its bytes in base64. With `dry_run` nothing is written; otherwise all rows or none."""

    filename: str = Field(max_length=200, examples=["participants.xlsx"])
    content_base64: str = Field(max_length=28 * 1024 * 1024)
    dry_run: bool = False
