"""Hooks of the agenda that higher packages fill (see `core.hooks`).

`PROGRAMME_AUDIENCE`: who else must hear that sessions changed when the programme is published. The agenda knows
the speakers and the accounts that starred a session; those registered for a session live in the registration
package, a floor higher, which contributes them from `duijie/registration/extends.py`:

    @PROGRAMME_AUDIENCE()
    def registrants(db: Session, session_ids: Sequence[int]) -> Iterable[Listener]:
        ...

Each contribution takes the changed sessions' ids and returns a `Listener` per person and session: an account
(told in the app and by mail in its language) or, for someone without an account, an e-mail address and the
language to write in. `publishing.publish_programme` merges them with the speakers and starrers, so each person
hears once, about exactly the changed sessions that concern them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from duijie.core.hooks import Hook


@dataclass(frozen=True)
class Listener:
    """Someone to tell about a changed session: an account, or an e-mail address (with its language)."""

    session_id: int
    account_id: int | None = None
    email: str | None = None
    locale: str | None = None
    name: str | None = None


Audience = Callable[[Session, Sequence[int]], Iterable[Listener]]

PROGRAMME_AUDIENCE: Hook[Audience] = Hook("agenda.programme_audience")
