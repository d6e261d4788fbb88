"""Organisations, people, accounts and their roles."""

# The commands this package adds to `duijie` (name -> "module:attribute"), imported only when run.
COMMANDS: dict[str, str] = {
    "init": "duijie.directory.cli:init",
    "users": "duijie.directory.cli:users_group",
    "organisations": "duijie.directory.cli:organisations_group",
}
