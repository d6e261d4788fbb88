"""`duijie agenda check`: the conflicts file, the summary line in both languages, and bad input named by place
(run in-process through the real `duijie` command group, so the command's registration is tested too)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from duijie.agenda.locale_zh import ZH
from duijie.cli import main

FORUM: dict[str, Any] = {
    "rooms": [
        {"id": "hall", "name": "主会场", "capacity": 300,
         "open": [["2026-04-25T08:00:00+08:00", "2026-04-25T12:00:00+08:00"],
                  ["2026-04-25T12:00:00+08:00", "2026-04-25T18:00:00+08:00"]]},
        {"id": "b2", "name": "B2 会议室", "capacity": 80},
    ],
    "people": [
        {"id": "zhang", "name": "张三", "available": [["2026-04-25T08:00:00+08:00", "2026-04-25T12:00:00+08:00"]]},
        {"id": "li", "name": "李四"},
    ],
    "sessions": [
        {"id": "open", "title": "开幕式", "room": "hall", "start": "2026-04-25T09:00:00+08:00",
         "end": "2026-04-25T10:00:00+08:00", "people": ["zhang", "li"], "expected": 280},
        {"id": "ai", "title": "人工智能平行论坛", "room": "b2", "start": "2026-04-25T01:30:00Z",
         "end": "2026-04-25T03:30:00Z", "people": ["zhang"], "expected": 120},
        {"id": "bio", "title": "生物医药路演", "room": "b2", "start": "2026-04-25T11:00:00+08:00",
         "end": "2026-04-25T12:00:00+08:00", "people": ["li"]},
        {"id": "close", "title": "闭幕式", "room": "hall", "start": "2026-04-25T17:00:00+08:00",
         "end": "2026-04-25T18:30:00+08:00", "people": ["zhang"]},
    ],
}
EXPECTED = [
    {"rule": "person_overlap", "sessions": ["open", "ai"], "person": "zhang"},
    {"rule": "room_overlap", "sessions": ["ai", "bio"], "room": "b2"},
    {"rule": "room_closed", "sessions": ["close"], "room": "hall"},
    {"rule": "over_capacity", "sessions": ["ai"], "room": "b2"},
    {"rule": "person_unavailable", "sessions": ["close"], "person": "zhang"},
]


def agenda_check(*args: str) -> Result:
    return CliRunner().invoke(main, ["agenda", "check", *args])


def write(path: Path, data: Any) -> str:
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return str(path)


def test_check_writes_one_entry_per_conflict_to_the_output_file(tmp_path: Path) -> None:
    output = tmp_path / "conflicts.json"
    result = agenda_check("--input", write(tmp_path / "sessions.json", FORUM), "--output", str(output), "--lang", "en")
    assert result.exit_code == 0, result.output
    assert json.loads(output.read_text(encoding="utf-8")) == {"conflicts": EXPECTED}
    assert result.stdout == ""
    assert result.stderr == (
        "5 conflicts: 1 person_overlap, 1 room_overlap, 1 room_closed, 1 over_capacity, 1 person_unavailable\n"
    )


def test_check_prints_to_stdout_without_an_output_and_explains_in_english(tmp_path: Path) -> None:
    result = agenda_check("--input", write(tmp_path / "sessions.json", FORUM), "--lang", "en", "--explain")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"conflicts": EXPECTED}
    assert result.stderr.splitlines() == [
        "张三 is in '开幕式' and '人工智能平行论坛' at the same time",
        "B2 会议室 is booked for '人工智能平行论坛' and '生物医药路演' at the same time",
        "'闭幕式' is outside the opening hours of 主会场",
        "'人工智能平行论坛' expects 120 people but B2 会议室 seats 80",
        "张三 is not available during '闭幕式'",
        "5 conflicts: 1 person_overlap, 1 room_overlap, 1 room_closed, 1 over_capacity, 1 person_unavailable",
    ]


def test_check_speaks_chinese_by_default(tmp_path: Path) -> None:
    result = agenda_check("--input", write(tmp_path / "sessions.json", FORUM), "--output", "-", "--explain")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"conflicts": EXPECTED}
    lines = result.stderr.splitlines()
    assert lines[0] == "张三同时在「开幕式」和「人工智能平行论坛」（时间重叠）"
    assert lines[-1] == "共 5 处冲突：人员时间重叠 1 处，会场重复预订 1 处，会场未开放 1 处，超出会场容量 1 处，人员不在可出席时段 1 处"


def test_a_schedule_without_conflicts_says_so(tmp_path: Path) -> None:
    calm = {"rooms": [{"id": "hall"}], "sessions": [
        {"id": 1, "room": "hall", "start": "2026-04-25T09:00:00+08:00", "end": "2026-04-25T10:00:00+08:00"},
        {"id": 2, "room": "hall", "start": "2026-04-25T02:00:00Z", "end": "2026-04-25T03:00:00Z"},
    ]}
    output = tmp_path / "conflicts.json"
    result = agenda_check("--input", write(tmp_path / "calm.json", calm), "--output", str(output), "--lang", "en")
    assert (result.exit_code, result.stderr) == (0, "No conflicts.\n")
    assert json.loads(output.read_text(encoding="utf-8")) == {"conflicts": []}


def test_a_missing_file_exits_2_and_names_it(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.json"
    result = agenda_check("--input", str(missing), "--lang", "en")
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", f"error: {missing}: No such file.\n")


def test_json_that_does_not_parse_names_line_and_column(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"sessions": [\n  {"id": 1,}\n]}', encoding="utf-8")
    result = agenda_check("--input", str(broken), "--lang", "en")
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: {broken}:2:12: Not valid JSON at line 2, column 12 (Expecting property name enclosed in double "
        "quotes).\n"
    )


def test_a_bad_schedule_gives_one_line_per_problem_and_no_output(tmp_path: Path) -> None:
    bad = {
        "rooms": [{"id": "hall"}],
        "sessions": [
            {"id": "a", "room": "hall", "start": "2026-04-25T09:00:00+08:00", "end": "2026-04-25T10:00:00+08:00"},
            {"id": "b", "room": "hall", "start": "2026-04-25 10:00", "end": "2026-04-25T09:00:00+08:00"},
            {"id": "c", "room": "b3", "start": "2026-04-25T10:00:00+08:00", "end": "2026-04-25T10:00:00+08:00"},
        ],
    }
    output = tmp_path / "conflicts.json"
    result = agenda_check("--input", write(tmp_path / "bad.json", bad), "--output", str(output), "--lang", "en")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        'error: sessions[1].start: "2026-04-25 10:00" has no UTC offset; add one, such as +08:00 for Beijing time '
        "or Z for UTC, so the time is not ambiguous.",
        "error: sessions[2].end: The end must be after the start (2026-04-25T10:00:00+08:00).",
        'error: sessions[2].room: Unknown room "b3"; list it under rooms.',
    ]
    assert not output.exists()


def test_a_bad_schedule_is_explained_in_chinese(tmp_path: Path) -> None:
    bad = {"people": [{"id": "zhang"}], "sessions": [
        {"id": "a", "start": "2026-04-25T09:00:00+08:00", "end": "2026-04-25T10:00:00+08:00", "people": ["wang"]},
    ]}
    result = agenda_check("--input", write(tmp_path / "bad.json", bad), "--lang", "zh")
    assert result.exit_code == 1
    unknown = str(ZH["Unknown person %(id)s; list them under people."]) % {"id": '"wang"'}
    assert result.stderr == f"错误：sessions[0].people[0]：{unknown}\n"
