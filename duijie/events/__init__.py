"""Forums, summits, contests and trading days; per-event settings and published figures."""

# The commands this package adds to `duijie` (name -> "module:attribute"), imported only when run.
COMMANDS: dict[str, str] = {
    "events": "duijie.events.cli:events",
}
