"""The demo run: builds the demo database by calling every package's demo, phase by phase (`builder.py`)."""

# The commands this package adds to `duijie` (name -> "module:attribute"), imported only when run.
COMMANDS: dict[str, str] = {
    "demo": "duijie.demo.cli:demo",
}
