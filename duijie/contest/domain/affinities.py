"""How well each judge fits each entry: the matching engine's affinities, with the reasons shown to people."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from duijie.contest.assignment_types import AffinityTable
from duijie.contest.domain.conflicts import org_name
from duijie.contest.models import ContestEntry, ContestField, ContestRound, Judge
from duijie.directory.models import Organisation
from duijie.matching.affinity import AffinityEngine
from duijie.matching.parts import GENERIC_TERMS, lexical_tokens
from duijie.matching.profile import Profile
from duijie.matching.scoring import Side
from duijie.matching.taxonomy import normalize_industry
from duijie.text.embed import content_hash, embed_with_cache, get_embedder, vector_cache
from duijie.text.tokenize import tokenize

log = logging.getLogger(__name__)

CLOSE_IN_MEANING = 0.6
"""A semantic part (0–1, the engine's scale) from which a review's explanation says the two are close in
meaning, not only the number."""

SEMANTIC_EMBED_LIMIT = 400
"""Texts without a stored vector that an assignment run embeds itself (a few seconds on two cores, in the
background job or the command that runs it). A round with more scores by terms and fields alone and says so; the
vectors it did embed are kept (next to a SQLite file) for the next run."""


@dataclass
class Profiles:
    """What a round's affinities are computed from, read from the database as plain data: once read, computing
    them needs no session, so a job computes them outside any transaction."""

    entries: list[Profile]
    judges: list[Profile]
    field_names: dict[str, tuple[str, str]]
    """Normalised field name → (Chinese, English), for the explanations."""


@dataclass
class AffinityInput:
    """A round's affinity matrix with what is needed to explain any of its pairs."""

    table: AffinityTable
    engine: AffinityEngine
    entry_side: Side
    judge_side: Side
    field_names: dict[str, tuple[str, str]]
    semantic: bool = True
    """Whether the semantic part counted: False when too many texts had no vector yet."""


def _entry_industry(entry: ContestEntry, fields: dict[int, ContestField]) -> list[str]:
    f = fields.get(entry.field_id) if entry.field_id else None
    while f is not None and f.parent_id is not None:
        f = fields.get(f.parent_id)
    return [f.name_zh] if f is not None else []


def entry_texts(entry: ContestEntry) -> list[str]:
    """The documents of an entry that judge assignment compares: its title and its description."""
    return [t for t in (entry.title_zh, entry.description) if t]


def judge_texts(judge: Judge) -> list[str]:
    """The documents of a judge that judge assignment compares: the expertise statement."""
    return [judge.expertise] if judge.expertise else []


def entry_profile(entry: ContestEntry, fields: dict[int, ContestField]) -> Profile:
    """What the matching engine compares on an entry's side: its texts, its field and its entrant."""
    return Profile(
        id=str(entry.id),
        texts=entry_texts(entry),
        industries=_entry_industry(entry, fields),
        organisation=org_name(entry.organisation),
        country=entry.country,
    )


def judge_profile(judge: Judge, field_names: Iterable[str], org: Organisation | None) -> Profile:
    """A judge's side: the expertise text and the fields it names."""
    text = judge.expertise or ""
    return Profile(
        id=str(judge.id),
        texts=judge_texts(judge),
        industries=[name for name in field_names if name in text],
        organisation=org_name(org),
        country=judge.country,
    )


def read_profiles(
    db: Session, *, rnd: ContestRound, entries: Sequence[ContestEntry], judges: Sequence[Judge]
) -> Profiles:
    """The round's entries and judges as the matching engine compares them (texts, fields, organisations)."""
    fields = {f.id: f for f in db.scalars(select(ContestField).where(ContestField.event_id == rnd.event_id))}
    top = [f for f in fields.values() if f.parent_id is None]
    org_ids = {j.organisation_id for j in judges if j.organisation_id}
    orgs = (
        {o.id: o for o in db.scalars(select(Organisation).where(Organisation.id.in_(org_ids)))}
        if org_ids
        else {}
    )
    return Profiles(
        entries=[entry_profile(e, fields) for e in entries],
        judges=[
            judge_profile(j, [f.name_zh for f in top], orgs.get(j.organisation_id or -1)) for j in judges
        ],
        field_names={normalize_industry(f.name_zh): (f.name_zh, f.name_en or f.name_zh) for f in top},
    )


def compute(profiles: Profiles, *, database_url: str) -> AffinityInput:
    """Judge-entry affinities from the matching engine (rows: entries, columns: judges); no database needed.

    `database_url` only says where the vector cache is kept (next to a SQLite file)."""
    eps, jps = profiles.entries, profiles.judges
    semantic = _attach_vectors(database_url, [*jps, *eps])
    engine = AffinityEngine(
        "judge_entry", weights=None if semantic else {"semantic": 0.0}, tokenizer=_tokens
    ).fit(jps, eps)
    jside, eside = engine.encode(jps), engine.encode(eps)
    values = engine.score_matrix(jside, eside).T.astype(np.float64)
    table = AffinityTable(
        entries=tuple(p.id for p in eps), judges=tuple(p.id for p in jps), values=np.round(values, 4)
    )
    return AffinityInput(
        table=table,
        engine=engine,
        entry_side=eside,
        judge_side=jside,
        field_names=profiles.field_names,
        semantic=semantic,
    )


def database_url(db: Session) -> str:
    """The session's database URL, with its password: the vector cache is found from it."""
    return db.get_bind().engine.url.render_as_string(hide_password=False)


def affinity_input(
    db: Session, *, rnd: ContestRound, entries: Sequence[ContestEntry], judges: Sequence[Judge]
) -> AffinityInput:
    """Read the profiles and compute the affinities at once (a command, the demo, dropping one judge)."""
    profiles = read_profiles(db, rnd=rnd, entries=entries, judges=judges)
    return compute(profiles, database_url=database_url(db))


def _attach_vectors(url: str, profiles: list[Profile]) -> bool:
    """Give each profile its documents' vectors: the stored ones (shipped with the demo, or kept next to a
    SQLite file by earlier runs), the rest embedded here when they are few. False when too many are missing:
    the round is then scored by terms and fields alone."""
    cache, path = vector_cache(url)
    key = {t: content_hash(t) for p in profiles for t in p.texts}
    missing = [t for t, k in key.items() if k not in cache]
    if len(missing) > SEMANTIC_EMBED_LIMIT:
        log.info("judge assignment without the semantic part: %d texts have no vector", len(missing))
        return False
    if missing:
        embed_with_cache(get_embedder(), missing, cache)
        if path is not None:
            cache.save(path)
    for profile in profiles:
        if profile.texts:
            profile.embeddings = np.stack([cache[key[t]] for t in profile.texts])
    return True


@lru_cache(maxsize=20_000)
def _cached_tokens(text: str) -> tuple[str, ...]:
    return tuple(tokenize(text))


def _tokens(text: str) -> list[str]:
    """The text module's tokens, remembered across rounds: judges' expertise texts come back every run."""
    return list(_cached_tokens(text))


def _terms(profile: Profile, cache: dict[str, set[str]]) -> set[str]:
    if profile.id not in cache:
        cache[profile.id] = {t for text in profile.texts for t in lexical_tokens(text, _tokens)}
    return cache[profile.id]


def explanations(inp: AffinityInput, pairs: Sequence[tuple[str, str]]) -> list[str]:
    """Why each judge fits each entry, in Chinese then English (one line each), for all pairs at once.

    Built from the engine's part values: the field the two share (or not) and the domain terms they share,
    the rarest first.
    """
    if not pairs:
        return []
    eng = inp.engine
    li = np.array([inp.judge_side.position[j] for _e, j in pairs], dtype=np.int64)
    ri = np.array([inp.entry_side.position[e] for e, _j in pairs], dtype=np.int64)
    score, values, conflicted, _declined = eng.pair_scores(inp.judge_side, inp.entry_side, li, ri)
    cache: dict[str, set[str]] = {}
    out = []
    for k in range(len(pairs)):
        jp, ep = inp.judge_side.profiles[li[k]], inp.entry_side.profiles[ri[k]]
        field = ep.industries[0] if ep.industries else ""
        if field and field in jp.industries:
            name_zh, name_en = inp.field_names.get(field, (field, field))
            zh = [f"同属{name_zh}领域"]
            en = [f"both in {name_en}"]
        else:
            zh, en = ["专长领域不同"], ["different field of expertise"]
        common = _terms(jp, cache) & _terms(ep, cache)
        whole = {t for t in common if not any(t != o and t in o for o in common)} - GENERIC_TERMS
        shared = sorted(whole, key=lambda t: (-eng.idf.get(t, eng.default_idf), t))[:4]
        if shared:
            zh.append("共同术语：" + "、".join(shared))
            en.append("shared terms: " + ", ".join(shared))
        else:
            zh.append("无共同术语")
            en.append("no shared terms")
        lex = float(values["lexical"][0][k]) if "lexical" in values else 0.0
        ind = float(values["industry"][0][k]) if "industry" in values else 0.0
        if conflicted[k]:
            zh.insert(0, "同一机构")
            en.insert(0, "same organisation")
        parts_zh, parts_en = [f"术语{lex:.2f}", f"领域{ind:.2f}"], [f"terms {lex:.2f}", f"field {ind:.2f}"]
        if "semantic" in values and bool(values["semantic"][1][k]):
            sem = float(values["semantic"][0][k])
            parts_zh.insert(0, f"语义{sem:.2f}")
            parts_en.insert(0, f"meaning {sem:.2f}")
            if sem >= CLOSE_IN_MEANING:
                zh.insert(1 if conflicted[k] else 0, "专长与项目内容语义相近")
                en.insert(1 if conflicted[k] else 0, "expertise close in meaning to the entry")
        head_zh = f"匹配度{score[k]:.2f}（{'，'.join(parts_zh)}）"
        head_en = f"Affinity {score[k]:.2f} ({', '.join(parts_en)})"
        out.append(f"{head_zh}：{'；'.join(zh)}"[:240] + "\n" + f"{head_en}: {'; '.join(en)}"[:250])
    return out


def explanation_text(explanation: str | None, locale: str) -> str:
    """The stored explanation in the reader's language."""
    if not explanation:
        return ""
    zh, _sep, en = explanation.partition("\n")
    return zh if locale.startswith("zh") or not en else en
