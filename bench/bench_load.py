"""The member pages under load: gunicorn serving the dashboard and Personal Information to 50 logged-in
clients for 60 s, driven by wrk (Debian's ``wrk``: ``apt-get install -y wrk``).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/plexus_bench .venv/bin/python bench/bench_load.py \
        [--connections 50] [--duration 60] [--workers 5] [--users leader,qualified,lead] [--keep]

On PostgreSQL it serves a template copy (``bench/benchdb.py``): logging in writes sessions and
axes records, and the seeded database stays as it was. gunicorn is configured on the command line
only (sync workers, 127.0.0.1) with DJANGO_ENV=development, DEBUG=false, ALLOWED_HOSTS=127.0.0.1.
The script logs in ``--connections`` times through the real login form (CSRF cookie + token), so
every connection has its own session; wrk's Lua script sends each request with the next session
cookie, alternating ``/`` and ``/account/personal/``, and counts every answer that is not a 200
(a redirect to the login page would be an error here). Prints requests/s, p50, p99 and errors.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchdb import use_template_copy  # noqa: E402

PASSWORD = "plexus-demo-2026"  # noqa: S105 - seed_demo's published demo password
PATHS = ("/", "/account/personal/")

LUA = r"""
local cookies = {COOKIES}
local paths = {"/", "/account/personal/"}
local counter = 0
bad = 0  -- global: done() reads it from each thread with t:get("bad")
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  counter = math.random(#cookies)
end

function request()
  counter = counter + 1
  local path = paths[(counter % 2) + 1]
  local cookie = cookies[(counter % #cookies) + 1]
  return wrk.format("GET", path, {["Cookie"] = cookie})
end

function response(status, headers, body)
  if status ~= 200 then bad = bad + 1 end
end

function done(summary, latency, requests)
  local total = 0
  for _, t in ipairs(threads) do total = total + t:get("bad") end
  io.write(string.format("NON200 %d\n", total))
end
"""


def login(base: str, username: str) -> str:
    """Log in through the login form; return the Cookie header value (sessionid + csrftoken)."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/login/", timeout=30).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if token is None:
        raise SystemExit("login page without a CSRF token")
    data = urllib.parse.urlencode(
        {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token.group(1)}
    ).encode()
    request = urllib.request.Request(f"{base}/login/", data=data, headers={"Referer": f"{base}/login/"})
    opener.open(request, timeout=30).read()
    cookies = {c.name: c.value for c in jar}
    if "sessionid" not in cookies:
        raise SystemExit(f"login as {username} failed (no session cookie)")
    # The session must actually reach the dashboard.
    check = opener.open(f"{base}/", timeout=30)
    if check.status != 200 or "/login/" in check.geturl():
        raise SystemExit(f"{username}: the dashboard did not answer 200 after login")
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


def wait_ready(base: str, server: subprocess.Popen[bytes]) -> None:
    for _ in range(120):
        if server.poll() is not None:
            raise SystemExit("gunicorn exited; see its output above")
        try:
            urllib.request.urlopen(f"{base}/login/", timeout=5).read()
            return
        except OSError:
            time.sleep(0.5)
    raise SystemExit("gunicorn did not answer within 60 s")


def run_wrk(base: str, *, cookies: list[str], connections: int, threads: int, duration: int) -> str:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA.replace("{COOKIES}", "{" + ", ".join(f'"{c}"' for c in cookies) + "}"))
    try:
        wrk = subprocess.run(  # noqa: S603
            [
                "wrk",
                f"-t{min(threads, connections)}",
                f"-c{connections}",
                f"-d{duration}s",
                "--timeout=30s",
                "--latency",
                "-s",
                script.name,
                base + "/",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
    finally:
        os.unlink(script.name)
    if wrk.returncode:
        sys.exit(f"wrk failed ({wrk.returncode}): {wrk.stdout}{wrk.stderr}")
    return wrk.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--connections", default="50", help="concurrent clients; a list (1,4,50) runs one wrk per count"
    )
    parser.add_argument("--duration", type=int, default=60, help="seconds per wrk run")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1, help="gunicorn workers")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--users", default="leader,qualified,lead", help="demo logins, used in turn")
    parser.add_argument("--keep", action="store_true", help="keep the template copy")
    parser.add_argument(
        "--existing", action="store_true", help="serve DATABASE_URL as it is (e.g. a copy kept by --keep)"
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk not found: apt-get install -y wrk")
    counts = [int(c) for c in str(args.connections).split(",") if c]

    if not args.existing:
        use_template_copy("load", keep=args.keep)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "plexus_office.settings",
        "DJANGO_ENV": "development",
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
    }
    base = f"http://127.0.0.1:{args.port}"
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    command = [
        gunicorn,
        "plexus_office.wsgi:application",
        f"--bind=127.0.0.1:{args.port}",
        f"--workers={args.workers}",
        "--worker-class=sync",
        "--timeout=60",
        "--backlog=2048",
        "--log-level=warning",
    ]
    server = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)  # noqa: S603
    results = []
    try:
        wait_ready(base, server)
        users = [u for u in args.users.split(",") if u]
        cookies = [login(base, users[i % len(users)]) for i in range(max(counts))]
        for connections in counts:
            out = run_wrk(
                base,
                cookies=cookies[:connections],
                connections=connections,
                threads=args.threads,
                duration=args.duration,
            )
            print(out)
            results.append((connections, out, os.getloadavg()[0]))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)
    print(
        f"# bench_load: gunicorn {args.workers} sync workers, wrk {args.threads} threads, "
        f"sessions of {args.users}, {args.duration} s per run, pages {' and '.join(PATHS)}; "
        f"{platform.node()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(
        f"{'clients':>8}{'requests':>10}{'req/s':>10}{'p50':>10}{'p99':>10}{'non-200':>10}{'load':>6}"
        "  socket errors"
    )
    failed = False
    for connections, out, load in results:
        rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
        total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
        # The latency distribution's own lines ("     99%    1.20s"), not a percentage ending in 99%.
        p50 = re.search(r"^\s+50%[ \t]+(\S+)", out, re.M).group(1)  # type: ignore[union-attr]
        p99 = re.search(r"^\s+99%[ \t]+(\S+)", out, re.M).group(1)  # type: ignore[union-attr]
        non200 = int(re.search(r"NON200 (\d+)", out).group(1))  # type: ignore[union-attr]
        socket = re.search(r"Socket errors: (.*)", out)
        print(
            f"{connections:>8}{total:>10,}{rps:>10.1f}{p50:>10}{p99:>10}{non200:>10}{load:>6.1f}  "
            f"{socket.group(1) if socket else 'none'}"
        )
        failed = failed or bool(non200 or socket)
    if failed:
        sys.exit(1)


if __name__ == "__main__":
    main()
