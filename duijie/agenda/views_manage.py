"""The organiser's programme pages: rooms, tracks, sessions, speakers, completeness, publication."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
