"""The 7th Zhongguancun frontier technology contest in the demo, with its published figures and named winners.

From the source: 3,164 entries from 75 countries and regions, 8 regions, 10 fields (four named: 生物医药,
人工智能, 集成电路, 大数据与云计算), 59 preliminary contests, a TOP10 per field, 22 finalists, an international
share above 40 %, and the champion, runners-up and third places with the support they received (the seed
phase makes those award rows; the activity phase reuses them). Everything else is generated and marked
synthetic: the six other fields, the region names, the entries, the judge pool, the reviews and the scores.

Reviews are stored for the ten field TOP10 rounds and the final (assigned by the optimal assignment and scored
so that the published winners come out on top), and for one preliminary contest left open so that the
assignment can be re-run and the demo judge has entries to score. The other 58 preliminary contests are
stored as structure and as their outcome (entry states), without their reviews, to keep the build fast.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from duijie.contest.demo import awards, entries, judging, structure
from duijie.contest.domain.affinities import entry_texts, judge_texts
from duijie.contest.models import ContestEntry, Judge
from duijie.core.demo_kit import DemoKit
from duijie.events.models import Event


def seed_demo(kit: DemoKit) -> None:
    """The published winners and their awards."""
    awards.seed_awards(kit)


def activity_demo(kit: DemoKit) -> None:
    """The contest's structure, entries, judge pool, reviews and scores. It picks its entrants' names clear of
    every organisation already in the directory, and its entrants stay out of the meetings' sample of
    enterprises, so it runs after the seeds and extensions of every module and after the meetings."""
    c = structure.structure(kit, kit.module_rng("contest"), kit.get(Event, awards.EVENT))
    structure.rounds(c)
    structure.move_winners(c)
    entries.generate(c)
    entries.advance(c)
    entries.entrants(c)
    judging.judge_pool(c)
    judging.conflicts(c)
    judging.final(c, judging.field_rounds(c))
    judging.open_round(c)


def demo_texts(db: Session) -> list[str]:
    """Every text judge assignment compares (entries' titles and descriptions, judges' expertise), each once,
    so that the vectors ship with the demo and its assignment runs count the semantic part without the model."""
    texts: dict[str, None] = {}
    for entry in db.scalars(select(ContestEntry).order_by(ContestEntry.id)):
        texts.update(dict.fromkeys(entry_texts(entry)))
    for judge in db.scalars(select(Judge).order_by(Judge.id)):
        texts.update(dict.fromkeys(judge_texts(judge)))
    return list(texts)
