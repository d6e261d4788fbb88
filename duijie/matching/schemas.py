"""The JSON API's models: recommendations with their explained parts, feedback, weights and the batch job."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from duijie.core.validation import Id, Line80

Kind = Literal["investor", "enterprise", "project", "demand", "offer", "participant"]


class PartRead(BaseModel):
    name: str
    value: float
    weight: float
    contribution: float
    reason_zh: str
    reason_en: str


class RecommendationRead(BaseModel):
    kind: str
    id: int
    name_zh: str
    name_en: str | None
    score: float
    reasons: list[str]
    parts: list[PartRead]


class RecommendationPage(BaseModel):
    event: str
    kind: str
    id: int
    want: str
    items: list[RecommendationRead]


class FeedbackCreate(BaseModel):
    event: Line80
    left_kind: Kind
    left_id: Id
    right_kind: Kind
    right_id: Id
    response: Literal["not_interested"] = "not_interested"


class FeedbackRead(BaseModel):
    id: int
    left_kind: str
    left_id: int
    right_kind: str
    right_id: int
    response: str


class WeightsRead(BaseModel):
    event: str
    kinds: list[str]
    weights: dict[str, dict[str, float]]
    defaults: dict[str, dict[str, float]]
    overrides: dict[str, dict[str, float]]
    stale: bool


class JobRead(BaseModel):
    event: str
    state: str | None
    running: bool
    semantic: bool | None = None
    queued: str | None = None
    started: str | None = None
    finished: str | None = None
    step: str | None = None
    done: int = 0
    total: int = 0
    written: int | None = None
    kept: int | None = None
    error: str | None = None
