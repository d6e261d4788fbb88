"""The `duijie contest` commands: judge assignment and score normalisation on plain CSV files.

File formats (no header, UTF-8, comma-separated), compatible in spirit with the conference matchers:

* scores.csv / judged.csv: ``entry_id,judge_id,score``
* conflicts.csv: ``entry_id,judge_id``
* assignment.csv (output): ``entry_id,judge_id,score``
* normalised.csv (output): ``entry_id,judge_id,raw_score,normalised_score``

``reassign`` reads a current assignment.csv, drops one judge and fills only that judge's slots.

A pair missing from scores.csv has no known affinity and is never assigned, unless ``--missing-score X``
gives such pairs affinity X. Conflicts naming an entry or judge absent from scores.csv are ignored.
"""

from __future__ import annotations

import csv
import io
import math
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import click

from duijie.contest.assignment import assign, reassign
from duijie.contest.assignment_types import AffinityTable, Assignment
from duijie.contest.scoring import Score, normalise_scores, rank
from duijie.contest.scoring import rank_items as build_rank_items
from duijie.core.errors import DomainError


class CsvError(DomainError):
    """A bad row in an input file, named by file, row and column."""


def _rows(path: Path, columns: tuple[str, ...]) -> Iterator[tuple[int, list[str]]]:
    """Non-empty rows of a header-less CSV with exactly the expected columns."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CsvError(f"{path.name}: not UTF-8 text (byte {exc.start}); save the file as UTF-8") from exc
    with io.StringIO(text, newline="") as fh:
        for number, row in enumerate(csv.reader(fh), start=1):
            if not row or all(not cell.strip() for cell in row):
                continue
            if len(row) != len(columns):
                raise CsvError(
                    f"{path.name} row {number}: expected {len(columns)} columns ({','.join(columns)}), "
                    f"got {len(row)}"
                )
            cells = [cell.strip() for cell in row]
            for name, cell in zip(columns, cells, strict=True):
                if not cell:
                    raise CsvError(f"{path.name} row {number} column {name}: empty")
            yield number, cells


def _number(path: Path, number: int, column: str, text: str) -> float:
    """Parse a numeric cell, naming file, row and column when it is not a finite number."""
    try:
        value = float(text)
    except ValueError:
        raise CsvError(f"{path.name} row {number} column {column}: {text!r} is not a number") from None
    if not math.isfinite(value):
        raise CsvError(f"{path.name} row {number} column {column}: {text!r} is not a finite number")
    return value


def read_scores(path: Path) -> list[tuple[str, str, float]]:
    """Rows entry_id,judge_id,score of a scores file, each checked."""
    seen: dict[tuple[str, str], int] = {}
    out: list[tuple[str, str, float]] = []
    for number, (entry, judge, score) in _rows(path, ("entry_id", "judge_id", "score")):
        if (entry, judge) in seen:
            first = seen[(entry, judge)]
            raise CsvError(f"{path.name} row {number}: pair ({entry}, {judge}) already given in row {first}")
        seen[(entry, judge)] = number
        out.append((entry, judge, _number(path, number, "score", score)))
    if not out:
        raise CsvError(f"{path.name}: no rows")
    return out


def read_conflicts(path: Path) -> list[tuple[str, str]]:
    """Rows entry_id,judge_id of a conflicts file."""
    return [(entry, judge) for _, (entry, judge) in _rows(path, ("entry_id", "judge_id"))]


def read_affinities(path: Path, *, missing_score: float | None = None) -> AffinityTable:
    """Stream a (possibly dense, millions of rows) scores file straight into an affinity table."""
    numbers: list[int] = []

    def rows() -> Iterator[tuple[str, str, float]]:
        for number, (entry, judge, score) in _rows(path, ("entry_id", "judge_id", "score")):
            numbers.append(number)
            yield entry, judge, _number(path, number, "score", score)

    table = AffinityTable.from_rows(
        rows(), missing_score=missing_score, source=path.name, row_numbers=numbers
    )
    if not table.entries:
        raise CsvError(f"{path.name}: no rows")
    return table


def _summary(result: Assignment, seconds: float) -> str:
    """The human-readable summary printed on stderr after an assignment."""
    cert = result.certificate
    low, high = result.load_range
    status = "exact" if cert.exact else f"proven upper bound {cert.upper_bound:.6f} (gap {cert.gap:.6g})"
    label = "total affinity" if cert.objective == "total" else "worst entry's total affinity"
    return "\n".join(
        [
            f"objective: {cert.objective} ({cert.method})",
            f"{label}: {cert.value:.6f}, {status}",
            f"certificate: {cert.detail}; resolution {cert.resolution:.3g}",
            f"pairs: {len(result.pairs)}, total affinity {result.total_affinity:.6f}",
            f"affinity per pair: mean {result.mean_affinity:.6f}, min {result.min_affinity:.6f}; "
            f"worst entry total {result.min_entry_total:.6f}",
            f"load per judge: {low}..{high}",
            f"time: {seconds:.2f} s",
        ]
    )


@click.group(name="contest")
def contest() -> None:
    """Contest judge assignment and score normalisation on files."""


@contest.command(name="assign")
@click.option(
    "--scores",
    "scores_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="entry_id,judge_id,score rows (affinities), no header.",
)
@click.option(
    "--conflicts",
    "conflicts_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="entry_id,judge_id rows that must never be assigned, no header.",
)
@click.option("--judges-per-entry", "k", required=True, type=int, help="Judges each entry gets (k).")
@click.option("--max-per-judge", "max_per_judge", required=True, type=int, help="Most entries per judge (L).")
@click.option(
    "--min-per-judge",
    "min_per_judge",
    default=0,
    show_default=True,
    type=int,
    help="Fewest entries per judge (M).",
)
@click.option(
    "--objective",
    type=click.Choice(["total", "fair"]),
    default="total",
    show_default=True,
    help="total: maximise summed affinity; fair: maximise the worst-off entry's total, then the total.",
)
@click.option(
    "--missing-score",
    type=float,
    default=None,
    help="Affinity for pairs absent from the scores file; without it such pairs are never assigned.",
)
@click.option(
    "--output",
    "output_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write entry_id,judge_id,score rows.",
)
def assign_command(
    scores_path: Path,
    conflicts_path: Path | None,
    k: int,
    max_per_judge: int,
    min_per_judge: int,
    objective: str,
    missing_score: float | None,
    output_path: Path,
) -> None:
    """Assign k judges to every entry, at most L (at least M) per judge, never a conflicted pair."""
    started = time.perf_counter()
    try:
        if missing_score is not None and not math.isfinite(missing_score):
            raise CsvError("--missing-score must be a finite number")
        table = read_affinities(scores_path, missing_score=missing_score)
        conflicts = read_conflicts(conflicts_path) if conflicts_path else []
        result = assign(
            table,
            judges_per_entry=k,
            max_per_judge=max_per_judge,
            min_per_judge=min_per_judge,
            conflicts=conflicts,
            objective="fair" if objective == "fair" else "total",
        )
    except DomainError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    _write_pairs(output_path, result.pairs)
    click.echo(_summary(result, time.perf_counter() - started), err=True)


def _write_pairs(path: Path, pairs: tuple[tuple[str, str, float], ...]) -> None:
    """Write entry_id,judge_id,score rows, the format both assign and reassign produce."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        for entry, judge, score in pairs:
            writer.writerow([entry, judge, repr(score)])


