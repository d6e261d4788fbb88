"""What meetings adds to the programme's personal pages (agenda sits below meetings and cannot ask it):

- each published 1:1 meeting of the account's person (and one cancelled lately) on the personal agenda
  (`agenda.hooks_public.PERSONAL_AGENDA_ITEMS`), in time order with the starred sessions;
- the meetings calendar feed's secret token (`agenda.hooks_public.FEED_KEYS`), which also opens the personal
  agenda's feed, so "reset my calendar address" revokes both at once.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from duijie.agenda.hooks_public import FEED_KEYS, PERSONAL_AGENDA_ITEMS, AgendaItem
from duijie.directory.models import Account
from duijie.meetings import feeds


def meeting_items(db: Session, account: Account) -> list[AgendaItem]:
    """The account's published meetings of every event (the calendar feed's items), titled in the current
    language, each linking to its event's meetings page."""
    return [
        AgendaItem(
            starts_at=item.starts_at,
            ends_at=item.ends_at,
            title=feeds.summary(item),
            url=f"/events/{item.event.slug}/meetings",
            kind="meeting",
            cancelled=item.cancelled,
        )
        for item in feeds.items_for(db, account=account)
    ]


class MeetingFeedKey:
    """The meetings feed's token (see `meetings.feeds`), lent to the personal agenda's feed."""

    def token(self, db: Session, account: Account, configured: str | None) -> str:
        return feeds.feed_token(db, account_id=account.id, secret=feeds.site_key(db, configured))

    def account(self, db: Session, token: str, configured: str | None) -> Account | None:
        return feeds.account_for_token(db, token=token, secret=feeds.site_key(db, configured))


PERSONAL_AGENDA_ITEMS.register(meeting_items, key="meetings.personal_agenda", order=10)
FEED_KEYS.register(MeetingFeedKey(), key="meetings.feed_key", order=10)
