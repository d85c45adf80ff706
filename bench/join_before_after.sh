#!/bin/bash
# Issue 22's join, before and after a change of the room page or its server: REV's whole room
# (server, templates, modules, styles) in a worktree with its own built assets, against this
# tree's, alternated in one run of bench/bench_join.py (same browser, database and first
# participant); then this tree against the bare page. Figures to stdout; docs/benchmarks.md has
# what they gave.
#
#   bash bench/join_before_after.sh c52a51c [RUNS=15] [SETTLE=4]
set -euo pipefail
REV=${1:?usage: join_before_after.sh REV [RUNS] [SETTLE]}
RUNS=${2:-15}
SETTLE=${3:-4}
AFTER=$(pwd)
BEFORE=$AFTER/var/bench/join-before-$REV
if [ ! -d "$BEFORE" ]; then
  git worktree add --detach "$BEFORE" "$REV"
  ln -s "$AFTER/.venv" "$BEFORE/.venv"
  ln -s "$AFTER/node_modules" "$BEFORE/node_modules"
  mkdir -p "$BEFORE/build/static"
  (cd "$BEFORE" && .venv/bin/python manage.py build_catalogs -v 0 && node scripts/build_assets.mjs)
fi
echo "before: $REV ($BEFORE); after: this tree ($(git describe --always --dirty))"
.venv/bin/python bench/bench_join.py --runs "$RUNS" --no-four --settle "$SETTLE" --compare "$BEFORE"
.venv/bin/python bench/bench_join.py --runs "$RUNS" --no-four --settle "$SETTLE" --compare bare
