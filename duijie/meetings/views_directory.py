"""The participant directory of an event and meeting requests made from where people decide."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
