#!/usr/bin/env python
"""Compile the translation catalogues (locale/<area>/*/LC_MESSAGES/django.po → .mo) with Babel, pure Python.

Run by `make setup`/`make test` and by the test suite's conftest, so a fresh clone needs no manual step
and no system gettext. A .mo is rewritten only when its .po is newer. Fuzzy entries are never compiled
(tests/platform/test_translations.py fails on them, and on untranslated ones).
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent


def compile_all(root: Path = ROOT, *, force: bool = False) -> list[Path]:
    written = []
    for po_path in sorted((root / "locale").glob("*/*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        if not force and mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=po_path.parent.parent.name)
        tmp = mo_path.with_suffix(".mo.tmp")
        with tmp.open("wb") as mo_file:
            write_mo(mo_file, catalog, use_fuzzy=False)
        tmp.replace(mo_path)
        written.append(mo_path)
    return written


if __name__ == "__main__":
    for path in compile_all(force="--force" in sys.argv):
        print(f"compiled {path.relative_to(ROOT)}")
