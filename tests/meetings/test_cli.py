"""The `meetings` command group on files: solve and greedy, the JSON they write, and refusals of bad input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from duijie.meetings.cli import meetings

INSTANCE: dict[str, Any] = {
    "slots": [{"id": "s1", "session": "am"}, {"id": "s2", "session": "am"}, {"id": "s3", "session": "pm"}],
    "tables": {"s1": 200, "s2": 200, "s3": 150},
    "participants": [
        {"id": "p1", "available": ["s1", "s2"], "max_meetings": 12},
        {"id": "p2"},
        {"id": "p3", "available": ["s1"]},
    ],
    "requests": [
        {"id": "r1", "a": "p1", "b": "p2", "weight": 1.0, "sessions": ["am"], "pinned_slot": None},
        {"id": "r2", "a": "p1", "b": "p3"},
    ],
}


def _run(tmp_path: Path, command: str, data: Any, *extra: str) -> tuple[Any, Path]:
    source = tmp_path / "instance.json"
    source.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    target = tmp_path / "schedule.json"
    args = [command, "--input", str(source), "--output", str(target), *extra]
    return CliRunner().invoke(meetings, args), target


def test_solve_writes_the_schedule_in_the_documented_form(tmp_path: Path) -> None:
    result, target = _run(tmp_path, "solve", INSTANCE, "--time-limit", "5")
    assert result.exit_code == 0, result.output
    assert json.loads(target.read_text(encoding="utf-8")) == {
        "meetings": [
            {"request": "r1", "slot": "s2", "table": 1},
            {"request": "r2", "slot": "s1", "table": 1},
        ],
        "objective": 2.0,
        "upper_bound": 2.0,
        "idle_gaps": 0,
        "status": "optimal",
        "unscheduled": [],
        "idle_gaps_bound": 0,
    }
    assert (
        "2 meetings, weight 2 of at most 2 (gap 0.00 %), 0 idle gaps (at least 0), 0 unscheduled, optimal"
        in result.stderr
    )
    assert "LP relaxation bound 2" in result.stderr


def test_solve_without_compaction_accepts_the_flag(tmp_path: Path) -> None:
    result, target = _run(tmp_path, "solve", INSTANCE, "--time-limit", "5", "--no-compact")
    assert result.exit_code == 0, result.output
    assert json.loads(target.read_text(encoding="utf-8"))["objective"] == 2.0


def test_greedy_writes_the_first_come_schedule(tmp_path: Path) -> None:
    result, target = _run(tmp_path, "greedy", INSTANCE)
    assert result.exit_code == 0, result.output
    written = json.loads(target.read_text(encoding="utf-8"))
    assert written["meetings"] == [{"request": "r1", "slot": "s1", "table": 1}]
    assert written["objective"] == 1.0
    assert written["upper_bound"] == 2.0
    assert written["status"] == "feasible"
    assert [u["request"] for u in written["unscheduled"]] == ["r2"]
    assert "idle_gaps_bound" not in written


def test_solve_refuses_an_unknown_participant_with_status_2(tmp_path: Path) -> None:
    data = {**INSTANCE, "requests": [{"id": "r7", "a": "p1", "b": "p9"}]}
    result, target = _run(tmp_path, "solve", data)
    assert result.exit_code == 2
    assert result.stderr == "Error: request r7: b 'p9' is not a participant\n"
    assert not target.exists()


def test_greedy_refuses_invalid_json_naming_the_line(tmp_path: Path) -> None:
    result, _ = _run(tmp_path, "greedy", '{"slots": [\n  {"id": "s1"},\n')
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: ")
    assert "not valid JSON (line 3" in result.stderr
    assert "Traceback" not in result.output


def test_solve_refuses_a_missing_input_file(tmp_path: Path) -> None:
    target = tmp_path / "schedule.json"
    args = ["solve", "--input", str(tmp_path / "none.json"), "--output", str(target)]
    result = CliRunner().invoke(meetings, args)
    assert result.exit_code == 2
    assert "cannot be read" in result.stderr


def test_solve_with_a_work_limit_writes_the_same_compact_schedule_twice(tmp_path: Path) -> None:
    data = {
        "slots": [{"id": f"s{i}", "session": "am"} for i in range(1, 5)],
        "participants": [
            {"id": "p1"},
            {"id": "p2", "available": ["s1", "s4"]},
            {"id": "p3", "available": ["s2", "s4"]},
            {"id": "p4", "available": ["s1", "s3"]},
        ],
        "requests": [
            {"id": "r1", "a": "p1", "b": "p2"},
            {"id": "r2", "a": "p1", "b": "p3"},
            {"id": "r3", "a": "p1", "b": "p4"},
        ],
    }
    first, target = _run(tmp_path, "solve", data, "--time-limit", "20", "--work-limit", "0.5")
    assert first.exit_code == 0, first.output
    written = target.read_text(encoding="utf-8")
    second, _ = _run(tmp_path, "solve", data, "--time-limit", "20", "--work-limit", "0.5")
    assert second.exit_code == 0, second.output
    assert target.read_text(encoding="utf-8") == written
    schedule = json.loads(written)
    assert {m["request"]: m["slot"] for m in schedule["meetings"]} == {"r1": "s1", "r2": "s2", "r3": "s3"}
    assert (schedule["idle_gaps"], schedule["idle_gaps_bound"]) == (0, 0)
