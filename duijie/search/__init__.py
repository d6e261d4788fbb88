"""Site-wide search: every module registers its searchable records; this package indexes and serves them."""

# The commands this package adds to `duijie` (name -> "module:attribute"), imported only when run.
COMMANDS: dict[str, str] = {
    "search": "duijie.search.cli:search",
}
