"""Builders for policy records (packages, policies with one version), so a test says what it arranges.

Like `tests/factories.py`, they write through the ORM: they arrange the world a test starts from, and what the
test exercises goes through the services and the web.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from sqlalchemy.orm import Session

from duijie.events.models import Event
from duijie.policies.models import Policy, PolicyPackage, PolicyVersion

_serial = itertools.count(1)

# Enterprises with revenue of at least 1亿元 receive 50万元.
RULE: dict[str, Any] = {"all": [{"fact": "revenue", "op": ">=", "value": "1亿元"}]}
BENEFIT: dict[str, Any] = {"kind": "subsidy", "amount": "500000"}


def package(db: Session, *, event: Event | None = None, **values: Any) -> PolicyPackage:
    n = next(_serial)
    fields: dict[str, Any] = {
        "slug": f"test-pkg-{n}",
        "name_zh": f"测试政策包{n}",
        "name_en": f"Test package {n}",
        "provenance": "manual",
        "event_id": event.id if event else None,
    }
    fields.update(values)
    row = PolicyPackage(**fields)
    db.add(row)
    db.flush()
    return row


def policy(
    db: Session,
    *,
    package: PolicyPackage | None = None,
    district: str | None = None,
    rule: dict[str, Any] | None = None,
    benefit: dict[str, Any] | None = None,
    valid_from: dt.date = dt.date(2025, 1, 1),
    **values: Any,
) -> Policy:
    """A policy with one open-ended version (by default: revenue of 1亿元 or more brings 50万元)."""
    n = next(_serial)
    fields: dict[str, Any] = {
        "slug": f"test-policy-{n}",
        "name_zh": f"测试政策{n}",
        "name_en": f"Test policy {n}",
        "benefit_kind": "subsidy",
        "district": district,
        "package_id": package.id if package else None,
        "provenance": "manual",
    }
    fields.update(values)
    row = Policy(**fields)
    row.versions.append(
        PolicyVersion(
            version=1,
            valid_from=valid_from,
            valid_to=None,
            rule=rule or RULE,
            benefit=benefit or BENEFIT,
            test_cases=[],
        )
    )
    db.add(row)
    db.flush()
    return row
