"""Booth allocation as an optimisation, with a proven bound and an independent checker.

The floor plan is a set of booths (size in m², hall, zone, corner, power, and which booths touch); the
exhibitors ask for a size, bring a category and a sponsor tier, may want a corner, power or a hall, and may
name competitors they must not stand next to. Booths already confirmed stay where they are.

Hard rules (never broken, re-verified by `check`):
- an exhibitor has at most one booth, a booth at most one exhibitor;
- the booth is at least the size asked for and at most `max_oversize` times it (no 9 m² stand in a 72 m² hall
  corner);
- a booth in a zone takes only the categories that zone is for (a booth with no zone takes any);
- no two exhibitors that name each other (either way) as competitors stand on touching booths;
- a confirmed booth stays with its exhibitor.

Objective, lexicographic: first the most exhibitors of the highest tier, then of the next, ... (a lower tier
never gets a booth at the cost of a higher tier's), then the most satisfied preferences (corner, power, hall
wanted; a size that fits exactly). How it is solved, and the bound it is measured against: `allocate`.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np
from scipy.optimize import linear_sum_assignment

from duijie.core.errors import DomainError, ErrorDetail

# Tiers from highest to lowest; an unknown tier is refused when the input is read.
TIERS: tuple[str, ...] = ("platinum", "gold", "silver", "standard")
# What one satisfied preference is worth in the last phase (the exact size counts for less than a wish).
PREFERENCE_POINTS = MappingProxyType({"corner": 2, "power": 2, "hall": 2, "exact_size": 1})


@dataclass(frozen=True)
class Booth:
    id: str
    size: float
    hall: str | None = None
    zone: str | None = None
    corner: bool = False
    power: bool = False
    adjacent: tuple[str, ...] = ()


@dataclass(frozen=True)
class Exhibitor:
    id: str
    size: float
    category: str | None = None
    tier: str = "standard"
    corner: bool = False
    power: bool = False
    hall: str | None = None
    not_next_to: tuple[str, ...] = ()
    confirmed: str | None = None


@dataclass(frozen=True)
class FloorPlan:
    booths: tuple[Booth, ...]
    exhibitors: tuple[Exhibitor, ...]
    # zone -> the categories its booths take; a zone not listed takes any category
    zones: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    max_oversize: float = 2.0


@dataclass
class PhaseReport:
    name: str
    value: int
    bound: int
    status: str
    seconds: float


@dataclass
class Allocation:
    """Where each exhibitor stands (None: no booth), the phases' figures, and why, in words."""

    booth_of: dict[str, str | None]
    tier_counts: dict[str, int]
    tier_bounds: dict[str, int]
    preferences: int
    preference_bound: int
    phases: list[PhaseReport]
    reasons: dict[str, str]

    @property
    def tier_shortfall(self) -> int:
        """How many exhibitors fewer than the bound were placed, over all tiers (0 when every tier is proven)."""
        return sum(self.tier_bounds[t] - self.tier_counts.get(t, 0) for t in self.tier_bounds)

    @property
    def gap(self) -> float | None:
        """The preference points' relative gap to their bound, when every tier is at its bound (None otherwise:
        then the shortfall is the figure to read)."""
        if self.tier_shortfall:
            return None
        if self.preference_bound <= 0:
            return 0.0
        return max(0.0, (self.preference_bound - self.preferences) / self.preference_bound)

    def as_dict(self) -> dict[str, Any]:
        return {
            "booth_of": self.booth_of,
            "tier_counts": self.tier_counts,
            "tier_bounds": self.tier_bounds,
            "preferences": self.preferences,
            "preference_bound": self.preference_bound,
            "tier_shortfall": self.tier_shortfall,
            "gap": None if self.gap is None else round(self.gap, 6),
            "phases": [asdict(p) for p in self.phases],
            "reasons": self.reasons,
        }


# -- reading a plan ---------------------------------------------------------------------------------------------
def _problem(where: str, field_name: str, message: str) -> ErrorDetail:
    return ErrorDetail(f"{where}: {field_name}: {message}", field=field_name)


