# Classmeet: `make run` serves the demo, `make test` runs every check. Both set themselves up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
export DJANGO_SETTINGS_MODULE ?= config.settings.local

.PHONY: run dev test install lock assets messages lint format pytest bench bench-relay soak clean

# requirements*.txt keep the human ranges; requirements-dev.lock pins the whole tree with hashes
# (what CI tested), and `make install` installs exactly that, resolving nothing.
$(BIN)/.installed: requirements-dev.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q --require-hashes -r requirements-dev.lock
	touch $@

# Regenerates the lock from requirements*.txt with pip-tools (in a venv of its own under build/).
# Pins already in the lock are kept; `make lock LOCK_UPGRADE=--upgrade` moves them to the newest
# releases the ranges allow (then run `make test` before committing the new lock).
PIP_TOOLS := build/pip-tools
LOCK_UPGRADE ?=
lock:
	test -x $(PIP_TOOLS)/bin/pip-compile || { $(PYTHON) -m venv $(PIP_TOOLS) && $(PIP_TOOLS)/bin/pip install -q pip-tools==7.7.0; }
	CUSTOM_COMPILE_COMMAND="make lock" $(PIP_TOOLS)/bin/pip-compile -q $(LOCK_UPGRADE) --generate-hashes \
		--allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links \
		--output-file requirements-dev.lock requirements-dev.txt

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(BIN)/.installed node_modules/.installed

# The translations first: locale/*.po compiled to .mo (polib) and the ES modules' catalogs written
# to build/static/i18n/ (classmeet/core/management/commands/build_catalogs.py), then the bundles.
assets: install
	$(BIN)/python manage.py build_catalogs -v 0
	node scripts/build_assets.mjs
	$(BIN)/python manage.py collectstatic --noinput -v 0

# Refreshes the catalogs under locale/ from the code: both domains (django: Python and templates;
# djangojs: the ES modules), file names without line numbers (docs/translating.md).
MESSAGES_IGNORE := --ignore='*/tests/*' --ignore='tests/*' --ignore='.venv/*' --ignore='node_modules/*' \
	--ignore='build/*' --ignore='bench/*' --ignore='var/*' --ignore='staticfiles/*' --ignore='scripts/*'
messages: install
	$(BIN)/python manage.py makemessages --all --add-location=file $(MESSAGES_IGNORE) -v 0
	$(BIN)/python manage.py makemessages --all -d djangojs --add-location=file $(MESSAGES_IGNORE) -v 0

run: assets
	$(BIN)/python manage.py migrate --noinput -v 0
	$(BIN)/python manage.py seed_demo
	HOST=$(HOST) PORT=$(PORT) BIN=$(BIN) scripts/run.sh

# `make run` with Django's DEBUG on (its debug pages with tracebacks): for development only.
dev: export DEBUG = true
dev: run

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	npx eslint .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Three pytest-xdist workers: the browser tests on one, the rest shared by the others
# (tests/xdist_split.py).
# `make pytest PYTEST_WORKERS=0` runs everything in one process.
PYTEST_WORKERS ?= 3
pytest: assets
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/pytest $(if $(filter-out 0,$(PYTEST_WORKERS)),-n $(PYTEST_WORKERS))

test: lint pytest

clean:
	rm -rf build staticfiles var/test-media .pytest_cache .mypy_cache .ruff_cache

# Benchmarks (bench/, results appended to docs/benchmarks.md). They use PostgreSQL databases of
# their own (classmeet_bench, classmeet_bench_reminders, classmeet_bench_due) and Redis on
# 127.0.0.1, and `wrk`
# (apt-get install -y wrk). `make bench` runs the cheap ones (a few minutes); the signaling relay
# at 100 rooms x 10 participants has its own target (about 15 minutes, mostly joining).
bench: assets
	$(BIN)/python -m bench.reminders
	$(BIN)/python -m bench.due_scan
	$(BIN)/python -m bench.static
	$(BIN)/python -m bench.pages
	$(BIN)/python -m bench.bench_fanout --write
	$(BIN)/python -m bench.bench_fanout --redis --write

bench-relay: assets
	$(BIN)/python -m bench.relay

# Soak (tests/faults/test_soak.py): 500 signaling sockets with join/leave churn on two workers and
# the Redis layer (REDIS_URL, default 127.0.0.1:6379) for 10 minutes; `make test` runs 1 minute.
# Figures in var/soak-600s.json, recorded in docs/reliability.md "Soak".
SOAK_SECONDS ?= 600
soak: assets
	CLASSMEET_SOAK_SECONDS=$(SOAK_SECONDS) DJANGO_SETTINGS_MODULE=config.settings.test \
		$(BIN)/pytest tests/faults/test_soak.py -p no:cacheprovider -s -q --timeout=$$(( $(SOAK_SECONDS) + 600 ))
