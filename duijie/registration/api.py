"""The registration API: categories, registrations, decisions, the waiting list."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1", tags=["registration"])


# The badge and check-in API is written apart and served with this.
from duijie.registration import api_checkin  # noqa: E402

router.include_router(api_checkin.router)
