"""The contest's judging in the demo: the judge pool (with employment and investment history), conflicts
detected and declared, the field TOP10 rounds and the final assigned, scored so that the published winners
come out on top, and closed; and the open preliminary contest assigned, waiting for the demo judge's scores."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from duijie.contest import scoring
from duijie.contest.demo.data import (
    CRITERIA,
    DEMO_JUDGE_EXPERTISE,
    FIELDS,
    FINAL_CRITERIA,
    FINALISTS_PER_FIELD,
    FOREIGN_NAMES,
    GIVEN,
    JUDGES,
    SURNAMES,
    WINNERS,
)
from duijie.contest.demo.structure import ContestDemo
from duijie.contest.domain.conflicts import detect_conflicts
from duijie.contest.domain.entries import set_entry_state
from duijie.contest.domain.rankings import close_round, ranking
from duijie.contest.domain.reviews import run_assignment
from duijie.contest.domain.rounds import criteria_of
from duijie.contest.enums import EntryState
from duijie.contest.models import Award, Conflict, ContestEntry, ContestRound, Judge, ReviewAssignment, Score
from duijie.core.auth import Actor, Grant
from duijie.core.db import SYNTHETIC
from duijie.core.demo_kit.pinyin import english_name
from duijie.directory.models import Account, Organisation, Person

SYSTEM = Actor(username="demo", display_name="demo", grants=(Grant(role="organiser"),))


def judge_pool(c: ContestDemo) -> None:
    """300 generated judges (one in six from abroad, most with an institute or investor) and the demo judge."""
    rng, db = c.rng, c.db
    investors = [o for o in c.kit.all(Organisation) if o.kind == "investor"]
    people = []
    judge_rows: list[dict[str, object]] = []
    for k in range(JUDGES):
        _code, f_zh, _en, _n, terms, products = FIELDS[k % len(FIELDS)]
        foreign = k % 6 == 5
        name = (
            rng.choice(FOREIGN_NAMES)
            if foreign
            else rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.choice((1, 2))))
        )
        org = rng.choice(c.institutes + investors[:12]) if k % 4 else None
        picked = "、".join(t for t, _ in rng.sample(terms, 4) + rng.sample(products, 1))
        second = FIELDS[(k * 7 + 3) % len(FIELDS)]
        expertise = f"{f_zh}：{picked}"
        if k % 3 == 0:
            expertise += f"；{second[1]}：{'、'.join(t for t, _ in rng.sample(second[4], 2))}"
        org_id = org.id if org else None
        people.append({"name_zh": name, "name_en": name if foreign else english_name(name), "title": "评委",
                       "organisation_id": org_id, "provenance": SYNTHETIC})  # fmt: skip
        judge_rows.append({"event_id": c.event.id, "organisation_id": org_id, "expertise": expertise,
                           "country": ["US", "DE", "GB", "JP", "SG", "IL"][k % 6] if foreign else "CN",
                           "languages": ["en"] if foreign else ["zh", "en"], "active": True,
                           "provenance": SYNTHETIC})  # fmt: skip
    person_ids = list(db.scalars(insert(Person).returning(Person.id, sort_by_parameter_order=True), people))
    for row, pid in zip(judge_rows, person_ids, strict=True):
        row["person_id"] = pid
    c.judge_person = db.scalar(select(Account.person_id).where(Account.username == "judge"))
    judge_rows.append({"event_id": c.event.id, "person_id": c.judge_person, "organisation_id": None,
                       "expertise": DEMO_JUDGE_EXPERTISE, "country": "CN", "languages": ["zh", "en"],
                       "active": True, "provenance": SYNTHETIC})  # fmt: skip
    _history(c, judge_rows)
    db.execute(insert(Judge), judge_rows)
    c.judges = {j.id: j for j in db.scalars(select(Judge).where(Judge.event_id == c.event.id))}
    c.bias = {jid: rng.gauss(0.0, 0.6) for jid in sorted(c.judges)}


def _history(c: ContestDemo, judge_rows: list[dict[str, object]]) -> None:
    """Employment and investment history: two recent employments at entrants, a recent investment in one, and
    an employment that ended before the look-back window (so it does not count)."""
    names = c.entrant_names
    history = {
        1: ("employment", names[0], "2019-03-01", "2022-08-31"),
        2: ("employment", names[1], "2021-07-01", None),
        4: ("investment", names[2], "2022-01-15", None),
        7: ("employment", names[3], "2012-09-01", "2016-06-30"),
    }
    for k, row in enumerate(judge_rows):
        tie = history.get(k)
        row["ties"] = [{"kind": tie[0], "organisation": tie[1], "start": tie[2], "end": tie[3]}] if tie else []


def conflicts(c: ContestDemo) -> None:
    """Conflicts detected (same organisation, employment, investment) and a few declared."""
    detect_conflicts(c.db, actor=SYSTEM, event=c.event, as_of=dt.date(2023, 6, 1))
    firsts = [c.top10_codes["ai"][0], c.top10_codes["ic"][0], c.top10_codes["biomed"][0]]
    for jid, code in zip(sorted(c.judges)[:3], firsts, strict=True):
        c.db.add(Conflict(judge_id=jid, entry_id=c.entry_ids[code], reason="declared: 曾担任该项目技术顾问",
                          source="declared"))  # fmt: skip
    c.db.flush()


def field_rounds(c: ContestDemo) -> set[str]:
    """The field TOP10 rounds assigned, scored and closed; returns the codes of the finalists."""
    winner_codes = {str(e.code): name for name, e in c.winners.items()}
    for code in winner_codes:
        c.quality[code] = 9.0
    finalists: set[str] = set(winner_codes)
    for f_code in c.fields:
        field_winners = [code for code, nm in winner_codes.items() if WINNERS[nm][0] == f_code]
        extra = FINALISTS_PER_FIELD.get(f_code, 2) - len(field_winners)
        for k, code in enumerate(c.top10_codes[f_code]):
            c.quality[code] = (8.3 - 0.2 * k) if k < extra else min(c.quality[code], 7.4 - 0.04 * k)
            if k < extra:
                finalists.add(code)
    by_id = _code_by_id(c)
    for rnd in c.top10.values():
        run_assignment(c.db, actor=SYSTEM, rnd=rnd)
        _score_round(c.db, c.rng, rnd, by_id, c.quality, c.bias, CRITERIA)
        close_round(c.db, actor=SYSTEM, rnd=rnd)
    return finalists


def final(c: ContestDemo, finalists: set[str]) -> None:
    """The final, scored so that the published champion, runners-up and third places win; they are awarded."""
    db, final = c.db, c.the_final
    winner_codes = {str(e.code): name for name, e in c.winners.items()}
    final_quality = {code: 6.8 + 0.9 * c.rng.random() for code in sorted(finalists)}
    tiers = {1: 9.4, 2: 8.95, 3: 8.5}
    ranks = {a.entry_id: a.rank for a in db.scalars(select(Award).where(Award.event_id == c.event.id))}
    for code in winner_codes:
        final_quality[code] = tiers[ranks[c.entry_ids[code]]] - 0.02 * sorted(winner_codes).index(code)
    by_id = _code_by_id(c)
    run_assignment(db, actor=SYSTEM, rnd=final)
    _score_round(db, c.rng, final, by_id, final_quality, c.bias, FINAL_CRITERIA)
    advanced = close_round(db, actor=SYSTEM, rnd=final)
    result = ranking(db, rnd=final)
    if {by_id[i] for i in advanced} != set(winner_codes) or [
        ranks.get(r.entry.id, 0) for r in result.rows()[:6]
    ] != [1, 2, 2, 3, 3, 3]:
        raise RuntimeError(
            "the generated final scores do not reproduce the published awards: "
            + ", ".join(f"{r.entry.code}:{r.normalised:.2f}/{r.raw_mean:.2f}" for r in result.rows()[:8])
            + f" winners {sorted(winner_codes)} advanced {sorted(by_id.get(i, str(i)) for i in advanced)}"
        )
    for entry_id in advanced:
        entry = db.get(ContestEntry, entry_id)
        assert entry is not None
        set_entry_state(db, actor=SYSTEM, entry=entry, to=EntryState.AWARDED.value, note="award")


def open_round(c: ContestDemo) -> None:
    """The open preliminary contest assigned, waiting for scores (the demo judge among its judges)."""
    open_rnd = c.the_open_round
    run_assignment(c.db, actor=SYSTEM, rnd=open_rnd)
    demo_judge = next(j for j in c.judges.values() if j.person_id == c.judge_person)
    mine = c.db.scalar(
        select(ReviewAssignment.id).where(
            ReviewAssignment.round_id == open_rnd.id, ReviewAssignment.judge_id == demo_judge.id
        )
    )
    if mine is None:
        raise RuntimeError("the demo judge got no entry of the open preliminary contest")
    c.db.flush()


def _code_by_id(c: ContestDemo) -> dict[int, str]:
    """The code of each entry with a known quality, by entry id."""
    return {c.entry_ids[code]: code for code in c.quality if code in c.entry_ids}


def _marks(
    rng: random.Random, quality: float, bias: float, criteria: list[dict[str, object]]
) -> dict[str, float]:
    """A judge's marks for an entry of this quality: the judge's leniency plus noise, in half points."""
    out = {}
    for crit in criteria:
        value = quality + bias + rng.gauss(0.0, 0.25)
        out[str(crit["code"])] = min(10.0, max(0.0, round(value * 2) / 2))
    return out


def _score_round(
    db: Session,
    rng: random.Random,
    rnd: ContestRound,
    code_of: dict[int, str],
    quality: dict[str, float],
    bias: dict[int, float],
    criteria: list[dict[str, object]],
) -> None:
    """Every review of the round scored and submitted (locked) on the round's last day, in one insert."""
    at = dt.datetime.combine(rnd.ends_on or dt.date(2024, 1, 1), dt.time(17, 0), tzinfo=dt.UTC)
    weights = criteria_of(rnd)
    reviews = db.execute(
        select(ReviewAssignment.id, ReviewAssignment.entry_id, ReviewAssignment.judge_id)
        .where(ReviewAssignment.round_id == rnd.id)
        .order_by(ReviewAssignment.id)
    ).all()
    rows = []
    for rid, entry_id, judge_id in reviews:
        marks = _marks(rng, quality.get(code_of.get(entry_id, ""), 6.0), bias[judge_id], criteria)
        total = Decimal(str(round(scoring.weighted_total(marks, weights), 2)))
        rows.append({"assignment_id": rid, "values": marks, "total": total, "submitted_at": at, "locked": True})
    db.execute(insert(Score), rows)
