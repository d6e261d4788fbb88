"""What higher packages add to the programme's public pages, which cannot import them.

- `PERSONAL_AGENDA_ITEMS`: the personal agenda (`/me/agenda`) lists the reader's starred sessions together with
  their other appointments at the forum; the 1:1 meetings live in `meetings`, above this floor, which
  contributes a function returning the account's items.
- `FEED_KEYS`: the personal agenda's calendar feed is opened by a secret token in its address. The meetings'
  calendar feed already has one per account (resettable on "My calendar"); rather than a second secret with a
  second reset button, `meetings` lends its token here, so one reset revokes both addresses.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.orm import Session

from duijie.core.hooks import Hook
from duijie.directory.models import Account


@dataclass(frozen=True)
class AgendaItem:
    """One appointment of the personal agenda besides starred sessions: UTC times, a title in the current
    language, where it is explained, and its kind ("meeting")."""

    starts_at: dt.datetime
    ends_at: dt.datetime
    title: str
    url: str
    kind: str
    cancelled: bool = False


# account -> its items (any order; the page sorts them with the sessions).
PERSONAL_AGENDA_ITEMS: Hook[Callable[[Session, Account], list[AgendaItem]]] = Hook("agenda.personal_agenda_items")


class FeedKey(Protocol):
    """The secret that opens an account's feed: `token(db, account, secret)` and its inverse `account(db,
    token, secret)` (None for a wrong or reset token); `secret` is the site's configured key or None."""

    def token(self, db: Session, account: Account, configured: str | None) -> str: ...

    def account(self, db: Session, token: str, configured: str | None) -> Account | None: ...


FEED_KEYS: Hook[FeedKey] = Hook("agenda.feed_keys")


def feed_key() -> FeedKey | None:
    """The token scheme lent by a higher package (the first registered), None if none is."""
    return next(iter(FEED_KEYS), None)
