"""``manage.py`` commands print no django-axes banner (the operations contract allows one stderr line)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]


def test_a_management_command_writes_nothing_to_stderr():
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=BASE_DIR, capture_output=True, text=True, timeout=120
    )

    assert (result.returncode, result.stderr) == (0, "")
