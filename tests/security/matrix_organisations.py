"""Permission-matrix entries for the organisation set-up routes (collected into `matrix.ENTRIES`).

Organisers (of the whole programme or of any event) list and create organisations and edit any; the enterprise's
staff edit their own organisation's profile (the enterprise of the world) and nobody else's. Writes act on the
world's enterprise; a refused write leaves its profile and the number of organisations unchanged.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from duijie.directory.models import Organisation
from tests.security.matrix import ORGANISERS, Entry, only
from tests.security.world import World

EDITORS = (*ORGANISERS, "enterprise")
ENTERPRISE = {"slug": "enterprise_slug"}


def organisation_count(db: Session, w: World) -> Any:
    return db.scalar(select(func.count()).select_from(Organisation))


def enterprise_state(db: Session, w: World) -> Any:
    org = db.scalar(select(Organisation).where(Organisation.slug == w.enterprise_slug))
    assert org is not None
    return (org.name_zh, org.name_en, org.park)


def _new(w: World) -> dict[str, Any]:
    return {"slug": "matrix-org", "kind": "investor", "name_zh": "矩阵资本", "name_en": "Matrix Capital"}


def _profile(w: World) -> dict[str, Any]:
    return {"slug": w.enterprise_slug, "kind": "enterprise", "name_zh": "矩阵企业", "name_en": "Matrix enterprise",
            "country": "CN", "district": "海淀区", "park": "矩阵园区"}  # fmt: skip


ENTRIES: tuple[Entry, ...] = (
    Entry("GET", "/organise/organisations", only(*ORGANISERS)),
    Entry("GET", "/organise/organisations/new", only(*ORGANISERS)),
    Entry("POST", "/organise/organisations/new", only(*ORGANISERS), form=_new, probe=organisation_count),
    Entry("GET", "/organisations/{slug}/edit", only(*EDITORS), at=ENTERPRISE),
    Entry("POST", "/organisations/{slug}/edit", only(*EDITORS), at=ENTERPRISE, form=_profile, probe=enterprise_state),
    Entry("POST", "/api/v1/organisations", only(*ORGANISERS), json=_new, probe=organisation_count),
    Entry(
        "PATCH",
        "/api/v1/organisations/{slug}",
        only(*EDITORS),
        at=ENTERPRISE,
        json=lambda w: {"park": "矩阵园区"},
        probe=enterprise_state,
    ),
)
