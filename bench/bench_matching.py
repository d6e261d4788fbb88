"""Matchmaking benchmark: ranking quality, document aggregation for experts, and scale.

    .venv/bin/python bench/bench_matching.py [--quick] [--output bench/results/matching.md]

(a) investor -> project quality (precision@10, nDCG@10) of the full engine against semantic-only,
lexical-only, semantic+lexical and structured-only scoring, on a generated set with latent ground truth;
(b) expert -> paper: weighted pairwise-ordering loss of the ways to aggregate a profile's documents;
(c) scale: participants x opportunities top-20 with precomputed embeddings (wall time, peak memory,
candidate recall against exhaustive scoring) and the latency of one recommendation request.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np
from matching_data import make_experts, make_market, scale_profiles

from duijie.matching.affinity import AffinityEngine
from duijie.matching.parts import PART_NAMES, EngineOptions
from duijie.matching.profile import Profile

CACHE_DIR = Path(tempfile.gettempdir())


def only(**weights: float) -> dict[str, float]:
    """Weights that switch every part off except the ones given."""
    return {name: weights.get(name, 0.0) for name in PART_NAMES}


def peak_rss_mib() -> float:
    """Peak resident memory of this process so far, in MiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def embed_all(profiles: list[Profile]) -> float:
    """Attach vectors to every profile through a file cache kept between runs; returns seconds spent."""
    from duijie.text.embed import EmbeddingCache, embed_with_cache, get_embedder

    embedder = get_embedder()
    # One cache file per model: vectors of another model (or another version) must never be mixed in.
    path = CACHE_DIR / f"duijie-bench-matching-{embedder.name}.npz"
    cache = EmbeddingCache.load(path, embedder.dim) if path.exists() else EmbeddingCache(embedder.dim)
    texts = [t for p in profiles for t in p.texts]
    start = time.perf_counter()
    vectors = embed_with_cache(embedder, texts, cache, processes=2)
    spent = time.perf_counter() - start
    cache.save(path)
    at = 0
    for p in profiles:
        p.embeddings = vectors[at : at + len(p.texts)]
        at += len(p.texts)
    return spent


def precision_ndcg(scores: np.ndarray, relevance: np.ndarray, k: int = 10) -> tuple[float, float]:
    """Mean precision@k (relevant: grade >= 2) and nDCG@k (gain 2^grade - 1) over rows."""
    precisions, ndcgs = [], []
    discounts = 1 / np.log2(np.arange(2, k + 2))
    for row in range(scores.shape[0]):
        order = np.lexsort((np.arange(scores.shape[1]), -scores[row]))[:k]
        grades = relevance[row, order]
        precisions.append(float((grades >= 2).mean()))
        ideal = np.sort(relevance[row])[::-1][:k]
        idcg = float(((2**ideal - 1) * discounts).sum())
        dcg = float(((2**grades - 1) * discounts).sum())
        ndcgs.append(dcg / idcg if idcg > 0 else 0.0)
    return float(np.mean(precisions)), float(np.mean(ndcgs))


def pairwise_loss(scores: np.ndarray, labels: np.ndarray) -> float:
    """Weighted pairwise-ordering loss: for pairs with different labels, the label gap when misordered
    (half of it on ties), over the total gap; averaged over experts. 0 is perfect, 0.5 is random."""
    losses = []
    for row in range(scores.shape[0]):
        s, y = scores[row], labels[row]
        gap = y[:, None] - y[None, :]
        weight = np.where(gap > 0, gap, 0.0)
        if weight.sum() == 0:
            continue
        diff = s[:, None] - s[None, :]
        wrong = np.where(diff < 0, 1.0, np.where(diff == 0, 0.5, 0.0))
        losses.append(float((weight * wrong).sum() / weight.sum()))
    return float(np.mean(losses))


