"""The `duijie` command line: one group whose sub-commands are imported only when run.

Importing every module on start-up would load the solvers, the embedding model and the web stack for
`duijie --help`; the lazy group keeps start-up instant and lets each feature module own its commands.
"""

from __future__ import annotations

import importlib
import importlib.util

import click

# name -> "module:attribute" of a click command or group.
SUBCOMMANDS: dict[str, str] = {
    "demo": "duijie.demo.cli:demo",
    "serve": "duijie.core.cli:serve",
    "migrate": "duijie.core.cli:migrate",
    "stats": "duijie.insight.cli:stats",
    "text": "duijie.text.cli:text",
    "meetings": "duijie.meetings.cli:meetings",
    "contest": "duijie.contest.cli:contest",
    "policies": "duijie.policies.cli:policies",
    "match": "duijie.matching.cli:match",
    "search": "duijie.text.search_cli:search",
    "import": "duijie.deals.cli:import_sheet",
    "export": "duijie.deals.cli:export_sheet",
}


class LazyGroup(click.Group):
    """A click group that imports a sub-command's module the first time it is used."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(name for name, target in SUBCOMMANDS.items() if importlib.util.find_spec(target.split(":")[0]))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = SUBCOMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attr = target.split(":")
        return getattr(importlib.import_module(module_name), attr)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="duijie")
def main() -> None:
    """duijie (对接): projects, matchmaking, meetings, deals, policies and contests for an innovation forum."""


if __name__ == "__main__":
    main()
