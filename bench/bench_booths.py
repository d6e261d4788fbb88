"""Booth allocation at the forum's size: 650 booths in five halls, ~630 exhibitors in four sponsor tiers, zones
by category, corner/power/hall wishes, 10 % of booths already confirmed, and competitors who must not touch —
drawn among any exhibitors ("any") or, the hard case, among those of one category, who want the same zones
("same"). Each row: how many were placed against the bound (the assignment optimum without the competitor
rule), the preference points against theirs, the gap, rounds of the competitor repair, wall time, peak memory,
and whether the independent checker found every hard rule kept. Target: optimal or within 1 % of the bound in
60 s. Writes bench/results/booths.md.

    python bench/bench_booths.py [--quick]
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

from duijie.exhibition.booths import allocate, check, generate, read_plan

HERE = Path(__file__).resolve().parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    sizes = [(120, (1, 2))] if args.quick else [(650, (1, 2, 3, 4, 5)), (1300, (1, 2))]
    lines = [
        "| booths | rivals | seed | exhibitors | placed / bound | preference points / bound | gap | repair rounds "
        "| status | rules kept | wall s | peak RSS MB |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    failed = False
    for booths, seeds in sizes:
        for rivals in ("any", "same"):
            for seed in seeds:
                plan = read_plan(generate(booths, seed=seed, rivals=rivals))
                started = time.monotonic()
                result = allocate(plan, seconds=60)
                wall = time.monotonic() - started
                kept = not check(plan, result.booth_of)
                placed, bound = sum(result.tier_counts.values()), sum(result.tier_bounds.values())
                gap = "—" if result.gap is None else f"{result.gap:.3%}"
                rounds = result.phases[-1].name.split("(")[-1].split()[0]
                rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
                lines.append(
                    f"| {booths} | {rivals} | {seed} | {len(plan.exhibitors)} | {placed} / {bound} | "
                    f"{result.preferences} / {result.preference_bound} | {gap} | {rounds} | "
                    f"{result.phases[-1].status.lower()} | {'yes' if kept else 'NO'} | {wall:.2f} | {rss} |"
                )
                print(lines[-1], flush=True)
                failed |= not kept or result.gap is None or result.gap > 0.01 or wall > 60
    table = "\n".join(lines)
    if not args.quick:
        (HERE / "results" / "booths.md").write_text(table + "\n", encoding="utf-8")
    print(table)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