def bench_quality(quick: bool) -> tuple[list[str], dict[str, float]]:
    """(a) Investor -> project ranking quality of the engine and its ablations."""
    market = make_market(12, 80) if quick else make_market(80, 800)
    spent = embed_all([*market.investors, *market.projects])
    variants: dict[str, dict[str, float] | None] = {
        "full engine (default weights)": None,
        "semantic only": only(semantic=1),
        "lexical only": only(lexical=1),
        "semantic + lexical (0.5/0.5)": only(semantic=0.5, lexical=0.5),
        "structured only": only(industry=0.4, district=0.2, amount=0.2, category=0.1, stage=0.1),
    }
    rows = [
        f"Investors {len(market.investors)} x projects {len(market.projects)}; relevant (grade >= 2) per "
        f"investor: {float((market.relevance >= 2).sum(axis=1).mean()):.1f}; embedding {spent:.1f} s "
        "(cached vectors are reused between runs).",
        "",
        "| scoring | precision@10 | nDCG@10 |",
        "|---|---|---|",
    ]
    figures: dict[str, float] = {}
    for name, weights in variants.items():
        engine = AffinityEngine("investor_project", weights=weights).fit(market.investors, market.projects)
        p, n = precision_ndcg(engine.score_matrix(market.investors, market.projects), market.relevance)
        rows.append(f"| {name} | {p:.3f} | {n:.3f} |")
        figures[name] = n
    return rows, figures


def bench_experts(quick: bool, lang: str = "mixed", docs_per_expert: int = 6) -> list[str]:
    """(b) Expert -> paper: weighted pairwise-ordering loss of document aggregations and hybrids."""
    sizes = (6, 40) if quick else (40, 300)
    data = make_experts(*sizes, docs_per_expert=docs_per_expert, lang=lang)
    spent = embed_all([*data.experts, *data.papers])
    variants: list[tuple[str, dict[str, float], str, int]] = [
        ("semantic, max", only(semantic=1), "max", 3),
        ("semantic, mean", only(semantic=1), "mean", 3),
        ("semantic, centroid", only(semantic=1), "centroid", 3),
        ("semantic, top-3 mean", only(semantic=1), "topm", 3),
        ("semantic, top-5 mean", only(semantic=1), "topm", 5),
        ("semantic, (max + mean) / 2", only(semantic=1), "blend", 3),
        ("lexical (pooled TF-IDF)", only(lexical=1), "blend", 3),
        ("hybrid 0.5/0.5, max", only(semantic=0.5, lexical=0.5), "max", 3),
        ("hybrid 0.5/0.5, mean", only(semantic=0.5, lexical=0.5), "mean", 3),
        ("hybrid 0.5/0.5, top-3 mean", only(semantic=0.5, lexical=0.5), "topm", 3),
        ("hybrid 0.5/0.5, (max + mean) / 2", only(semantic=0.5, lexical=0.5), "blend", 3),
        ("hybrid 0.3/0.7, (max + mean) / 2", only(semantic=0.3, lexical=0.7), "blend", 3),
        ("hybrid 0.7/0.3, (max + mean) / 2", only(semantic=0.7, lexical=0.3), "blend", 3),
        ("judge_entry defaults: 0.4/0.4 + industry, (max + mean) / 2", {}, "blend", 3),
    ]
    docs = np.mean([len(p.texts) for p in data.experts])
    language = "Chinese and English mixed" if lang == "mixed" else "English only"
    rows = [
        f"{language}: experts {len(data.experts)} ({docs:.1f} documents each) x papers {len(data.papers)}; "
        f"embedding {spent:.1f} s. Loss: 0 perfect, 0.5 random order.",
        "",
        "| scoring | weighted pairwise-ordering loss |",
        "|---|---|",
    ]
    for name, weights, aggregation, top_m in variants:
        engine = AffinityEngine(
            "judge_entry", weights=weights, options=EngineOptions(aggregation=aggregation, top_m=top_m)
        ).fit(data.experts, data.papers)
        loss = pairwise_loss(engine.score_matrix(data.experts, data.papers), data.expertise)
        rows.append(f"| {name} | {loss:.4f} |")
    return rows


