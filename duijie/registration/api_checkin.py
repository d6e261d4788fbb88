"""The check-in API: a door device's public keys and revocations, and its offline scans synced."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["check-in"])
