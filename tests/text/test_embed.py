"""Embeddings with the bundled multilingual-e5-small model, the cache and the stored vector format."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import duijie.text
from duijie.text.embed import (
    DEMO_VECTORS_MODEL,
    E5Embedder,
    Embedder,
    EmbeddingCache,
    EmbeddingError,
    bulk_embed_passages,
    chinese_share,
    content_hash,
    demo_vectors,
    embed_with_cache,
    from_bytes,
    get_embedder,
    to_bytes,
    vector_cache,
)

PASSAGES = [
    "A biopharmaceutical company develops monoclonal antibody drugs and vaccines.",
    "An industrial park offers standard factory buildings for integrated circuit packaging.",
    "A startup builds drones and low-altitude logistics for urban delivery.",
]


class CountingEmbedder:
    """Wraps the real embedder and counts the texts it was asked to embed."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self.embedded: list[str] = []

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        self.embedded.extend(texts)
        return self.inner.embed_passages(texts)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self.inner.embed_queries(texts)


@pytest.fixture(scope="module")
def embedder() -> Embedder:
    return get_embedder()


def test_get_embedder_is_process_wide_e5(embedder: Embedder) -> None:
    assert get_embedder() is embedder
    assert isinstance(embedder, E5Embedder)
    assert isinstance(embedder, Embedder)
    assert embedder.dim == 384


def test_embed_passages_float32_normalised(embedder: Embedder) -> None:
    vectors = embedder.embed_passages(PASSAGES)
    assert vectors.shape == (3, 384)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), np.ones(3), atol=1e-5)


def test_embed_queries_empty_list_gives_empty_matrix(embedder: Embedder) -> None:
    assert embedder.embed_queries([]).shape == (0, 384)


def test_embed_chinese_query_ranks_right_english_passage_first(embedder: Embedder) -> None:
    passages = embedder.embed_passages(PASSAGES)
    queries = embedder.embed_queries(["生物医药 抗体药物", "集成电路 厂房", "无人机 低空经济"])
    assert (queries @ passages.T).argmax(axis=1).tolist() == [0, 1, 2]


def test_embed_english_query_ranks_right_chinese_passage_first(embedder: Embedder) -> None:
    passages = embedder.embed_passages(
        ["新能源汽车零部件智慧化组装项目", "科技园区写字楼招租", "基因测序与精准医疗"]
    )
    query = embedder.embed_queries(["precision medicine genome sequencing"])
    assert int((passages @ query[0]).argmax()) == 2


def test_embed_rejects_single_string(embedder: Embedder) -> None:
    with pytest.raises(EmbeddingError, match="not a single string"):
        embedder.embed_passages("one text")  # type: ignore[arg-type]


def test_embed_with_cache_skips_unchanged_text(embedder: Embedder) -> None:
    counting = CountingEmbedder(embedder)
    cache = EmbeddingCache(384)
    first = embed_with_cache(counting, PASSAGES[:2] + PASSAGES[:1], cache)
    assert counting.embedded == PASSAGES[:2]
    second = embed_with_cache(counting, [PASSAGES[1], PASSAGES[2]], cache)
    assert counting.embedded == [*PASSAGES[:2], PASSAGES[2]]
    assert len(cache) == 3
    np.testing.assert_array_equal(second[0], first[1])
    np.testing.assert_array_equal(first[2], first[0])


def test_embed_with_cache_reports_progress(embedder: Embedder) -> None:
    calls: list[tuple[int, int]] = []
    embed_with_cache(
        embedder, ["进度一", "进度二"], EmbeddingCache(384), progress=lambda d, t: calls.append((d, t))
    )
    assert calls == [(2, 2)]


def test_content_hash_depends_on_exact_text() -> None:
    assert content_hash("投资北京") == content_hash("投资北京")
    assert content_hash("投资北京") != content_hash("投资北京 ")
    assert len(content_hash("")) == 64


def test_vector_bytes_round_trip() -> None:
    vector = np.arange(384, dtype=np.float32) / 7
    data = to_bytes(vector)
    assert len(data) == 384 * 4
    np.testing.assert_array_equal(from_bytes(data, 384), vector)
    np.testing.assert_array_equal(EmbeddingCache.from_bytes(EmbeddingCache.to_bytes(vector)), vector)


