"""Lexical search in the database: BM25 over our own tokens, kept by the database itself.

SQLite: the FTS5 table `search_fts` over search_document.tokens, ranked by FTS5's bm25() (k1 = 1.2, b = 0.75).
PostgreSQL: the GIN-indexed `tsv` column built from the same tokens with their positions; a document's score is
the sum over the query's terms of the term's idf (Lucene's) times ts_rank of that term alone (a saturating term
frequency divided by the log of the document's length), which ranks as BM25 does. ts_rank_cd over the whole
query, which has no idf, lost 0.04 nDCG@10 on the benchmark's queries; this form gave 0.885 against 0.882 for
the in-memory BM25 it replaces (bench/README.md, "Search across workers").

Terms found in more than COMMON_SHARE of the documents (项目, 企业, "project") select nothing: a document is a
candidate only through the query's rarer words, and the common ones, whose idf is near zero, are left out of
its score. Matching every document of a language through such a word and scoring each cost 100-300 ms at
100,000 documents; leaving them out changed nDCG@10 by +0.001 on the benchmark's queries. When every word is
common, the rarest one selects.

Both run in the caller's transaction, so a search sees the request's own writes and nothing rolled back. Both
rank every document of the kinds asked for, whoever reads: the caller reads the ranking a window at a time and
keeps what the reader may see (`duijie.search.visibility`), so no search lists the visible records first.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from duijie.text.models import FTS_TABLE

COMMON_SHARE = 0.2
# The PostgreSQL score is scaled by a full match of an average-length document, the length read from a sample
# of about SAMPLE_PERCENT of the table's pages (the whole table when it is small).
SAMPLE_PERCENT = 1
SAMPLE_BELOW = 5000

Hit = tuple[str, int, float]
# The `limit` best documents of the ranking, best first (fewer when fewer match); among `only` (kind -> record
# ids) when given.
Fetch = Callable[[int, Mapping[str, set[int]] | None], list[Hit]]


def ranking(db: Session, tokens: Sequence[str], kinds: Sequence[str] | None = None) -> tuple[Fetch | None, float]:
    """The ranking of the documents of `kinds` (every kind when None) for the query tokens, read `limit` at a time
    as (kind, record id, score), and the score of a full match of an average document (the scale `convex_fuse`
    divides by). None when no document can match."""
    terms = list(dict.fromkeys(t for t in tokens if t))
    if not terms or (kinds is not None and not kinds):
        return None, 0.0
    if db.get_bind().dialect.name == "postgresql":
        return _postgresql(db, terms, kinds)
    return _sqlite(db, terms, kinds)


def _only_clause(only: Mapping[str, set[int]] | None, postgresql: bool, prefix: str) -> tuple[str, dict[str, Any]]:
    """` AND (kind = ... AND record_id among the ids ...)` for the records listed as visible (search lists them
    only when few are), one array parameter per kind (json_each on SQLite, ANY on PostgreSQL)."""
    if only is None:
        return "", {}
    params: dict[str, Any] = {}
    parts = []
    for i, (kind, ids) in enumerate(sorted(only.items())):
        params[f"ok{i}"] = kind
        if postgresql:
            params[f"oi{i}"] = sorted(ids)
            among = f"{prefix}record_id = ANY(CAST(:oi{i} AS bigint[]))"
        else:
            params[f"oi{i}"] = json.dumps(sorted(ids))
            among = f"{prefix}record_id IN (SELECT value FROM json_each(:oi{i}))"
        parts.append(f"({prefix}kind = :ok{i} AND {among})")
    return f" AND ({' OR '.join(parts) or 'false'})", params


def _kind_clause(kinds: Sequence[str] | None, column: str) -> tuple[str, dict[str, str]]:
    """` AND <column> IN (...)` for the kinds asked for, with its parameters (nothing for every kind)."""
    if kinds is None:
        return "", {}
    params = {f"k{i}": k for i, k in enumerate(kinds)}
    return f" AND {column} IN ({', '.join(':' + name for name in params)})", params


def _selective(df: Mapping[str, float], n: float) -> list[str]:
    """The terms that select candidates: those present and not common; else the rarest one."""
    present = [t for t, f in df.items() if f > 0]
    chosen = [t for t in present if df[t] <= COMMON_SHARE * n]
    if not chosen and present:
        chosen = [min(present, key=lambda t: df[t])]
    return chosen


# ---------------------------------------------------------------- SQLite: FTS5


def _varint(buf: bytes, pos: int) -> tuple[int, int]:
    """SQLite's variable-length integer at `pos`: (value, next position)."""
    value = 0
    for i in range(8):
        byte = buf[pos + i]
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            return value, pos + i + 1
    return (value << 8) | buf[pos + 8], pos + 9


