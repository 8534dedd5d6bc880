"""Columns read as the text the API sends, made by the database: no per-row Python work; and
ids written as text looked up without parsing each into a ``UUID``.

Pull sends thousands of ids and dates a page; turning each into a Python ``UUID`` or ``date``
only to print it again costs more than the rest of the row (docs/benchmarks.md, "Pull").
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ARRAY, LargeBinary, String, any_, bindparam, cast
from sqlalchemy.dialects.postgresql import UUID as PG_UUID
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import QueryableAttribute
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ColumnElement, FunctionElement


def _dashed(digits: str | None) -> str | None:
    """32 hex digits as a UUID's text: SQLite computes ``hex()`` once, cheaper than five times."""
    if digits is None:
        return None
    return f"{digits[:8]}-{digits[8:12]}-{digits[12:16]}-{digits[16:20]}-{digits[20:]}"


class _UuidTextType(String):
    """The result of :class:`uuid_text`: finished by the database, or on SQLite given its dashes
    as each row is read (a slice, not a ``UUID``)."""

    cache_ok = True

    def result_processor(self, dialect: Dialect, coltype: object) -> Any:
        return _dashed if dialect.name == "sqlite" else None


class uuid_text(FunctionElement[str]):
    """A UUID column as its canonical text, ``01930a5e-8a4f-7d1c-9b52-3f0c2f6e1a77``."""

    type = _UuidTextType()
    inherit_cache = True
    name = "uuid_text"


class date_text(FunctionElement[str]):
    """A DATE column as ISO 8601 text, ``2026-11-24``, whatever the server's DateStyle."""

    type = String()
    inherit_cache = True
    name = "date_text"


class json_text(FunctionElement[str]):
    """A JSON column as the text stored (written by msgspec, so already as the API sends it)."""

    type = String()
    inherit_cache = True
    name = "json_text"


def among_text_ids(column: QueryableAttribute[Any], ids: Sequence[str], dialect: str) -> ColumnElement[bool]:
    """``column IN ids`` for a UUID column and ids as text (the change log's record ids).

    Bound as the database stores them, with no ``UUID`` made per id (advanced-alchemy's GUID
    would make one each): PostgreSQL casts one text array, SQLite compares 16-byte values.
    """
    if dialect == "postgresql":
        return column == any_(
            cast(bindparam("ids", list(ids), type_=ARRAY(String), unique=True), ARRAY(PG_UUID))
        )
    stored = [bytes.fromhex(i.replace("-", "")) for i in ids]
    return column.in_(bindparam("ids", stored, type_=LargeBinary, expanding=True, unique=True))


def _argument(element: FunctionElement[Any], compiler: SQLCompiler, **kw: Any) -> str:
    (column,) = element.clauses
    assert isinstance(column, ColumnElement)
    return compiler.process(column, **kw)


@compiles(uuid_text, "postgresql")
def _uuid_pg(element: uuid_text, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST({_argument(element, compiler, **kw)} AS TEXT)"


@compiles(uuid_text, "sqlite")
def _uuid_sqlite(element: uuid_text, compiler: SQLCompiler, **kw: Any) -> str:
    # Stored as 16 bytes (advanced-alchemy's GUID); hex() of NULL is '' and stays NULL here.
    return f"lower(nullif(hex({_argument(element, compiler, **kw)}), ''))"


@compiles(date_text, "postgresql")
def _date_pg(element: date_text, compiler: SQLCompiler, **kw: Any) -> str:
    return f"to_char({_argument(element, compiler, **kw)}, 'YYYY-MM-DD')"


@compiles(date_text, "sqlite")
def _date_sqlite(element: date_text, compiler: SQLCompiler, **kw: Any) -> str:
    return _argument(element, compiler, **kw)  # stored as YYYY-MM-DD text


@compiles(json_text, "postgresql")
def _json_pg(element: json_text, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST({_argument(element, compiler, **kw)} AS TEXT)"  # JSON (not JSONB) keeps its text


@compiles(json_text, "sqlite")
def _json_sqlite(element: json_text, compiler: SQLCompiler, **kw: Any) -> str:
    return _argument(element, compiler, **kw)
