"""The key that signs session cookies: configured by the operator, or made once per installation.

The key that earlier versions used by default was published with the code, so anyone could sign a cookie with
it; it is refused, and so is any key shorter than 32 characters. Without `DUIJIE_SECRET_KEY` the first start
makes a random key and keeps it in the database, where every web process and machine of the installation finds
the same one.
"""

from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from duijie.core.models import SiteSecret

# The default of earlier versions, public since the first release: never accepted again.
PUBLISHED_KEYS = frozenset({"change-me-in-production-duijie-demo-key"})
MIN_LENGTH = 32
SESSION_KEY = "session_key"


class InsecureSecret(RuntimeError):
    """The configured key must not be used; the message says why and what to do."""


def check_configured(key: str) -> None:
    if key in PUBLISHED_KEYS:
        raise InsecureSecret(
            "DUIJIE_SECRET_KEY is the key published with earlier versions of duijie: anyone could sign a session "
            "cookie with it. Unset it (a random key is then made and kept in the database) or set a new random "
            "key of at least 32 characters, e.g. `python -c 'import secrets; print(secrets.token_urlsafe(48))'`."
        )
    if len(key) < MIN_LENGTH:
        raise InsecureSecret(
            f"DUIJIE_SECRET_KEY has {len(key)} characters; use at least {MIN_LENGTH} random characters, or unset "
            "it and let duijie make one."
        )


def session_key(engine: Engine, configured: str | None) -> str:
    """The configured key (checked), or the installation's own key, made on first use."""
    if configured:
        check_configured(configured)
        return configured
    with Session(engine) as db:
        found = db.scalar(select(SiteSecret.value).where(SiteSecret.name == SESSION_KEY))
        if found:
            return found
        db.add(SiteSecret(name=SESSION_KEY, value=secrets.token_urlsafe(48)))
        try:
            db.commit()
        except IntegrityError:
            # Another process made it at the same moment: use theirs.
            db.rollback()
        value = db.scalar(select(SiteSecret.value).where(SiteSecret.name == SESSION_KEY))
        assert value is not None
        return value
