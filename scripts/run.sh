#!/usr/bin/env bash
# Serve Classmeet with everything it needs: the ASGI server, a Celery worker and Celery beat.
# Ctrl-C (or any of them dying) stops all three.
set -euo pipefail
BIN=${BIN:-.venv/bin}
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
mkdir -p var/celery/queue var/celery/processed var/log

pids=()
cleanup() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup INT TERM EXIT

broker=$([ -n "${REDIS_URL:-}" ] && echo "Redis" || echo "the filesystem (var/celery)")
echo "Celery broker: $broker. Logs of the worker and beat: var/log/"
"$BIN/celery" -A config worker --loglevel=INFO --concurrency=2 >var/log/celery-worker.log 2>&1 &
pids+=($!)
"$BIN/celery" -A config beat --loglevel=INFO >var/log/celery-beat.log 2>&1 &
pids+=($!)
echo "Classmeet on http://$HOST:$PORT/  (Ctrl-C stops everything)"
"$BIN/uvicorn" config.asgi:application --host "$HOST" --port "$PORT" --ws websockets-sansio \
  --proxy-headers --no-server-header &
pids+=($!)
wait -n "${pids[@]}"
