#!/bin/bash
# Issue 25's speed point: pages with translation on against REV (before the translations), in
# English, Spanish and Arabic, in alternated rounds on one benchmark database (landing shape).
# Each run prints wrk -c1 p50 and in-process p50 per page; docs/benchmarks.md "Pages in other
# languages" has what they gave.
#
#   bash bench/i18n_before_after.sh 2280e02 [ROUNDS=3] [OUT=var/bench/i18n]
set -euo pipefail
REV=${1:?usage: i18n_before_after.sh REV [ROUNDS] [OUT]}
ROUNDS=${2:-3}
OUT=${3:-var/bench/i18n}
AFTER=$(pwd)
BEFORE=$AFTER/var/bench/i18n-before
mkdir -p "$OUT"
if [ ! -d "$BEFORE" ]; then
  git worktree add --detach "$BEFORE" "$REV"
  ln -s "$AFTER/.venv" "$BEFORE/.venv"
  ln -s "$AFTER/node_modules" "$BEFORE/node_modules"
  mkdir -p "$BEFORE/build" "$BEFORE/var" && ln -s "$AFTER/build/static" "$BEFORE/build/static"
fi
# The landing data, made by this tree (both trees read the same rows).
.venv/bin/python -m bench.pages --shape landing --skip-latency --skip-load --no-doc > /dev/null
run() { # side language round
  local dir=$AFTER
  [ "$1" = before ] && dir=$BEFORE
  (cd "$dir" && BENCH_LANGUAGE=$2 .venv/bin/python -m bench.pages --shape landing --load-only \
    --skip-load --seconds 5 --no-doc) > "$OUT/$1-${2:-en}-$3.txt" 2>&1
}
for round in $(seq "$ROUNDS"); do
  echo "round $round: $(date -u +%H:%M:%S), load $(cut -d' ' -f1-3 /proc/loadavg)"
  run before "" "$round"
  run after "" "$round"
  run after es "$round"
  run after ar "$round"
done
echo "figures in $OUT, ended $(date -u +%H:%M:%S), load $(cut -d' ' -f1-3 /proc/loadavg)"
