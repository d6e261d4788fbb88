"""What a module declares to make its records searchable.

Site search stands on the top floor and must not know any feature's rules; the features stand below it and
must not import it. So each package that has searchable records writes `duijie/<package>/searchable.py` with
a tuple `SEARCHABLE` of `Searchable` declarations (built from the types in this file), and the search package
finds them all with `duijie.modules.import_all("searchable")`. A declaration says everything search needs: how
to read a record's text in both languages, which of the ranked candidates a reader may find under the given
filters, and where each one is shown. Adding a searchable entity means writing one declaration; search itself does not change.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import BigInteger, Boolean, Select, String, bindparam, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal
from sqlalchemy.types import TypeDecorator, TypeEngine

from duijie.core.auth import Actor

TITLE_MAX = 149


@dataclass(frozen=True)
class SearchFilters:
    """The structured filters of the search page, the API and the command line."""

    kind: str | None = None
    category: str | None = None
    industry: str | None = None
    district: str | None = None
    amount_min: Decimal | None = None
    amount_max: Decimal | None = None
    status: str | None = None
    event: str | None = None  # event slug; declarations receive its id as `event_id`

    def given(self) -> frozenset[str]:
        """The names of the filters set, the kind aside (a kind that does not know one of them drops out)."""
        names = (f.name for f in fields(self) if f.name != "kind")
        return frozenset(name for name in names if getattr(self, name) is not None)


@dataclass(frozen=True, slots=True)
class Extract:
    """The searchable part of one record: both titles and the text that is tokenised and embedded."""

    kind: str
    record_id: int
    event_id: int | None
    title_zh: str
    title_en: str
    text: str

    @property
    def title(self) -> str:
        """Stored as two lines, Chinese then English, so results can be shown in either language."""
        return f"{self.title_zh[:TITLE_MAX]}\n{self.title_en[:TITLE_MAX]}"


@dataclass(frozen=True)
class Follow:
    """Writes to `model` change the text of records of the declaring kind (a policy's versions, an exhibitor's
    organisation): `record_ids(db, changed)` names the records to index again after the flush."""

    model: type[Any]
    record_ids: Callable[[Session, Any], Iterable[int]]


Visible = Callable[[Session, Actor | None, SearchFilters, int | None, Collection[int] | None], Iterable[int]]
Urls = Callable[[Session, Sequence[int]], Mapping[int, str]]


@dataclass(frozen=True)
class Searchable:
    """One kind of searchable record, declared by the module that owns it.

    `visible(db, actor, filters, event_id, among)` answers which of the candidate ids `among` the actor may find
    under the filters (the module's own visibility rules, such as who sees drafts), in one statement restricted
    to `among` (`restrict`). Search asks it about the best-ranked few hundred candidates of a query, never about
    every record: listing the visible records of a large table on every search cost 1.5 s at 100,000 records.
    `among` is None only when search has seen on a window of candidates that the filters let few records
    through (an event's records among all); the kind then lists those, which its filters make a short list.
    It is only asked when every filter set is one of `filters`, so a kind without an industry never answers an
    industry search. `urls(db, ids)` says where each
    record is shown, for all hits of the kind at once (one query, not one per hit). `order` places the kind's
    group among the results; `load` is what to load with the records when all of them are read at once.
    """

    kind: str
    label: str  # marked with `_l`, translated where it is shown
    order: int
    model: type[Any]
    extract: Callable[[Any], Extract]
    visible: Visible
    urls: Urls
    filters: frozenset[str] = frozenset()
    load: tuple[Any, ...] = ()
    follows: tuple[Follow, ...] = ()


def join_lines(*parts: str | None) -> str:
    """Non-empty parts, one a line, each once: the text of a record from its fields."""
    return "\n".join(dict.fromkeys(p.strip() for p in parts if p and p.strip()))


def slug_urls(model: Any, prefix: str) -> Urls:
    """`urls` for records shown at `prefix + slug`."""

    def urls(db: Session, ids: Sequence[int]) -> dict[int, str]:
        if not ids:
            return {}
        rows = db.execute(select(model.id, model.slug).where(model.id.in_(ids)))
        return {rid: prefix + slug for rid, slug in rows}

    return urls


S = TypeVar("S", bound=Select[*tuple[Any, ...]])


class _IdList(TypeDecorator[list[int]]):
    """Candidate ids bound as one parameter: a JSON array on SQLite, a bigint array on PostgreSQL."""

    impl = String
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(ARRAY(BigInteger()))
        return dialect.type_descriptor(String())

    def process_bind_param(self, value: list[int] | None, dialect: Dialect) -> Any:
        ids = [int(v) for v in value or ()]
        return ids if dialect.name == "postgresql" else json.dumps(ids)


class _AmongIds(ColumnElement[bool]):
    """`column` is one of the ids of a list bound as a single parameter.

    A search asks each kind about windows of 375 to 8,000 candidate ids: as `IN (:p1, ..., :p750)` every id is a
    parameter SQLAlchemy expands and the driver binds one by one, 13 ms for 750 ids on the 100,000-record bench
    database against 6 ms with the list as one parameter (json_each on SQLite, = ANY on PostgreSQL)."""

    inherit_cache = True
    type = Boolean()
    _is_implicitly_boolean = True  # a predicate already: no "= 1" appended where booleans are integers
    _traverse_internals = [  # noqa: RUF012 (SQLAlchemy's own declaration, read by its cache keys)
        ("column", InternalTraversal.dp_clauseelement),
        ("ids", InternalTraversal.dp_clauseelement),
    ]

    def __init__(self, column: Any, ids: Collection[int]) -> None:
        self.column = column
        self.ids = bindparam(None, list(ids), type_=_IdList(), unique=True)

    @property
    def _from_objects(self) -> list[Any]:
        return list(self.column._from_objects)


@compiles(_AmongIds)
def _among_ids_json(element: _AmongIds, compiler: Any, **kw: Any) -> str:
    column, ids = compiler.process(element.column, **kw), compiler.process(element.ids, **kw)
    return f"{column} IN (SELECT value FROM json_each({ids}))"


@compiles(_AmongIds, "postgresql")
def _among_ids_array(element: _AmongIds, compiler: Any, **kw: Any) -> str:
    column, ids = compiler.process(element.column, **kw), compiler.process(element.ids, **kw)
    return f"{column} = ANY(CAST({ids} AS BIGINT[]))"


def restrict(stmt: S, column: Any, among: Collection[int] | None) -> S:
    """`stmt` limited to the candidate ids `among` (all records when None): the `id IN (...)` of `visible`."""
    return stmt if among is None else stmt.where(_AmongIds(column, among))
