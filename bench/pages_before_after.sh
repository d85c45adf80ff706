#!/bin/bash
# Issue 22's before/after runs of the pages on a quiet machine: REV (the before) in a worktree
# with its own benchmark database, against this tree, alternated. Figures go to stdout files in
# OUT; docs/benchmarks.md "Pages: where people land" has what they gave.
#
#   bash bench/pages_before_after.sh 40bd4bf [OUT=var/bench/before-after]
set -euo pipefail
REV=${1:?usage: pages_before_after.sh REV [OUT]}
OUT=${2:-var/bench/before-after}
AFTER=$(pwd)
BEFORE=$AFTER/var/bench/before-tree
BEFORE_DB=postgres://postgres@127.0.0.1:5432/classmeet_bench_before
mkdir -p "$OUT"
if [ ! -d "$BEFORE" ]; then
  git worktree add --detach "$BEFORE" "$REV"
  ln -s "$AFTER/.venv" "$BEFORE/.venv"
  ln -s "$AFTER/node_modules" "$BEFORE/node_modules"
  mkdir -p "$BEFORE/build" "$BEFORE/var" && ln -s "$AFTER/build/static" "$BEFORE/build/static"
  psql -h 127.0.0.1 -U postgres -c "CREATE DATABASE classmeet_bench_before" || true
  (cd "$BEFORE" && BENCH_DATABASE_URL=$BEFORE_DB .venv/bin/python -m bench.pages_data --shape landing)
fi
before() { (cd "$BEFORE" && BENCH_DATABASE_URL=$BEFORE_DB .venv/bin/python "$@"); }
after() { (cd "$AFTER" && .venv/bin/python "$@"); }

after -m bench.pages --shape landing --seconds 5 > "$OUT/after-full.txt" 2>&1
before -m bench.pages --shape landing --load-only --seconds 5 --no-doc > "$OUT/before-full.txt" 2>&1
for round in 1 2; do
  for side in before after; do
    $side -m bench.pages --shape landing --load-only --skip-latency --seconds 10 --no-doc \
      --pages "dashboard,course detail" > "$OUT/$side-load$round.txt" 2>&1
  done
done
sample='from bench import common; common.setup_django(); from bench.pages import existing_sample; print(existing_sample("landing").course_id)'
for side in before after; do
  course=$($side -c "$sample" 2>/dev/null)
  for url in /classmeet/dashboard/ "/courses/$course/" /meetings/; do
    name=$(echo "$url" | tr -d / | tr -d 0-9)
    $side -m bench.profile_page "$url" --shape landing --requests 50 > "$OUT/$side-profile-$name.txt" 2>&1
  done
done
echo "figures in $OUT"
