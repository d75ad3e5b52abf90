"""Fast bulk writing of generated rows: PostgreSQL COPY, or bulk_create batches elsewhere.

A row is either a plain tuple in the order of the ``fields`` a ``Table`` names (``add``) or, cheaper,
one line of PostgreSQL's COPY text format already made by the generator (``add_text``: values
tab-separated, ``\\N`` for NULL, ISO dates, ``t``/``f``); every other concrete column gets its model
default (or "now" for auto timestamps), computed once. On PostgreSQL a text line goes to COPY as it
is; elsewhere it is parsed back into values (each field's ``to_python``), slower but the same data.
Primary keys are assigned by the generator (so rows can reference each other without reading ids
back); PostgreSQL sequences are moved past them at the end.
"""

from __future__ import annotations

import io
import sys
import time
from collections.abc import Callable, Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import connection, models
from django.utils import timezone

from operations.seed.pipe import active_pipe, bulk_load, table_finished

__all__ = ["CHUNK", "NULL", "Progress", "Table", "bulk_load", "next_id"]

CHUNK = 20_000
NULL = "\\N"


class Progress:
    """A one-line progress bar on stderr (no dependency; quiet when ``enabled`` is False)."""

    def __init__(self, *, total: int, label: str, enabled: bool = True, stream=None) -> None:
        self.total = max(total, 1)
        self.label = label
        self.enabled = enabled
        self.stream = stream or sys.stderr
        self.done = 0
        self.started = time.monotonic()
        self._last = 0.0

    def advance(self, n: int = 1) -> None:
        self.done += n
        now = time.monotonic()
        if self.enabled and (now - self._last > 0.5 or self.done >= self.total):
            self._last = now
            self._draw()

    def _draw(self) -> None:
        share = min(self.done / self.total, 1.0)
        bar = "#" * int(share * 30)
        elapsed = time.monotonic() - self.started
        self.stream.write(
            f"\r{self.label:<14} [{bar:<30}] {share:6.1%} {self.done:>10,}/{self.total:,} {elapsed:6.1f}s"
        )
        self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self._draw()
            self.stream.write("\n")
            self.stream.flush()


