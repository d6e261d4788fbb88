"""Shared API shapes: pages of results and the error body every endpoint returns."""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    page: int
    page_size: int
    pages: int


class ErrorItem(BaseModel):
    message: str
    field: str | None = None
    row: int | None = None
    column: str | None = None
    sheet: str | None = None


class ErrorBody(BaseModel):
    """`{"error": {"status": 422, "message": "...", "details": [{"field": "amount", "message": "..."}]}}`."""

    model_config = ConfigDict(json_schema_extra={"example": {"error": {"status": 422, "message": "..."}}})

    class Inner(BaseModel):
        status: int
        message: str
        details: list[ErrorItem] = []

    error: Inner


def paginate_params(page: int, page_size: int, total: int) -> tuple[int, int, int]:
    """Clamp the page into range and return (page, offset, pages)."""
    pages = max(1, -(-total // page_size))
    page = min(max(1, page), pages)
    return page, (page - 1) * page_size, pages