def _sqlite_documents(db: Session) -> int:
    """How many documents FTS5 holds, from its averages record (a count when that cannot be read)."""
    block = db.execute(text(f"SELECT block FROM {FTS_TABLE}_data WHERE id = 1")).scalar()
    if isinstance(block, bytes) and block:
        try:
            return _varint(block, 0)[0]
        except IndexError:
            pass
    return int(db.execute(text(f"SELECT count(*) FROM {FTS_TABLE}_docsize")).scalar_one())


def _fts_phrase(term: str) -> str:
    """One token as an FTS5 string (our tokens never hold spaces; quotes are doubled)."""
    return '"' + term.replace('"', '""') + '"'


def _sqlite(db: Session, terms: list[str], kinds: Sequence[str] | None) -> tuple[Fetch | None, float]:
    db.execute(
        text(f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.{FTS_TABLE}_vocab USING fts5vocab(main, {FTS_TABLE}, 'row')")
    )
    n = _sqlite_documents(db)
    marks = ", ".join(f":t{i}" for i in range(len(terms)))
    found = {
        r[0]: r[1]
        for r in db.execute(
            text(f"SELECT term, doc FROM temp.{FTS_TABLE}_vocab WHERE term IN ({marks})"),
            {f"t{i}": t for i, t in enumerate(terms)},
        )
    }
    df = {t: float(found.get(t, 0)) for t in terms}
    chosen = _selective(df, n)
    if not chosen:
        return None, 0.0
    # FTS5's own idf, so the scale matches bm25(): never below 1e-6.
    ceiling = sum(max(1e-6, math.log((n - df[t] + 0.5) / (df[t] + 0.5))) for t in chosen)
    match = " OR ".join(_fts_phrase(t) for t in chosen)
    # Ranked in FTS5 alone, then joined: joining first reads the document row of every match (thousands) to
    # rank, which doubled the query's time. Other kinds are left to the caller's gate, which drops them.
    ranked = text(
        f"SELECT d.kind, d.record_id, -f.score FROM (SELECT rowid AS doc, rank AS score FROM {FTS_TABLE} "
        f"WHERE {FTS_TABLE} MATCH :match ORDER BY rank, rowid LIMIT :limit) AS f "
        "JOIN search_document AS d ON d.id = f.doc ORDER BY f.score, f.doc"
    )
    of_kinds, params = _kind_clause(kinds, "d.kind")

    def fetch(limit: int, only: Mapping[str, set[int]] | None) -> list[Hit]:
        if only is None:
            rows = db.execute(ranked, {"match": match, "limit": limit})
        else:  # among the few records the gate listed as visible: kinds and ids are filtered in SQL, one round
            among, among_params = _only_clause(only, False, "d.")
            stmt = text(
                f"SELECT d.kind, d.record_id, -f.rank FROM {FTS_TABLE} AS f JOIN search_document AS d ON "
                f"d.id = f.rowid WHERE {FTS_TABLE} MATCH :match{of_kinds}{among} ORDER BY f.rank, f.rowid LIMIT :limit"
            )
            rows = db.execute(stmt, params | among_params | {"match": match, "limit": limit})
        return [(k, int(r), float(s)) for k, r, s in rows]

    return fetch, ceiling


# ---------------------------------------------------------------- PostgreSQL: tsvector + GIN


def _tsquery(terms: Sequence[str]) -> str:
    """Our tokens as a tsquery of quoted lexemes joined by OR (the database's parser never sees them)."""
    return " | ".join("'" + t.replace("\\", "\\\\").replace("'", "''") + "'" for t in terms)


def _postgresql_frequencies(db: Session, terms: list[str]) -> tuple[dict[str, float], float]:
    """Each term's document frequency and the number of documents.

    Common terms come from the planner's statistics of the column (the most common lexemes and their shares,
    kept by ANALYZE); the others are counted through the GIN index, which is cheap exactly because they are rare.
    """
    stats = db.execute(
        text(
            "SELECT s.most_common_elems::text::text[] AS elems, s.most_common_elem_freqs AS freqs, c.reltuples "
            "FROM pg_class c JOIN pg_namespace ns ON ns.oid = c.relnamespace AND ns.nspname = current_schema() "
            "LEFT JOIN pg_stats s ON s.schemaname = ns.nspname AND s.tablename = c.relname AND s.attname = 'tsv' "
            "WHERE c.relname = 'search_document'"
        )
    ).first()
    n = float(stats.reltuples) if stats is not None and stats.reltuples and stats.reltuples > 0 else -1.0
    common: dict[str, float] = {}
    if stats is not None and stats.elems and n > 0:
        common = {e: f * n for e, f in zip(stats.elems, stats.freqs, strict=False)}
    df = {t: common[t] for t in terms if t in common}
    rest = [t for t in terms if t not in df]
    if n <= 0:
        n = float(db.execute(text("SELECT count(*) FROM search_document")).scalar_one())
    if rest:
        columns = ", ".join(f"count(*) FILTER (WHERE tsv @@ CAST(:q{i} AS tsquery))" for i in range(len(rest)))
        params = {f"q{i}": _tsquery([t]) for i, t in enumerate(rest)} | {"any": _tsquery(rest)}
        counts = db.execute(
            text(f"SELECT {columns} FROM search_document WHERE tsv @@ CAST(:any AS tsquery)"), params
        ).one()
        df.update({t: float(c) for t, c in zip(rest, counts, strict=True)})
    return df, max(n, 1.0)


def _full_match(db: Session, n: float) -> float:
    """ts_rank (normalised by length) of one occurrence of a term in a document of the average length."""
    sample = "" if n < SAMPLE_BELOW else f" TABLESAMPLE SYSTEM ({SAMPLE_PERCENT})"
    length = db.execute(
        text(f"SELECT avg(array_length(string_to_array(tokens, ' '), 1)) FROM search_document{sample}")
    ).scalar()
    if length is None and sample:
        length = db.execute(
            text("SELECT avg(array_length(string_to_array(tokens, ' '), 1)) FROM search_document")
        ).scalar()
    size = max(1, min(16383, round(float(length or 1))))
    positions = list(range(2, size + 1))
    # a lexeme keeps at most 256 positions: the filler is spread over several
    fillers = [positions[i : i + 200] for i in range(0, len(positions), 200)]
    typical = " ".join(["'x':1"] + [f"'y{j}':" + ",".join(map(str, p)) for j, p in enumerate(fillers)])
    return float(
        db.execute(
            text("SELECT ts_rank(CAST(:tv AS tsvector), CAST(:q AS tsquery), 1)"), {"tv": typical, "q": "'x'"}
        ).scalar_one()
    )


def _postgresql(db: Session, terms: list[str], kinds: Sequence[str] | None) -> tuple[Fetch | None, float]:
    df, n = _postgresql_frequencies(db, terms)
    chosen = _selective(df, n)
    if not chosen:
        return None, 0.0
    idf = {t: math.log(1.0 + (n - df[t] + 0.5) / (df[t] + 0.5)) for t in chosen}
    of_kinds, kind_params = _kind_clause(kinds, "kind")
    params: dict[str, Any] = {"any": _tsquery(chosen)} | kind_params
    parts = []
    for i, t in enumerate(chosen):
        params[f"q{i}"], params[f"w{i}"] = _tsquery([t]), idf[t]
        parts.append(f"CAST(:w{i} AS float8) * ts_rank(tsv, CAST(:q{i} AS tsquery), 1)")
    score = " + ".join(parts)
    one = _full_match(db, n)

    def fetch(limit: int, only: Mapping[str, set[int]] | None) -> list[Hit]:
        among, among_params = _only_clause(only, True, "")
        stmt = text(
            f"SELECT kind, record_id, {score} AS score FROM search_document WHERE tsv @@ CAST(:any AS tsquery)"
            f"{of_kinds}{among} ORDER BY score DESC, id LIMIT :limit"
        )
        return [(k, int(r), float(s)) for k, r, s in db.execute(stmt, params | among_params | {"limit": limit})]

    return fetch, one * sum(idf.values())
