"""The ground floor: database, errors, i18n, the acting user, permissions, web glue, jobs, sheets, hooks."""

# The commands this package adds to `duijie` (name -> "module:attribute"), imported only when run.
COMMANDS: dict[str, str] = {
    "serve": "duijie.core.cli:serve",
    "migrate": "duijie.core.cli:migrate",
    "backup": "duijie.core.backup_cli:backup_command",
    "restore": "duijie.core.backup_cli:restore_command",
    "worker": "duijie.core.worker:worker",
    "mail": "duijie.core.mail_cli:mail_group",
}
