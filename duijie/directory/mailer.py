"""The directory's mails (invitations, password resets, sign-up decisions): links on the site's address, and
the one call that queues a mail, so the template names and the outbox contract are written in one place.

Mails are queued in the caller's transaction and sent by a job after the commit (`core.mail`); the body is
rendered at queue time in the recipient's language, from `templates/mail/<name>.txt`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from duijie.config import get_settings
from duijie.core.mail import queue_mail


def link(path: str) -> str:
    """An absolute link to a page of this site (`DUIJIE_BASE_URL` + path)."""
    return get_settings().base_url.rstrip("/") + path


def send(
    db: Session,
    *,
    to: str,
    template: str,
    locale: str | None,
    context: Mapping[str, Any],
    account_id: int | None = None,
    key: str | None = None,
) -> None:
    """Queues one of the directory's mails; it leaves only if the caller's transaction commits."""
    queue_mail(db, to=to, template=template, locale=locale, context=context, account_id=account_id, key=key)
