"""Pure text tools: repair, tokenisation, embeddings and search index structures, plus site search for now."""

# The commands this package adds to `duijie` (name -> "module:attribute"), imported only when run.
COMMANDS: dict[str, str] = {
    "text": "duijie.text.cli:text",
    "search": "duijie.text.search_cli:search",
}
