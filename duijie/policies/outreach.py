"""政策找企业: the enterprises a policy fits by its rule, those worth approaching because they are close to it but
have not given the facts that decide it (ranked by the matching engine), and the list as CSV or Excel.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from duijie.core.auth import Actor
from duijie.core.i18n import gettext as _
from duijie.core.i18n import is_zh
from duijie.core.permissions import require
from duijie.directory.models import Organisation
from duijie.directory.organisations import listed
from duijie.policies.bulk import Match, match_enterprises
from duijie.policies.enterprise_facts import organisation_facts
from duijie.policies.evaluator import Decision, Outcome
from duijie.policies.facts import FACTS, plain
from duijie.policies.models import Policy
from duijie.policies.permissions import can_match_enterprises
from duijie.policies.records import current_version, outcome_label, parse_policy
from duijie.policies.suggest import current_policies, part_reasons, shared_corpus, shown

OUTREACH_LIMIT = 20
"""How many enterprises without the deciding facts the policy's page lists unless all are asked for."""


@dataclass(frozen=True)
class EnterpriseMatch:
    """An enterprise a policy fits (or may fit once it states the missing facts)."""

    organisation: Organisation
    decision: Decision
    district: str | None = None
    listed: str | None = None
    affinity: float | None = None
    parts: tuple[Any, ...] = ()

    @property
    def list_name(self) -> str:
        """Which list the enterprise is in: `eligible`, or `outreach` (close to the policy, facts missing)."""
        if self.listed is not None:
            return self.listed
        return "eligible" if self.decision.outcome == Outcome.ELIGIBLE else "outreach"

    @property
    def amount(self) -> Decimal | None:
        """The estimated benefit in 元, when it can be computed."""
        benefit = self.decision.benefit
        return None if benefit is None else benefit.amount


def match_organisations(
    db: Session, *, actor: Actor, policy: Policy, on: dt.date, include_undetermined: bool = False
) -> list[EnterpriseMatch]:
    """Which enterprises qualify for a policy (政策找企业): most benefit first, then those missing facts."""
    require(
        can_match_enterprises,
        actor,
        policy,
        message=_("Only the organiser may search enterprises for a policy."),
    )
    orgs = {str(o.id): o for o in db.scalars(select(Organisation).where(Organisation.kind == "enterprise", listed()))}
    facts = {oid: organisation_facts(o) for oid, o in orgs.items()}
    found: list[Match] = match_enterprises(
        parse_policy(policy), facts, on=on, include_undetermined=include_undetermined
    )
    return [
        EnterpriseMatch(orgs[m.enterprise_id], m.decision, facts[m.enterprise_id].get("registered_district"))
        for m in found
    ]


@dataclass(frozen=True)
class PolicyReach:
    """A policy's enterprises: those its rule already finds eligible, and those worth approaching because
    they are close to it but have not given the facts that decide it (closest first)."""

    eligible: list[EnterpriseMatch]
    outreach: list[EnterpriseMatch]
    outreach_total: int
    semantic: bool

    @property
    def rows(self) -> list[EnterpriseMatch]:
        """Both lists, as the export writes them."""
        return [*self.eligible, *self.outreach]


def reach(
    db: Session, *, actor: Actor, policy: Policy, on: dt.date, limit: int | None = OUTREACH_LIMIT
) -> PolicyReach:
    """Who a policy fits (政策找企业) and who to approach about it: undetermined enterprises ranked by the
    engine's affinity with the policy, with its parts in words and the facts still missing."""
    require(
        can_match_enterprises,
        actor,
        policy,
        message=_("Only the organiser may search enterprises for a policy."),
    )
    matches = match_organisations(
        db, actor=actor, policy=policy, on=on, include_undetermined=True
    )
    eligible = [m for m in matches if m.decision.outcome == Outcome.ELIGIBLE]
    open_ = [m for m in matches if m.decision.outcome == Outcome.UNDETERMINED]
    version = current_version(policy, on)
    if not open_ or version is None:
        return PolicyReach(eligible, [], 0, False)
    policies = current_policies(db, on)
    if policy.slug not in {p.slug for p, _v in policies}:
        policies.append((policy, version))
    corpus = shared_corpus(db, day=on, policies=policies)
    right = corpus.policies.profiles[corpus.policies.position[policy.slug]]
    affinities = corpus.affinities([(str(m.organisation.id), policy.slug) for m in open_])
    ranked = []
    for match, affinity in zip(open_, affinities, strict=True):
        left = corpus.enterprises.profiles[corpus.enterprises.position[str(match.organisation.id)]]
        ranked.append(
            EnterpriseMatch(
                match.organisation,
                match.decision,
                match.district,
                listed="outreach",
                affinity=affinity.score,
                parts=shown(part_reasons(affinity, left, right, corpus.engine)),
            )
        )
    ranked.sort(key=lambda m: (-round(m.affinity or 0.0, 6), m.organisation.slug))
    listed = ranked if limit is None else ranked[:limit]
    return PolicyReach(eligible, listed, len(ranked), corpus.semantic)


def list_label(name: str) -> str:
    """Name an export list in the current language."""
    labels = {
        "eligible": _("Eligible on the facts given"),
        "outreach": _("May fit, facts missing: reach out"),
    }
    return labels.get(name, name)


def export_rows(matches: Sequence[EnterpriseMatch]) -> tuple[list[str], list[list[Any]]]:
    """The export's header (in the current language) and one row per enterprise; the last columns say which
    list it is in and, for enterprises to approach, how close they are to the policy and why."""
    zh = is_zh()
    header = [
        _("Enterprise"),
        _("Identifier"),
        _("District"),
        _("Outcome"),
        _("Estimated benefit (yuan)"),
        _("Missing facts"),
        _("Reasons"),
        _("List"),
        _("Affinity"),
        _("Why it may fit"),
    ]
    rows: list[list[Any]] = []
    for m in matches:
        d = m.decision
        org = m.organisation
        rows.append(
            [
                org.name_zh if zh else (org.name_en or org.name_zh),
                org.slug,
                m.district or "",
                outcome_label(d.outcome.value),
                None if m.amount is None else m.amount,
                ("、" if zh else ", ").join(FACTS[f].label("zh" if zh else "en") for f in d.missing_facts),
                ("；" if zh else "; ").join(r.text_zh if zh else r.text_en for r in d.reasons),
                list_label(m.list_name),
                None if m.affinity is None else round(m.affinity, 2),
                ("；" if zh else "; ").join(p.zh if zh else p.en for p in m.parts),
            ]
        )
    return header, rows


def export_csv(matches: Sequence[EnterpriseMatch]) -> bytes:
    """The match list as CSV with a byte-order mark, so Excel opens the Chinese text correctly."""
    header, rows = export_rows(matches)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else (plain(v) if isinstance(v, Decimal) else v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def export_xlsx(matches: Sequence[EnterpriseMatch], *, title: str) -> bytes:
    """The match list as an Excel workbook: amounts as numbers in 元, the header frozen."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    header, rows = export_rows(matches)
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31] or "policy"
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([float(v) if isinstance(v, Decimal) else v for v in row])
        sheet.cell(row=sheet.max_row, column=5).number_format = "#,##0.00"
    sheet.freeze_panes = "A2"
    for letter, width in zip("ABCDEFGHIJ", (34, 24, 16, 12, 18, 28, 80, 22, 10, 60), strict=True):
        sheet.column_dimensions[letter].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
