"""Benchmark of the contest judge assignment at the 7th contest's scale.

3,164 entries x 600 judges, 5 judges per entry, at most 30 entries per judge, dense affinities and ~1 %
random conflicts, for the total and the fair objective. Two affinity models: uniform random scores, and
cosine similarities of clustered topic vectors (entries crowd a few popular topics, as real fields do,
so the best judges are contested). Each case runs in a fresh process so its peak resident memory is its
own. Prints a markdown table; ``--quick`` runs a small instance in a few seconds.

    .venv/bin/python bench/bench_contest.py [--quick] [--cli]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import platform
import resource
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from duijie.contest.assignment import AffinityTable, assign

SEED = 20240425


def make_instance(n_entries: int, n_judges: int, model: str, seed: int = SEED) -> tuple[AffinityTable, list]:
    """A dense affinity table and ~1 % random conflicts, reproducible from the seed."""
    rng = np.random.default_rng(seed)
    if model == "uniform":
        values = rng.random((n_entries, n_judges))
    else:
        dim = 8
        entries = rng.normal(size=(n_entries, dim))
        entries[:, 0] += 2.0
        entries /= np.linalg.norm(entries, axis=1, keepdims=True)
        judges = rng.normal(size=(n_judges, dim))
        judges /= np.linalg.norm(judges, axis=1, keepdims=True)
        values = entries @ judges.T
    table = AffinityTable(
        tuple(f"E{i:04d}" for i in range(n_entries)), tuple(f"J{j:03d}" for j in range(n_judges)), values
    )
    mask = rng.random((n_entries, n_judges)) < 0.01
    conflicts = [(table.entries[e], table.judges[j]) for e, j in np.argwhere(mask).tolist()]
    return table, conflicts


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _run_case(args: tuple[int, int, str, str, int, int, int], queue: mp.Queue) -> None:
    n_entries, n_judges, model, objective, k, cap, low = args
    table, conflicts = make_instance(n_entries, n_judges, model)
    before = _rss_mib()
    started = time.perf_counter()
    cpu = time.process_time()
    result = assign(
        table,
        judges_per_entry=k,
        max_per_judge=cap,
        min_per_judge=low,
        conflicts=conflicts,
        objective=objective,  # type: ignore[arg-type]
    )
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu
    cert = result.certificate
    load_low, load_high = result.load_range
    queue.put(
        {
            "model": model,
            "objective": objective,
            "low": low,
            "size": f"{n_entries} x {n_judges}",
            "conflicts": len(conflicts),
            "seconds": seconds,
            "cpu": cpu,
            "peak": _rss_mib(),
            "extra": _rss_mib() - before,
            "total": result.total_affinity,
            "worst": result.min_entry_total,
            "mean": result.mean_affinity,
            "min": result.min_affinity,
            "loads": f"{load_low}..{load_high}",
            "value": cert.value,
            "bound": cert.upper_bound,
            "exact": cert.exact,
            "method": cert.method,
        }
    )


def _run_cli(args: tuple[int, int, str, int, int], queue: mp.Queue) -> None:
    """The file interface end to end: read a dense scores.csv and conflicts.csv, solve, write the output."""
    from click.testing import CliRunner

    from duijie.contest.cli import contest

    n_entries, n_judges, model, k, cap = args
    table, conflicts = make_instance(n_entries, n_judges, model)
    with tempfile.TemporaryDirectory() as tmp:
        scores = Path(tmp) / "scores.csv"
        with scores.open("w") as fh:
            for e, entry in enumerate(table.entries):
                fh.writelines(
                    f"{entry},{judge},{table.values[e, j]:.6f}\n" for j, judge in enumerate(table.judges)
                )
        conf = Path(tmp) / "conflicts.csv"
        conf.write_text("".join(f"{e},{j}\n" for e, j in conflicts))
        del table
        before = _rss_mib()
        started = time.perf_counter()
        cpu = time.process_time()
        out = Path(tmp) / "assignment.csv"
        argv = ["assign", "--scores", str(scores), "--conflicts", str(conf), "--judges-per-entry", str(k)]
        result = CliRunner().invoke(contest, [*argv, "--max-per-judge", str(cap), "--output", str(out)])
        seconds = time.perf_counter() - started
        cpu = time.process_time() - cpu
        rows = len(out.read_text().splitlines()) if result.exit_code == 0 else 0
    queue.put(
        {
            "seconds": seconds,
            "cpu": cpu,
            "peak": _rss_mib(),
            "extra": _rss_mib() - before,
            "rows": rows,
            "exit": result.exit_code,
            "size": f"{n_entries} x {n_judges}",
            "model": model,
        }
    )


def _in_child(target, args: tuple) -> dict:
    ctx = mp.get_context("spawn")
    queue: mp.Queue = ctx.Queue()
    proc = ctx.Process(target=target, args=(args, queue))
    proc.start()
    row = queue.get()
    proc.join()
    return row


def main() -> None:
    """Run every case and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small instance, a few seconds in all")
    parser.add_argument("--cli", action="store_true", help="also time the file interface end to end")
    opts = parser.parse_args()
    n_entries, n_judges = (400, 76) if opts.quick else (3164, 600)
    k, cap = 5, 30
    load = os.getloadavg()[0]
    cases = [
        (model, objective, 0) for model in ("uniform", "clustered") for objective in ("total", "fair")
    ] + [("clustered", "total", 20)]
    rows = [
        _in_child(_run_case, (n_entries, n_judges, model, objective, k, cap, low))
        for model, objective, low in cases
    ]
    print(
        f"Contest assignment benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, "
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"load average {load:.1f} at start (wall time includes waiting for the CPU; CPU s does not)"
    )
    print(f"k = {k} judges per entry, L = {cap} per judge, M as given, ~1 % random conflicts, seed {SEED}\n")
    print(
        "| affinities | objective | M | entries x judges | wall s | CPU s | peak RSS MiB | solve +MiB | total affinity "
        "| worst entry total | mean / min pair | loads | certificate |"
    )
    print("|---|---|---:|---|---:|---:|---:|---:|---:|---:|---|---|---|")
    for r in rows:
        if r["exact"]:
            cert = f"{r['method']}: exact"
        else:
            cert = f"{r['method']}: proven bound {r['bound']:.4f} (gap {r['bound'] - r['value']:.2e})"
        print(
            f"| {r['model']} | {r['objective']} | {r['low']} | {r['size']} | {r['seconds']:.2f} | {r['cpu']:.2f} | "
            f"{r['peak']:.0f} | {r['extra']:.0f} | {r['total']:.3f} | {r['worst']:.4f} | {r['mean']:.4f} / {r['min']:.4f} | "
            f"{r['loads']} | {cert} |"
        )
    if opts.cli:
        r = _in_child(_run_cli, (n_entries, n_judges, "uniform", k, cap))
        print(
            "\nFile interface end to end (`contest assign`, reading the dense scores.csv, total objective):\n"
        )
        print("| affinities | entries x judges | wall s | CPU s | peak RSS MiB | +MiB | output rows | exit |")
        print("|---|---|---:|---:|---:|---:|---:|---:|")
        print(
            f"| {r['model']} | {r['size']} | {r['seconds']:.2f} | {r['cpu']:.2f} | {r['peak']:.0f} | {r['extra']:.0f} | "
            f"{r['rows']} | {r['exit']} |"
        )


if __name__ == "__main__":
    main()
