"""The search vectors, shared by every process on one machine: a memory-mapped snapshot file plus the few
documents written since it was made.

The database holds every document's vector (search_document.vector, which other modules read too). A snapshot
is those vectors as of one data version, written once into a file (new file, fsync, rename) named by the
database's generation and that version; every process maps the same file, so the operating system keeps one
copy of its pages for all workers. Before each search a process reads the data version (one row); when it
changed it reloads the documents written since the snapshot (`seq` above it) and those removed since, and
searches the snapshot with those rows masked out plus the small set of fresh vectors. When the fresh documents
grow past a share of the snapshot, one process (holding a file lock) writes a newer snapshot in the background
and every process switches to it at its next change of version.

File layout: a 4096-byte JSON header (format, generation, seq, kinds, n, dim, coarse dimension), then the keys
(int64, kind index << 40 | record id, sorted), the vectors (float32, n × dim, L2-normalised), and above
COARSE_MIN documents the PCA projection (dim × coarse) and the projected vectors (n × coarse) that the first
pass of a search scores.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import tempfile
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from duijie.text.models import SearchDocument, SearchRemoved, SearchState

log = logging.getLogger(__name__)

FORMAT = "duijie-search-vectors-1"
HEADER = 4096
KIND_SHIFT = 40
COARSE_MIN = 20_000
COARSE_DIM = 128
COARSE_CANDIDATES = 1000
# Candidates are rescored this many rows at a time (384 floats each: 384 KiB), so the temporary copy stays small;
# the C library keeps a process's freed large blocks for reuse, and a 7,500-row copy stayed in every worker.
RESCORE_ROWS = 256
# A new snapshot is written when the documents written since the current one pass this share of it.
REBUILD_SHARE = 0.05
REBUILD_MIN = 1000


def encode(kind_index: int, record_ids: np.ndarray) -> np.ndarray:
    """The int64 key of records of one kind."""
    return (np.int64(kind_index) << KIND_SHIFT) | record_ids.astype(np.int64)


def directory_for(engine: Engine) -> Path:
    """Where the snapshots of a database live: beside a SQLite file, else in a per-database temporary folder.

    DUIJIE_SEARCH_DIR overrides both (a folder on a local disk shared by the workers of one machine).
    """
    override = os.environ.get("DUIJIE_SEARCH_DIR")
    if override:
        return Path(override)
    url = engine.url
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        db_file = Path(url.database).resolve()
        return db_file.with_name(db_file.name + ".search")
    digest = hashlib.sha256(url.render_as_string(hide_password=True).encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"duijie-search-{digest}"


@dataclass
class Snapshot:
    """One mapped snapshot file (read-only arrays over the page cache)."""

    path: Path
    generation: str
    seq: int
    kinds: tuple[str, ...]
    keys: np.ndarray
    matrix: np.ndarray
    projection: np.ndarray | None
    coarse: np.ndarray | None
    missing: int = 0  # documents without a vector when it was written

    def __len__(self) -> int:
        return int(self.keys.shape[0])

    @classmethod
    def open(cls, path: Path) -> Snapshot:
        """Map a snapshot file (nothing is read until it is searched)."""
        with path.open("rb") as fh:
            header = json.loads(fh.read(HEADER).rstrip(b"\0"))
        if header.get("format") != FORMAT:
            raise ValueError(f"{path}: not a search vector file")
        n, dim, cdim = int(header["n"]), int(header["dim"]), int(header["coarse"])
        parts = _layout(n, dim, cdim)
        arrays = {
            name: np.memmap(path, dtype=dtype, mode="r", offset=offset, shape=shape)
            if int(np.prod(shape)) else np.zeros(shape, dtype=dtype)
            for name, (offset, dtype, shape) in parts.items()
        }
        return cls(
            path, header["generation"], int(header["seq"]), tuple(header["kinds"]), arrays["keys"],
            arrays["matrix"], arrays.get("projection"), arrays.get("coarse"), int(header.get("missing", 0)),
        )


def _layout(n: int, dim: int, cdim: int) -> dict[str, tuple[int, str, tuple[int, ...]]]:
    """Where each array of a snapshot file starts: name -> (offset, dtype, shape)."""
    shapes: list[tuple[str, str, tuple[int, ...]]] = [("keys", "<i8", (n,)), ("matrix", "<f4", (n, dim))]
    if cdim:
        shapes += [("projection", "<f4", (dim, cdim)), ("coarse", "<f4", (n, cdim))]
    out, offset = {}, HEADER
    for name, dtype, shape in shapes:
        out[name] = (offset, dtype, shape)
        offset += int(np.prod(shape)) * np.dtype(dtype).itemsize
    return out


def _candidates(directory: Path, generation: str, seq: int) -> list[tuple[int, Path]]:
    """Snapshot files of this database at or below the version, newest first."""
    found = []
    if directory.is_dir():
        for entry in directory.glob(f"{generation}-*.vec"):
            try:
                file_seq = int(entry.stem.rpartition("-")[2])
            except ValueError:
                continue
            if file_seq <= seq:
                found.append((file_seq, entry))
    return sorted(found, reverse=True)


def build_snapshot(conn: Connection, directory: Path, *, model: str, dim: int, kinds: tuple[str, ...]) -> Path:
    """Write the committed vectors of `conn`'s database as a new snapshot file, atomically.

    The rows are streamed into a mapped temporary file (this process never holds the matrix in its own memory),
    which is synced and renamed into place. The version is read in the same snapshot of the database as the
    rows (repeatable read on PostgreSQL, one read transaction on SQLite).
    """
    if conn.dialect.name == "postgresql":
        conn = conn.execution_options(isolation_level="REPEATABLE READ")
    kinds = tuple(sorted(kinds))
    state = conn.execute(select(SearchState.seq, SearchState.generation).where(SearchState.id == 1)).one()
    seq, generation = int(state.seq), str(state.generation)
    t = SearchDocument
    usable = (t.model == model, t.vector.is_not(None), func.length(t.vector) == dim * 4, t.kind.in_(kinds))
    n = int(conn.execute(select(func.count()).select_from(t).where(*usable)).scalar_one())
    missing = int(conn.execute(select(func.count()).select_from(t).where(t.vector.is_(None))).scalar_one())
    cdim = min(COARSE_DIM, dim) if n >= COARSE_MIN else 0
    parts = _layout(n, dim, cdim)
    size = max(offset + int(np.prod(shape)) * np.dtype(dtype).itemsize for offset, dtype, shape in parts.values())
    directory.mkdir(parents=True, exist_ok=True)
    final = directory / f"{generation}-{seq:020d}.vec"
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".tmp-", suffix=".vec")
    try:
        header = {"format": FORMAT, "generation": generation, "seq": seq, "kinds": list(kinds), "n": n,
                  "dim": dim, "coarse": cdim, "missing": missing}
        with os.fdopen(fd, "wb") as fh:
            fh.write(json.dumps(header).encode().ljust(HEADER, b"\0"))
            fh.truncate(size)
        if n:
            _fill(conn, Path(tmp), parts, n, usable, kinds)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, final)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    for old_seq, old in _candidates(directory, generation, seq):
        if old_seq < seq:
            old.unlink(missing_ok=True)  # a process still mapping it keeps its pages until it switches
    return final


def _fill(
    conn: Connection, path: Path, parts: dict[str, tuple[int, str, tuple[int, ...]]], n: int,
    usable: tuple[Any, ...], kinds: tuple[str, ...],
) -> None:
    """Stream the vectors into the mapped file, in key order, then the PCA projection of the first pass."""
    index = {k: i for i, k in enumerate(kinds)}
    arrays = {
        name: np.memmap(path, dtype=dtype, mode="r+", offset=offset, shape=shape)
        for name, (offset, dtype, shape) in parts.items()
    }
    keys, matrix = arrays["keys"], arrays["matrix"]
    t = SearchDocument
    stmt = select(t.kind, t.record_id, t.vector).where(*usable).order_by(t.kind, t.record_id)
    row = 0
    for chunk in conn.execution_options(yield_per=2000).execute(stmt).partitions():
        m = min(len(chunk), n - row)
        block = np.frombuffer(b"".join(r.vector for r in chunk[:m]), dtype="<f4").reshape(m, -1)
        norms = np.linalg.norm(block, axis=1, keepdims=True)
        matrix[row : row + m] = block / np.where(norms > 0, norms, 1.0)
        keys[row : row + m] = [(index[r.kind] << KIND_SHIFT) | r.record_id for r in chunk[:m]]
        row += m
    if row < n or np.any(np.diff(keys) <= 0):  # the database's collation ordered kinds otherwise
        order = np.argsort(np.asarray(keys[:row]), kind="stable")
        keys[:row], matrix[:row] = np.asarray(keys)[order], np.asarray(matrix)[order]
        keys[row:], matrix[row:] = np.iinfo(np.int64).max, 0.0
    if "projection" in arrays:
        sample = np.sort(np.random.default_rng(0).choice(n, size=min(n, 5000), replace=False))
        _, _, vt = np.linalg.svd(np.asarray(matrix[sample]), full_matrices=False)
        projection = np.ascontiguousarray(vt[: arrays["projection"].shape[1]].T, dtype="<f4")
        arrays["projection"][:] = projection
        for lo in range(0, n, 10_000):
            arrays["coarse"][lo : lo + 10_000] = np.asarray(matrix[lo : lo + 10_000]) @ projection
    for array in arrays.values():
        array.flush()


class _FileLock:
    """An exclusive lock on a file in the snapshot folder: one process writes a snapshot at a time."""

    def __init__(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self._fh = (directory / "build.lock").open("a+b")

    def __enter__(self) -> _FileLock:
        fcntl.flock(self._fh, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc: object) -> None:
        fcntl.flock(self._fh, fcntl.LOCK_UN)
        self._fh.close()


class VectorStore:
    """One process's view of a database's vectors: the mapped snapshot and the documents written since."""

    def __init__(self, engine: Engine, *, model: str, dim: int, kinds: tuple[str, ...]) -> None:
        self.engine = engine
        self.model = model
        self.dim = dim
        self.kinds = kinds
        self.directory = directory_for(engine)
        self.snapshot: Snapshot | None = None
        self.version: tuple[int, str] | None = None
        self.generation: str | None = None
        self.fresh_keys = np.zeros(0, dtype=np.int64)
        self.fresh_matrix = np.zeros((0, dim), dtype=np.float32)
        self.masked = np.zeros(0, dtype=np.int64)  # snapshot rows replaced or removed since
        self.missing_vectors = False
        self.snapshots_built = 0
        self._rebuilding = False
        self.lock = threading.RLock()

    # ------------------------------------------------------------ keeping up

    def sync(self, db: Session) -> bool:
        """Catch up with the database as this session sees it; returns True if the version had changed."""
        state = db.execute(
            select(SearchState.seq, SearchState.token, SearchState.generation).where(SearchState.id == 1)
        ).one()
        version = (int(state.seq), state.token)
        if version == self.version and state.generation == self.generation:
            return False
        self.generation = state.generation
        snapshot = self._current_snapshot(state.generation, int(state.seq))
        self.missing_vectors = self._load_fresh(db, snapshot) or snapshot.missing > 0
        self.snapshot = snapshot
        self.version = version
        if len(self.fresh_keys) + len(self.masked) > max(REBUILD_MIN, REBUILD_SHARE * len(snapshot)):
            self._rebuild_in_background()
        return True

    def _current_snapshot(self, generation: str, seq: int) -> Snapshot:
        """The newest snapshot file of this database not newer than the version (or, for a session that reads
        an older state than the newest file, that file: its extra documents are committed ones); written now,
        under the folder's lock, when there is none."""
        current = self.snapshot
        found = _candidates(self.directory, generation, seq) or _candidates(self.directory, generation, 1 << 62)
        if (
            current is not None
            and current.generation == generation
            and current.path.exists()
            and (not found or found[0][0] <= current.seq)
        ):
            return current
        opened = self._open_first(found)
        if opened is not None:
            return opened
        with _FileLock(self.directory):
            opened = self._open_first(_candidates(self.directory, generation, 1 << 62))
            return opened if opened is not None else self._build()

    @staticmethod
    def _open_first(found: list[tuple[int, Path]]) -> Snapshot | None:
        """Map the first readable file of the list (another process may remove an old one meanwhile)."""
        for _, path in found:
            try:
                return Snapshot.open(path)
            except (OSError, ValueError):
                continue
        return None

    def _build(self) -> Snapshot:
        """Write a snapshot from the committed documents and map it.

        On a thread of its own: its connection then begins a plain read transaction even when the caller's
        request is a writing one (whose SQLite BEGIN IMMEDIATE would wait for the request's own write lock).
        """
        out: list[Path | BaseException] = []

        def run() -> None:
            try:
                with self.engine.connect() as conn:
                    out.append(
                        build_snapshot(conn, self.directory, model=self.model, dim=self.dim, kinds=self.kinds)
                    )
                    conn.rollback()
            except BaseException as exc:  # handed to the caller below
                out.append(exc)

        worker = threading.Thread(target=run, name="duijie-search-vectors-build")
        worker.start()
        worker.join()
        if isinstance(out[0], BaseException):
            raise out[0]
        self.snapshots_built += 1
        return Snapshot.open(out[0])

    def _rebuild_in_background(self) -> None:
        """Write a newer snapshot in a daemon thread; this and the other processes switch at their next sync."""
        if self._rebuilding:
            return
        self._rebuilding = True

        def run() -> None:
            try:
                with _FileLock(self.directory):
                    self._build()
            except Exception:  # searches go on with the older snapshot and more fresh rows
                log.exception("writing a new search vector file failed")
            finally:
                self._rebuilding = False

        threading.Thread(target=run, daemon=True, name="duijie-search-vectors").start()

    def _load_fresh(self, db: Session, snapshot: Snapshot) -> bool:
        """Load the documents written and removed after the snapshot's version, as this session sees them;
        returns True if one of those written has no vector yet."""
        t = SearchDocument
        written = db.execute(
            select(t.kind, t.record_id, t.model, t.vector).where(t.seq > snapshot.seq)
        ).all()
        removed = db.execute(
            select(SearchRemoved.kind, SearchRemoved.record_id).where(SearchRemoved.seq > snapshot.seq)
        ).all()
        index = {k: i for i, k in enumerate(snapshot.kinds)}
        touched = [(r.kind, r.record_id) for r in written] + [(r.kind, r.record_id) for r in removed]
        touched_keys = np.array(
            [(index[k] << KIND_SHIFT) | rid for k, rid in touched if k in index], dtype=np.int64
        )
        self.masked = self._rows_of(snapshot, touched_keys)
        usable = [
            r for r in written
            if r.vector is not None and r.model == self.model and r.kind in index and len(r.vector) == self.dim * 4
        ]
        self.fresh_keys = np.array(
            [(index[r.kind] << KIND_SHIFT) | r.record_id for r in usable], dtype=np.int64
        )
        matrix = np.zeros((len(usable), self.dim), dtype=np.float32)
        for i, r in enumerate(usable):
            matrix[i] = np.frombuffer(r.vector, dtype="<f4")
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        self.fresh_matrix = (matrix / np.where(norms > 0, norms, 1.0)).astype(np.float32)
        return any(r.vector is None for r in written)

    @staticmethod
    def _rows_of(snapshot: Snapshot, keys: np.ndarray) -> np.ndarray:
        """Snapshot rows holding these keys."""
        if not len(snapshot) or not keys.size:
            return np.zeros(0, dtype=np.int64)
        pos = np.searchsorted(snapshot.keys, keys)
        pos = np.minimum(pos, len(snapshot) - 1)
        return pos[np.asarray(snapshot.keys[pos]) == keys]

    # ------------------------------------------------------------ searching

    def __len__(self) -> int:
        snapshot = self.snapshot
        return (len(snapshot) - len(self.masked) if snapshot else 0) + len(self.fresh_keys)

    def allowed_keys(self, allowed: Mapping[str, Iterable[int]]) -> np.ndarray:
        """The keys of the allowed records (kind -> record ids), in the snapshot's numbering of kinds."""
        kinds = self.snapshot.kinds if self.snapshot is not None else self.kinds
        parts = [
            encode(kinds.index(kind), np.fromiter(ids, dtype=np.int64))
            for kind, ids in allowed.items()
            if kind in kinds
        ]
        return np.sort(np.concatenate(parts)) if parts else np.zeros(0, dtype=np.int64)

    def search(
        self, query: np.ndarray, depth: int, kinds: Sequence[str] | None = None, allowed: np.ndarray | None = None
    ) -> list[tuple[str, int, float]]:
        """The `depth` documents of `kinds` (every kind when None) closest to the query vector, as (kind, record
        id, cosine similarity); only the keys `allowed` (`allowed_keys`) when given."""
        q = np.asarray(query, dtype=np.float32).reshape(-1)
        q = q / (float(np.linalg.norm(q)) or 1.0)
        snapshot = self.snapshot
        results: list[tuple[int, float]] = []
        if snapshot is not None and len(snapshot):
            rows = rows_of_kinds(snapshot, kinds) if allowed is None else self._rows_of(snapshot, allowed)
            if self.masked.size:
                rows = rows[~np.isin(rows, self.masked)]
            results += self._search_snapshot(snapshot, q, rows, depth)
        if self.fresh_keys.size:
            if allowed is not None:
                keep = np.flatnonzero(np.isin(self.fresh_keys, allowed))
            else:
                keep = np.flatnonzero(np.isin(self.fresh_keys >> KIND_SHIFT, kind_indexes(snapshot.kinds if snapshot else self.kinds, kinds)))
            if keep.size:
                scores = self.fresh_matrix[keep] @ q
                results += [(int(self.fresh_keys[i]), float(s)) for i, s in zip(keep, scores, strict=True)]
        results.sort(key=lambda r: (-r[1], r[0]))
        kinds = snapshot.kinds if snapshot is not None else self.kinds
        return [(kinds[key >> KIND_SHIFT], key & ((1 << KIND_SHIFT) - 1), s) for key, s in results[:depth]]

    @staticmethod
    def _search_snapshot(snapshot: Snapshot, q: np.ndarray, rows: np.ndarray, depth: int) -> list[tuple[int, float]]:
        """Exact inner products over the allowed rows, after a first pass in the PCA projection when large."""
        if not rows.size:
            return []
        candidates = max(COARSE_CANDIDATES, 10 * depth)
        if snapshot.coarse is not None and snapshot.projection is not None and rows.size >= 2 * candidates:
            if rows.size == len(snapshot):
                coarse = np.asarray(snapshot.coarse) @ (q @ snapshot.projection)
            else:
                coarse = (np.asarray(snapshot.coarse) @ (q @ snapshot.projection))[rows]
            part = np.argpartition(-coarse, candidates - 1)[:candidates]
            rows = np.sort(rows[part])
        if rows.size == len(snapshot):
            scores = np.asarray(snapshot.matrix) @ q
        else:  # a few rows at a time: copying all candidates at once kept 13 MiB per worker in its heap
            scores = np.empty(rows.size, dtype=np.float32)
            for lo in range(0, rows.size, RESCORE_ROWS):
                scores[lo : lo + RESCORE_ROWS] = snapshot.matrix[rows[lo : lo + RESCORE_ROWS]] @ q
        n = min(depth, rows.size)
        top = np.argpartition(-scores, n - 1)[:n]
        keys = np.asarray(snapshot.keys[rows[top]])
        return [(int(k), float(s)) for k, s in zip(keys, scores[top], strict=True)]


