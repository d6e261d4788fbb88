"""The `duijie match` command: score and explain matches between two record files, or run an event's batch.

Each input file holds one JSON record a line (`{"id": ..., "text": ...}` or `"texts": [...]`, plus optional
structured fields); scores are written as CSV `left_id,right_id,score`. Progress goes to stderr.
"""

from __future__ import annotations

import csv
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

import click

from duijie.core.cli_support import cli_actor, open_db
from duijie.core.db import url_for_path
from duijie.core.errors import DomainError
from duijie.events.service import get_event
from duijie.matching import settings
from duijie.matching.affinity import AffinityEngine
from duijie.matching.explain import explain
from duijie.matching.jobs import BatchResult, Progress, recompute_event
from duijie.matching.parts import AGGREGATIONS, PAIR_KINDS, EngineOptions
from duijie.matching.profile import MatchingError, Profile
from duijie.text.embed import vector_cache


def progress_bar(label: str, *, width: int = 30) -> Callable[[int, int], None]:
    """A progress callback drawing a one-line bar on stderr, finished with a newline at 100 %."""

    def report(done: int, total: int) -> None:
        if total <= 0:
            return
        filled = int(width * done / total)
        sys.stderr.write(f"\r{label} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
        if done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()

    return report


def read_profiles(path: str) -> list[Profile]:
    """Read a JSONL file of records; a bad line is reported with the file name and line number."""
    name = os.path.basename(path)
    profiles: list[Profile] = []
    seen: dict[str, int] = {}
    with open(path, encoding="utf-8-sig") as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
            except json.JSONDecodeError as exc:
                raise MatchingError(f"{name} line {number}: not valid JSON ({exc.msg})") from exc
            profile = Profile.from_json(data, where=f"{name} line {number}")
            if profile.id in seen:
                raise MatchingError(
                    f"{name} line {number}: id {profile.id!r} already used on line {seen[profile.id]}"
                )
            seen[profile.id] = number
            profiles.append(profile)
    if not profiles:
        raise MatchingError(f"{name}: no records")
    return profiles


def read_weights(path: str | None) -> dict[str, float] | None:
    """Read a JSON object of part weights (an event's settings), e.g. {"semantic": 0.5, "district": 0}."""
    if path is None:
        return None
    name = os.path.basename(path)
    try:
        data: Any = json.loads(Path(path).read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise MatchingError(f"{name}: not valid JSON ({exc.msg}, line {exc.lineno})") from exc
    if not isinstance(data, dict):
        raise MatchingError(f"{name}: expected a JSON object of part weights")
    return data


def _engine(kind: str, weights_path: str | None, aggregation: str) -> AffinityEngine:
    """Build the engine for a command's options."""
    options = EngineOptions(aggregation=aggregation, embed_processes=os.cpu_count() or 1)
    return AffinityEngine(kind, weights=read_weights(weights_path), options=options)


def _fail(exc: Exception) -> NoReturn:
    """Print a domain error without a stack trace and exit with status 2."""
    click.echo(f"Error: {exc}", err=True)
    raise SystemExit(2)


@click.group(invoke_without_command=True)
@click.option("--db", help="Database URL or SQLite file of the platform, for an event's batch matching.")
@click.option("--event", "event", help="Slug of the event whose matches to compute (with --db).")
@click.option(
    "--weights",
    "weights_path",
    type=click.Path(exists=True, dir_okay=False),
    help="JSON {pair_kind: {part: weight}} to set as the event's weights before recomputing (with --db).",
)
@click.pass_context
def match(ctx: click.Context, db: str | None, event: str | None, weights_path: str | None) -> None:
    """Matchmaking: score record files, explain a pair, or recompute an event's recommendations."""
    if ctx.invoked_subcommand is not None:
        if weights_path:
            raise click.UsageError("--weights before a sub-command: give it after the sub-command's name")
        return
    if db and event:
        weights = None
        try:
            if weights_path is not None:
                weights = read_event_weights(weights_path)
                settings.validate(weights)
            run_event_batch(db, event, weights=weights)
        except MatchingError as exc:
            _fail(exc)
        except DomainError as exc:
            name = os.path.basename(weights_path) + ": " if weights_path else ""
            for detail in exc.details:
                where = f"{name}{detail.field}: " if detail.field else ""
                click.echo(f"Error: {where}{detail.message}", err=True)
            raise SystemExit(2) from None
    elif db or event or weights_path:
        raise click.UsageError("give both --db and --event to run an event's batch matching")
    else:
        click.echo(ctx.get_help())


def run_event_batch(
    db: str,
    event: str,
    progress: Callable[[str], Progress | None] | None = None,
    *,
    semantic: bool = True,
    weights: dict[str, Any] | None = None,
) -> BatchResult:
    """Recompute one event's matches in its own unit of work, reporting each group on stderr; `weights`
    (`{pair_kind: {part: weight}}`) first replace the event's weights, in the same unit of work, as the
    command-line operator."""
    cache, cache_path = vector_cache(url_for_path(db)) if semantic else (None, None)
    if progress is None:

        def progress(label: str) -> Progress:
            return progress_bar(f"{event} {label}")

    with open_db(db) as session:
        found = get_event(session, slug=event)
        if weights is not None:
            settings.set_weights(session, event=found, actor=cli_actor(), data=weights)
        result = recompute_event(session, found, semantic=semantic, progress=progress, embedding_cache=cache)
    if cache is not None and cache_path is not None:
        cache.save(cache_path)
    for g in result.groups:
        state = "unchanged" if g.skipped else f"{g.kept} kept, {g.written} written, {g.removed} removed"
        click.echo(f"{g.group}: {g.left} × {g.right}: {state}", err=True)
    click.echo(f"{result.event}: {result.seconds:.1f} s", err=True)
    return result


def read_event_weights(path: str) -> dict[str, Any]:
    """Read an event's weights file, `{pair_kind: {part: weight}}`; its contents are checked by the caller."""
    name = os.path.basename(path)
    try:
        data: Any = json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except json.JSONDecodeError as exc:
        raise MatchingError(f"{name}: not valid JSON ({exc.msg}, line {exc.lineno})") from exc
    except UnicodeDecodeError as exc:
        raise MatchingError(f"{name}: not UTF-8 text ({exc.reason})") from exc
    if not isinstance(data, dict):
        raise MatchingError(f"{name}: expected a JSON object {{pair_kind: {{part: weight}}}}")
    return data


_existing = click.Path(exists=True, dir_okay=False)
_kind = click.Choice(sorted(PAIR_KINDS))
_agg = click.Choice(AGGREGATIONS)


@match.command()
@click.option("--left", "left_path", required=True, type=_existing, help="JSONL records of the left side.")
@click.option("--right", "right_path", required=True, type=_existing, help="JSONL records of the right side.")
@click.option("--output", required=True, type=click.Path(dir_okay=False), help="CSV file to write.")
@click.option("--top-k", type=click.IntRange(min=1), help="Keep the K best right records per left record.")
@click.option(
    "--kind", default="investor_project", show_default=True, type=_kind, help="Pair kind (weights)."
)
@click.option("--weights", "weights_path", type=_existing, help="JSON object overriding part weights.")
@click.option(
    "--aggregation", default="blend", show_default=True, type=_agg, help="Multi-document aggregation."
)
def score(
    left_path: str,
    right_path: str,
    output: str,
    top_k: int | None,
    kind: str,
    weights_path: str | None,
    aggregation: str,
) -> None:
    """Write left_id,right_id,score for every pair, or for the top K per left record."""
    try:
        left, right = read_profiles(left_path), read_profiles(right_path)
        engine = _engine(kind, weights_path, aggregation)
        engine.fit(left, right, progress_bar("embedding"))
        with open(output, "w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(["left_id", "right_id", "score"])
            if top_k is None:
                matrix = engine.score_matrix(left, right, progress_bar("scoring"))
                for i, lp in enumerate(left):
                    for j, rp in enumerate(right):
                        writer.writerow([lp.id, rp.id, f"{matrix[i, j]:.6f}"])
            else:
                ranked = engine.top_k(left, right, top_k, progress=progress_bar("scoring"))
                for lp, best in zip(left, ranked, strict=True):
                    for rid, value in best:
                        writer.writerow([lp.id, rid, f"{value:.6f}"])
    except (MatchingError, OSError) as exc:
        _fail(exc)


@match.command(name="explain")
@click.option("--left", "left_path", required=True, type=_existing, help="JSONL records of the left side.")
@click.option("--right", "right_path", required=True, type=_existing, help="JSONL records of the right side.")
@click.option("--left-id", required=True, help="Id of the left record.")
@click.option("--right-id", required=True, help="Id of the right record.")
@click.option("--lang", default="zh", show_default=True, type=click.Choice(["zh", "en"]))
@click.option(
    "--kind", default="investor_project", show_default=True, type=_kind, help="Pair kind (weights)."
)
@click.option("--weights", "weights_path", type=_existing, help="JSON object overriding part weights.")
@click.option(
    "--aggregation", default="blend", show_default=True, type=_agg, help="Multi-document aggregation."
)
def explain_command(
    left_path: str,
    right_path: str,
    left_id: str,
    right_id: str,
    lang: str,
    kind: str,
    weights_path: str | None,
    aggregation: str,
) -> None:
    """Explain one pair's score part by part, with the same corpus statistics as `score`."""
    try:
        left, right = read_profiles(left_path), read_profiles(right_path)
        lmap, rmap = {p.id: p for p in left}, {p.id: p for p in right}
        if left_id not in lmap:
            raise MatchingError(f"{os.path.basename(left_path)}: no record with id {left_id!r}")
        if right_id not in rmap:
            raise MatchingError(f"{os.path.basename(right_path)}: no record with id {right_id!r}")
        engine = _engine(kind, weights_path, aggregation)
        engine.fit(left, right, progress_bar("embedding"))
        affinity = engine.score_pair(lmap[left_id], rmap[right_id])
    except (MatchingError, OSError) as exc:
        _fail(exc)
    click.echo(explain(affinity, lang))
    for part in affinity.parts:
        reason = part.reason_zh if lang == "zh" else part.reason_en
        click.echo(
            f"  {part.name:<9} value {part.value:.3f}  weight {part.weight:.3f}  "
            f"contribution {part.contribution:+.3f}  {reason}"
        )
