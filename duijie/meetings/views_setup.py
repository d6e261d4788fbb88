"""The organiser's meeting set-up pages: consultation sessions, time slots, areas and tables, participants and
their availability, participants imported from a sheet."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
