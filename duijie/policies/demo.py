"""The policies part of the demo: the catalogue's policies inside the ten packages, and enterprises' facts.

The package names come from the 2023 summit report (the builder creates those rows); the policies, their rules
and benefits are illustrative and marked synthetic. Enterprises of the catalogue are matched to the demo's
organisations by Chinese name (or by the project name they lead), and created from their source if missing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select

from duijie.core.db import SYNTHETIC
from duijie.policies import service as policy_service
from duijie.policies.catalogue import DemoEnterprise, load_catalogue, load_demo_enterprises
from duijie.policies.facts import DISTRICTS, FLAGS, INDUSTRIES, PARKS
from duijie.policies.models import PolicyPackage

if TYPE_CHECKING:
    from duijie.demo.builder import DemoBuilder
    from duijie.directory.models import Organisation

# The demo enterprise account's company: enough facts for a mix of outcomes, a few left out on purpose so
# that some policies stay undetermined and say which fact would settle them.
XINGHE_FACTS = {
    "founded_on": "2018-06-12",
    "revenue": "180000000",
    "rd_spend": "32000000",
    "headcount": 260,
    "rd_staff": 120,
    "office_area": 3200,
    "compute_spend": "15000000",
    "tech_contract_value": "8000000",
}


def _district_of(issuer: str) -> str | None:
    """A policy issued by a district's own body belongs to that district."""
    return next((d for d in DISTRICTS if issuer.startswith(d)), None)


def _find(builder: DemoBuilder, enterprise: DemoEnterprise) -> Organisation | None:
    orgs = list(builder.orgs.values())
    for org in orgs:
        if org.name_zh == enterprise.name_zh:
            return org
    if enterprise.id in builder.orgs:
        return builder.orgs[enterprise.id]
    # A project name such as 南威软件集团研发总部 leads to the company that runs it (南威软件集团).
    prefixed = [o for o in orgs if o.kind == "enterprise" and enterprise.name_zh.startswith(o.name_zh)]
    return max(prefixed, key=lambda o: len(o.name_zh)) if prefixed else None


def _create(builder: DemoBuilder, enterprise: DemoEnterprise) -> Organisation:
    facts = enterprise.facts
    flags = list(facts.get("flags") or [])
    flags += [f for f in FLAGS if facts.get(f) is True and f not in flags]
    synthetic = "示例" in enterprise.name_zh or not enterprise.source
    return builder.org(
        enterprise.id,
        kind="enterprise",
        name_zh=enterprise.name_zh,
        name_en=enterprise.name_en,
        industries=[i for i in facts.get("industries") or [] if i in INDUSTRIES],
        flags=flags,
        district=facts.get("registered_district") if facts.get("registered_district") in DISTRICTS else None,
        park=facts.get("park") if facts.get("park") in PARKS else None,
        provenance=SYNTHETIC if synthetic else str(enterprise.source),
    )


def extend_demo(builder: DemoBuilder) -> None:
    """Fill the ten packages with the catalogue's policies and give the demo enterprises their facts."""
    db = builder.db
    rows = {p.name_zh: p for p in db.scalars(select(PolicyPackage))}
    for package in load_catalogue():
        row = rows.get(package.name_zh)
        if row is None:
            row = PolicyPackage(
                slug=package.id,
                event=builder.events.get(package.event or ""),
                name_zh=package.name_zh,
                name_en=package.name_en,
                description_zh=package.summary_zh or None,
                description_en=package.summary_en or None,
                provenance=package.source or SYNTHETIC,
            )
            db.add(row)
        for policy in package.policies:
            policy_service.import_policy(
                db, policy=policy, package=row, district=_district_of(policy.issuer_zh)
            )
    for enterprise in load_demo_enterprises():
        org = _find(builder, enterprise) or _create(builder, enterprise)
        org.facts = policy_service.canonical_facts(enterprise.facts)
    xinghe = builder.orgs["demo-xinghe"]
    xinghe.facts = policy_service.canonical_facts({**(xinghe.facts or {}), **XINGHE_FACTS})
    db.flush()
