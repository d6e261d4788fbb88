"""`duijie agenda check`: the conflict checker on a JSON file, outside the platform.

Scriptable: every value is an option, nothing is asked. The conflicts go to the output file (or stdout), and one
line in words to stderr says how many of each rule were found. A file that cannot be read as a schedule prints
one line per problem naming its place (`sessions[3].end: …`) in the language chosen with `--lang` and exits 1;
a missing or unreadable file exits 2. With `--explain`, each conflict is also said in a sentence, using the
`title` of sessions and the `name` of rooms and people when the file gives them.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import click

from duijie.agenda.conflicts import (
    RULE_LABELS,
    Conflict,
    Id,
    InputError,
    Rule,
    check,
    describe,
    dump_json,
    load_json,
)
from duijie.core.cli_support import lang_option
from duijie.core.errors import ErrorDetail
from duijie.core.i18n import gettext as _
from duijie.core.i18n import is_zh, ngettext, speaking

INPUT_HELP = (
    'JSON: {"rooms": [{"id", "capacity", "open": [[start, end], ...]}], "people": [{"id", "available": '
    '[[start, end], ...]}], "sessions": [{"id", "room", "start", "end", "people": [ids], "expected": n}]}; '
    "ISO 8601 times with offsets; no open/available means always."
)


class _Exit(Exception):
    """Leaves the command with a status after its messages are printed."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


def _say(where: str | None, message: str) -> None:
    """One problem on one line of stderr, naming its place."""
    if where:
        click.echo(_("error: %(where)s: %(message)s") % {"where": where, "message": message}, err=True)
    else:
        click.echo(_("error: %(message)s") % {"message": message}, err=True)


def _read(path: Path) -> Any:
    """The input file's JSON; a missing or unreadable file exits 2, text that is not JSON exits 1."""
    try:
        text = path.read_bytes()
    except FileNotFoundError:
        _say(str(path), _("No such file."))
        raise _Exit(2) from None
    except OSError as exc:
        _say(str(path), _("The file cannot be read (%(reason)s).") % {"reason": exc.strerror or exc})
        raise _Exit(2) from None
    try:
        return json.loads(text.decode("utf-8"))
    except UnicodeDecodeError as exc:
        _say(str(path), _("Not UTF-8 text (byte %(byte)s); save the file as UTF-8.") % {"byte": exc.start})
    except json.JSONDecodeError as exc:
        _say(
            f"{path}:{exc.lineno}:{exc.colno}",
            _("Not valid JSON at line %(line)s, column %(column)s (%(reason)s).")
            % {"line": exc.lineno, "column": exc.colno, "reason": exc.msg},
        )
    raise _Exit(1)


def _render(output: dict[str, Any]) -> str:
    """The output JSON with one conflict per line, so the file reads (and greps) well."""
    lines = [json.dumps(entry, ensure_ascii=False) for entry in output["conflicts"]]
    if not lines:
        return '{"conflicts": []}\n'
    return '{"conflicts": [\n ' + ",\n ".join(lines) + "\n]}\n"


def summary(conflicts: list[Conflict]) -> str:
    """One line in words: how many conflicts, and how many of each rule, in the current language."""
    if not conflicts:
        return _("No conflicts.")
    counts = Counter(conflict.rule for conflict in conflicts)
    parts = [
        _("%(num)s %(rule)s") % {"num": counts[rule], "rule": _(RULE_LABELS[rule]) if is_zh() else rule.value}
        for rule in Rule
        if counts[rule]
    ]
    return ngettext("%(num)s conflict: %(parts)s", "%(num)s conflicts: %(parts)s", len(conflicts)) % {
        "num": len(conflicts),
        "parts": ("，" if is_zh() else ", ").join(parts),
    }


def _names(data: Any, part: str, key: str) -> dict[Id, str]:
    """id -> the name the file gives (`title` of sessions, `name` of rooms and people), for `--explain`."""
    found: dict[Id, str] = {}
    for item in data.get(part) or []:
        if isinstance(item.get(key), str) and item[key].strip():
            found[item["id"]] = item[key]
    return found


@click.group(name="agenda")
def agenda() -> None:
    """The forum's programme: check a schedule for conflicts."""


@agenda.command(name="check")
@click.option("--input", "input_path", required=True, type=click.Path(dir_okay=False, path_type=Path), help=INPUT_HELP)
@click.option(
    "--output",
    "output_path",
    default="-",
    show_default=True,
    help='Where to write {"conflicts": [{"rule", "sessions", "person" | "room"}]}; - for stdout.',
)
@lang_option()
@click.option("--explain", is_flag=True, help="Also say each conflict in a sentence on stderr.")
def check_command(input_path: Path, output_path: str, lang: str, explain: bool) -> None:
    """Find people and rooms booked twice, sessions outside their room's hours or over its capacity, and
    people booked outside their availability."""
    with speaking(lang):
        try:
            data = _read(input_path)
            try:
                rooms, people, sessions = load_json(data)
            except InputError as exc:
                details = exc.details or [ErrorDetail(message=exc.message, field=exc.field)]
                for detail in details:
                    _say(detail.field, detail.message)
                raise _Exit(1) from None
            conflicts = check(rooms, people, sessions)
            text = _render(dump_json(conflicts))
            if output_path == "-":
                click.echo(text, nl=False)
            else:
                try:
                    Path(output_path).write_text(text, encoding="utf-8")
                except OSError as exc:
                    _say(output_path, _("The file cannot be written (%(reason)s).") % {"reason": exc.strerror or exc})
                    raise _Exit(2) from None
            if explain:
                titles = _names(data, "sessions", "title")
                person_names = _names(data, "people", "name")
                room_names = _names(data, "rooms", "name")
                for conflict in conflicts:
                    click.echo(
                        describe(
                            conflict,
                            lambda s: titles.get(s, str(s)),
                            lambda p: person_names.get(p, str(p)),
                            lambda r: room_names.get(r, str(r)),
                        ),
                        err=True,
                    )
            click.echo(summary(conflicts), err=True)
        except _Exit as leave:
            sys.exit(leave.status)


# The programme's commands (session, room, track, speaker, publish, completeness, conflicts, import) live in their
# own module, which attaches them to this group.
from duijie.agenda import cli_programme  # noqa: E402, F401
