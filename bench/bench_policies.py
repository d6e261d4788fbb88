"""Bulk policy evaluation: 10,000 enterprises × 500 policies, wall time and peak memory.

Run: .venv/bin/python bench/bench_policies.py [--quick]   (--quick: 1,000 enterprises × 100 policies)
The policies are the demo catalogue plus generated ones of the same shape (3–7 conditions, nested any/not).
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import resource
import time
import tracemalloc
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import numpy as np

from duijie.policies.bulk import FactTable, evaluate_many, match_enterprises
from duijie.policies.catalogue import Policy, load_catalogue, parse_policy
from duijie.policies.evaluator import evaluate, rank_packages
from duijie.policies.facts import DISTRICTS, INDUSTRIES, PARKS

ON = date(2025, 6, 1)


def make_enterprise(rng: random.Random) -> dict[str, Any]:
    """Draw one enterprise with realistic gaps: each fact is present with probability 0.7–0.95."""
    facts: dict[str, Any] = {}

    def maybe(p: float, name: str, value: Callable[[], Any]) -> None:
        if rng.random() < p:
            facts[name] = value()

    maybe(0.95, "registered_district", lambda: rng.choice(DISTRICTS))
    maybe(0.7, "park", lambda: rng.choice(PARKS))
    maybe(0.9, "industries", lambda: rng.sample(INDUSTRIES, rng.randint(1, 3)))
    maybe(0.9, "founded_on", lambda: (date(1995, 1, 1) + timedelta(days=rng.randrange(11000))).isoformat())
    maybe(0.85, "revenue", lambda: f"{rng.lognormvariate(18, 2):.2f}")
    maybe(0.8, "rd_spend", lambda: f"{rng.lognormvariate(15.5, 2):.2f}")
    maybe(0.85, "headcount", lambda: int(rng.lognormvariate(4, 1.3)))
    maybe(0.7, "rd_staff", lambda: int(rng.lognormvariate(3, 1.3)))
    maybe(0.5, "tax_paid", lambda: f"{rng.lognormvariate(15, 2):.2f}")
    maybe(0.4, "valuation", lambda: f"{rng.lognormvariate(20, 1.5):.2f}")
    maybe(0.5, "fixed_asset_investment", lambda: f"{rng.lognormvariate(16, 2):.2f}")
    maybe(0.3, "compute_spend", lambda: f"{rng.lognormvariate(14, 2):.2f}")
    maybe(0.3, "office_area", lambda: rng.randrange(100, 20000))
    for flag in (
        "high_tech",
        "specialised",
        "little_giant",
        "unicorn",
        "foreign_invested",
        "headquarters",
        "listed",
    ):
        maybe(0.8, flag, lambda: rng.random() < 0.25)
    return facts


def _condition(rng: random.Random, fact: str) -> dict[str, Any]:
    if fact == "revenue":
        return {
            "fact": fact,
            "op": rng.choice([">=", ">"]),
            "value": f"{rng.choice([500, 2000, 5000, 20000])}万元",
        }
    if fact == "rd_spend":
        return {"fact": fact, "op": ">=", "value": f"{rng.choice([100, 500, 1000, 5000])}万元"}
    if fact == "rd_ratio":
        return {"fact": fact, "op": ">=", "value": f"{rng.choice([3, 4, 5, 7])}%"}
    if fact == "headcount":
        return {"fact": fact, "op": rng.choice([">=", "<="]), "value": rng.choice([20, 50, 300, 1000])}
    if fact == "registered_district":
        return {"fact": fact, "op": "in", "value": rng.sample(DISTRICTS, rng.randint(1, 6))}
    if fact == "park":
        return {"fact": fact, "op": "in", "value": rng.sample(PARKS[:-1], rng.randint(1, 4))}
    if fact == "industries":
        if rng.random() < 0.5:
            return {"fact": fact, "op": "contains", "value": rng.choice(INDUSTRIES)}
        return {"fact": fact, "op": "intersects", "value": rng.sample(INDUSTRIES, rng.randint(1, 3))}
    if fact == "founded_on":
        return {"fact": fact, "fn": "age_years", "op": "<=", "value": rng.choice([3, 5, 8, 10])}
    return {"fact": fact, "op": "==", "value": rng.random() < 0.85}


def make_policy(rng: random.Random, index: int) -> Policy:
    """Generate a sound policy: 3–7 conditions on distinct facts, sometimes an `any` or a `not` inside."""
    names = [
        "revenue",
        "rd_spend",
        "rd_ratio",
        "headcount",
        "registered_district",
        "park",
        "industries",
        "founded_on",
        "high_tech",
        "specialised",
        "little_giant",
        "unicorn",
        "foreign_invested",
        "headquarters",
        "listed",
    ]
    chosen = rng.sample(names, rng.randint(3, 7))
    items: list[dict[str, Any]] = [_condition(rng, fact) for fact in chosen]
    if len(items) >= 4 and rng.random() < 0.6:
        items = [*items[:-2], {"any": items[-2:]}]
    if rng.random() < 0.3:
        items[0] = {"not": items[0]}
    if rng.random() < 0.5:
        benefit: dict[str, Any] = {
            "kind": "subsidy",
            "formula": {"fact": "rd_spend", "rate": "10%", "cap": "500万元"},
        }
    else:
        benefit = {"kind": "subsidy", "amount": f"{rng.choice([10, 30, 50, 100])}万元"}
    return parse_policy(
        {
            "id": f"gen-{index}",
            "name_zh": f"生成政策{index}",
            "name_en": f"Generated policy {index}",
            "versions": [
                {
                    "valid_from": "2023-01-01",
                    "valid_to": "2027-12-31",
                    "rule": {"all": items},
                    "benefit": benefit,
                }
            ],
        }
    )


def run(n_enterprises: int, n_policies: int, seed: int = 1) -> list[tuple[str, str]]:
    """Time each stage and return (stage, figure) rows."""
    rng = random.Random(seed)
    catalogue = [q for p in load_catalogue() for q in p.policies]
    policies = (catalogue + [make_policy(rng, i) for i in range(max(0, n_policies - len(catalogue)))])[
        :n_policies
    ]
    enterprises = {f"e{i:05d}": make_enterprise(rng) for i in range(n_enterprises)}

    t0 = time.perf_counter()
    table = FactTable.build(enterprises)
    t1 = time.perf_counter()
    bulk = evaluate_many(policies, table, on=ON)
    t2 = time.perf_counter()
    totals = bulk.totals()
    t3 = time.perf_counter()
    # Memory is measured on a second, traced run: tracing slows Python code several times over.
    del bulk
    tracemalloc.start()
    bulk = evaluate_many(policies, FactTable.build(enterprises), on=ON)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    counts = np.bincount(bulk.outcomes.ravel().astype(np.int64) + 1, minlength=3)
    pairs = n_enterprises * n_policies
    first = next(iter(enterprises.values()))
    t4 = time.perf_counter()
    decisions = [evaluate(p, first, on=ON) for p in policies]
    t5 = time.perf_counter()
    packages = load_catalogue()
    t6 = time.perf_counter()
    rank_packages(packages, first, on=ON)
    t7 = time.perf_counter()
    match_enterprises(policies[0], enterprises, on=ON)
    t8 = time.perf_counter()
    rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return [
        ("enterprises × policies", f"{n_enterprises:,} × {n_policies:,} = {pairs:,} decisions"),
        ("outcomes (eligible / not / undetermined)", f"{counts[2]:,} / {counts[1]:,} / {counts[0]:,}"),
        ("normalise facts + build columns", f"{t1 - t0:.2f} s"),
        ("compile rules + evaluate all (evaluate_many)", f"{t2 - t1:.2f} s"),
        ("total benefit per enterprise (totals)", f"{t3 - t2:.2f} s"),
        ("**bulk wall time (build + evaluate + totals)**", f"**{t3 - t0:.2f} s**"),
        ("bulk throughput", f"{pairs / (t2 - t1) / 1e6:.1f} M decisions/s (evaluate_many)"),
        ("peak traced memory, build + evaluate", f"{peak / 2**20:.0f} MiB"),
        ("process max RSS", f"{rss_mib:.0f} MiB"),
        ("explained decisions, one enterprise", f"{len(decisions)} in {t5 - t4:.3f} s"),
        ("rank 10 packages (31 policies), one enterprise", f"{(t7 - t6) * 1000:.1f} ms"),
        ("match_enterprises, one policy over all", f"{t8 - t7:.2f} s"),
        ("check sum of totals (元)", f"{sum(totals.values()):,}"),
    ]


def main() -> None:
    """Run the benchmark and print a markdown table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="1,000 enterprises × 100 policies")
    args = parser.parse_args()
    n, m = (1_000, 100) if args.quick else (10_000, 500)
    rows = run(n, m)
    python = f"{platform.python_implementation()} {platform.python_version()}"
    print(f"# Policy bulk evaluation ({date.today()}, {python}, {os.cpu_count()} cores)\n")
    print("| stage | figure |")
    print("|---|---|")
    for stage, figure in rows:
        print(f"| {stage} | {figure} |")


if __name__ == "__main__":
    main()
