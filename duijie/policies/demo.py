"""The policies part of the demo: the ten packages the 2023 summit released (seed), then the catalogue's
policies inside them and the enterprises' facts (extend).

The package names come from the 2023 summit report; the policies, their rules and benefits are illustrative
and marked synthetic. Enterprises of the catalogue are matched to the demo's
organisations by Chinese name (or by the project name they lead), and created from their source if missing.
"""

from __future__ import annotations

from sqlalchemy import select

from duijie.core.db import SYNTHETIC
from duijie.core.demo_kit import SRC_2023, DemoKit
from duijie.directory.demo import org
from duijie.directory.models import Organisation
from duijie.events.models import Event
from duijie.policies.catalogue import DemoEnterprise, load_catalogue, load_demo_enterprises
from duijie.policies.enterprise_facts import canonical_facts
from duijie.policies.facts import DISTRICTS, FLAGS, INDUSTRIES, PARKS
from duijie.policies.models import PolicyPackage
from duijie.policies.records import import_policy

PACKAGES_EN = (
    "International Science and Technology Innovation Centre package",
    "Global Digital Economy Benchmark City package",
    "International Consumption Centre City package",
    "Headquarters Economy package",
    "Unicorn Enterprise package",
    "Next-Generation Information Technology Industry package",
    "Intelligent Manufacturing and Equipment Industry package",
    "Artificial Intelligence Industry package",
    "Green Energy and Environmental Protection Industry package",
    "Technology Services Industry package",
)

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


def _find(kit: DemoKit, enterprise: DemoEnterprise) -> Organisation | None:
    orgs = kit.all(Organisation)
    for found in orgs:
        if found.name_zh == enterprise.name_zh:
            return found
    if kit.find(Organisation, enterprise.id) is not None:
        return kit.get(Organisation, enterprise.id)
    # A project name such as 南威软件集团研发总部 leads to the company that runs it (南威软件集团).
    prefixed = [o for o in orgs if o.kind == "enterprise" and enterprise.name_zh.startswith(o.name_zh)]
    return max(prefixed, key=lambda o: len(o.name_zh)) if prefixed else None


def _create(kit: DemoKit, enterprise: DemoEnterprise) -> Organisation:
    facts = enterprise.facts
    flags = list(facts.get("flags") or [])
    flags += [f for f in FLAGS if facts.get(f) is True and f not in flags]
    synthetic = "示例" in enterprise.name_zh or not enterprise.source
    return org(
        kit,
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


def seed_demo(kit: DemoKit) -> None:
    """The ten policy service packages the 2023 summit released."""
    event = kit.get(Event, "invest-beijing-2023")
    for k, name in enumerate(kit.event_facts("invest-beijing-2023")["policy_service_packages"]):
        kit.db.add(
            PolicyPackage(
                slug=f"ib2023-pkg-{k + 1:02d}",
                event=event,
                name_zh=name,
                name_en=PACKAGES_EN[k],
                description_zh="2023年投资北京全球峰会发布的招商引资“政策服务包”之一，为企业掌握和使用政策提供“说明书”。",
                description_en="One of the ten policy service packages released at the 2023 Invest Beijing Global Summit.",
                provenance=SRC_2023,
            )
        )


def extend_demo(kit: DemoKit) -> None:
    """Fill the ten packages with the catalogue's policies and give the demo enterprises their facts."""
    db = kit.db
    rows = {p.name_zh: p for p in db.scalars(select(PolicyPackage))}
    for package in load_catalogue():
        row = rows.get(package.name_zh)
        if row is None:
            row = PolicyPackage(
                slug=package.id,
                event=kit.find(Event, package.event or ""),
                name_zh=package.name_zh,
                name_en=package.name_en,
                description_zh=package.summary_zh or None,
                description_en=package.summary_en or None,
                provenance=package.source or SYNTHETIC,
            )
            db.add(row)
        for policy in package.policies:
            import_policy(
                db, policy=policy, package=row, district=_district_of(policy.issuer_zh)
            )
    for enterprise in load_demo_enterprises():
        found = _find(kit, enterprise) or _create(kit, enterprise)
        found.facts = canonical_facts(enterprise.facts)
    xinghe = kit.get(Organisation, "demo-xinghe")
    xinghe.facts = canonical_facts({**(xinghe.facts or {}), **XINGHE_FACTS})
    db.flush()
