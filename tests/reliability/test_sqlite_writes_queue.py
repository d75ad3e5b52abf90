"""Embedded SQLite: two writes at the same moment queue instead of one failing "database is locked".

The classic failure: both transactions read first (a shared lock), then both try to write; SQLite
refuses the upgrade of one of them at once, whatever the busy timeout. With the project's settings
(WAL, ``transaction_mode=IMMEDIATE``) each transaction takes the write lock when it begins, so the
second one waits its turn. Runs on a real file database with the project's connection options.
"""

from __future__ import annotations

import threading
import time

import pytest
from django.conf import settings as django_settings
from django.db import OperationalError, connections
from django.db.backends.sqlite3.base import DatabaseWrapper

pytestmark = pytest.mark.django_db


def _settings(tmp_path, name: str, **option_overrides) -> dict:
    # The embedded default's options (settings.SQLITE_OPTIONS) on a file database of the test's own,
    # so this runs whichever database the suite itself uses.
    options = {**django_settings.SQLITE_OPTIONS, **option_overrides}
    options = {k: v for k, v in options.items() if v is not None}
    settings = {
        **connections["default"].settings_dict,
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(tmp_path / f"{name}.sqlite3"),
        "OPTIONS": options,
    }
    wrapper = DatabaseWrapper(settings, alias=name)
    with wrapper.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, n INTEGER)")
    wrapper.close()
    return settings


def _read_then_write_twice_at_once(settings: dict) -> list[str]:
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def job() -> None:
        wrapper = DatabaseWrapper(settings, alias="worker")
        try:
            wrapper.ensure_connection()
            wrapper._start_transaction_under_autocommit()  # what atomic() does on SQLite
            with wrapper.cursor() as cursor:
                cursor.execute("SELECT COUNT(*) FROM t")
                try:
                    barrier.wait(timeout=1)
                except threading.BrokenBarrierError:
                    pass  # IMMEDIATE: the other transaction is waiting at its BEGIN for this one
                time.sleep(0.2)
                cursor.execute("INSERT INTO t (n) VALUES (1)")
            wrapper.connection.commit()
            outcomes.append("written")
        except OperationalError as exc:
            outcomes.append(str(exc))
        finally:
            wrapper.close()

    threads = [threading.Thread(target=job) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return sorted(outcomes)


def _count(settings: dict) -> int:
    wrapper = DatabaseWrapper(settings, alias="count")
    with wrapper.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM t")
        count = cursor.fetchone()[0]
    wrapper.close()
    return count


def test_the_project_settings_use_wal_and_immediate_transactions(tmp_path):
    settings = _settings(tmp_path, "walcheck")
    wrapper = DatabaseWrapper(settings, alias="walcheck")
    with wrapper.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
    assert wrapper.transaction_mode == "IMMEDIATE"
    wrapper.close()


def test_two_simultaneous_read_then_write_transactions_both_commit(tmp_path):
    settings = _settings(tmp_path, "immediate")

    outcomes = _read_then_write_twice_at_once(settings)

    assert (outcomes, _count(settings)) == (["written", "written"], 2)


def test_without_immediate_transactions_the_second_write_fails_which_is_what_the_setting_fixes(tmp_path):
    settings = _settings(tmp_path, "deferred", transaction_mode=None)

    outcomes = _read_then_write_twice_at_once(settings)

    assert outcomes == ["database is locked", "written"]
