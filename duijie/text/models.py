"""The search document of each searchable record (text, tokens, content hash, embedding vector), the data
version of the search index, and the documents removed since a version.

The lexical index is kept by the database itself from `tokens` (our own jieba tokens joined by spaces): an
FTS5 table on SQLite and a `tsvector` column with a GIN index on PostgreSQL, both filled by triggers created
in the migration and not declared here (`include_name` keeps the schema comparison off them). Every write to
a document takes the next `SearchState.seq`, so a process holding vectors compares one row with the version
it last read and loads only the documents written since.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from duijie.core.db import Base, utcnow

# Kept by the database from search_document.tokens (see the migration "0006_search_index").
FTS_TABLE = "search_fts"
FTS_SHADOW_SUFFIXES = ("_data", "_idx", "_content", "_docsize", "_config")
PG_TSV_COLUMN = "tsv"
PG_TSV_INDEX = "ix_search_document_tsv"


class SearchDocument(Base):
    """Kept in step with its record on every write, so restarts and re-indexing only embed changed text."""

    __tablename__ = "search_document"
    __table_args__ = (UniqueConstraint("kind", "record_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(24))
    record_id: Mapped[int] = mapped_column()
    event_id: Mapped[int | None] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text)
    tokens: Mapped[str] = mapped_column(Text)  # space-separated
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    model: Mapped[str | None] = mapped_column(String(60))
    vector: Mapped[bytes | None] = mapped_column(LargeBinary)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # The SearchState.seq of the write that last changed the text or the vector.
    seq: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0", index=True)


class SearchState(Base):
    """One row: the data version of the search index, advanced by every write to a document.

    `token` changes with `seq`, so a version read inside a transaction that is later rolled back never looks
    like the committed version that reuses its number. `generation` is drawn once when the row is made: files
    derived from the documents (the shared vector snapshot) name it, so a recreated database never reuses them.
    """

    __tablename__ = "search_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, default=0)
    token: Mapped[str] = mapped_column(String(32))
    generation: Mapped[str] = mapped_column(String(32))


class SearchRemoved(Base):
    """A document removed at `seq` (dropped again when its record is indexed anew): what a process whose
    vectors were read before `seq` must forget."""

    __tablename__ = "search_removed"

    kind: Mapped[str] = mapped_column(String(24), primary_key=True)
    record_id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, index=True)


def is_database_managed(name: str | None, type_: str, parent_names: dict[str, str | None]) -> bool:
    """The search index objects the database keeps itself (FTS5 tables, the tsvector column and its index)."""
    if name is None:
        return False
    if type_ == "table":
        return name == FTS_TABLE or any(name == FTS_TABLE + s for s in FTS_SHADOW_SUFFIXES)
    if type_ == "column":
        return name == PG_TSV_COLUMN and parent_names.get("table_name") == SearchDocument.__tablename__
    if type_ == "index":
        return name == PG_TSV_INDEX
    return False


def include_name(name: str | None, type_: str, parent_names: dict[str, str | None]) -> bool:
    """Alembic's `include_name`: compare every schema object but the search index the database keeps."""
    return not is_database_managed(name, type_, parent_names)
