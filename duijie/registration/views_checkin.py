"""Badges and check-in: the badge PDF, the door page, its offline sync, the organiser's counts."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
