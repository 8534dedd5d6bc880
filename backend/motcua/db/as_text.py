"""Columns read as the text the API sends, made by the database: no per-row Python work.

Pull sends thousands of ids and dates a page; turning each into a Python ``UUID`` or ``date``
only to print it again costs more than the rest of the row (docs/benchmarks.md, "Pull").
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ColumnElement, FunctionElement


class uuid_text(FunctionElement[str]):
    """A UUID column as its canonical text, ``01930a5e-8a4f-7d1c-9b52-3f0c2f6e1a77``."""

    type = String()
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
    h = f"lower(nullif(hex({_argument(element, compiler, **kw)}), ''))"
    parts = [
        f"substr({h}, {start}, {length})" for start, length in ((1, 8), (9, 4), (13, 4), (17, 4), (21, 12))
    ]
    return " || '-' || ".join(parts)


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
