"""The forum's programme: sessions, rooms, speakers."""

# The commands this package adds to `duijie` (name -> "module:attribute"), imported only when run.
COMMANDS: dict[str, str] = {
    "agenda": "duijie.agenda.cli:agenda",
}