def kind_indexes(known: Sequence[str], kinds: Sequence[str] | None) -> np.ndarray:
    """The indexes of `kinds` in a snapshot's numbering `known` (all of them when None)."""
    wanted = known if kinds is None else [k for k in kinds if k in known]
    return np.sort(np.array([list(known).index(k) for k in wanted], dtype=np.int64))


def rows_of_kinds(snapshot: Snapshot, kinds: Sequence[str] | None) -> np.ndarray:
    """Snapshot rows of these kinds (all when None): the keys are sorted by kind first, so each kind is one range."""
    indexes = kind_indexes(snapshot.kinds, kinds)
    if len(indexes) == len(snapshot.kinds):
        return np.arange(len(snapshot), dtype=np.int64)
    starts = np.searchsorted(snapshot.keys, indexes << KIND_SHIFT)
    ends = np.searchsorted(snapshot.keys, (indexes + 1) << KIND_SHIFT)
    parts = [np.arange(a, b, dtype=np.int64) for a, b in zip(starts, ends, strict=True) if b > a]
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


def settings_view(store: VectorStore) -> dict[str, Any]:
    """What the store holds, for the command line and the benchmark."""
    snapshot = store.snapshot
    return {
        "directory": str(store.directory),
        "snapshot": str(snapshot.path) if snapshot else None,
        "snapshot_seq": snapshot.seq if snapshot else None,
        "snapshot_rows": len(snapshot) if snapshot else 0,
        "fresh_rows": int(store.fresh_keys.size),
        "masked_rows": int(store.masked.size),
        "version": store.version,
    }
