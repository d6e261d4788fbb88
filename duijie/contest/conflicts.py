"""Conflict-of-interest detection between contest entries and judges, from plain records.

Rules, each recorded as a reason: the same organisation; a conflict declared by the judge (an entry id or
an organisation) or by the entrant (a judge id); the judge's employment at the entrant's organisation, or an
investment by the judge (or the judge's organisation) in the entrant, within the look-back window; a
co-investment (judge and entrant invested in the same company) within the window; and, when a round asks
for it, the same country. Organisation names are compared after NFKC folding, case folding and removing
white space, so "Tsinghua University" and "ｔｓｉｎｇｈｕａ university" match.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from duijie.core.errors import DomainError


class ConflictInputError(DomainError):
    """A malformed entry or judge record, named by its id and field."""


@dataclass(frozen=True)
class Tie:
    """A dated link to an organisation: an employment, or an investment (made in, or received from)."""

    organisation: str
    start: date | None = None
    end: date | None = None


@dataclass(frozen=True)
class EntryRecord:
    """What conflict detection needs to know about an entry and the enterprise behind it."""

    id: str
    organisation: str
    country: str | None = None
    investors: tuple[Tie, ...] = ()
    investments: tuple[Tie, ...] = ()
    declared_judges: tuple[str, ...] = ()


@dataclass(frozen=True)
class JudgeRecord:
    """What conflict detection needs to know about a judge."""

    id: str
    organisation: str | None = None
    country: str | None = None
    employments: tuple[Tie, ...] = ()
    investments: tuple[Tie, ...] = ()
    declared: tuple[str, ...] = ()


@dataclass(frozen=True)
class ConflictRules:
    """The round's rules: the reference date, the look-back window and the optional same-country rule."""

    as_of: date
    window_days: int = 3 * 365
    same_country: bool = False
    exempt_countries: frozenset[str] = field(default_factory=frozenset)


class Conflict(NamedTuple):
    """One conflicted pair with every reason found, joined in a fixed order."""

    entry_id: str
    judge_id: str
    reason: str


def org_key(name: str) -> str:
    """Comparable form of an organisation name, so spelling variants of width, case and spacing match."""
    return "".join(unicodedata.normalize("NFKC", name).casefold().split())


def _recent(tie: Tie, rules: ConflictRules) -> bool:
    """True if the tie was active on some day of the window ending at the reference date."""
    window_start = date.fromordinal(rules.as_of.toordinal() - rules.window_days)
    if tie.start is not None and tie.start > rules.as_of:
        return False
    return tie.end is None or tie.end >= window_start


def _check(entries: Sequence[EntryRecord], judges: Sequence[JudgeRecord]) -> None:
    """Refuse repeated or empty ids, missing organisations and inverted date ranges."""
    for kind, ids in (("entry", [e.id for e in entries]), ("judge", [j.id for j in judges])):
        seen: set[str] = set()
        for i in ids:
            if not i:
                raise ConflictInputError(f"a {kind} has an empty id", field=f"{kind}.id")
            if i in seen:
                raise ConflictInputError(f"{kind} id {i!r} appears twice", field=f"{kind}.id")
            seen.add(i)
    for e in entries:
        if not e.organisation.strip():
            raise ConflictInputError(f"entry {e.id!r} has no organisation", field="entry.organisation")
    for j in judges:
        for tie in (*j.employments, *j.investments):
            if tie.start and tie.end and tie.end < tie.start:
                raise ConflictInputError(
                    f"judge {j.id!r}: the tie with {tie.organisation!r} ends ({tie.end}) before it starts "
                    f"({tie.start})",
                    field="judge.ties",
                )


def detect_conflicts(
    entries: Sequence[EntryRecord], judges: Sequence[JudgeRecord], rules: ConflictRules
) -> list[Conflict]:
    """Every conflicted (entry, judge) pair with its reasons, in entry then judge input order."""
    _check(entries, judges)
    by_org: dict[str, list[int]] = defaultdict(list)
    by_investor: dict[str, list[int]] = defaultdict(list)
    by_portfolio: dict[str, list[tuple[int, str]]] = defaultdict(list)
    by_country: dict[str, list[int]] = defaultdict(list)
    entry_index = {e.id: i for i, e in enumerate(entries)}
    for i, e in enumerate(entries):
        by_org[org_key(e.organisation)].append(i)
        for tie in e.investors:
            if _recent(tie, rules):
                by_investor[org_key(tie.organisation)].append(i)
        for tie in e.investments:
            if _recent(tie, rules):
                by_portfolio[org_key(tie.organisation)].append((i, tie.organisation))
        if e.country:
            by_country[e.country.strip().casefold()].append(i)
    judge_index = {j.id: i for i, j in enumerate(judges)}
    found: dict[tuple[int, int], list[str]] = defaultdict(list)

    def mark(e: int, j: int, reason: str) -> None:
        if reason not in found[(e, j)]:
            found[(e, j)].append(reason)

    for ji, j in enumerate(judges):
        own = org_key(j.organisation) if j.organisation else None
        if own:
            for k in by_org.get(own, ()):
                mark(k, ji, f"same organisation ({j.organisation})")
            for k in by_investor.get(own, ()):
                mark(k, ji, f"the judge's organisation {j.organisation} invested in the entrant")
        for item in j.declared:
            if item in entry_index:
                mark(entry_index[item], ji, "declared by the judge")
            for k in by_org.get(org_key(item), ()):
                mark(k, ji, f"declared by the judge ({item})")
        for tie in j.employments:
            if _recent(tie, rules):
                for k in by_org.get(org_key(tie.organisation), ()):
                    mark(k, ji, f"recent employment at {tie.organisation}")
        for tie in j.investments:
            if not _recent(tie, rules):
                continue
            key = org_key(tie.organisation)
            for k in by_org.get(key, ()):
                mark(k, ji, f"the judge invested in the entrant ({tie.organisation})")
            for k, name in by_portfolio.get(key, ()):
                mark(k, ji, f"recent co-investment in {name}")
        if rules.same_country and j.country:
            country = j.country.strip().casefold()
            if country not in {c.casefold() for c in rules.exempt_countries}:
                for k in by_country.get(country, ()):
                    mark(k, ji, f"same country ({j.country})")
    for ei, e in enumerate(entries):
        for jid in e.declared_judges:
            if jid not in judge_index:
                raise ConflictInputError(
                    f"entry {e.id!r} declares a conflict with unknown judge {jid!r}",
                    field="entry.declared_judges",
                )
            mark(ei, judge_index[jid], "declared by the entrant")
    return [
        Conflict(entries[e].id, judges[j].id, "; ".join(reasons)) for (e, j), reasons in sorted(found.items())
    ]


def conflict_pairs(conflicts: Iterable[Conflict]) -> list[tuple[str, str]]:
    """The (entry, judge) pairs, as the assignment takes them."""
    return [(c.entry_id, c.judge_id) for c in conflicts]