def _area(raw: Mapping[str, Any], where: str, problems: list[ErrorDetail]) -> float | None:
    """The item's size in m², or None with the problem noted (a booth and an exhibitor both have one)."""
    try:
        size = float(raw["size"])
    except (KeyError, TypeError, ValueError):
        size = 0.0
    if size > 0:
        return size
    problems.append(_problem(where, "size", "a positive area in m² is needed"))
    return None


def read_plan(data: Mapping[str, Any]) -> FloorPlan:
    """A floor plan from its JSON form, every problem named by list, index and field (all of them at once)."""
    problems: list[ErrorDetail] = []
    booths: list[Booth] = []
    for k, raw in enumerate(data.get("booths") or []):
        where = f"booths[{k}]"
        size = _area(raw, where, problems)
        if size is None:
            continue
        if not str(raw.get("id") or "").strip():
            problems.append(_problem(where, "id", "every booth needs an id"))
            continue
        booths.append(
            Booth(
                id=str(raw["id"]),
                size=size,
                hall=raw.get("hall"),
                zone=raw.get("zone"),
                corner=bool(raw.get("corner", False)),
                power=bool(raw.get("power", False)),
                adjacent=tuple(str(a) for a in raw.get("adjacent") or ()),
            )
        )
    ids = {b.id for b in booths}
    if len(ids) != len(booths):
        problems.append(ErrorDetail("booths: two booths share an id", field="id"))
    for k, b in enumerate(booths):
        for other in b.adjacent:
            if other not in ids:
                problems.append(_problem(f"booths[{k}]", "adjacent", f"no booth {other!r}"))
    exhibitors: list[Exhibitor] = []
    for k, raw in enumerate(data.get("exhibitors") or []):
        where = f"exhibitors[{k}]"
        size = _area(raw, where, problems)
        if size is None:
            continue
        tier = str(raw.get("tier") or "standard")
        if tier not in TIERS:
            problems.append(_problem(where, "tier", f"{tier!r} is not one of {', '.join(TIERS)}"))
            continue
        confirmed = raw.get("confirmed")
        if confirmed is not None and str(confirmed) not in ids:
            problems.append(_problem(where, "confirmed", f"no booth {confirmed!r}"))
            continue
        exhibitors.append(
            Exhibitor(
                id=str(raw.get("id") or f"exhibitor-{k}"),
                size=size,
                category=raw.get("category"),
                tier=tier,
                corner=bool(raw.get("corner", False)),
                power=bool(raw.get("power", False)),
                hall=raw.get("hall"),
                not_next_to=tuple(str(x) for x in raw.get("not_next_to") or ()),
                confirmed=str(confirmed) if confirmed is not None else None,
            )
        )
    taken: dict[str, str] = {}
    for e in exhibitors:
        if e.confirmed is not None:
            if e.confirmed in taken:
                problems.append(
                    ErrorDetail(
                        f"booth {e.confirmed!r} is confirmed for both {taken[e.confirmed]!r} and {e.id!r}"
                    )
                )
            taken[e.confirmed] = e.id
    if problems:
        raise DomainError(problems[0].message, field=problems[0].field, details=problems)
    zones = {str(z): tuple(str(c) for c in cats) for z, cats in (data.get("zones") or {}).items()}
    return FloorPlan(tuple(booths), tuple(exhibitors), zones, float(data.get("max_oversize", 2.0)))


# -- the rules --------------------------------------------------------------------------------------------------
def fits(plan: FloorPlan, e: Exhibitor, b: Booth) -> bool:
    """Whether exhibitor `e` may stand on booth `b` at all (size and zone); a confirmed booth always fits."""
    if e.confirmed is not None:
        return e.confirmed == b.id
    if b.size < e.size or b.size > e.size * plan.max_oversize:
        return False
    allowed = plan.zones.get(b.zone) if b.zone else None
    return allowed is None or (e.category is not None and e.category in allowed)


def points(e: Exhibitor, b: Booth) -> int:
    """The preference points `e` earns on `b`."""
    total = 0
    if e.corner and b.corner:
        total += PREFERENCE_POINTS["corner"]
    if e.power and b.power:
        total += PREFERENCE_POINTS["power"]
    if e.hall and b.hall == e.hall:
        total += PREFERENCE_POINTS["hall"]
    if b.size == e.size:
        total += PREFERENCE_POINTS["exact_size"]
    return total


