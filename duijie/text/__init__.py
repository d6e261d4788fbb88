"""Pure text tools: repair, tokenisation, embeddings and search index structures (no feature imports)."""

# The commands this package adds to `duijie` (name -> "module:attribute"), imported only when run.
COMMANDS: dict[str, str] = {
    "text": "duijie.text.cli:text",
}