@contest.command(name="reassign")
@click.option(
    "--scores",
    "scores_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="entry_id,judge_id,score rows (affinities), no header.",
)
@click.option(
    "--conflicts",
    "conflicts_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="entry_id,judge_id rows that must never be assigned, no header.",
)
@click.option(
    "--assignment",
    "assignment_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The current entry_id,judge_id,score rows, as assign wrote them.",
)
@click.option("--drop-judge", "dropped", required=True, help="The judge who dropped out.")
@click.option("--judges-per-entry", "k", required=True, type=int, help="Judges each entry gets (k).")
@click.option("--max-per-judge", "max_per_judge", required=True, type=int, help="Most entries per judge (L).")
@click.option(
    "--min-per-judge",
    "min_per_judge",
    default=0,
    show_default=True,
    type=int,
    help="Fewest entries per judge (M).",
)
@click.option(
    "--missing-score",
    type=float,
    default=None,
    help="Affinity for pairs absent from the scores file; without it such pairs are never assigned.",
)
@click.option(
    "--output",
    "output_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the repaired entry_id,judge_id,score rows.",
)
def reassign_command(
    scores_path: Path,
    conflicts_path: Path | None,
    assignment_path: Path,
    dropped: str,
    k: int,
    max_per_judge: int,
    min_per_judge: int,
    missing_score: float | None,
    output_path: Path,
) -> None:
    """Replace a judge who dropped out: every other pair stays, only the freed slots are filled."""
    started = time.perf_counter()
    try:
        table = read_affinities(scores_path, missing_score=missing_score)
        conflicts = read_conflicts(conflicts_path) if conflicts_path else []
        current = [(e, j) for _, (e, j, _s) in _rows(assignment_path, ("entry_id", "judge_id", "score"))]
        result = reassign(
            table,
            current,
            dropped_judge=dropped,
            judges_per_entry=k,
            max_per_judge=max_per_judge,
            min_per_judge=min_per_judge,
            conflicts=conflicts,
        )
    except DomainError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    _write_pairs(output_path, result.assignment.pairs)
    lines = [f"removed: {len(result.removed)} pairs of judge {dropped}; added: {len(result.added)} pairs"]
    lines += [f"  {entry} -> {judge} ({score:.6g})" for entry, judge, score in result.added]
    lines.append(_summary(result.assignment, time.perf_counter() - started))
    click.echo("\n".join(lines), err=True)