def competitor_pairs(plan: FloorPlan) -> set[tuple[str, str]]:
    """Every pair that must not touch, named either way, each once (sorted)."""
    known = {e.id for e in plan.exhibitors}
    pairs = set()
    for e in plan.exhibitors:
        for other in e.not_next_to:
            if other in known and other != e.id:
                pairs.add((min(e.id, other), max(e.id, other)))
    return pairs


def _neighbours(plan: FloorPlan) -> dict[str, set[str]]:
    """Touching booths, made symmetric (a plan may list a contact on one side only)."""
    out: dict[str, set[str]] = {b.id: set() for b in plan.booths}
    for b in plan.booths:
        for other in b.adjacent:
            if other != b.id:
                out[b.id].add(other)
                out[other].add(b.id)
    return out


# -- solving ----------------------------------------------------------------------------------------------------
def _weights(plan: FloorPlan) -> tuple[np.ndarray, dict[str, int]]:
    """The combined weight of every (exhibitor, booth) pair, lexicographic by construction: one exhibitor of a
    tier outweighs every exhibitor of the tiers below and all preference points together; pairs that break a
    hard rule are forbidden. Columns after the booths are "no booth" (weight 0), one per exhibitor."""
    n, m = len(plan.exhibitors), len(plan.booths)
    # One exhibitor of a tier outweighs everything below it: every lower-tier exhibitor and all the points.
    below = sum(PREFERENCE_POINTS.values()) * n
    tier_weight: dict[str, int] = {}
    for tier in reversed(TIERS):
        tier_weight[tier] = below + 1
        below += tier_weight[tier] * sum(1 for e in plan.exhibitors if e.tier == tier)
    if below > 2**52:  # float64 adds integers exactly up to 2^53
        raise DomainError("the plan is too large for exact weights; split it by hall")
    w = np.full((n, m + n), FORBIDDEN, dtype=np.float64)
    for i, e in enumerate(plan.exhibitors):
        w[i, m + i] = 0.0
        for j, b in enumerate(plan.booths):
            if fits(plan, e, b):
                w[i, j] = tier_weight[e.tier] + points(e, b)
        if e.confirmed is not None:
            w[i, m + i] = FORBIDDEN  # a confirmed exhibitor keeps its booth: "no booth" is not an option
    return w, tier_weight


FORBIDDEN = -1e18


def _solve_assignment(w: np.ndarray, m: int) -> dict[int, int]:
    rows, cols = linear_sum_assignment(w, maximize=True)
    return {int(i): int(j) for i, j in zip(rows, cols, strict=True) if j < m and w[i, j] > FORBIDDEN / 2}


