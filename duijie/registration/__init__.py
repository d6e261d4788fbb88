"""Registration for the forum and its sessions: categories with capacities, approval, consent, a first-come
waiting list with claim deadlines, signed badges and check-in at the door."""

# The commands this package adds to `duijie` (name -> "module:attribute"), imported only when run.
COMMANDS: dict[str, str] = {
    "registration": "duijie.registration.cli:registration",
}
