"""Fast bulk writing of generated rows: PostgreSQL COPY, or bulk_create batches elsewhere.

Rows are plain tuples in the order of the ``fields`` a ``Table`` names; every other concrete column
gets its model default (or "now" for auto timestamps), computed once. Primary keys are assigned by
the generator (so rows can reference each other without reading ids back); PostgreSQL sequences are
moved past them at the end.
"""

from __future__ import annotations

import io
import queue
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import connection, models
from django.utils import timezone

CHUNK = 20_000


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


@contextmanager
def bulk_load(*models_: type[models.Model]) -> Iterator[None]:
    """PostgreSQL: while the rows of ``models_`` are copied in, their foreign keys and secondary
    indexes are dropped; afterwards the keys are added back (one set-based join per key instead of one
    trigger per row) and the indexes rebuilt (one sort each instead of a page update per row), and the
    COPYs themselves run on a second thread so the server stores one chunk while Python generates the
    next (``_CopyPipe``).

    Runs inside the caller's transaction: the DDL rolls back with it, and a row that breaks a key or a
    unique index fails the ``ADD CONSTRAINT``/``CREATE UNIQUE INDEX`` (so the whole seed) as it would
    have failed the COPY. Constraint-backed indexes (primary keys, unique constraints) stay. Elsewhere
    a no-op. Other sessions wait on the tables' locks until the seed commits.
    """
    global _PIPE
    if connection.vendor != "postgresql":
        yield
        return
    tables = [m._meta.db_table for m in models_]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE contype = 'f' AND conrelid = ANY(%s::regclass[])",
            [tables],
        )
        keys = cursor.fetchall()
        cursor.execute(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
            [tables],
        )
        indexes = cursor.fetchall()
        for table, name, _definition in keys:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {quote(name)}")
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {name}")
    _PIPE = _CopyPipe(connection)
    try:
        yield
        _PIPE.close()
    finally:
        _PIPE.abandon()
        _PIPE = None
    with connection.cursor() as cursor:
        # Index builds sort in memory rather than in temporary files (this transaction only).
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        for _name, definition in indexes:
            cursor.execute(definition)
        for table, name, definition in keys:
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {quote(name)} {definition}")


class _CopyPipe:
    """One writer thread sending COPY payloads, in order, over the seed's own database connection
    (psycopg2 connections may be shared between threads; the main thread sends nothing else while
    rows are in flight: ``Table.finish`` drains the pipe before its own query). The queue is short, so
    at most a few chunks wait in memory."""

    def __init__(self, django_connection: Any) -> None:
        django_connection.ensure_connection()
        self.raw = django_connection.connection
        self.queue: queue.Queue[tuple[str, str] | None] = queue.Queue(maxsize=3)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="seed-copy", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while True:
            item = self.queue.get()
            try:
                if item is None:
                    return
                if self.error is None:
                    sql, payload = item
                    with self.raw.cursor() as cursor:
                        cursor.copy_expert(sql, io.StringIO(payload), size=1 << 20)
            except BaseException as exc:  # noqa: BLE001 - re-raised on the main thread
                self.error = exc
            finally:
                self.queue.task_done()

    def _check(self) -> None:
        if self.error is not None:
            raise self.error

    def submit(self, sql: str, payload: str) -> None:
        self._check()
        self.queue.put((sql, payload))

    def drain(self) -> None:
        self.queue.join()
        self._check()

    def close(self) -> None:
        self.drain()

    def abandon(self) -> None:
        """Stop the thread (after a failure too) before the transaction is rolled back or committed."""
        if self.thread.is_alive():
            self.queue.put(None)
            self.thread.join()


_PIPE: _CopyPipe | None = None


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
        self.buffer: list[tuple] = []
        self.written = 0
        self.max_pk = 0
        self.postgres = connection.vendor == "postgresql"
        self.converters: list[Callable[[Any], str]] | None = None

    def add(self, row: tuple) -> None:
        self.buffer.append(row)
        if len(self.buffer) >= CHUNK:
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
        self.max_pk = max(self.max_pk, max(row[0] for row in rows))
        if self.postgres:
            self._copy(rows)
        else:
            names = [*self.fields, *self.rest]
            tail = tuple(self.rest_values)
            objs = [self.model(**dict(zip(names, row + tail, strict=True))) for row in rows]
            self.model._default_manager.bulk_create(objs, batch_size=500)
        self.written += len(rows)
        if self.progress:
            self.progress.advance(len(rows))

    def _copy(self, rows: list[tuple]) -> None:
        tail = "\t".join(_copy_text(v) for v in self.rest_values)
        if self.converters is None:
            self.converters = _converters(self.model, self.fields)
        convert = self.converters
        buffer = io.StringIO()
        write = buffer.write
        end = f"\t{tail}\n" if tail else "\n"
        for row in rows:
            # One converter per column, chosen once from the field type: the generic isinstance
            # chain of _copy_text was a third of the orders phase at a million accounts.
            write("\t".join([f(v) for f, v in zip(convert, row, strict=True)]))
            write(end)
        quoted = ", ".join(connection.ops.quote_name(c) for c in self.columns)
        sql = f"COPY {connection.ops.quote_name(self.model._meta.db_table)} ({quoted}) FROM STDIN"
        if _PIPE is not None:
            _PIPE.submit(sql, buffer.getvalue())
            return
        buffer.seek(0)
        with connection.cursor() as cursor:
            cursor.copy_expert(sql, buffer)  # psycopg2's COPY, reached through Django's cursor wrapper

    def finish(self) -> int:
        self.flush()
        if _PIPE is not None:
            _PIPE.drain()
        if self.postgres and self.written:
            table = self.model._meta.db_table
            pk = self.model._meta.pk.column
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence(%s, %s), "  # noqa: S608 - names from _meta
                    f"GREATEST((SELECT MAX({connection.ops.quote_name(pk)}) FROM "
                    f"{connection.ops.quote_name(table)}), 1))",
                    [table, pk],
                )
        return self.written


def next_id(model: type[models.Model]) -> int:
    """The first free primary key of ``model``'s table."""
    top = model._default_manager.aggregate(top=models.Max("pk"))["top"]
    return (top or 0) + 1