def allocate(plan: FloorPlan, *, seconds: float = 60.0) -> Allocation:
    """The allocation and its proven bound.

    Without the competitor rule the problem is an assignment problem, solved exactly (Hungarian algorithm on
    the lexicographic weights of `_weights`): its optimum is an upper bound for the real problem. Where two
    competitors land on touching booths, one of the two must move: both ways are solved again (with that
    placement forbidden) and the better kept, clash after clash, until none touch or the time is spent (then
    the lower placement of each remaining clash is dropped, so the rules always hold). The report gives, per
    tier, how many were placed against the bound, and the preference points against theirs; where both reach
    the bound, the allocation is proven optimal."""
    started = time.monotonic()
    w, _tier_weight = _weights(plan)
    m = len(plan.booths)
    ids = [e.id for e in plan.exhibitors]
    booth_ids = [b.id for b in plan.booths]
    neighbours = _neighbours(plan)
    pairs = competitor_pairs(plan)
    position = {eid: i for i, eid in enumerate(ids)}

    def figures(chosen: Mapping[int, int]) -> tuple[dict[str, int], int]:
        counts = dict.fromkeys(TIERS, 0)
        total = 0
        for i, j in chosen.items():
            e = plan.exhibitors[i]
            counts[e.tier] += 1
            total += points(e, plan.booths[j])
        return counts, total

    chosen = _solve_assignment(w, m)
    bound_counts, bound_points = figures(chosen)
    upper = _total(chosen, w)
    phases = [PhaseReport("assignment without the competitor rule", upper, upper, "OPTIMAL",
                          round(time.monotonic() - started, 3))]  # fmt: skip

    def clashes_of(current: Mapping[int, int]) -> list[tuple[int, int]]:
        found = []
        for a, c in sorted(pairs):
            ia, ic = position[a], position[c]
            if (
                ia in current
                and ic in current
                and booth_ids[current[ic]] in neighbours[booth_ids[current[ia]]]
            ):
                found.append((ia, ic))
        return found

    rounds = 0
    clashes = clashes_of(chosen)
    while clashes and time.monotonic() - started < seconds:
        # A greedy dive: the first clash is settled by trying both ways (one of the two moves) and keeping the
        # better allocation; a confirmed exhibitor never moves.
        rounds += 1
        ia, ic = clashes[0]
        best: tuple[float, dict[int, int], np.ndarray] | None = None
        for mover in (ia, ic):
            if plan.exhibitors[mover].confirmed:
                continue
            trial = w.copy()
            trial[mover, chosen[mover]] = FORBIDDEN
            solved = _solve_assignment(trial, m)
            value = float(sum(trial[i, j] for i, j in solved.items()))
            if best is None or value > best[0]:
                best = (value, solved, trial)
        if best is None:
            raise DomainError(
                f"confirmed competitors {ids[ia]} and {ids[ic]} stand on touching booths: move one of them first"
            )
        _value, chosen, w = best
        clashes = clashes_of(chosen)
    clash_free = not clashes
    if (
        not clash_free
    ):  # out of time: drop the lower placement of each remaining clash (still keeps the rules)
        for ia, ic in clashes:
            loser = ic if w[ic, chosen.get(ic, 0)] <= w[ia, chosen.get(ia, 0)] else ia
            if not plan.exhibitors[loser].confirmed:
                chosen.pop(loser, None)
    counts, total = figures(chosen)
    proven = counts == bound_counts and total == bound_points  # the relaxation's optimum is reached
    status = "OPTIMAL" if proven else ("FEASIBLE" if clash_free else "FEASIBLE (time limit)")
    phases.append(PhaseReport(f"competitors kept apart ({rounds} rounds)", _total(chosen, w), upper, status,
                              round(time.monotonic() - started, 3)))  # fmt: skip
    # The points bound holds for the allocations that place as many of each tier as the bound does.
    same_tiers = counts == bound_counts
    booth_of: dict[str, str | None] = dict.fromkeys(ids)
    for i, j in chosen.items():
        booth_of[ids[i]] = booth_ids[j]
    return Allocation(
        booth_of=booth_of,
        tier_counts=counts,
        tier_bounds=bound_counts,
        preferences=total,
        preference_bound=bound_points if same_tiers else max(bound_points, total),
        phases=phases,
        reasons=explain(plan, booth_of),
    )


def _total(chosen: Mapping[int, int], w: np.ndarray) -> int:
    return int(sum(w[i, j] for i, j in chosen.items()))


# -- explaining and checking -------------------------------------------------------------------------------------
def explain(plan: FloorPlan, booth_of: Mapping[str, str | None]) -> dict[str, str]:
    """Why each exhibitor stands where it does (or nowhere), in words."""
    booths = {b.id: b for b in plan.booths}
    taken = {bid for bid in booth_of.values() if bid}
    out: dict[str, str] = {}
    for e in plan.exhibitors:
        bid = booth_of.get(e.id)
        if bid is None:
            free = [b for b in plan.booths if b.id not in taken and fits(plan, e, b)]
            if not any(fits(plan, e, b) for b in plan.booths):
                out[e.id] = (
                    f"no booth of {e.size:g}–{e.size * plan.max_oversize:g} m² in a zone that takes "
                    f"{e.category or 'its category'}"
                )
            elif not free:
                out[e.id] = "every booth that fits is taken by an exhibitor of the same or a higher tier"
            else:
                out[e.id] = "the free booths that fit stand next to one of its competitors"
            continue
        b = booths[bid]
        parts = [
            f"booth {b.id} ({b.size:g} m²{', corner' if b.corner else ''}{', power' if b.power else ''})"
        ]
        if e.confirmed:
            parts.append("confirmed before this plan")
        wished = [
            (e.corner, b.corner, "corner"),
            (e.power, b.power, "power"),
            (bool(e.hall), b.hall == e.hall, f"hall {e.hall}"),
        ]
        met = [name for wanted, got, name in wished if wanted and got]
        missed = [name for wanted, got, name in wished if wanted and not got]
        if met:
            parts.append("wished and given: " + ", ".join(met))
        if missed:
            parts.append("wished, not possible: " + ", ".join(missed))
        out[e.id] = "; ".join(parts)
    return out


