"""Who may do what with meetings: the organiser runs the grid; each side acts on its own requests only."""

from __future__ import annotations

from typing import Any

from duijie.core.auth import Actor
from duijie.core.permissions import Predicate, predicate


@predicate
def organises_event(actor: Actor, event: Any) -> bool:
    """An organiser grant with no event scope covers every event; a scoped one covers its own event."""
    event_id = getattr(event, "id", None)
    return any(g.role == "organiser" and g.event_id in (None, event_id) for g in actor.grants)


can_run_grid: Predicate = organises_event


@predicate
def is_requester(actor: Actor, side: Any) -> bool:
    """`side` is the (request, acting participant) pair; the participant sent the request."""
    request, participant = side
    return participant is not None and request.requester_id == participant.id


@predicate
def is_recipient(actor: Actor, side: Any) -> bool:
    """`side` is the (request, acting participant) pair; the participant received the request."""
    request, participant = side
    return participant is not None and request.recipient_id == participant.id


@predicate
def organises_request(actor: Actor, side: Any) -> bool:
    """The organiser of the request's event may act on it on behalf of either side."""
    request, _participant = side
    return any(g.role == "organiser" and g.event_id in (None, request.event_id) for g in actor.grants)


can_answer_request: Predicate = is_recipient | organises_request
can_cancel_request: Predicate = is_requester | is_recipient | organises_request
