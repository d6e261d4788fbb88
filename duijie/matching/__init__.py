"""The matchmaking engine: explained affinity between investors, projects, enterprises, judges and policies."""

# The commands this package adds to `duijie` (name -> "module:attribute"), imported only when run.
COMMANDS: dict[str, str] = {
    "match": "duijie.matching.cli:match",
}
