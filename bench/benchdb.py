"""Template copies of the seeded benchmark database, so a benchmark that writes starts from the same state.

Call ``use_template_copy(label)`` before ``django.setup()``: with ``DATABASE_URL`` pointing at
PostgreSQL database ``X`` it runs ``CREATE DATABASE X_<label>_<pid> TEMPLATE X``, points
``DATABASE_URL`` at the copy and drops the copy at exit (``--keep`` keeps it). ``CREATE DATABASE ...
TEMPLATE`` needs no other session connected to ``X`` (stop gunicorn or psql sessions on it first).
On SQLite there is nothing to copy: the script runs on the database as it is.
"""

from __future__ import annotations

import atexit
import os
import time
from urllib.parse import urlsplit, urlunsplit

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/plexus_bench"


def _admin_connection(url: str):  # type: ignore[no-untyped-def]
    import psycopg2

    parts = urlsplit(url)
    conn = psycopg2.connect(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password,
        dbname="postgres",
    )
    conn.autocommit = True
    return conn


def use_template_copy(label: str, *, keep: bool = False) -> str | None:
    """Point DATABASE_URL at a fresh copy of its database; return the copy's name (None on SQLite)."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return None
    parts = urlsplit(url)
    template = parts.path.lstrip("/")
    copy = f"{template}_{label}_{os.getpid()}"
    started = time.perf_counter()
    conn = _admin_connection(url)  # no ``with conn``: psycopg2 would open a transaction block
    try:
        with conn.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{copy}" TEMPLATE "{template}"')
    finally:
        conn.close()
    print(f"# template copy {copy} of {template} in {time.perf_counter() - started:.1f} s", flush=True)
    os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{copy}"))
    if not keep:
        atexit.register(_drop, url, copy)
    return copy


def _drop(url: str, name: str) -> None:
    import sys

    # Importing Django at exit fails (no new atexit hooks then): close connections only if it is loaded.
    conf = sys.modules.get("django.conf")
    if conf is not None and conf.settings.configured:
        from django.db import connections

        connections.close_all()
    conn = _admin_connection(url)
    try:
        with conn.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        conn.close()
    print(f"# dropped {name}", flush=True)


def backend_cpu_seconds(connection) -> float | None:  # type: ignore[no-untyped-def]
    """CPU seconds (user + system) the PostgreSQL backend serving ``connection`` has used so far.

    Read from /proc, so only when the server runs on this machine; None otherwise. Under load the wall
    time of a statement stretches with the queue for the CPU, its CPU time much less: the benchmarks
    print both.
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None
