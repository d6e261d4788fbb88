"""Run every benchmark in this folder, one process each, and print their tables.

`python bench/run_all.py` runs the full sizes (long: minutes to an hour on 2 cores); `--quick` runs the small
sizes each script offers, for a smoke check. Each script also writes its latest full table to
bench/results/<name>.md, which bench/README.md collects.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes only")
    parser.add_argument("only", nargs="*", help="names of benchmarks to run (e.g. meetings contest)")
    args = parser.parse_args()
    scripts = sorted(HERE.glob("bench_*.py"))
    if args.only:
        scripts = [s for s in scripts if s.stem.removeprefix("bench_") in args.only]
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(HERE.parent)}
    failures = 0
    for script in scripts:
        print(f"\n## {script.stem.removeprefix('bench_')}\n", flush=True)
        start = time.monotonic()
        cmd = [sys.executable, str(script)] + (["--quick"] if args.quick else [])
        rc = subprocess.call(cmd, env=env)
        print(f"\n({script.name}: exit {rc}, {time.monotonic() - start:.0f} s)", flush=True)
        failures += rc != 0
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