@contest.command(name="normalize")
@click.option(
    "--scores",
    "scores_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="entry_id,judge_id,score rows of submitted scores, no header.",
)
@click.option(
    "--output",
    "output_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write entry_id,judge_id,raw_score,normalised_score rows.",
)
@click.option(
    "--method",
    type=click.Choice(["zscore", "bias"]),
    default="bias",
    show_default=True,
    help="zscore: per-judge standardisation; bias: least-squares entry quality + judge offset.",
)
@click.option(
    "--entries-output",
    "entries_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write entry_id,raw_mean,normalised_score,rank rows, best first.",
)
def normalize_command(scores_path: Path, output_path: Path, method: str, entries_path: Path | None) -> None:
    """Put judges on one scale (a harsh 6 counts like a lenient 8); raw and normalised side by side."""
    try:
        scores = [Score(e, j, s) for e, j, s in read_scores(scores_path)]
        result = normalise_scores(scores, method="zscore" if method == "zscore" else "bias")
    except DomainError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    with output_path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        for s in result.scores:
            writer.writerow([s.entry_id, s.judge_id, repr(s.raw), repr(round(s.normalised, 12))])
    if entries_path is not None:
        ranking = rank(build_rank_items(result, dict.fromkeys(result.entries, ""), {}))[""]
        with entries_path.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            for r in ranking:
                writer.writerow(
                    [r.entry_id, repr(round(r.raw_mean, 12)), repr(round(r.normalised, 12)), r.rank]
                )
    offsets = sorted(result.judge_offsets.values())
    click.echo(
        f"method: {method}; {len(result.scores)} scores, {len(result.entries)} entries, "
        f"{len(result.judge_offsets)} judges; judge offsets {offsets[0]:.3f}..{offsets[-1]:.3f}",
        err=True,
    )


@contest.group(name="judges")
def judges_group() -> None:
    """An edition's judges in the database: invite (add) and list."""


def _judges_db(db_path: str | None) -> str:
    from duijie.config import get_settings
    from duijie.core.db import url_for_path
    from duijie.core.registry import load_all_models

    load_all_models()
    return url_for_path(db_path) if db_path else get_settings().database_url


@judges_group.command(name="add")
@click.option("--db", "db_path", default=None, help="SQLite file or database URL (default: DUIJIE_DATABASE_URL).")
@click.option("--event", "slug", required=True, help="The contest edition (slug).")
@click.option("--email", required=True, help="The judge's e-mail; the invitation goes there.")
@click.option("--name", default=None, help="The judge's name, to greet them.")
@click.option("--expertise", default=None, help="Fields and keywords of the judge's expertise.")
@click.option("--organisation", default=None, help="The judge's affiliation (organisation slug).")
@click.option("--tie", "ties", multiple=True, help="A tie: 'employment|investment | organisation | start | end'.")
@click.option("--locale", type=click.Choice(["zh_CN", "en"]), default=None, help="Language of the mail.")
def judges_add(
    db_path: str | None, slug: str, email: str, name: str | None, expertise: str | None,
    organisation: str | None, ties: tuple[str, ...], locale: str | None,
) -> None:  # fmt: skip
    """Invite a judge to the edition by e-mail, with expertise, affiliation and ties (no prompt)."""
    from duijie.contest.domain.judge_setup import invite_judge
    from duijie.contest.domain.judges import parse_ties
    from duijie.core.cli_support import cli_actor, open_db
    from duijie.events.service import get_event

    with open_db(_judges_db(db_path)) as db:
        event = get_event(db, slug=slug, kind="contest")
        judge = invite_judge(
            db, actor=cli_actor(), event=event, email=email, name=name, expertise=expertise,
            organisation=organisation, ties=parse_ties("\n".join(ties)), locale=locale,
        )  # fmt: skip
        click.echo(f"judge {judge.id} invited: {email}")