def timed(fn: Callable[[], object]) -> tuple[object, float]:
    """Run fn and return its result with the wall time in seconds."""
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def bench_scale(quick: bool) -> list[str]:
    """(c) Top-20 for every participant over all opportunities, and one request's latency."""
    n_left, n_right = (1000, 10000) if quick else (10000, 100000)
    (left, right), t_make = timed(lambda: scale_profiles(n_left, n_right))
    engine = AffinityEngine("investor_project", weights={"lexical": 0.0})
    _, t_fit = timed(lambda: engine.fit(left, right))
    (lside, rside), t_encode = timed(lambda: (engine.encode(left), engine.encode(right)))
    cpu = time.process_time()
    ranked, t_top = timed(lambda: engine.top_k(lside, rside, 20))
    cpu_top = time.process_time() - cpu
    peak = peak_rss_mib()
    assert isinstance(ranked, list) and len(ranked) == n_left
    rng = np.random.default_rng(5)
    sample = rng.choice(n_left, 50, replace=False)
    recall = []
    for row in sample:
        exact = engine.pair_scores(lside, rside, np.full(n_right, row), np.arange(n_right))[0]
        # Ties at the 20th place make any of the tied profiles a right answer.
        bar = np.sort(exact)[-20] - 1e-6
        recall.append(sum(exact[rside.position[rid]] >= bar for rid, _ in ranked[row]) / 20)
    latencies, cpu_latencies = [], []
    for row in rng.choice(n_left, 200, replace=False):
        one = engine.encode([left[row]])
        start, cpu = time.perf_counter(), time.process_time()
        engine.top_k(one, rside, 20)
        latencies.append((time.perf_counter() - start) * 1000)
        cpu_latencies.append((time.process_time() - cpu) * 1000)
    p50, p95, p99 = np.percentile(latencies, [50, 95, 99])
    c50, c95, c99 = np.percentile(cpu_latencies, [50, 95, 99])
    return [
        f"{n_left:,} participants x {n_right:,} opportunities, 384-d clustered embeddings precomputed, "
        "structured fields on both sides; candidates "
        f"{engine.options.candidates} per participant from dense rough scores (matrix products in blocks of "
        f"{engine.options.block_size}), then exact scoring.",
        "",
        "| measure | value | target |",
        "|---|---|---|",
        f"| build profiles (data generation) | {t_make:.1f} s | |",
        f"| fit (similarity scale from 4,000 random pairs) | {t_fit:.1f} s | |",
        f"| encode both sides | {t_encode:.1f} s | |",
        f"| top-20 for every participant, wall (CPU) | {t_top:.1f} s ({cpu_top:.1f} s) | <= 300 s |",
        f"| peak memory of the process (RSS) | {peak:,.0f} MiB | <= 4,096 MiB |",
        f"| recall@20 against exhaustive exact scoring, ties counted (50 sampled) | {np.mean(recall):.3f} | |",
        f"| one request top-20, wall p50 / p95 / p99 | {p50:.1f} / {p95:.1f} / {p99:.1f} ms | p95 <= 100 ms |",
        f"| one request top-20, CPU p50 / p95 / p99 | {c50:.1f} / {c95:.1f} / {c99:.1f} ms | |",
    ]


def main() -> None:
    """Run the three parts and print (and optionally write) the markdown tables."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="small sizes, well under a minute")
    parser.add_argument("--output", type=Path, help="also write the tables to this markdown file")
    args = parser.parse_args()
    started = time.perf_counter()
    scale = bench_scale(args.quick)
    quality, _ = bench_quality(args.quick)
    experts = [*bench_experts(args.quick), "", *bench_experts(args.quick, "en", 6 if args.quick else 12)]
    header = [
        f"# Matching benchmark{' (quick)' if args.quick else ''}",
        "",
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS')}; "
        f"total {time.perf_counter() - started:.0f} s; load average at the end {os.getloadavg()[0]:.1f} "
        "(wall times above CPU times mean other processes shared the 2 cores).",
    ]
    text = "\n".join(
        [
            *header,
            "",
            "## (c) Scale",
            "",
            *scale,
            "",
            "## (a) Investor -> project quality",
            "",
            *quality,
            "",
            "## (b) Expert -> paper: aggregating a profile's documents",
            "",
            *experts,
            "",
            "Reading the tables: the generator draws experts' and papers' wording from the same small phrase "
            "pools, which flatters exact-term (lexical) matching; real publications vary their wording more and "
            "mix languages, where embeddings carry the match (in the mixed-language set the hybrid beats both "
            "of its parts). The defaults therefore weigh semantic and lexical evidence equally and aggregate "
            "a profile's documents by (max + mean) / 2: within a few per cent of the best aggregation on both "
            "sets, and unlike the plain mean it still credits a strong minor subject in a long publication "
            "list.",
            "",
        ]
    )
    print(text)
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