def check(plan: FloorPlan, booth_of: Mapping[str, str | None]) -> list[str]:
    """Every hard rule the allocation breaks, in words (empty: it keeps them all). Written apart from the model,
    from the rules' statement, so a modelling mistake is caught rather than repeated."""
    problems: list[str] = []
    booths = {b.id: b for b in plan.booths}
    exhibitors = {e.id: e for e in plan.exhibitors}
    holder: dict[str, str] = {}
    for eid, bid in booth_of.items():
        if eid not in exhibitors:
            problems.append(f"{eid}: not an exhibitor of the plan")
            continue
        if bid is None:
            continue
        if bid not in booths:
            problems.append(f"{eid}: booth {bid} is not on the floor plan")
            continue
        if bid in holder:
            problems.append(f"booth {bid} is given to both {holder[bid]} and {eid}")
        holder[bid] = eid
        e, b = exhibitors[eid], booths[bid]
        if e.confirmed is None:
            if b.size < e.size:
                problems.append(f"{eid}: booth {bid} is {b.size:g} m², it asked for {e.size:g}")
            if b.size > e.size * plan.max_oversize:
                problems.append(f"{eid}: booth {bid} ({b.size:g} m²) is over {plan.max_oversize:g}× its size")
            if b.zone and b.zone in plan.zones and e.category not in plan.zones[b.zone]:
                problems.append(f"{eid}: zone {b.zone} does not take {e.category}")
    for e in plan.exhibitors:
        if e.confirmed is not None and booth_of.get(e.id) != e.confirmed:
            problems.append(f"{e.id}: its confirmed booth {e.confirmed} was taken away")
    neighbours = _neighbours(plan)
    for a, c in sorted(competitor_pairs(plan)):
        ba, bc = booth_of.get(a), booth_of.get(c)
        if ba and bc and bc in neighbours.get(ba, set()):
            problems.append(f"competitors {a} and {c} stand on touching booths {ba} and {bc}")
    return problems


def score(plan: FloorPlan, booth_of: Mapping[str, str | None]) -> tuple[dict[str, int], int]:
    """The allocation's figures recomputed from scratch: exhibitors placed per tier, preference points."""
    booths = {b.id: b for b in plan.booths}
    counts = dict.fromkeys(TIERS, 0)
    total = 0
    for e in plan.exhibitors:
        bid = booth_of.get(e.id)
        if bid:
            counts[e.tier] += 1
            total += points(e, booths[bid])
    return counts, total


def load(path_or_text: str) -> FloorPlan:
    return read_plan(json.loads(path_or_text))


