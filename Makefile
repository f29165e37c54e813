# Jigsaw: `make demo` to see it, `make test` to check it. Both install first.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
JIGSAW := $(VENV)/bin/jigsaw
DEMO_CHILDREN ?= 5000
DEMO_SEED ?= 2009
export JIGSAW_INSECURE_LOCAL ?= 1

.PHONY: install demo test check lint types pytest browser-deps bench clean

install: $(VENV)/.installed jigsaw/static/vendor/.copied browser-deps

$(VENV)/.installed: pyproject.toml constraints.txt
	test -x $(PY) || python3.11 -m venv $(VENV)
	$(PY) -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

jigsaw/static/vendor/.copied: node_modules/.package-lock.json scripts/copy_frontend.py
	$(PY) scripts/copy_frontend.py
	touch $@

# Debian packages: Chromium for the browser tests (never a downloaded browser), Pango,
# which WeasyPrint uses to lay out PDF exports, and Poppler's pdftoppm, with which the
# browser tests render those PDFs to images to look at them.
SYSTEM_PACKAGES := chromium libpango-1.0-0 libpangoft2-1.0-0 poppler-utils
browser-deps:
	@missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then echo "installing Debian packages: $$missing"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null) \
	  || { echo "could not install $$missing (needed for the browser tests and PDF exports)" >&2; exit 1; }; fi

demo: install
	rm -f var/jigsaw.sqlite3 var/jigsaw.sqlite3-wal var/jigsaw.sqlite3-shm
	$(JIGSAW) migrate --no-input -v 0
	$(JIGSAW) seed_demo --children $(DEMO_CHILDREN) --seed $(DEMO_SEED)
	@echo "Jigsaw is at http://127.0.0.1:8000/ (Ctrl-C to stop)"
	DEBUG=0 $(JIGSAW) runserver 127.0.0.1:8000

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/bandit -q -c pyproject.toml -r jigsaw scripts

types: install
	$(VENV)/bin/mypy

pytest: install
	$(JIGSAW) makemigrations --check --dry-run
	$(VENV)/bin/pytest -p no:cacheprovider -n 2

# The one command a developer runs before committing.
test: lint types pytest

check: test

# Every benchmark in bench/ (the other modules there are their libraries, and partners.py
# runs partners_flags.py and partners_ingest.py, which this runs itself), on SQLite and then on
# PostgreSQL ($(BENCH_PG)/jigsaw_bench_*), then the README's "Measured" section from
# bench/results/. This takes hours on a fresh machine: most benchmarks build a database first
# (a million people, or an authority of 100,000 children: 20 to 40 minutes each, more for the
# returns' 400,000 children in need). Afterwards each reuses the database it built (--reuse;
# the dashboards and returns only when the .build.json their completed build leaves in
# var/bench is there); delete a database, or drop it, to build it again. Two build afresh
# every time: the chronology (its database takes a second) and the feed ingest (100,000
# people, a few minutes: earlier runs' events would slow a reused index). The load test runs
# on PostgreSQL only, as in service (gunicorn's workers sharing one database), on a copy of
# the dashboards benchmark's database that it makes when missing.
BENCH_PG ?= postgres://postgres@127.0.0.1:5432
BENCH := $(PY) bench
# Whether the PostgreSQL database $(1) exists (psql, from Debian's postgresql-client).
pg_has = psql -q "$(BENCH_PG)/postgres" -tAc "select 1 from pg_database where datname = '$(1)'" | grep -q 1
# "--reuse" when every file $(1) exists, else nothing.
file_reuse = $$($(foreach f,$(1),test -f $(f) &&) echo --reuse)
# "--reuse" when the PostgreSQL database $(1) exists, and every file $(2), else nothing.
pg_reuse = $$($(call pg_has,$(1)) && $(foreach f,$(2),test -f $(f) &&) echo --reuse)
bench: install
	$(BENCH)/chronology.py
	$(BENCH)/chronology.py --database-url $(BENCH_PG)/jigsaw_bench_chronology
	$(BENCH)/person_search.py --people 1000000 --reuse
	$(call pg_has,jigsaw_bench_person_search) || psql -q "$(BENCH_PG)/postgres" -c 'create database jigsaw_bench_person_search'
	$(BENCH)/person_search.py --people 1000000 --reuse --database-url $(BENCH_PG)/jigsaw_bench_person_search
	$(BENCH)/matching.py
	$(BENCH)/matching_batch.py --records 100000
	$(BENCH)/matching_batch.py --records 1000000
	$(BENCH)/matching_latency.py --people 100000 --reuse
	$(BENCH)/matching_latency.py --people 100000 --reuse --database-url $(BENCH_PG)/jigsaw_bench_matching_100000
	$(BENCH)/matching_latency.py --people 1000000 --reuse
	$(BENCH)/matching_latency.py --people 1000000 --reuse --database-url $(BENCH_PG)/jigsaw_bench_matching_1000000
	$(BENCH)/partners_flags.py --people 1000000 --reuse
	$(BENCH)/partners_flags.py --people 1000000 --reuse --database-url $(BENCH_PG)/jigsaw_bench_partners
	$(BENCH)/partners_ingest.py --events 10000 --csv
	$(BENCH)/partners_ingest.py --events 10000 --csv --database-url $(BENCH_PG)/jigsaw_bench_partners_ingest
	$(BENCH)/oversight.py $(call file_reuse,var/bench/oversight.sqlite3)
	$(BENCH)/oversight.py --database-url $(BENCH_PG)/jigsaw_bench_oversight $(call pg_reuse,jigsaw_bench_oversight)
	$(BENCH)/dashboards.py $(call file_reuse,var/bench/dashboards.sqlite3 var/bench/dashboards.build.json)
	$(BENCH)/dashboards.py --database-url $(BENCH_PG)/jigsaw_bench_dashboards \
	  $(call pg_reuse,jigsaw_bench_dashboards,var/bench/jigsaw_bench_dashboards.build.json)
	reuse=$(call file_reuse,var/bench/returns.sqlite3 var/bench/returns.build.json); \
	  $(BENCH)/returns.py $${reuse:---base var/bench/dashboards.sqlite3}
	reuse=$(call pg_reuse,jigsaw_bench_returns,var/bench/jigsaw_bench_returns.build.json); \
	  $(BENCH)/returns.py --database-url $(BENCH_PG)/jigsaw_bench_returns \
	  $${reuse:---base $(BENCH_PG)/jigsaw_bench_dashboards}
	$(BENCH)/load.py --instances 1 --database-url $(BENCH_PG)/jigsaw_bench_load
	$(BENCH)/load.py --instances 2 --database-url $(BENCH_PG)/jigsaw_bench_load
	$(BENCH)/load.py --step --database-url $(BENCH_PG)/jigsaw_bench_load
	$(PY) scripts/measured.py

clean:
	rm -rf $(VENV) node_modules jigsaw/static/vendor var
