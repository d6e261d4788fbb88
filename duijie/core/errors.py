"""Domain errors that speak to the user: what is wrong, where (field, row, column), and how to fix it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class ErrorDetail:
    message: str
    field: str | None = None
    row: int | None = None
    column: str | None = None
    sheet: str | None = None

    def where(self) -> str:
        parts = []
        if self.sheet:
            parts.append(self.sheet)
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column}")
        if self.field:
            parts.append(self.field)
        return " ".join(parts)

    def as_dict(self) -> dict[str, object]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


class DomainError(Exception):
    """A refusal the user can act on; the web shows it next to the field, the API returns it as JSON."""

    status_code = 422

    def __init__(self, message: str, *, field: str | None = None, details: list[ErrorDetail] | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.details = details or [ErrorDetail(message=message, field=field)]


class NotFound(DomainError):
    status_code = 404


class PermissionDenied(DomainError):
    status_code = 403


class InvalidTransition(DomainError):
    status_code = 409
