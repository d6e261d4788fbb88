"""Policy suggestions: which policies may apply to an enterprise, and which enterprises a policy may reach.

The rules decide exactly what an enterprise's facts allow; they cannot say which of the many policies an
enterprise without facts should look at first. The matching engine (pair kind `enterprise_policy`) can: it
scores how close a policy is to what the enterprise does (shared industries, its district against the policy's
area, the terms their texts share, and their embeddings when both have vectors). Here the two are combined:
eligible policies first, then those the facts cannot decide yet ranked by affinity, never those the rules
exclude. The fitted corpus is shared with 政策找企业 (`outreach.reach`), which ranks the enterprises a district
could approach about a policy. Reads only.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import lru_cache
from typing import Any

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from duijie.core.auth import Actor
from duijie.core.i18n import gettext as _
from duijie.core.i18n import is_zh
from duijie.core.models import AuditEntry
from duijie.core.permissions import require
from duijie.directory.models import Organisation
from duijie.directory.organisations import listed
from duijie.directory.reference import DISTRICT_EN
from duijie.matching import taxonomy
from duijie.matching.affinity import AffinityEngine
from duijie.matching.explain import Affinity, Part
from duijie.matching.parts import lexical_tokens
from duijie.matching.profile import Profile
from duijie.matching.profiles import enterprise_profile
from duijie.matching.scoring import Side
from duijie.policies import catalogue as cat
from duijie.policies.enterprise_facts import organisation_facts
from duijie.policies.evaluator import Decision, Outcome, evaluate
from duijie.policies.facts import FACTS
from duijie.policies.models import Policy, PolicyPackage, PolicyVersion
from duijie.policies.permissions import can_see_suggestions
from duijie.policies.records import current_version, parse_policy
from duijie.policies.rules import AllOf, AnyOf, Condition, Not, Rule, parse_rule
from duijie.text.embed import DEMO_VECTORS_MODEL as MODEL_NAME
from duijie.text.embed import from_bytes
from duijie.text.models import SearchDocument

PAIR_KIND = "enterprise_policy"
STRONG = 0.5
"""A part at least this close to its best value speaks for the suggestion; weaker known parts are caveats."""
YI = Decimal(100_000_000)
RARE_IDF = 2.3
"""Term weight (IDF) of a word used by one text in ten; commoner shared words are not named as reasons."""
STRUCTURED = frozenset({"industry", "district", "amount", "category", "stage"})


def require_suggestions(actor: Actor, organisation: Organisation | None) -> None:
    """Refuse anyone but the organiser, the enterprise's district and the enterprise itself."""
    require(
        can_see_suggestions,
        actor,
        organisation,
        message=_(
            "Only the organiser, the enterprise's district and the enterprise itself may see which policies "
            "may apply to it."
        ),
    )


# ---------------------------------------------------------------- profiles


def _industry_names(text: str) -> list[str]:
    """Industries of the taxonomy named in a Chinese title (人工智能产业政策包 names 人工智能)."""
    found = {
        canonical
        for alias, canonical in taxonomy.ALIASES.items()
        if len(alias) >= 2 and any("\u4e00" <= ch <= "\u9fff" for ch in alias) and alias in text
    }
    return sorted(found)


def _positive_conditions(rule: Rule, negated: bool = False) -> Iterable[Condition]:
    """The conditions a rule asks to hold (those under an odd number of `not` ask the opposite)."""
    if isinstance(rule, Condition):
        if not negated:
            yield rule
    elif isinstance(rule, Not):
        yield from _positive_conditions(rule.item, not negated)
    elif isinstance(rule, AllOf | AnyOf):
        for item in rule.items:
            yield from _positive_conditions(item, negated)


def _values(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, tuple | list | frozenset | set) else [str(value)]


