"""Registration pages: the form, one's registrations, the organiser's lists and decisions."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)


# Badges and check-in are written apart and served with these.
from duijie.registration import views_checkin  # noqa: E402

router.include_router(views_checkin.router)
