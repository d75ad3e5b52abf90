"""seed_demo into a fresh PostgreSQL database: wall time, the seed's own CPU, its server backend's CPU.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/plexus_x_seed \\
        nice -n 19 .venv/bin/python bench/bench_seed.py --accounts 1000000 [--seed 1] [--template T]

Creates the database named in ``DATABASE_URL`` (it must not exist; ``--drop`` drops it first), migrates
it (or copies ``--template``, a migrated empty database), runs ``manage.py seed_demo`` in a child
process and, while it runs, samples the CPU time of every server process connected to that database
(``/proc/<pid>/stat``: the server must run on this machine). On a shared machine the wall time
depends on the load; the two CPU figures do much less, so both are printed with the load average.
The database is left in place (drop it when done).
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from benchdb import _admin_connection  # noqa: E402


def _cpu_of(pid: int) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class ServerCpu(threading.Thread):
    """The CPU seconds of every server process (backend, parallel workers) on database ``name``."""

    def __init__(self, url: str, name: str) -> None:
        super().__init__(daemon=True)
        self.url, self.name = url, name
        self.seen: dict[int, float] = {}
        self.done = threading.Event()

    def run(self) -> None:
        conn = _admin_connection(self.url)
        try:
            while not self.done.is_set():
                with conn.cursor() as cursor:
                    cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", [self.name])
                    for (pid,) in cursor.fetchall():
                        cpu = _cpu_of(pid)
                        if cpu is not None:
                            self.seen[pid] = cpu
                time.sleep(0.25)
        finally:
            conn.close()

    @property
    def seconds(self) -> float:
        return sum(self.seen.values())


def _load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--as-of", default="2026-11-30")
    parser.add_argument("--template", help="a migrated, empty database to copy instead of migrating")
    parser.add_argument("--drop", action="store_true", help="drop the database first if it exists")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("DATABASE_URL must name a PostgreSQL database to create")
    name = urlsplit(url).path.lstrip("/")
    if name == "plexus_bench":
        sys.exit("refusing to seed into plexus_bench: name a database of your own")
    conn = _admin_connection(url)
    try:
        with conn.cursor() as cursor:
            if args.drop:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
            template = f' TEMPLATE "{args.template}"' if args.template else ""
            cursor.execute(f'CREATE DATABASE "{name}"{template}')
    finally:
        conn.close()
    python = str(ROOT / ".venv" / "bin" / "python")
    if not args.template:
        subprocess.run([python, "manage.py", "migrate", "-v0"], cwd=ROOT, check=True)
    print(f"# load average before: {_load()}", flush=True)
    server = ServerCpu(url, name)
    server.start()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(
        [python, "manage.py", "seed_demo", "--accounts", str(args.accounts), "--seed", str(args.seed)]
        + ["--as-of", args.as_of, "--no-progress"],
        cwd=ROOT,
        check=True,
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    time.sleep(0.5)
    server.done.set()
    server.join()
    seed_cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    print(
        f"# seed_demo --accounts {args.accounts:,}: wall {wall:.1f} s, seed process CPU {seed_cpu:.1f} s, "
        f"server CPU {server.seconds:.1f} s ({len(server.seen)} server processes), "
        f"load average after: {_load()}"
    )


if __name__ == "__main__":
    main()
