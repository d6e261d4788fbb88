"""BM25, dense index, fusion, filters and snippets of the in-memory hybrid search."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest

from duijie.text.embed import Embedder, get_embedder
from duijie.text.search import (
    BM25Index,
    DenseIndex,
    Hit,
    HybridIndex,
    SearchError,
    convex_fuse,
    rrf_fuse,
    snippet,
)

TINY = {"d1": ["a", "b", "a"], "d2": ["b", "c"], "d3": ["c", "c", "c", "d"]}


def bm25_tiny() -> BM25Index:
    index = BM25Index()
    for doc_id, tokens in TINY.items():
        index.upsert(doc_id, tokens)
    return index


def test_bm25_scores_match_hand_computation() -> None:
    # N=3, avgdl=3, k1=1.2, b=0.75, idf = ln(1 + (N - df + 0.5) / (df + 0.5))
    idf_a = math.log(1 + 2.5 / 1.5)
    idf_c = math.log(1 + 1.5 / 2.5)
    d1 = idf_a * 2 * 2.2 / (2 + 1.2 * (0.25 + 0.75 * 3 / 3))
    d2 = idf_c * 1 * 2.2 / (1 + 1.2 * (0.25 + 0.75 * 2 / 3))
    d3 = idf_c * 3 * 2.2 / (3 + 1.2 * (0.25 + 0.75 * 4 / 3))
    results = bm25_tiny().search(["a", "c"], k=10)
    assert [d for d, _ in results] == ["d1", "d3", "d2"]
    assert [s for _, s in results] == pytest.approx([d1, d3, d2], rel=1e-6)
    assert (round(d1, 5), round(d3, 5), round(d2, 5)) == (1.34864, 0.68934, 0.54421)


def test_bm25_repeated_query_token_counted_once() -> None:
    assert bm25_tiny().search(["a", "a"]) == bm25_tiny().search(["a"])


def test_bm25_unknown_token_finds_nothing() -> None:
    assert bm25_tiny().search(["zzz"]) == []


def test_bm25_stats_follow_updates() -> None:
    index = bm25_tiny()
    index.upsert("d2", ["a", "a", "a", "a"])
    assert (len(index), index.df("a"), index.df("b"), index.avgdl) == (3, 2, 1, 11 / 3)
    assert index.remove("d1") is True
    assert index.remove("d1") is False
    assert (len(index), index.df("a"), index.df("b"), index.avgdl) == (2, 1, 0, 4.0)


def random_docs(rng: random.Random, n: int) -> dict[str, list[str]]:
    vocab = [f"t{i}" for i in range(30)]
    return {f"doc{i}": rng.choices(vocab, k=rng.randint(1, 12)) for i in range(n)}


@pytest.mark.parametrize("compact_min", [10_000, 0])
def test_bm25_incremental_updates_equal_rebuild(compact_min: int) -> None:
    rng = random.Random(7)
    current = random_docs(rng, 60)
    index = BM25Index(compact_min=compact_min)
    for doc_id, tokens in current.items():
        index.upsert(doc_id, tokens)
    for _ in range(200):
        doc_id = f"doc{rng.randrange(80)}"
        if rng.random() < 0.3 and doc_id in current:
            del current[doc_id]
            index.remove(doc_id)
        else:
            current[doc_id] = random_docs(rng, 1)["doc0"]
            index.upsert(doc_id, current[doc_id])
    rebuilt = BM25Index()
    for doc_id, tokens in current.items():
        rebuilt.upsert(doc_id, tokens)
    for query in (["t1"], ["t2", "t5", "t9"], ["t0", "t29", "t13", "t4"]):
        got, want = index.search(query, k=100), rebuilt.search(query, k=100)
        assert sorted(d for d, _ in got) == sorted(d for d, _ in want)
        assert dict(got) == pytest.approx(dict(want), rel=1e-5)


def test_bm25_mask_filters_documents() -> None:
    index = bm25_tiny()
    assert [d for d, _ in index.search(["a", "c"], mask=index.slot_mask({"d2", "d9"}))] == ["d2"]


def unit(*values: float) -> np.ndarray:
    v = np.array(values, dtype=np.float32)
    return v / np.linalg.norm(v)


def test_dense_search_orders_by_cosine() -> None:
    index = DenseIndex(3)
    index.upsert("x", unit(1, 0, 0))
    index.upsert("y", unit(1, 1, 0))
    index.upsert("z", unit(0, 0, 1))
    results = index.search(unit(1, 0.1, 0), k=2)
    assert [d for d, _ in results] == ["x", "y"]
    assert results[0][1] == pytest.approx(float(unit(1, 0.1, 0)[0]), rel=1e-6)


def test_dense_update_and_remove_keep_rows_consistent() -> None:
    index = DenseIndex(3)
    for name, vec in {"x": unit(1, 0, 0), "y": unit(0, 1, 0), "z": unit(0, 0, 1)}.items():
        index.upsert(name, vec)
    index.remove("x")
    index.upsert("y", unit(0, 0, 1))
    assert len(index) == 2
    results = index.search(unit(0, 1, 0), k=5)
    assert sorted(d for d, _ in results) == ["y", "z"]
    assert [s for _, s in results] == pytest.approx([0.0, 0.0], abs=1e-6)
    assert index.search(unit(0, 0, 1), k=1)[0][1] == pytest.approx(1.0)
    assert [d for d, _ in index.search(unit(0, 0, 1), k=5, mask=index.row_mask({"z"}))] == ["z"]


def test_dense_rejects_wrong_dimension_naming_document() -> None:
    with pytest.raises(SearchError, match="document p1: vector has 2 dimensions, expected 3"):
        DenseIndex(3).upsert("p1", np.ones(2, np.float32))


def test_rrf_fuse_hand_computation() -> None:
    hits = rrf_fuse([("a", 9.0), ("b", 5.0)], [("b", 0.9), ("c", 0.8)])
    assert hits == [
        Hit("b", pytest.approx(1 / 62 + 1 / 61), 2, 1),
        Hit("a", pytest.approx(1 / 61), 1, None),
        Hit("c", pytest.approx(1 / 62), None, 2),
    ]


def test_convex_fuse_hand_computation() -> None:
    hits = convex_fuse([("a", 9.0), ("b", 5.0), ("d", 1.0)], [("b", 0.9), ("c", 0.8), ("a", 0.5)])
    # lexical normalised: a=1, b=0.5, d=0; dense normalised: b=1, c=0.75, a=0
    assert [(h.doc_id, round(h.score, 6), h.lexical_rank, h.dense_rank) for h in hits] == [
        ("b", 0.75, 2, 1),
        ("a", 0.5, 1, 3),
        ("c", 0.375, None, 2),
        ("d", 0.0, 3, None),
    ]


def test_convex_fuse_limit_keeps_the_same_best_in_the_same_order() -> None:
    rng = np.random.default_rng(7)
    lexical = [(f"d{i}", float(s)) for i, s in enumerate(np.round(rng.random(60) * 4, 1))]
    dense = [(f"d{i}", float(s)) for i, s in enumerate(np.round(rng.random(60), 1), start=30)]
    lexical.sort(key=lambda p: -p[1])
    dense.sort(key=lambda p: -p[1])
    whole = convex_fuse(lexical, dense, lexical_ceiling=4.0)
    assert len(whole) == 90  # every candidate of either list, once
    # Rounded scores tie often: the ties are broken the same way with and without the limit.
    assert convex_fuse(lexical, dense, lexical_ceiling=4.0, limit=25) == whole[:25]
    assert convex_fuse(lexical, dense, lexical_ceiling=4.0, limit=500) == whole


class FixedEmbedder:
    """Embeds by a fixed table, so fusion and filters can be tested exactly."""

    name = "fixed"
    dim = 3

    def __init__(self, table: dict[str, np.ndarray]) -> None:
        self.table = table

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return np.stack([self.table[t] for t in texts])

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return np.stack([self.table[t] for t in texts])


def fixed_index() -> HybridIndex:
    table = {
        "robot arm factory": unit(1, 0, 0),
        "industrial robots for cars": unit(1, 1, 0),
        "biotech drug trial": unit(0, 0, 1),
        "robots": unit(1, 0.2, 0),
    }
    index = HybridIndex(FixedEmbedder(table))
    index.upsert_many(
        [("p1", "robot arm factory"), ("p2", "industrial robots for cars"), ("p3", "biotech drug trial")]
    )
    return index


def test_hybrid_modes_and_ranks() -> None:
    index = fixed_index()
    assert [h.doc_id for h in index.search("robots", mode="lexical")] == ["p1", "p2"]
    assert [h.doc_id for h in index.search("robots", mode="dense")] == ["p1", "p2", "p3"]
    hits = index.search("robots", mode="hybrid", fusion="rrf")
    assert [(h.doc_id, h.lexical_rank, h.dense_rank) for h in hits] == [
        ("p1", 1, 1),
        ("p2", 2, 2),
        ("p3", None, 3),
    ]


def test_hybrid_allowed_and_predicate_filter() -> None:
    index = fixed_index()
    assert [h.doc_id for h in index.search("robots", allowed={"p2", "p3"})] == ["p2", "p3"]
    assert [h.doc_id for h in index.search("robots", predicate=lambda d: d != "p1", k=1)] == ["p2"]
    assert index.search("robots", allowed=set()) == []


def test_hybrid_remove_and_update_follow_writes() -> None:
    index = fixed_index()
    index.remove("p1")
    index.upsert("p3", "robots", vector=unit(1, 0.2, 0))
    assert [h.doc_id for h in index.search("robots", mode="lexical")] == ["p3", "p2"]
    assert index.search("robots", mode="dense")[0].doc_id == "p3"
    assert "p1" not in index and len(index) == 2


def test_hybrid_rejects_bad_mode_and_k() -> None:
    index = fixed_index()
    with pytest.raises(SearchError, match="mode must be one of hybrid, lexical, dense, got 'fuzzy'"):
        index.search("robots", mode="fuzzy")  # type: ignore[arg-type]
    with pytest.raises(SearchError, match="k must be a positive integer, got 0"):
        index.search("robots", k=0)


def test_lexical_only_index_refuses_dense() -> None:
    index = HybridIndex(None)
    index.upsert("p1", "中关村科学城人工智能项目")
    assert [h.doc_id for h in index.search("科学城", mode="lexical")] == ["p1"]
    with pytest.raises(SearchError, match="hybrid search needs an embedder"):
        index.search("科学城")


def test_snippet_marks_chinese_terms_in_traditional_original() -> None:
    assert snippet("中關村科學城的人工智能企業", "科学城 人工智能") == (
        "中關村<mark>科學城</mark>的<mark>人工智能</mark>企業"
    )


def test_snippet_marks_english_inflections_and_escapes_html() -> None:
    assert snippet("Investors <b>invest</b> in robots & AI", "investing robot") == (
        "<mark>Investors</mark> &lt;b&gt;<mark>invest</mark>&lt;/b&gt; in <mark>robots</mark> &amp; AI"
    )


def test_snippet_window_centres_on_matches_with_ellipses() -> None:
    text = "前言。" * 40 + "本项目位于亦庄，主营集成电路封装测试。" + "后记。" * 40
    out = snippet(text, "集成电路", width=30)
    assert out.startswith("…") and out.endswith("…")
    assert "<mark>集成电路</mark>" in out
    assert len(out.replace("<mark>", "").replace("</mark>", "")) == 32


def test_snippet_without_match_returns_start() -> None:
    assert snippet("A short text about parks.", "机器人", width=80) == "A short text about parks."


@pytest.fixture(scope="module")
def embedder() -> Embedder:
    return get_embedder()


CROSS = [
    (
        "en-bio",
        "Biopharmaceutical company developing monoclonal antibody drugs, seeking Series B funding.",
    ),
    ("en-chip", "Integrated circuit packaging and testing plant in the economic development zone."),
    ("zh-drone", "低空经济无人机物流企业，计划在延庆建设无人机研发测试基地。"),
    ("zh-office", "朝阳区甲级写字楼整层招租，适合企业总部入驻。"),
]


def test_hybrid_chinese_query_finds_english_record(embedder: Embedder) -> None:
    index = HybridIndex(embedder)
    index.upsert_many(CROSS)
    assert index.search("抗体药物 生物医药 融资", mode="dense", k=1)[0].doc_id == "en-bio"
    assert index.search("集成电路封装测试", k=1)[0].doc_id == "en-chip"


def test_hybrid_english_query_finds_chinese_record(embedder: Embedder) -> None:
    index = HybridIndex(embedder)
    index.upsert_many(CROSS)
    assert index.search("drone logistics company", mode="dense", k=1)[0].doc_id == "zh-drone"
    assert index.search("office space for a headquarters", k=1)[0].doc_id == "zh-office"


def low_rank_vectors(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    basis = rng.standard_normal((16, 64)).astype(np.float32)
    vectors = rng.standard_normal((n, 16)).astype(np.float32) @ basis
    vectors += 0.05 * rng.standard_normal((n, 64)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def test_dense_two_stage_search_matches_exact_on_low_rank_data() -> None:
    vectors = low_rank_vectors(3000, seed=1)
    exact = DenseIndex(64, coarse_min=10**9)
    two_stage = DenseIndex(64, coarse_dim=24, coarse_min=1000, coarse_candidates=150)
    for i, v in enumerate(vectors):
        exact.upsert(f"d{i}", v)
        two_stage.upsert(f"d{i}", v)
    probe = low_rank_vectors(1, seed=4)[0]
    assert two_stage.search(probe, k=10) == exact.search(probe, k=10)
    for i in (3, 5, 8):
        two_stage.remove(f"d{i}")
        exact.remove(f"d{i}")
    two_stage.upsert("d10", vectors[11])
    exact.upsert("d10", vectors[11])
    for q in low_rank_vectors(20, seed=2):
        assert two_stage.search(q, k=10) == exact.search(q, k=10)
    allowed = {f"d{i}" for i in range(0, 3000, 2)}
    q = low_rank_vectors(1, seed=3)[0]
    assert two_stage.search(q, k=5, mask=two_stage.row_mask(allowed)) == exact.search(
        q, k=5, mask=exact.row_mask(allowed)
    )
