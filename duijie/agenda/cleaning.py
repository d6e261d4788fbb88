"""Reading a record's fields as an organiser gives them (a form's text, a command's options, a file's values or
the API's typed values) into column values, collecting EVERY problem with the field it concerns, in the
request's language, so that one refusal lists them all. Used by `agenda.editing` for rooms, tracks, sessions,
people on sessions and speaker profiles."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from duijie.agenda.service import event_zone, to_utc
from duijie.core.errors import DomainError, ErrorDetail
from duijie.core.i18n import gettext as _
from duijie.core.validation import text_problem
from duijie.events.models import Event


def invalid(errors: list[ErrorDetail]) -> DomainError:
    return DomainError("；".join(e.message for e in errors), field=errors[0].field, details=errors)


def blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


class Cleaner:
    """Reads the given fields of one record, collecting every problem with its field."""

    def __init__(self, raw: Mapping[str, object], event: Event, *, prefix: str = "") -> None:
        self.raw = raw
        self.event = event
        self.prefix = prefix
        self.values: dict[str, Any] = {}
        self.errors: list[ErrorDetail] = []

    def problem(self, name: str, message: str) -> None:
        self.errors.append(ErrorDetail(message, field=self.prefix + name))

    def given(self, name: str) -> bool:
        return name in self.raw

    def text(self, name: str, limit: int, *, required: bool = False, multiline: bool = False,
             creating: bool = False) -> None:
        if name not in self.raw:
            if creating and required:
                self.problem(name, _("Fill in this field."))
            return
        value = self.raw[name]
        if blank(value):
            if required:
                self.problem(name, _("Fill in this field."))
            else:
                self.values[name] = None
            return
        text = str(value).strip()
        if len(text) > limit:
            self.problem(name, _("The text is too long: %(n)s characters, at most %(max)s.") % {
                "n": len(text), "max": limit})
            return
        trouble = text_problem(text, multiline=multiline)
        if trouble:
            self.problem(name, trouble)
            return
        self.values[name] = text

    def choice(self, name: str, allowed: tuple[str, ...], *, default: str | None = None,
               creating: bool = False) -> None:
        if name not in self.raw or blank(self.raw[name]):
            if creating and default is not None:
                self.values[name] = default
            elif name in self.raw:
                self.problem(name, _("Choose one of: %(allowed)s.") % {"allowed": ", ".join(allowed)})
            return
        text = str(self.raw[name]).strip()
        if text not in allowed:
            self.problem(name, _("%(value)s is not one of: %(allowed)s.") % {
                "value": text[:40], "allowed": ", ".join(allowed)})
            return
        self.values[name] = text

    def integer(self, name: str, *, minimum: int = 0, required: bool = False, creating: bool = False) -> None:
        if name not in self.raw:
            if creating and required:
                self.problem(name, _("Fill in this field."))
            return
        value = self.raw[name]
        if blank(value):
            if required:
                self.problem(name, _("Fill in this field."))
            else:
                self.values[name] = None
            return
        number: int | None = None
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        elif isinstance(value, str) and value.strip().lstrip("-").isdigit():
            number = int(value.strip())
        if number is None:
            self.problem(name, _("%(value)s is not a whole number.") % {"value": str(value)[:40]})
            return
        if number < minimum or number > 2_000_000_000:
            self.problem(name, _("Give a whole number from %(min)s to %(max)s.") % {
                "min": minimum, "max": 2_000_000_000})
            return
        self.values[name] = number

    def boolean(self, name: str) -> None:
        if name not in self.raw:
            return
        value = self.raw[name]
        if isinstance(value, bool):
            self.values[name] = value
        elif isinstance(value, str) and value.strip().lower() in ("1", "true", "yes", "on", "是"):
            self.values[name] = True
        elif blank(value) or (isinstance(value, str) and value.strip().lower() in ("0", "false", "no", "off", "否")):
            self.values[name] = False
        else:
            self.problem(name, _("Answer yes or no."))

    def time(self, name: str, value: object | None = None, where: str | None = None) -> dt.datetime | None:
        value = self.raw.get(name) if value is None else value
        try:
            return to_utc(value, self.event)
        except (ValueError, OverflowError):
            self.problem(where or name, _(
                "%(value)s is not a time; write it like 2026-04-25T09:00+08:00, or 2026-04-25 09:00 in the "
                "event's time zone (%(zone)s).") % {"value": str(value)[:40], "zone": event_zone(self.event).key})
            return None

    def windows(self, name: str) -> list[tuple[dt.datetime, dt.datetime]] | None:
        """[[start, end], ...] or [{"start", "end"}, ...]; each end after its start."""
        if name not in self.raw:
            return None
        value = self.raw[name]
        if blank(value):
            return []
        if not isinstance(value, list | tuple):
            self.problem(name, _("Expected a list of [start, end] pairs."))
            return None
        out: list[tuple[dt.datetime, dt.datetime]] = []
        for n, item in enumerate(value):
            where = f"{name}[{n}]"
            if isinstance(item, Mapping):
                pair: Any = (item.get("start"), item.get("end"))
            elif isinstance(item, list | tuple) and len(item) == 2:
                pair = item
            else:
                self.problem(where, _("Expected a [start, end] pair."))
                continue
            start = self.time(name, pair[0], f"{where}.start")
            end = self.time(name, pair[1], f"{where}.end")
            if start is None or end is None:
                continue
            if end <= start:
                self.problem(f"{where}.end", _("The end must be after the start."))
                continue
            out.append((start, end))
        return out
