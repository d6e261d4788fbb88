"""The CP-SAT model of idle gaps, shared by the exact gap phase and the agenda neighbourhoods.

Per participant and session, "a meeting at or before k" / "at or after k" chains and a hole literal per free
slot between them; minimising their sum counts the idle gaps exactly.
"""

from __future__ import annotations

from typing import Any

Busy = int | Any


def busy_literal(model: Any, terms: list[Any], fixed: bool, hint: bool | None = None) -> Busy:
    """Whether one person meets in one slot: 1 when a kept meeting is there, else a literal or 0."""
    if fixed:
        return 1
    if not terms:
        return 0
    if len(terms) == 1:
        return terms[0]
    busy = model.new_bool_var("")
    model.add(busy == sum(terms))
    if hint is not None:
        model.add_hint(busy, hint)
    return busy


def _is_const(value: Busy, constant: int) -> bool:
    """Whether a busy entry is the given constant rather than a literal."""
    return isinstance(value, int) and value == constant


def hole_literals(model: Any, row: list[Busy], hint: list[bool] | None = None) -> tuple[list[Any], int]:
    """Literals and a constant whose sum is the idle gaps of one agenda over one session when minimised.

    `row` holds, per slot of the session in time order, 1 (a kept meeting), 0 (never a meeting) or a
    literal. `before[k]` is "a meeting at or before k" and `after[k]` "a meeting at or after k", each
    equivalent to its chain (so they propagate both ways), and slot k is a hole when before[k - 1] and
    after[k + 1] hold and k is free. Constant parts fold into the count; with `hint` (the busy slots of a
    known schedule) every auxiliary literal is hinted too, so the solver starts from a complete solution.
    """
    n = len(row)

    def chain(order: range) -> list[Busy]:
        out: list[Busy] = [0] * n
        prev: Busy = 0
        seen = False
        for k in order:
            value = row[k]
            seen = seen or (hint is not None and hint[k])
            if _is_const(value, 1) or _is_const(prev, 1):
                prev = 1
            elif isinstance(value, int):
                pass
            elif isinstance(prev, int):
                prev = value
            else:
                lit = model.new_bool_var("")
                model.add_bool_or([value, prev]).only_enforce_if(lit)
                model.add_implication(value, lit)
                model.add_implication(prev, lit)
                if hint is not None:
                    model.add_hint(lit, seen)
                prev = lit
            out[k] = prev
        return out

    before = chain(range(n))
    after = chain(range(n - 1, -1, -1))
    holes: list[Any] = []
    constant = 0
    for k in range(1, n - 1):
        value, left, right = row[k], before[k - 1], after[k + 1]
        if _is_const(value, 1) or _is_const(left, 0) or _is_const(right, 0):
            continue
        free = [x for x in (left, right) if not isinstance(x, int)]
        if not free and isinstance(value, int):
            constant += 1
            continue
        hole = model.new_bool_var("")
        clause = [x.Not() for x in free] + [hole]
        if not isinstance(value, int):
            clause.append(value)
        model.add_bool_or(clause)
        if hint is not None:
            model.add_hint(hole, any(hint[:k]) and any(hint[k + 1 :]) and not hint[k])
        holes.append(hole)
    return holes, constant
