"""Exhibitors, booths and achievement releases."""

# The commands this package adds to `duijie` (name -> "module:attribute"), imported only when run.
COMMANDS: dict[str, str] = {
    "exhibition": "duijie.exhibition.cli:exhibition",
}
