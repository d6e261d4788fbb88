"""The demo kit: what every module's demo needs to add its rows, and nothing of any module.

The demo data set is built deterministically from the facts of the source documents (`seed_facts.yaml`). Every
named organisation, project, policy package, achievement and award is real and carries the seed file it comes
from as its provenance. What the published figures need beyond that is generated with a fixed seed, marked
`synthetic` (示例数据), and sized so that the platform's own statistics reproduce the published totals exactly:
amounts are allocated in units of 0.01 亿元 and the last unit of rounding goes to the largest item.

Each package's `demo.py` owns its rows and adds them through a `DemoKit`, in phases (`PHASES`): the run
(`duijie.demo.builder`) calls each phase's function of every package's demo, bottom floor first, before the
next phase. A phase sees every row of the phases before it, whichever floor made them, so a module on a low
floor can build on a higher one's rows by placing its step in a later phase, without naming that module.
The kit imports no feature: records are kept and looked up by their class (`kit.get(Organisation, slug)`).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import yaml
from sqlalchemy.orm import Session

from duijie.core.demo_kit import names as N

FACTS_FILE = Path(__file__).with_name("seed_facts.yaml")
SRC_2023 = "000_41e0bd28c136a3b5.txt"
SRC_2024 = "001_6293e60d3791e49e.txt"
SRC_FORUM_2023 = "002_0d3dc82d5ef89841.txt"
UNIT = Decimal(1_000_000)  # 0.01 亿元 in yuan: the resolution of every generated amount
YI = Decimal(100_000_000)
DEMO_SEED = 20230526

# The phases of a build, in order; a package's demo defines the functions (each taking the kit) it needs.
PHASES: tuple[str, ...] = (
    # What a module arranges before any row is written (search pauses its incremental index, for instance).
    "prepare_demo",
    # The rows the published sources give (organisations, events and their figures, released projects,
    # signings, policy packages, achievements, awards) and the demo's accounts. The shared generator
    # (`kit.rng`) is drawn from here only, bottom floor first, so the generated amounts stay where they are.
    "seed_demo",
    # Each module's generated records on top of the seeds: profiles, the deals' progress, the policy catalogue.
    "extend_demo",
    # The events take place over the whole directory as it now stands: meetings held, the contest judged.
    "activity_demo",
    # What reads the rows of every module: the forum's technology trading, recommendations, the search index.
    "finish_demo",
)

T = TypeVar("T")


@dataclass(frozen=True)
class DemoAccount:
    """A login of the demo, printed by `duijie demo` (the passwords are public on purpose)."""

    username: str
    password: str
    role: str
    who: str


@dataclass
class DemoSummary:
    """What the build made, for the command's closing line."""

    events: int = 0
    organisations: int = 0
    opportunities: int = 0
    deals: int = 0
    accounts: list[DemoAccount] = field(default_factory=list)


def load_facts() -> dict[str, Any]:
    """The facts of the source documents (figures, names, dates) the demo reproduces."""
    with FACTS_FILE.open(encoding="utf-8") as fh:
        facts: dict[str, Any] = yaml.safe_load(fh)
    return facts


def allocate(
    total_yi: Decimal, fixed: list[Decimal | None], rng: random.Random, *, sigma: float = 0.9
) -> list[Decimal]:
    """Split `total_yi` (亿元) into len(fixed) yuan amounts in 0.01 亿元 units that add up exactly.

    Entries given in `fixed` keep their amount; the others get lognormal shares of what is left, each at least
    one unit, the rounding remainder going to the largest share.
    """
    total_units = int((total_yi * 100).to_integral_value())
    units: list[int | None] = [None if f is None else int((f / UNIT).to_integral_value()) for f in fixed]
    free = [i for i, u in enumerate(units) if u is None]
    remaining = total_units - sum(u for u in units if u is not None)
    if remaining < len(free):
        raise ValueError(
            f"cannot split {total_yi} 亿元: fixed amounts leave {remaining} units for {len(free)} items"
        )
    weights = [rng.lognormvariate(0.0, sigma) for _ in free]
    scale = (remaining - len(free)) / sum(weights) if free else 0
    shares = [1 + int(w * scale) for w in weights]
    if free:
        largest = max(range(len(free)), key=lambda k: shares[k])
        shares[largest] += remaining - sum(shares)
    for k, i in enumerate(free):
        units[i] = shares[k]
    return [Decimal(u or 0) * UNIT for u in units]


