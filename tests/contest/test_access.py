"""Who sees what in a contest: a review's page and score only for its judge (the F3 leak: the score form posted
without marks used to show the entry and a locked score to anyone), and nothing of a second edition in the
first one's pages, API or rankings."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from duijie.contest.models import ContestEntry, ContestRound, Judge, ReviewAssignment, Score
from duijie.directory.models import Account
from duijie.events.models import Event
from tests import factories
from tests.conftest import login
from tests.contest import factories as cf


@dataclass
class Edition:
    """A small contest: one field, one round, two entries, two judges who reviewed both, locked scores."""

    event: Event
    rnd: ContestRound
    entries: list[ContestEntry]
    judges: list[tuple[Judge, Account]]
    reviews: list[ReviewAssignment]


def _edition(db: Session, tag: str) -> Edition:
    event = cf.contest(db, name_zh=f"{tag}届测试大赛")
    field = cf.contest_field(db, event=event)
    rnd = cf.contest_round(db, event=event, field=field, name_zh=f"{tag}届初赛")
    entries = [
        cf.entry(
            db,
            event=event,
            field=field,
            state="in_review",
            title_zh=f"{tag}届项目{i}号",
            organisation=factories.organisation(db, name_zh=f"{tag}届参赛企业{i}"),
        )
        for i in (1, 2)
    ]
    judges = [cf.judge(db, event=event) for _ in range(2)]
    reviews = []
    for e in entries:
        for j, _login in judges:
            row = cf.review(db, rnd=rnd, judge=j, entry=e)
            cf.score(db, row=row, marks={"tech": 7.5, "team": 7.5}, comment=f"{tag}届评语{row.id}")
            reviews.append(row)
    return Edition(event, rnd, entries, judges, reviews)


def _csrf(client: TestClient, path: str = "/login") -> str:
    return client.get(path).text.split('name="csrf" value="', 1)[1].split('"', 1)[0]


def _scores(db: Session) -> list[tuple[int, str]]:
    db.expire_all()
    return [(s.id, str(s.total)) for s in db.scalars(select(Score).order_by(Score.id))]


def test_anonymous_posting_the_score_form_without_marks_sees_nothing_of_the_review(
    client: TestClient, db: Session
) -> None:
    a = _edition(db, "甲")
    db.commit()
    before = _scores(db)
    row = a.reviews[0]
    for url in (
        f"/contests/{a.event.slug}/review/{row.id}",
        f"/contests/{a.event.slug}/review/{row.id + 10_000}",
    ):
        response = client.post(url, data={"csrf": _csrf(client)}, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/login?next=")
        assert (
            "甲届项目" not in response.text
            and "7.50" not in response.text
            and "甲届评语" not in response.text
        )
    api = client.put(
        f"/api/v1/contests/{a.event.slug}/reviews/{row.id}/score", json={"marks": {}, "submit": False}
    )
    assert api.status_code == 401 and "甲届" not in api.text
    assert _scores(db) == before


def test_another_judge_posting_the_score_form_without_marks_gets_404_and_no_content(
    client: TestClient, db: Session
) -> None:
    a = _edition(db, "甲")
    db.commit()
    before = _scores(db)
    (_first, _), (_second, second_login) = a.judges
    theirs = next(r for r in a.reviews if r.judge_id == a.judges[0][0].id)
    login(client, second_login.username, factories.PASSWORD)
    for method in ("get", "post"):
        url = f"/contests/{a.event.slug}/review/{theirs.id}"
        response = (
            client.get(url)
            if method == "get"
            else client.post(url, data={"csrf": _csrf(client, f"/contests/{a.event.slug}")})
        )
        assert response.status_code == 404
        assert (
            "甲届项目" not in response.text
            and "7.50" not in response.text
            and "甲届评语" not in response.text
        )
    api = client.put(
        f"/api/v1/contests/{a.event.slug}/reviews/{theirs.id}/score",
        json={"marks": {"tech": 1, "team": 1}, "submit": True},
    )
    assert api.status_code == 404 and "甲届" not in api.text
    assert _scores(db) == before


def test_a_judge_sees_the_own_locked_score(client: TestClient, db: Session) -> None:
    a = _edition(db, "甲")
    db.commit()
    judge, judge_login = a.judges[0]
    mine = next(r for r in a.reviews if r.judge_id == judge.id)
    login(client, judge_login.username, factories.PASSWORD)
    page = client.get(f"/contests/{a.event.slug}/review/{mine.id}")
    assert page.status_code == 200 and 'data-testid="locked-score"' in page.text and "7.50" in page.text


def test_a_second_contest_never_shows_in_the_first_ones_pages_api_and_rankings(
    client: TestClient, db: Session
) -> None:
    a, b = _edition(db, "甲"), _edition(db, "乙")
    organiser = factories.account(db, role="organiser")
    db.commit()
    base = f"/contests/{a.event.slug}"
    judge_b, judge_b_login = b.judges[0]
    review_b = next(r for r in b.reviews if r.judge_id == judge_b.id)

    login(client, organiser.username, factories.PASSWORD)
    pages = {
        "overview": client.get(base),
        "winners": client.get(f"{base}/winners"),
        "manage": client.get(f"{base}/manage"),
        "conflicts": client.get(f"{base}/conflicts"),
        "round": client.get(f"{base}/rounds/{a.rnd.id}"),
        "reviews": client.get(f"{base}/rounds/{a.rnd.id}/reviews"),
        "ranking": client.get(f"{base}/rounds/{a.rnd.id}/ranking"),
    }
    for name, response in pages.items():
        assert response.status_code == 200, name
        assert "乙届" not in response.text, name
    assert "甲届项目1号" in pages["ranking"].text and "甲届项目2号" in pages["ranking"].text
    assert pages["reviews"].text.count("<tr") >= 4
    # The other edition's round, review and score cannot be reached through this one.
    assert client.get(f"{base}/rounds/{b.rnd.id}").status_code == 404
    assert client.get(f"{base}/rounds/{b.rnd.id}/ranking").status_code == 404
    assert client.get(f"{base}/review/{review_b.id}").status_code == 404
    api = f"/api/v1/contests/{a.event.slug}"
    ranking = client.get(f"{api}/rounds/{a.rnd.id}/ranking").json()
    assert sorted(r["entry_code"] for r in ranking["items"]) == sorted(e.code for e in a.entries)
    assert (ranking["submitted"], ranking["expected"]) == (4, 4)
    assert client.get(f"{api}/rounds/{b.rnd.id}/ranking").status_code == 404
    assert "乙届" not in client.get(api).text
    client.post("/logout", data={"csrf": _csrf(client, f"/contests/{a.event.slug}")})

    # A judge of the second edition is no judge of the first one and opens none of its reviews.
    login(client, judge_b_login.username, factories.PASSWORD)
    assert client.get(f"{base}/review").status_code == 403  # the page exists; it is not theirs
    assert client.get(f"{base}/review/{review_b.id}").status_code == 404
    assert client.get(f"{base}/review/{a.reviews[0].id}").status_code == 404
    queue = client.get(f"/contests/{b.event.slug}/review")
    assert queue.status_code == 200 and "甲届" not in queue.text and "乙届项目1号" in queue.text
    assert db.scalar(select(func.count(Score.id))) >= 8
