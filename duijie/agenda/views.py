"""The programme's public pages: timetable, session list and pages, speakers, the personal agenda."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)


# The organiser's programme pages are written apart and served with these.
from duijie.agenda import views_manage  # noqa: E402

router.include_router(views_manage.router)
