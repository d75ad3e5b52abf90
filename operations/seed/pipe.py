"""PostgreSQL bulk load: COPY on a writer thread, keys and indexes rebuilt while the next table is made.

``bulk_load`` drops the foreign keys and secondary indexes of the tables a seed writes, and sends
every statement of the load through one ``_CopyPipe``: a writer thread that runs COPY payloads and
DDL, in order, over the seed's own connection, while the main thread generates the next rows. When a
table is finished (``Table.finish``) its indexes are queued at once, and each foreign key as soon as
both its tables are finished, so the server builds them on the second core while Python is busy with
the next table; only the last tables' builds are left at the end.
"""

from __future__ import annotations

import io
import queue
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection, models

# Payloads waiting for the server, at most (an index build can hold the queue for seconds).
QUEUE_BYTES = 256 << 20


class _CopyPipe:
    """One writer thread sending COPY payloads and statements, in order, over the seed's own database
    connection (psycopg2 connections may be shared between threads; the main thread sends nothing
    else while the pipe is open: every statement of the load goes through ``submit``/``execute``)."""

    def __init__(self, django_connection: Any) -> None:
        django_connection.ensure_connection()
        self.django_connection = django_connection
        self.raw = django_connection.connection
        self.queue: queue.Queue[tuple[str, str | None] | None] = queue.Queue()
        self.room = threading.Condition()
        self.queued = 0
        self.error: BaseException | None = None
        self.stopping = False  # set when the load fails: what is still queued is skipped
        self.thread = threading.Thread(target=self._run, name="seed-copy", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while True:
            item = self.queue.get()
            try:
                if item is None:
                    return
                sql, payload = item
                if self.error is None and not self.stopping:
                    with self.raw.cursor() as cursor:
                        if payload is None:
                            cursor.execute(sql)
                        else:
                            cursor.copy_expert(sql, io.StringIO(payload), size=1 << 20)
            except BaseException as exc:  # noqa: BLE001 - re-raised on the main thread
                self.error = exc
            finally:
                if item is not None and item[1] is not None:
                    with self.room:
                        self.queued -= len(item[1])
                        self.room.notify_all()
                self.queue.task_done()

    def _check(self) -> None:
        if self.error is not None:
            # Raised as Django's exception classes (IntegrityError, ...), like the same statement
            # run through a Django cursor.
            with self.django_connection.wrap_database_errors:
                raise self.error

    def submit(self, sql: str, payload: str) -> None:
        self._check()
        with self.room:
            while self.queued > QUEUE_BYTES and self.error is None:
                self.room.wait()
            self.queued += len(payload)
        self.queue.put((sql, payload))

    def execute(self, sql: str) -> None:
        self._check()
        self.queue.put((sql, None))

    def drain(self) -> None:
        self.queue.join()
        self._check()

    def abandon(self) -> None:
        """Stop the thread (after a failure too) before the transaction is rolled back or committed."""
        if self.thread.is_alive():
            self.stopping = True
            self.queue.put(None)
            self.thread.join()


class _Load:
    """The dropped keys and indexes of one bulk load, queued again as their tables are finished."""

    def __init__(self, pipe: _CopyPipe, indexes: dict[str, list[str]], keys: list[tuple[str, str, str, str]]):
        self.pipe = pipe
        self.indexes = indexes  # table -> CREATE INDEX statements
        self.keys = keys  # (table, referenced table, name, definition)
        self.loading = set(indexes)

    def finished(self, table: str) -> None:
        self.loading.discard(table)
        self._rebuild(done=lambda name: name not in self.loading)

    def _rebuild(self, *, done) -> None:
        for table in [t for t in self.indexes if done(t)]:
            for definition in self.indexes.pop(table):
                self.pipe.execute(definition)
            # Planner statistics now, on the second core, rather than one ANALYZE of everything
            # after the commit (ANALYZE samples this transaction's own rows).
            self.pipe.execute(f"ANALYZE {table}")
        waiting = []
        for table, target, name, definition in self.keys:
            if done(table) and done(target):
                quote = connection.ops.quote_name
                self.pipe.execute(f"ALTER TABLE {table} ADD CONSTRAINT {quote(name)} {definition}")
            else:
                waiting.append((table, target, name, definition))
        self.keys = waiting

    def close(self) -> None:
        self._rebuild(done=lambda name: True)


_LOAD: _Load | None = None


def active_pipe() -> _CopyPipe | None:
    return _LOAD.pipe if _LOAD is not None else None


def table_finished(table: str) -> None:
    if _LOAD is not None:
        _LOAD.finished(table)


@contextmanager
def bulk_load(*models_: type[models.Model]) -> Iterator[None]:
    """PostgreSQL: while the rows of ``models_`` are copied in, their foreign keys and secondary
    indexes are dropped; each is added back (one set-based join per key instead of one trigger per
    row; one sort per index instead of a page update per row) as soon as its tables are finished,
    on the writer thread, overlapping the generation of the next tables.

    Runs inside the caller's transaction: the DDL rolls back with it, and a row that breaks a key or a
    unique index fails the ``ADD CONSTRAINT``/``CREATE UNIQUE INDEX`` (so the whole seed) as it would
    have failed the COPY. Primary keys, and unique constraints a foreign key depends on, stay; each
    table is analyzed once its indexes are back. Elsewhere a no-op. Other sessions wait on the
    tables' locks until the seed commits. The main thread must not query the database while the load
    is open (``Table.finish`` queues its own statements; read what you need before).
    """
    global _LOAD
    if connection.vendor != "postgresql":
        yield
        return
    tables = [m._meta.db_table for m in models_]
    with connection.cursor() as cursor:
        # Index builds sort in memory rather than in temporary files (this transaction only).
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        # The foreign keys' validating joins hash a whole referenced table in memory (not in batches
        # spilled to temporary files). This transaction only.
        cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute(
            "SELECT conrelid::regclass::text, confrelid::regclass::text, conname, "
            "pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE contype = 'f' AND conrelid = ANY(%s::regclass[]) ORDER BY conrelid, conname",
            [tables],
        )
        keys = cursor.fetchall()
        cursor.execute(
            "SELECT i.indrelid::regclass::text, i.indexrelid::regclass::text, "
            "pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) "
            "ORDER BY i.indrelid, i.indexrelid",
            [tables],
        )
        found = cursor.fetchall()
        # Unique constraints no foreign key depends on: rebuilt by one sort too (a COPY otherwise
        # inserts every key into their btrees, at random places for keys that do not sort like ids).
        cursor.execute(
            "SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c "
            "WHERE c.contype = 'u' AND c.conrelid = ANY(%s::regclass[]) AND NOT EXISTS "
            "(SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.conindid = c.conindid) "
            "ORDER BY c.conrelid, c.conname",
            [tables],
        )
        uniques = cursor.fetchall()
        quote = connection.ops.quote_name
        for table, _target, name, _definition in keys:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {quote(name)}")
        for table, name, _definition in uniques:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {quote(name)}")
        for _table, name, _definition in found:
            cursor.execute(f"DROP INDEX {name}")
    indexes: dict[str, list[str]] = {table: [] for table in tables}
    for table, name, definition in uniques:
        indexes.setdefault(table, []).append(f"ALTER TABLE {table} ADD CONSTRAINT {quote(name)} {definition}")
    for table, _name, definition in found:
        indexes.setdefault(table, []).append(definition)
    load = _LOAD = _Load(_CopyPipe(connection), indexes, [(t, r, n, d) for t, r, n, d in keys])
    try:
        yield
        load.close()
        load.pipe.drain()
    finally:
        load.pipe.abandon()
        _LOAD = None
