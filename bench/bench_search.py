"""Benchmark of tokenising, embedding and hybrid search on a generated bilingual corpus of opportunities.

Run: .venv/bin/python bench/bench_search.py [--quick] [--docs N] [--embedded N] [--queries N]

Embedding is the slow part (a few to ~25 passages/s per core), so only the first --embedded records get real
vectors, cached by content hash in bench/out/search_vectors.npz and reused by later runs; the retrieval
quality of all three modes is measured on that fully embedded subset. The latency and memory figures use
the whole corpus, the remaining records carrying random unit vectors (brute-force search costs the same
whatever the vectors hold). Serving figures come from a separate process so that its peak memory is its own.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import multiprocessing
import os
import pickle
import platform
import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from search_corpus import Query, Record, generate_corpus, generate_queries

from duijie.text.embed import (
    LANGUAGE_MEANS_FILE,
    E5Embedder,
    EmbeddingCache,
    bulk_embed_passages,
    content_hash,
    embed_with_cache,
    get_embedder,
)
from duijie.text.search import Hit, HybridIndex
from duijie.text.tokenize import tokenize

OUT = Path(__file__).resolve().parent / "out"
RESULTS = Path(__file__).resolve().parent / "results" / "search.md"
VECTOR_CACHE = OUT / "search_vectors_raw.npz"
QUERY_PREFIX = "query: "
FUSIONS = [("rrf", 0.5), ("convex", 0.3), ("convex", 0.5), ("convex", 0.7)]


def percentiles(samples_ms: list[float]) -> tuple[float, float, float]:
    """p50, p95 and p99 of latencies in milliseconds."""
    arr = np.array(samples_ms)
    return tuple(float(np.percentile(arr, p)) for p in (50, 95, 99))  # type: ignore[return-value]


def ndcg_at(hits: list[str], relevant: dict[str, int], k: int = 10) -> float:
    """nDCG@k with gains 2^grade - 1."""
    dcg = sum((2 ** relevant.get(d, 0) - 1) / math.log2(i + 2) for i, d in enumerate(hits[:k]))
    ideal = sorted(relevant.values(), reverse=True)[:k]
    idcg = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def recall_at(hits: list[str], relevant: dict[str, int], k: int = 50) -> float:
    """Share of the relevant records found in the top k, out of at most k findable."""
    if not relevant:
        return 0.0
    found = sum(1 for d in hits[:k] if d in relevant)
    return found / min(k, len(relevant))


class RawE5(E5Embedder):
    """The model without language centering: its vectors are what the cache keeps (centering is cheap)."""

    def __init__(self) -> None:
        super().__init__(center_languages=False)


def load_cache() -> EmbeddingCache:
    """Vectors of earlier runs, keyed by content hash."""
    if VECTOR_CACHE.exists():
        return EmbeddingCache.load(VECTOR_CACHE, 384)
    return EmbeddingCache(384)


def progress_printer(label: str) -> Callable[[int, int], None]:
    """A progress callback printing at most every 10 s."""
    start = time.perf_counter()
    last = [0.0]

    def report(done: int, total: int) -> None:
        now = time.perf_counter()
        if now - last[0] >= 10 or done == total:
            last[0] = now
            rate = done / (now - start) if now > start else 0.0
            print(f"  {label}: {done}/{total} ({rate:.1f}/s)", file=sys.stderr, flush=True)

    return report


def embedding_throughput(n: int) -> dict[str, float]:
    """Passages per second for 1 and 2 processes on fresh text (model load excluded for 1 process)."""
    texts = [r.text for r in generate_corpus(n, seed=99)]
    embedder = E5Embedder()
    embedder.embed_passages(texts[:2])
    start = time.perf_counter()
    embedder.embed_passages(texts)
    one = n / (time.perf_counter() - start)
    start = time.perf_counter()
    bulk_embed_passages(texts, processes=2)
    two = n / (time.perf_counter() - start)
    start = time.perf_counter()
    for t in texts[: max(8, n // 8)]:
        embedder.embed_queries([t[:30]])
    query_ms = (time.perf_counter() - start) * 1000 / max(8, n // 8)
    return {"one": one, "two": two, "query_ms": query_ms}


def evaluate(
    records: list[Record],
    vectors: np.ndarray,
    tokens: list[list[str]],
    queries: list[Query],
    query_vectors: np.ndarray,
    setups: list[tuple[str, str, str | None, float]],
) -> list[tuple[str, str, float, float, int]]:
    """nDCG@10 and recall@50 per mode on an index holding exactly the embedded records."""
    index = HybridIndex(get_embedder(), query_cache_size=0)
    index.upsert_many([(r.doc_id, r.text) for r in records], vectors=vectors, tokens=tokens)
    present = {r.doc_id for r in records}
    lang_of = {r.doc_id: r.lang for r in records}
    other = {lang: {r.doc_id for r in records if r.lang != lang} for lang in ("zh", "en")}
    rows = []
    for name, mode, fusion, weight in setups:
        for scope in ("all", "cross-lingual"):
            nd, rc = [], []
            for q, qv in zip(queries, query_vectors, strict=True):
                relevant = {d: g for d, g in q.relevant.items() if d in present}
                allowed = None
                if scope == "cross-lingual":
                    allowed = other[q.lang]
                    relevant = {d: g for d, g in relevant.items() if lang_of[d] != q.lang}
                if not relevant:
                    continue
                index.dense_weight = weight
                hits: list[Hit] = index.search(
                    q.text, k=50, mode=mode, allowed=allowed, query_vector=qv, fusion=fusion or "rrf"
                )
                ids = [h.doc_id for h in hits]
                nd.append(ndcg_at(ids, relevant))
                rc.append(recall_at(ids, relevant))
            rows.append((name, scope, statistics.mean(nd), statistics.mean(rc), len(nd)))
    return rows


def peak_rss_mib() -> float:
    """This process's own peak resident memory (VmHWM; ru_maxrss would carry the parent's peak over exec)."""
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def serve(payload_path: str, result_path: str) -> None:
    """The serving process: load tokens and vectors, build the index, time queries and updates."""
    with open(payload_path, "rb") as fh:
        payload = pickle.load(fh)
    records: list[tuple[str, str]] = payload["records"]
    joined_tokens: list[str] = payload["tokens"]
    queries: list[str] = payload["queries"]
    query_vectors: np.ndarray = payload["query_vectors"]
    vectors = np.load(payload["vectors_path"], mmap_mode="r")
    rss_loaded = peak_rss_mib()
    embedder = get_embedder()
    embedder.embed_queries(["warm up"])
    tokenize("预热 warm up")
    start = time.perf_counter()
    index = HybridIndex(embedder, query_cache_size=0)
    index.dense.reserve(len(records))  # type: ignore[union-attr]
    for lo in range(0, len(records), 10_000):
        hi = min(len(records), lo + 10_000)
        chunk_tokens = [t.split("\x1f") if t else [] for t in joined_tokens[lo:hi]]
        index.upsert_many(records[lo:hi], vectors=np.asarray(vectors[lo:hi]), tokens=chunk_tokens)
    build_s = time.perf_counter() - start
    del payload, joined_tokens, vectors
    out: dict[str, object] = {"build_s": build_s, "rss_loaded_mb": rss_loaded, "n": len(records)}
    for mode in ("lexical", "dense", "hybrid"):
        index.search(queries[0], k=20, mode=mode, query_vector=query_vectors[0])  # type: ignore[arg-type]
    lat: dict[str, list[float]] = {}
    for name, mode, with_vec in [
        ("lexical", "lexical", True),
        ("dense (query vector given)", "dense", True),
        ("hybrid (query vector given)", "hybrid", True),
        ("hybrid incl. query embedding", "hybrid", False),
    ]:
        samples = []
        for q, qv in zip(queries, query_vectors, strict=True):
            start = time.perf_counter()
            index.search(q, k=20, mode=mode, query_vector=qv if with_vec else None)  # type: ignore[arg-type]
            samples.append((time.perf_counter() - start) * 1000)
        lat[name] = samples
    filtered = []
    allowed = {records[i][0] for i in range(0, len(records), 10)}
    for q, qv in zip(queries, query_vectors, strict=True):
        start = time.perf_counter()
        index.search(q, k=20, mode="hybrid", query_vector=qv, allowed=allowed)
        filtered.append((time.perf_counter() - start) * 1000)
    lat["hybrid, 10 % allowed-id filter"] = filtered
    rng = np.random.default_rng(5)
    updates, removes = [], []
    for i in rng.choice(len(records), size=200, replace=False).tolist():
        doc_id, text = records[i]
        new_text = text + " 新增说明：项目进展顺利。"
        vec = rng.standard_normal(query_vectors.shape[1]).astype(np.float32)
        start = time.perf_counter()
        index.upsert(doc_id, new_text, vector=vec)
        updates.append((time.perf_counter() - start) * 1000)
    for i in rng.choice(len(records), size=200, replace=False).tolist():
        start = time.perf_counter()
        index.remove(records[i][0])
        removes.append((time.perf_counter() - start) * 1000)
    lat["update one record (tokenise + index)"] = updates
    lat["remove one record"] = removes
    out["latency"] = {k: percentiles(v) for k, v in lat.items()}
    out["peak_rss_mb"] = peak_rss_mib()
    with open(result_path, "wb") as fh:
        pickle.dump(out, fh)


def method_notes(n_docs: int, n_embedded: int) -> list[str]:
    """How the figures were obtained, printed under the tables."""
    return [
        "",
        "## How this was measured",
        "",
        f"- Corpus: bench/search_corpus.py, {n_docs:,} generated opportunities over the 16 industries and 17",
        "  districts of the source facts, 32 topics with their own Chinese and English vocabulary; queries are",
        "  written from a topic (a third also name a district) and judged by the generator's labels (grade 2:",
        "  same topic and district, 1: same topic or same industry).",
        f"- Only the first {n_embedded:,} records have real embeddings (cached by content hash in",
        "  bench/out/search_vectors_raw.npz and reused across runs; embedding 100,000 passages at the measured",
        "  rate would take hours). Quality is measured on exactly those records. Latency and memory use all",
        "  records, the others carrying random unit vectors: brute force costs the same whatever the vectors hold.",
        "- The serving process is a separate process that reads stored tokens and vectors (as a restart would",
        "  from the database), loads the model, builds the index and answers the queries; its peak is VmHWM.",
        "- Dense search above 20,000 records scores a 128-dimensional PCA projection first and rescores the best",
        "  1,000 exactly. Checked on the 2,000 real vectors with 100 candidates (5 %): the same top 20 as exact",
        "  search for all 200 queries.",
        "- Language centering: the embedder subtracts the mean vector of each language (fitted on records and",
        "  queries the benchmark never judges, `--fit-language-means`) and normalises again.",
        "- Other jobs shared the two cores during the run (load average in the header), which inflates every",
        "  latency and the embedding rate several-fold; rerun on an idle machine for absolute figures.",
    ]


def fit_language_means() -> None:
    """Recompute the embedder's language means from records and queries the benchmark never judges."""
    records = generate_corpus(400, seed=31)
    queries = generate_queries(generate_corpus(2000, seed=32), 200, seed=33)
    passages = bulk_embed_passages([r.text for r in records], processes=2, factory=RawE5)
    query_vectors = RawE5().embed_raw([q.text for q in queries], is_query=True)
    p_lang = np.array([r.lang for r in records])
    q_lang = np.array([q.lang for q in queries])
    means = {
        "passage_zh": passages[p_lang == "zh"].mean(axis=0),
        "passage_en": passages[p_lang == "en"].mean(axis=0),
        "query_zh": query_vectors[q_lang == "zh"].mean(axis=0),
        "query_en": query_vectors[q_lang == "en"].mean(axis=0),
    }
    target = Path(__file__).resolve().parents[1] / "duijie" / "text" / "data" / LANGUAGE_MEANS_FILE
    np.savez(target, **{k: v.astype(np.float32) for k, v in means.items()})
    print(f"wrote {target}")


