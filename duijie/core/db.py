"""Database glue: the declarative base with a constraint naming convention, engines, sessions, units of work.

Services only flush; whoever owns the unit of work (a web request, a CLI command, a job) commits once, and
callbacks registered with `on_commit` run only after that commit succeeded (notifications, enqueued jobs).
"""

from __future__ import annotations

import contextvars
import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, MetaData, String, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import DeclarativeBase, Mapped, Mapper, Session, mapped_column, sessionmaker
from sqlalchemy.sql.functions import GenericFunction
from sqlalchemy.types import TypeDecorator

from duijie.core.errors import DomainError
from duijie.core.i18n import gettext, parse_amount

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

SYNTHETIC = "synthetic"


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Timezone-aware UTC timestamps on both SQLite (which drops the zone) and PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where a UTC timestamp is required")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class MoneyType(TypeDecorator[Decimal]):
    """Yuan as exact Decimals, stored as whole fen in a BIGINT.

    SQLite has no decimal type (NUMERIC becomes a float there), so sums of amounts would drift; integers add up
    exactly on both databases, and `SUM()` keeps this type, so totals come back as Decimal yuan too.

    The last line of defence: a value that is not a finite, non-negative amount of whole fen up to
    `i18n.MAX_AMOUNT` is refused here with an `AmountError` (a ValueError) instead of being stored. Assigning
    such a value to a mapped attribute is refused earlier, naming the field (see `_check_money_on_set`).
    """

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: Decimal | int | None, dialect: Any) -> int | None:
        if value is None:
            return None
        return int(money_value(value, field="amount") * 100)

    def process_result_value(self, value: int | None, dialect: Any) -> Decimal | None:
        if value is None:
            return None
        return (Decimal(int(value)) / 100).quantize(Decimal("0.01"))


Money = MoneyType()


class AmountError(DomainError, ValueError):
    """An amount the database must not hold (negative, not finite, above the cap, fractions of a fen).

    A DomainError, so raised while a service assigns the value it becomes a 422 naming the field; a ValueError,
    so code that guards against bad values with `except ValueError` catches it too."""


def money_value(value: object, *, field: str) -> Decimal:
    """`value` as the exact Decimal yuan a Money column stores, or AmountError naming `field`."""
    try:
        if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
            raise DomainError(gettext("%(v)s is not an amount") % {"v": repr(value)[:40]}, field=field)
        return parse_amount(value, field=field)
    except DomainError as exc:
        raise AmountError(exc.message, field=field) from None


def _check_money_on_set(target: Any, value: Any, oldvalue: Any, initiator: Any) -> Any:
    """Attribute listener: an amount assigned to a Money attribute is checked at once, naming the attribute."""
    if value is None:
        return None
    return money_value(value, field=initiator.key)


@event.listens_for(Mapper, "mapper_configured")
def _watch_money_columns(mapper: Mapper[Any], class_: type) -> None:
    """Every mapped attribute stored as Money refuses bad amounts when it is assigned, not at the flush."""
    for prop in mapper.column_attrs:
        if any(isinstance(getattr(col, "type", None), MoneyType) for col in prop.columns):
            event.listen(getattr(class_, prop.key), "set", _check_money_on_set, retval=True)


class money_sum(GenericFunction[Decimal]):
    """SUM of a Money column that cannot overflow: PostgreSQL's SUM of a BIGINT is already NUMERIC; SQLite's
    SUM of integers fails with "integer overflow" past 2^63 fen, so there the sum is taken with `total()`
    (exact up to 2^53 fen, about 90万亿元; beyond that approximate to the fen, never an error). NULL when
    there is no amount, as SUM."""

    type = MoneyType()
    identifier = "money_sum"
    name = "sum"
    inherit_cache = True


@compiles(money_sum, "sqlite")
def _money_sum_sqlite(element: money_sum, compiler: Any, **kw: Any) -> str:
    arg = compiler.process(element.clauses, **kw)
    return f"(CASE WHEN COUNT({arg}) > 0 THEN TOTAL({arg}) END)"


