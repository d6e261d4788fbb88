"""The `text` command group: normalise, tokenise, embed and search plain files from the command line."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from typing import IO, cast

import click


class TextInputError(ValueError):
    """Input a text command cannot use; the message names the file, line or field to fix."""


def _fail(message: str) -> None:
    """Print a domain error without a traceback and exit with status 2."""
    click.echo(f"error: {message}", err=True)
    raise SystemExit(2)


def _name(stream: IO[bytes]) -> str:
    """How to refer to an input in an error message."""
    name = getattr(stream, "name", "<stdin>")
    return "stdin" if name in ("<stdin>", "-") or not isinstance(name, str) else name


def _read_text(stream: IO[bytes], name: str) -> str:
    """Decode UTF-8 input, naming the byte offset of the first invalid sequence."""
    data = stream.read()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TextInputError(f"{name}: not UTF-8 at byte {exc.start}") from exc


def _write_text(stream: IO[bytes], text: str) -> None:
    """Write UTF-8 whatever the terminal's locale says."""
    stream.write(text.encode("utf-8"))
    stream.flush()


def _read_records(stream: IO[bytes], name: str) -> Iterator[tuple[str, str]]:
    """Read JSON lines with "id" and "text" fields (as exported records are)."""
    for lineno, line in enumerate(_read_text(stream, name).splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise TextInputError(f"{name} line {lineno}: not valid JSON ({exc.msg})") from exc
        if not isinstance(row, dict):
            raise TextInputError(f"{name} line {lineno}: expected an object with 'id' and 'text'")
        for field in ("id", "text"):
            if not isinstance(row.get(field), str) or not row[field]:
                raise TextInputError(f"{name} line {lineno}: field '{field}' must be a non-empty string")
        yield row["id"], row["text"]


@click.group(name="text")
def text() -> None:
    """Chinese/English text tools: normalise documents, inspect tokens, embed and search records in files."""


@text.command(name="normalize")
@click.option("--drop-captions", is_flag=True, help="Also remove photo captions, credits and bylines.")
@click.argument("source", type=click.File("rb"), default="-")
@click.argument("target", type=click.File("wb"), default="-")
def normalize_cmd(drop_captions: bool, source: IO[bytes], target: IO[bytes]) -> None:
    """Repair a document (Traditional → Simplified, pinyin glosses, widths, column breaks)."""
    from duijie.text.normalize import normalize

    try:
        raw = _read_text(source, _name(source))
    except TextInputError as exc:
        _fail(str(exc))
    result = normalize(raw, drop_captions=drop_captions)
    _write_text(target, result + ("\n" if result else ""))


@text.command(name="tokenize")
@click.argument("source", type=click.File("rb"), default="-")
@click.argument("target", type=click.File("wb"), default="-")
def tokenize_cmd(source: IO[bytes], target: IO[bytes]) -> None:
    """Print the search tokens of each input line, space-separated, one output line per input line."""
    from duijie.text.tokenize import tokenize

    try:
        raw = _read_text(source, _name(source))
    except TextInputError as exc:
        _fail(str(exc))
    out = "".join(" ".join(tokenize(line)) + "\n" for line in raw.splitlines())
    _write_text(target, out)


@text.command(name="search")
@click.argument("records", type=click.File("rb"))
@click.argument("query")
@click.option("-k", "--top", "k", type=click.IntRange(1, 1000), default=10, show_default=True)
@click.option(
    "--mode", type=click.Choice(["hybrid", "lexical", "dense"]), default="hybrid", show_default=True
)
def search_cmd(records: IO[bytes], query: str, k: int, mode: str) -> None:
    """Search RECORDS (JSON lines with "id" and "text") for QUERY and print the hits as JSON lines."""
    from duijie.text.search import HybridIndex, Mode, SearchError

    try:
        rows = list(_read_records(records, _name(records)))
    except TextInputError as exc:
        _fail(str(exc))
    embedder = None
    if mode != "lexical":
        from duijie.text.embed import get_embedder

        embedder = get_embedder()
    index = HybridIndex(embedder)
    texts = dict(rows)
    if embedder is not None:
        from duijie.text.embed import EmbeddingCache, embed_with_cache

        vectors = embed_with_cache(embedder, list(texts.values()), EmbeddingCache(embedder.dim))
        for (doc_id, body), vector in zip(texts.items(), vectors, strict=True):
            index.upsert(doc_id, body, vector=vector)
    else:
        for doc_id, body in texts.items():
            index.upsert(doc_id, body)
    try:
        hits = index.search(query, k=k, mode=cast(Mode, mode))
    except SearchError as exc:
        _fail(str(exc))
    for hit in hits:
        row = {
            "id": hit.doc_id,
            "score": round(hit.score, 6),
            "lexical_rank": hit.lexical_rank,
            "dense_rank": hit.dense_rank,
            "snippet": index.snippet(texts[hit.doc_id], query),
        }
        sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
