"""The deal pipeline from lead to landing, with its history, tasks and spreadsheets."""

# The commands this package adds to `duijie` (name -> "module:attribute"), imported only when run.
COMMANDS: dict[str, str] = {
    "import": "duijie.deals.cli:import_sheet",
}
