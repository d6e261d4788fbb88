"""An event's matching settings: the organiser's weights, and what the batch run keeps between runs.

Each is a typed per-event setting (`events.settings`) declared here once:
- `WEIGHTS` (`matching.weights`): the organiser's overrides of the default part weights, as
  `{pair_kind: {part: weight}}`, holding only the parts that differ from the defaults in `affinity.PAIR_KINDS`;
- `INPUTS` (`matching.inputs`): per group, the hashes of the configuration and profiles its stored pairs were
  computed from, so that an unchanged group is not scored again;
- `LAST_RUN` (`matching.last_run`): what the last batch run did, for the organiser's page;
- `JOB` (`matching.job`): the background job's state row.

The configuration hash of a group (`config_hash`) lives here too: the batch run writes it, and the weights
page compares it with the current weights to say whether the stored matches are stale.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from duijie.core import audit
from duijie.core.auth import Actor
from duijie.core.errors import DomainError, ErrorDetail
from duijie.core.i18n import gettext as _
from duijie.events.models import Event
from duijie.events.settings import setting
from duijie.matching.parts import PAIR_KINDS
from duijie.matching.profiles import GROUPS

WEIGHTS = setting("matching.weights", dict, {})
INPUTS = setting("matching.inputs", dict, {})
LAST_RUN = setting("matching.last_run", dict, {})
JOB = setting("matching.job", dict, {})

ENGINE_VERSION = "2"
"""Raised when the engine's scores change for the same inputs, so that every stored pair is rewritten."""
PER_LEFT = 10
"""How many suggestions each left record (an investor, a demand) keeps, chosen for diversity."""
PER_RIGHT = 5
"""How many best left records each right record (a project, an enterprise, an offer) keeps."""
PARTNERS = 5
"""How many reciprocal suggestions each partner or meeting participant keeps."""


def digest(*items: Any) -> str:
    """A stable hash of JSON-like values (sorted keys), for the run's input and configuration hashes."""
    return hashlib.sha256(json.dumps(items, sort_keys=True, default=str).encode()).hexdigest()


def stored_overrides(db: Session, event: Event, pair_kind: str) -> dict[str, Any]:
    """The event's stored weight overrides of one pair kind, as stored (checked by the engine when it runs)."""
    kind = WEIGHTS.get(db, event_id=event.id).get(pair_kind)
    return dict(kind) if isinstance(kind, dict) else {}


def run_overrides(overrides: dict[str, Any], *, semantic: bool) -> dict[str, Any]:
    """The overrides a run applies: a run without semantic vectors weighs the semantic part at zero."""
    out = dict(overrides)
    if not semantic:
        out["semantic"] = 0.0
    return out


def config_hash(pair_kind: str, overrides: dict[str, Any]) -> str:
    """The hash of what a group's scores depend on besides the profiles; a change rewrites its pairs."""
    return digest(ENGINE_VERSION, pair_kind, overrides, PER_LEFT, PER_RIGHT, PARTNERS)


def last_run(db: Session, event: Event) -> dict[str, Any] | None:
    """What the last batch run of the event did, if any."""
    return LAST_RUN.get(db, event_id=event.id) or None


WEIGHT_KINDS: tuple[str, ...] = tuple(dict.fromkeys(pair_kind for _l, _r, pair_kind in GROUPS.values()))
"""The pair kinds an event's batch run scores, in the order of its groups; each has its own weights."""


def kind_name(kind: str) -> str:
    """A pair kind in words, for headings and messages."""
    names = {
        "investor_project": _("Investors with projects and enterprises"),
        "enterprise_enterprise": _("Enterprise partners"),
        "demand_offer": _("Technology demands and offers"),
        "participant_participant": _("Meeting participants"),
    }
    return names.get(kind, kind)


def part_name(part: str) -> str:
    """A part of the score in words, for labels and messages."""
    names = {
        "semantic": _("Semantic similarity"),
        "lexical": _("Shared domain terms"),
        "industry": _("Industry fit"),
        "district": _("District preference"),
        "country": _("Country preference"),
        "amount": _("Amount within the ticket range"),
        "category": _("Project category"),
        "stage": _("Development stage"),
    }
    return names.get(part, part)


def defaults(kind: str) -> dict[str, float]:
    """The default weight of each part a pair kind scores."""
    return dict(PAIR_KINDS[kind])


def overrides(db: Session, event: Event) -> dict[str, dict[str, float]]:
    """The event's stored overrides that are well formed, by pair kind (others are left to the run to report)."""
    out: dict[str, dict[str, float]] = {}
    for kind in WEIGHT_KINDS:
        parts = {
            part: float(value)
            for part, value in stored_overrides(db, event, kind).items()
            if part in PAIR_KINDS[kind] and _is_number(value)
        }
        if parts:
            out[kind] = parts
    return out


def effective(db: Session, event: Event) -> dict[str, dict[str, float]]:
    """The weight each part of each pair kind has at this event: its override, else its default."""
    stored = overrides(db, event)
    return {kind: {**defaults(kind), **stored.get(kind, {})} for kind in WEIGHT_KINDS}


