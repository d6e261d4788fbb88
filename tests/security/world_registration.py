"""The registration records the access matrix acts on, in event A: a public category with a confirmed, a
pending and an offered registration (whose manage links are the person's routes), a spare category holding
nothing (to remove), a session with places; in event B a registration too (A's organiser pages must never
reach it)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from duijie.core.auth import ANONYMOUS
from duijie.registration import mails, service
from tests.registration import factories as rf
from tests.security.world import World


def extend(db: Session, w: World) -> None:
    event_a, event_b = w.events["a"], w.events["b"]
    guest = rf.category(db, event_a, code="matrix-guest", capacity=1)
    media = rf.category(db, event_a, code="matrix-media", requires_approval=True)
    spare = rf.category(db, event_a, code="matrix-spare")
    leaving = service.register(db, event_a, guest, rf.form(email="matrix-leaving@example.org"))
    offered = service.register(db, event_a, guest, rf.form(email="matrix-offered@example.org"))
    service.cancel(db, actor=ANONYMOUS, registration=leaving)
    free = rf.category(db, event_a, code="matrix-free")
    confirmed = service.register(db, event_a, free, rf.form(email="matrix-confirmed@example.org"))
    pending = service.register(db, event_a, media, rf.form(email="matrix-pending@example.org"))
    talk = rf.session(db, event_a, capacity=20, title_zh="矩阵限额分论坛", title_en="Matrix limited session")
    other = service.register(db, event_b, rf.category(db, event_b, code="matrix-b"), rf.form(email="matrix-b@example.org"))
    w.extra.update(
        reg_category_code=free.code, reg_category=free.id, reg_spare_code=spare.code, reg_spare=spare.id,
        reg_pending=pending.id, reg_confirmed=confirmed.id, reg_b=other.id, reg_session=talk.id,
        reg_token=mails.manage_token(db, confirmed), reg_offered_token=mails.manage_token(db, offered),
    )  # fmt: skip
