"""Check and time the search's visibility gate on the 100,000-record database of bench_search_workers.py.

Run: .venv/bin/python bench/bench_search_gate.py [--docs N] [--queries N]

For every query, mode and filter it ranks twice in one process: as the service does (each kind asked about a
window of the best candidates, `duijie.search.visibility`) and as it did before (every visible record listed
first, the ranking read among those), and counts the searches whose fused candidates differ (ids or order).
Then it times `service.search` per mode and filter (in-process: no HTTP), with the number of candidate ids the
kinds were asked about. The database must exist (run bench_search_workers.py once).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ["DUIJIE_SEARCH_EMBED"] = "off"

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from search_corpus import DISTRICTS, INDUSTRIES, generate_corpus, generate_queries
from sqlalchemy.orm import sessionmaker

from duijie.core.auth import ANONYMOUS
from duijie.core.db import make_engine
from duijie.core.searchable import SearchFilters
from duijie.search import service, visibility

OUT = Path(__file__).resolve().parent / "out"
FILTERS = {
    "none": SearchFilters(),
    "district": SearchFilters(district=DISTRICTS[0][0]),
    "industry": SearchFilters(industry=INDUSTRIES[0][0]),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=60)
    args = parser.parse_args()
    path = OUT / f"search_workers_{args.docs}.db"
    if not path.exists():
        raise SystemExit(f"{path} is missing: run bench/bench_search_workers.py first")
    engine = make_engine(f"sqlite:///{path}")
    factory = sessionmaker(bind=engine)
    queries = [q.text for q in generate_queries(generate_corpus(2000), args.queries)]
    print(f"load average at start {os.getloadavg()[0]:.1f}")
    with factory() as db:
        holder = service._holder(db)
        holder.sync(db)
        for q in queries:
            holder.embed_query(q)  # the equivalence check does not time the model
        differ = 0
        checked = 0
        for name, f in FILTERS.items():
            for q in queries:
                for mode in ("lexical", "dense", "hybrid"):
                    windowed = service._gate(db, ANONYMOUS, f)
                    listed = service._gate(db, ANONYMOUS, f)
                    assert windowed is not None and listed is not None
                    listed.list_all()
                    a = service._ranked(db, holder, q, mode, windowed)
                    b = service._ranked(db, holder, q, mode, listed)
                    checked += 1
                    if [h.doc_id for h in a] != [h.doc_id for h in b]:
                        differ += 1
                        print(f"differs: {name} {mode} {q!r}")
        print(f"| searches compared | {checked} | differing from listing every visible record first | {differ} |")
        print()
        print("| mode | filter | p50 ms | p95 ms | candidate ids asked (median) | listed |")
        print("|---|---|---:|---:|---:|---:|")
        for name, f in FILTERS.items():
            for mode in ("lexical", "dense", "hybrid"):
                times, asked, listed = [], [], 0
                for q in queries:
                    start = time.perf_counter()
                    found = service.search(db, query=q, mode=mode, filters=f, actor=ANONYMOUS)  # type: ignore[arg-type]
                    times.append((time.perf_counter() - start) * 1000)
                    asked.append(found.asked)
                    listed += found.listed
                print(
                    f"| {mode} | {name} | {np.percentile(times, 50):.0f} | {np.percentile(times, 95):.0f} | "
                    f"{int(np.median(asked))} | {listed} of {len(queries)} |"
                )
    print(f"load average at end {os.getloadavg()[0]:.1f}; window limit {visibility.WINDOW_MAX}")
    engine.dispose()


if __name__ == "__main__":
    main()