class DemoKit:
    """One build of the demo into an empty database, inside the caller's transaction.

    It carries the session, the facts, the seeded generators, the records the modules keep for one another
    (by class and key, in the order they were kept) and the summary.
    """

    def __init__(self, db: Session, *, seed: int = DEMO_SEED) -> None:
        self.db = db
        self.seed = seed
        # The generator of the sources' generated amounts and names, shared in a fixed order (see PHASES).
        self.rng = random.Random(seed)
        self.facts = load_facts()
        self.summary = DemoSummary()
        self._records: dict[type, dict[str, object]] = {}
        self._parts: dict[type, object] = {}
        self._used_names: set[str] = set()

    def module_rng(self, module: str) -> random.Random:
        """A generator of its own per module, so one module's demo data does not shift another's."""
        return random.Random(f"{self.seed}-{module}")

    # -- the facts -------------------------------------------------------------------------------------------
    def event_facts(self, slug: str) -> dict[str, Any]:
        """The facts of a summit (`events` in the facts file)."""
        return self._fact("events", slug)

    def forum_facts(self, slug: str) -> dict[str, Any]:
        """The facts of a forum (`forums`)."""
        return self._fact("forums", slug)

    def competition_facts(self, slug: str) -> dict[str, Any]:
        """The facts of a contest edition (`competitions`)."""
        return self._fact("competitions", slug)

    def _fact(self, section: str, slug: str) -> dict[str, Any]:
        found: dict[str, Any] = next(item for item in self.facts[section] if item["id"] == slug)
        return found

    # -- the records the modules share -------------------------------------------------------------------
    def keep(self, key: str, record: T) -> T:
        """Keep a record under its class and `key` for the other modules' demos; returns it."""
        self._records.setdefault(type(record), {})[key] = record
        return record

    def find(self, cls: type[T], key: str) -> T | None:
        """The record of class `cls` kept under `key`, or None."""
        record = self._records.get(cls, {}).get(key)
        if record is not None and not isinstance(record, cls):
            raise TypeError(f"{key!r} is kept as {type(record).__name__}, not {cls.__name__}")
        return record

    def get(self, cls: type[T], key: str) -> T:
        """The record of class `cls` kept under `key`; KeyError if none was kept."""
        record = self.find(cls, key)
        if record is None:
            raise KeyError(f"no {cls.__name__} {key!r} in the demo")
        return record

    def all(self, cls: type[T]) -> list[T]:
        """Every record of class `cls` kept so far, in the order they were kept."""
        return [r for r in self._records.get(cls, {}).values() if isinstance(r, cls)]

    def keys(self, cls: type) -> list[str]:
        """The keys of the records of class `cls` kept so far, in the order they were kept."""
        return list(self._records.get(cls, {}))

    def part(self, cls: type[T]) -> T:
        """The build's one instance of `cls` (made with `cls()` on first use): where a module's demo leaves what
        a later step (of its own or of a higher module) reads, such as the released projects under negotiation."""
        if cls not in self._parts:
            self._parts[cls] = cls()
        part = self._parts[cls]
        assert isinstance(part, cls)
        return part

    # -- generated names -------------------------------------------------------------------------------------
    def company_name(self, industry: str) -> tuple[str, str]:
        """A plausible, unused synthetic company name for the industry, with its English form.

        Picks among the stems not yet used with this trade; when all are taken, joins two stems, so the demo
        never runs out of names however many companies a module asks for.
        """
        trade_zh, trade_en = N.INDUSTRY_TRADE.get(industry, ("科技", "Technology"))
        stems = list(zip(N.NAME_STEMS, N.NAME_STEMS_EN, strict=True))
        for pool in (stems, [(a + b, f"{ae}{be.lower()}") for a, ae in stems for b, be in stems if a != b]):
            free = [(zh, en) for zh, en in pool if f"{zh}{trade_zh}有限公司" not in self._used_names]
            if free:
                zh, en = free[self.rng.randrange(len(free))]
                self._used_names.add(f"{zh}{trade_zh}有限公司")
                return f"{zh}{trade_zh}有限公司", f"{en} {trade_en} Co., Ltd."
        raise RuntimeError("ran out of synthetic company names")
