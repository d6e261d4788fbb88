"""The policies' searchable records: policy packages and policies (the text of the version in force), both
shown to everyone; a policy takes its event from its package."""

from __future__ import annotations

from collections.abc import Collection, Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from duijie.core.auth import Actor
from duijie.core.i18n import mark as _l
from duijie.core.searchable import Extract, Follow, Searchable, SearchFilters, join_lines, restrict, slug_urls
from duijie.policies.models import Policy, PolicyPackage, PolicyVersion
from duijie.policies.records import current_version


def _package(row: PolicyPackage) -> Extract:
    text = join_lines(row.name_zh, row.name_en, row.description_zh, row.description_en)
    return Extract("package", row.id, row.event_id, row.name_zh, row.name_en or row.name_zh, text)


def _policy(row: Policy) -> Extract:
    version = current_version(row)
    clauses = (version.clauses_zh, version.clauses_en) if version is not None else (None, None)
    text = join_lines(row.name_zh, row.name_en, row.issuer_zh, row.issuer_en, *clauses)
    event_id = row.package.event_id if row.package is not None else None
    return Extract("policy", row.id, event_id, row.name_zh, row.name_en or row.name_zh, text)


def _packages(
    db: Session, actor: Actor | None, f: SearchFilters, event_id: int | None, among: Collection[int] | None
) -> list[int]:
    """Every package among the candidates (of the event asked for): policies are public."""
    stmt = restrict(select(PolicyPackage.id), PolicyPackage.id, among)
    if event_id is not None:
        stmt = stmt.where(PolicyPackage.event_id == event_id)
    return list(db.scalars(stmt))


def _policies(
    db: Session, actor: Actor | None, f: SearchFilters, event_id: int | None, among: Collection[int] | None
) -> list[int]:
    """The policies among the candidates in the district (and of the event, through its package) asked for."""
    stmt = select(Policy.id).outerjoin(PolicyPackage, Policy.package_id == PolicyPackage.id)
    stmt = restrict(stmt, Policy.id, among)
    if f.district:
        stmt = stmt.where(Policy.district == f.district)
    if event_id is not None:
        stmt = stmt.where(PolicyPackage.event_id == event_id)
    return list(db.scalars(stmt))


def _policy_of_version(db: Session, version: PolicyVersion) -> Iterable[int]:
    """A new, changed or deleted version changes the text of its policy (the version in force may differ)."""
    return [] if version.policy_id is None else [version.policy_id]


SEARCHABLE = (
    Searchable(
        kind="package",
        label=_l("Policy packages"),
        order=30,
        model=PolicyPackage,
        extract=_package,
        visible=_packages,
        urls=slug_urls(PolicyPackage, "/policies/packages/"),
        filters=frozenset({"event"}),
    ),
    Searchable(
        kind="policy",
        label=_l("Policies"),
        order=40,
        model=Policy,
        extract=_policy,
        visible=_policies,
        urls=slug_urls(Policy, "/policies/"),
        filters=frozenset({"district", "event"}),
        load=(selectinload(Policy.versions), selectinload(Policy.package)),
        follows=(Follow(PolicyVersion, _policy_of_version),),
    ),
)