def generate(
    booths: int = 650,
    *,
    halls: int = 5,
    seed: int = 1,
    fill: float = 0.97,
    confirmed: float = 0.1,
    rivals: str = "any",
) -> dict[str, Any]:
    """A floor plan of the forum's size for the benchmark and the tests: halls of booth rows (touching along a
    row and across the aisle-less back), corners at row ends, power on a third, one zone per hall block; about
    `fill` × booths exhibitors with sizes 9/18/36 m², four tiers, competitor pairs and confirmed booths."""
    if rivals not in ("any", "same"):
        raise ValueError("rivals is 'any' or 'same'")
    rng = random.Random(seed)
    categories = [
        "人工智能",
        "集成电路",
        "医药健康",
        "新材料",
        "智能制造与装备",
        "绿色能源与节能环保",
        "量子信息",
        "商业航天",
    ]
    per_hall = booths // halls
    rows: list[dict[str, Any]] = []
    zones: dict[str, list[str]] = {}
    for h in range(halls):
        hall = chr(ord("A") + h)
        row_len = 12
        for k in range(per_hall if h < halls - 1 else booths - per_hall * (halls - 1)):
            r, c = divmod(k, row_len)
            zone = f"{hall}{r // 3 + 1}"
            zones.setdefault(zone, sorted(rng.sample(categories, 3)))
            bid = f"{hall}-{k + 1:03d}"
            adjacent = []
            if c > 0:
                adjacent.append(f"{hall}-{k:03d}")
            if r % 2 == 1:  # back to back with the row before
                adjacent.append(f"{hall}-{k - row_len + 1:03d}")
            size = rng.choices([9, 18, 36, 54], weights=[50, 30, 15, 5])[0]
            rows.append(
                {
                    "id": bid, "size": size, "hall": hall, "zone": zone,
                    "corner": c in (0, row_len - 1), "power": rng.random() < 0.35, "adjacent": adjacent,
                }
            )  # fmt: skip
    exhibitors: list[dict[str, Any]] = []
    n = int(booths * fill)
    sizes = [b["size"] for b in rows]
    rng.shuffle(sizes)
    for k in range(n):
        exhibitors.append(
            {
                "id": f"E{k + 1:04d}",
                "size": sizes[k % len(sizes)] if rng.random() < 0.8 else rng.choice([9, 18]),
                "category": rng.choice(categories),
                "tier": rng.choices(TIERS, weights=[3, 10, 25, 62])[0],
                "corner": rng.random() < 0.3,
                "power": rng.random() < 0.4,
                "hall": chr(ord("A") + rng.randrange(halls)) if rng.random() < 0.3 else None,
                "not_next_to": [],
            }
        )
    # Competitors: any two exhibitors, or (`rivals="same"`, the hard case) two of the same category, who
    # compete for the same zones and so often land side by side.
    by_category: dict[str, list[dict[str, Any]]] = {}
    for e in exhibitors:
        by_category.setdefault(e["category"], []).append(e)
    for _ in range(booths // 4 if rivals == "any" else booths):
        pool = exhibitors if rivals == "any" else by_category[rng.choice(categories)]
        one, other = rng.sample(pool, 2)
        one["not_next_to"].append(other["id"])
    # Confirmed booths: a share of exhibitors keep a booth that fits them (from an earlier plan).
    free = {b["id"]: b for b in rows}
    for e in rng.sample(exhibitors, int(n * confirmed)):
        match = next(
            (b for b in free.values() if b["size"] >= e["size"] and e["category"] in zones[b["zone"]]
             and b["size"] <= e["size"] * 2),
            None,
        )  # fmt: skip
        if match is not None:
            e["confirmed"] = match["id"]
            del free[match["id"]]
    # Two competitors confirmed side by side would make the plan impossible: the generator drops that rivalry.
    touching = {b["id"]: set(b["adjacent"]) for b in rows}
    for b in rows:
        for other in b["adjacent"]:
            touching[other].add(b["id"])
    where = {e["id"]: e.get("confirmed") for e in exhibitors}
    for e in exhibitors:
        e["not_next_to"] = [
            o for o in e["not_next_to"]
            if not (where[e["id"]] and where[o] and where[o] in touching[where[e["id"]]])
        ]  # fmt: skip
    return {"booths": rows, "exhibitors": exhibitors, "zones": zones, "max_oversize": 2.0}


def as_rows(plan: FloorPlan, allocation: Allocation) -> Sequence[dict[str, Any]]:
    """One row per exhibitor, for a CSV or a page: exhibitor, tier, booth, reason."""
    return [
        {
            "exhibitor": e.id,
            "tier": e.tier,
            "booth": allocation.booth_of.get(e.id),
            "reason": allocation.reasons[e.id],
        }
        for e in plan.exhibitors
    ]
