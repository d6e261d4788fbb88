"""What registration adds to lower packages through their hooks.

`agenda.hooks.PROGRAMME_AUDIENCE`: when a programme is published, the people holding a place in a changed
session — confirmed, offered or waiting for one — hear about it along with its speakers and starrers: by
account when they registered signed in, otherwise by the e-mail address and language of their registration.
Cancelled, declined and expired places hear nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from duijie.agenda.hooks import PROGRAMME_AUDIENCE, Listener
from duijie.registration.models import Registration, SessionRegistration
from duijie.registration.waiting import State

TOLD = (State.CONFIRMED.value, State.OFFERED.value, State.WAITING.value)


@PROGRAMME_AUDIENCE()
def session_registrants(db: Session, session_ids: Sequence[int]) -> Iterable[Listener]:
    """One listener per person and changed session in which they hold or await a place."""
    if not session_ids:
        return []
    rows = db.execute(
        select(SessionRegistration.session_id, Registration.account_id, Registration.email, Registration.locale, Registration.name)
        .join(Registration, Registration.id == SessionRegistration.registration_id)
        .where(SessionRegistration.session_id.in_(list(session_ids)), SessionRegistration.state.in_(TOLD))
        .order_by(SessionRegistration.session_id, SessionRegistration.id)
    ).all()  # fmt: skip
    return [
        Listener(session_id=session_id, account_id=account_id)
        if account_id is not None
        else Listener(session_id=session_id, email=email, locale=locale, name=name)
        for session_id, account_id, email, locale, name in rows
    ]
