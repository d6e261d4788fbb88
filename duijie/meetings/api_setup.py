"""`/api/v1/events/{slug}/meetings/setup/...`: the meeting set-up (sessions, slots, tables, participants,
availability) for other systems of the organiser. Included by `meetings.api` under its prefix."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
