"""The judge assignment's data: the affinity table it reads, the assignment and certificate it returns, and the
errors that name what to fix. Plain data, no database; `assignment.py` holds the algorithm's entry points."""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from duijie.core.errors import DomainError, ErrorDetail

Objective = Literal["total", "fair"]


class ContestInputError(DomainError):
    """Malformed assignment input (an id, a value or a parameter), named so the user can fix it."""


class AssignmentInfeasible(DomainError):
    """No assignment satisfies k, L, M and the conflicts; lists the entries (and judges) that block it."""

    def __init__(
        self, message: str, *, entries: dict[str, str], judges: dict[str, str] | None = None
    ) -> None:
        details = [ErrorDetail(message=reason, field=f"entry {eid}") for eid, reason in entries.items()]
        details += [
            ErrorDetail(message=reason, field=f"judge {jid}") for jid, reason in (judges or {}).items()
        ]
        super().__init__(message, field="entries", details=details or None)
        self.entries = entries
        self.judges = judges or {}

    def __str__(self) -> str:
        lines = [self.message]
        lines += [f"  entry {eid}: {reason}" for eid, reason in self.entries.items()]
        lines += [f"  judge {jid}: {reason}" for jid, reason in self.judges.items()]
        return "\n".join(lines)


@dataclass(frozen=True)
class AffinityTable:
    """Dense entry x judge affinities; NaN marks a pair whose affinity is unknown (never assigned)."""

    entries: tuple[str, ...]
    judges: tuple[str, ...]
    values: np.ndarray

    def __post_init__(self) -> None:
        if self.values.shape != (len(self.entries), len(self.judges)):
            raise ContestInputError(
                f"affinity matrix has shape {self.values.shape}, expected "
                f"({len(self.entries)} entries, {len(self.judges)} judges)",
                field="affinity",
            )
        for kind, ids in (("entry", self.entries), ("judge", self.judges)):
            if len(set(ids)) != len(ids):
                dup = sorted({i for i in ids if ids.count(i) > 1})[0]
                raise ContestInputError(f"{kind} id {dup!r} appears twice", field=kind)
        if np.isinf(self.values).any():
            e, j = np.argwhere(np.isinf(self.values))[0]
            raise ContestInputError(
                f"affinity of entry {self.entries[e]!r} and judge {self.judges[j]!r} is infinite",
                field="affinity",
            )

    @classmethod
    def from_rows(
        cls,
        rows: Iterable[tuple[str, str, float]],
        *,
        missing_score: float | None = None,
        source: str = "scores",
        row_numbers: Sequence[int] | None = None,
    ) -> AffinityTable:
        """Build the table from (entry, judge, score) rows, streaming; ids keep their order of first appearance.

        ``row_numbers`` (filled by the caller while ``rows`` is consumed) names file rows in error messages.
        """
        entry_index: dict[str, int] = {}
        judge_index: dict[str, int] = {}
        es = array("q")
        js = array("q")
        vs = array("d")
        for entry, judge, score in rows:
            es.append(entry_index.setdefault(entry, len(entry_index)))
            js.append(judge_index.setdefault(judge, len(judge_index)))
            vs.append(score)
        fill = np.nan if missing_score is None else float(missing_score)
        values = np.full((len(entry_index), len(judge_index)), fill, dtype=np.float64)
        e_arr = np.frombuffer(es, dtype=np.int64) if es else np.zeros(0, dtype=np.int64)
        j_arr = np.frombuffer(js, dtype=np.int64) if js else np.zeros(0, dtype=np.int64)
        flat = e_arr * len(judge_index) + j_arr
        order = np.argsort(flat, kind="stable")
        repeated = np.flatnonzero(flat[order][1:] == flat[order][:-1])
        if repeated.size:
            pos = int(order[1:][repeated].min())
            first = int(order[repeated[np.argmin(order[1:][repeated])]])
            number = (lambda i: row_numbers[i]) if row_numbers is not None else (lambda i: i + 1)
            entries = list(entry_index)
            judges = list(judge_index)
            raise ContestInputError(
                f"{source} row {number(pos)}: pair (entry {entries[es[pos]]!r}, judge {judges[js[pos]]!r}) "
                f"was already given in row {number(first)}",
                field=source,
            )
        values[e_arr, j_arr] = np.frombuffer(vs, dtype=np.float64) if vs else 0.0
        return cls(entries=tuple(entry_index), judges=tuple(judge_index), values=values)


@dataclass(frozen=True)
class Certificate:
    """What is proven about the returned assignment's objective value."""

    objective: Objective
    method: str
    value: float
    upper_bound: float
    exact: bool
    resolution: float
    detail: str

    @property
    def gap(self) -> float:
        """Absolute distance between the achieved value and the proven bound."""
        return max(0.0, self.upper_bound - self.value)


@dataclass(frozen=True)
class Assignment:
    """An assignment with its per-entry and per-judge figures and its optimality certificate."""

    pairs: tuple[tuple[str, str, float], ...]
    entry_totals: dict[str, float]
    judge_loads: dict[str, int]
    judge_totals: dict[str, float]
    objective: Objective
    total_affinity: float
    min_entry_total: float
    mean_affinity: float
    min_affinity: float
    certificate: Certificate

    @property
    def load_range(self) -> tuple[int, int]:
        """Smallest and largest number of entries any judge reviews."""
        loads = list(self.judge_loads.values())
        return (min(loads), max(loads)) if loads else (0, 0)


@dataclass(frozen=True)
class Reassignment:
    """The repaired assignment after a judge dropped out, with exactly the pairs that changed."""

    assignment: Assignment
    removed: tuple[tuple[str, str], ...]
    added: tuple[tuple[str, str, float], ...]
