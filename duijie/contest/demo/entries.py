"""The contest's generated entries: 3,164 with the named winners, spread over the regions and their
preliminary contests; the best of each field reach its TOP10 round, one preliminary contest stays open, and
the entrants of both are named (sample) companies and a few institutes."""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import insert, select

from duijie.contest.demo.data import (
    FIELDS,
    INSTITUTES,
    OPEN_ROUND,
    REGIONS,
    SECOND,
    TOP10_ROUND_SIZE,
    WINNERS,
)
from duijie.contest.demo.structure import ContestDemo, source_figure
from duijie.contest.enums import EntryState
from duijie.contest.models import ContestEntry, ContestRound
from duijie.core.db import SYNTHETIC
from duijie.core.demo_kit import names as N
from duijie.directory.models import Organisation


def generate(c: ContestDemo) -> None:
    """Every region's entries, domestic ones first, then those of its countries abroad."""
    rng = c.rng
    rounds_of: dict[str, list[ContestRound]] = {}
    for rnd in c.prelims:
        r_code = next(code for code, reg in c.regions.items() if reg.id == rnd.region_id)
        rounds_of.setdefault(r_code, []).append(rnd)
    field_spec = {code: (terms, products) for code, _zh, _en, _n, terms, products in FIELDS}
    code_of_field = {f.id: code for code, f in c.fields.items()}

    def make(r_code: str, country: str) -> None:
        """Generate one entry of a region, in one of its preliminary contests."""
        rnd = rng.choice(rounds_of[r_code])
        assert rnd.field_id is not None
        f_code = code_of_field[rnd.field_id]
        terms, products = field_spec[f_code]
        (t1, t1e), (t2, t2e) = rng.sample(terms, 2)
        prod, prod_e = rng.choice(products)
        code = f"FC7-{len(c.rows) + 1:04d}"
        c.quality[code] = rng.gauss(6.2, 0.9)
        c.rows.append(
            {
                "event_id": c.event.id,
                "code": code,
                "title_zh": f"基于{t1}的{t2}{prod}",
                "title_en": f"{t2e} {prod_e} based on {t1e}",
                "description": f"项目融合{t1}与{t2}技术，研发{prod}，面向{c.fields[f_code].name_zh}领域的产业化应用。",
                "country": country,
                "field_id": rnd.field_id,
                "region_id": rnd.region_id,
                "trl": rng.randint(3, 8),
                "attachments": [
                    {"name": "商业计划书.pdf", "kind": "business_plan", "pages": rng.randint(12, 40)}
                ],
                "state": EntryState.ELIMINATED.value,
                "submitted_at": dt.datetime(2023, 3, 1, tzinfo=dt.UTC)
                + dt.timedelta(minutes=rng.randrange(60 * 24 * 75)),
                "provenance": SYNTHETIC,
            }
        )

    for r_code, _zh, _en, domestic, countries, abroad in REGIONS:
        domestic -= sum(1 for f, r in WINNERS.values() if r == r_code)
        for _ in range(domestic):
            make(r_code, "CN")
        if countries:
            weights = [1.0 / (k + 1) ** 0.9 for k in range(len(countries))]
            picks = list(countries) + rng.choices(countries, weights=weights, k=abroad - len(countries))
            for country in picks:
                make(r_code, country)
    assert len(c.rows) + len(WINNERS) == source_figure(c.event, "entries")
    c.open_round = next(r for r in rounds_of[OPEN_ROUND[0]] if r.field_id == c.fields[OPEN_ROUND[1]].id)


