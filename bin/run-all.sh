#!/usr/bin/env bash
# Runs the web server, a Celery worker and Celery beat together; Ctrl-C stops all three.
set -euo pipefail
port="${1:-8000}"
py=.venv/bin/python
mkdir -p var/celery/queue var/celery/processed
pids=()
cleanup() {
  trap - INT TERM EXIT
  echo "Stopping..."
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup INT TERM EXIT
.venv/bin/celery -A plexus_office worker -l info -c 2 --pool threads &
pids+=($!)
.venv/bin/celery -A plexus_office beat -l info --schedule var/celerybeat-schedule &
pids+=($!)
$py manage.py runserver "127.0.0.1:${port}" &
pids+=($!)
echo "Plexus Office on http://127.0.0.1:${port}/ (admin at /admin/). Ctrl-C stops web, worker and beat."
wait -n "${pids[@]}"
