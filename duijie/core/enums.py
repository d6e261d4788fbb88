"""Shared helpers for states and their allowed transitions."""

from __future__ import annotations

from enum import StrEnum

from duijie.core.errors import DomainError


class LabelledEnum(StrEnum):
    """A string enum whose members carry a Chinese and an English label for pages and exports."""

    def __new__(cls, value: str, zh: str = "", en: str = "") -> LabelledEnum:
        obj = str.__new__(cls, value)
        obj._value_ = value
        obj.zh = zh or value  # type: ignore[attr-defined]
        obj.en = en or value.replace("_", " ")  # type: ignore[attr-defined]
        return obj

    def label(self, locale: str) -> str:
        return self.zh if locale.startswith("zh") else self.en  # type: ignore[attr-defined]

    @classmethod
    def parse(cls, value: str, *, field: str) -> LabelledEnum:
        """The member named by `value` (its code, Chinese or English label), or a DomainError naming the field."""
        text = value.strip()
        for member in cls:
            if text in (member.value, member.zh, member.en) or text.lower() == member.en.lower():  # type: ignore[attr-defined]
                return member
        allowed = "、".join(m.zh for m in cls)  # type: ignore[attr-defined]
        raise DomainError(f"unknown value {value!r}; allowed: {allowed}", field=field)
