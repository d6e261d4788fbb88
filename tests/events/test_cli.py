"""`duijie events` on a new database, as a script would run it, and `duijie stats` on the new, empty event."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import select

from duijie.cli import main
from duijie.core.db import make_engine, make_sessionmaker
from duijie.core.migrate import upgrade
from duijie.core.models import AuditEntry
from duijie.events.models import Event


@pytest.fixture(scope="module")
def db_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated, empty SQLite database shared by the module's commands (each test uses its own slugs)."""
    path = tmp_path_factory.mktemp("events-cli") / "new.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


def _run(db_file: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["events", args[0], "--db", str(db_file), *args[1:]])


def _create(db_file: Path, slug: str, *extra: str) -> Result:
    return _run(
        db_file, "create", "--slug", slug, "--kind", "forum", "--name-zh", "二〇二七论坛", "--name-en", "Forum 2027",
        "--start", "2027-05-10", "--end", "2027-05-14", *extra,
    )  # fmt: skip


def _event(db_file: Path, slug: str) -> Event | None:
    engine = make_engine(f"sqlite:///{db_file}")
    try:
        with make_sessionmaker(engine)() as db:
            return db.scalar(select(Event).where(Event.slug == slug))
    finally:
        engine.dispose()


def test_create_makes_a_draft_and_list_shows_it_with_its_time_zone(db_file: Path) -> None:
    made = _create(db_file, "cli-forum", "--tz", "Asia/Shanghai", "--venue", "中关村国家自主创新示范区展示中心")
    assert made.exit_code == 0, made.output
    assert made.stdout == "created cli-forum (forum, draft) 2027-05-10..2027-05-14\n"
    listed = _run(db_file, "list", "--json")
    rows = [json.loads(line) for line in listed.stdout.splitlines()]
    mine = next(r for r in rows if r["slug"] == "cli-forum")
    assert (mine["state"], mine["timezone"], mine["venue"]) == ("draft", "Asia/Shanghai", "中关村国家自主创新示范区展示中心")
    engine = make_engine(f"sqlite:///{db_file}")
    with make_sessionmaker(engine)() as db:
        entry = db.scalar(select(AuditEntry).where(AuditEntry.entity_type == "event", AuditEntry.action == "create"))
        assert entry is not None and entry.actor_id is None
    engine.dispose()


def test_errors_name_the_option_and_change_nothing(db_file: Path) -> None:
    refused = _run(
        db_file, "create", "--slug", "cli-bad", "--kind", "summit", "--name-zh", "峰会", "--name-en", "Summit",
        "--start", "2027-06-09", "--end", "2027-06-01", "--tz", "Beijing", "--parent", "no-such-forum",
    )  # fmt: skip
    assert refused.exit_code == 1
    assert refused.stderr.splitlines() == [
        "error: --tz: Beijing 不是有效的时区，请填写 IANA 时区名称，如 Asia/Shanghai 或 Europe/Berlin。",
        "error: --parent: 没有名为“no-such-forum”的活动。",
        "error: --end: 活动的结束日期（2027-06-01）不能早于开始日期（2027-06-09）。",
    ]
    assert _event(db_file, "cli-bad") is None
    english = _create(db_file, "cli-forum-2", "--end", "2027-13-01", "--lang", "en")
    assert (english.exit_code, english.stderr) == (1, "error: --end: 2027-13-01 is not a date (write 2024-04-25)\n")


def test_publish_unpublish_and_delete_follow_the_rules(db_file: Path) -> None:
    assert _create(db_file, "cli-forum-3").exit_code == 0
    summit = _run(
        db_file, "create", "--slug", "cli-summit-3", "--kind", "summit", "--parent", "cli-forum-3", "--name-zh", "峰会",
        "--name-en", "Summit", "--start", "2027-05-11", "--end", "2027-05-11", "--publish", "--lang", "en",
    )  # fmt: skip
    assert summit.exit_code == 1
    assert summit.stderr == "error: Publish “Forum 2027” first: an event inside a draft cannot be published.\n"
    assert _event(db_file, "cli-summit-3") is None  # nothing half-written: the draft was not kept either
    assert _run(db_file, "publish", "cli-forum-3").stdout == "published cli-forum-3\n"
    event = _event(db_file, "cli-forum-3")
    assert event is not None and event.is_published
    refused = _run(db_file, "delete", "cli-forum-3")
    assert (refused.exit_code, refused.stderr) == (1, "error: 只能删除草稿：请先将活动撤回为草稿。\n")
    assert _run(db_file, "unpublish", "cli-forum-3").exit_code == 0
    assert _run(db_file, "delete", "cli-forum-3").stdout == "deleted cli-forum-3\n"
    assert _event(db_file, "cli-forum-3") is None
    missing = _run(db_file, "delete", "cli-forum-3")
    assert (missing.exit_code, missing.stderr) == (2, "error: 没有名为“cli-forum-3”的活动。\n")


def test_stats_on_a_new_empty_event_are_all_zeros(db_file: Path) -> None:
    assert _create(db_file, "cli-empty").exit_code == 0
    text = CliRunner().invoke(main, ["stats", "--db", str(db_file), "--event", "cli-empty", "--full"])
    assert text.exit_code == 0, text.output
    assert text.stdout.splitlines()[:3] == [
        "二〇二七论坛 (cli-empty)",
        "  发布项目 released: 0 个, 0 亿元",
        "  签约项目 signed:   0 个, 0 亿元",
    ]
    data = CliRunner().invoke(
        main, ["stats", "--db", str(db_file), "--event", "cli-empty", "--breakdown", "--format", "json"]
    )
    body = json.loads(data.stdout)
    zero = {"count": 0, "amount_yi": "0"}
    assert {k: body[k] for k in ("released", "signed", "negotiating", "landed")} == dict.fromkeys(
        ("released", "signed", "negotiating", "landed"), zero
    )
    assert (body["by_category"], body["by_industry"], body["by_district"]) == ({}, {}, {})
