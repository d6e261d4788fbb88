"""The technology contest: fields, rounds, entries, judges, conflicts, assignment, scores, rankings, awards."""

# The commands this package adds to `duijie` (name -> "module:attribute"), imported only when run.
COMMANDS: dict[str, str] = {
    "contest": "duijie.contest.cli:contest",
}
