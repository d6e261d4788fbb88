"""`duijie search`: the search of the web page on the command line, as text or JSON."""

from __future__ import annotations

import html
import json
import re
import sys
from typing import cast

import click

from duijie.core.cli_support import lang_option
from duijie.core.db import url_for_path
from duijie.text.search import Mode


def _plain(snippet: str, *, colour: bool) -> str:
    """A snippet's <mark> as bold on a terminal, as **word** otherwise."""
    on, off = ("\x1b[1m", "\x1b[0m") if colour else ("**", "**")
    return html.unescape(re.sub(r"</?mark>", lambda m: off if m.group().startswith("</") else on, snippet))


@click.command()
@click.argument("query")
@click.option("--db", "db_path", required=True, help="SQLite file or database URL.")
@click.option(
    "--kind", default=None, help="opportunity, organisation, package, policy, achievement, exhibitor, session"
)
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, 100), help="Hits per kind.")
@click.option(
    "--mode", type=click.Choice(["hybrid", "lexical", "dense"]), default="hybrid", show_default=True
)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@lang_option(help="Language of the results and messages.")
@click.option("--reindex", is_flag=True, help="Bring the search documents in step with the records first.")
@click.option("--embed", is_flag=True, help="With --reindex: also embed documents that have no vector yet.")
def search(
    query: str,
    db_path: str,
    kind: str | None,
    limit: int,
    mode: str,
    fmt: str,
    lang: str,
    reindex: bool,
    embed: bool,
) -> None:
    """Search projects, organisations, policies, achievements, exhibitors and sessions in Chinese or English."""
    from duijie.core import i18n
    from duijie.core.db import make_engine, make_sessionmaker, unit_of_work
    from duijie.core.errors import DomainError
    from duijie.core.searchable import SearchFilters
    from duijie.search import indexing
    from duijie.search import service as search_service

    token = i18n.set_locale(lang)
    engine = make_engine(url_for_path(db_path))
    factory = make_sessionmaker(engine)
    try:
        if reindex:
            with (
                unit_of_work(factory) as db,
                click.progressbar(length=1, label="indexing", file=sys.stderr) as bar,
            ):

                def progress(done: int, total: int) -> None:
                    bar.length = total
                    bar.update(done - bar.pos)

                embedder = None
                if embed:
                    from duijie.text.embed import get_embedder

                    embedder = get_embedder()
                report = indexing.reindex(db, embedder=embedder, progress=progress, embed_progress=progress)
            click.echo(
                f"{report.records} records: {report.added} added, {report.changed} changed, "
                f"{report.unchanged} unchanged, {report.removed} removed, {report.embedded} embedded, "
                f"{report.missing_vectors} without a vector",
                err=True,
            )
        with unit_of_work(factory) as db:
            try:
                results = search_service.search(
                    db,
                    query=query,
                    filters=SearchFilters(kind=kind),
                    mode=cast(Mode, mode),
                    limit=limit,
                )
            except DomainError as exc:
                raise click.UsageError(exc.message) from exc
    finally:
        engine.dispose()
        i18n.reset_locale(token)
    if fmt == "json":
        click.echo(json.dumps(results.as_dict(), ensure_ascii=False, indent=2))
        return
    colour = sys.stdout.isatty()
    if not results.groups:
        click.echo("no results" if lang == "en" else "没有结果")
    for group, hits in results.groups.items():
        click.echo(f"== {group} ({results.counts[group]})")
        for hit in hits:
            click.echo(f"  {hit.score:.3f}  {hit.title}  [{hit.url}]")
            click.echo(f"         {_plain(hit.snippet, colour=colour)}")
