# Two commands do all the set-up: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app hiring
# PostgreSQL used by the second test run; override to test against another server.
TEST_POSTGRES_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

.PHONY: install browser-deps run test test-sqlite test-postgres lint clean

# Re-install whenever requirements.txt changes.
$(BIN)/.installed: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

install: $(BIN)/.installed

# The browser tests drive Debian's Chromium (installed once, as root, if missing) and serve the
# pages axe-core from the npm registry, pinned by tests/browser/package-lock.json.
AXE := tests/browser/node_modules/axe-core/axe.min.js
browser-deps:
	command -v chromium >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium)
	test -f $(AXE) || npm ci --prefix tests/browser --no-audit --no-fund

run: install
	$(FLASK) db upgrade
	$(FLASK) demo --if-empty
	$(FLASK) run --host 127.0.0.1 --port 5000

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test-sqlite: install browser-deps
	$(BIN)/python -m pytest --durations=15

test-postgres: install browser-deps
	BENCH_TEST_DATABASE_URL=$(TEST_POSTGRES_URL) $(BIN)/python -m pytest --durations=15

# The two database passes run side by side, one per core; -O prints each pass's output whole when it ends.
test: lint
	$(MAKE) --no-print-directory -j2 -O test-sqlite test-postgres

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

# `make bench` runs every benchmark at BENCH_N candidates, in scratch SQLite databases in BENCH_DIR
# (DATABASE_URL is blanked: never the app's own data). `make bench-pool`: the pool list and searches.
BENCH_N ?= 100000
BENCH_DIR ?= /tmp/bench-instance
BENCH_SCRATCH := BENCH_INSTANCE_PATH=$(BENCH_DIR) DATABASE_URL=

# `make bench-model`: train on 2,000 synthetic reps and rank BENCH_N candidates (scoring only).
# `make bench-rank`: the same through the app and a scratch database (BENCH_DIR/rank).
RANK_SCRATCH := BENCH_INSTANCE_PATH=$(BENCH_DIR)/rank DATABASE_URL=

# `make bench-export`: export a 20,000-candidate shortlist and pool view as CSV and XLSX (BENCH_DIR/export).
EXPORT_N ?= 20000
EXPORT_SCRATCH := BENCH_INSTANCE_PATH=$(BENCH_DIR)/export DATABASE_URL=

# `make bench-import`: import a seeded IMPORT_N-row CSV file of candidates (BENCH_DIR/import).
IMPORT_N ?= $(BENCH_N)
IMPORT_SCRATCH := BENCH_INSTANCE_PATH=$(BENCH_DIR)/import DATABASE_URL=

# `make bench-throughput`: pool list requests/s under gunicorn (4 workers) on PostgreSQL, in the scratch
# database bench_throughput (dropped and re-created; BENCH_POSTGRES_ADMIN_URL names the server).
# `make bench-load` (issue 11's load run, not part of `make bench`): mixed reads and writes as managers
# and interviewers, in the scratch database bench_load.
THROUGHPUT_N ?= $(BENCH_N)
LOAD_N ?= 20000

.PHONY: bench bench-pool bench-model bench-rank bench-export bench-import bench-throughput bench-load
bench: bench-pool bench-model bench-rank bench-export bench-import bench-throughput

bench-pool: install
	rm -f $(BENCH_DIR)/bench.sqlite $(BENCH_DIR)/bench.sqlite-journal $(BENCH_DIR)/bench.sqlite-wal
	$(BENCH_SCRATCH) $(FLASK) db upgrade
	$(BENCH_SCRATCH) $(BIN)/python -m benchmarks.generate --n $(BENCH_N)
	$(BENCH_SCRATCH) $(BIN)/python -m benchmarks.bench_pool

bench-model: install
	$(BIN)/python -m benchmarks.bench_model --candidates $(BENCH_N)

bench-rank: install
	rm -rf $(BENCH_DIR)/rank
	$(RANK_SCRATCH) $(FLASK) db upgrade
	$(RANK_SCRATCH) $(BIN)/python -m benchmarks.bench_rank --candidates $(BENCH_N)

bench-export: install
	rm -rf $(BENCH_DIR)/export
	$(EXPORT_SCRATCH) $(FLASK) db upgrade
	$(EXPORT_SCRATCH) $(BIN)/python -m benchmarks.bench_export --candidates $(EXPORT_N)

bench-import: install
	rm -rf $(BENCH_DIR)/import
	$(IMPORT_SCRATCH) $(FLASK) db upgrade
	$(IMPORT_SCRATCH) $(BIN)/python -m benchmarks.bench_import --rows $(IMPORT_N)

bench-throughput: install
	$(BIN)/python -m benchmarks.bench_throughput --n $(THROUGHPUT_N)

bench-load: install
	$(BIN)/python -m benchmarks.bench_load --n $(LOAD_N)
