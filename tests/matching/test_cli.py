"""The `duijie match` command line: score files with and without --top-k, explain a pair, report bad input."""

import csv
import json
from pathlib import Path

from click.testing import CliRunner

from duijie.matching.cli import match

LEFT = [
    {"id": "inv-ai", "text": "人工智能早期投资", "industries": ["AI"], "preferred_districts": ["海淀区"],
     "ticket_min": 1, "ticket_max": 5},
    {"id": "inv-bio", "text": "Biotech venture fund", "industries": ["biotech"], "ticket_min": "5000万元",
     "ticket_max": 2, "exclusions": ["p-bio"]},
]  # fmt: skip
RIGHT = [
    {"id": "p-ai", "text": "海淀区大模型企业融资", "industries": ["人工智能"], "district": "海淀区",
     "amount": 3},
    {"id": "p-bio", "text": "Antibody drug discovery platform", "industries": ["生物科技"], "amount": 1},
    {"id": "p-car", "text": "自动驾驶激光雷达", "industries": ["智能网联汽车"], "district": "顺义区",
     "amount": 20},
]  # fmt: skip
NO_TEXT = {"semantic": 0, "lexical": 0}


def write_jsonl(path: Path, records: list[dict[str, object]]) -> str:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return str(path)


def files(tmp_path: Path) -> tuple[str, str, str]:
    weights = tmp_path / "weights.json"
    weights.write_text(json.dumps(NO_TEXT))
    return (
        write_jsonl(tmp_path / "left.jsonl", LEFT),
        write_jsonl(tmp_path / "right.jsonl", RIGHT),
        str(weights),
    )


