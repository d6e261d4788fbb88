"""Published figures, dashboards, the industry map and exports over the features."""

# The commands this package adds to `duijie` (name -> "module:attribute"), imported only when run.
COMMANDS: dict[str, str] = {
    "stats": "duijie.insight.cli:stats",
    "export": "duijie.insight.cli:export_sheet",
}
