"""Write bench/README.md from the latest full-run tables in bench/results/*.md."""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent
ORDER = ["meetings", "contest", "matching", "web", "search", "policies", "sheets", "stats"]

HEADER = """# Benchmarks

Each `bench_<name>.py` runs alone (`.venv/bin/python bench/bench_<name>.py [--quick]`) and prints a markdown
table; `make bench` (or `.venv/bin/python bench/run_all.py [--quick] [names...]`) runs them all. The tables
below are the latest full runs, copied from `bench/results/` by `.venv/bin/python bench/collect.py`.
The machine has 2 cores and was shared with other work during most runs: compare ratios, not absolutes;
CPU seconds are given where the scripts measure them.
"""


def main() -> None:
    parts = [HEADER]
    names = [n for n in ORDER if (HERE / "results" / f"{n}.md").exists()]
    names += sorted(p.stem for p in (HERE / "results").glob("*.md") if p.stem not in ORDER)
    for name in names:
        text = (HERE / "results" / f"{name}.md").read_text(encoding="utf-8").strip()
        lines = text.splitlines()
        if lines and lines[0].startswith("# "):
            lines[0] = "#" + lines[0]
        else:
            lines.insert(0, f"## {name}")
        parts.append("\n".join(lines))
    (HERE / "README.md").write_text("\n\n".join(parts) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