def main() -> None:
    """Run the benchmark and print (and for full runs, save) the markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, well under a minute")
    parser.add_argument("--docs", type=int, default=None)
    parser.add_argument("--embedded", type=int, default=None)
    parser.add_argument("--queries", type=int, default=None)
    parser.add_argument(
        "--fit-language-means", action="store_true", help="recompute the embedder's language means and exit"
    )
    args = parser.parse_args()
    if args.fit_language_means:
        fit_language_means()
        return
    n_docs = args.docs or (3000 if args.quick else 100_000)
    n_embedded = min(n_docs, args.embedded or (100 if args.quick else 2000))
    n_queries = args.queries or (20 if args.quick else 200)
    lines: list[str] = []

    t0 = time.perf_counter()
    records = generate_corpus(n_docs)
    gen_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    tokens = [tokenize(r.text) for r in records]
    tok_s = time.perf_counter() - t0
    chars = sum(len(r.text) for r in records)
    zh_len = statistics.mean(len(r.text) for r in records if r.lang == "zh")
    en_words = statistics.mean(len(r.text.split()) for r in records if r.lang == "en")
    print(f"corpus {n_docs} generated in {gen_s:.1f}s, tokenised in {tok_s:.1f}s", file=sys.stderr)

    cache = load_cache()
    sub = records[:n_embedded]
    before = len(cache)
    t0 = time.perf_counter()
    raw = RawE5()
    sub_texts = [r.text for r in sub]
    raw_vectors = embed_with_cache(raw, sub_texts, cache, progress_printer("embed corpus"), processes=2)
    embed_s = time.perf_counter() - t0
    newly = len(cache) - before
    queries = generate_queries(sub, n_queries)
    query_texts = [q.text for q in queries]
    qkeys = [content_hash(QUERY_PREFIX + t) for t in query_texts]
    missing = [t for t, k in zip(query_texts, qkeys, strict=True) if k not in cache]
    if missing:
        for t, v in zip(missing, raw.embed_raw(missing, is_query=True), strict=True):
            cache[content_hash(QUERY_PREFIX + t)] = v
    raw_query_vectors = np.stack([cache[k] for k in qkeys])
    OUT.mkdir(exist_ok=True)
    cache.save(VECTOR_CACHE)
    embedder = get_embedder()
    assert isinstance(embedder, E5Embedder)
    sub_vectors = embedder.center(raw_vectors, sub_texts, is_query=False)
    query_vectors = embedder.center(raw_query_vectors, query_texts, is_query=True)

    print("throughput ...", file=sys.stderr)
    tp = embedding_throughput(16 if args.quick else 128)

    print("quality ...", file=sys.stderr)
    setups: list[tuple[str, str, str | None, float]] = [("lexical", "lexical", None, 0.5)]
    setups.append(("dense", "dense", None, 0.5))
    setups += [(f"hybrid {f}" + (f" w={w}" if f == "convex" else ""), "hybrid", f, w) for f, w in FUSIONS]
    quality = evaluate(sub, sub_vectors, tokens[:n_embedded], queries, query_vectors, setups)
    raw_setups: list[tuple[str, str, str | None, float]] = [
        ("dense, no language centering", "dense", None, 0.5)
    ]
    raw_setups += [
        (f"hybrid {f}" + (f" w={w}" if f == "convex" else "") + ", no language centering", "hybrid", f, w)
        for f, w in FUSIONS
    ]
    quality += evaluate(sub, raw_vectors, tokens[:n_embedded], queries, raw_query_vectors, raw_setups)

    print("serving ...", file=sys.stderr)
    rng = np.random.default_rng(11)
    vectors = rng.standard_normal((n_docs, 384)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    vectors[:n_embedded] = sub_vectors
    payload_path, result_path = OUT / "serve_payload.pkl", OUT / "serve_result.pkl"
    vectors_path = OUT / "serve_vectors.npy"
    np.save(vectors_path, vectors)
    del vectors
    with open(payload_path, "wb") as fh:
        pickle.dump(
            {
                "records": [(r.doc_id, r.text) for r in records],
                "tokens": ["\x1f".join(t) for t in tokens],
                "vectors_path": str(vectors_path),
                "queries": query_texts,
                "query_vectors": query_vectors,
            },
            fh,
            protocol=pickle.HIGHEST_PROTOCOL,
        )
    proc = multiprocessing.get_context("spawn").Process(
        target=serve, args=(str(payload_path), str(result_path))
    )
    proc.start()
    proc.join()
    with open(result_path, "rb") as fh:
        served = pickle.load(fh)
    for path in (payload_path, result_path, vectors_path):
        path.unlink()

    lines.append(f"# Search benchmark ({'quick' if args.quick else 'full'} run)")
    lines.append("")
    lines.append(
        f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, OMP_NUM_THREADS=1; load average at start "
        f"{os.getloadavg()[0]:.1f} (other jobs were running)."
    )
    lines.append("")
    lines.append("## Corpus and indexing")
    lines.append("")
    lines.append("| item | value |")
    lines.append("|---|---|")
    lines.append(f"| records (50 % zh / 50 % en) | {n_docs:,} |")
    lines.append(f"| mean length | zh {zh_len:.0f} characters, en {en_words:.0f} words |")
    lines.append(f"| tokenise all records | {tok_s:.1f} s ({chars / tok_s / 1e6:.2f} M chars/s) |")
    lines.append(
        f"| index build, {served['n']:,} records from stored tokens + vectors | {served['build_s']:.2f} s |"
    )
    lines.append(
        f"| serving process peak RSS (model + index + loaded rows) | {served['peak_rss_mb']:.0f} MiB |"
    )
    lines.append(f"| of which before the model and index were loaded | {served['rss_loaded_mb']:.0f} MiB |")
    lines.append(
        f"| records with real embeddings (quality subset) | {n_embedded:,} ({newly} embedded this run) |"
    )
    if newly:
        lines.append(f"| corpus embedding this run, 2 processes | {newly / embed_s:.1f} passages/s |")
    lines.append(f"| embedding throughput, 1 process | {tp['one']:.1f} passages/s |")
    lines.append(f"| embedding throughput, 2 processes | {tp['two']:.1f} passages/s (incl. model load) |")
    lines.append(f"| one query embedding | {tp['query_ms']:.0f} ms |")
    lines.append("")
    lines.append(f"## Latency on {served['n']:,} records ({len(query_texts)} queries, k=20), ms")
    lines.append("")
    lines.append("| operation | p50 | p95 | p99 |")
    lines.append("|---|---|---|---|")
    for name, (p50, p95, p99) in served["latency"].items():
        lines.append(f"| {name} | {p50:.1f} | {p95:.1f} | {p99:.1f} |")
    lines.append("")
    lines.append(
        f"## Retrieval quality on the {n_embedded:,} embedded records ({len(queries)} queries, zh + en)"
    )
    lines.append("")
    lines.append("Cross-lingual: only records in the other language than the query are searched and judged.")
    lines.append("")
    lines.append("| mode | scope | nDCG@10 | recall@50 | queries |")
    lines.append("|---|---|---|---|---|")
    for name, scope, nd, rc, n in quality:
        lines.append(f"| {name} | {scope} | {nd:.3f} | {rc:.3f} | {n} |")
    by_name = {(name, scope): (nd, rc) for name, scope, nd, rc, _ in quality}
    rrf = by_name[("hybrid rrf", "all")]
    convex = [(by_name[(f"hybrid convex w={w}", "all")], w) for f, w in FUSIONS if f == "convex"]
    best_nd, best_w = max((nd, w) for (nd, _), w in convex)
    lines.append("")
    lines.append(
        f"Fusion on all queries: RRF nDCG@10 {rrf[0]:.3f} / recall@50 {rrf[1]:.3f}; convex combination "
        + ", ".join(f"w={w}: {nd:.3f} / {rc:.3f}" for (nd, rc), w in convex)
        + f" (best nDCG@10 at w={best_w}: {best_nd:.3f})."
    )
    lines += method_notes(n_docs, n_embedded)
    table = "\n".join(lines)
    print(table)
    if not args.quick and args.docs is None:
        RESULTS.parent.mkdir(exist_ok=True)
        RESULTS.write_text(table + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
