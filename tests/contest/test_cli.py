"""The `contest` command group on files: assign and normalize, their outputs, summaries and errors."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from duijie.contest.cli import contest


def _write(path: Path, rows: list[str]) -> Path:
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def _scores(tmp_path: Path) -> Path:
    rows = [f"e{e},j{j},{(e * 7 + j * 3) % 10 / 10}" for e in range(6) for j in range(4)]
    return _write(tmp_path / "scores.csv", rows)


def _read(path: Path) -> list[list[str]]:
    return [line.split(",") for line in path.read_text(encoding="utf-8").splitlines()]


def test_assign_writes_k_pairs_per_entry_without_conflicts(tmp_path: Path) -> None:
    scores = _scores(tmp_path)
    conflicts = _write(tmp_path / "conflicts.csv", ["e0,j3", "e1,j0", "nobody,j0"])
    out = tmp_path / "assignment.csv"
    args = ["assign", "--scores", str(scores), "--conflicts", str(conflicts), "--judges-per-entry", "2"]
    result = CliRunner().invoke(contest, [*args, "--max-per-judge", "3", "--output", str(out)])
    assert result.exit_code == 0, result.output
    rows = _read(out)
    assert len(rows) == 12
    assert ["e0", "j3"] not in [r[:2] for r in rows]
    assert ["e1", "j0"] not in [r[:2] for r in rows]
    assert sorted({r[0] for r in rows}) == [f"e{i}" for i in range(6)]
    assert all(float(r[2]) == (int(r[0][1:]) * 7 + int(r[1][1:]) * 3) % 10 / 10 for r in rows)
    assert "objective: total (min-cost flow)" in result.stderr
    assert "load per judge: 3..3" in result.stderr
    assert "exact" in result.stderr


def test_assign_fair_reports_the_worst_entry(tmp_path: Path) -> None:
    out = tmp_path / "assignment.csv"
    args = ["assign", "--scores", str(_scores(tmp_path)), "--judges-per-entry", "2", "--max-per-judge", "3"]
    result = CliRunner().invoke(contest, [*args, "--objective", "fair", "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert "objective: fair" in result.stderr
    assert "worst entry's total affinity:" in result.stderr
    assert len(_read(out)) == 12


def test_assign_missing_pairs_are_not_allowed_unless_given_a_score(tmp_path: Path) -> None:
    scores = _write(tmp_path / "scores.csv", ["a,x,0.9", "a,y,0.8", "b,x,0.7"])
    out = tmp_path / "assignment.csv"
    base = ["assign", "--scores", str(scores), "--judges-per-entry", "2", "--max-per-judge", "2"]
    refused = CliRunner().invoke(contest, [*base, "--output", str(out)])
    assert refused.exit_code == 2
    assert (
        "entry b: needs 2 judges but only 1 of 2 are allowed (0 conflicted, 1 without a known affinity)"
        in (refused.stderr)
    )
    assert "Traceback" not in refused.output
    filled = CliRunner().invoke(contest, [*base, "--missing-score", "0", "--output", str(out)])
    assert filled.exit_code == 0, filled.output
    assert _read(out) == [["a", "x", "0.9"], ["a", "y", "0.8"], ["b", "x", "0.7"], ["b", "y", "0.0"]]


def test_assign_infeasible_capacity_exits_2_listing_entries(tmp_path: Path) -> None:
    scores = _write(tmp_path / "scores.csv", ["a,x,1", "b,x,1", "c,x,1"])
    args = ["assign", "--scores", str(scores), "--judges-per-entry", "1", "--max-per-judge", "2"]
    result = CliRunner().invoke(contest, [*args, "--output", str(tmp_path / "o.csv")])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "error: the judges can take 2 reviews in all but the entries need 3; 1 entry cannot be covered: "
        "the judges allowed reach max per judge",
        "  entry c: gets at most 0 of 1 judges: its allowed judges are full",
    ]


def test_assign_bad_row_names_file_row_and_column(tmp_path: Path) -> None:
    scores = _write(tmp_path / "scores.csv", ["a,x,1", "b,x,high"])
    args = ["assign", "--scores", str(scores), "--judges-per-entry", "1", "--max-per-judge", "2"]
    result = CliRunner().invoke(contest, [*args, "--output", str(tmp_path / "o.csv")])
    assert result.exit_code == 2
    assert result.stderr == "error: scores.csv row 2 column score: 'high' is not a number\n"


def test_assign_short_row_is_reported(tmp_path: Path) -> None:
    conflicts = _write(tmp_path / "conflicts.csv", ["a"])
    args = ["assign", "--scores", str(_scores(tmp_path)), "--conflicts", str(conflicts)]
    result = CliRunner().invoke(
        contest,
        [*args, "--judges-per-entry", "1", "--max-per-judge", "2", "--output", str(tmp_path / "o.csv")],
    )
    assert result.exit_code == 2
    assert result.stderr == "error: conflicts.csv row 1: expected 2 columns (entry_id,judge_id), got 1\n"


def test_assign_repeated_pair_names_both_rows(tmp_path: Path) -> None:
    scores = _write(tmp_path / "scores.csv", ["a,x,1", "", "b,x,2", "a,x,3"])
    args = ["assign", "--scores", str(scores), "--judges-per-entry", "1", "--max-per-judge", "2"]
    result = CliRunner().invoke(contest, [*args, "--output", str(tmp_path / "o.csv")])
    assert result.exit_code == 2
    assert (
        result.stderr == "error: scores.csv row 4: pair (entry 'a', judge 'x') was already given in row 1\n"
    )


def test_reassign_keeps_every_other_pair(tmp_path: Path) -> None:
    scores = _scores(tmp_path)
    first = tmp_path / "assignment.csv"
    base = ["--scores", str(scores), "--judges-per-entry", "2", "--max-per-judge", "4"]
    assert CliRunner().invoke(contest, ["assign", *base, "--output", str(first)]).exit_code == 0
    before = _read(first)
    dropped = before[0][1]
    second = tmp_path / "repaired.csv"
    args = ["reassign", *base, "--assignment", str(first), "--drop-judge", dropped, "--output", str(second)]
    result = CliRunner().invoke(contest, args)
    assert result.exit_code == 0, result.output
    after = _read(second)
    kept = [r for r in before if r[1] != dropped]
    assert all(r in after for r in kept)
    assert len(after) == 12
    assert dropped not in {r[1] for r in after}
    n_removed = len(before) - len(kept)
    assert result.stderr.startswith(
        f"removed: {n_removed} pairs of judge {dropped}; added: {n_removed} pairs"
    )


def test_reassign_unknown_judge_exits_2(tmp_path: Path) -> None:
    scores = _scores(tmp_path)
    current = _write(tmp_path / "assignment.csv", ["e0,j0,0.0"])
    args = ["reassign", "--scores", str(scores), "--assignment", str(current), "--drop-judge", "j9"]
    result = CliRunner().invoke(
        contest, [*args, "--judges-per-entry", "1", "--max-per-judge", "6", "--output", str(tmp_path / "o")]
    )
    assert result.exit_code == 2
    assert result.stderr == "error: judge 'j9' is not in the affinity table\n"


def test_normalize_writes_raw_and_normalised_side_by_side(tmp_path: Path) -> None:
    rows = ["a,harsh,4", "b,harsh,6", "c,harsh,8", "a,lenient,6", "b,lenient,8", "c,lenient,10"]
    judged = _write(tmp_path / "judged.csv", rows)
    out = tmp_path / "normalised.csv"
    entries = tmp_path / "entries.csv"
    args = ["normalize", "--scores", str(judged), "--output", str(out), "--method", "zscore"]
    result = CliRunner().invoke(contest, [*args, "--entries-output", str(entries)])
    assert result.exit_code == 0, result.output
    normalised = {(r[0], r[1]): (float(r[2]), float(r[3])) for r in _read(out)}
    assert normalised[("b", "harsh")] == (6.0, 7.0)
    assert normalised[("b", "lenient")] == (8.0, 7.0)
    assert [r[0] for r in _read(entries)] == ["c", "b", "a"]
    assert [r[3] for r in _read(entries)] == ["1", "2", "3"]
    assert "method: zscore; 6 scores, 3 entries, 2 judges" in result.stderr


def test_normalize_bias_is_the_default(tmp_path: Path) -> None:
    judged = _write(tmp_path / "judged.csv", ["a,j1,5", "b,j1,7", "a,j2,6", "b,j2,8"])
    out = tmp_path / "normalised.csv"
    result = CliRunner().invoke(contest, ["normalize", "--scores", str(judged), "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith("method: bias;")
    assert len(_read(out)) == 4


def test_normalize_repeated_pair_exits_2(tmp_path: Path) -> None:
    judged = _write(tmp_path / "judged.csv", ["a,j1,5", "a,j1,6"])
    result = CliRunner().invoke(
        contest, ["normalize", "--scores", str(judged), "--output", str(tmp_path / "o")]
    )
    assert result.exit_code == 2
    assert result.stderr == "error: judged.csv row 2: pair (a, j1) already given in row 1\n"
