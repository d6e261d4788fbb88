"""Contest pages and API: public figures and winners, organiser pages, the judge's queue and scoring form."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from duijie.contest.models import Award, ContestField, ContestRound, Judge, ReviewAssignment
from duijie.core.jobs import run_queued
from duijie.core.models import AuditEntry
from tests.conftest import StatementCounter, csrf_of, in_english, login

BASE = "/contests/frontier-contest-7"


def _open_round(db: Session) -> ContestRound:
    return db.scalars(select(ContestRound).where(ContestRound.name_zh.like("北京赛区·人工智能%"))).one()


def _my_review(client: TestClient) -> int:
    page = client.get(f"{BASE}/review")
    return int(page.text.split(f'href="{BASE}/review/', 1)[1].split('"', 1)[0])


def test_public_page_shows_the_published_figures_and_the_finalists(client: TestClient) -> None:
    page = client.get(BASE)
    assert page.status_code == 200
    for key, value in (
        ("entries", "3164"),
        ("countries", "75"),
        ("preliminary_contests", "59"),
        ("finalists", "22"),
    ):
        assert f'data-testid="computed-{key}">{value}</td>' in page.text
    assert 'data-testid="computed-international_share">41.4%</td>' in page.text
    assert page.text.count("入围总决赛") == 16
    assert "新硅联合半导体有限公司" in page.text


def test_winners_page_lists_places_and_support_in_english(client: TestClient) -> None:
    with in_english(client):
        page = client.get(f"{BASE}/winners")
    assert page.status_code == 200
    assert page.text.count('class="card winner rank-') == 6
    assert page.text.count('data-rank="1"') == 1 and page.text.count('data-rank="3"') == 3
    assert "prize of one million yuan" in page.text
    assert page.text.count("✓ Start-up mentoring") == 6
    assert "TOP10 of each field" in page.text


def test_organiser_pages_ask_for_login_and_refuse_a_judge(client: TestClient) -> None:
    response = client.get(f"{BASE}/manage", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/contests/frontier-contest-7/manage"
    login(client, "judge", "judge-demo")
    assert client.get(f"{BASE}/manage").status_code == 403
    assert client.get(f"{BASE}/conflicts").status_code == 403


def test_organiser_runs_the_assignment_and_sees_its_certificate(
    client: TestClient, db: Session, session_factory: sessionmaker[Session]
) -> None:
    rnd = _open_round(db)
    login(client, "organiser", "organiser-demo")
    token = csrf_of(client, f"{BASE}/rounds/{rnd.id}")
    response = client.post(
        f"{BASE}/rounds/{rnd.id}/assign",
        data={"csrf": token, "objective": "fair", "min_per_judge": "0"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert len(run_queued(session_factory)) == 1
    page = client.get(response.headers["location"])
    assert "评委分配已完成并保存" in page.text
    assert "匹配度最低的项目尽可能高" in page.text
    assert 'data-testid="certificate"' in page.text
    assert 'data-testid="round-entries">56<' in page.text


def test_the_round_page_edits_criteria_as_rows_and_shows_a_bad_one_beside_them(
    client: TestClient, db: Session
) -> None:
    rnd = _open_round(db)
    login(client, "organiser", "organiser-demo")
    page = client.get(f"{BASE}/rounds/{rnd.id}")
    first = rnd.criteria[0]
    assert f'name="c0_code" value="{first["code"]}"' in page.text
    assert f'name="c0_name_zh" value="{first["name_zh"]}"' in page.text
    assert f'name="c0_weight" value="{first["weight"]:g}"' in page.text
    token = csrf_of(client, f"{BASE}/rounds/{rnd.id}")
    form = {"csrf": token, "judges_per_entry": "5", "max_per_judge": "30"}
    form |= {
        f"c{i}_{k}": str(c.get(k) or "")
        for i, c in enumerate(rnd.criteria)
        for k in ("code", "name_zh", "name_en")
    }
    form |= {f"c{i}_weight": f"{c['weight']:g}" for i, c in enumerate(rnd.criteria)}
    response = client.post(f"{BASE}/rounds/{rnd.id}", data={**form, "c1_weight": "0"})
    assert response.status_code == 422
    assert "第 2 项指标：权重须为正数。" in response.text
    assert 'value="0"' in response.text and f'value="{first["name_zh"]}"' in response.text
    db.refresh(rnd)
    assert rnd.criteria[1]["weight"] > 0
    saved = client.post(
        f"{BASE}/rounds/{rnd.id}",
        data={
            **form,
            "c0_weight": "35",
            f"c{len(rnd.criteria)}_name_zh": "社会效益",
            f"c{len(rnd.criteria)}_weight": "5",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303
    codes = [c["code"] for c in rnd.criteria]
    db.refresh(rnd)
    assert [c["code"] for c in rnd.criteria[:-1]] == codes
    assert rnd.criteria[0]["weight"] == 35.0 and rnd.criteria[-1]["name_zh"] == "社会效益"


def test_judge_scores_on_the_form_and_the_score_locks(client: TestClient, db: Session) -> None:
    login(client, "judge", "judge-demo")
    queue = client.get(f"{BASE}/review")
    waiting = re.search(r"有 (\d+) 个项目待您评分", queue.text)
    assert waiting is not None and int(waiting.group(1)) > 1
    pending = int(waiting.group(1))
    review = _my_review(client)
    form = f"{BASE}/review/{review}"
    token = csrf_of(client, form)
    marks = {"mark_tech": "9", "mark_innovation": "8", "mark_market": "8", "mark_team": "7"}
    bad = client.post(form, data={"csrf": token, **marks, "mark_team": "12", "action": "submit"})
    assert bad.status_code == 422
    assert "团队：请给出 0 至 10 分。" in bad.text
    both = client.post(
        form, data={"csrf": token, **marks, "mark_tech": "7.3", "mark_team": "x", "action": "submit"}
    )
    assert both.status_code == 422
    assert (
        "技术先进性：评分以半分为单位（如 7 或 7.5，不能是 7.3）。" in both.text
        and "团队：请给出 0 至 10 分。" in both.text
    )
    done = client.post(
        form, data={"csrf": token, **marks, "comment": "扎实", "action": "submit"}, follow_redirects=False
    )
    assert done.status_code == 303
    assert f"有 {pending - 1} 个项目待您评分" in client.get(f"{BASE}/review").text
    locked = client.get(form)
    assert 'data-testid="locked-score"' in locked.text and "8.10" in locked.text
    again = client.post(form, data={"csrf": token, **marks, "action": "submit"})
    assert again.status_code == 422
    assert "该评分已提交并锁定" in again.text
    db.expire_all()
    assert db.scalars(
        select(AuditEntry).where(AuditEntry.entity_type == "score", AuditEntry.action == "submit")
    ).first()


def test_a_judge_cannot_open_another_judges_review(client: TestClient, db: Session) -> None:
    login(client, "judge", "judge-demo")
    mine = _my_review(client)
    judge_id = db.get(ReviewAssignment, mine).judge_id
    other = db.scalars(
        select(ReviewAssignment.id).where(
            ReviewAssignment.round_id == _open_round(db).id, ReviewAssignment.judge_id != judge_id
        )
    ).first()
    assert client.get(f"{BASE}/review/{other}").status_code == 404


def test_organiser_reopens_a_score_with_a_reason(client: TestClient, db: Session) -> None:
    final = db.scalars(select(ContestRound).where(ContestRound.kind == "final")).one()
    login(client, "organiser", "organiser-demo")
    page = client.get(f"{BASE}/rounds/{final.id}/reviews")
    score_id = int(page.text.split(f'action="{BASE}/scores/', 1)[1].split("/", 1)[0])
    token = csrf_of(client, f"{BASE}/rounds/{final.id}/reviews")
    response = client.post(
        f"{BASE}/scores/{score_id}/reopen",
        data={"csrf": token, "reason": "纸质评分表录入有误"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    db.expire_all()
    entry = db.scalars(
        select(AuditEntry).where(AuditEntry.entity_type == "score", AuditEntry.action == "reopen")
    ).one()
    assert (entry.entity_id, entry.note) == (score_id, "纸质评分表录入有误")


def test_ranking_shows_raw_and_normalised_with_the_tie_break(client: TestClient, db: Session) -> None:
    final = db.scalars(select(ContestRound).where(ContestRound.kind == "final")).one()
    login(client, "organiser", "organiser-demo")
    with in_english(client):
        page = client.get(f"{BASE}/rounds/{final.id}/ranking")
    assert page.status_code == 200
    assert page.text.count("<tr data-entry=") == 22
    assert page.text.count(">awarded</span>") == 6
    assert "Raw mean" in page.text and "Normalised score" in page.text
    assert "198 of 198 scores submitted" in page.text


def test_conflict_declared_on_the_page_is_listed_with_its_reason(client: TestClient) -> None:
    login(client, "organiser", "organiser-demo")
    token = csrf_of(client, f"{BASE}/conflicts")
    bad = client.post(
        f"{BASE}/conflicts", data={"csrf": token, "judge": "1", "entry": "FC7-9999", "reason": "x"}
    )
    assert bad.status_code == 422 and "本届大赛没有该编号的项目。" in bad.text
    ok = client.post(
        f"{BASE}/conflicts",
        data={"csrf": token, "judge": "1", "entry": "FC7-0001", "reason": "曾共同创业"},
        follow_redirects=False,
    )
    assert ok.status_code == 303
    assert (
        "declared: 曾共同创业" in client.get(f"{BASE}/conflicts?page=1").text
        or "曾共同创业" in client.get(f"{BASE}/conflicts?page=2").text
    )


def test_list_pages_take_a_fixed_number_of_queries(
    client: TestClient, db: Session, count_statements: StatementCounter
) -> None:
    final = db.scalars(select(ContestRound).where(ContestRound.kind == "final")).one()
    login(client, "organiser", "organiser-demo")
    for path in (f"{BASE}/rounds/{final.id}/reviews", f"{BASE}/conflicts", f"{BASE}/manage", BASE):
        with count_statements:
            assert client.get(path).status_code == 200
        # A constant bound: the session check, the actor, the page's own reads, whatever the number of rows.
        assert count_statements.count <= 17, (path, count_statements.count)


def test_api_returns_figures_winners_and_refuses_an_anonymous_ranking(
    client: TestClient, db: Session
) -> None:
    data = client.get("/api/v1/contests/frontier-contest-7").json()
    assert {f["key"]: f["computed"] for f in data["figures"]}["entries"] == "3164"
    assert data["international_share_percent"] == 41.4
    winners = client.get("/api/v1/contests/frontier-contest-7/winners").json()
    assert [w["rank"] for w in winners] == [1, 2, 2, 3, 3, 3]
    assert winners[0]["entrant"] == "新硅联合半导体有限公司"
    final = db.scalars(select(ContestRound).where(ContestRound.kind == "final")).one()
    refused = client.get(f"/api/v1/contests/frontier-contest-7/rounds/{final.id}/ranking")
    assert refused.status_code == 401
    assert refused.json()["error"]["status"] == 401


def test_api_score_by_the_judge_and_the_error_names_the_criterion(client: TestClient) -> None:
    login(client, "judge", "judge-demo")
    review = _my_review(client)
    url = f"/api/v1/contests/frontier-contest-7/reviews/{review}/score"
    bad = client.put(url, json={"marks": {"tech": 8, "innovation": 8, "market": 8}, "submit": True})
    assert bad.status_code == 422
    assert bad.json()["error"]["details"][0]["field"] == "team"
    ok = client.put(
        url, json={"marks": {"tech": 8, "innovation": 8, "market": 8, "team": 8}, "submit": False}
    )
    assert ok.json() == {
        "assignment_id": review,
        "values": {"tech": 8.0, "innovation": 8.0, "market": 8.0, "team": 8.0},
        "total": 8.0,
        "locked": False,
    }


def test_organiser_records_the_support_a_winner_received(client: TestClient, db: Session) -> None:
    award = db.scalars(select(Award).where(Award.rank == 1)).one()
    login(client, "organiser", "organiser-demo")
    page = client.get(f"{BASE}/winners")
    assert page.text.count('data-testid="support-form"') == 6
    token = csrf_of(client, f"{BASE}/winners")
    response = client.post(
        f"{BASE}/awards/{award.id}/support",
        data={"csrf": token, "support": ["创业辅导", "投融资"]},
        follow_redirects=False,
    )
    assert response.status_code == 303
    db.expire_all()
    assert db.get(Award, award.id).support == ["投融资", "创业辅导"]
    assert 'data-testid="support-form"' not in TestClient(client.app).get(f"{BASE}/winners").text


def test_organiser_edits_a_judges_ties_and_a_bad_date_is_shown_next_to_the_field(
    client: TestClient, db: Session
) -> None:
    login(client, "organiser", "organiser-demo")
    page = client.get(f"{BASE}/conflicts")
    assert "任职与投资经历" in page.text and page.text.count('href="?judge=') == 4
    token = csrf_of(client, f"{BASE}/conflicts")
    bad = client.post(
        f"{BASE}/judges/ties",
        data={"csrf": token, "tie_judge": "1", "ties": "employment | 甲公司 | 2020/01/01 |"},
    )
    assert bad.status_code == 422 and "第 1 条：日期请按 YYYY-MM-DD 格式填写。" in bad.text
    assert "employment | 甲公司 | 2020/01/01 |" in bad.text
    ok = client.post(
        f"{BASE}/judges/ties",
        data={"csrf": token, "tie_judge": "1", "ties": "投资 | 甲公司 | 2022-01-01 |"},
        follow_redirects=False,
    )
    assert ok.status_code == 303 and ok.headers["location"] == f"{BASE}/conflicts?judge=1#ties"
    assert db.get(Judge, 1).ties == [
        {"kind": "investment", "organisation": "甲公司", "start": "2022-01-01", "end": None}
    ]
    with in_english(client):
        edit = client.get(f"{BASE}/conflicts?judge=1")
    assert "investment | 甲公司 | 2022-01-01 | </textarea>" in edit.text
    assert "Employment and investment history" in edit.text


def test_organiser_adds_a_sub_track_a_region_and_a_round_from_the_manage_page(
    client: TestClient, db: Session
) -> None:
    login(client, "organiser", "organiser-demo")
    page = client.get(f"{BASE}/manage")
    assert page.status_code == 200 and "新增领域或子赛道" in page.text and "新增轮次" in page.text
    token = csrf_of(client, f"{BASE}/manage")
    ai = db.scalars(select(ContestField).where(ContestField.code == "ai")).one()
    dup = client.post(
        f"{BASE}/fields",
        data={"csrf": token, "code": "ai", "name_zh": "重复", "name_en": "", "parent_id": ""},
    )
    assert dup.status_code == 422 and "已有其他领域使用代码 ai。" in dup.text
    ok = client.post(
        f"{BASE}/fields",
        data={
            "csrf": token,
            "code": "ai-agent",
            "name_zh": "智能体",
            "name_en": "Agents",
            "parent_id": str(ai.id),
        },
        follow_redirects=False,
    )
    assert ok.status_code == 303
    sub = db.scalars(select(ContestField).where(ContestField.code == "ai-agent")).one()
    assert (sub.parent_id, sub.name_en) == (ai.id, "Agents")
    region = client.post(
        f"{BASE}/regions",
        data={"csrf": token, "code": "xa", "name_zh": "雄安赛区", "name_en": "Xiong'an"},
        follow_redirects=False,
    )
    assert region.status_code == 303
    form = {
        "csrf": token, "kind": "preliminary", "name_zh": "雄安赛区·智能体", "name_en": "", "field_id": str(sub.id),
        "region_id": "", "sequence": "1", "starts_on": "2023-05-01", "ends_on": "2023-05-20",
        "advance_count": "3", "judges_per_entry": "3", "max_per_judge": "10",
        "c0_name_zh": "技术先进性", "c0_name_en": "Technology", "c0_weight": "60",
        "c1_name_zh": "团队", "c1_name_en": "Team", "c1_weight": "0",
    }  # fmt: skip
    bad = client.post(f"{BASE}/rounds", data=form)
    assert (
        bad.status_code == 422
        and "第 2 项指标：权重须为正数。" in bad.text
        and 'value="技术先进性"' in bad.text
    )
    made = client.post(f"{BASE}/rounds", data={**form, "c1_weight": "40"}, follow_redirects=False)
    assert made.status_code == 303
    rnd = db.scalars(select(ContestRound).where(ContestRound.name_zh == "雄安赛区·智能体")).one()
    assert rnd.criteria == [
        {"code": "c1", "name_zh": "技术先进性", "name_en": "Technology", "weight": 60.0},
        {"code": "c2", "name_zh": "团队", "name_en": "Team", "weight": 40.0},
    ]
    assert made.headers["location"] == f"{BASE}/rounds/{rnd.id}?notice=saved"
    with in_english(client):
        edit = client.get(f"{BASE}/manage?round={rnd.id}")
    assert "Edit the round" in edit.text and 'value="Technology"' in edit.text