class Base(DeclarativeBase):
    """All tables share one metadata with the naming convention, so migrations name constraints alike."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {  # noqa: RUF012 (SQLAlchemy reads it as a class-level mapping)
        dt.datetime: UTCDateTime(),
        Decimal: Money,
        dict[str, Any]: JSON,
        list[str]: JSON,
        list[Any]: JSON,
    }


def utcnow() -> dt.datetime:
    """The current time in UTC, the only clock the models use."""
    return dt.datetime.now(dt.UTC)


class ProvenanceMixin:
    """Where a record came from: the seed document it was taken from, `synthetic`, or `import:<file>`."""

    provenance: Mapped[str] = mapped_column(String(120), default="manual", server_default="manual")

    @property
    def is_synthetic(self) -> bool:
        return self.provenance == SYNTHETIC


class TimestampMixin:
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # The stdlib driver opens transactions lazily and commits before DDL on its own, which breaks SAVEPOINTs
    # (nested units of work, rolled-back test transactions). Take control: no implicit transactions, and an
    # explicit BEGIN from SQLAlchemy's "begin" event below.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


# Set by whoever owns a unit of work that will write (a POST, PUT, PATCH or DELETE request, a job's write
# phase): its SQLite transaction then starts with BEGIN IMMEDIATE, taking the write lock first. A deferred BEGIN
# that reads, then writes after another connection committed, fails at once with SQLITE_BUSY (WAL snapshots
# cannot be upgraded); taking the lock at the start makes concurrent writers wait their turn (busy timeout).
_writes: contextvars.ContextVar[bool] = contextvars.ContextVar("duijie_writes", default=False)


@contextmanager
def writing() -> Iterator[None]:
    """Units of work opened inside this block take SQLite's write lock when they begin."""
    token = _writes.set(True)
    try:
        yield
    finally:
        _writes.reset(token)


def will_write() -> contextvars.Token[bool]:
    """Marks the current context (a request) as one that writes; undo with `reset_writes(token)`."""
    return _writes.set(True)


def reset_writes(token: contextvars.Token[bool]) -> None:
    _writes.reset(token)


def _sqlite_begin(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE" if _writes.get() else "BEGIN")


def is_busy(error: BaseException) -> bool:
    """A database that is momentarily busy or unreachable (SQLite's lock, a restarting PostgreSQL): the request
    may be tried again, so the answer is 503 with Retry-After rather than a server error."""
    if getattr(error, "connection_invalidated", False):
        return True
    state = str(getattr(getattr(error, "orig", None), "sqlstate", "") or "")
    # Class 08: connection exceptions; 57P01-03: the server is shutting down, crashed or cannot connect now.
    if state.startswith("08") or state in ("57P01", "57P02", "57P03"):
        return True
    text = str(error).lower()
    return any(
        phrase in text
        for phrase in (
            "database is locked",
            "database is busy",
            "could not connect",
            "connection refused",
            "server closed the connection",
            "terminating connection",
            "connection is closed",
            "connection failed",
            "connection reset",
            "the database system is",
            "consuming input failed",
        )
    )


def make_engine(
    url: str, *, echo: bool = False, pool_size: int | None = None, pool_timeout: float | None = None
) -> Engine:
    """An engine for SQLite or PostgreSQL with the settings each needs to enforce our constraints.

    The web passes `pool_size` and `pool_timeout` (sized above the number of requests it serves at once, so no
    request waits for a connection); commands and jobs keep SQLAlchemy's defaults.
    """
    pool: dict[str, Any] = {}
    if pool_size is not None:
        pool["pool_size"] = pool_size
        pool["max_overflow"] = 0
    if pool_timeout is not None:
        pool["pool_timeout"] = pool_timeout
    if url.startswith("sqlite"):
        if ":memory:" in url or url in ("sqlite://", "sqlite:///"):
            pool = {}
        engine = create_engine(
            url, echo=echo, connect_args={"check_same_thread": False, "timeout": 30}, **pool
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, echo=echo, pool_pre_ping=True, **pool)


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)


def on_commit(db: Session, callback: Callable[[], None]) -> None:
    """Run `callback` after the session's transaction commits; dropped if it rolls back."""
    db.info.setdefault("on_commit", []).append(callback)


@event.listens_for(Session, "after_commit")
def _run_on_commit(session: Session) -> None:
    callbacks = session.info.pop("on_commit", [])
    for callback in callbacks:
        callback()


@event.listens_for(Session, "after_rollback")
def _drop_on_commit(session: Session) -> None:
    session.info.pop("on_commit", None)


@contextmanager
def unit_of_work(factory: sessionmaker[Session], *, write: bool = True) -> Iterator[Session]:
    """One transaction: commit if the block ends normally, roll back and re-raise otherwise.

    Commands and jobs mostly write, so on SQLite their transaction takes the write lock when it begins
    (`write=False` for a unit that only reads, such as a job loading its inputs).
    """
    token = _writes.set(write)
    db = factory()
    try:
        yield db
        db.commit()
    except BaseException:
        db.rollback()
        raise
    finally:
        db.close()
        _writes.reset(token)


def sqlite_path(url: str) -> str | None:
    """The file of a SQLite URL, or None for other databases and in-memory SQLite."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and url[len(prefix) :] not in ("", ":memory:"):
        return url[len(prefix) :]
    return None


def url_for_path(path: str) -> str:
    """The SQLAlchemy URL of a SQLite file given on the command line (`--db PATH`), or a URL passed as is."""
    if "://" in path:
        return path
    return f"sqlite:///{path}"
