"""The e-mails of the agenda: the programme changed for a session you speak at, starred or registered for.

The topic is declared here (as every package declares its own in `mails.py`) so that a person may turn it off on
their notification page; `publishing.publish_programme` queues the messages with `core.mail.queue_mail` in the
publication's transaction, one per recipient listing all their changed sessions, in the recipient's language.
"""

from __future__ import annotations

from duijie.core import mail
from duijie.core.i18n import mark as _l

PROGRAMME = mail.topic(
    "programme_changes",
    _l("Changes to the programme"),
    _l("A session you speak at, starred or registered for is moved, changed or cancelled."),
    order=35,
)
