"""The contest's structure in the demo: its fields and regions, the preliminary contests (one per region and
field, fewer overseas), a TOP10 round per field and the global final; the published winners moved into it."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from duijie.contest.demo.data import (
    CRITERIA,
    FIELDS,
    FINAL_CRITERIA,
    FINALISTS_PER_FIELD,
    OVERSEAS_FIELDS,
    REGIONS,
    WINNERS,
)
from duijie.contest.domain.structure import SYNTHETIC_STRUCTURE_KEY
from duijie.contest.enums import EntryState, RoundKind
from duijie.contest.models import ContestEntry, ContestField, ContestRegion, ContestRound, Judge
from duijie.core.demo_kit import DemoKit
from duijie.directory.models import Organisation
from duijie.events.demo import figure
from duijie.events.models import Event, EventSetting


@dataclass
class ContestDemo:
    """What the contest's activity steps make and hand on to one another."""

    kit: DemoKit
    db: Session
    rng: random.Random
    event: Event
    fields: dict[str, ContestField]
    regions: dict[str, ContestRegion]
    prelims: list[ContestRound] = field(default_factory=list)
    top10: dict[str, ContestRound] = field(default_factory=dict)
    final: ContestRound | None = None
    winners: dict[str, ContestEntry] = field(default_factory=dict)
    # The generated entries as insert rows, and each entry's hidden quality by code.
    rows: list[dict[str, object]] = field(default_factory=list)
    quality: dict[str, float] = field(default_factory=dict)
    top10_codes: dict[str, list[str]] = field(default_factory=dict)
    open_round: ContestRound | None = None
    entry_ids: dict[str, int] = field(default_factory=dict)
    institutes: list[Organisation] = field(default_factory=list)
    entrant_names: list[str] = field(default_factory=list)
    judges: dict[int, Judge] = field(default_factory=dict)
    # Each judge's leniency, by judge id; the demo judge account's person.
    bias: dict[int, float] = field(default_factory=dict)
    judge_person: int | None = None

    @property
    def the_final(self) -> ContestRound:
        assert self.final is not None
        return self.final

    @property
    def the_open_round(self) -> ContestRound:
        assert self.open_round is not None
        return self.open_round


def source_figure(event: Event, key: str) -> int:
    """A published figure of the contest, as the events' seed recorded it."""
    return int(next(f.value for f in event.figures if f.key == key))


def structure(kit: DemoKit, rng: random.Random, event: Event) -> ContestDemo:
    """The fields and regions (the ones the source does not name marked synthetic) and their figures."""
    db = kit.db
    c = ContestDemo(
        kit=kit,
        db=db,
        rng=rng,
        event=event,
        fields={code: ContestField(event_id=event.id, code=code, name_zh=zh, name_en=en)
                for code, zh, en, *_ in FIELDS},
        regions={code: ContestRegion(event_id=event.id, code=code, name_zh=zh, name_en=en)
                 for code, zh, en, *_ in REGIONS},
    )  # fmt: skip
    db.add_all([*c.fields.values(), *c.regions.values()])
    synthetic = [code for code, _zh, _en, named, *_ in FIELDS if not named] + [code for code, *_ in REGIONS]
    db.add(EventSetting(event_id=event.id, key=SYNTHETIC_STRUCTURE_KEY, value=synthetic))
    spec = kit.competition_facts("frontier-contest-7")
    figure(event, "regions", str(spec["regions"]), "个", "赛区", "Regions", spec["source"])
    figure(event, "fields", str(spec["fields"]), "个", "领域", "Fields", spec["source"])
    share = str(spec["international_share"]).removeprefix("超").removesuffix("%")
    figure(event, "international_share", share, "%", "国际项目占比", "International entries", spec["source"],
           q="超")  # fmt: skip
    db.flush()
    return c


def rounds(c: ContestDemo) -> None:
    """The preliminary contests, the field TOP10 rounds and the global final."""
    _preliminaries(c)
    c.top10 = {
        code: ContestRound(
            event_id=c.event.id,
            kind=RoundKind.FIELD_TOP10.value,
            name_zh=f"{f.name_zh}领域TOP10",
            name_en=f"{f.name_en} TOP10",
            field_id=f.id,
            sequence=2,
            starts_on=dt.date(2024, 1, 8) + dt.timedelta(days=3 * k),
            ends_on=dt.date(2024, 1, 9) + dt.timedelta(days=3 * k),
            advance_count=FINALISTS_PER_FIELD.get(code, 2),
            criteria=CRITERIA,
            judges_per_entry=5,
            max_per_judge=12,
        )
        for k, (code, f) in enumerate(c.fields.items())
    }
    c.final = ContestRound(
        event_id=c.event.id,
        kind=RoundKind.FINAL.value,
        name_zh="全球总决赛",
        name_en="Global final",
        sequence=3,
        starts_on=dt.date(2024, 4, 24),
        ends_on=dt.date(2024, 4, 25),
        advance_count=6,
        criteria=FINAL_CRITERIA,
        judges_per_entry=9,
        max_per_judge=22,
    )
    c.db.add_all([*c.prelims, *c.top10.values(), c.final])
    c.db.flush()
    assert len(c.prelims) == source_figure(c.event, "preliminary_contests")


def _preliminaries(c: ContestDemo) -> None:
    """A preliminary contest per region and field (the overseas regions hold fewer), every other day."""
    for r_code, r_zh, r_en, *_ in REGIONS:
        for f_code in OVERSEAS_FIELDS.get(r_code, [code for code, *_ in FIELDS]):
            f = c.fields[f_code]
            start = dt.date(2023, 6, 1) + dt.timedelta(days=2 * len(c.prelims))
            c.prelims.append(
                ContestRound(
                    event_id=c.event.id,
                    kind=RoundKind.PRELIMINARY.value,
                    name_zh=f"{r_zh}·{f.name_zh}",
                    name_en=f"{r_en} · {f.name_en}",
                    field_id=f.id,
                    region_id=c.regions[r_code].id,
                    sequence=1,
                    starts_on=start,
                    ends_on=start + dt.timedelta(days=1),
                    advance_count=3,
                    criteria=CRITERIA,
                    judges_per_entry=5,
                    max_per_judge=30,
                )
            )


def move_winners(c: ContestDemo) -> None:
    """The named winners, moved from the seed's placeholder final field and region into real ones."""
    db, event = c.db, c.event
    c.winners = {
        e.organisation.name_zh: e
        for e in db.scalars(select(ContestEntry).where(ContestEntry.event_id == event.id))
        if e.organisation is not None
    }
    for name, (f_code, r_code) in WINNERS.items():
        entry = c.winners[name]
        entry.field_id = c.fields[f_code].id
        entry.region_id = c.regions[r_code].id
        entry.submitted_at = dt.datetime(2023, 4, 20, 9, 0, tzinfo=dt.UTC)
        entry.state = EntryState.ADVANCED.value  # it re-earns its award below, round by round
    db.flush()
    db.execute(delete(ContestField).where(ContestField.event_id == event.id, ContestField.code == "final"))
    db.execute(
        delete(ContestRegion).where(ContestRegion.event_id == event.id, ContestRegion.code == "global")
    )