def test_from_bytes_wrong_dimension_names_sizes() -> None:
    with pytest.raises(EmbeddingError, match="stored vector has 3 dimensions, expected 384"):
        from_bytes(np.zeros(3, np.float32).tobytes(), 384)


def test_cache_rejects_vector_of_wrong_size() -> None:
    cache = EmbeddingCache(4)
    with pytest.raises(EmbeddingError, match="vector for abc: 3 dimensions, expected 4"):
        cache["abc"] = np.zeros(3, np.float32)


def test_cache_save_load_round_trip(tmp_path) -> None:
    cache = EmbeddingCache(4, {"a": np.ones(4, np.float32), "b": np.zeros(4, np.float32)})
    cache.save(tmp_path / "cache.npz")
    loaded = EmbeddingCache.load(tmp_path / "cache.npz", 4)
    assert sorted(loaded) == ["a", "b"]
    np.testing.assert_array_equal(loaded["a"], np.ones(4, np.float32))


def test_bulk_embed_two_processes_equals_single_process(embedder: Embedder) -> None:
    texts = [f"{i} 号项目：人工智能与集成电路 project {i}" for i in range(40)]
    calls: list[tuple[int, int]] = []
    bulk = bulk_embed_passages(texts, processes=2, batch_size=8, progress=lambda d, t: calls.append((d, t)))
    assert bulk.shape == (40, 384)
    assert [d for d, _ in calls] == [8, 16, 24, 32, 40]
    assert {t for _, t in calls} == {40}
    np.testing.assert_allclose(bulk, embedder.embed_passages(texts), atol=1e-5)


def test_chinese_share_counts_han_against_latin_words() -> None:
    assert [chinese_share(t) for t in ["中关村", "hello", "", "AI芯片"]] == [1.0, 0.0, 0.5, 0.8]


def test_default_embedder_centers_languages(embedder: Embedder) -> None:
    assert embedder.name == "multilingual-e5-small-q4+lc1"
    assert isinstance(embedder, E5Embedder)
    raw = embedder.embed_raw(["中关村科学城", "science city"], is_query=False)
    centered = embedder.center(raw, ["中关村科学城", "science city"], is_query=False)
    means = np.load(Path(duijie.text.__file__).parent / "data" / "e5_language_means.npz")
    expected = raw - np.stack([means["passage_zh"], means["passage_en"]])
    expected /= np.linalg.norm(expected, axis=1, keepdims=True)
    np.testing.assert_allclose(centered, expected, atol=1e-5)
    np.testing.assert_allclose(embedder.embed_passages(["中关村科学城"])[0], centered[0], atol=1e-5)


def test_demo_vectors_are_unit_vectors_of_the_default_model(embedder: Embedder) -> None:
    shipped = demo_vectors()
    assert embedder.name == DEMO_VECTORS_MODEL
    assert len(shipped) > 100
    vector = next(iter(shipped.values()))
    assert vector.shape == (384,)
    assert np.isclose(np.linalg.norm(vector), 1.0, atol=1e-3)


def test_vector_cache_of_a_sqlite_file_keeps_new_vectors_beside_it(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'forum.db'}"
    cache, path = vector_cache(url)
    assert path == f"{tmp_path / 'forum.db'}.match-vectors.npz"
    assert set(demo_vectors()) <= set(cache)
    cache["new text"] = np.ones(384, np.float32) / np.sqrt(384)
    cache.save(path)
    again, _ = vector_cache(url)
    np.testing.assert_array_equal(again["new text"], cache["new text"])
    assert len(again) == len(cache)


def test_vector_cache_of_a_server_database_has_no_file_and_starts_from_the_demo_vectors() -> None:
    cache, path = vector_cache("postgresql+psycopg://u:p@host/db")
    assert path is None
    assert len(cache) == len(demo_vectors())


def test_vector_cache_ignores_an_unreadable_file(tmp_path: Path) -> None:
    (tmp_path / "forum.db.match-vectors.npz").write_bytes(b"not a zip")
    cache, _ = vector_cache(f"sqlite:///{tmp_path / 'forum.db'}")
    assert len(cache) == len(demo_vectors())
