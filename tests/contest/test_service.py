"""The contest service on the demo: figures, states, conflicts, assignment, re-assignment, scores, rankings."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from duijie.contest import queries
from duijie.contest.domain import (
    awards,
    conflicts,
    entries,
    judges,
    rankings,
    reviews,
    rounds,
    scores,
    structure,
)
from duijie.contest.models import (
    Award,
    Conflict,
    ContestEntry,
    ContestRound,
    Judge,
    ReviewAssignment,
    Score,
)
from duijie.core.auth import Actor, Grant
from duijie.core.errors import DomainError, InvalidTransition, NotFound, PermissionDenied
from duijie.core.models import AuditEntry
from duijie.deals.models import Deal, DealParty
from duijie.directory.accounts import load_actor
from duijie.directory.models import Account, Organisation
from duijie.events.models import Event
from duijie.events.service import get_event

ORGANISER = Actor(account_id=None, username="test", grants=(Grant(role="organiser"),))
SLUG = "frontier-contest-7"


def _event(db: Session) -> Event:
    return get_event(db, slug=SLUG, kind="contest")


def _round(db: Session, name_zh: str) -> ContestRound:
    return db.scalars(select(ContestRound).where(ContestRound.name_zh.like(f"{name_zh}%"))).one()


def _open_round(db: Session) -> ContestRound:
    return _round(db, "北京赛区·人工智能")


def _actor(db: Session, username: str) -> Actor:
    account_id = db.scalar(select(Account.id).where(Account.username == username))
    return load_actor(db, account_id)


def _pairs(db: Session, rnd: ContestRound) -> set[tuple[int, int]]:
    return set(
        db.execute(
            select(ReviewAssignment.entry_id, ReviewAssignment.judge_id).where(
                ReviewAssignment.round_id == rnd.id
            )
        ).all()
    )


MARKS = {"tech": 8.0, "innovation": 8.0, "market": 7.0, "team": 6.5}


def test_demo_figures_equal_the_published_ones(db: Session) -> None:
    ov = queries.overview(db, event=_event(db))
    computed = {f.key: f.computed for f in ov.figures}
    assert computed == {
        "entries": "3164",
        "countries": "75",
        "regions": "8",
        "fields": "10",
        "preliminary_contests": "59",
        "finalists": "22",
        "international_share": "41.4",
    }
    assert [f.ok for f in ov.figures] == [True] * 7
    assert ov.figures[-1].published.qualifier == "超"
    assert ov.international_share > 40
    assert [f.name_zh for f in ov.fields][:4] == ["生物医药", "人工智能", "集成电路", "大数据与云计算"]
    assert {"biomed", "ai", "ic", "bigdata"} & ov.synthetic == set()


def test_final_ranking_reproduces_the_published_awards(db: Session) -> None:
    event = _event(db)
    final = _round(db, "全球总决赛")
    ranking = rankings.ranking(db, rnd=final)
    award_of = {a.entry_id: a for a in db.scalars(select(Award).where(Award.event_id == event.id))}
    top = ranking.rows()[:6]
    assert [award_of[r.entry.id].rank for r in top] == [1, 2, 2, 3, 3, 3]
    assert top[0].entry.organisation.name_zh == "新硅联合半导体有限公司"
    assert award_of[top[0].entry.id].prize_zh == "百万奖金"
    assert all(r.advances for r in top) and not any(r.advances for r in ranking.rows()[6:])
    assert ranking.complete
    assert {r.entry.state for r in top} == {"awarded"}
    assert set(award_of[top[0].entry.id].support) == {"场景需求对接", "投融资", "空间落地", "创业辅导"}


def test_field_top10_rounds_send_22_entries_to_the_final(db: Session) -> None:
    event = _event(db)
    top10 = queries.field_top10(db, event=event)
    assert len(top10) == 10
    assert all(len(rows) == 10 for _rnd, rows in top10)
    assert sum(1 for _rnd, rows in top10 for r in rows if r.advances) == 22


def test_set_entry_state_refuses_a_transition_outside_the_table(db: Session) -> None:
    entry = db.scalars(select(ContestEntry).where(ContestEntry.state == "eliminated").limit(1)).one()
    with pytest.raises(InvalidTransition) as err:
        entries.set_entry_state(db, actor=ORGANISER, entry=entry, to="advanced")
    assert err.value.field == "state"
    assert entry.state == "eliminated"


def test_set_entry_state_records_the_change_in_the_audit_history(db: Session) -> None:
    entry = db.scalars(select(ContestEntry).where(ContestEntry.state == "in_review").limit(1)).one()
    entries.set_entry_state(db, actor=ORGANISER, entry=entry, to="eliminated", note="withdrawn")
    db.flush()
    row = db.scalars(
        select(AuditEntry).where(AuditEntry.entity_type == "contest_entry", AuditEntry.entity_id == entry.id)
    ).all()[-1]
    assert (row.before, row.after, row.note) == ({"state": "in_review"}, {"state": "eliminated"}, "withdrawn")


def test_only_the_organiser_changes_states(db: Session) -> None:
    entry = db.scalars(select(ContestEntry).where(ContestEntry.state == "in_review").limit(1)).one()
    with pytest.raises(PermissionDenied):
        entries.set_entry_state(db, actor=_actor(db, "judge"), entry=entry, to="eliminated")


def test_run_assignment_gives_every_entry_k_judges_and_no_conflicted_pair(db: Session) -> None:
    rnd = _open_round(db)
    entry_ids = {e.id for e in rounds.round_entries(db, rnd=rnd)}
    # A declared conflict on the best-fitting pair must move that entry to another judge.
    entry_id, judge_id = next(iter(_pairs(db, rnd)))
    conflict = Conflict(entry_id=entry_id, judge_id=judge_id, reason="declared: advisor", source="declared")
    db.add(conflict)
    db.flush()
    summary = reviews.run_assignment(db, actor=ORGANISER, rnd=rnd, objective="fair")
    pairs = _pairs(db, rnd)
    assert (entry_id, judge_id) not in pairs
    assert summary.pairs == len(pairs) == 5 * len(entry_ids) == 280
    per_entry = {e: sum(1 for p in pairs if p[0] == e) for e in entry_ids}
    assert set(per_entry.values()) == {5}
    assert summary.load_max <= rnd.max_per_judge
    assert summary.objective == "fair" and summary.upper_bound >= summary.value
    stored = db.scalars(select(ReviewAssignment).where(ReviewAssignment.round_id == rnd.id)).all()
    assert all(
        r.explanation and r.explanation.startswith("匹配度") and "\nAffinity" in r.explanation for r in stored
    )
    run = rounds.last_run(db, rnd=rnd)
    assert run is not None and run.after["pairs"] == 280 and run.note == "fair"


def test_run_assignment_total_objective_is_certified_optimal(db: Session) -> None:
    summary = reviews.run_assignment(db, actor=ORGANISER, rnd=_open_round(db))
    assert summary.exact is True
    assert summary.value == summary.upper_bound
    assert 0 < summary.min_affinity <= summary.mean_affinity <= 1


def test_run_assignment_is_refused_once_scores_are_submitted(db: Session) -> None:
    with pytest.raises(DomainError) as err:
        reviews.run_assignment(db, actor=ORGANISER, rnd=_round(db, "人工智能领域TOP10"))
    assert err.value.field == "round"


def test_infeasible_assignment_names_the_entries(db: Session) -> None:
    rnd = _open_round(db)
    rnd.judges_per_entry = 302
    with pytest.raises(DomainError) as err:
        reviews.run_assignment(db, actor=ORGANISER, rnd=rnd)
    assert err.value.message == "56 entries cannot get enough judges"
    assert len(err.value.details) == 56
    assert err.value.details[0].message.startswith("needs 302 judges but only ")


def test_drop_judge_moves_only_that_judges_reviews(db: Session) -> None:
    rnd = _open_round(db)
    before = _pairs(db, rnd)
    judge_id = sorted(j for _e, j in before)[0]
    mine = {p for p in before if p[1] == judge_id}
    result = reviews.drop_judge(db, actor=ORGANISER, rnd=rnd, judge=db.get(Judge, judge_id))
    after = _pairs(db, rnd)
    assert before - mine <= after
    assert not {p for p in after if p[1] == judge_id}
    assert result.removed == len(mine) == len(result.added)
    assert sorted(e for e, _j, _a in result.added) == sorted(e for e, _j in mine)
    assert db.get(Judge, judge_id).active is False


def test_judge_submits_a_locked_score_and_the_organiser_reopens_it(db: Session) -> None:
    event = _event(db)
    judge_actor = _actor(db, "judge")
    judge = judges.judge_for_actor(db, event=event, actor=judge_actor)
    row = db.scalars(
        select(ReviewAssignment).where(
            ReviewAssignment.round_id == _open_round(db).id, ReviewAssignment.judge_id == judge.id
        )
    ).first()
    score = scores.save_score(db, actor=judge_actor, row=row, marks=MARKS, comment=" 很好 ", submit=True)
    assert (float(score.total), score.locked, score.comment) == (7.45, True, "很好")
    with pytest.raises(DomainError) as err:
        scores.save_score(db, actor=judge_actor, row=row, marks=MARKS, comment=None, submit=True)
    assert err.value.field == "score"
    scores.reopen_score(db, actor=_actor(db, "organiser"), score=score, reason="typo in team mark")
    reopened = db.scalars(
        select(AuditEntry).where(AuditEntry.entity_type == "score", AuditEntry.action == "reopen")
    ).one()
    assert (reopened.entity_id, reopened.note) == (score.id, "typo in team mark")
    again = scores.save_score(
        db, actor=judge_actor, row=row, marks={**MARKS, "team": 8.0}, comment=None, submit=True
    )
    assert float(again.total) == 7.75


def test_another_judge_may_not_score_the_review(db: Session) -> None:
    event = _event(db)
    judge = judges.judge_for_actor(db, event=event, actor=_actor(db, "judge"))
    row = db.scalars(
        select(ReviewAssignment).where(
            ReviewAssignment.round_id == _open_round(db).id, ReviewAssignment.judge_id != judge.id
        )
    ).first()
    with pytest.raises(PermissionDenied):
        scores.save_score(db, actor=_actor(db, "judge"), row=row, marks=MARKS, comment=None, submit=False)


def test_a_mark_out_of_range_names_its_criterion(db: Session) -> None:
    row = db.scalars(select(ReviewAssignment).where(ReviewAssignment.round_id == _open_round(db).id)).first()
    with pytest.raises(DomainError) as err:
        scores.save_score(
            db, actor=ORGANISER, row=row, marks={**MARKS, "tech": 11}, comment=None, submit=False
        )
    assert err.value.field == "tech"
    assert "技术先进性" in err.value.message


def test_every_bad_mark_is_named_at_once_and_marks_go_in_half_points(db: Session) -> None:
    row = db.scalars(select(ReviewAssignment).where(ReviewAssignment.round_id == _open_round(db).id)).first()
    with pytest.raises(DomainError) as err:
        scores.save_score(
            db, actor=ORGANISER, row=row, marks={**MARKS, "tech": 7.3, "team": -1}, comment=None, submit=True
        )
    by_field = {d.field: d.message for d in err.value.details}
    assert set(by_field) == {"tech", "team"}
    assert "7.3" in by_field["tech"] and "半分" in by_field["tech"]
    assert scores.score_of(db, row=row) is None or not scores.score_of(db, row=row).locked
    saved = scores.save_score(
        db, actor=ORGANISER, row=row, marks={**MARKS, "tech": 7.5}, comment=None, submit=False
    )
    assert saved.values["tech"] == 7.5


def test_closing_the_round_advances_the_best_by_its_rule(db: Session) -> None:
    rnd = _open_round(db)
    with pytest.raises(DomainError):
        rankings.close_round(db, actor=ORGANISER, rnd=rnd)
    rows = db.scalars(
        select(ReviewAssignment).where(ReviewAssignment.round_id == rnd.id).order_by(ReviewAssignment.id)
    )
    for k, row in enumerate(rows):
        mark = float(row.entry_id % 11 * 0.5 + 4 + (k % 2) * 0.5)
        marks = dict.fromkeys(MARKS, min(mark, 10.0))
        scores.save_score(db, actor=ORGANISER, row=row, marks=marks, comment=None, submit=True)
    advanced = rankings.close_round(db, actor=ORGANISER, rnd=rnd)
    ranking = rankings.ranking(db, rnd=rnd)
    assert advanced == [r.entry.id for r in ranking.rows()[:3]]
    states = db.execute(
        select(ContestEntry.state, func.count())
        .where(ContestEntry.id.in_([r.entry.id for r in ranking.rows()]))
        .group_by(ContestEntry.state)
    ).all()
    assert dict(states) == {"advanced": 3, "eliminated": 53}
    assert ranking.rows()[0].separated_by is None


def test_detected_conflicts_carry_their_reason(db: Session) -> None:
    event = _event(db)
    reasons = db.scalars(select(Conflict.reason).where(Conflict.source == "detected")).all()
    prefixes = ("same organisation (", "recent employment at ", "the judge invested in the entrant (")
    assert reasons and all(r.startswith(prefixes) for r in reasons)
    assert sum(r.startswith("same organisation (") for r in reasons) == len(reasons) - 3
    assert conflicts.detect_conflicts(db, actor=ORGANISER, event=event, as_of=dt.date(2023, 6, 1)) == 0


def test_declare_conflict_refuses_an_empty_reason_and_a_duplicate(db: Session) -> None:
    event = _event(db)
    entry = db.scalars(select(ContestEntry).where(ContestEntry.state == "eliminated").limit(1)).one()
    judge = db.scalars(select(Judge).limit(1)).one()
    with pytest.raises(DomainError) as err:
        conflicts.declare_conflict(db, actor=ORGANISER, event=event, judge=judge, entry=entry, reason=" ")
    assert err.value.field == "reason"
    conflicts.declare_conflict(
        db, actor=ORGANISER, event=event, judge=judge, entry=entry, reason="former colleague"
    )
    with pytest.raises(DomainError):
        conflicts.declare_conflict(db, actor=ORGANISER, event=event, judge=judge, entry=entry, reason="again")


def test_another_edition_sees_nothing_of_this_one(db: Session) -> None:
    other = Event(
        slug="frontier-contest-8",
        kind="contest",
        name_zh="第八届",
        starts_on=dt.date(2025, 3, 1),
        ends_on=dt.date(2025, 4, 1),
    )
    db.add(other)
    db.flush()
    rnd = ContestRound(event_id=other.id, kind="final", name_zh="总决赛", criteria=[], advance_count=1)
    db.add(rnd)
    db.flush()
    assert rounds.round_entries(db, rnd=rnd) == []
    assert queries.awards(db, event=other) == []
    assert queries.overview(db, event=other).figures[0].computed == "0"
    with pytest.raises(NotFound):
        rounds.get_round(db, event=other, id=_open_round(db).id)
    with pytest.raises(DomainError):
        reviews.run_assignment(db, actor=ORGANISER, rnd=rnd)


def test_award_support_keeps_the_four_kinds_in_order(db: Session) -> None:
    award = db.scalars(select(Award).order_by(Award.rank).limit(1)).one()
    awards.set_award_support(db, actor=ORGANISER, award=award, support=["创业辅导", "投融资"])
    assert award.support == ["投融资", "创业辅导"]
    with pytest.raises(DomainError) as err:
        awards.set_award_support(db, actor=ORGANISER, award=award, support=["免费午餐"])
    assert err.value.field == "support"


def test_criteria_rows_keep_their_codes_skip_empty_rows_and_name_the_bad_one(db: Session) -> None:
    rows = [
        {"code": "tech", "name_zh": "技术", "name_en": "Tech", "weight": "60"},
        {"code": "", "name_zh": "", "name_en": "", "weight": ""},
        {"code": "", "name_zh": "团队", "name_en": "", "weight": "40"},
    ]
    assert rounds.criteria_from_rows(rows) == [
        {"code": "tech", "name_zh": "技术", "name_en": "Tech", "weight": 60.0},
        {"code": "c3", "name_zh": "团队", "name_en": None, "weight": 40.0},
    ]
    with pytest.raises(DomainError) as err:
        rounds.criteria_from_rows([{"name_zh": "技术", "weight": "zero"}])
    assert err.value.field == "criteria" and ("1" in err.value.message)


def test_scores_are_stored_once_per_review(db: Session) -> None:
    total = db.scalar(select(func.count(Score.id)))
    distinct = db.scalar(select(func.count(func.distinct(Score.assignment_id))))
    assert total == distinct == 1698


def test_an_investment_by_the_judges_organisation_is_a_conflict(db: Session) -> None:
    event = _event(db)
    entry = db.scalars(
        select(ContestEntry).where(ContestEntry.code.like("FC7-W%")).order_by(ContestEntry.code)
    ).first()
    judge = db.scalars(select(Judge).where(Judge.organisation_id.is_(None)).order_by(Judge.id)).first()
    fund = Organisation(slug="test-fund", kind="investor", name_zh="测试创投基金")
    db.add(fund)
    db.flush()
    judge.organisation_id = fund.id
    deal = Deal(title_zh="测试投资", stage="signed", signed_on=dt.date(2022, 9, 1))
    deal.parties = [
        DealParty(organisation_id=entry.organisation_id, role="enterprise"),
        DealParty(organisation_id=fund.id, role="investor"),
    ]
    db.add(deal)
    db.flush()
    assert conflicts.detect_conflicts(db, actor=ORGANISER, event=event, as_of=dt.date(2023, 6, 1)) == 1
    found = db.scalars(
        select(Conflict).where(Conflict.judge_id == judge.id, Conflict.entry_id == entry.id)
    ).one()
    assert found.reason == "the judge's organisation 测试创投基金 invested in the entrant"


def test_demo_ties_give_employment_and_investment_conflicts_with_reasons(db: Session) -> None:
    reasons = {
        reason
        for (reason,) in db.execute(
            select(Conflict.reason).where(
                Conflict.reason.like("recent employment at %")
                | Conflict.reason.like("the judge invested in %")
            )
        )
    }
    assert len(reasons) == 3
    assert sum(r.startswith("recent employment at ") for r in reasons) == 2
    old = db.scalars(select(Judge).where(Judge.ties.is_not(None))).all()
    ended = next(j for j in old if j.ties and j.ties[0]["end"] == "2016-06-30")
    assert db.scalar(select(func.count(Conflict.id)).where(Conflict.judge_id == ended.id)) == 0


def test_a_co_investment_in_the_same_company_is_a_conflict(db: Session) -> None:
    event = _event(db)
    entry = db.scalars(
        select(ContestEntry).where(ContestEntry.code.like("FC7-W%")).order_by(ContestEntry.code)
    ).first()
    judge = db.scalars(select(Judge).where(Judge.organisation_id.is_(None)).order_by(Judge.id)).first()
    target = Organisation(slug="test-portfolio", kind="enterprise", name_zh="测试被投企业")
    db.add(target)
    db.flush()
    deal = Deal(title_zh="测试跟投", stage="signed", signed_on=dt.date(2022, 3, 1))
    deal.parties = [
        DealParty(organisation_id=target.id, role="enterprise"),
        DealParty(organisation_id=entry.organisation_id, role="investor"),
    ]
    db.add(deal)
    judges.set_judge_ties(
        db,
        actor=ORGANISER,
        judge=judge,
        ties=[{"kind": "investment", "organisation": "测试被投企业", "start": "2021-05-01", "end": None}],
    )
    assert conflicts.detect_conflicts(db, actor=ORGANISER, event=event, as_of=dt.date(2023, 6, 1)) == 1
    found = db.scalars(
        select(Conflict).where(Conflict.judge_id == judge.id, Conflict.entry_id == entry.id)
    ).one()
    assert found.reason == "recent co-investment in 测试被投企业"


def test_ties_are_parsed_checked_and_audited(db: Session) -> None:
    judge = db.scalars(select(Judge).order_by(Judge.id)).first()
    assert judges.parse_ties("任职 | 清华大学 | 2020-01-01 |\ninvestment | 某基金 | | 2022-12-31") == [
        {"kind": "employment", "organisation": "清华大学", "start": "2020-01-01", "end": None},
        {"kind": "investment", "organisation": "某基金", "start": None, "end": "2022-12-31"},
    ]
    for text in (
        "advice | 清华大学 | 2020-01-01 |",
        "employment |  | 2020-01-01 |",
        "employment | 甲 | 2020-13-01 |",
        "employment | 甲 | 2021-01-01 | 2020-01-01",
    ):
        with pytest.raises(DomainError) as err:
            judges.parse_ties(text)
        assert err.value.field == "ties"
    judges.set_judge_ties(
        db,
        actor=ORGANISER,
        judge=judge,
        ties=judges.parse_ties("employment | 清华大学 | 2020-01-01 |"),
    )
    assert judges.ties_text(judge) == "employment | 清华大学 | 2020-01-01 | "
    entry = db.scalars(
        select(AuditEntry).where(AuditEntry.entity_type == "judge", AuditEntry.entity_id == judge.id)
    ).one()
    assert entry.action == "ties"
    with pytest.raises(PermissionDenied):
        judges.set_judge_ties(db, actor=_actor(db, "judge"), judge=judge, ties=[])


def test_structure_is_created_and_duplicates_or_bad_scopes_are_refused(db: Session) -> None:
    event = _event(db)
    region = structure.save_region(
        db, actor=ORGANISER, event=event, code="xa", name_zh="雄安赛区", name_en=""
    )
    assert region.name_en is None
    with pytest.raises(DomainError) as err:
        structure.save_region(db, actor=ORGANISER, event=event, code="xa", name_zh="又一个", name_en=None)
    assert err.value.field == "code"
    top = structure.save_field(
        db, actor=ORGANISER, event=event, code="deep-sea", name_zh="深海", name_en="Space"
    )
    sub = structure.save_field(
        db,
        actor=ORGANISER,
        event=event,
        code="space-sat",
        name_zh="卫星互联网",
        name_en=None,
        parent_id=top.id,
    )
    with pytest.raises(DomainError) as err:
        structure.save_field(
            db,
            actor=ORGANISER,
            event=event,
            code="deep-sea-x",
            name_zh="二级",
            name_en=None,
            parent_id=sub.id,
        )
    assert err.value.field == "parent_id"
    values = {
        "kind": "final", "name_zh": "总决赛（测试）", "field_id": top.id, "region_id": None, "sequence": 9,
        "judges_per_entry": 5, "max_per_judge": 20, "advance_count": 3,
        "criteria": [{"name_zh": "技术", "weight": "1"}],
    }  # fmt: skip
    with pytest.raises(DomainError) as err:
        rounds.save_round(db, actor=ORGANISER, event=event, values=values)
    assert err.value.field == "field_id"
    rnd = rounds.save_round(db, actor=ORGANISER, event=event, values={**values, "field_id": None})
    assert (rnd.kind, rnd.criteria[0]["weight"]) == ("final", 1.0)
    with pytest.raises(DomainError) as err:
        rounds.save_round(db, actor=ORGANISER, event=event, values={**values, "field_id": None})
    assert err.value.field == "name_zh"
    opened = _open_round(db)
    changed = {**_round_values(opened), "kind": "final", "field_id": None, "region_id": None}
    with pytest.raises(DomainError) as err:
        rounds.save_round(db, actor=ORGANISER, event=event, values=changed, rnd=opened)
    assert err.value.field == "kind"
    with pytest.raises(PermissionDenied):
        structure.save_region(db, actor=_actor(db, "judge"), event=event, code="q", name_zh="q", name_en=None)


def _round_values(rnd: ContestRound) -> dict[str, object]:
    """A round's current values in the form save_round takes."""
    return {
        "kind": rnd.kind, "name_zh": rnd.name_zh, "name_en": rnd.name_en, "field_id": rnd.field_id,
        "region_id": rnd.region_id, "sequence": rnd.sequence, "starts_on": rnd.starts_on, "ends_on": rnd.ends_on,
        "judges_per_entry": rnd.judges_per_entry, "max_per_judge": rnd.max_per_judge,
        "advance_count": rnd.advance_count, "same_country_rule": rnd.same_country_rule, "criteria": rnd.criteria,
    }  # fmt: skip
