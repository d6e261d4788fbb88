"""The `text` command group, driven through click's test runner."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from duijie.text.cli import text


def test_cli_normalize_stdin_to_stdout() -> None:
    result = CliRunner().invoke(text, ["normalize"], input="學(xué)習(xí)政\n\n策包,中關(guān)村。".encode())
    assert result.exit_code == 0
    assert result.stdout_bytes.decode("utf-8") == "学习政\n\n策包，中关村。\n"


def test_cli_normalize_repairs_column_break_in_prose() -> None:
    raw = "北京发布了新的招商引资政策，内容包括总部经济政\n\n策包和独角兽企业政策包。"
    result = CliRunner().invoke(text, ["normalize"], input=raw.encode())
    assert (
        result.stdout_bytes.decode("utf-8")
        == "北京发布了新的招商引资政策，内容包括总部经济政策包和独角兽企业政策包。\n"
    )


def test_cli_normalize_drop_captions_flag(tmp_path: Path) -> None:
    source = tmp_path / "in.txt"
    source.write_text("标题\n\n观众在展台参观。\n\n本报记者 高兴贵摄\n\n正文第一句。", encoding="utf-8")
    target = tmp_path / "out.txt"
    kept = CliRunner().invoke(text, ["normalize", str(source), str(target)])
    assert kept.exit_code == 0
    assert "本报记者 高兴贵摄" in target.read_text(encoding="utf-8")
    dropped = CliRunner().invoke(text, ["normalize", "--drop-captions", str(source), str(target)])
    assert dropped.exit_code == 0
    assert target.read_text(encoding="utf-8") == "标题\n\n正文第一句。\n"


def test_cli_normalize_invalid_utf8_exits_2_with_message() -> None:
    result = CliRunner().invoke(text, ["normalize"], input=b"abc\xff\xfe")
    assert result.exit_code == 2
    assert "error: stdin: not UTF-8 at byte 3" in result.output
    assert "Traceback" not in result.output


def test_cli_tokenize_one_line_per_input_line() -> None:
    result = CliRunner().invoke(
        text, ["tokenize"], input="中关村科学城的专精特新企业\nInvestors in robots\n".encode()
    )
    assert result.exit_code == 0
    assert result.stdout_bytes.decode("utf-8") == "中关村 科学城 中关村科学城 专精特新 企业\ninvestor robot\n"


def test_cli_search_lexical_prints_json_hits(tmp_path: Path) -> None:
    records = tmp_path / "records.jsonl"
    rows = [
        {"id": "p1", "text": "中关村科学城人工智能项目寻求融资"},
        {"id": "p2", "text": "Biotech park in Daxing offers lab space"},
    ]
    records.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    result = CliRunner().invoke(text, ["search", str(records), "科学城", "--mode", "lexical"])
    assert result.exit_code == 0
    hits = [json.loads(line) for line in result.output.splitlines()]
    assert [(h["id"], h["lexical_rank"], h["dense_rank"]) for h in hits] == [("p1", 1, None)]
    assert hits[0]["snippet"] == "中关村<mark>科学城</mark>人工智能项目寻求融资"


def test_cli_search_bad_record_names_line_and_field(tmp_path: Path) -> None:
    records = tmp_path / "records.jsonl"
    records.write_text('{"id": "p1", "text": "ok"}\n{"id": "p2"}\n', encoding="utf-8")
    result = CliRunner().invoke(text, ["search", str(records), "ok", "--mode", "lexical"])
    assert result.exit_code == 2
    assert f"error: {records} line 2: field 'text' must be a non-empty string" in result.output