def kinds_in_use(db: Session, event: Event) -> list[str]:
    """The pair kinds of the groups the event's last run found both sides for, and those with overrides; all
    of them before a first run."""
    run = last_run(db, event)
    if run is None:
        return list(WEIGHT_KINDS)
    used = {GROUPS[g["group"]][2] for g in run.get("groups", []) if g.get("left") and g.get("right")}
    used |= set(overrides(db, event))
    return [kind for kind in WEIGHT_KINDS if kind in used]


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _number(value: Any) -> float | None:
    """A weight as a number: JSON numbers as they are, form text parsed (full-width digits allowed)."""
    if isinstance(value, str):
        text = value.strip().translate(str.maketrans("０１２３４５６７８９．，", "0123456789.."))
        try:
            value = float(text)
        except ValueError:
            return None
    return float(value) if _is_number(value) else None


def validate(data: Any) -> dict[str, dict[str, float]]:
    """Check `{pair_kind: {part: weight}}` and return the parts that differ from the defaults; every fault is
    reported at once, its field named `pair_kind.part`."""
    problems: list[ErrorDetail] = []
    if not isinstance(data, dict):
        message = _("Weights are given as {pair kind: {part: weight}}.")
        raise DomainError(message, field="weights")
    out: dict[str, dict[str, float]] = {}
    for kind, parts in data.items():
        if kind not in WEIGHT_KINDS:
            message = _("Unknown pair kind %(kind)s: use %(kinds)s.") % {
                "kind": kind,
                "kinds": ", ".join(WEIGHT_KINDS),
            }
            problems.append(ErrorDetail(message, field=str(kind)))
            continue
        if not isinstance(parts, dict):
            message = _("%(kind)s: give the weights as {part: weight}.") % {"kind": kind_name(kind)}
            problems.append(ErrorDetail(message, field=kind))
            continue
        weights = defaults(kind)
        bad = False
        for part, raw in parts.items():
            field = f"{kind}.{part}"
            if part not in weights:
                message = _("%(kind)s: unknown part %(part)s; the parts are %(parts)s.") % {
                    "kind": kind_name(kind),
                    "part": part,
                    "parts": ", ".join(weights),
                }
                problems.append(ErrorDetail(message, field=field))
                bad = True
                continue
            value = _number(raw)
            if value is None or not 0 <= value <= 1:
                message = _("%(kind)s · %(part)s: the weight must be a number between 0 and 1.") % {
                    "kind": kind_name(kind),
                    "part": part_name(part),
                }
                problems.append(ErrorDetail(message, field=field))
                bad = True
                continue
            weights[part] = value
        if bad:
            continue
        if sum(weights.values()) <= 0:
            message = _("%(kind)s: at least one part needs a weight above 0.") % {"kind": kind_name(kind)}
            problems.append(ErrorDetail(message, field=kind))
            continue
        changed = {part: w for part, w in weights.items() if w != PAIR_KINDS[kind][part]}
        if changed:
            out[kind] = changed
    if problems:
        raise DomainError(problems[0].message, field=problems[0].field, details=problems)
    return out


def _flat(weights: dict[str, dict[str, float]]) -> dict[str, float]:
    return {f"{kind}.{part}": w for kind, parts in weights.items() for part, w in parts.items()}


def set_weights(db: Session, *, event: Event, actor: Actor, data: Any) -> dict[str, dict[str, float]]:
    """Replace the event's overrides with the checked `data` (an empty mapping restores the defaults) and record
    the change; the stored matches stay as they are until the next run."""
    new = validate(data)
    old = overrides(db, event)
    before_flat, after_flat = _flat(old), _flat(new)
    keys = sorted(set(before_flat) | set(after_flat))
    before = {k: before_flat.get(k) for k in keys if before_flat.get(k) != after_flat.get(k)}
    after = {k: after_flat.get(k) for k in keys if before_flat.get(k) != after_flat.get(k)}
    if new:
        WEIGHTS.put(db, event_id=event.id, value=new)
    else:
        WEIGHTS.clear(db, event_id=event.id)
        db.flush()
    if before or after:
        audit.record(
            db,
            actor=actor,
            entity_type="event",
            entity_id=event.id,
            action="matching_weights",
            before=before,
            after=after,
            event_id=event.id,
            note=None if actor.account_id is not None else actor.username,
        )
    return new


def reset(db: Session, *, event: Event, actor: Actor) -> None:
    """Clear the event's overrides: every part weighs its default again from the next run on."""
    set_weights(db, event=event, actor=actor, data={})


@dataclass(frozen=True)
class WeightsState:
    """What the organiser's form shows: per pair kind in use, each part's weight and default, and whether the
    stored matches were computed with other weights."""

    kinds: list[str]
    weights: dict[str, dict[str, float]]
    defaults: dict[str, dict[str, float]]
    overrides: dict[str, dict[str, float]]
    stale: bool


def stale(db: Session, event: Event) -> bool:
    """Whether a group's stored matches were computed with weights other than the event's current ones."""
    state = INPUTS.get(db, event_id=event.id)
    semantic = bool(LAST_RUN.get(db, event_id=event.id).get("semantic"))
    for group, inputs in state.items():
        if group not in GROUPS or not isinstance(inputs, dict):
            continue
        pair_kind = GROUPS[group][2]
        now = config_hash(pair_kind, run_overrides(stored_overrides(db, event, pair_kind), semantic=semantic))
        if inputs.get("config") != now:
            return True
    return False


def weights_state(db: Session, event: Event) -> WeightsState:
    """The event's weights as the organiser's page and the API show them."""
    return WeightsState(
        kinds=kinds_in_use(db, event),
        weights=effective(db, event),
        defaults={kind: defaults(kind) for kind in WEIGHT_KINDS},
        overrides=overrides(db, event),
        stale=stale(db, event),
    )
