"""The `policies` command group: check, test, evaluate-file and match-file on real files."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from click.testing import CliRunner

from duijie.policies.cli import policies

POLICY = {
    "id": "rd",
    "name_zh": "研发补贴",
    "name_en": "R&D grant",
    "versions": [
        {
            "valid_from": "2023-01-01",
            "valid_to": "2025-12-31",
            "rule": {
                "all": [
                    {"fact": "revenue", "op": ">=", "value": "2亿元"},
                    {"fact": "high_tech", "op": "==", "value": True},
                ]
            },
            "benefit": {"kind": "subsidy", "formula": {"fact": "rd_spend", "rate": "10%", "cap": "500万元"}},
        }
    ],
    "tests": [
        {
            "name": "ok",
            "on": "2024-01-01",
            "facts": {"revenue": "3亿", "high_tech": True, "rd_spend": "100万"},
            "expect": {"outcome": "eligible", "benefit": "10万元"},
        },
    ],
}


def _write(tmp_path: Path, name: str, data: object) -> str:
    path = tmp_path / name
    path.write_text(
        json.dumps(data, ensure_ascii=False)
        if name.endswith(".json")
        else yaml.safe_dump(data, allow_unicode=True),
        encoding="utf-8",
    )
    return str(path)


def test_cli_check_accepts_the_bundled_catalogue() -> None:
    catalogue = Path(__file__).parents[2] / "duijie" / "policies" / "catalogue.yaml"
    result = CliRunner().invoke(policies, ["check", "--file", str(catalogue)])
    assert result.exit_code == 0, result.output
    assert result.output == f"ok: {catalogue}\n"


def test_cli_check_bare_rule_prints_errors_by_path(tmp_path: Path) -> None:
    rule = {
        "all": [
            {"fact": "rd_ratio", "op": ">", "value": 1.5},
            {"fact": "registered_district", "op": "==", "value": "浦东新区"},
        ]
    }
    result = CliRunner().invoke(policies, ["check", "--file", _write(tmp_path, "rule.json", rule)])
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 2
    assert lines[0] == (
        "error: all[0].value: 研发投入强度不可能高于150%（取值范围0%～100%） / "
        "R&D intensity can never be more than 150% (possible values 0%–100%)"
    )
    assert lines[1].startswith("error: all[1].value: “浦东新区”不是注册地的可选值")


def test_cli_check_policy_with_broken_rule_names_policy_and_path(tmp_path: Path) -> None:
    broken = json.loads(json.dumps(POLICY))
    broken["versions"][0]["rule"]["all"][1]["value"] = "2023-01-01"
    result = CliRunner().invoke(policies, ["check", "--file", _write(tmp_path, "p.yaml", [broken])])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: p.yaml.policies[rd].versions[0].rule.all[1].value: ")


def test_cli_check_unreadable_file_exits_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(policies, ["check", "--file", str(tmp_path / "none.yaml")])
    assert result.exit_code == 2
    assert "cannot read" in result.stderr


def test_cli_test_runs_the_bundled_cases() -> None:
    result = CliRunner().invoke(policies, ["test"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "73 passed, 0 failed"


def test_cli_test_fails_with_exit_1(tmp_path: Path) -> None:
    wrong = json.loads(json.dumps(POLICY))
    wrong["tests"][0]["expect"]["benefit"] = "20万元"
    result = CliRunner().invoke(policies, ["test", "--file", _write(tmp_path, "p.json", [wrong])])
    assert result.exit_code == 1
    assert "| rd | ok | 2024-01-01 | eligible 20万元 | eligible 10万元 | FAIL |" in result.output
    assert result.output.splitlines()[-1] == "0 passed, 1 failed"


def test_cli_evaluate_file_json_for_policies(tmp_path: Path) -> None:
    policies_file = _write(tmp_path, "p.json", [POLICY])
    facts = _write(tmp_path, "f.json", {"revenue": "1.2亿元", "high_tech": True, "rd_spend": "300万"})
    result = CliRunner().invoke(
        policies,
        [
            "evaluate-file",
            "--policies",
            policies_file,
            "--facts",
            facts,
            "--on",
            "2024-05-01",
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    decision = json.loads(result.output)["decisions"][0]
    assert (decision["outcome"], decision["version"], decision["benefit"]["amount"]) == (
        "not_eligible",
        1,
        "300000",
    )
    assert decision["reasons"][0]["zh"] == "上年营业收入1.2亿元，低于要求的2亿元，差0.8亿元"
    assert decision["counterfactuals"][0]["zh"] == "若上年营业收入不低于2亿元，即可符合“研发补贴”"


def test_cli_evaluate_file_text_ranks_catalogue_packages(tmp_path: Path) -> None:
    catalogue = str(Path(__file__).parents[2] / "duijie" / "policies" / "catalogue.yaml")
    facts = _write(tmp_path, "f.json", {"flags": ["unicorn"], "valuation": "100亿元"})
    result = CliRunner().invoke(
        policies,
        ["evaluate-file", "--policies", catalogue, "--facts", facts, "--on", "2024-05-01", "--lang", "en"],
    )
    assert result.exit_code == 0, result.output
    first = result.output.splitlines()[0]
    assert first == "Unicorn Enterprise Package: CNY 3 million (2/3)"


def test_cli_evaluate_file_bad_fact_exits_2(tmp_path: Path) -> None:
    facts = _write(tmp_path, "f.json", {"revenue": "lots"})
    result = CliRunner().invoke(
        policies, ["evaluate-file", "--policies", _write(tmp_path, "p.json", [POLICY]), "--facts", facts]
    )
    assert result.exit_code == 2
    assert (
        result.stderr == "error: facts.revenue: 'lots' is not an amount (write 200000000, 2亿元 or 500万元)\n"
    )


def test_cli_match_file_writes_csv(tmp_path: Path) -> None:
    enterprises = {
        "a": {"revenue": "3亿", "high_tech": True, "rd_spend": "100万"},
        "b": {"revenue": "1亿", "high_tech": True},
        "c": {"revenue": "5亿"},
    }
    out = tmp_path / "out.csv"
    result = CliRunner().invoke(
        policies,
        [
            "match-file",
            "--policies",
            _write(tmp_path, "p.json", [POLICY]),
            "--policy",
            "rd",
            "--enterprises",
            _write(tmp_path, "e.json", enterprises),
            "--on",
            "2024-05-01",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    rows = out.read_text(encoding="utf-8-sig").splitlines()
    assert [r.split(",")[:6] for r in rows[:3]] == [
        ["enterprise", "policy", "version", "outcome", "benefit_yuan", "missing_facts"],
        ["a", "rd", "1", "eligible", "100000", ""],
        ["c", "rd", "1", "undetermined", "", "high_tech"],
    ]
    assert len(rows) == 3


def test_cli_match_file_unknown_policy_exits_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        policies,
        [
            "match-file",
            "--policies",
            _write(tmp_path, "p.json", [POLICY]),
            "--policy",
            "nope",
            "--enterprises",
            _write(tmp_path, "e.json", {}),
        ],
    )
    assert result.exit_code == 2
    assert "no policy 'nope'" in result.stderr