@judges_group.command(name="list")
@click.option("--db", "db_path", default=None, help="SQLite file or database URL (default: DUIJIE_DATABASE_URL).")
@click.option("--event", "slug", required=True, help="The contest edition (slug).")
def judges_list(db_path: str | None, slug: str) -> None:
    """The edition's judges, one per line: id, e-mail, state, submitted scores, affiliation, expertise."""
    from duijie.contest.domain.judge_setup import list_judges
    from duijie.core.cli_support import open_db
    from duijie.events.service import get_event

    with open_db(_judges_db(db_path)) as db:
        event = get_event(db, slug=slug, kind="contest")
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(["id", "email", "name", "state", "submitted", "organisation", "expertise"])
        for r in list_judges(db, event=event):
            writer.writerow([
                r.judge.id, r.person.email or "", r.person.name_zh, r.state, r.submitted,
                r.organisation.slug if r.organisation else "", r.judge.expertise or "",
            ])  # fmt: skip


@contest.group(name="conflicts")
def conflicts_group() -> None:
    """An edition's stored conflicts of interest: list them and withdraw a declared one."""


@conflicts_group.command(name="list")
@click.option("--db", "db_path", default=None, help="SQLite file or database URL (default: DUIJIE_DATABASE_URL).")
@click.option("--event", "slug", required=True, help="The contest edition (slug).")
def conflicts_list(db_path: str | None, slug: str) -> None:
    """The edition's conflicts, one per line: id, judge, entry number, source (declared/detected), reason."""
    from sqlalchemy import select

    from duijie.contest.models import Conflict, ContestEntry, Judge
    from duijie.core.cli_support import open_db
    from duijie.events.service import get_event

    with open_db(_judges_db(db_path)) as db:
        event = get_event(db, slug=slug, kind="contest")
        rows = db.execute(
            select(Conflict, ContestEntry.code)
            .join(Judge, Conflict.judge_id == Judge.id)
            .join(ContestEntry, Conflict.entry_id == ContestEntry.id)
            .where(Judge.event_id == event.id)
            .order_by(Conflict.judge_id, ContestEntry.code)
        ).all()
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(["id", "judge", "entry", "source", "reason"])
        for conflict, code in rows:
            writer.writerow([conflict.id, conflict.judge_id, code, conflict.source, conflict.reason])


@conflicts_group.command(name="withdraw")
@click.option("--db", "db_path", default=None, help="SQLite file or database URL (default: DUIJIE_DATABASE_URL).")
@click.option("--event", "slug", required=True, help="The contest edition (slug).")
@click.option("--judge", "judge_id", type=int, required=True, help="The judge's number (see `judges list`).")
@click.option("--entry", "code", required=True, help="The entry's number, such as FC7-0001.")
@click.option("--lang", type=click.Choice(["zh_CN", "en"]), default="zh_CN", show_default=True, help="Language of the messages.")
def conflicts_withdraw(db_path: str | None, slug: str, judge_id: int, code: str, lang: str) -> None:
    """Withdraw the conflict declared between a judge and an entry; the next assignment run may pair them."""
    from sqlalchemy import select

    from duijie.contest.domain.conflicts import withdraw_conflict
    from duijie.contest.domain.entries import entry_by_code
    from duijie.contest.domain.judge_setup import judge_in
    from duijie.contest.models import Conflict
    from duijie.core.cli_support import cli_actor, open_db
    from duijie.core.errors import DomainError
    from duijie.core.i18n import gettext as _
    from duijie.core.i18n import reset_locale, set_locale
    from duijie.events.service import get_event

    token = set_locale(lang)
    try:
        with open_db(_judges_db(db_path)) as db:
            try:
                event = get_event(db, slug=slug, kind="contest")
                judge = judge_in(db, event=event, id=judge_id)
                entry = entry_by_code(db, event=event, code=code)
                conflict = (
                    db.scalar(select(Conflict).where(Conflict.judge_id == judge.id, Conflict.entry_id == entry.id))
                    if entry is not None
                    else None
                )
                if conflict is None:
                    raise DomainError(
                        _("Judge %(judge)s has no conflict with entry %(code)s.") % {"judge": judge_id, "code": code},
                        field="entry",
                    )
                withdraw_conflict(db, actor=cli_actor(), event=event, conflict=conflict)
            except DomainError as exc:
                db.rollback()
                click.echo(f"error: {exc.message}", err=True)
                sys.exit(1)
    finally:
        reset_locale(token)
    click.echo(f"withdrawn: judge {judge_id} · {code}")
