"""The `duijie` command line: one group whose sub-commands are imported only when run.

Importing every module on start-up would load the solvers, the embedding model and the web stack for
`duijie --help`; the lazy group keeps start-up instant. Each package names its commands in its `__init__.py`
(`COMMANDS`), so a module brings its commands without touching this file.
"""

from __future__ import annotations

import importlib
import importlib.util

import click

from duijie.modules import PACKAGES


def subcommands() -> dict[str, str]:
    """name -> "module:attribute" of a click command or group, from every declared package."""
    found: dict[str, str] = {}
    for package in PACKAGES:
        declared = getattr(importlib.import_module(f"duijie.{package}"), "COMMANDS", {})
        for name, target in declared.items():
            if name in found:
                raise RuntimeError(f"command {name!r} is declared by two packages")
            found[name] = target
    return found


class LazyGroup(click.Group):
    """A click group that imports a sub-command's module the first time it is used."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(
            name for name, target in subcommands().items() if importlib.util.find_spec(target.split(":")[0])
        )

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = subcommands().get(cmd_name)
        if target is None:
            return None
        module_name, attr = target.split(":")
        command: click.Command = getattr(importlib.import_module(module_name), attr)
        return command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="duijie")
def main() -> None:
    """duijie (对接): projects, matchmaking, meetings, deals, policies and contests for an innovation forum."""


if __name__ == "__main__":
    main()