def rule_scope(rule_data: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    """The industries and registered districts a rule asks for, in document order, without repeats."""
    industries: list[str] = []
    districts: list[str] = []
    for cond in _positive_conditions(parse_rule(rule_data)):
        if cond.fact == "industries" and cond.op in ("contains", "intersects", "in"):
            industries.extend(_values(cond.value))
        elif cond.fact == "registered_district" and cond.op in ("==", "in"):
            districts.extend(_values(cond.value))
    return list(dict.fromkeys(industries)), list(dict.fromkeys(districts))


def _texts(*parts: str | None) -> list[str]:
    return [p.strip() for p in parts if p and p.strip()]


def _benefit_yi(data: Mapping[str, Any]) -> Decimal | None:
    """The most a benefit brings, in the engine's unit (亿元): its fixed amount, else its cap."""
    try:
        benefit = cat.parse_benefit(data, "benefit")
    except cat.PolicyError:
        return None
    amount = benefit.fixed if benefit.fixed is not None else benefit.cap
    return None if amount is None else amount / YI


def policy_profile(policy: Policy, version: PolicyVersion) -> Profile:
    """A policy as the engine sees it: its name, clauses and package as texts, the industries its rule and
    package name, the districts it is issued for or asks for, and the most its benefit brings."""
    package: PolicyPackage | None = policy.package
    industries, districts = rule_scope(version.rule)
    if package is not None:
        industries = list(dict.fromkeys([*industries, *_industry_names(package.name_zh)]))
    if policy.district and policy.district not in districts:
        districts.insert(0, policy.district)
    benefit = version.benefit or {}
    return Profile(
        id=policy.slug,
        name=policy.name_zh,
        texts=_texts(
            f"{policy.name_zh}。{version.clauses_zh or ''}",
            f"{policy.name_en or ''}. {version.clauses_en or ''}",
            str(benefit.get("description_zh") or ""),
            package.name_zh if package is not None else None,
        ),
        industries=industries,
        preferred_districts=districts,
        amount=_benefit_yi(benefit),
    )


def organisation_profile(org: Organisation) -> Profile:
    """An enterprise as the engine sees it (its matching profile), with the industries and registered
    district it stated for the self-check when its directory entry leaves them out."""
    profile = enterprise_profile(org)
    facts = organisation_facts(org)
    industries = list(dict.fromkeys([*profile.industries, *(facts.get("industries") or [])]))
    district = profile.district or facts.get("registered_district")
    return replace(profile, industries=industries, district=district)


@lru_cache(maxsize=20_000)
def _cached_tokens(text: str) -> tuple[str, ...]:
    from duijie.text.tokenize import tokenize

    return tuple(tokenize(text))


def _tokens(text: str) -> list[str]:
    """The text module's tokens, remembered across requests: profiles and policies change rarely."""
    return list(_cached_tokens(text))


# ---------------------------------------------------------------- the engine over all enterprises and policies


@dataclass
class Corpus:
    """The engine fitted on every enterprise and every current policy, so that both directions (policies for
    an enterprise, enterprises for a policy) read the same term weights and similarity scale."""

    engine: AffinityEngine
    enterprises: Side
    policies: Side
    semantic: bool

    def affinities(self, pairs: Sequence[tuple[str, str]]) -> list[Affinity]:
        """Explained affinities of (enterprise id, policy slug) pairs."""
        li = np.array([self.enterprises.position[e] for e, _p in pairs], dtype=np.int64)
        ri = np.array([self.policies.position[p] for _e, p in pairs], dtype=np.int64)
        return self.engine.affinities(self.enterprises, self.policies, li, ri)


def _vectors(db: Session, kind: str, ids: Sequence[int]) -> dict[int, np.ndarray]:
    """Stored search vectors of records of one kind (those embedded with the index's model)."""
    if not ids:
        return {}
    rows = db.execute(
        select(SearchDocument.record_id, SearchDocument.vector).where(
            SearchDocument.kind == kind,
            SearchDocument.model == MODEL_NAME,
            SearchDocument.vector.is_not(None),
        )
    )
    wanted = set(ids)
    return {rid: from_bytes(vec) for rid, vec in rows if rid in wanted and vec is not None}


def build_corpus(
    db: Session, *, enterprises: Sequence[Organisation], policies: Sequence[tuple[Policy, PolicyVersion]]
) -> Corpus:
    """Fit the engine; the semantic part counts only when every profile has a stored vector, since embedding
    inside a request would take seconds, so otherwise the lexical and structured parts carry the score."""
    left = [organisation_profile(o) for o in enterprises]
    right = [policy_profile(p, v) for p, v in policies]
    org_vectors = _vectors(db, "organisation", [o.id for o in enterprises])
    policy_vectors = _vectors(db, "policy", [p.id for p, _v in policies])
    semantic = len(org_vectors) == len(enterprises) and len(policy_vectors) == len(policies)
    if semantic:
        for profile, org in zip(left, enterprises, strict=True):
            profile.embeddings = org_vectors[org.id][None, :]
        for profile, (policy, _v) in zip(right, policies, strict=True):
            profile.embeddings = policy_vectors[policy.id][None, :]
    engine = AffinityEngine(PAIR_KIND, weights=None if semantic else {"semantic": 0.0}, tokenizer=_tokens)
    engine.fit(left, right)
    return Corpus(engine, engine.encode(left), engine.encode(right), semantic)


MAX_CORPORA = 8
"""Fitted corpora kept in memory (one per date and set of policies in force; each holds every enterprise)."""
_corpora: OrderedDict[Hashable, Corpus] = OrderedDict()
_corpora_lock = threading.Lock()


def _records_version(db: Session) -> tuple[Any, ...]:
    """What changes whenever a record the corpus reads changes, in one query: the enterprises (count, newest id,
    latest change), the newest audit entry (authoring, stated facts and every service write record one) and
    the stored vectors, which arrive from the background embedder without an audit entry. Read from the
    database, so each web worker keeps its own corpora without ever serving another worker's stale one."""
    enterprise = Organisation.kind == "enterprise"
    latest = select(AuditEntry.id, AuditEntry.at).order_by(AuditEntry.id.desc()).limit(1).subquery()
    row = db.execute(
        select(
            select(func.count()).select_from(Organisation).where(enterprise).scalar_subquery(),
            select(func.max(Organisation.id)).where(enterprise).scalar_subquery(),
            select(func.max(Organisation.updated_at)).where(enterprise).scalar_subquery(),
            select(latest.c.id).scalar_subquery(),
            select(latest.c.at).scalar_subquery(),
            select(func.count())
            .select_from(SearchDocument)
            .where(
                SearchDocument.kind.in_(("organisation", "policy")),
                SearchDocument.model == MODEL_NAME,
                SearchDocument.vector.is_not(None),
            )
            .scalar_subquery(),
        )
    ).one()
    return tuple(row)


def shared_corpus(
    db: Session,
    *,
    day: dt.date,
    policies: Sequence[tuple[Policy, PolicyVersion]],
    extra: Organisation | None = None,
) -> Corpus:
    """The fitted corpus of every enterprise and the given policies, reused across requests until a record
    changes (fitting takes most of a suggestion request); built afresh when `extra` (a record that is not an
    enterprise) must be part of it."""
    if extra is not None and extra.kind != "enterprise":
        return build_corpus(db, enterprises=[*_enterprises(db), extra], policies=policies)
    key = (str(db.get_bind().engine.url), day, _records_version(db), tuple((p.slug, v.id) for p, v in policies))
    with _corpora_lock:
        if key in _corpora:
            _corpora.move_to_end(key)
            return _corpora[key]
    corpus = build_corpus(db, enterprises=_enterprises(db), policies=policies)
    with _corpora_lock:
        _corpora[key] = corpus
        while len(_corpora) > MAX_CORPORA:
            _corpora.popitem(last=False)
    return corpus


def district_enterprises(db: Session, *, districts: Iterable[str]) -> list[Organisation]:
    """The enterprises registered in the given districts, by name, for a district's picker."""
    wanted = sorted(set(districts))
    if not wanted:
        return []
    return list(
        db.scalars(
            select(Organisation)
            .where(Organisation.kind == "enterprise", Organisation.district.in_(wanted), listed())
            .order_by(Organisation.name_zh)
        )
    )


def _enterprises(db: Session) -> list[Organisation]:
    return list(
        db.scalars(select(Organisation).where(Organisation.kind == "enterprise", listed()).order_by(Organisation.id))
    )


def current_policies(db: Session, on: dt.date) -> list[tuple[Policy, PolicyVersion]]:
    """Every policy with a version in force on the date, with its package, in a stable order (three queries)."""
    rows = db.scalars(
        select(Policy)
        .options(selectinload(Policy.versions), selectinload(Policy.package))
        .order_by(Policy.id)
    )
    out = []
    for row in rows:
        version = current_version(row, on)
        if (
            version is not None
            and version.valid_from <= on
            and (version.valid_to is None or on <= version.valid_to)
        ):
            out.append((row, version))
    return out


# ---------------------------------------------------------------- words


@dataclass(frozen=True)
class PartReason:
    """One named part of the affinity in words, and whether it speaks for the suggestion."""

    name: str
    value: float
    weight: float
    contribution: float
    zh: str
    en: str
    good: bool

    @property
    def text(self) -> str:
        """The words in the request's language."""
        return self.zh if is_zh() else self.en

    def to_dict(self) -> dict[str, Any]:
        """Give the part as JSON-able data."""
        return {
            "name": self.name,
            "value": round(self.value, 4),
            "weight": round(self.weight, 4),
            "contribution": round(self.contribution, 4),
            "zh": self.zh,
            "en": self.en,
            "good": self.good,
        }


def _district_words(enterprise: Profile, policy: Profile, part: Part) -> tuple[str, str]:
    """The district part said the way a policy reads: where the enterprise is against where the policy applies."""
    place = enterprise.district or ""
    place_en = DISTRICT_EN.get(place, place)
    if part.value >= 1.0:
        return f"位于{place}", f"Located in {place_en}"
    scope = "、".join(policy.preferred_districts)
    scope_en = ", ".join(DISTRICT_EN.get(d, d) for d in policy.preferred_districts)
    return (
        f"位于{place}，不在政策适用区域（{scope}）",
        f"Located in {place_en}, outside the policy's area ({scope_en})",
    )


def _terms(profile: Profile) -> set[str]:
    return {t for text in profile.texts for t in lexical_tokens(text, _tokens)}


def _lexical_words(engine: AffinityEngine, enterprise: Profile, policy: Profile) -> tuple[str, str] | None:
    """The distinctive terms two profiles share, rarest first; words nearly every text uses (企业, support)
    say nothing about this pair, so only terms in at most one text in ten are named."""
    common = _terms(enterprise) & _terms(policy)
    rare = {t for t in common if engine.idf.get(t, engine.default_idf) >= RARE_IDF}
    # A compound's pieces (自动, 驾驶 inside 自动驾驶) add nothing to the words shown.
    whole = {t for t in rare if not any(t != o and t in o for o in rare)}
    shared = sorted(whole, key=lambda t: (-engine.idf.get(t, engine.default_idf), t))[:5]
    if not shared:
        return None
    return "共同术语：" + "、".join(shared), "Shared terms: " + ", ".join(shared)


def part_reasons(
    affinity: Affinity, enterprise: Profile, policy: Profile, engine: AffinityEngine
) -> tuple[PartReason, ...]:
    """Every part the engine knows for this pair, in words, the strongest first; the district is said the
    way a policy reads, and the shared terms name only distinctive words."""
    known = [p for p in affinity.parts if p.contribution < 0 or (p.known and p.weight > 0)]
    known.sort(key=lambda p: (p.contribution >= 0, -p.contribution, p.name))
    out = []
    for p in known:
        zh, en = p.reason_zh, p.reason_en
        good = p.contribution >= 0 and p.value >= STRONG
        if p.name == "district":
            zh, en = _district_words(enterprise, policy, p)
        elif p.name == "lexical":
            words = _lexical_words(engine, enterprise, policy)
            good = words is not None and p.value > 0
            zh, en = words or ("无共同专业术语", "No distinctive shared terms")
        out.append(PartReason(p.name, p.value, p.weight, p.contribution, zh, en, good))
    return tuple(out)


def shown(parts: Iterable[PartReason]) -> tuple[PartReason, ...]:
    """The parts worth saying: those that speak for the match, and the structured ones even when they do
    not (a different industry, a district outside the policy's area), since they are plain facts."""
    return tuple(p for p in parts if p.good or p.name in STRUCTURED)


def _fact_labels(names: Iterable[str]) -> tuple[tuple[str, str], ...]:
    return tuple((FACTS[n].label_zh, FACTS[n].label_en) for n in names if n in FACTS)


# ---------------------------------------------------------------- policies for an enterprise


@dataclass(frozen=True)
class PolicySuggestion:
    """A policy that may apply to an enterprise: the rules' decision on its facts and the engine's affinity."""

    policy: Policy
    decision: Decision
    score: float
    parts: tuple[PartReason, ...]

    @property
    def tier(self) -> str:
        """`eligible` when the facts decide it, `maybe` when facts are still missing."""
        return "eligible" if self.decision.outcome == Outcome.ELIGIBLE else "maybe"

    @property
    def amount(self) -> Decimal | None:
        """The estimated benefit in 元, when the facts allow computing it."""
        benefit = self.decision.benefit
        return None if benefit is None else benefit.amount

    @property
    def missing(self) -> tuple[tuple[str, str], ...]:
        """The facts the rules still need, as (Chinese, English) labels."""
        return _fact_labels(self.decision.missing_facts)

    def missing_labels(self) -> list[str]:
        """The facts still needed, named in the request's language."""
        return [zh if is_zh() else en for zh, en in self.missing]

    @property
    def benefit_kind(self) -> tuple[str, str]:
        """What the policy gives, as (Chinese, English) words, for when no amount can be estimated."""
        benefit = self.decision.benefit
        kind = cat.BenefitKind(benefit.kind) if benefit is not None else cat.BenefitKind.SUBSIDY
        return cat.BENEFIT_KIND_LABELS[kind]

    @property
    def reasons(self) -> tuple[PartReason, ...]:
        """The parts worth showing, in words."""
        return shown(self.parts)

    def to_dict(self) -> dict[str, Any]:
        """Give the suggestion as JSON-able data for the API."""
        package = self.policy.package
        benefit = self.decision.benefit
        return {
            "policy": self.policy.slug,
            "name_zh": self.policy.name_zh,
            "name_en": self.policy.name_en,
            "package": package.slug if package is not None else None,
            "tier": self.tier,
            "outcome": self.decision.outcome.value,
            "version": self.decision.version,
            "affinity": round(self.score, 4),
            "benefit": None if benefit is None else benefit.to_dict(),
            "missing_facts": list(self.decision.missing_facts),
            "parts": [p.to_dict() for p in self.parts],
            "rule_reasons": [r.to_dict() for r in self.decision.reasons],
        }


def _order(item: PolicySuggestion) -> tuple[int, Decimal, float, str]:
    if item.tier == "eligible":
        return (0, -(item.amount or Decimal(0)), -round(item.score, 6), item.policy.slug)
    return (1, Decimal(0), -round(item.score, 6), item.policy.slug)


def suggest_policies(
    db: Session, *, organisation: Organisation, on: dt.date | None = None, limit: int | None = 8
) -> list[PolicySuggestion]:
    """The policies that may apply to an enterprise on a date: those its facts make it eligible for (most
    benefit first, then closest), then those its facts cannot decide yet (closest first); none the rules
    exclude. Each comes with the affinity's parts in words and the rules' reasons."""
    day = on or dt.date.today()
    policies = current_policies(db, day)
    if not policies:
        return []
    facts = organisation_facts(organisation)
    decisions = {row.slug: evaluate(parse_policy(row), facts, on=day) for row, _v in policies}
    wanted = [(row, v) for row, v in policies if decisions[row.slug].outcome != Outcome.NOT_ELIGIBLE]
    if not wanted:
        return []
    corpus = shared_corpus(db, day=day, policies=policies, extra=organisation)
    me = str(organisation.id)
    affinities = corpus.affinities([(me, row.slug) for row, _v in wanted])
    left = corpus.enterprises.profiles[corpus.enterprises.position[me]]
    items = [
        PolicySuggestion(
            policy=row,
            decision=decisions[row.slug],
            score=affinity.score,
            parts=part_reasons(
                affinity, left, corpus.policies.profiles[corpus.policies.position[row.slug]], corpus.engine
            ),
        )
        for (row, _v), affinity in zip(wanted, affinities, strict=True)
    ]
    items.sort(key=_order)
    return items if limit is None else items[:limit]


def suggestions_for(
    db: Session, *, actor: Actor, organisation: Organisation, on: dt.date | None = None, limit: int | None = 8
) -> list[PolicySuggestion]:
    """`suggest_policies` for someone allowed to see them (the organiser, the district, the enterprise)."""
    require_suggestions(actor, organisation)
    return suggest_policies(db, organisation=organisation, on=on, limit=limit)