def advance(c: ContestDemo) -> None:
    """Who reaches the field TOP10 round (the best of each field; the named winners among them, on top), and
    the open preliminary contest's entries, eligible and waiting."""
    by_field: dict[object, list[dict[str, object]]] = {}
    for row in c.rows:
        by_field.setdefault(row["field_id"], []).append(row)
    for f_code, f in c.fields.items():
        n_winners = sum(1 for fc, _r in WINNERS.values() if fc == f_code)
        best = sorted(by_field[f.id], key=lambda r: -c.quality[str(r["code"])])[: TOP10_ROUND_SIZE - n_winners]
        for row in best:
            row["state"] = EntryState.ADVANCED.value
        c.top10_codes[f_code] = [str(r["code"]) for r in best]
    open_rnd = c.the_open_round
    for row in c.rows:
        if (
            row["region_id"] == open_rnd.region_id
            and row["field_id"] == open_rnd.field_id
            and row["state"] != EntryState.ADVANCED.value
        ):
            row["state"] = EntryState.ELIGIBLE.value
    open_rnd.name_zh += "（进行中）"
    open_rnd.name_en = f"{open_rnd.name_en} (in progress)"
    open_rnd.starts_on, open_rnd.ends_on = dt.date(2023, 7, 1), dt.date(2023, 7, 2)


def entrants(c: ContestDemo) -> None:
    """Entrants of the TOP10 round and of the open contest are named (sample) organisations, a few of them
    institutes; then every entry is written, in one insert."""
    db = c.db
    c.institutes = [
        Organisation(slug=slug, kind=kind, name_zh=zh, name_en=en, provenance=SYNTHETIC, industries=[])
        for slug, zh, en, kind in INSTITUTES
    ]
    db.add_all(c.institutes)
    db.flush()
    named = [r for r in c.rows if r["state"] in (EntryState.ADVANCED.value, EntryState.ELIGIBLE.value)]
    used: set[str] = set(db.scalars(select(Organisation.name_zh)))
    code_of_field = {f.id: code for code, f in c.fields.items()}
    org_rows = []
    for k, row in enumerate(named):
        f_code = code_of_field[row["field_id"]]  # type: ignore[index]
        industry = next(zh for code, zh, *_ in FIELDS if code == f_code)
        zh, en = _company_name(c.rng, industry, used)
        if row["country"] != "CN":
            zh = f"{zh.removesuffix('有限公司')}（{row['country']}）"
        org_rows.append({"slug": f"contest7-entrant-{k + 1:03d}", "kind": "enterprise", "name_zh": zh,
                         "name_en": en, "country": row["country"], "industries": [industry],
                         "provenance": SYNTHETIC})  # fmt: skip
    db.execute(insert(Organisation), org_rows)
    org_ids = dict(
        db.execute(
            select(Organisation.slug, Organisation.id).where(Organisation.slug.like("contest7-entrant-%"))
        ).all()
    )
    for k, row in enumerate(named):
        row["organisation_id"] = org_ids[f"contest7-entrant-{k + 1:03d}"]
        if k % 23 == 5:
            row["organisation_id"] = c.institutes[k % len(c.institutes)].id
    for row in c.rows:
        row.setdefault("organisation_id", None)
    db.execute(insert(ContestEntry), c.rows)
    c.kit.summary.organisations += len(org_rows) + len(c.institutes)
    c.entrant_names = [str(r["name_zh"]) for r in org_rows]
    c.entry_ids = dict(
        db.execute(select(ContestEntry.code, ContestEntry.id).where(ContestEntry.event_id == c.event.id)).all()
    )


def _company_name(rng: random.Random, industry: str, used: set[str]) -> tuple[str, str]:
    """An unused synthetic company name: a stem, a second syllable and the trade of the industry."""
    trade_zh, trade_en = N.INDUSTRY_TRADE.get(industry, ("科技", "Technology"))
    while True:
        k = rng.randrange(len(N.NAME_STEMS))
        s = rng.randrange(len(SECOND))
        zh = f"{N.NAME_STEMS[k]}{SECOND[s][0]}{trade_zh}有限公司"
        if zh not in used:
            used.add(zh)
            return zh, f"{N.NAME_STEMS_EN[k]}{SECOND[s][1]} {trade_en} Co., Ltd."