def _copy_text(value: Any) -> str:
    """One value in PostgreSQL's COPY text format."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (int, Decimal)):
        return str(value)
    text = str(value)
    if any(ch in text for ch in "\\\t\n\r"):
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text


def _plain(value: Any) -> str:
    return "\\N" if value is None else str(value)


def _flag(value: Any) -> str:
    return "\\N" if value is None else ("t" if value else "f")


def _day(value: Any) -> str:
    return "\\N" if value is None else value.isoformat()


def _converters(model: type[models.Model], fields: list[str]) -> list[Callable[[Any], str]]:
    """The fastest safe text form per column: numbers and dates need no escaping."""
    by_attname = {f.attname: f for f in model._meta.concrete_fields}
    result: list[Callable[[Any], str]] = []
    for name in fields:
        field = by_attname[name]
        target = field.target_field if field.is_relation else field  # type: ignore[attr-defined]
        if isinstance(target, models.BooleanField):
            result.append(_flag)
        elif isinstance(target, (models.IntegerField, models.DecimalField, models.AutoField)):
            result.append(_plain)
        elif isinstance(target, models.DateField):  # DateTimeField too
            result.append(_day)
        else:
            result.append(_copy_text)
    return result


def _unescape(text: str) -> str:
    if "\\" not in text:
        return text
    return (
        text.replace("\\\\", "\0")
        .replace("\\t", "\t")
        .replace("\\n", "\n")
        .replace("\\r", "\r")
        .replace("\0", "\\")
    )


def _parsers(model: type[models.Model], fields: list[str]) -> list[Callable[[str], Any]]:
    """Per column, COPY text back to a Python value (the SQLite path of ``Table.add_text``)."""
    by_attname = {f.attname: f for f in model._meta.concrete_fields}
    result: list[Callable[[str], Any]] = []
    for name in fields:
        field = by_attname[name]
        target = field.target_field if field.is_relation else field  # type: ignore[attr-defined]
        if isinstance(target, (models.CharField, models.TextField)):
            result.append(_unescape)
        else:
            result.append(target.to_python)
    return result


class Table:
    """Writes rows of one model; ``fields`` are attnames (``sponsor_id``), primary key first."""

    def __init__(
        self,
        model: type[models.Model],
        fields: list[str],
        *,
        progress: Progress | None = None,
        depends_on: list[Table] | None = None,
    ):
        self.model = model
        # Tables whose rows this one references: flushed first, so foreign keys can be checked at once.
        self.depends_on = depends_on or []
        self.fields = fields
        self.progress = progress
        by_attname = {f.attname: f for f in model._meta.concrete_fields}
        unknown = [name for name in fields if name not in by_attname]
        if unknown:
            raise ValueError(f"{model.__name__}: unknown fields {unknown}")
        now = timezone.now()
        self.rest: list[str] = []
        self.rest_values: list[Any] = []
        for f in model._meta.concrete_fields:
            if f.attname in fields:
                continue
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                default: Any = now
            elif f.has_default():
                default = f.get_default()
            elif f.null:
                default = None
            elif isinstance(f, (models.CharField, models.TextField)):
                default = ""
            else:
                raise ValueError(f"{model.__name__}.{f.attname} needs a value")
            self.rest.append(f.attname)
            self.rest_values.append(default)
        self.columns = [by_attname[name].column for name in [*fields, *self.rest]]
        self.postgres = connection.vendor == "postgresql"
        # PostgreSQL: COPY text lines (without the defaults' tail); elsewhere: tuples of values.
        self.buffer: list[Any] = []
        self.written = 0
        self.converters = _converters(model, fields)
        self.parsers: list[Callable[[str], Any]] | None = None
        tail = "\t".join(_copy_text(v) for v in self.rest_values)
        self.end = f"\t{tail}\n" if tail else "\n"

    def add(self, row: tuple) -> None:
        if self.postgres:
            self.buffer.append("\t".join([f(v) for f, v in zip(self.converters, row, strict=True)]))
        else:
            self.buffer.append(row)
        if len(self.buffer) >= CHUNK:
            self.flush()

    def add_text(self, line: str) -> None:
        """One row as COPY text: the ``fields``' values, tab-separated, no newline. The caller makes
        sure text values hold no tab, newline or backslash (or escapes them)."""
        buffer = self.buffer
        if self.postgres:
            buffer.append(line)  # the hot path: millions of calls
        else:
            if self.parsers is None:
                self.parsers = _parsers(self.model, self.fields)
            values = line.split("\t")
            buffer.append(
                tuple(None if v == NULL else p(v) for p, v in zip(self.parsers, values, strict=True))
            )
        if len(buffer) >= CHUNK:
            self.flush()

    def extend(self, rows: Iterable[tuple]) -> None:
        for row in rows:
            self.add(row)

    def flush(self) -> None:
        if not self.buffer:
            return
        for table in self.depends_on:
            table.flush()
        rows, self.buffer = self.buffer, []
        if self.postgres:
            end = self.end
            self._copy(end.join(rows) + end)
        else:
            names = [*self.fields, *self.rest]
            tail = tuple(self.rest_values)
            objs = [self.model(**dict(zip(names, row + tail, strict=True))) for row in rows]
            self.model._default_manager.bulk_create(objs, batch_size=500)
        self.written += len(rows)
        if self.progress:
            self.progress.advance(len(rows))

    def _copy(self, payload: str) -> None:
        quoted = ", ".join(connection.ops.quote_name(c) for c in self.columns)
        sql = f"COPY {connection.ops.quote_name(self.model._meta.db_table)} ({quoted}) FROM STDIN"
        pipe = active_pipe()
        if pipe is not None:
            pipe.submit(sql, payload)
            return
        with connection.cursor() as cursor:
            cursor.copy_expert(sql, io.StringIO(payload))  # psycopg2's COPY, through Django's wrapper

    def finish(self) -> int:
        """Write what is buffered and move the primary key's sequence past the rows. Inside
        ``bulk_load`` this only queues statements (the table's indexes and keys come back then)."""
        self.flush()
        if self.postgres and self.written:
            table = self.model._meta.db_table
            pk = self.model._meta.pk.column
            quote = connection.ops.quote_name
            sql = (
                f"SELECT setval(pg_get_serial_sequence('{table}', '{pk}'), "
                f"GREATEST((SELECT MAX({quote(pk)}) FROM {quote(table)}), 1))"
            )
            pipe = active_pipe()
            if pipe is not None:
                pipe.execute(sql)
            else:
                with connection.cursor() as cursor:
                    cursor.execute(sql)
        table_finished(self.model._meta.db_table)
        return self.written


def next_id(model: type[models.Model]) -> int:
    """The first free primary key of ``model``'s table."""
    top = model._default_manager.aggregate(top=models.Max("pk"))["top"]
    return (top or 0) + 1
