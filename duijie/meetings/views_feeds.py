"""Calendar feeds: each person's meetings as a subscribable iCalendar feed behind a secret, resettable token."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
