"""Index the demo while it is built, with vectors from the file shipped with the text tools.

Embedding the demo's ~700 records takes about a minute on two cores, too slow for every `duijie demo` and
every test run; so the vectors are computed once by `python -m duijie.search.demo DB` (on a freshly built
demo) and stored in `duijie/text/data/demo_vectors.npz` keyed by content hash. At build time each document
whose text hash is in that file gets its vector at once; any other (changed demo text, new records) is
embedded later, in the background of the web process or by `duijie search --reindex --embed`.
"""

from __future__ import annotations

import sys
from importlib import resources
from pathlib import Path

import numpy as np
from sqlalchemy.orm import Session

from duijie.core.demo_kit import DemoKit
from duijie.modules import import_all
from duijie.search.indexing import MODEL_NAME, iter_extracts, reindex
from duijie.text.embed import DEMO_VECTORS_FILE, demo_vectors


def prepare_demo(kit: DemoKit) -> None:
    """Pause the documents' incremental sync on the build's flushes: the finish phase indexes every record
    once, where syncing each flush would index most records several times as the phases add to them."""
    kit.db.info["search_syncing"] = True


def finish_demo(kit: DemoKit) -> None:
    """Index every searchable record of the demo (lexical always; vectors where the shipped file has them),
    and sync on flushes again; search stands above every module with records, so this comes after their rows."""
    kit.db.info.pop("search_syncing", None)
    reindex(kit.db)


def module_texts(db: Session) -> list[str]:
    """Other texts the demo embeds while it is built, from each module's `demo.py: demo_texts(db)` if it has one
    (the matching profiles, for instance), so that their vectors ship in the same file."""
    texts: list[str] = []
    for module in import_all("demo"):
        hook = getattr(module, "demo_texts", None)
        if hook is not None:
            texts.extend(hook(db))
    return texts


def build_vectors(db_path: str, out: Path) -> tuple[int, int]:
    """Write the vectors of every distinct text of the demo in `db_path`, embedding only texts the file
    does not hold yet; returns (vectors written, texts embedded)."""
    from duijie.core.db import make_engine, make_sessionmaker, url_for_path
    from duijie.text.embed import E5Embedder, EmbeddingCache, content_hash, embed_with_cache

    engine = make_engine(url_for_path(db_path))
    with make_sessionmaker(engine)() as db:
        texts = list(dict.fromkeys([*(item.text for item in iter_extracts(db)), *module_texts(db)]))
    engine.dispose()
    cache = EmbeddingCache(E5Embedder.dim, dict(demo_vectors()))
    missing = sum(1 for t in texts if content_hash(t) not in cache)

    def progress(done: int, total: int) -> None:
        print(f"\r{done}/{total}", end="", file=sys.stderr, flush=True)

    embedder = E5Embedder() if missing else None
    vectors = embed_with_cache(embedder or _NoModel(), texts, cache, progress, processes=2)
    keys = np.array([content_hash(t) for t in texts], dtype="U64")
    with open(out, "wb") as fh:
        np.savez_compressed(fh, keys=keys, vectors=vectors.astype(np.float16), model=np.array(MODEL_NAME))
    print(file=sys.stderr)
    return len(texts), missing


class _NoModel:
    """Stands in for the model when every text already has a vector, so nothing is loaded."""

    name = MODEL_NAME
    dim = 384

    def embed_passages(self, texts: object) -> np.ndarray:
        raise AssertionError("no text should need embedding")

    embed_queries = embed_passages


if __name__ == "__main__":
    target = Path(str(resources.files("duijie.text").joinpath("data"))) / DEMO_VECTORS_FILE
    written, embedded = build_vectors(sys.argv[1], target)
    print(f"{written} vectors written to {target} ({embedded} newly embedded)")
