"""1:1 meetings: requests, availability, the scheduler and its outputs."""

# The commands this package adds to `duijie` (name -> "module:attribute"), imported only when run.
COMMANDS: dict[str, str] = {
    "meetings": "duijie.meetings.cli:meetings",
}
