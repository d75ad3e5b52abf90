"""Run every benchmark in turn against the seeded PostgreSQL database (``make bench``).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/plexus_bench .venv/bin/python bench/run_all.py

DATABASE_URL must name a PostgreSQL database holding ``manage.py seed_demo --accounts 1000000 --seed 1``
(default when unset: postgres://postgres@127.0.0.1:5432/plexus_bench). The genealogy bench only
reads it; the leads, pages and load benches work on template copies (bench/benchdb.py) that they
drop, so no other session may be connected to that database while they start. The load bench needs
Debian's ``wrk``. Order: reads first, then the writing benches, load last. Total about 10 minutes on
2 cores. Extra arguments after ``--only NAME[,NAME]`` pick benches (e.g. ``--only leads,pages``).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/plexus_bench"

# (script, default arguments)
BENCHES: list[tuple[str, list[str]]] = [
    ("bench_genealogy.py", []),
    ("bench_leads.py", ["--all-due"]),
    ("bench_pages.py", []),
    ("bench_load.py", []),
]


def main(argv: list[str]) -> int:
    os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
    if not os.environ["DATABASE_URL"].startswith(("postgres://", "postgresql://")):
        print("run_all: DATABASE_URL must be PostgreSQL (see bench/README.md)", file=sys.stderr)
        return 2
    only = None
    if argv[:1] == ["--only"] and len(argv) > 1:
        only = {name.removeprefix("bench_").removesuffix(".py") for name in argv[1].split(",")}
    print(f"DATABASE_URL={os.environ['DATABASE_URL']}", flush=True)
    failed = []
    for script, args in BENCHES:
        if only and script.removeprefix("bench_").removesuffix(".py") not in only:
            continue
        print(f"\n== {script} {' '.join(args)}", flush=True)
        started = time.perf_counter()
        code = subprocess.run([sys.executable, str(HERE / script), *args], check=False).returncode
        print(f"== {script}: exit {code} in {time.perf_counter() - started:.0f} s", flush=True)
        if code:
            failed.append(script)
    if failed:
        print(f"\nfailed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
