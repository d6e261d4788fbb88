"""Search index in the database: data version, removed documents, FTS5 (SQLite) or tsvector + GIN (PostgreSQL)

Revision ID: 0006_search_index
Revises: 0005_jobs
Create Date: 2026-12-08 01:00:00

Every web process used to rebuild the whole search index in its own memory. Now the lexical index is kept by
the database from search_document.tokens (our own jieba tokens, so Chinese works without a database parser):
an external-content FTS5 table kept by triggers on SQLite; on PostgreSQL a tsvector column built from the same
tokens with their positions by a trigger, under a GIN index. `search_state` holds the data version every
document write advances, `search_document.seq` the version of each document's last write and `search_removed`
the documents dropped, so a process holding the vectors reloads only what changed.
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from alembic import op

revision = "0006_search_index"
down_revision = "0005_jobs"
branch_labels = None
depends_on = None

# FTS5 splits only on spaces (the text is our tokens joined by spaces); '.' and "'" stay inside tokens (3.5, o'neil),
# every non-ASCII character is a token character, and ASCII case is already folded by our tokenizer.
SQLITE = [
    "CREATE VIRTUAL TABLE search_fts USING fts5(tokens, content='search_document', content_rowid='id', "
    "tokenize=\"ascii tokenchars '.'''\")",
    "CREATE TRIGGER search_fts_ai AFTER INSERT ON search_document BEGIN "
    "INSERT INTO search_fts(rowid, tokens) VALUES (new.id, new.tokens); END",
    "CREATE TRIGGER search_fts_ad AFTER DELETE ON search_document BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, tokens) VALUES ('delete', old.id, old.tokens); END",
    "CREATE TRIGGER search_fts_au AFTER UPDATE OF tokens ON search_document BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, tokens) VALUES ('delete', old.id, old.tokens); "
    "INSERT INTO search_fts(rowid, tokens) VALUES (new.id, new.tokens); END",
    "INSERT INTO search_fts(search_fts) VALUES ('rebuild')",
]

# The tsvector is written literally from our tokens with their positions (1-based, capped at 16383), so the
# database's parser never splits a token again; 'simple' semantics, nothing stemmed.
POSTGRESQL = [
    "ALTER TABLE search_document ADD COLUMN tsv tsvector",
    """CREATE FUNCTION search_tokens_tsvector(tokens text) RETURNS tsvector LANGUAGE sql IMMUTABLE AS $$
        SELECT coalesce(
            string_agg('''' || replace(t, '''', '''''') || ''':' || least(i, 16383), ' ')::tsvector,
            ''::tsvector)
        FROM unnest(string_to_array(tokens, ' ')) WITH ORDINALITY AS u(t, i) WHERE t <> ''
    $$""",
    """CREATE FUNCTION search_document_tsv() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        NEW.tsv := search_tokens_tsvector(NEW.tokens);
        RETURN NEW;
    END
    $$""",
    "CREATE TRIGGER search_document_tsv BEFORE INSERT OR UPDATE OF tokens ON search_document "
    "FOR EACH ROW EXECUTE FUNCTION search_document_tsv()",
    "UPDATE search_document SET tsv = search_tokens_tsvector(tokens)",
    "CREATE INDEX ix_search_document_tsv ON search_document USING gin (tsv)",
]


def upgrade() -> None:
    with op.batch_alter_table("search_document") as batch:
        batch.add_column(sa.Column("seq", sa.BigInteger(), server_default="0", nullable=False))
        batch.create_index("ix_search_document_seq", ["seq"], unique=False)
    state = op.create_table(
        "search_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.Column("generation", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_state")),
    )
    op.bulk_insert(state, [{"id": 1, "seq": 0, "token": secrets.token_hex(16), "generation": secrets.token_hex(16)}])
    op.create_table(
        "search_removed",
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("kind", "record_id", name=op.f("pk_search_removed")),
    )
    op.create_index(op.f("ix_search_removed_seq"), "search_removed", ["seq"], unique=False)
    dialect = op.get_bind().dialect.name
    for statement in SQLITE if dialect == "sqlite" else POSTGRESQL if dialect == "postgresql" else []:
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for trigger in ("search_fts_ai", "search_fts_ad", "search_fts_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS search_fts")
    elif dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS search_document_tsv ON search_document")
        op.execute("DROP INDEX IF EXISTS ix_search_document_tsv")
        op.execute("ALTER TABLE search_document DROP COLUMN IF EXISTS tsv")
        op.execute("DROP FUNCTION IF EXISTS search_document_tsv()")
        op.execute("DROP FUNCTION IF EXISTS search_tokens_tsvector(text)")
    op.drop_index(op.f("ix_search_removed_seq"), table_name="search_removed")
    op.drop_table("search_removed")
    op.drop_table("search_state")
    with op.batch_alter_table("search_document") as batch:
        batch.drop_index("ix_search_document_seq")
        batch.drop_column("seq")
