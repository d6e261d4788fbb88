"""The `duijie policies` commands: check policy and rule files, run policy test cases, evaluate from files."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, NoReturn

import click

from duijie.core.errors import DomainError
from duijie.policies.bulk import match_enterprises
from duijie.policies.catalogue import (
    PolicyError,
    check_data,
    load_catalogue,
    parse_catalogue,
    policies_from_data,
    read_data,
)
from duijie.policies.evaluator import OUTCOME_LABELS, Decision, Outcome, evaluate, rank_packages, run_tests
from duijie.policies.facts import format_money


def _fail(exc: DomainError) -> NoReturn:
    for detail in exc.details:
        click.echo(f"error: {detail.message}", err=True)
    raise click.exceptions.Exit(2)


def _on(value: datetime | None) -> date:
    return value.date() if value else date.today()


@click.group()
def policies() -> None:
    """Policy packages: eligibility rules as data, their test cases and evaluation from files."""


@policies.command()
@click.option("--file", "path", required=True, type=click.Path(dir_okay=False), help="YAML or JSON file.")
def check(path: str) -> None:
    """Validate a catalogue, a policy file or a bare rule; print each error by path and exit 2 on any."""
    try:
        data = read_data(path)
    except PolicyError as exc:
        _fail(exc)
    errors = check_data(data, Path(path).name)
    if errors:
        for line in errors:
            click.echo(f"error: {line}", err=True)
        raise click.exceptions.Exit(2)
    click.echo(f"ok: {path}")


@policies.command("test")
@click.option(
    "--file", "path", type=click.Path(dir_okay=False), help="Catalogue file (default: the bundled one)."
)
def test_cases(path: str | None) -> None:
    """Run every policy test case, print a table, exit 1 if any fails."""
    try:
        policy_list = (
            [q for p in load_catalogue() for q in p.policies]
            if path is None
            else policies_from_data(read_data(path))
        )
        results = run_tests(policy_list)
    except DomainError as exc:
        _fail(exc)
    click.echo("| policy | case | on | expected | got | result |")
    click.echo("|---|---|---|---|---|---|")
    for r in results:
        expected = r.expected_outcome + (
            "" if r.expected_benefit is None else f" {format_money(r.expected_benefit, 'zh')}"
        )
        got = r.outcome + ("" if r.benefit is None else f" {format_money(r.benefit, 'zh')}")
        if r.expected_version is not None:
            expected += f" v{r.expected_version}"
            got += f" v{r.version}"
        click.echo(
            f"| {r.policy_id} | {r.name} | {r.on} | {expected} | {got} | {'ok' if r.passed else 'FAIL'} |"
        )
    failed = sum(not r.passed for r in results)
    click.echo(f"\n{len(results) - failed} passed, {failed} failed")
    if failed:
        raise click.exceptions.Exit(1)


def _decision_text(decision: Decision, lang: str, indent: str = "") -> list[str]:
    zh = lang == "zh"
    name = decision.policy_name_zh if zh else decision.policy_name_en
    label = OUTCOME_LABELS[decision.outcome][0 if zh else 1]
    version = "" if decision.version is None else f" v{decision.version}"
    lines = [f"{indent}[{label}] {name} ({decision.policy_id}{version})"]
    if decision.benefit is not None and decision.outcome != Outcome.NOT_ELIGIBLE:
        lines.append(f"{indent}  {decision.benefit.text_zh if zh else decision.benefit.text_en}")
    marks = {"met": "+", "missed": "-", "missing": "?", "not_in_force": "-"}
    for reason in decision.reasons:
        lines.append(f"{indent}  {marks[reason.status]} {reason.text_zh if zh else reason.text_en}")
    for cf in decision.counterfactuals:
        lines.append(f"{indent}  => {cf.text_zh if zh else cf.text_en}")
    return lines


@policies.command("evaluate-file")
@click.option("--policies", "policies_path", required=True, type=click.Path(dir_okay=False))
@click.option(
    "--facts", "facts_path", required=True, type=click.Path(dir_okay=False), help="One enterprise's facts."
)
@click.option(
    "--on", "on", type=click.DateTime(formats=["%Y-%m-%d"]), help="Evaluation date (default today)."
)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
def evaluate_file(policies_path: str, facts_path: str, on: datetime | None, fmt: str, lang: str) -> None:
    """Evaluate one enterprise against a catalogue (packages ranked by benefit) or a list of policies."""
    day = _on(on)
    try:
        data = read_data(policies_path)
        facts = read_data(facts_path)
        if not isinstance(facts, Mapping):
            raise PolicyError(f"{facts_path}: expected an object of facts", field=facts_path)
        if isinstance(data, Mapping) and "packages" in data:
            ranked = rank_packages(parse_catalogue(data, Path(policies_path).name), facts, on=day)
            output: dict[str, Any] = {"on": day.isoformat(), "packages": [r.to_dict() for r in ranked]}
            text: list[str] = []
            for r in ranked:
                name = r.package.name_zh if lang == "zh" else r.package.name_en
                text.append(f"{name}: {format_money(r.total, lang)} ({r.eligible}/{len(r.decisions)})")
                for decision in r.decisions:
                    text.extend(_decision_text(decision, lang, "  "))
        else:
            decisions = [
                evaluate(p, facts, on=day) for p in policies_from_data(data, Path(policies_path).name)
            ]
            output = {"on": day.isoformat(), "decisions": [d.to_dict() for d in decisions]}
            text = [line for d in decisions for line in _decision_text(d, lang)]
    except DomainError as exc:
        _fail(exc)
    if fmt == "json":
        click.echo(json.dumps(output, ensure_ascii=False, indent=2))
    else:
        click.echo("\n".join(text))


@policies.command("match-file")
@click.option("--policies", "policies_path", required=True, type=click.Path(dir_okay=False))
@click.option("--policy", "policy_id", required=True, help="Id of the policy to match.")
@click.option(
    "--enterprises", "enterprises_path", required=True, type=click.Path(dir_okay=False), help="id -> facts."
)
@click.option(
    "--on", "on", type=click.DateTime(formats=["%Y-%m-%d"]), help="Evaluation date (default today)."
)
@click.option("--out", "out", type=click.Path(dir_okay=False), help="CSV file to write (default: stdout).")
def match_file(
    policies_path: str, policy_id: str, enterprises_path: str, on: datetime | None, out: str | None
) -> None:
    """List the enterprises a policy fits (政策找企业) as CSV: eligible first, then those missing facts."""
    try:
        found = {p.id: p for p in policies_from_data(read_data(policies_path), Path(policies_path).name)}
        if policy_id not in found:
            raise PolicyError(f"--policy: no policy {policy_id!r} in {policies_path}", field="policy")
        enterprises = read_data(enterprises_path)
        if not isinstance(enterprises, Mapping) or not all(
            isinstance(v, Mapping) for v in enterprises.values()
        ):
            raise PolicyError(
                f"{enterprises_path}: expected an object of enterprise id -> facts", field="enterprises"
            )
        matches = match_enterprises(found[policy_id], {str(k): v for k, v in enterprises.items()}, on=_on(on))
    except DomainError as exc:
        _fail(exc)
    rows = [m.to_row() for m in matches]
    fields = ["enterprise", "policy", "version", "outcome", "benefit_yuan", "missing_facts", "reasons_zh"]
    if out is None:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
        click.echo(buffer.getvalue(), nl=False)
        return
    with open(out, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    click.echo(f"{len(rows)} enterprises written to {out}")


@policies.command("evaluate")
@click.option("--db", "db_path", required=True, help="SQLite file or database URL.")
@click.option("--org", "org_ref", required=True, help="Organisation id or slug, e.g. demo-xinghe.")
@click.option(
    "--on", "on", type=click.DateTime(formats=["%Y-%m-%d"]), help="Evaluation date (default today)."
)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
@click.option(
    "--record/--no-record", default=True, show_default=True, help="Keep the decisions in the database."
)
def evaluate_org(db_path: str, org_ref: str, on: datetime | None, fmt: str, lang: str, record: bool) -> None:
    """Evaluate an organisation's stated facts against every policy in the database, packages ranked by benefit."""
    from duijie.core.cli_support import cli_actor, open_db
    from duijie.core.registry import load_all_models
    from duijie.policies.decisions import evaluate_organisation
    from duijie.policies.enterprise_facts import get_organisation

    load_all_models()
    day = _on(on)
    operator = cli_actor("duijie policies evaluate")
    with open_db(db_path) as db:
        org = get_organisation(db, ref=org_ref)
        facts, ranked = evaluate_organisation(
            db, actor=operator, organisation=org, on=day, record=record
        )
        name = org.name_zh if lang == "zh" else (org.name_en or org.name_zh)
        if fmt == "json":
            output = {
                "on": day.isoformat(),
                "organisation": {
                    "id": org.id,
                    "slug": org.slug,
                    "name_zh": org.name_zh,
                    "name_en": org.name_en,
                },
                "facts": facts,
                "packages": [r.to_dict() for r in ranked],
            }
            click.echo(json.dumps(output, ensure_ascii=False, indent=2))
            return
        total = sum((r.total for r in ranked), Decimal(0))
        eligible = sum(r.eligible for r in ranked)
        count = sum(len(r.decisions) for r in ranked)
        if lang == "zh":
            click.echo(
                f"{name}（{org.slug}）· {day} · 符合 {eligible}/{count} 项政策，预计可享 {format_money(total, 'zh')}"
            )
        else:
            click.echo(
                f"{name} ({org.slug}) · {day} · eligible for {eligible} of {count} policies, about {format_money(total, 'en')}"
            )
        for r in ranked:
            pname = r.package.name_zh if lang == "zh" else r.package.name_en
            click.echo(f"\n{pname}: {format_money(r.total, lang)} ({r.eligible}/{len(r.decisions)})")
            for decision in r.decisions:
                click.echo("\n".join(_decision_text(decision, lang, "  ")))