def read_csv(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8") as fh:
        return list(csv.reader(fh))


def test_cli_score_writes_every_pair_with_header(tmp_path: Path) -> None:
    left, right, weights = files(tmp_path)
    out = tmp_path / "scores.csv"
    result = CliRunner().invoke(
        match, ["score", "--left", left, "--right", right, "--output", str(out), "--weights", weights]
    )
    assert result.exit_code == 0, result.output
    rows = read_csv(out)
    assert rows[0] == ["left_id", "right_id", "score"]
    assert [(r[0], r[1]) for r in rows[1:]] == [
        (lid, rid) for lid in ("inv-ai", "inv-bio") for rid in ("p-ai", "p-bio", "p-car")
    ]
    scores = {(r[0], r[1]): float(r[2]) for r in rows[1:]}
    assert scores[("inv-bio", "p-bio")] == 0.0
    assert scores[("inv-ai", "p-ai")] == max(scores.values())
    assert "scoring [" in result.stderr


def test_cli_score_top_k_keeps_best_and_drops_conflicts(tmp_path: Path) -> None:
    left, right, weights = files(tmp_path)
    out = tmp_path / "top.csv"
    result = CliRunner().invoke(
        match,
        [
            "score",
            "--left",
            left,
            "--right",
            right,
            "--output",
            str(out),
            "--weights",
            weights,
            "--top-k",
            "1",
        ],
    )
    assert result.exit_code == 0, result.output
    rows = read_csv(out)
    assert [(r[0], r[1]) for r in rows] == [("left_id", "right_id"), ("inv-ai", "p-ai"), ("inv-bio", "p-ai")]
    out3 = tmp_path / "top3.csv"
    args = ["score", "--left", left, "--right", right, "--output", str(out3), "--weights", weights]
    result = CliRunner().invoke(match, [*args, "--top-k", "3"])
    pairs = [(r[0], r[1]) for r in read_csv(out3)[1:]]
    assert [p for p in pairs if p[0] == "inv-ai"] == [
        ("inv-ai", "p-ai"),
        ("inv-ai", "p-bio"),
        ("inv-ai", "p-car"),
    ]
    assert sorted(p[1] for p in pairs if p[0] == "inv-bio") == ["p-ai", "p-car"]


def test_cli_score_with_real_text_embeds(tmp_path: Path) -> None:
    left = write_jsonl(tmp_path / "l.jsonl", [{"id": "j1", "texts": ["深度学习图像识别", "computer vision"]}])
    right = write_jsonl(
        tmp_path / "r.jsonl",
        [
            {"id": "e1", "text": "Image recognition with neural networks"},
            {"id": "e2", "text": "养猪场污水处理"},
        ],
    )
    out = tmp_path / "s.csv"
    result = CliRunner().invoke(
        match, ["score", "--left", left, "--right", right, "--output", str(out), "--kind", "judge_entry"]
    )
    assert result.exit_code == 0, result.output
    rows = {r[1]: float(r[2]) for r in read_csv(out)[1:]}
    assert rows["e1"] > rows["e2"]


def test_cli_score_bad_line_reported_with_number(tmp_path: Path) -> None:
    left = tmp_path / "left.jsonl"
    left.write_text('{"id": "a", "text": "x"}\n\n{"id": "b", "amount": "lots"}\n', encoding="utf-8")
    right = write_jsonl(tmp_path / "right.jsonl", RIGHT)
    result = CliRunner().invoke(
        match, ["score", "--left", str(left), "--right", right, "--output", str(tmp_path / "o.csv")]
    )
    assert result.exit_code == 2
    assert "Error: left.jsonl line 3 (id b): field 'amount': 'lots' is not an amount" in result.stderr
    assert "Traceback" not in result.output


def test_cli_score_invalid_json_and_duplicate_id(tmp_path: Path) -> None:
    right = write_jsonl(tmp_path / "right.jsonl", RIGHT)
    broken = tmp_path / "left.jsonl"
    broken.write_text('{"id": "a"}\n{"id": "b",\n', encoding="utf-8")
    result = CliRunner().invoke(
        match, ["score", "--left", str(broken), "--right", right, "--output", "o.csv"]
    )
    assert result.exit_code == 2
    assert "Error: left.jsonl line 2: not valid JSON" in result.stderr
    twice = write_jsonl(tmp_path / "twice.jsonl", [{"id": "a"}, {"id": "a"}])
    result = CliRunner().invoke(match, ["score", "--left", twice, "--right", right, "--output", "o.csv"])
    assert "Error: twice.jsonl line 2: id 'a' already used on line 1" in result.stderr


def test_cli_score_bad_weights_file(tmp_path: Path) -> None:
    left, right, _ = files(tmp_path)
    weights = tmp_path / "w.json"
    weights.write_text('{"charm": 1}')
    result = CliRunner().invoke(
        match, ["score", "--left", left, "--right", right, "--output", "o.csv", "--weights", str(weights)]
    )
    assert result.exit_code == 2
    assert "Error: weight 'charm': unknown part" in result.stderr


def test_cli_explain_prints_reasons(tmp_path: Path) -> None:
    left, right, weights = files(tmp_path)
    args = ["explain", "--left", left, "--right", right, "--left-id", "inv-ai", "--right-id", "p-ai"]
    result = CliRunner().invoke(match, [*args, "--weights", weights])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0].startswith("匹配度")
    assert "同属人工智能" in result.stdout and "偏好海淀区" in result.stdout
    english = CliRunner().invoke(match, [*args, "--weights", weights, "--lang", "en"])
    assert "Both in artificial intelligence" in english.stdout
    missing = CliRunner().invoke(
        match, ["explain", "--left", left, "--right", right, "--left-id", "nobody", "--right-id", "p-ai"]
    )
    assert missing.exit_code == 2
    assert "Error: left.jsonl: no record with id 'nobody'" in missing.stderr


def test_cli_group_without_arguments_prints_help() -> None:
    result = CliRunner().invoke(match, [])
    assert result.exit_code == 0
    assert "score" in result.output and "explain" in result.output
    half = CliRunner().invoke(match, ["--db", "x.db"])
    assert half.exit_code == 2
    assert "give both --db and --event" in half.output
