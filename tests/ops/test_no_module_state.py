"""No new module-level mutable state in the code that serves requests.

`duijie serve --workers N` runs N processes: whatever a module keeps in a global dict, list or set, or in an
`lru_cache`, lives in one worker only. A cache that one worker fills from the database goes stale when another
worker writes; a registry filled by a request exists in one process. So every such global must be listed here
with the reason it is safe: state the database keys (caches checked against a version read from the database on
every use), registrations filled at import time and read-only afterwards, or constant tables that are never
written. Constant tables should be immutable (`MappingProxyType`, `frozenset`, tuples): those are not listed at
all; the ones below under TO_FREEZE are constants held in mutable types, debt that may only shrink.

The walk reads `duijie/**/*.py` with `ast` (migrations aside) and finds, at module level (including inside
module-level `if`/`try`/`with`): assignments of `{}`/`[]`/`set()` literals and comprehensions, calls of `dict`,
`list`, `set`, `defaultdict`, `OrderedDict`, `deque`, `Counter`; and functions decorated with `lru_cache` or
`cache`. A cached function that takes a session, engine or connection is refused outright: its result would
depend on the database and outlive every write.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "duijie"

MUTABLE_CALLS = frozenset({"dict", "list", "set", "defaultdict", "OrderedDict", "deque", "Counter", "bytearray"})
MUTABLE_LITERALS = (ast.Dict, ast.List, ast.Set, ast.DictComp, ast.ListComp, ast.SetComp)
CACHE_DECORATORS = frozenset({"lru_cache", "cache"})
DATABASE_PARAMETERS = frozenset({"db", "session", "engine", "connection", "conn", "factory", "bind"})
DATABASE_TYPES = ("Session", "Engine", "Connection", "sessionmaker")


def _skipped(path: Path) -> bool:
    """Code no request runs, walked past on purpose (each reason on its line)."""
    rel = path.relative_to(PACKAGE).as_posix()
    parts = rel.split("/")
    return (
        rel.startswith("migrations/")  # schema history, run by `duijie migrate` before any request
        or parts[0] == "demo"  # the demo run: `duijie demo`, one process, before the site serves
        or "demo" in parts[:-1]  # a package's demo rows (e.g. marketplace/demo/): only the demo run imports them
        or parts[-1] == "demo.py"  # the same, as a single file
        or rel.startswith("core/demo_kit/")  # the demo's generators and name tables
        or "demo_data" in parts[:-1]  # a package's demo tables (e.g. agenda/demo_data/): the demo run only
        or (parts[-1].startswith("locale_zh") and parts[-1].endswith(".py"))  # Chinese tables (`locale_zh.py`,
        # `locale_zh_<part>.py`) read by `make messages`, never imported by the site
    )


def _by_convention(path: Path, name: str) -> bool:
    """Globals every package has by convention, read-only by construction."""
    rel = path.relative_to(PACKAGE).as_posix()
    return (
        name == "__all__"  # the export list, read by `import *` and linters
        or (rel.endswith("__init__.py") and name == "COMMANDS")  # read by the command line's lazy group only
    )


# Per-process state that is safe with several workers, and why.
STATE: dict[str, str] = {
    "insight/cache.py:_entries": "computed figures keyed by the data version read from the database on every "
    "use, so a write through any worker retires them",
    "policies/suggest.py:_corpora": "fitted suggestion corpora keyed by a records version read from the "
    "database on every use",
    "search/service.py:_holders": "one in-memory index per database, re-synced from search_document's signature "
    "before every search",
    "text/tokenize.py:_extra_words": "filled only by add_domain_words, which no request calls; a word added in "
    "one process would not reach the others",
}

# Cached functions: what their result depends on (none reads the database).
CACHED: dict[str, str] = {
    "config.py:get_settings": "the environment, read once per process",
    "core/i18n.py:translations": "the packaged .po file of a locale",
    "directory/accounts.py:common_passwords": "a packaged word list",
    "contest/domain/affinities.py:_cached_tokens": "pure: the tokens of its text argument",
    "policies/suggest.py:_cached_tokens": "pure: the tokens of its text argument",
    "search/registry.py:sources": "the SEARCHABLE declarations imported from each package's searchable.py",
    "search/registry.py:_by_kind": "derived from sources()",
    "search/registry.py:_by_model": "derived from sources()",
    "search/registry.py:_follows": "derived from sources()",
    "text/embed.py:_language_means": "a packaged array file",
    "text/embed.py:demo_vectors": "a packaged array file",
    "text/normalize.py:_t2s": "OpenCC's packaged dictionary",
    "text/normalize.py:_dictionary": "jieba's packaged dictionary",
    "text/tokenize.py:_domain_words": "a packaged word list",
    "text/tokenize.py:_segmenter": "jieba's packaged dictionary plus _domain_words()",
    "agenda/timezones.py:_known": "the IANA zone names the packaged tzdata knows",
    "registration/badges_pdf.py:font_name": "the fonts installed on the machine, registered with reportlab once",
}

# Constants held in mutable types: never written anywhere (checked by grep when this list was made), but
# nothing stops a caller from writing them. Each should become a MappingProxyType, frozenset or tuple; remove
# the line when it does (the test fails on a line that no longer matches anything).
TO_FREEZE: dict[str, str] = {
    "app.py:LABELLED_ENUMS": "enum label table handed to the templates, filled at import",
    "audit/entities.py:DESCRIBERS": "entity type -> describer function, filled at import",
    "audit/export.py:MEDIA": "export format -> media type",
    "audit/labels.py:KINDS": "entity kind labels",
    "audit/labels.py:ACTIONS": "action labels",
    "audit/labels.py:ACTIONS_BY_KIND": "per-kind action labels",
    "audit/labels.py:FIELDS": "field labels",
    "audit/labels.py:FIELDS_BY_KIND": "per-kind field labels",
    "audit/labels.py:STATE_ENUMS": "(kind, field) -> state enum",
    "audit/labels.py:VALUE_ENUMS": "field -> value enum",
    "contest/domain/rounds.py:CANDIDATE_STATES": "round kind -> entry states that may take part",
    "contest/enums.py:ENTRY_TRANSITIONS": "entry transition table (dict of sets)",
    "contest/views.py:SUPPORT_EN": "support labels in English",
    "contest/views_organiser.py:INTS": "structure form fields read as integers",
    "contest/views_organiser.py:DATES": "structure form fields read as dates",
    "contest/views_organiser.py:STRUCTURE_KEYS": "structure export columns",
    "core/db.py:NAMING_CONVENTION": "constraint naming convention given to MetaData",
    "deals/service.py:OPPORTUNITY_STATUS_FOR_STAGE": "deal stage -> project status",
    "deals/sheets.py:DEAL_COLUMNS": "deal sheet columns",
    "deals/views.py:HISTORY_ACTIONS": "history action labels",
    "deals/views.py:HISTORY_FIELDS": "history field labels",
    "directory/reference.py:DISTRICT_EN": "district names in English",
    "directory/reference.py:DISTRICT_SLUG": "district slugs",
    "directory/reference.py:INDUSTRY_EN": "industry names in English",
    "insight/countries.py:COUNTRIES": "country names",
    "insight/exports.py:MEDIA": "export format -> media type",
    "insight/exports.py:GROUP_TITLES": "breakdown titles",
    "insight/views.py:UNIT_EN": "unit labels in English",
    "insight/views.py:FUNNEL_LABELS": "funnel step labels",
    "insight/views.py:MEASURE_LABELS": "measure labels",
    "marketplace/enums.py:OPPORTUNITY_TRANSITIONS": "project transition table (dict of sets)",
    "marketplace/service.py:SORTS": "sort name -> column",
    "marketplace/sheets.py:_INDUSTRY_BY_NAME": "industry lookup for sheet cells",
    "marketplace/sheets.py:_DISTRICT_BY_NAME": "district lookup for sheet cells",
    "marketplace/sheets.py:PROJECT_COLUMNS": "project sheet columns",
    "marketplace/views.py:IP_STATUS_EN": "IP status labels in English",
    "marketplace/views.py:TERMS_EN": "licensing terms labels in English",
    "matching/parts.py:PAIR_KINDS": "default part weights per pair kind",
    "matching/parts.py:NEUTRAL": "neutral part scores",
    "matching/parts.py:SEMANTIC_RANGES": "similarity ranges per pair kind",
    "matching/profile.py:CATEGORIES": "project category names",
    "matching/profile.py:STAGES": "stage names",
    "matching/profile.py:COUNTRIES": "country names",
    "matching/profile.py:_UNIT_IN_YI": "money unit -> 亿元 factor",
    "matching/profiles.py:STAGE_NAMES": "stage names",
    "matching/profiles.py:GROUPS": "recommendation group -> (left, right, label)",
    "matching/profiles.py:OPPORTUNITY_KINDS": "opportunity kind names",
    "matching/service.py:STORED": "(left, right) -> group, derived from GROUPS at import",
    "matching/service.py:COUNTERPARTS": "kind -> counterpart kinds",
    "matching/taxonomy.py:BY_NAME": "industry taxonomy by name, derived at import",
    "meetings/enums.py:REQUEST_TRANSITIONS": "meeting request transition table (dict of sets)",
    "meetings/enums.py:MEETING_TRANSITIONS": "meeting transition table (dict of sets)",
    "meetings/queries.py:AREA_EN": "area names in English",
    "meetings/queries.py:SESSION_EN": "session names in English",
    "meetings/queries.py:SESSION_ZH": "session names in Chinese",
    "meetings/views.py:TEMPLATE_FUNCTIONS": "functions handed to the meeting templates",
    "policies/bulk.py:_CODES": "outcome code -> outcome",
    "policies/catalogue.py:BENEFIT_KIND_LABELS": "benefit kind labels",
    "policies/catalogue.py:_VERSION_KEYS": "keys that make a new policy version",
    "policies/enterprise_facts.py:FACT_HINTS": "hints for stated facts",
    "policies/evaluator.py:OUTCOME_LABELS": "outcome labels",
    "policies/facts.py:SCALE": "decimal places per fact type",
    "policies/facts.py:CHOICE_EN": "choice labels in English",
    "policies/rules.py:OPS_BY_TYPE": "operators allowed per fact type",
    "policies/rules.py:_TYPE_ZH": "fact type names in Chinese",
    "policies/rules.py:OP_ZH": "operator words in Chinese",
    "policies/rules.py:OP_EN": "operator words in English",
    "policies/rules.py:DATE_OP_ZH": "date operator words in Chinese",
    "policies/rules.py:DATE_OP_EN": "date operator words in English",
    "policies/rules.py:NEGATED": "operator -> its negation",
    "text/normalize.py:_FULLWIDTH_ALNUM": "full-width -> ASCII characters",
    "text/normalize.py:_HALF_TO_FULL": "ASCII -> full-width punctuation",
    "agenda/cli_programme.py:OPTION_OF": "field -> command-line option, named in messages",
    "agenda/conflicts.py:_RULE_ORDER": "conflict rule -> its place in the report's order",
    "agenda/editing.py:_FIELD_OF_RULE": "conflict rule -> the form field its message stands beside",
    "agenda/importing.py:ALIASES": "import file's field aliases",
    "agenda/importing.py:KNOWN": "the import file's known fields",
    "agenda/importing.py:_BACK": "alias -> field, derived from ALIASES at import",
    "agenda/publishing.py:CHANGE_FIELDS": "the session fields a programme release compares",
    "agenda/queries.py:KINDS": "session type labels",
    "agenda/queries.py:LANGUAGES": "session language labels",
    "agenda/queries.py:MODES": "session mode labels",
    "agenda/queries.py:ROLES": "speaker role labels",
    "agenda/timezones.py:_ALIASES": "common zone names -> IANA zones",
    "agenda/timezones.py:_NAMES": "the zones offered in the switch",
    "agenda/views_manage.py:_CHANGE_FIELD": "changed field -> its label on the publish card",
    "agenda/views_manage.py:_CHANGE_KIND": "change kind -> its label on the publish card",
    "agenda/views_manage.py:_CLASH_FIELD": "conflict rule -> the form field its message stands beside",
    "agenda/views_manage.py:_FORM_FIELD": "service field -> form field",
    "agenda/views_manage.py:_MISSING_FIELD": "missing-English field -> its label",
    "agenda/views_manage.py:_MISSING_KIND": "missing-English record kind -> its label",
    "agenda/views_manage_setup.py:LEVELS": "conflict severity labels",
    "registration/badges.py:REASONS": "refusal reason -> its message",
    "registration/badges.py:STATE_NAMES": "registration state -> its name in the badge refusal",
    "registration/badges_pdf.py:COLOURS": "badge category -> band colour",
    "registration/checkin.py:REASONS": "refusal reason -> its message",
    "registration/cli.py:OPTION_OF": "field -> command-line option, named in messages",
    "registration/mails.py:TEMPLATES": "registration state -> mail template",
    "registration/service.py:LIMITS": "registration field -> its length limit",
}


def _name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Call):
        return _name(node.func)
    return None


def _module_level(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """The statements that run at import, descending into module-level if/try/with blocks."""
    for node in body:
        yield node
        if isinstance(node, ast.If | ast.With):
            yield from _module_level(node.body)
            yield from _module_level(getattr(node, "orelse", []))
        elif isinstance(node, ast.Try):
            for block in (node.body, node.orelse, node.finalbody, *(h.body for h in node.handlers)):
                yield from _module_level(block)


def _is_mutable(value: ast.expr) -> bool:
    if isinstance(value, MUTABLE_LITERALS):
        return True
    return isinstance(value, ast.Call) and _name(value.func) in MUTABLE_CALLS


def _takes_the_database(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    arguments = [*function.args.posonlyargs, *function.args.args, *function.args.kwonlyargs]
    for argument in arguments:
        annotation = ast.unparse(argument.annotation) if argument.annotation else ""
        if argument.arg in DATABASE_PARAMETERS or any(kind in annotation for kind in DATABASE_TYPES):
            return True
    return False


def _found() -> tuple[dict[str, str], list[str]]:
    """key -> what was found (mutable global or cached function), and cached functions that take the database."""
    found: dict[str, str] = {}
    reading_database: list[str] = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if _skipped(path):
            continue
        rel = path.relative_to(PACKAGE).as_posix()
        for node in _module_level(ast.parse(path.read_text(encoding="utf-8")).body):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                if any(_name(d) in CACHE_DECORATORS for d in node.decorator_list):
                    found[f"{rel}:{node.name}"] = f"cached function (line {node.lineno})"
                    if _takes_the_database(node):
                        reading_database.append(f"{rel}:{node.lineno} {node.name}")
                continue
            if isinstance(node, ast.Assign):
                targets, value = node.targets, node.value
            elif isinstance(node, ast.AnnAssign) and node.value is not None:
                targets, value = [node.target], node.value
            else:
                continue
            if not _is_mutable(value):
                continue
            for target in targets:
                for name in ast.walk(target):
                    if isinstance(name, ast.Name) and not _by_convention(path, name.id):
                        found[f"{rel}:{name.id}"] = f"mutable global (line {node.lineno})"
    return found, reading_database


ALLOWED = {**STATE, **CACHED, **TO_FREEZE}


def test_no_new_module_level_mutable_state() -> None:
    found, _ = _found()
    unexplained = sorted(f"duijie/{key} ({what})" for key, what in found.items() if key not in ALLOWED)
    assert unexplained == [], (
        "module-level mutable state lives in one worker process only. Use an immutable type "
        "(MappingProxyType, frozenset, tuple), keep the state in the database, or, if it is safe with several "
        "workers, add it to an allow-list in tests/ops/test_no_module_state.py with the reason:\n"
        + "\n".join(unexplained)
    )


def test_the_allow_lists_name_only_what_still_exists() -> None:
    """A fixed or removed global leaves the list, so the list stays an honest account of what is left."""
    found, _ = _found()
    stale = sorted(key for key in ALLOWED if key not in found)
    assert stale == [], f"no longer found (fixed, renamed or moved): remove or update these lines: {stale}"
    assert not set(STATE) & set(CACHED) and not set(STATE) & set(TO_FREEZE) and not set(CACHED) & set(TO_FREEZE)
    assert all(reason.strip() for reason in ALLOWED.values())


def test_no_cached_function_takes_the_database() -> None:
    _, reading_database = _found()
    assert reading_database == [], (
        "a cached function whose result depends on the database serves stale data after any write, and each "
        "worker holds a different copy: " + ", ".join(reading_database)
    )


def test_the_walk_finds_what_it_looks_for(tmp_path: Path) -> None:
    """The detector itself: each shape it must catch is caught, immutable constants are not."""
    source = (
        "import functools\nfrom collections import defaultdict, OrderedDict\nfrom types import MappingProxyType\n"
        "A = {}\nB: list[int] = []\nC = set()\nD = defaultdict(list)\nE = OrderedDict()\nF = {k: 1 for k in 'ab'}\n"
        "G = frozenset({1})\nH = MappingProxyType({'a': 1})\nI = (1, 2)\n"
        "if True:\n    J = dict()\n"
        "@functools.lru_cache(maxsize=8)\ndef k(db): return 1\n"
        "def local():\n    L = {}\n"
    )
    names = []
    reading = []
    for node in _module_level(ast.parse(source).body):
        if isinstance(node, ast.FunctionDef):
            if any(_name(d) in CACHE_DECORATORS for d in node.decorator_list):
                names.append(node.name)
                reading.append(_takes_the_database(node))
        elif isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None and _is_mutable(node.value):
            target = node.targets[0] if isinstance(node, ast.Assign) else node.target
            names.append(ast.unparse(target))
    assert names == ["A", "B", "C", "D", "E", "F", "J", "k"]
    assert reading == [True]
