"""Policy service packages: rules as data, evaluation with reasons, suggestions and outreach."""

# The commands this package adds to `duijie` (name -> "module:attribute"), imported only when run.
COMMANDS: dict[str, str] = {
    "policies": "duijie.policies.cli:policies",
}
